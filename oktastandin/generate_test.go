package oktastandin_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/mailroom/oktasync/oktastandin"
)

func TestGenerateIsDeterministic(t *testing.T) {
	t.Parallel()
	opts := oktastandin.GenOptions{Seed: 42, Users: 300, Groups: 5, Everyone: true}
	var a, b bytes.Buffer
	if err := oktastandin.Generate(opts).WriteJSON(&a); err != nil {
		t.Fatal(err)
	}
	if err := oktastandin.Generate(opts).WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("two fixtures from seed 42 differ")
	}
	opts.Seed = 43
	if c := oktastandin.Generate(opts); c.Users[0].ID == oktastandin.Generate(
		oktastandin.GenOptions{Seed: 42, Users: 1}).Users[0].ID {
		t.Errorf("seeds 42 and 43 gave the same first user")
	}
}

func TestGenerateIsRealistic(t *testing.T) {
	t.Parallel()
	f := oktastandin.Generate(oktastandin.GenOptions{Seed: 1, Users: 10000, Groups: 20,
		LargeGroupSize: 1001, Everyone: true})

	// Each of these statuses is a few percent of 10,000 users.
	for _, status := range []string{"SUSPENDED", "DEPROVISIONED", "STAGED"} {
		if n := f.CountStatus(status); n < 100 || n > 800 {
			t.Errorf("CountStatus(%q) = %d, want a few percent", status, n)
		}
	}
	checkUsers(t, f.Users)
	if id, n := f.LargestGroup(); n != 10000 || id == "" {
		t.Errorf("LargestGroup = %s %d, want Everyone with 10000", id, n)
	}
	if got := membersOf(f, f.Groups[0].ID); got != 1001 {
		t.Errorf("first group has %d members, want 1001", got)
	}
	if f.SAMLAppID() == "" || len(f.Assignments) < 500 {
		t.Errorf("SAML app %q with %d assignments, want about 500 users and 2 groups",
			f.SAMLAppID(), len(f.Assignments))
	}
}

func membersOf(f *oktastandin.Fixture, groupID string) int {
	n := 0
	for _, m := range f.Memberships {
		if m.GroupID == groupID {
			n++
		}
	}
	return n
}

// checkUsers checks ids, logins and the variety of names and emails.
func checkUsers(t *testing.T, users []oktastandin.User) {
	t.Helper()
	ids, logins := map[string]bool{}, map[string]bool{}
	seen := map[string]int{}
	for _, u := range users {
		if len(u.ID) != 20 || !strings.HasPrefix(u.ID, "00u") || ids[u.ID] {
			t.Fatalf("user id %q is malformed or repeated", u.ID)
		}
		ids[u.ID] = true
		login := u.Profile["login"].(string)
		if logins[login] {
			t.Fatalf("login %q is repeated", login)
		}
		logins[login] = true
		countTraits(seen, u)
		if u.LastUpdated.Before(u.Created) || u.LastUpdated.After(oktastandin.DefaultGenNow) {
			t.Errorf("user %s lastUpdated %v outside [created, now]", u.ID, u.LastUpdated)
		}
	}
	for _, trait := range []string{"email absent", "email null", "apostrophe", "hyphen",
		"accented", "han", "kana", "staged never activated"} {
		if seen[trait] == 0 {
			t.Errorf("no generated user has trait %q", trait)
		}
	}
}

func countTraits(seen map[string]int, u oktastandin.User) {
	email, present := u.Profile["email"]
	switch {
	case !present:
		seen["email absent"]++
	case email == nil:
		seen["email null"]++
	}
	name := u.Profile["firstName"].(string) + " " + u.Profile["lastName"].(string)
	if strings.Contains(name, "'") {
		seen["apostrophe"]++
	}
	if strings.Contains(name, "-") {
		seen["hyphen"]++
	}
	for _, r := range name {
		switch {
		case unicode.Is(unicode.Han, r):
			seen["han"]++
		case unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
			seen["kana"]++
		case r > unicode.MaxASCII && unicode.IsLetter(r):
			seen["accented"]++
		}
	}
	if u.Status == "STAGED" && u.Activated.IsZero() && u.LastLogin.IsZero() {
		seen["staged never activated"]++
	}
}

func TestGenerateTenThousandIsFast(t *testing.T) {
	t.Parallel()
	start := time.Now()
	oktastandin.Generate(oktastandin.GenOptions{Seed: 9, Users: 10000, Groups: 50})
	// Benchmarks generate their directories; the budget leaves room for
	// the race detector and a busy machine.
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Generate(10000 users) took %v, want well under a second", d)
	}
}

func TestFixtureRoundTrip(t *testing.T) {
	t.Parallel()
	f := oktastandin.Generate(oktastandin.GenOptions{Seed: 8, Users: 200, Groups: 8})
	var buf bytes.Buffer
	if err := f.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	g, err := oktastandin.LoadFixture(&buf)
	if err != nil {
		t.Fatalf("LoadFixture: %v", err)
	}
	// JSON numbers come back as float64.
	for i := range f.Users {
		f.Users[i].Profile["deskFloor"] = float64(f.Users[i].Profile["deskFloor"].(int))
	}
	if !reflect.DeepEqual(f, g) {
		t.Errorf("fixture changed in a JSON round trip")
	}

	s := oktastandin.New(oktastandin.Options{})
	if err := s.Load(g); err != nil {
		t.Fatalf("Load: %v", err)
	}
	if u, ok := s.User(f.Users[7].ID); !ok || !u.LastUpdated.Equal(f.Users[7].LastUpdated) {
		t.Errorf("loaded user %s = %v, want its fixture timestamps kept", f.Users[7].ID, u)
	}
}

func TestLoadRejectsBrokenFixtures(t *testing.T) {
	t.Parallel()
	base := func() *oktastandin.Fixture {
		return oktastandin.Generate(oktastandin.GenOptions{Seed: 4, Users: 5, Groups: 1})
	}
	tests := []struct {
		name  string
		spoil func(*oktastandin.Fixture)
	}{
		{"duplicate user", func(f *oktastandin.Fixture) { f.Users = append(f.Users, f.Users[0]) }},
		{"user without id", func(f *oktastandin.Fixture) { f.Users[0].ID = "" }},
		{"unknown member", func(f *oktastandin.Fixture) {
			f.Memberships = append(f.Memberships, oktastandin.Membership{
				GroupID: f.Groups[0].ID, UserID: "00unobody"})
		}},
		{"assignment to nobody", func(f *oktastandin.Fixture) {
			f.Assignments = append(f.Assignments, oktastandin.Assignment{AppID: f.Apps[0].ID})
		}},
	}
	for _, tt := range tests {
		f := base()
		tt.spoil(f)
		if err := oktastandin.New(oktastandin.Options{}).Load(f); err == nil {
			t.Errorf("Load(%s) = nil, want an error", tt.name)
		}
	}
	if _, err := oktastandin.LoadFixture(strings.NewReader(`{"users": 1}`)); err == nil {
		t.Errorf("LoadFixture(bad JSON) = nil, want an error")
	}
}

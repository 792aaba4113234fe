package oktastandin_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailroom/oktasync/oktastandin"
)

func TestUserLifecycleTimestamps(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s := oktastandin.New(oktastandin.Options{Now: clock.Now})
	created := clock.Now()
	u := s.PutUser(oktastandin.User{Profile: map[string]any{"login": "a@example.com"}})
	if len(u.ID) != 20 || u.Status != "ACTIVE" || !u.Created.Equal(created) ||
		!u.Activated.Equal(created) || !u.LastUpdated.Equal(created) {
		t.Errorf("PutUser = %+v, want a new ACTIVE user created and updated now", u)
	}

	clock.Advance(time.Minute)
	if err := s.SetStatus(u.ID, "SUSPENDED"); err != nil {
		t.Fatal(err)
	}
	got, _ := s.User(u.ID)
	if !got.StatusChanged.Equal(clock.Now()) || !got.LastUpdated.Equal(clock.Now()) {
		t.Errorf("after SetStatus: statusChanged %v lastUpdated %v, want both %v",
			got.StatusChanged, got.LastUpdated, clock.Now())
	}

	explicit := created.Add(-time.Hour)
	_ = s.UpdateUser(u.ID, func(u *oktastandin.User) { u.LastUpdated = explicit })
	if got, _ := s.User(u.ID); !got.LastUpdated.Equal(explicit) {
		t.Errorf("UpdateUser kept lastUpdated %v, want the explicit %v", got.LastUpdated, explicit)
	}
	if err := s.SetStatus("00unknown", "ACTIVE"); !errors.Is(err, oktastandin.ErrNotFound) {
		t.Errorf("SetStatus(unknown) = %v, want ErrNotFound", err)
	}
}

func TestStoredUsersAreCopies(t *testing.T) {
	t.Parallel()
	s := oktastandin.New(oktastandin.Options{})
	profile := map[string]any{"login": "a@example.com"}
	u := s.PutUser(oktastandin.User{Profile: profile})
	profile["login"] = "changed@example.com"
	got, _ := s.User(u.ID)
	got.Profile["login"] = "changed too"
	if again, _ := s.User(u.ID); again.Profile["login"] != "a@example.com" {
		t.Errorf("stored login = %v, want it unaffected by callers' maps", again.Profile["login"])
	}
}

func TestMembershipAndDeletion(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	o := newOrg(t, oktastandin.Options{Now: clock.Now})
	ids := putActiveUsers(o.Server, 3)
	g := o.PutGroup(oktastandin.Group{Name: "Mailroom"})
	app := o.AddApp(oktastandin.App{Label: "Mailroom"})
	for _, id := range ids {
		if err := o.AddMember(g.ID, id); err != nil {
			t.Fatal(err)
		}
	}
	_ = o.AssignUser(app.ID, ids[0])

	clock.Advance(time.Minute)
	if err := o.DeleteUser(ids[0]); err != nil {
		t.Fatal(err)
	}
	after, _ := o.Group(g.ID)
	if m := o.Members(g.ID); len(m) != 2 || !after.LastMembershipUpdated.Equal(clock.Now()) {
		t.Errorf("after DeleteUser: members %v, lastMembershipUpdated %v; want 2 and now",
			m, after.LastMembershipUpdated)
	}
	_, body := o.get(t, o.token(t), "/api/v1/apps/"+app.ID+"/users")
	if strings.Contains(string(body), ids[0]) {
		t.Errorf("deleted user still assigned: %s", body)
	}
	if err := o.DeleteGroup(g.ID); err != nil || o.Members(g.ID) != nil {
		t.Errorf("DeleteGroup = %v, members %v; want the group gone", err, o.Members(g.ID))
	}
}

// A cursor is a user id: users added before it between pages are not
// seen, users added after it are.
func TestPagingSurvivesInsertsBetweenPages(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	putActiveUsers(o.Server, 6)
	tok := o.token(t)

	resp, body := o.get(t, tok, "/api/v1/users?limit=3")
	first := pageIDs(t, body)
	early := o.PutUser(oktastandin.User{ID: "00u00000000000000000"})
	late := o.PutUser(oktastandin.User{ID: "00uzzzzzzzzzzzzzzzzz"})

	var rest []string
	for next := nextLink(resp.Header); next != ""; next = nextLink(resp.Header) {
		resp, body = o.get(t, tok, strings.TrimPrefix(next, o.URL))
		rest = append(rest, pageIDs(t, body)...)
	}
	all := append(first, rest...)
	if len(rest) != 4 || rest[3] != late.ID || slices.Contains(all, early.ID) ||
		!slices.IsSorted(all) {
		t.Errorf("pages after %v = %v, want the 3 remaining users then %s, without %s",
			first, rest, late.ID, early.ID)
	}
}

func pageIDs(t *testing.T, body []byte) []string {
	t.Helper()
	var page []struct{ ID string }
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatalf("decode page: %v", err)
	}
	ids := make([]string, len(page))
	for i, u := range page {
		ids[i] = u.ID
	}
	return ids
}

func TestLinkHeadersKeepQuery(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	putActiveUsers(o.Server, 5)
	filter := `status eq "ACTIVE"`
	resp, _ := o.get(t, o.token(t), "/api/v1/users?limit=2&filter="+url.QueryEscape(filter))

	links := resp.Header.Values("Link")
	if len(links) != 2 || !strings.HasSuffix(links[0], `>; rel="self"`) {
		t.Fatalf("Link headers = %q, want self then next", links)
	}
	next, err := url.Parse(nextLink(resp.Header))
	if err != nil {
		t.Fatal(err)
	}
	q := next.Query()
	if next.Host != o.Domain || q.Get("filter") != filter || q.Get("limit") != "2" ||
		len(q.Get("after")) != 20 {
		t.Errorf("next link %s, want host %s, the filter, limit 2 and an after cursor", next, o.Domain)
	}
}

func TestListingsOmitDeprovisionedUnlessFiltered(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	ids := putActiveUsers(o.Server, 3)
	_ = o.SetStatus(ids[1], "DEPROVISIONED")
	g := o.PutGroup(oktastandin.Group{Name: "All"})
	for _, id := range ids {
		_ = o.AddMember(g.ID, id)
	}
	tok := o.token(t)

	tests := []struct {
		path string
		want bool
	}{
		{"/api/v1/users", false},
		{"/api/v1/users?q=user", false},
		{"/api/v1/users?filter=" + url.QueryEscape(`status eq "DEPROVISIONED"`), true},
		{"/api/v1/users?search=" + url.QueryEscape(`status eq "DEPROVISIONED"`), true},
		{"/api/v1/groups/" + g.ID + "/users", true},
	}
	for _, tt := range tests {
		_, body := o.get(t, tok, tt.path)
		if got := strings.Contains(string(body), ids[1]); got != tt.want {
			t.Errorf("GET %s lists the deprovisioned user: %v, want %v", tt.path, got, tt.want)
		}
	}
	if resp, _ := o.get(t, tok, "/api/v1/users?limit=ten"); resp.StatusCode != 400 {
		t.Errorf("limit=ten = %d, want 400", resp.StatusCode)
	}
}

func TestGetUserByIDOrLogin(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	id := putActiveUsers(o.Server, 1)[0]
	u, _ := o.User(id)
	tok := o.token(t)
	for _, key := range []string{id, u.Profile["login"].(string)} {
		if resp, body := o.get(t, tok, "/api/v1/users/"+url.PathEscape(key)); resp.StatusCode != 200 ||
			!strings.Contains(string(body), id) {
			t.Errorf("GET user %s = %d %s", key, resp.StatusCode, body)
		}
	}
	if resp, _ := o.get(t, tok, "/api/v1/users/00unknown"); resp.StatusCode != 404 {
		t.Errorf("GET unknown user = %d, want 404", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodDelete, o.URL+"/api/v1/users", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := o.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("DELETE /api/v1/users = %d, want 405", resp.StatusCode)
	}
}

// Changing the directory while listings are served must be safe; run
// with -race.
func TestConcurrentChangesWhileServing(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	f := oktastandin.Generate(oktastandin.GenOptions{Seed: 6, Users: 500, Groups: 4})
	if err := o.Load(f); err != nil {
		t.Fatal(err)
	}
	tok := o.token(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()

	var wg sync.WaitGroup
	for _, path := range []string{"/api/v1/users", "/api/v1/apps/" + f.SAMLAppID() + "/users",
		"/api/v1/groups/" + f.Groups[0].ID + "/users"} {
		wg.Go(func() {
			for ctx.Err() == nil {
				o.get(t, tok, path)
			}
		})
	}
	for i := 0; ctx.Err() == nil; i++ {
		u := f.Users[i%len(f.Users)]
		_ = o.SetStatus(u.ID, []string{"ACTIVE", "SUSPENDED"}[i%2])
		_ = o.AddMember(f.Groups[0].ID, u.ID)
		_ = o.RemoveMember(f.Groups[1].ID, u.ID)
		o.PutUser(oktastandin.User{Profile: map[string]any{"login": "new@example.com"}})
	}
	wg.Wait()
}

package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/mailroom/oktasync/dashboard"
	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/oktastandin"
)

// inactiveStatus says which Okta statuses make an inactive recipient.
func inactiveStatus(status string) bool {
	return status == oktastandin.StatusSuspended || status == oktastandin.StatusDeprovisioned
}

func hasEmail(u oktastandin.User) bool {
	e, _ := u.Profile["email"].(string)
	return strings.TrimSpace(e) != ""
}

func TestAllUsersModeSyncsEveryUserToEveryLocation(t *testing.T) {
	h := newHarness(t, harnessOptions{gen: oktastandin.GenOptions{Users: 450, Groups: 3},
		locations: 3})

	run := h.enable(models.Preferences{Mode: models.ModeAllUsers, DeactivateMissing: true})

	if run.Status != models.RunSucceeded {
		t.Fatalf("first run %s: %s", run.Status, run.Error)
	}
	users := h.fixture.Users
	got := byKey(h.recipients())
	if len(got) != len(users)*len(h.locations) {
		t.Errorf("recipients = %d, want %d users x %d locations", len(got), len(users),
			len(h.locations))
	}
	noEmail := 0
	for _, u := range users {
		if !hasEmail(u) {
			noEmail++
		}
		for _, loc := range h.locations {
			r, ok := got[[2]string{loc.ID, u.ID}]
			if !ok {
				t.Fatalf("user %s (%s) missing at %s", u.ID, u.Status, loc.Name)
			}
			if r.Active == inactiveStatus(u.Status) {
				t.Errorf("user %s status %s: active = %v", u.ID, u.Status, r.Active)
			}
			if r.Provenance != models.ProvenanceDirectory {
				t.Errorf("provenance = %q, want directory", r.Provenance)
			}
		}
	}
	c := run.Counts
	if c.Created != len(users)*len(h.locations) || c.Fetched != len(users) ||
		c.NoEmail != noEmail {
		t.Errorf("counts = %+v, want created %d, fetched %d, no email %d", c,
			len(users)*len(h.locations), len(users), noEmail)
	}
	if noEmail == 0 || h.fixture.CountStatus(oktastandin.StatusDeprovisioned) == 0 {
		t.Fatal("the fixture lacks users without email or deprovisioned users")
	}
}

func TestSecondSyncWithoutChangesWritesNothing(t *testing.T) {
	h := newHarness(t, harnessOptions{gen: oktastandin.GenOptions{Users: 300}, locations: 2})
	h.enable(models.Preferences{DeactivateMissing: true})
	before := h.rowVersions()

	run := h.syncNow(false)

	if run.Status != models.RunSucceeded {
		t.Fatalf("second run %s: %s", run.Status, run.Error)
	}
	c := run.Counts
	if c.Created+c.Updated+c.Reactivated+c.Deactivated != 0 || c.Unchanged != 300*2 {
		t.Errorf("second run counts = %+v, want only %d unchanged", c, 300*2)
	}
	after := h.rowVersions()
	if len(after) != len(before) {
		t.Fatalf("rows %d -> %d", len(before), len(after))
	}
	for id, v := range before {
		if after[id] != v {
			t.Fatalf("recipient %d was rewritten (xmin %s -> %s)", id, v, after[id])
		}
	}
	// Each run keeps only its own sightings: they do not pile up.
	var runs int
	err := h.sql().QueryRowContext(h.ctx,
		"SELECT COUNT(DISTINCT run_id) FROM sync_run_seens").Scan(&runs)
	if err != nil || runs != 1 {
		t.Errorf("runs with sightings kept = %d (%v), want only the last", runs, err)
	}
}

// rowVersions returns each recipient's xmin: PostgreSQL gives a row a new
// xmin whenever it is written, even with identical values.
func (h *harness) rowVersions() map[int64]string {
	h.t.Helper()
	rows, err := h.sql().QueryContext(h.ctx,
		"SELECT id, xmin::text FROM recipients WHERE org_id = $1", h.api.OrgID)
	if err != nil {
		h.t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var xmin string
		if err := rows.Scan(&id, &xmin); err != nil {
			h.t.Fatal(err)
		}
		out[id] = xmin
	}
	return out
}

func TestGroupModeSyncsMembersToMappedLocations(t *testing.T) {
	h := newHarness(t, harnessOptions{locations: 3, gen: oktastandin.GenOptions{
		Users: 1300, Groups: 3, LargeGroupSize: 1001, GroupSizes: []int{1001, 120}}})
	big, small := h.fixture.Groups[0].ID, h.fixture.Groups[1].ID
	a, b, c := h.locations[0], h.locations[1], h.locations[2]
	// The big group feeds A and C; the small one feeds B.
	h.mapGroups(map[string][]string{big: {a.ID, c.ID}, small: {b.ID}})

	run := h.enable(models.Preferences{Mode: models.ModeGroups, DeactivateMissing: true})

	if run.Status != models.RunSucceeded {
		t.Fatalf("run %s: %s", run.Status, run.Error)
	}
	bigMembers, smallMembers := h.okta.Members(big), h.okta.Members(small)
	if len(bigMembers) < 1001 {
		t.Fatalf("big group has %d members", len(bigMembers))
	}
	want := map[string]int{a.ID: len(bigMembers), b.ID: len(smallMembers),
		c.ID: len(bigMembers)}
	for loc, n := range countByLocation(h.recipients()) {
		if n != want[loc] {
			t.Errorf("location %s has %d recipients, want %d", loc, n, want[loc])
		}
	}
	if got := run.Counts.Fetched; got != len(bigMembers)+len(smallMembers) {
		t.Errorf("fetched = %d, want each group listed once: %d", got,
			len(bigMembers)+len(smallMembers))
	}
}

// mapGroups replaces the group mappings: group id to location ids.
func (h *harness) mapGroups(m map[string][]string) {
	h.t.Helper()
	var ms []dashboard.MappingView
	for g, locs := range m {
		for _, l := range locs {
			ms = append(ms, dashboard.MappingView{GroupID: g, LocationID: l})
		}
	}
	if _, err := h.api.ReplaceMappings(h.ctx, ms); err != nil {
		h.t.Fatalf("map groups: %v", err)
	}
}

func countByLocation(rs []models.Recipient) map[string]int {
	out := map[string]int{}
	for _, r := range rs {
		out[r.LocationID]++
	}
	return out
}

func TestNextSyncReflectsDirectoryChanges(t *testing.T) {
	h := newHarness(t, harnessOptions{locations: 3, gen: oktastandin.GenOptions{
		Users: 200, Groups: 2, GroupSizes: []int{80, 60}}})
	g1, g2 := h.fixture.Groups[0].ID, h.fixture.Groups[1].ID
	a, b, c := h.locations[0], h.locations[1], h.locations[2]
	h.mapGroups(map[string][]string{g1: {a.ID, b.ID}, g2: {c.ID}})
	h.enable(models.Preferences{Mode: models.ModeGroups, DeactivateMissing: true})
	before := byKey(h.recipients())

	// A new hire joins g1; a member of g1 changes email; a member of both
	// groups leaves g2, so only location C loses them.
	newID := h.addUser("Zoë", "Ångström", "zoe.angstrom@example.com", g1)
	leaver := activeMember(t, h, g2, g1)
	changed := activeMember(t, h, g1, "!"+leaver)
	h.setEmail(changed, "renamed.person@example.com")
	if err := h.okta.RemoveMember(g2, leaver); err != nil {
		t.Fatal(err)
	}

	run := h.syncNow(false)

	if run.Status != models.RunSucceeded {
		t.Fatalf("run %s: %s", run.Status, run.Error)
	}
	after := byKey(h.recipients())
	for _, loc := range []string{a.ID, b.ID} {
		r, ok := after[[2]string{loc, newID}]
		if !ok || !r.Active || r.FirstName != "Zoë" {
			t.Errorf("new user at %s = %+v, %v", loc, r, ok)
		}
		old, now := before[[2]string{loc, changed}], after[[2]string{loc, changed}]
		if now.ID != old.ID || now.Email != "renamed.person@example.com" {
			t.Errorf("email change: row %d -> %d, email %q", old.ID, now.ID, now.Email)
		}
	}
	if r := after[[2]string{c.ID, leaver}]; r.Active || r.InactiveReason != models.InactiveMissing {
		t.Errorf("leaver at C: active %v reason %q, want deactivated as missing", r.Active,
			r.InactiveReason)
	}
	for _, loc := range []string{a.ID, b.ID} {
		if r := after[[2]string{loc, leaver}]; !r.Active {
			t.Errorf("leaver deactivated at %s too", loc)
		}
	}
	if run.Counts.Deactivated != 1 {
		t.Errorf("deactivated = %d, want 1", run.Counts.Deactivated)
	}
}

// addUser puts a new active user in the stand-in and in groups.
func (h *harness) addUser(first, last, email string, groups ...string) string {
	h.t.Helper()
	id := oktastandin.NewUserID()
	h.okta.PutUser(oktastandin.User{ID: id, Status: oktastandin.StatusActive,
		Profile: map[string]any{"login": email, "email": email, "firstName": first,
			"lastName": last}})
	for _, g := range groups {
		if err := h.okta.AddMember(g, id); err != nil {
			h.t.Fatal(err)
		}
	}
	return id
}

func (h *harness) setEmail(id, email string) {
	h.t.Helper()
	err := h.okta.UpdateUser(id, func(u *oktastandin.User) { u.Profile["email"] = email })
	if err != nil {
		h.t.Fatal(err)
	}
}

// activeMember returns an active user with an email who is a member of
// every group given; "!id" excludes that user.
func activeMember(t *testing.T, h *harness, groups ...string) string {
	t.Helper()
	for _, id := range h.okta.Members(groups[0]) {
		u, ok := h.okta.User(id)
		if ok && u.Status == oktastandin.StatusActive && hasEmail(u) &&
			fits(h, id, groups[1:]) {
			return id
		}
	}
	t.Fatalf("no active member with an email in all of %v", groups)
	return ""
}

func fits(h *harness, userID string, conditions []string) bool {
	for _, c := range conditions {
		if excluded, ok := strings.CutPrefix(c, "!"); ok {
			if userID == excluded {
				return false
			}
		} else if !slices.Contains(h.okta.Members(c), userID) {
			return false
		}
	}
	return true
}

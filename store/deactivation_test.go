package store_test

import (
	"errors"
	"slices"

	"github.com/google/uuid"

	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/store"
)

// groupRun creates a run with one group source per location.
func (e *env) groupRun(dryRun bool) string {
	return e.run(dryRun,
		models.RunSource{Key: "group:a", Kind: models.SourceGroupMembers, LocationIDs: e.locs[:1]},
		models.RunSource{Key: "group:b", Kind: models.SourceGroupMembers, LocationIDs: e.locs[1:2]})
}

// groupPage applies users as page 1 of a group source.
func (e *env) groupPage(run, key, loc string, us ...store.DirectoryRecipient) {
	e.t.Helper()
	_, err := e.st.ApplyUserPage(e.ctx, store.UserPage{RunID: run, OrgID: e.org.ID,
		SourceKey: key, PageNo: 1, LocationIDs: []string{loc}, Users: us})
	e.must(err)
}

func testDeactivationPerLocation(e *env) {
	first := e.groupRun(false)
	e.groupPage(first, "group:a", e.locs[0], users(0, 4)...)
	e.groupPage(first, "group:b", e.locs[1], users(0, 4)...)
	e.page(e.run(false, allUsers(e.locs[2])), 1, noAdopt, e.locs[2:], users(0, 2)...)

	// User 1 left group b only; user 3 left both; location 3 lost its mapping.
	run := e.groupRun(false)
	e.groupPage(run, "group:a", e.locs[0], user(0), user(1), user(2))
	e.groupPage(run, "group:b", e.locs[1], user(0), user(2))
	plan, err := e.st.PlanDeactivation(e.ctx, run)
	e.must(err)
	want := store.Deactivation{WouldDeactivate: 5, ActiveDirectoryRecipients: 10}
	if plan.WouldDeactivate != want.WouldDeactivate ||
		plan.ActiveDirectoryRecipients != want.ActiveDirectoryRecipients {
		e.t.Errorf("PlanDeactivation = %+v, want %+v", plan, want)
	}
	byLoc := map[string]store.LocationDeactivation{}
	for _, l := range plan.ByLocation {
		byLoc[l.LocationID] = l
	}
	for i, want := range []int{1, 2, 2} {
		if got := byLoc[e.locs[i]]; got.WouldDeactivate != want || got.Active == 0 {
			e.t.Errorf("location %d: %+v, want %d to deactivate", i+1, got, want)
		}
	}

	n, err := e.st.ApplyDeactivation(e.ctx, run)
	e.must(err)
	if n != 5 {
		e.t.Errorf("ApplyDeactivation = %d, want 5", n)
	}
	for _, c := range []struct {
		loc    int
		id     string
		active bool
	}{{0, "00u0001", true}, {1, "00u0001", false}, {0, "00u0003", false}, {2, "00u0000", false}} {
		r := e.recipient(e.locs[c.loc], c.id)
		if r.Active != c.active || (!c.active && (r.InactiveReason != models.InactiveMissing ||
			r.ChangedRunID != run)) {
			e.t.Errorf("%s at location %d: %+v, want active %v", c.id, c.loc+1, r, c.active)
		}
	}
}

func testDeactivationIsIdempotent(e *env) {
	e.page(e.run(false, allUsers(e.locs[0])), 1, noAdopt, e.locs[:1], users(0, 3)...)
	run := e.run(false, allUsers(e.locs[0]))
	e.page(run, 1, noAdopt, e.locs[:1], user(0))
	for range 2 {
		n, err := e.st.ApplyDeactivation(e.ctx, run)
		e.must(err)
		if n != 2 {
			e.t.Errorf("ApplyDeactivation = %d, want 2 every time", n)
		}
	}
	counts, err := e.st.RunCounts(e.ctx, run)
	e.must(err)
	assertCounts(e.t, counts, models.RunCounts{Pages: 1, Fetched: 1, Unchanged: 1,
		Deactivated: 2})

	dry := e.run(true, allUsers(e.locs[0]))
	e.page(dry, 1, store.Policy{DryRun: true}, e.locs[:1])
	plan, err := e.st.PlanDeactivation(e.ctx, dry)
	e.must(err)
	if plan.WouldDeactivate != 1 {
		e.t.Errorf("dry run PlanDeactivation = %+v, want 1", plan)
	}
	if _, err := e.st.ApplyDeactivation(e.ctx, dry); !errors.Is(err, store.ErrConflict) {
		e.t.Errorf("ApplyDeactivation(dry run) error = %v, want ErrConflict", err)
	}
	if _, err := e.st.ApplyDeactivation(e.ctx, uuid.NewString()); !isNotFound(err) {
		e.t.Errorf("ApplyDeactivation(unknown run) error = %v, want ErrNotFound", err)
	}
}

func testCSVAndManualNeverDeactivated(e *env) {
	e.csv(e.locs[0], "user1@example.com") // adopted below
	e.csv(e.locs[0], "csv@example.com")
	e.manual(e.locs[0], "manual@example.com")
	e.page(e.run(false, allUsers(e.locs[0])), 1, adopt, e.locs[:1], user(1), user(2))

	run := e.run(false, allUsers(e.locs[0]))
	e.page(run, 1, adopt, e.locs[:1])
	plan, err := e.st.PlanDeactivation(e.ctx, run)
	e.must(err)
	n, err := e.st.ApplyDeactivation(e.ctx, run)
	e.must(err)
	if plan.WouldDeactivate != 1 || n != 1 {
		e.t.Errorf("plan %+v, applied %d, want only the directory row of user 2", plan, n)
	}
	for _, r := range e.recipients() {
		if r.Provenance != models.ProvenanceDirectory && !r.Active {
			e.t.Errorf("%s recipient %d deactivated", r.Provenance, r.ID)
		}
	}
}

func testPruneSeen(e *env) {
	old := e.run(false, allUsers(e.locs[0]))
	bad := user(9)
	bad.OktaUserID = ""
	e.page(old, 1, noAdopt, e.locs[:1], append(users(0, 3), bad)...)
	e.must(e.st.FinishRun(e.ctx, old, models.RunSucceeded, models.RunCounts{Created: 3}, ""))
	kept := e.run(false, allUsers(e.locs[0]))
	e.page(kept, 1, noAdopt, e.locs[:1], users(0, 3)...)
	e.must(e.st.FinishRun(e.ctx, kept, models.RunSucceeded, models.RunCounts{}, ""))
	running := e.run(false, allUsers(e.locs[0]))
	e.page(running, 1, noAdopt, e.locs[:1], users(0, 3)...)

	n, err := e.st.PruneSeen(e.ctx, e.org.ID, []string{kept})
	e.must(err)
	if n != 4 {
		e.t.Errorf("PruneSeen = %d, want 3 seen rows and 1 page of the old run", n)
	}
	for _, c := range []struct {
		run  string
		want bool
	}{{old, false}, {kept, true}, {running, true}} {
		if _, ok, _ := e.st.RunPage(e.ctx, c.run, models.SourceUsers, 1); ok != c.want {
			e.t.Errorf("page of run %s kept = %v, want %v", c.run, ok, c.want)
		}
	}
	if n, err := e.st.PruneSeen(e.ctx, e.org.ID, nil); err != nil || n != 4 {
		e.t.Errorf("PruneSeen(keep none) = %d, %v, want the kept run's 4 rows", n, err)
	}
	want := []issue{{"", e.locs[0], store.SkipInvalidRecord, "the Okta user id is empty"}}
	if got, _ := e.issues(old); !slices.Equal(got, want) {
		e.t.Errorf("issues of the pruned run = %+v, want %+v kept", got, want)
	}
}

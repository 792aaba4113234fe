package store_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/store"
)

var (
	adopt   = store.Policy{DirectoryUpdatesCSV: true}
	noAdopt = store.Policy{}
)

func testApplyUserPageCreates(e *env) {
	run := e.run(false, allUsers(e.locs[:2]...))
	got := e.page(run, 1, noAdopt, e.locs[:2], users(0, 5)...)
	assertCounts(e.t, got, models.RunCounts{Pages: 1, Fetched: 5, Created: 10})

	r := e.recipient(e.locs[1], "00u0003")
	if r.Provenance != models.ProvenanceDirectory || !r.Active ||
		r.EmailNorm != "user3@example.com" || r.CreatedRunID != run ||
		r.ChangedRunID != run || r.LastName != "3" {
		e.t.Errorf("recipient = %+v, want an active directory row of run %s", r, run)
	}
}

func testApplyUserPageIsIdempotent(e *env) {
	run := e.run(false, allUsers(e.locs...))
	first := e.page(run, 1, noAdopt, e.locs, users(0, 4)...)
	before := e.versions()

	changed := users(0, 4)
	changed[0].FirstName = "Changed"
	again := e.page(run, 1, noAdopt, e.locs, changed...)
	assertCounts(e.t, again, first)
	if after := e.versions(); !maps.Equal(before, after) {
		e.t.Errorf("re-applying a page wrote rows: %d before, %d after", len(before), len(after))
	}
	total, err := e.st.RunCounts(e.ctx, run)
	e.must(err)
	assertCounts(e.t, total, first)
}

func testSecondSyncWritesNothing(e *env) {
	first := e.run(false, allUsers(e.locs...))
	e.page(first, 1, noAdopt, e.locs, users(0, 20)...)
	before := e.versions()

	second := e.run(false, allUsers(e.locs...))
	got := e.page(second, 1, noAdopt, e.locs, users(0, 20)...)
	assertCounts(e.t, got, models.RunCounts{Pages: 1, Fetched: 20, Unchanged: 60})
	if after := e.versions(); !maps.Equal(before, after) {
		e.t.Errorf("a sync without changes rewrote recipient rows")
	}
}

func testEmailChangeUpdatesSameRow(e *env) {
	run := e.run(false, allUsers(e.locs[0]))
	e.page(run, 1, noAdopt, e.locs[:1], user(1))
	before := e.recipient(e.locs[0], "00u0001")

	u := user(1)
	u.Email = "  New.Address@Example.COM "
	u.Attributes = map[string]string{"costCenter": "42"}
	next := e.run(false, allUsers(e.locs[0]))
	got := e.page(next, 1, noAdopt, e.locs[:1], u)
	assertCounts(e.t, got, models.RunCounts{Pages: 1, Fetched: 1, Updated: 1})

	after := e.recipient(e.locs[0], "00u0001")
	if after.ID != before.ID || after.Email != "New.Address@Example.COM" ||
		after.EmailNorm != "new.address@example.com" || after.Attributes["costCenter"] != "42" ||
		after.ChangedRunID != next || after.CreatedRunID != run {
		e.t.Errorf("after email change: %+v, want row %d updated by %s", after, before.ID, next)
	}
}

func testSuspendedAndBack(e *env) {
	steps := []struct {
		active     bool
		want       models.RunCounts
		wantActive bool
		wantReason string
	}{
		{true, models.RunCounts{Created: 2}, true, ""},
		{false, models.RunCounts{Deactivated: 2}, false, models.InactiveOktaStatus},
		{false, models.RunCounts{Unchanged: 2}, false, models.InactiveOktaStatus},
		{true, models.RunCounts{Reactivated: 2}, true, ""},
	}
	for i, s := range steps {
		u := user(7)
		u.Active = s.active
		run := e.run(false, allUsers(e.locs[:2]...))
		got := e.page(run, 1, noAdopt, e.locs[:2], u)
		s.want.Pages, s.want.Fetched = 1, 1
		assertCounts(e.t, got, s.want)
		r := e.recipient(e.locs[1], u.OktaUserID)
		if r.Active != s.wantActive || r.InactiveReason != s.wantReason {
			e.t.Errorf("step %d: active %v reason %q, want %v %q", i, r.Active,
				r.InactiveReason, s.wantActive, s.wantReason)
		}
	}
}

func testNewSuspendedUserIsCreatedInactive(e *env) {
	u := user(3)
	u.Active = false
	got := e.page(e.run(false, allUsers(e.locs[0])), 1, noAdopt, e.locs[:1], u)
	assertCounts(e.t, got, models.RunCounts{Pages: 1, Fetched: 1, Created: 1})
	if r := e.recipient(e.locs[0], u.OktaUserID); r.Active ||
		r.InactiveReason != models.InactiveOktaStatus {
		e.t.Errorf("recipient = %+v, want inactive for okta_status", r)
	}
}

func testDirectoryReactivatesItsRows(e *env) {
	run := e.run(false, allUsers(e.locs[:2]...))
	e.page(run, 1, noAdopt, e.locs[:2], user(1))
	e.must(e.st.SetRecipientActive(e.ctx, e.org.ID, e.recipient(e.locs[0], "00u0001").ID, false))
	r := e.recipient(e.locs[0], "00u0001")
	if r.Active || r.InactiveReason != models.InactiveLocal {
		e.t.Errorf("after local deactivation: %+v", r)
	}
	missing := e.run(false, allUsers(e.locs[0]))
	e.page(missing, 1, noAdopt, e.locs[:1])
	_, err := e.st.ApplyDeactivation(e.ctx, missing)
	e.must(err)

	got := e.page(e.run(false, allUsers(e.locs[:2]...)), 1, noAdopt, e.locs[:2], user(1))
	assertCounts(e.t, got, models.RunCounts{Pages: 1, Fetched: 1, Reactivated: 2})
}

func testAdoptsCSVRowWithSameEmail(e *env) {
	csvActive := e.csv(e.locs[0], "  USER1@example.com ")
	csvInactive := e.manual(e.locs[1], "user1@EXAMPLE.com")
	e.must(e.st.SetRecipientActive(e.ctx, e.org.ID, csvInactive, false))

	run := e.run(false, allUsers(e.locs[:2]...))
	got := e.page(run, 1, adopt, e.locs[:2], user(1))
	assertCounts(e.t, got, models.RunCounts{Pages: 1, Fetched: 1, Updated: 1, Reactivated: 1})
	if n := len(e.recipients()); n != 2 {
		e.t.Fatalf("recipients = %d, want the 2 adopted rows only", n)
	}
	a, b := e.recipient(e.locs[0], "00u0001"), e.recipient(e.locs[1], "00u0001")
	if a.ID != csvActive || a.Provenance != models.ProvenanceCSV || a.FirstName != "First" ||
		b.ID != csvInactive || b.Provenance != models.ProvenanceManual || !b.Active {
		e.t.Errorf("adopted rows = %+v and %+v, want the same rows linked", a, b)
	}

	again := e.page(e.run(false, allUsers(e.locs[:2]...)), 1, adopt, e.locs[:2], user(1))
	assertCounts(e.t, again, models.RunCounts{Pages: 1, Fetched: 1, Unchanged: 2})
	off := e.page(e.run(false, allUsers(e.locs[:2]...)), 1, noAdopt, e.locs[:2], user(1))
	assertCounts(e.t, off, models.RunCounts{Pages: 1, Fetched: 1,
		Skipped: map[string]int{store.SkipCSVOwned: 2}})
}

func testLeavesCSVRowWithoutAdoption(e *env) {
	id := e.csv(e.locs[0], "User1@Example.com")
	before := e.versions()
	got := e.page(e.run(false, allUsers(e.locs[0])), 1, noAdopt, e.locs[:1], user(1))
	assertCounts(e.t, got, models.RunCounts{Pages: 1, Fetched: 1,
		Skipped: map[string]int{store.SkipCSVEmailMatch: 1}})
	rs := e.recipients()
	if len(rs) != 1 || rs[0].ID != id || rs[0].OktaUserID != nil ||
		!maps.Equal(before, e.versions()) {
		e.t.Errorf("recipients = %+v, want the CSV row untouched and alone", rs)
	}
}

func testRecreatedUserWithSameEmail(e *env) {
	old := user(1)
	e.page(e.run(false, allUsers(e.locs[0])), 1, noAdopt, e.locs[:1], old)

	recreated := user(2)
	recreated.Email = old.Email
	run := e.run(false, allUsers(e.locs[0]))
	got := e.page(run, 1, noAdopt, e.locs[:1], recreated)
	assertCounts(e.t, got, models.RunCounts{Pages: 1, Fetched: 1,
		Skipped: map[string]int{store.SkipEmailInUse: 1}})
	n, err := e.st.ApplyDeactivation(e.ctx, run)
	e.must(err)
	if n != 1 {
		e.t.Errorf("ApplyDeactivation = %d, want the old user's row", n)
	}

	got = e.page(e.run(false, allUsers(e.locs[0])), 1, noAdopt, e.locs[:1], recreated)
	assertCounts(e.t, got, models.RunCounts{Pages: 1, Fetched: 1, Created: 1})
	active := 0
	for _, r := range e.recipients() {
		if r.Active {
			active++
		}
	}
	if active != 1 || !e.recipient(e.locs[0], recreated.OktaUserID).Active {
		e.t.Errorf("active rows = %d, want only the re-created user's", active)
	}
}

func testSameEmailTwiceOnOnePage(e *env) {
	a, b := user(1), user(2)
	b.Email = strings.ToUpper(a.Email)
	got := e.page(e.run(false, allUsers(e.locs[0])), 1, noAdopt, e.locs[:1], a, b, a)
	assertCounts(e.t, got, models.RunCounts{Pages: 1, Fetched: 3, Created: 1,
		Skipped: map[string]int{store.SkipEmailInUse: 1}})
}

func testInvalidRecordIsSkipped(e *env) {
	long, ctrl, badID := user(2), user(3), user(4)
	long.FirstName = strings.Repeat("é", 201)
	ctrl.Title = "Clerk\x00"
	badID.OktaUserID = strings.Repeat("0", 65)
	fine := user(1)
	fine.FirstName = strings.Repeat("é", 200)

	run := e.run(false, allUsers(e.locs[:2]...))
	got := e.page(run, 1, noAdopt, e.locs[:2], fine, long, ctrl, badID)
	assertCounts(e.t, got, models.RunCounts{Pages: 1, Fetched: 4, Created: 2,
		Skipped: map[string]int{store.SkipInvalidRecord: 6}})
	if r := e.recipient(e.locs[1], fine.OktaUserID); r.FirstName != fine.FirstName {
		e.t.Errorf("first name = %q, want 200 characters kept", r.FirstName)
	}
	plan, err := e.st.PlanDeactivation(e.ctx, run)
	e.must(err)
	if plan.WouldDeactivate != 0 {
		e.t.Errorf("PlanDeactivation = %+v, want nothing: invalid users were seen", plan)
	}
}

func testNoEmailUsers(e *env) {
	a, b := user(1), user(2)
	a.Email, b.Email = "", " "
	got := e.page(e.run(false, allUsers(e.locs[:2]...)), 1, noAdopt, e.locs[:2], a, b, user(3))
	assertCounts(e.t, got, models.RunCounts{Pages: 1, Fetched: 3, Created: 6, NoEmail: 2})
}

func testDryRunWritesNoRecipients(e *env) {
	e.page(e.run(false, allUsers(e.locs[0])), 1, noAdopt, e.locs[:1], user(1))
	before := e.versions()

	u := user(1)
	u.Active = false
	run := e.run(true, allUsers(e.locs[:2]...))
	pol := store.Policy{DryRun: true}
	got := e.page(run, 1, pol, e.locs[:2], u, user(2))
	assertCounts(e.t, got, models.RunCounts{Pages: 1, Fetched: 2, Created: 3, Deactivated: 1})
	if after := e.versions(); !maps.Equal(before, after) {
		e.t.Errorf("dry run changed recipients: %d rows before, %d after", len(before), len(after))
	}
	again := e.page(run, 1, pol, e.locs[:2], u, user(2))
	assertCounts(e.t, again, got)
	e.page(run, 2, noAdopt, e.locs[:2], user(3)) // the run is dry even if a page forgets
	if after := e.versions(); !maps.Equal(before, after) {
		e.t.Errorf("a page of a dry run without the policy's flag wrote recipients")
	}
	plan, err := e.st.PlanDeactivation(e.ctx, run)
	e.must(err)
	if plan.WouldDeactivate != 0 {
		e.t.Errorf("dry run PlanDeactivation = %+v, want nothing: its users were seen", plan)
	}
}

func testCountsMatchDatabase(e *env) {
	first := e.run(false, allUsers(e.locs...))
	e.page(first, 1, noAdopt, e.locs, users(0, 10)...)

	next := users(0, 15)
	next[1].Active = false
	next[2].Department = "Finance"
	run := e.run(false, allUsers(e.locs...))
	got := e.page(run, 1, noAdopt, e.locs, next...)
	assertCounts(e.t, got, models.RunCounts{Pages: 1, Fetched: 15, Created: 15, Updated: 3,
		Deactivated: 3, Unchanged: 24})

	var created, changed int
	for _, r := range e.recipients() {
		switch {
		case r.CreatedRunID == run:
			created++
		case r.ChangedRunID == run:
			changed++
		}
	}
	if created != got.Created || changed != got.Updated+got.Deactivated+got.Reactivated {
		e.t.Errorf("rows created %d, changed %d; counts say %+v", created, changed, got)
	}
}

func testApplyUserPageIsTenantScoped(e *env) {
	other := newEnv(e.t, e.st)
	run := e.run(false, allUsers(e.locs[0]))
	_, err := e.st.ApplyUserPage(e.ctx, store.UserPage{RunID: run, OrgID: other.org.ID,
		SourceKey: "users", PageNo: 1, LocationIDs: other.locs[:1], Users: users(0, 1)})
	assertNotFound(e.t, "ApplyUserPage(another org's run)", err)
	_, err = e.st.ApplyUserPage(e.ctx, store.UserPage{RunID: run, OrgID: e.org.ID,
		SourceKey: "users", PageNo: 1, LocationIDs: other.locs[:1], Users: users(0, 1)})
	assertNotFound(e.t, "ApplyUserPage(another org's location)", err)
	if n := len(other.recipients()) + len(e.recipients()); n != 0 {
		e.t.Errorf("recipients = %d, want none", n)
	}
}

func testFailedRowCostsOnlyItself(e *env) {
	e.failWritesOf("Explode")
	bad := user(2)
	bad.FirstName = "Explode"
	run := e.run(false, allUsers(e.locs[:2]...))
	got := e.page(run, 1, noAdopt, e.locs[:2], user(1), bad, user(3))
	assertCounts(e.t, got, models.RunCounts{Pages: 1, Fetched: 3, Created: 4,
		Skipped: map[string]int{store.SkipInvalidRecord: 2}})
	if n := len(e.recipients()); n != 4 {
		e.t.Errorf("recipients = %d, want 4", n)
	}
	want := []issue{
		{bad.OktaUserID, e.locs[0], store.SkipInvalidRecord, "the row could not be stored"},
		{bad.OktaUserID, e.locs[1], store.SkipInvalidRecord, "the row could not be stored"},
	}
	issues, _ := e.issues(run)
	slices.SortFunc(issues, func(a, b issue) int { return strings.Compare(a.loc, b.loc) })
	slices.SortFunc(want, func(a, b issue) int { return strings.Compare(a.loc, b.loc) })
	if !slices.Equal(issues, want) {
		e.t.Errorf("RunIssues = %+v, want %+v", issues, want)
	}
}

func assertNotFound(t testing.TB, what string, err error) {
	t.Helper()
	if !isNotFound(err) {
		t.Errorf("%s error = %v, want ErrNotFound", what, err)
	}
}

func testOddCharactersRoundTrip(e *env) {
	odd := []store.DirectoryRecipient{
		{OktaUserID: `00u"quote`, Active: true, Email: `"a,b"@example.com`, FirstName: "Ann"},
		{OktaUserID: `00u\back`, Active: true, Email: `back\slash@example.com`},
		{OktaUserID: "00u{brace}", Active: true, Email: "{x}@example.com", LastName: "Ōno"},
		{OktaUserID: "00u space", Active: true, Email: "NULL@example.com"},
	}
	csvID := e.csv(e.locs[0], "{X}@Example.com")
	run := e.run(false, allUsers(e.locs[:2]...))
	got := e.page(run, 1, adopt, e.locs[:2], odd...)
	assertCounts(e.t, got, models.RunCounts{Pages: 1, Fetched: 4, Created: 7, Updated: 1})
	if r := e.recipient(e.locs[0], "00u{brace}"); r.ID != csvID {
		e.t.Errorf("recipient of 00u{brace} = %d, want the adopted CSV row %d", r.ID, csvID)
	}

	again := e.page(e.run(false, allUsers(e.locs[:2]...)), 1, adopt, e.locs[:2], odd...)
	assertCounts(e.t, again, models.RunCounts{Pages: 1, Fetched: 4, Unchanged: 8})
}

func testConcurrentRetriesApplyOnce(e *env) {
	run := e.run(false, allUsers(e.locs...))
	results := make(chan models.RunCounts, 3)
	errs := make(chan error, 3)
	for range 3 {
		go func() {
			c, err := e.st.ApplyUserPage(e.ctx, store.UserPage{RunID: run, OrgID: e.org.ID,
				SourceKey: models.SourceUsers, PageNo: 1, LocationIDs: e.locs,
				Users: users(0, 50)})
			results <- c
			errs <- err
		}()
	}
	want := models.RunCounts{Pages: 1, Fetched: 50, Created: 150}
	for range 3 {
		e.must(<-errs)
		assertCounts(e.t, <-results, want)
	}
	if n := len(e.recipients()); n != 150 {
		e.t.Errorf("recipients = %d, want 150", n)
	}
}

package store_test

import (
	"slices"
	"strings"
	"sync"

	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/store"
)

// issue is what a test compares of a run issue.
type issue struct{ user, loc, reason, detail string }

// issues lists every issue of the run, and the total RunIssues reports.
func (e *env) issues(runID string) ([]issue, int) {
	e.t.Helper()
	var out []issue
	total := -1
	for offset := 0; ; offset += 1000 {
		page, n, err := e.st.RunIssues(e.ctx, e.org.ID, runID, 1000, offset)
		e.must(err)
		total = n
		for _, is := range page {
			out = append(out, issue{is.OktaUserID, is.LocationID, is.Reason, is.Detail})
		}
		if len(page) < 1000 {
			return out, total
		}
	}
}

func testRunIssuesSayWhy(e *env) {
	e.csv(e.locs[0], "user5@example.com")
	e.page(e.run(false, allUsers(e.locs[0])), 1, noAdopt, e.locs[:1], user(6))
	long, badID, clash := user(2), user(3), user(7)
	long.FirstName = strings.Repeat("é", 201)
	badID.OktaUserID = strings.Repeat("0", 65)
	clash.Email = user(6).Email

	run := e.run(false, allUsers(e.locs[:2]...))
	page := []store.DirectoryRecipient{user(1), long, badID, user(5), clash}
	got := e.page(run, 1, noAdopt, e.locs[:2], page...)
	assertCounts(e.t, got, models.RunCounts{Pages: 1, Fetched: 5, Created: 4,
		Skipped: map[string]int{store.SkipInvalidRecord: 4, store.SkipCSVEmailMatch: 1,
			store.SkipEmailInUse: 1}})

	tooLong := "first_name is longer than 200 characters"
	idTooLong := "the Okta user id is longer than 64 characters"
	want := []issue{
		{long.OktaUserID, e.locs[0], store.SkipInvalidRecord, tooLong},
		{long.OktaUserID, e.locs[1], store.SkipInvalidRecord, tooLong},
		{badID.OktaUserID[:64], e.locs[0], store.SkipInvalidRecord, idTooLong},
		{badID.OktaUserID[:64], e.locs[1], store.SkipInvalidRecord, idTooLong},
		{"00u0005", e.locs[0], store.SkipCSVEmailMatch, "a CSV or manual recipient has " +
			"this email; the directory may not update it"},
		{"00u0007", e.locs[0], store.SkipEmailInUse,
			"another directory user's active recipient has this email"},
	}
	issues, total := e.issues(run)
	if !slices.Equal(issues, want) || total != len(want) {
		e.t.Errorf("RunIssues = %d %+v,\nwant %d %+v", total, issues, len(want), want)
	}
	for _, is := range issues {
		if strings.Contains(is.detail, "@") || strings.Contains(is.detail, "é") {
			e.t.Errorf("issue detail %q shows a value", is.detail)
		}
	}

	e.page(run, 1, noAdopt, e.locs[:2], page...)
	if again, total := e.issues(run); !slices.Equal(again, want) || total != len(want) {
		e.t.Errorf("after re-applying the page: %d issues, want %d", total, len(want))
	}
	rest, total, err := e.st.RunIssues(e.ctx, e.org.ID, run, 2, 3)
	e.must(err)
	if len(rest) != 2 || rest[0].Reason != store.SkipInvalidRecord ||
		rest[1].Reason != store.SkipCSVEmailMatch || total != len(want) {
		e.t.Errorf("RunIssues(limit 2, offset 3) = %d of %d, %+v", len(rest), total, rest)
	}
	other := newEnv(e.t, e.st)
	_, _, err = e.st.RunIssues(e.ctx, other.org.ID, run, 0, 0)
	assertNotFound(e.t, "RunIssues(another org's run)", err)
}

func testDryRunRecordsIssues(e *env) {
	long := user(2)
	long.Title = "Clerk\x07"
	run := e.run(true, allUsers(e.locs[0]))
	e.page(run, 1, store.Policy{DryRun: true}, e.locs[:1], user(1), long)
	want := []issue{{long.OktaUserID, e.locs[0], store.SkipInvalidRecord,
		"title contains a control character"}}
	if got, total := e.issues(run); !slices.Equal(got, want) || total != 1 {
		e.t.Errorf("dry run issues = %d %+v, want %+v", total, got, want)
	}
	if n := len(e.recipients()); n != 0 {
		e.t.Errorf("recipients = %d, want none after a dry run", n)
	}
}

// testRunIssuesAreCapped applies four pages of 300 skipped rows at once:
// the run keeps exactly 1,000 issues and counts all 1,200.
func testRunIssuesAreCapped(e *env) {
	run := e.run(false, allUsers(e.locs...))
	var wg sync.WaitGroup
	counts := make([]models.RunCounts, 4)
	errs := make([]error, 4)
	for p := range 4 {
		bad := users(p*100, (p+1)*100)
		for i := range bad {
			bad[i].LastName = strings.Repeat("x", 201)
		}
		wg.Go(func() {
			counts[p], errs[p] = e.st.ApplyUserPage(e.ctx, store.UserPage{RunID: run,
				OrgID: e.org.ID, SourceKey: models.SourceUsers, PageNo: p,
				LocationIDs: e.locs, Users: bad})
		})
	}
	wg.Wait()
	for _, err := range errs {
		e.must(err)
	}

	total, err := e.st.RunCounts(e.ctx, run)
	e.must(err)
	if n := total.Skipped[store.SkipInvalidRecord]; n != 1200 {
		e.t.Errorf("skipped = %d, want 1200", n)
	}
	if issues, n := e.issues(run); len(issues) != 1000 || n != 1000 {
		e.t.Errorf("issues = %d (total %d), want exactly 1000", len(issues), n)
	}
}

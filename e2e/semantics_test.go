package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mailroom/oktasync/config"
	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/oktastandin"
)

func TestRateLimitedFirstSyncWaitsAndRedoesNoPage(t *testing.T) {
	h := newHarness(t, harnessOptions{gen: oktastandin.GenOptions{Users: 700}, locations: 2,
		okta: oktastandin.Options{RateLimits: oktastandin.RateLimits{Window: 2 * time.Second,
			Ceilings: map[oktastandin.Bucket]int{oktastandin.BucketUsers: 2}}},
		worker: func(c *config.Worker) { c.PageAttempts = 20 }})
	h.okta.SetEnforceRateLimits(true)

	run := h.enable(models.Preferences{DeactivateMissing: true})

	if run.Status != models.RunSucceeded {
		t.Fatalf("run %s: %s", run.Status, run.Error)
	}
	if n := len(h.recipients()); n != 700*2 {
		t.Errorf("recipients = %d, want %d", n, 700*2)
	}
	limited := 0
	for _, r := range h.okta.Requests() {
		if r.Status == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited == 0 {
		t.Fatal("the stand-in never answered 429: the test proves nothing")
	}
	if again := h.okta.RepeatedPages("/api/v1/users"); len(again) > 0 {
		t.Errorf("%d finished pages were fetched again, e.g. %s", len(again), again[0].Query)
	}
}

func TestOneBadRecordFailsOnlyItself(t *testing.T) {
	h := newHarness(t, harnessOptions{gen: oktastandin.GenOptions{Users: 100}, locations: 2})
	bad := h.addUser(strings.Repeat("Ж", 300), "Longname", "long.name@example.com")

	run := h.enable(models.Preferences{})

	if run.Status != models.RunSucceeded {
		t.Fatalf("run %s: %s", run.Status, run.Error)
	}
	if got := run.Counts.Skipped["invalid_record"]; got != 2 {
		t.Errorf("invalid records = %d, want 2 (one user, two locations)", got)
	}
	got := byKey(h.recipients())
	if _, ok := got[[2]string{h.locations[0].ID, bad}]; ok {
		t.Error("the over-long record was stored")
	}
	if len(got) != 100*2 {
		t.Errorf("recipients = %d, want every other user: %d", len(got), 100*2)
	}
	report, err := h.api.Run(h.ctx, run.ID)
	if err != nil || report.IssuesTotal != 2 || len(report.Issues) != 2 {
		t.Fatalf("run issues = %+v, %v; want the 2 skipped records", report.Issues, err)
	}
	for _, i := range report.Issues {
		if i.OktaUserID != bad || i.Reason != "invalid_record" ||
			!strings.Contains(i.Detail, "first_name") {
			t.Errorf("issue %+v does not name the user and the field", i)
		}
	}
}

func TestDeletedAndRecreatedUserIsNeverAnActiveDuplicate(t *testing.T) {
	h := newHarness(t, harnessOptions{gen: oktastandin.GenOptions{Users: 80}, locations: 1})
	old := h.addUser("Ana", "Silva", "ana.silva@example.com")
	h.enable(models.Preferences{DeactivateMissing: true})

	// Okta: the account is deleted and a new one made with the same email.
	if err := h.okta.DeleteUser(old); err != nil {
		t.Fatal(err)
	}
	fresh := h.addUser("Ana", "Silva", "Ana.Silva@example.com")
	first := h.syncNow(false)
	second := h.syncNow(false)

	for _, run := range []models.SyncRun{first, second} {
		if run.Status != models.RunSucceeded {
			t.Fatalf("run %s: %s", run.Status, run.Error)
		}
		activeByEmail := map[string]int{}
		for _, r := range h.recipients() {
			if r.Active && r.EmailNorm != "" {
				activeByEmail[r.EmailNorm]++
			}
		}
		if activeByEmail["ana.silva@example.com"] > 1 {
			t.Fatalf("two active recipients share ana.silva@example.com")
		}
	}
	got := byKey(h.recipients())
	loc := h.locations[0].ID
	if r := got[[2]string{loc, old}]; r.Active || r.InactiveReason != models.InactiveMissing {
		t.Errorf("old account's recipient active %v (%s), want deactivated", r.Active,
			r.InactiveReason)
	}
	if r, ok := got[[2]string{loc, fresh}]; !ok || !r.Active {
		t.Errorf("new account's recipient = %+v, %v; want active", r, ok)
	}
	if r := got[[2]string{loc, fresh}]; r.ID == got[[2]string{loc, old}].ID {
		t.Error("the new account took over the old account's row")
	}
}

func TestSuspendedAndDeprovisionedUsersAreInactiveUntilReactivated(t *testing.T) {
	h := newHarness(t, harnessOptions{gen: oktastandin.GenOptions{Users: 60}, locations: 2})
	susp := h.addUser("Sam", "Suspended", "sam@example.com")
	gone := h.addUser("Dee", "Provisioned", "dee@example.com")
	h.enable(models.Preferences{})
	before := byKey(h.recipients())

	h.setStatus(susp, oktastandin.StatusSuspended)
	h.setStatus(gone, oktastandin.StatusDeprovisioned)
	run := h.syncNow(false)

	if run.Counts.Deactivated != 4 {
		t.Errorf("deactivated = %d, want 2 users x 2 locations", run.Counts.Deactivated)
	}
	after := byKey(h.recipients())
	for _, id := range []string{susp, gone} {
		for _, loc := range h.locations {
			r := after[[2]string{loc.ID, id}]
			if r.Active || r.InactiveReason != models.InactiveOktaStatus {
				t.Errorf("%s at %s: active %v reason %q", id, loc.Name, r.Active, r.InactiveReason)
			}
		}
	}

	h.setStatus(susp, oktastandin.StatusActive)
	run = h.syncNow(false)

	if run.Counts.Reactivated != 2 {
		t.Errorf("reactivated = %d, want 2", run.Counts.Reactivated)
	}
	for _, loc := range h.locations {
		r := byKey(h.recipients())[[2]string{loc.ID, susp}]
		if !r.Active || r.ID != before[[2]string{loc.ID, susp}].ID {
			t.Errorf("reactivated user: active %v, row %d (was %d)", r.Active, r.ID,
				before[[2]string{loc.ID, susp}].ID)
		}
	}
}

func (h *harness) setStatus(id, status string) {
	h.t.Helper()
	if err := h.okta.SetStatus(id, status); err != nil {
		h.t.Fatal(err)
	}
}

func TestFailedFetchDeactivatesNoOne(t *testing.T) {
	h := newHarness(t, harnessOptions{gen: oktastandin.GenOptions{Users: 600}, locations: 2})
	h.enable(models.Preferences{DeactivateMissing: true})
	for range 10 {
		if err := h.okta.DeleteUser(activeUser(t, h)); err != nil {
			t.Fatal(err)
		}
	}
	before := activeCount(h.recipients())
	// The second page and every later one fail past the retries.
	fault := h.okta.AddFault(oktastandin.Fault{PathPrefix: "/api/v1/users", Query: "after=",
		Kind: oktastandin.FaultStatus, Status: http.StatusServiceUnavailable})

	failed := h.syncNow(false)

	if failed.Status != models.RunFailed {
		t.Fatalf("run %s, want failed", failed.Status)
	}
	if after := activeCount(h.recipients()); after != before {
		t.Errorf("active recipients %d -> %d after a failed run", before, after)
	}
	v, err := h.api.Directory(h.ctx)
	if err != nil || v.LastError == nil || v.LastError.Code != "okta_server_error" {
		t.Errorf("status last error = %+v, %v; want okta_server_error", v.LastError, err)
	}

	h.okta.RemoveFault(fault)
	ok := h.syncNow(false)

	if ok.Status != models.RunSucceeded || ok.Counts.Deactivated != 10*2 {
		t.Errorf("recovery run %s deactivated %d, want 20", ok.Status, ok.Counts.Deactivated)
	}
	if v, _ := h.api.Directory(h.ctx); v.LastError != nil {
		t.Errorf("last error kept after a successful run: %+v", v.LastError)
	}
}

func TestBrakeHoldsMassDeactivationUntilAnAdminAnswers(t *testing.T) {
	h := newHarness(t, harnessOptions{locations: 1, gen: oktastandin.GenOptions{
		Users: 400, Groups: 2, GroupSizes: []int{300, 20}}})
	big, small := h.fixture.Groups[0].ID, h.fixture.Groups[1].ID
	loc := h.locations[0].ID
	h.mapGroups(map[string][]string{big: {loc}})
	h.enable(models.Preferences{Mode: models.ModeGroups, DeactivateMissing: true})
	before := h.recipients()

	// An admin maps the wrong group: the next run would deactivate almost
	// everyone.
	h.mapGroups(map[string][]string{small: {loc}})
	held := h.syncNow(false)

	if held.Status != models.RunHeld {
		t.Fatalf("run %s, want held", held.Status)
	}
	v, err := h.api.Directory(h.ctx)
	if err != nil || v.CurrentRun == nil || v.CurrentRun.Status != models.RunHeld ||
		v.CurrentRun.Progress == nil || v.CurrentRun.Progress.WouldDeactivate == nil {
		t.Fatalf("status does not show the held run: %+v, %v", v.CurrentRun, err)
	}
	if n := deactivatedSince(before, h.recipients()); n != 0 {
		t.Fatalf("held run deactivated %d recipients", n)
	}

	if status, err := h.api.AnswerHeld(h.ctx, held.ID, false); err != nil || status != "rejected" {
		t.Fatalf("reject = %q, %v", status, err)
	}
	rejected := h.waitRunFor(nil, time.Minute, func(r models.SyncRun) bool {
		return r.ID == held.ID && r.FinishedAt != nil
	})
	if rejected.Status != models.RunRejected || rejected.Counts.Held == 0 {
		t.Errorf("rejected run: %s held %d", rejected.Status, rejected.Counts.Held)
	}
	if n := deactivatedSince(before, h.recipients()); n != 0 {
		t.Errorf("rejected run deactivated %d recipients", n)
	}

	again := h.syncNow(false)
	if again.Status != models.RunHeld {
		t.Fatalf("second run %s, want held again", again.Status)
	}
	if status, err := h.api.AnswerHeld(h.ctx, again.ID, true); err != nil || status != "approved" {
		t.Fatalf("approve = %q, %v", status, err)
	}
	approved := h.waitRunFor(nil, time.Minute, func(r models.SyncRun) bool {
		return r.ID == again.ID && r.FinishedAt != nil
	})
	if approved.Status != models.RunSucceeded || approved.Counts.Deactivated == 0 {
		t.Errorf("approved run: %s deactivated %d", approved.Status, approved.Counts.Deactivated)
	}
	if n := deactivatedSince(before, h.recipients()); n != approved.Counts.Deactivated {
		t.Errorf("after approval %d deactivated, report says %d", n,
			approved.Counts.Deactivated)
	}
}

// deactivatedSince counts recipients active in before and inactive now.
func deactivatedSince(before, now []models.Recipient) int {
	active := map[int64]bool{}
	for _, r := range before {
		active[r.ID] = r.Active
	}
	n := 0
	for _, r := range now {
		if active[r.ID] && !r.Active {
			n++
		}
	}
	return n
}

func TestDryRunReportsButChangesNothing(t *testing.T) {
	h := newHarness(t, harnessOptions{gen: oktastandin.GenOptions{Users: 200}, locations: 2})
	h.enable(models.Preferences{DeactivateMissing: true})
	h.addUser("Nia", "New", "nia.new@example.com")
	h.setEmail(activeUser(t, h), "changed@example.com")
	if err := h.okta.DeleteUser(activeUser(t, h)); err != nil {
		t.Fatal(err)
	}
	versions := h.rowVersions()

	dry := h.syncNow(true)

	if !dry.DryRun || dry.Status != models.RunSucceeded {
		t.Fatalf("dry run: %s dry %v", dry.Status, dry.DryRun)
	}
	if after := h.rowVersions(); len(after) != len(versions) {
		t.Fatalf("dry run added rows: %d -> %d", len(versions), len(after))
	} else {
		for id, v := range versions {
			if after[id] != v {
				t.Fatalf("dry run wrote recipient %d", id)
			}
		}
	}

	real := h.syncNow(false)

	d, r := dry.Counts, real.Counts
	if d.Created != r.Created || d.Updated != r.Updated || d.Deactivated != r.Deactivated ||
		d.Created != 2 || d.Updated != 2 || d.Deactivated != 2 {
		t.Errorf("dry run %+v differs from the real run %+v", d, r)
	}
}

// activeUser returns an active user with an email.
func activeUser(t *testing.T, h *harness) string {
	t.Helper()
	for _, id := range h.okta.UserIDs() {
		if u, ok := h.okta.User(id); ok && u.Status == oktastandin.StatusActive && hasEmail(u) &&
			!strings.HasPrefix(u.Profile["email"].(string), "changed") {
			return id
		}
	}
	t.Fatal("no active user")
	return ""
}

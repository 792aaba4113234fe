package workflows

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/mailroom/oktasync/contract"
)

func newRunEnv(t *testing.T, f *fakeActivities) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	Register(env)
	f.register(env)
	return env
}

var runInput = contract.SyncRunInput{OrgID: "org-1", IntegrationID: "int-1", RunID: "run-1",
	Trigger: "manual"}

func TestSyncRunFetchesEveryPageThenDeactivates(t *testing.T) {
	f := newFakes()
	f.plan.Sources = append(f.plan.Sources, contract.SourceRef{Key: "group:g1"})
	f.sources["group:g1"] = []string{""}
	f.plan.DeactivateMissing = true
	f.deactivate = contract.DeactivationPlan{WouldDeactivate: 3, ActiveDirectoryRecipients: 100}
	env := newRunEnv(t, f)

	env.ExecuteWorkflow(contract.SyncRunWorkflow, runInput)

	var out contract.RunOutcome
	if err := env.GetWorkflowResult(&out); err != nil {
		t.Fatalf("workflow error: %v", err)
	}
	want := "start:manual page:users:0 page:users:1 page:users:2 page:group:g1:0 " +
		"plan-deactivation apply-deactivation finish:succeeded"
	if got := f.called(); got != want {
		t.Errorf("calls = %q, want %q", got, want)
	}
	if out.Status != "succeeded" {
		t.Errorf("status = %q, want succeeded", out.Status)
	}
}

func TestSyncRunFailureDeactivatesNoOne(t *testing.T) {
	tests := []struct {
		name    string
		pageErr error
	}{
		{"server error past retries", directoryError("okta_server_error", true)},
		{"configuration error", directoryError("token_rejected", false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakes()
			f.plan.DeactivateMissing = true
			f.pageErr["users:1"] = tt.pageErr
			env := newRunEnv(t, f)

			env.ExecuteWorkflow(contract.SyncRunWorkflow, runInput)

			err := env.GetWorkflowError()
			var appErr *temporal.ApplicationError
			if !errors.As(err, &appErr) {
				t.Fatalf("workflow error = %v, want an application error", err)
			}
			if strings.Contains(f.called(), "deactivation") {
				t.Errorf("a failed run planned or applied deactivations: %s", f.called())
			}
			if len(f.finished) != 1 || f.finished[0].Status != "failed" ||
				f.finished[0].Error == nil {
				t.Fatalf("finished = %+v, want one failed run with an error", f.finished)
			}
			code := errorDetail(tt.pageErr).Code
			if got := f.finished[0].Error.Code; got != code {
				t.Errorf("recorded code = %q, want %q", got, code)
			}
		})
	}
}

func TestSyncRunRepeatedCursorFails(t *testing.T) {
	f := newFakes()
	f.plan.DeactivateMissing = true
	f.sources["users"] = []string{"c1", "c2", "c1", ""}
	env := newRunEnv(t, f)

	env.ExecuteWorkflow(contract.SyncRunWorkflow, runInput)

	if env.GetWorkflowError() == nil {
		t.Fatal("a repeated cursor did not fail the run")
	}
	if got := f.finished[0].Error.Code; got != "okta_repeated_cursor" {
		t.Errorf("code = %q, want okta_repeated_cursor", got)
	}
	if strings.Contains(f.called(), "deactivation") {
		t.Errorf("deactivation after a repeated cursor: %s", f.called())
	}
}

func TestSyncRunBrake(t *testing.T) {
	tests := []struct {
		name       string
		signal     string
		wantStatus string
		wantApply  bool
		wantHeld   int
	}{
		{"approved", contract.SignalApprove, "succeeded", true, 0},
		{"rejected", contract.SignalReject, "rejected", false, 80},
		{"no answer", "", "rejected", false, 80},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakes()
			f.plan.DeactivateMissing = true
			f.deactivate = contract.DeactivationPlan{WouldDeactivate: 80,
				ActiveDirectoryRecipients: 100}
			env := newRunEnv(t, f)
			if tt.signal != "" {
				env.RegisterDelayedCallback(func() {
					env.SignalWorkflow(tt.signal, nil)
				}, 30*time.Minute)
			}

			env.ExecuteWorkflow(contract.SyncRunWorkflow, runInput)

			var out contract.RunOutcome
			if err := env.GetWorkflowResult(&out); err != nil {
				t.Fatalf("workflow error: %v", err)
			}
			if out.Status != tt.wantStatus {
				t.Errorf("status = %q, want %q", out.Status, tt.wantStatus)
			}
			if got := strings.Contains(f.called(), "apply-deactivation"); got != tt.wantApply {
				t.Errorf("applied = %v, want %v (%s)", got, tt.wantApply, f.called())
			}
			if !strings.Contains(f.called(), "status:held") {
				t.Errorf("run was not marked held: %s", f.called())
			}
			if got := f.finished[0].Held; got != tt.wantHeld {
				t.Errorf("held = %d, want %d", got, tt.wantHeld)
			}
		})
	}
}

func TestBrakeHolds(t *testing.T) {
	tests := []struct {
		would, active int
		want          bool
	}{
		{51, 100, true},    // over 20% and over 50
		{50, 100, false},   // not over 50
		{60, 1000, false},  // 6%: a normal week of leavers in a big company
		{10, 10, false},    // everyone, but only 10: small directory
		{990, 1000, true},  // a fetch that returned almost nobody
		{201, 1000, true},  // just over 20%
		{200, 1000, false}, // exactly 20%
	}
	for _, tt := range tests {
		plan := contract.DeactivationPlan{WouldDeactivate: tt.would,
			ActiveDirectoryRecipients: tt.active}
		if got := BrakeHolds(plan, 20, 50); got != tt.want {
			t.Errorf("BrakeHolds(%d of %d) = %v, want %v", tt.would, tt.active, got, tt.want)
		}
	}
}

func TestSyncRunDryRunAppliesNothing(t *testing.T) {
	f := newFakes()
	f.plan.DeactivateMissing, f.plan.SSOUsers = true, true
	f.deactivate = contract.DeactivationPlan{WouldDeactivate: 7, ActiveDirectoryRecipients: 100}
	env := newRunEnv(t, f)
	in := runInput
	in.DryRun = true

	env.ExecuteWorkflow(contract.SyncRunWorkflow, in)

	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if c := f.called(); strings.Contains(c, "apply-deactivation") ||
		strings.Contains(c, "sso-sweep") {
		t.Errorf("dry run changed something: %s", c)
	}
	if got := f.finished[0].WouldDeactivate; got != 7 {
		t.Errorf("would deactivate = %d, want 7", got)
	}
}

func TestSyncRunPausesBetweenPages(t *testing.T) {
	f := newFakes()
	env := newRunEnv(t, f)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(contract.SignalPause, nil) }, 0)
	env.RegisterDelayedCallback(func() {
		var p contract.RunProgress
		v, err := env.QueryWorkflow(contract.QueryStatus)
		if err != nil || v.Get(&p) != nil {
			t.Errorf("query: %v", err)
		}
		if !p.Paused || p.Pages != 0 {
			t.Errorf("progress while paused = %+v, want paused before the first page", p)
		}
		env.SignalWorkflow(contract.SignalResume, nil)
	}, time.Hour)

	env.ExecuteWorkflow(contract.SyncRunWorkflow, runInput)

	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(f.called(), "page:users:2") {
		t.Errorf("run did not finish after resume: %s", f.called())
	}
}

func TestSyncRunCancelledRecordsCancellation(t *testing.T) {
	f := newFakes()
	f.plan.DeactivateMissing = true
	f.pageErr["users:1"] = directoryError("okta_server_error", true)
	f.plan.PageAttempts = 100
	f.plan.PageRetryInitial = time.Minute
	env := newRunEnv(t, f)
	env.RegisterDelayedCallback(env.CancelWorkflow, 10*time.Minute)

	env.ExecuteWorkflow(contract.SyncRunWorkflow, runInput)

	if err := env.GetWorkflowError(); !temporal.IsCanceledError(errors.Unwrap(err)) &&
		!temporal.IsCanceledError(err) {
		t.Fatalf("workflow error = %v, want cancelled", err)
	}
	if strings.Contains(f.called(), "deactivation") {
		t.Errorf("cancelled run deactivated: %s", f.called())
	}
	if len(f.finished) != 1 || f.finished[0].Status != "cancelled" {
		t.Errorf("finished = %+v, want one cancelled run", f.finished)
	}
}

func TestSyncRunTakesOnlyTheFirstAnswer(t *testing.T) {
	f := newFakes()
	f.plan.DeactivateMissing = true
	f.deactivate = contract.DeactivationPlan{WouldDeactivate: 80, ActiveDirectoryRecipients: 100}
	env := newRunEnv(t, f)
	var early, first, second error
	answer := func(approve bool, got *error) func() {
		return func() {
			env.UpdateWorkflow(contract.UpdateAnswerHeld, "", &testsuite.TestUpdateCallback{
				OnAccept:   func() {},
				OnReject:   func(err error) { *got = err },
				OnComplete: func(any, error) {},
			}, contract.HeldAnswer{Approve: approve})
		}
	}
	env.RegisterDelayedCallback(answer(true, &early), 0)
	env.RegisterDelayedCallback(func() {
		answer(true, &first)()
		answer(false, &second)()
	}, time.Minute)

	env.ExecuteWorkflow(contract.SyncRunWorkflow, runInput)

	var out contract.RunOutcome
	if err := env.GetWorkflowResult(&out); err != nil {
		t.Fatal(err)
	}
	if early == nil {
		t.Error("an answer before the run was held was accepted")
	}
	if first != nil {
		t.Errorf("the first answer was rejected: %v", first)
	}
	if second == nil {
		t.Error("a second answer to the same held run was accepted")
	}
	if out.Status != "succeeded" || !strings.Contains(f.called(), "apply-deactivation") {
		t.Errorf("status %q, calls %s: want the first answer (approve) applied", out.Status,
			f.called())
	}
	if f.finished[0].Held != 0 {
		t.Errorf("held = %d after approval", f.finished[0].Held)
	}
}

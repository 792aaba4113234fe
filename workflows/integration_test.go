package workflows

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/mailroom/oktasync/contract"
)

var integrationInput = contract.IntegrationInput{OrgID: "org-1", IntegrationID: "int-1"}

func TestIntegrationValidationFailureKeepsNothing(t *testing.T) {
	f := newFakes()
	f.validateErr = directoryError("dpop_required", false)
	env := newRunEnv(t, f)

	env.ExecuteWorkflow(contract.IntegrationWorkflow, integrationInput)

	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow error = %v, want a clean end", err)
	}
	if got, want := f.called(), "validate failed:dpop_required"; got != want {
		t.Errorf("calls = %q, want %q", got, want)
	}
}

func TestIntegrationRetriesTransientValidationThenReports(t *testing.T) {
	f := newFakes()
	f.validateErr = directoryError("okta_unreachable", true)
	env := newRunEnv(t, f)

	env.ExecuteWorkflow(contract.IntegrationWorkflow, integrationInput)

	got := f.called()
	if n := strings.Count(got, "validate"); n != 4 {
		t.Errorf("validate attempts = %d, want 4 (%s)", n, got)
	}
	if !strings.HasSuffix(got, "failed:okta_unreachable") {
		t.Errorf("calls = %q, want to end with failed:okta_unreachable", got)
	}
}

func TestIntegrationSyncsFirstThenOnSchedule(t *testing.T) {
	f := newFakes()
	env := newRunEnv(t, f)
	env.RegisterDelayedCallback(env.CancelWorkflow, 150*time.Minute)

	env.ExecuteWorkflow(contract.IntegrationWorkflow, integrationInput)

	if err := env.GetWorkflowError(); !temporal.IsCanceledError(err) &&
		!strings.Contains(errString(err), "canceled") {
		t.Fatalf("workflow error = %v, want cancelled", err)
	}
	got := f.called()
	if !strings.HasPrefix(got, "validate validated start:initial") {
		t.Errorf("calls = %q, want validation then the initial run", got)
	}
	if n := strings.Count(got, "start:schedule"); n != 2 {
		t.Errorf("scheduled runs in 150 min at 60 min intervals = %d, want 2 (%s)", n, got)
	}
}

func TestIntegrationSignals(t *testing.T) {
	f := newFakes()
	env := newRunEnv(t, f)
	at := func(d time.Duration, fn func()) { env.RegisterDelayedCallback(fn, d) }
	at(5*time.Minute, func() { env.SignalWorkflow(contract.SignalPause, nil) })
	at(10*time.Minute, func() {
		env.SignalWorkflow(contract.SignalSyncNow, contract.SyncRequest{Trigger: "manual"})
	})
	at(20*time.Minute, func() {
		s := queryIntegration(t, env)
		if !s.Paused || s.Pending == nil || s.CurrentRunID != "" {
			t.Errorf("status while paused = %+v, want paused with a pending run", s)
		}
		env.SignalWorkflow(contract.SignalResume, nil)
	})
	at(30*time.Minute, env.CancelWorkflow)

	env.ExecuteWorkflow(contract.IntegrationWorkflow, integrationInput)

	want := "validate validated start:initial page:users:0 page:users:1 page:users:2 " +
		"finish:succeeded paused:true paused:false start:manual"
	if got := f.called(); !strings.HasPrefix(got, want) {
		t.Errorf("calls = %q, want prefix %q", got, want)
	}
}

func TestIntegrationCancelSignalStopsTheRunOnly(t *testing.T) {
	f := newFakes()
	f.pageErr["users:1"] = directoryError("okta_server_error", true)
	f.plan.PageAttempts, f.plan.PageRetryInitial = 100, time.Minute
	env := newRunEnv(t, f)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(contract.SignalCancel, nil) },
		5*time.Minute)
	env.RegisterDelayedCallback(func() {
		s := queryIntegration(t, env)
		if s.LastRunStatus != "cancelled" || s.Phase != phaseIdle {
			t.Errorf("status after cancel = %+v, want idle with the run cancelled", s)
		}
		env.CancelWorkflow()
	}, 10*time.Minute)

	env.ExecuteWorkflow(contract.IntegrationWorkflow, integrationInput)

	if !strings.Contains(f.called(), "finish:cancelled") {
		t.Errorf("run not recorded as cancelled: %s", f.called())
	}
}

func TestIntegrationUpdatePreferences(t *testing.T) {
	f := newFakes()
	env := newRunEnv(t, f)
	prefs := json.RawMessage(`{"sso_users_view":true}`)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(contract.UpdatePreferences, "u1", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { t.Errorf("update rejected: %v", err) },
			OnAccept: func() {},
			OnComplete: func(v any, err error) {
				if err != nil {
					t.Errorf("update failed: %v", err)
				}
			},
		}, contract.PreferencesUpdate{Preferences: prefs, Revalidate: true})
	}, 5*time.Minute)
	env.RegisterDelayedCallback(func() {
		if s := queryIntegration(t, env); s.IntervalMinutes != 15 {
			t.Errorf("interval after update = %d, want 15", s.IntervalMinutes)
		}
		env.CancelWorkflow()
	}, 10*time.Minute)

	env.ExecuteWorkflow(contract.IntegrationWorkflow, integrationInput)

	if got := f.called(); !strings.Contains(got, "finish:succeeded validate save-prefs") {
		t.Errorf("calls = %q, want revalidation then save", got)
	}
}

func TestIntegrationUpdateRejectedWhileValidating(t *testing.T) {
	f := newFakes()
	env := newRunEnv(t, f)
	rejected := false
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(contract.UpdatePreferences, "u1", &testsuite.TestUpdateCallback{
			OnReject:   func(error) { rejected = true },
			OnAccept:   func() {},
			OnComplete: func(any, error) {},
		}, contract.PreferencesUpdate{Preferences: json.RawMessage(`{}`)})
	}, 0)
	env.RegisterDelayedCallback(env.CancelWorkflow, time.Minute)

	env.ExecuteWorkflow(contract.IntegrationWorkflow, integrationInput)

	if !rejected {
		t.Error("an update before validation finished was accepted")
	}
}

func TestDisableWorkflowOrder(t *testing.T) {
	f := newFakes()
	env := newRunEnv(t, f)

	env.ExecuteWorkflow(contract.DisableWorkflow, contract.DisableInput{OrgID: "org-1"})

	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if got, want := f.called(), "disabling stop remove"; got != want {
		t.Errorf("calls = %q, want %q", got, want)
	}
}

func TestRemoveSSOCascades(t *testing.T) {
	f := newFakes()
	env := newRunEnv(t, f)

	env.ExecuteWorkflow(contract.RemoveSSOWorkflow, contract.RemoveSSOInput{OrgID: "org-1"})

	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if got, want := f.called(), "sso-off disabling stop remove sso-delete"; got != want {
		t.Errorf("calls = %q, want %q", got, want)
	}
}

func queryIntegration(t *testing.T,
	env *testsuite.TestWorkflowEnvironment) contract.IntegrationStatus {
	t.Helper()
	var s contract.IntegrationStatus
	v, err := env.QueryWorkflow(contract.QueryStatus)
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	if err := v.Get(&s); err != nil {
		t.Fatalf("decode status: %v", err)
	}
	return s
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

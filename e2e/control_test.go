package e2e

import (
	"errors"
	"testing"
	"time"

	"github.com/mailroom/oktasync/dashboard"
	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/oktastandin"
)

func TestPreferencesNeedingANewScopeAreValidatedAgain(t *testing.T) {
	h := newHarness(t, harnessOptions{gen: oktastandin.GenOptions{Users: 40}})
	h.enable(models.Preferences{})
	h.updateApp(func(a *oktastandin.ServiceApp) {
		a.GrantedScopes = []string{oktastandin.ScopeUsersRead, oktastandin.ScopeGroupsRead}
	})

	_, err := h.api.UpdatePreferences(h.ctx, map[string]any{"sso_users_view": true})

	var apiErr *dashboard.Error
	if !errors.As(err, &apiErr) || apiErr.Status != 422 ||
		apiErr.ErrorBody.Error.Code != "scope_not_granted" {
		t.Fatalf("turning the SSO users view on without okta.apps.read = %v", err)
	}
	v, err := h.api.Directory(h.ctx)
	if err != nil || v.State != models.StateActive || v.Preferences.SSOUsersView {
		t.Fatalf("after a failed revalidation: state %q, view %v, %v; want active, off",
			v.State, v.Preferences != nil && v.Preferences.SSOUsersView, err)
	}

	h.updateApp(func(a *oktastandin.ServiceApp) { a.GrantedScopes = oktastandin.AllReadScopes })
	v, err = h.api.UpdatePreferences(h.ctx, map[string]any{"sso_users_view": true,
		"sync_interval_minutes": 15})
	if err != nil || !v.Preferences.SSOUsersView || v.Preferences.SyncIntervalMinutes != 15 {
		t.Fatalf("update with the scope granted: %+v, %v", v.Preferences, err)
	}
	if v.Workflow == nil || v.Workflow.IntervalMinutes != 15 {
		t.Errorf("the workflow did not take the new interval: %+v", v.Workflow)
	}
	// A change that needs no new scope is saved without asking Okta.
	h.updateApp(func(a *oktastandin.ServiceApp) { a.AdminRole = false })
	_, err = h.api.UpdatePreferences(h.ctx, map[string]any{"deactivate_missing": true})
	if err != nil {
		t.Errorf("a switch needing no scope: %v", err)
	}
	_, err = h.api.UpdatePreferences(h.ctx, map[string]any{"mode": "sometimes"})
	if !isStatus(err, 400) {
		t.Errorf("an invalid preference = %v, want 400", err)
	}
}

func TestPauseResumeAndCancelFromTheAPI(t *testing.T) {
	h := newHarness(t, harnessOptions{gen: oktastandin.GenOptions{Users: 1200}, locations: 1})
	h.enable(models.Preferences{DeactivateMissing: true})
	h.okta.SetLatency(300 * time.Millisecond)

	run := h.startRun()
	if err := h.api.Control(h.ctx, "pause"); err != nil {
		t.Fatal(err)
	}
	paused := h.progress(run.ID)
	time.Sleep(1500 * time.Millisecond)
	still := h.progress(run.ID)
	if !still.Paused || still.Pages > paused.Pages+1 {
		t.Fatalf("paused run went on: %d -> %d pages, paused %v", paused.Pages, still.Pages,
			still.Paused)
	}
	if v, _ := h.api.Directory(h.ctx); !v.Paused {
		t.Error("status does not show the integration paused")
	}
	if err := h.api.Control(h.ctx, "resume"); err != nil {
		t.Fatal(err)
	}
	done := h.waitRunFor(nil, time.Minute, func(r models.SyncRun) bool {
		return r.ID == run.ID && r.FinishedAt != nil
	})
	if done.Status != models.RunSucceeded {
		t.Fatalf("resumed run %s", done.Status)
	}

	run = h.startRun()
	if err := h.api.Control(h.ctx, "cancel"); err != nil {
		t.Fatal(err)
	}
	cancelled := h.waitRunFor(nil, time.Minute, func(r models.SyncRun) bool {
		return r.ID == run.ID && r.FinishedAt != nil
	})
	if cancelled.Status != models.RunCancelled {
		t.Errorf("cancelled run ended %s", cancelled.Status)
	}
	h.okta.SetLatency(0)
	if next := h.syncNow(false); next.Status != models.RunSucceeded {
		t.Errorf("the integration did not go on after a cancel: %s", next.Status)
	}
}

// startRun asks for a run and waits until it has applied a page.
func (h *harness) startRun() models.SyncRun {
	h.t.Helper()
	known := h.runIDs()
	if err := h.api.SyncNow(h.ctx, false); err != nil {
		h.t.Fatal(err)
	}
	return h.waitRunFor(known, time.Minute, func(r models.SyncRun) bool {
		p := h.progress(r.ID)
		return p.Pages >= 1
	})
}

// progress is a run's live progress from the API.
func (h *harness) progress(runID string) dashboardProgress {
	h.t.Helper()
	v, err := h.api.Run(h.ctx, runID)
	if err != nil || v.Progress == nil {
		return dashboardProgress{}
	}
	return dashboardProgress{Pages: v.Progress.Pages, Paused: v.Progress.Paused}
}

type dashboardProgress struct {
	Pages  int
	Paused bool
}

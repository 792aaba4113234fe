package e2e

import (
	"errors"
	"testing"
	"time"

	"github.com/mailroom/oktasync/dashboard"
	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/oktastandin"
	"github.com/mailroom/oktasync/store"
)

func TestDisableDuringRunningSyncKeepsRecipientsAndDropsTheKey(t *testing.T) {
	h := newHarness(t, harnessOptions{gen: oktastandin.GenOptions{Users: 900}, locations: 2})
	first := h.enable(models.Preferences{DeactivateMissing: true})
	// Users leave Okta: a complete next run would deactivate them.
	for _, id := range h.okta.UserIDs()[:40] {
		if err := h.okta.DeleteUser(id); err != nil {
			t.Fatal(err)
		}
	}
	before := activeCount(h.recipients())
	h.okta.SetLatency(400 * time.Millisecond)

	known := h.runIDs()
	if err := h.api.SyncNow(h.ctx, false); err != nil {
		t.Fatal(err)
	}
	h.waitRunFor(known, time.Minute, func(r models.SyncRun) bool {
		p, err := h.api.Run(h.ctx, r.ID)
		return err == nil && p.Progress != nil && p.Progress.Pages >= 1
	})
	out, err := h.api.DisableDirectory(h.ctx)
	if err != nil {
		t.Fatalf("disable: %v", err)
	}
	t.Logf("disable: %v", out)

	runs, err := h.store.ListRuns(h.ctx, h.api.OrgID, 10)
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs after disable = %d (%v), want both kept", len(runs), err)
	}
	if runs[0].ID == first.ID || runs[0].Status != models.RunCancelled {
		t.Errorf("running run ended %q, want cancelled", runs[0].Status)
	}
	if after := activeCount(h.recipients()); after != before {
		t.Errorf("active recipients %d -> %d: a cancelled run changed activity", before, after)
	}
	integ, err := h.store.Integration(h.ctx, h.api.OrgID)
	if err != nil || integ.State != models.StateDisabled {
		t.Fatalf("integration = %q, %v; want disabled", integ.State, err)
	}
	h.assertNothingKept()

	// Turning it back on needs every value again; the stored ones are gone.
	h.okta.SetLatency(0)
	v, err := h.api.Directory(h.ctx)
	if err != nil || v.OktaDomain != "" || v.ClientID != "" || v.KeyID != "" {
		t.Errorf("status after disable shows settings: %+v, %v", v, err)
	}
	if run := h.enable(models.Preferences{}); run.Status != models.RunSucceeded {
		t.Errorf("re-enable run %s", run.Status)
	}
}

func activeCount(rs []models.Recipient) int {
	n := 0
	for _, r := range rs {
		if r.Active {
			n++
		}
	}
	return n
}

func TestRemovingSSOTurnsTheDirectoryIntegrationOff(t *testing.T) {
	h := newHarness(t, harnessOptions{gen: oktastandin.GenOptions{Users: 150}})
	h.enable(models.Preferences{SSOUsersView: true})
	ssoUsers, err := h.api.SSOUsers(h.ctx)
	if err != nil || len(ssoUsers) == 0 {
		t.Fatalf("sso users before removal: %d, %v", len(ssoUsers), err)
	}
	recipients := len(h.recipients())

	if _, err := h.api.RemoveSSO(h.ctx); err != nil {
		t.Fatalf("remove sso: %v", err)
	}

	integ, err := h.store.Integration(h.ctx, h.api.OrgID)
	if err != nil || integ.State != models.StateDisabled {
		t.Fatalf("integration after SSO removal = %q, %v; want disabled", integ.State, err)
	}
	h.assertNothingKept()
	if _, err := h.store.SSOConnection(h.ctx, h.api.OrgID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("sso connection after removal: %v, want not found", err)
	}
	if us, _ := h.api.SSOUsers(h.ctx); len(us) != 0 {
		t.Errorf("sso users view kept %d entries", len(us))
	}
	if n := len(h.recipients()); n != recipients {
		t.Errorf("recipients %d -> %d after SSO removal", recipients, n)
	}
	_, err = h.api.EnableDirectory(h.ctx, h.settings(models.Preferences{}))
	var apiErr *dashboard.Error
	if !errors.As(err, &apiErr) || apiErr.ErrorBody.Error.Code != "sso_not_enabled" {
		t.Errorf("enable after SSO removal = %v, want sso_not_enabled", err)
	}
	// The cascade is idempotent: removing again finds nothing to remove.
	if _, err := h.api.RemoveSSO(h.ctx); !isStatus(err, 404) {
		t.Errorf("second removal = %v, want 404", err)
	}
}

func isStatus(err error, status int) bool {
	var apiErr *dashboard.Error
	return errors.As(err, &apiErr) && apiErr.Status == status
}

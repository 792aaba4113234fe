package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/mailroom/oktasync/contract"
	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/preferences"
	"github.com/mailroom/oktasync/store"
)

// ValidateSettings checks the integration's settings against Okta: it
// mints a token for the scopes the preferences need and probes each
// listing and the SAML app. It returns nil or an error whose detail names
// what the admin must fix.
func (a *Activities) ValidateSettings(ctx context.Context, in contract.ValidateInput) error {
	integ, err := a.integration(ctx, in.OrgID, in.IntegrationID)
	if err != nil {
		return err
	}
	prefs := integ.Preferences
	if len(in.Preferences) > 0 {
		if prefs, err = decodePreferences(in.Preferences); err != nil {
			return err
		}
	}
	creds, err := a.credentials(integ)
	if err != nil {
		return err
	}

	err = a.Provider.Validate(ctx, creds, integ.SAMLAppID, preferences.Scopes(prefs))
	activity.GetLogger(ctx).Info("settings validated", "org_id", in.OrgID,
		"ok", err == nil)
	return asActivityError(err)
}

// decodePreferences reads and checks preferences a workflow passed on.
func decodePreferences(raw json.RawMessage) (models.Preferences, error) {
	var p models.Preferences
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, temporal.NewNonRetryableApplicationError("decode preferences",
			"InvalidPreferences", err)
	}
	p, err := preferences.Normalize(p)
	if err != nil {
		return p, temporal.NewNonRetryableApplicationError(err.Error(),
			"InvalidPreferences", nil)
	}
	return p, nil
}

// MarkValidated turns the integration on and returns its schedule.
func (a *Activities) MarkValidated(ctx context.Context, in contract.IntegrationRef) (
	contract.ValidatedResult, error) {
	if err := a.Store.MarkActive(ctx, in.OrgID, in.IntegrationID); err != nil {
		return contract.ValidatedResult{}, storeError(in.OrgID, err)
	}
	integ, err := a.integration(ctx, in.OrgID, in.IntegrationID)
	if err != nil {
		return contract.ValidatedResult{}, err
	}
	return contract.ValidatedResult{IntervalMinutes: integ.Preferences.SyncIntervalMinutes,
		Paused: integ.Paused}, nil
}

// MarkValidationFailed records why validation failed. The store clears the
// sealed key and every setting with it: a failed integration keeps nothing.
func (a *Activities) MarkValidationFailed(ctx context.Context, in contract.FailureInput) error {
	err := a.Store.MarkFailed(ctx, in.OrgID, in.IntegrationID, in.Detail.Code,
		in.Detail.Message, in.Detail.Fix)
	return storeError(in.OrgID, err)
}

// SavePreferences stores new preferences and returns the schedule.
func (a *Activities) SavePreferences(ctx context.Context, in contract.SavePreferencesInput) (
	contract.ValidatedResult, error) {
	prefs, err := decodePreferences(in.Preferences)
	if err != nil {
		return contract.ValidatedResult{}, err
	}
	if err := a.Store.UpdatePreferences(ctx, in.OrgID, in.IntegrationID, prefs); err != nil {
		return contract.ValidatedResult{}, storeError(in.OrgID, err)
	}
	return contract.ValidatedResult{IntervalMinutes: prefs.SyncIntervalMinutes}, nil
}

// SetPaused persists the integration's paused flag.
func (a *Activities) SetPaused(ctx context.Context, in contract.PausedInput) error {
	return storeError(in.OrgID, a.Store.SetPaused(ctx, in.OrgID, in.IntegrationID, in.Paused))
}

// storeError makes a store error about a replaced integration final, and
// leaves others to the retry policy.
func storeError(orgID string, err error) error {
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) {
		return stale(orgID)
	}
	return err
}

// MarkDisabling marks the integration as being turned off, so no new run
// starts and the dashboard shows it. Nothing to do when none is on.
func (a *Activities) MarkDisabling(ctx context.Context, in contract.DisableInput) error {
	integ, err := a.Store.Integration(ctx, in.OrgID)
	if errors.Is(err, store.ErrNotFound) || integ.State == models.StateDisabled {
		return nil
	}
	if err != nil {
		return err
	}
	return ignoreStale(a.Store.MarkDisabling(ctx, in.OrgID, integ.ID))
}

// StopIntegration cancels the organization's integration workflow and
// waits until it has closed, which includes its running sync recording the
// cancellation. It heartbeats while it waits.
func (a *Activities) StopIntegration(ctx context.Context, in contract.DisableInput) error {
	id := contract.IntegrationWorkflowID(in.OrgID)
	err := a.Temporal.CancelWorkflow(ctx, id, "")
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("activities: cancel integration workflow: %w", err)
	}
	for {
		desc, err := a.Temporal.DescribeWorkflowExecution(ctx, id, "")
		if err != nil {
			return fmt.Errorf("activities: describe integration workflow: %w", err)
		}
		status := desc.GetWorkflowExecutionInfo().GetStatus()
		if status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			return nil
		}
		activity.RecordHeartbeat(ctx, status.String())
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// RemoveIntegration removes the key and every setting of the integration
// (group mappings and the SSO users view too) and marks it disabled.
// Recipients and run history stay.
func (a *Activities) RemoveIntegration(ctx context.Context, in contract.DisableInput) error {
	integ, err := a.Store.Integration(ctx, in.OrgID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := a.Store.RemoveIntegration(ctx, in.OrgID, integ.ID); err != nil {
		return ignoreStale(err)
	}
	activity.GetLogger(ctx).Info("directory integration removed", "org_id", in.OrgID,
		"reason", in.Reason)
	return nil
}

// DisableSSO marks the SSO connection disabled, so no directory
// integration can be enabled while the removal cascade runs.
func (a *Activities) DisableSSO(ctx context.Context, in contract.RemoveSSOInput) error {
	err := a.Store.SetSSOEnabled(ctx, in.OrgID, false)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// DeleteSSO clears the SSO users view and deletes the SSO connection.
func (a *Activities) DeleteSSO(ctx context.Context, in contract.RemoveSSOInput) error {
	if err := a.Store.ClearSSOUsers(ctx, in.OrgID); err != nil {
		return err
	}
	err := a.Store.DeleteSSOConnection(ctx, in.OrgID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

func ignoreStale(err error) error {
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) {
		return nil
	}
	return err
}

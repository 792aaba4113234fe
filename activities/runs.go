package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/mailroom/oktasync/contract"
	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/store"
)

// StartRun records a new run and returns its plan: which listings to walk
// and where their users go, from a snapshot of the settings taken now, so a
// change made while the run works applies to the next run.
func (a *Activities) StartRun(ctx context.Context, in contract.SyncRunInput) (
	contract.RunPlan, error) {
	integ, err := a.integration(ctx, in.OrgID, in.IntegrationID)
	if err != nil {
		return contract.RunPlan{}, err
	}
	if integ.State != models.StateActive {
		return contract.RunPlan{}, stale(in.OrgID)
	}
	plan, planErr := a.planRun(ctx, integ)

	run := models.SyncRun{
		ID: in.RunID, OrgID: in.OrgID, IntegrationID: in.IntegrationID,
		WorkflowID: activity.GetInfo(ctx).WorkflowExecution.ID, Trigger: in.Trigger,
		DryRun: in.DryRun, Status: models.RunRunning, Plan: plan,
		StartedAt: time.Now().UTC(),
	}
	if err := a.Store.CreateRun(ctx, run); err != nil {
		return contract.RunPlan{}, fmt.Errorf("activities: create run: %w", err)
	}
	if planErr != nil {
		return contract.RunPlan{}, planErr
	}
	activity.GetLogger(ctx).Info("sync run started", "org_id", in.OrgID, "run_id", in.RunID,
		"trigger", in.Trigger, "dry_run", in.DryRun, "sources", len(plan.Sources))
	return a.contractPlan(in, plan), nil
}

// contractPlan is the part of the plan the workflow needs.
func (a *Activities) contractPlan(in contract.SyncRunInput, p models.RunPlan) contract.RunPlan {
	out := contract.RunPlan{
		RunID: in.RunID, DryRun: in.DryRun,
		DeactivateMissing: p.Preferences.DeactivateMissing,
		BrakePercent:      p.Preferences.BrakePercent,
		BrakeMinimum:      p.Preferences.BrakeMinimum,
		PageAttempts:      a.Config.PageAttempts,
		PageRetryInitial:  a.Config.PageRetryInitial,
		PageTimeout:       a.Config.PageTimeout,
		HoldTimeout:       a.Config.HoldTimeout,
	}
	for _, s := range p.Sources {
		out.Sources = append(out.Sources, contract.SourceRef{Key: s.Key, Kind: s.Kind})
		if s.Kind == models.SourceAppUsers {
			out.SSOUsers = true
		}
	}
	return out
}

// planRun lists the sources of a run. All-users mode walks every user and,
// separately, the deprovisioned ones (Okta omits them from an unfiltered
// listing); group mode walks each mapped group once, whatever number of
// locations it feeds. The SSO users view adds the SAML app's users.
func (a *Activities) planRun(ctx context.Context, integ models.DirectoryIntegration) (
	models.RunPlan, error) {
	plan := models.RunPlan{Mode: integ.Preferences.Mode, Preferences: integ.Preferences}
	locs, err := a.Store.Locations(ctx, integ.OrgID)
	if err != nil {
		return plan, fmt.Errorf("activities: list locations: %w", err)
	}
	for _, l := range locs {
		plan.LocationIDs = append(plan.LocationIDs, l.ID)
	}

	switch plan.Mode {
	case models.ModeGroups:
		if plan.Sources, err = a.groupSources(ctx, integ.OrgID); err != nil {
			return plan, err
		}
	default:
		plan.Sources = allUserSources(plan.LocationIDs)
	}
	if integ.Preferences.SSOUsersView {
		plan.Sources = append(plan.Sources, models.RunSource{Key: "app:" + integ.SAMLAppID,
			Kind: models.SourceAppUsers, ID: integ.SAMLAppID})
	}
	if len(plan.LocationIDs) == 0 {
		return plan, planError("no_locations", "the organization has no locations yet",
			"add a location (a mailroom) before syncing recipients")
	}
	return plan, nil
}

func allUserSources(locationIDs []string) []models.RunSource {
	return []models.RunSource{
		{Key: "users", Kind: models.SourceUsers, LocationIDs: locationIDs},
		{Key: "deprovisioned", Kind: models.SourceDeprovisionedUsers, LocationIDs: locationIDs},
	}
}

// groupSources returns one source per mapped group with its locations.
func (a *Activities) groupSources(ctx context.Context, orgID string) ([]models.RunSource, error) {
	mappings, err := a.Store.GroupMappings(ctx, orgID)
	if err != nil {
		return nil, fmt.Errorf("activities: list group mappings: %w", err)
	}
	if len(mappings) == 0 {
		return nil, planError("no_group_mappings",
			"group mode is on but no Okta group is mapped to a location",
			"map at least one Okta group to a location, or switch to all users")
	}
	index := map[string]int{}
	var out []models.RunSource
	for _, m := range mappings {
		i, ok := index[m.OktaGroupID]
		if !ok {
			i = len(out)
			index[m.OktaGroupID] = i
			out = append(out, models.RunSource{Key: "group:" + m.OktaGroupID,
				Kind: models.SourceGroupMembers, ID: m.OktaGroupID})
		}
		out[i].LocationIDs = append(out[i].LocationIDs, m.LocationID)
	}
	return out, nil
}

func planError(code, msg, fix string) error {
	d := contract.ErrorDetail{Code: code, Message: msg, Fix: fix}
	return temporal.NewNonRetryableApplicationError(msg, contract.ErrDirectory, nil, d)
}

// SetRunStatus sets an open run's status. A held run also records its
// report so far and the deactivations waiting for an admin.
func (a *Activities) SetRunStatus(ctx context.Context, in contract.RunStatusInput) error {
	if in.Status == models.RunHeld {
		return a.Store.HoldRun(ctx, in.RunID, in.Held)
	}
	return a.Store.SetRunStatus(ctx, in.RunID, in.Status)
}

// PlanDeactivation counts what the complete run would deactivate.
func (a *Activities) PlanDeactivation(ctx context.Context, in contract.RunRef) (
	contract.DeactivationPlan, error) {
	d, err := a.Store.PlanDeactivation(ctx, in.RunID)
	if err != nil {
		return contract.DeactivationPlan{}, fmt.Errorf("activities: plan deactivation: %w", err)
	}
	return contract.DeactivationPlan{WouldDeactivate: d.WouldDeactivate,
		ActiveDirectoryRecipients: d.ActiveDirectoryRecipients}, nil
}

// ApplyDeactivation deactivates the recipients the complete run did not see.
func (a *Activities) ApplyDeactivation(ctx context.Context, in contract.RunRef) error {
	n, err := a.Store.ApplyDeactivation(ctx, in.RunID)
	if err != nil {
		return fmt.Errorf("activities: apply deactivation: %w", err)
	}
	activity.GetLogger(ctx).Info("recipients deactivated", "org_id", in.OrgID,
		"run_id", in.RunID, "count", n)
	return nil
}

// FinishSSOUsers drops SSO users no longer assigned to the SAML app, after
// a complete listing of its users.
func (a *Activities) FinishSSOUsers(ctx context.Context, in contract.RunRef) error {
	_, err := a.Store.RemoveUnseenSSOUsers(ctx, in.OrgID, in.RunID)
	return err
}

// FinishRun closes a run with its report, read back from what the run's
// pages and deactivation wrote so that the report equals the database
// changes, and records or clears the integration's last error.
func (a *Activities) FinishRun(ctx context.Context, in contract.FinishRunInput) (
	contract.Counts, error) {
	counts, err := a.Store.RunCounts(ctx, in.RunID)
	if errors.Is(err, store.ErrNotFound) {
		return contract.Counts{}, nil // the run never started: nothing to close
	}
	if err != nil {
		return contract.Counts{}, fmt.Errorf("activities: run counts: %w", err)
	}
	counts.Held = in.Held
	counts.Deactivated += in.WouldDeactivate

	msg := ""
	if in.Error != nil {
		msg = in.Error.Message
	}
	if err := a.Store.FinishRun(ctx, in.RunID, in.Status, counts, msg); err != nil {
		return contract.Counts{}, fmt.Errorf("activities: finish run: %w", err)
	}
	a.recordOutcome(ctx, in)
	a.prune(ctx, in)
	return toContractCounts(counts), nil
}

// prune drops the pages and sightings of earlier finished runs: their
// reports are on the run rows, and only this run's are worth keeping for
// diagnosis. Best effort: a failure costs disk space, not correctness.
func (a *Activities) prune(ctx context.Context, in contract.FinishRunInput) {
	n, err := a.Store.PruneSeen(ctx, in.OrgID, []string{in.RunID})
	if err != nil {
		activity.GetLogger(ctx).Warn("prune run pages failed", "org_id", in.OrgID,
			"error", err)
		return
	}
	activity.GetLogger(ctx).Debug("run pages pruned", "org_id", in.OrgID, "rows", n)
}

// recordOutcome sets or clears the integration's last error after a run.
// It is best effort: the run row already holds the outcome.
func (a *Activities) recordOutcome(ctx context.Context, in contract.FinishRunInput) {
	var err error
	switch {
	case in.Status == models.RunFailed && in.Error != nil:
		err = a.Store.SetLastError(ctx, in.OrgID, in.IntegrationID, in.Error.Code,
			in.Error.Message, in.Error.Fix)
	case in.Status == models.RunSucceeded:
		err = a.Store.ClearLastError(ctx, in.OrgID, in.IntegrationID)
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrConflict) {
		activity.GetLogger(ctx).Warn("record run outcome failed", "org_id", in.OrgID,
			"run_id", in.RunID, "error", err)
	}
}

func toContractCounts(c models.RunCounts) contract.Counts {
	return contract.Counts{
		Pages: c.Pages, Fetched: c.Fetched, Created: c.Created, Updated: c.Updated,
		Unchanged: c.Unchanged, Reactivated: c.Reactivated, Deactivated: c.Deactivated,
		Held: c.Held, NoEmail: c.NoEmail, Skipped: c.Skipped, SSOUsers: c.SSOUsers,
	}
}

package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/mailroom/oktasync/contract"
)

// complete runs the steps that need a complete fetch: the SSO users sweep
// and deactivation of the missing. It returns the run's final status.
func (r *syncRun) complete(ctx workflow.Context) (string, error) {
	ref := contract.RunRef{OrgID: r.in.OrgID, RunID: r.in.RunID}
	if r.plan.SSOUsers && !r.plan.DryRun {
		err := workflow.ExecuteActivity(withDatabaseStep(ctx), contract.FinishSSOUsersActivity,
			ref).Get(ctx, nil)
		if err != nil {
			return "", err
		}
	}
	if !r.plan.DeactivateMissing {
		return "succeeded", nil
	}
	return r.deactivate(ctx, ref)
}

// deactivate plans the deactivations, holds them for an admin when the
// brake trips, and applies them otherwise.
func (r *syncRun) deactivate(ctx workflow.Context, ref contract.RunRef) (string, error) {
	r.progress.Phase = phaseDeactivating
	var plan contract.DeactivationPlan
	err := workflow.ExecuteActivity(withDatabaseStep(ctx), contract.PlanDeactivationActivity, ref).
		Get(ctx, &plan)
	if err != nil {
		return "", err
	}
	r.progress.Deactivation = &plan
	if plan.WouldDeactivate == 0 {
		return "succeeded", nil
	}

	held := BrakeHolds(plan, r.plan.BrakePercent, r.plan.BrakeMinimum)
	if r.plan.DryRun {
		return "succeeded", nil
	}
	if held {
		approved, err := r.hold(ctx, plan)
		if err != nil || !approved {
			return "rejected", err
		}
	}
	return "succeeded", workflow.ExecuteActivity(withDatabaseStep(ctx),
		contract.ApplyDeactivationActivity, ref).Get(ctx, nil)
}

// BrakeHolds reports whether a run's deactivations need an admin's
// approval: more than percent of the active directory recipients AND more
// than minimum of them. Both must hold, so small directories are not held
// for a handful of leavers, while a fetch that returned almost nobody is.
func BrakeHolds(plan contract.DeactivationPlan, percent, minimum int) bool {
	return plan.WouldDeactivate > minimum &&
		plan.WouldDeactivate*100 > percent*plan.ActiveDirectoryRecipients
}

// hold parks the run until an admin approves or rejects its deactivations,
// or until the hold times out (a rejection).
func (r *syncRun) hold(ctx workflow.Context, plan contract.DeactivationPlan) (bool, error) {
	r.progress.Phase = phaseHeld
	setState(ctx, "held")
	in := contract.RunStatusInput{OrgID: r.in.OrgID, RunID: r.in.RunID, Status: "held",
		Held: plan.WouldDeactivate}
	err := workflow.ExecuteActivity(withDatabaseStep(ctx), contract.SetRunStatusActivity, in).
		Get(ctx, nil)
	if err != nil {
		return false, err
	}
	workflow.GetLogger(ctx).Info("deactivations held for approval", "org_id", r.in.OrgID,
		"run_id", r.in.RunID, "would_deactivate", plan.WouldDeactivate)

	ok, err := workflow.AwaitWithTimeout(ctx, r.plan.HoldTimeout,
		func() bool { return r.decision != "" })
	if err != nil {
		return false, err
	}
	if !ok {
		r.decision = "reject"
	}
	r.progress.Phase = phaseDeactivating
	setState(ctx, "running")
	return r.decision == "approve", nil
}

// finish closes the run row and returns the run's outcome.
func (r *syncRun) finish(ctx workflow.Context, status string) (contract.RunOutcome, error) {
	r.progress.Phase = phaseFinishing
	in := contract.FinishRunInput{OrgID: r.in.OrgID, IntegrationID: r.in.IntegrationID,
		RunID: r.in.RunID, Status: status}
	if d := r.progress.Deactivation; d != nil {
		switch {
		case status == "rejected":
			in.Held = d.WouldDeactivate
		case r.plan.DryRun && BrakeHolds(*d, r.plan.BrakePercent, r.plan.BrakeMinimum):
			in.Held = d.WouldDeactivate
		case r.plan.DryRun:
			in.WouldDeactivate = d.WouldDeactivate
		}
	}
	var counts contract.Counts
	err := workflow.ExecuteActivity(withDatabaseStep(ctx), contract.FinishRunActivity, in).
		Get(ctx, &counts)
	if err != nil {
		return contract.RunOutcome{}, err
	}
	r.progress.Phase, r.progress.Counts = phaseDone, counts
	setState(ctx, status)
	return contract.RunOutcome{Status: status, Counts: counts}, nil
}

// fail closes the run as failed or cancelled and returns the error, so the
// workflow ends failed (or cancelled) in the Temporal UI. It runs on a
// disconnected context because a cancelled run must still be recorded.
func (r *syncRun) fail(ctx workflow.Context, cause error) (contract.RunOutcome, error) {
	status := "failed"
	if temporal.IsCanceledError(cause) || ctx.Err() != nil {
		status = "cancelled"
	}
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	detail := errorDetail(cause)
	in := contract.FinishRunInput{OrgID: r.in.OrgID, IntegrationID: r.in.IntegrationID,
		RunID: r.in.RunID, Status: status, Error: &detail}
	if err := workflow.ExecuteActivity(withDatabaseStep(dctx), contract.FinishRunActivity, in).
		Get(dctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("record failed run", "run_id", r.in.RunID, "error", err)
	}
	setState(dctx, status)
	r.progress.Phase = phaseDone
	if status == "cancelled" {
		return contract.RunOutcome{}, temporal.NewCanceledError()
	}
	return contract.RunOutcome{}, cause
}

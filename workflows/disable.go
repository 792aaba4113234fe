package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/mailroom/oktasync/contract"
)

// DisableWorkflow turns an organization's directory integration off: it
// marks it disabling, cancels the integration workflow and waits for the
// running sync to record its cancellation (so nothing is deactivated by a
// partial run), then removes the key and every setting. Recipients and run
// history stay. Every step is idempotent, so the workflow can be started
// again for an integration already off.
func DisableWorkflow(ctx workflow.Context, in contract.DisableInput) error {
	db := withDatabaseStep(ctx)
	log := workflow.GetLogger(ctx)
	log.Info("disabling directory integration", "org_id", in.OrgID, "reason", in.Reason)

	if err := workflow.ExecuteActivity(db, contract.MarkDisablingActivity, in).
		Get(ctx, nil); err != nil {
		return err
	}

	stop := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 15 * time.Minute,
		HeartbeatTimeout:    30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 30 * time.Second,
		},
	})
	if err := workflow.ExecuteActivity(stop, contract.StopIntegrationActivity, in).
		Get(ctx, nil); err != nil {
		return err
	}

	return workflow.ExecuteActivity(db, contract.RemoveIntegrationActivity, in).Get(ctx, nil)
}

// RemoveSSOWorkflow removes an organization's SSO connection. The directory
// integration depends on it, so it first marks SSO disabled (no new enable
// can start), turns the integration off exactly as the toggle does, clears
// the SSO users view, and deletes the connection.
func RemoveSSOWorkflow(ctx workflow.Context, in contract.RemoveSSOInput) error {
	db := withDatabaseStep(ctx)
	if err := workflow.ExecuteActivity(db, contract.DisableSSOActivity, in).
		Get(ctx, nil); err != nil {
		return err
	}

	childCtx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            contract.RemoveSSOWorkflowID(in.OrgID) + "-disable-directory",
		TypedSearchAttributes: SearchAttributes(in.OrgID, "disabling"),
	})
	disable := contract.DisableInput{OrgID: in.OrgID, Reason: "sso_removed"}
	if err := workflow.ExecuteChildWorkflow(childCtx, contract.DisableWorkflow, disable).
		Get(ctx, nil); err != nil {
		return err
	}

	return workflow.ExecuteActivity(db, contract.DeleteSSOActivity, in).Get(ctx, nil)
}

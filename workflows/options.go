package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/mailroom/oktasync/contract"
)

var (
	orgIDKey = temporal.NewSearchAttributeKeyKeyword(contract.SearchAttrOrgID)
	stateKey = temporal.NewSearchAttributeKeyKeyword(contract.SearchAttrState)
)

// SearchAttributes returns the attributes a workflow of orgID starts with.
func SearchAttributes(orgID, state string) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(orgIDKey.ValueSet(orgID), stateKey.ValueSet(state))
}

// setState records state in the DirectorySyncState search attribute so
// operators can filter workflows by it in the Temporal UI.
func setState(ctx workflow.Context, state string) {
	if err := workflow.UpsertTypedSearchAttributes(ctx, stateKey.ValueSet(state)); err != nil {
		workflow.GetLogger(ctx).Warn("upsert search attribute failed", "error", err)
	}
}

// withDatabaseStep returns ctx with options for short activities that only
// touch the database: retried patiently, since they must not be lost.
func withDatabaseStep(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    30 * time.Second,
			MaximumAttempts:    20,
		},
	})
}

// withValidationStep returns ctx with options for ValidateSettings: a few
// attempts for transient failures (unreachable, rate limited), after which
// the admin is told what happened rather than kept waiting.
func withValidationStep(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    2 * time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    15 * time.Second,
			MaximumAttempts:    4,
		},
	})
}

// errorDetail extracts the admin-facing detail of an activity or child
// workflow failure.
func errorDetail(err error) contract.ErrorDetail {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.HasDetails() {
		var d contract.ErrorDetail
		if appErr.Details(&d) == nil && d.Code != "" {
			return d
		}
	}
	if temporal.IsCanceledError(err) {
		return contract.ErrorDetail{Code: "cancelled", Message: "the run was cancelled"}
	}
	var timeoutErr *temporal.TimeoutError
	if errors.As(err, &timeoutErr) {
		return contract.ErrorDetail{Code: "timeout", Message: "a step timed out: " + err.Error(),
			Fix: "check that the worker and Okta are reachable; the next run retries"}
	}
	return contract.ErrorDetail{Code: "internal", Message: err.Error(),
		Fix: "see the failed workflow in the Temporal UI; the next run retries"}
}

package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/mailroom/oktasync/contract"
)

// Run phases reported by QueryStatus.
const (
	phasePlanning     = "planning"
	phaseFetching     = "fetching"
	phaseHeld         = "held"
	phaseDeactivating = "deactivating"
	phaseFinishing    = "finishing"
	phaseDone         = "done"
)

// syncRun is the state of one SyncRunWorkflow execution.
type syncRun struct {
	in       contract.SyncRunInput
	plan     contract.RunPlan
	progress contract.RunProgress
	paused   bool
	// decision is "approve" or "reject" once an admin answered a held run.
	decision string
}

// SyncRunWorkflow is one sync run. It fetches and applies every page of
// every source of the run's plan, one activity per page, then — only when
// every page arrived — removes SSO users no longer assigned and deactivates
// recipients the run did not see, holding for an admin when the brake
// trips. A failed, cancelled or partial run deactivates no one.
func SyncRunWorkflow(ctx workflow.Context, in contract.SyncRunInput) (contract.RunOutcome, error) {
	r := &syncRun{in: in, progress: contract.RunProgress{RunID: in.RunID, Phase: phasePlanning}}
	if err := r.register(ctx); err != nil {
		return contract.RunOutcome{}, err
	}

	if err := r.start(ctx); err != nil {
		return r.fail(ctx, err)
	}
	if err := r.fetchAll(ctx); err != nil {
		return r.fail(ctx, err)
	}
	status, err := r.complete(ctx)
	if err != nil {
		return r.fail(ctx, err)
	}
	return r.finish(ctx, status)
}

// register sets up the status query and the signal handlers. Signals are
// handled as they arrive so that pause takes effect between pages.
func (r *syncRun) register(ctx workflow.Context) error {
	err := workflow.SetQueryHandler(ctx, contract.QueryStatus, func() (contract.RunProgress, error) {
		p := r.progress
		p.Paused = r.paused
		return p, nil
	})
	if err != nil {
		return err
	}
	r.listen(ctx, contract.SignalPause, func() { r.paused = true })
	r.listen(ctx, contract.SignalResume, func() { r.paused = false })
	r.listen(ctx, contract.SignalApprove, func() { r.decide("approve") })
	r.listen(ctx, contract.SignalReject, func() { r.decide("reject") })
	return workflow.SetUpdateHandlerWithOptions(ctx, contract.UpdateAnswerHeld,
		func(_ workflow.Context, a contract.HeldAnswer) (string, error) {
			r.decide(map[bool]string{true: "approve", false: "reject"}[a.Approve])
			return r.decision, nil
		},
		workflow.UpdateHandlerOptions{Validator: r.validateAnswer})
}

// validateAnswer rejects an answer to a run that is not held or was
// answered already, before it enters history.
func (r *syncRun) validateAnswer(_ workflow.Context, _ contract.HeldAnswer) error {
	switch {
	case r.progress.Phase != phaseHeld:
		return errors.New("the run is not held")
	case r.decision != "":
		return errors.New("the run was answered already: " + r.decision)
	}
	return nil
}

// listen runs apply for every signal name receives.
func (r *syncRun) listen(ctx workflow.Context, name string, apply func()) {
	ch := workflow.GetSignalChannel(ctx, name)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for ch.Receive(ctx, nil) {
			apply()
		}
	})
}

// decide records an admin's answer to a held run; the first answer wins.
func (r *syncRun) decide(d string) {
	if r.decision == "" && r.progress.Phase == phaseHeld {
		r.decision = d
	}
}

// start creates the run row and returns its plan.
func (r *syncRun) start(ctx workflow.Context) error {
	return workflow.ExecuteActivity(withDatabaseStep(ctx), contract.StartRunActivity, r.in).
		Get(ctx, &r.plan)
}

// fetchAll walks every source to its last page.
func (r *syncRun) fetchAll(ctx workflow.Context) error {
	r.progress.Phase = phaseFetching
	for _, src := range r.plan.Sources {
		if err := r.fetchSource(ctx, src); err != nil {
			return err
		}
	}
	return nil
}

// fetchSource fetches and applies one source page by page. Each page is its
// own activity so that a retry re-does only the page that failed, and so
// that directory data stays out of history.
func (r *syncRun) fetchSource(ctx workflow.Context, src contract.SourceRef) error {
	r.progress.Source = src.Key
	actx := r.pageOptions(ctx)
	seen := map[string]bool{}
	cursor := ""
	for page := 0; ; page++ {
		if err := workflow.Await(ctx, func() bool { return !r.paused }); err != nil {
			return err
		}
		in := contract.PageInput{OrgID: r.in.OrgID, RunID: r.in.RunID, SourceKey: src.Key,
			PageNo: page, Cursor: cursor}
		var res contract.PageResult
		if err := workflow.ExecuteActivity(actx, contract.SyncPageActivity, in).
			Get(ctx, &res); err != nil {
			return err
		}
		r.record(res)

		if res.Next == "" {
			return nil
		}
		if seen[res.Next] {
			return repeatedCursor(src.Key)
		}
		seen[res.Next], cursor = true, res.Next
	}
}

// pageOptions are the options of SyncPage: retried with backoff for
// transient failures; rate limits set their own next retry delay.
func (r *syncRun) pageOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: r.plan.PageTimeout,
		HeartbeatTimeout:    r.plan.PageTimeout / 2,
		WaitForCancellation: true,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    r.plan.PageRetryInitial,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
			MaximumAttempts:    r.plan.PageAttempts,
		},
	})
}

func (r *syncRun) record(res contract.PageResult) {
	r.progress.Pages++
	r.progress.Users += res.Counts.Fetched
	r.progress.Counts.Add(res.Counts)
}

// repeatedCursor fails a run whose listing sent a cursor already followed:
// following it would loop forever or skip users.
func repeatedCursor(source string) error {
	d := contract.ErrorDetail{Code: "okta_repeated_cursor",
		Message: "Okta returned a next-page link already followed while listing " + source,
		Fix:     "nothing to fix in the settings; the next run starts the listing afresh"}
	return temporal.NewNonRetryableApplicationError(d.Message, contract.ErrDirectory, nil, d)
}

package workflows

import (
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/mailroom/oktasync/contract"
)

// runSync runs one sync run as a child workflow and stays responsive to
// signals while it runs. It returns an error only when the integration
// workflow itself must end (it was cancelled).
func (w *integration) runSync(ctx workflow.Context, req *contract.SyncRequest) error {
	child := w.startChild(ctx, req)
	w.current, w.phase = child, phaseSyncing
	w.st.LastRunID, w.st.LastRunStatus = child.runID, "running"

	var exec workflow.Execution
	if err := child.future.GetChildWorkflowExecution().Get(ctx, &exec); err != nil {
		w.finishRun(ctx, err)
		return w.endIfCancelled(ctx)
	}

	for !child.future.IsReady() {
		if err := w.waitRunning(ctx); err != nil {
			break
		}
	}
	var out contract.RunOutcome
	err := child.future.Get(ctx, &out)
	w.finishRun(ctx, err)
	if err == nil {
		w.st.LastRunStatus = out.Status
	}
	return w.endIfCancelled(ctx)
}

// startChild starts the SyncRunWorkflow of a new run.
func (w *integration) startChild(ctx workflow.Context, req *contract.SyncRequest) *runningChild {
	runID := newRunID(ctx)
	wfID := contract.SyncRunWorkflowID(w.st.OrgID, runID)
	childCtx, cancel := workflow.WithCancel(ctx)
	childCtx = workflow.WithChildOptions(childCtx, workflow.ChildWorkflowOptions{
		WorkflowID: wfID,
		// Wait for the run to record its cancellation, so that turning the
		// integration off finds no run still writing.
		WaitForCancellation:   true,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_REQUEST_CANCEL,
		TypedSearchAttributes: SearchAttributes(w.st.OrgID, "running"),
	})
	in := contract.SyncRunInput{OrgID: w.st.OrgID, IntegrationID: w.st.IntegrationID,
		RunID: runID, Trigger: req.Trigger, DryRun: req.DryRun}
	future := workflow.ExecuteChildWorkflow(childCtx, contract.SyncRunWorkflow, in)
	return &runningChild{runID: runID, workflowID: wfID, future: future, cancel: cancel}
}

// waitRunning waits for one event while a run is in progress: its end, or
// a signal to forward. It returns ctx's error once the workflow is
// cancelled; the child is then cancelled through its context.
func (w *integration) waitRunning(ctx workflow.Context) error {
	sel := workflow.NewSelector(ctx)
	sel.AddFuture(w.current.future, func(workflow.Future) {})
	w.addSignals(ctx, sel)
	cancelled := false
	sel.AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) { cancelled = true })
	sel.Select(ctx)
	if cancelled {
		w.phase = phaseStopping
		return ctx.Err()
	}
	return nil
}

// finishRun records how the run ended and schedules the next one.
func (w *integration) finishRun(ctx workflow.Context, err error) {
	w.current = nil
	w.runs++
	w.phase = phaseIdle
	w.st.LastRunStatus = runOutcome(err)
	w.st.NextRunAt = workflow.Now(ctx).Add(w.interval())
	if err != nil && !temporal.IsCanceledError(err) {
		workflow.GetLogger(ctx).Warn("sync run failed", "org_id", w.st.OrgID,
			"run_id", w.st.LastRunID, "error", err)
	}
}

// endIfCancelled returns the cancellation once the workflow is cancelled,
// so the integration stops after the run it was running.
func (w *integration) endIfCancelled(ctx workflow.Context) error {
	if ctx.Err() != nil {
		return temporal.NewCanceledError()
	}
	return nil
}

func (w *integration) interval() time.Duration {
	if w.st.IntervalMinutes <= 0 {
		return time.Hour
	}
	return time.Duration(w.st.IntervalMinutes) * time.Minute
}

// runOutcome names how a run ended for the status display.
func runOutcome(err error) string {
	switch {
	case err == nil:
		return "succeeded"
	case temporal.IsCanceledError(err):
		return "cancelled"
	default:
		return "failed"
	}
}

package workflows

import (
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/mailroom/oktasync/contract"
)

// maxRunsPerExecution bounds the history of one IntegrationWorkflow run even
// when the server does not suggest continue-as-new.
const maxRunsPerExecution = 200

// Integration phases reported by QueryStatus.
const (
	phaseValidating = "validating"
	phaseIdle       = "idle"
	phaseSyncing    = "syncing"
	phaseStopping   = "stopping"
)

// integration is the state of one IntegrationWorkflow execution.
type integration struct {
	st      contract.IntegrationInput
	phase   string
	runs    int
	current *runningChild
	// wake is signalled when an update changed the schedule.
	wake workflow.Channel

	syncNow, pause, resume, cancel, approve, reject workflow.ReceiveChannel
}

// runningChild is the sync run in progress.
type runningChild struct {
	runID      string
	workflowID string
	future     workflow.ChildWorkflowFuture
	cancel     workflow.CancelFunc
}

// IntegrationWorkflow is the long-running workflow of one organization's
// directory integration. It validates the settings, runs the first full
// sync, then syncs every IntervalMinutes until it is cancelled (turning the
// integration off cancels it). Signals request runs, pause, resume or cancel
// the running one, and answer a held run.
func IntegrationWorkflow(ctx workflow.Context, in contract.IntegrationInput) error {
	w := &integration{st: in, phase: phaseIdle, wake: workflow.NewChannel(ctx)}
	if err := w.register(ctx); err != nil {
		return err
	}

	if !w.st.Validated {
		if ok, err := w.validate(ctx); !ok {
			return err
		}
	}
	return w.loop(ctx)
}

// register sets up the query, update and signal channels.
func (w *integration) register(ctx workflow.Context) error {
	w.syncNow = workflow.GetSignalChannel(ctx, contract.SignalSyncNow)
	w.pause = workflow.GetSignalChannel(ctx, contract.SignalPause)
	w.resume = workflow.GetSignalChannel(ctx, contract.SignalResume)
	w.cancel = workflow.GetSignalChannel(ctx, contract.SignalCancel)
	w.approve = workflow.GetSignalChannel(ctx, contract.SignalApprove)
	w.reject = workflow.GetSignalChannel(ctx, contract.SignalReject)

	if err := workflow.SetQueryHandler(ctx, contract.QueryStatus, w.status); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, contract.UpdatePreferences,
		w.updatePreferences, workflow.UpdateHandlerOptions{Validator: w.validateUpdate})
}

// status answers QueryStatus.
func (w *integration) status() (contract.IntegrationStatus, error) {
	s := contract.IntegrationStatus{
		OrgID: w.st.OrgID, IntegrationID: w.st.IntegrationID, Phase: w.phase,
		Paused: w.st.Paused, IntervalMinutes: w.st.IntervalMinutes, NextRunAt: w.st.NextRunAt,
		Pending: w.st.Pending, LastRunID: w.st.LastRunID, LastRunStatus: w.st.LastRunStatus,
	}
	if w.current != nil {
		s.CurrentRunID, s.CurrentRunWorkflowID = w.current.runID, w.current.workflowID
	}
	return s, nil
}

// validate checks the settings and turns the integration on, or records
// why it cannot be. It reports false when the workflow should end.
func (w *integration) validate(ctx workflow.Context) (bool, error) {
	w.phase = phaseValidating
	setState(ctx, "validating")
	ref := contract.IntegrationRef{OrgID: w.st.OrgID, IntegrationID: w.st.IntegrationID}

	err := workflow.ExecuteActivity(withValidationStep(ctx), contract.ValidateSettingsActivity,
		contract.ValidateInput{OrgID: ref.OrgID, IntegrationID: ref.IntegrationID}).Get(ctx, nil)
	if err != nil {
		return false, w.failValidation(ctx, err)
	}

	var res contract.ValidatedResult
	err = workflow.ExecuteActivity(withDatabaseStep(ctx), contract.MarkValidatedActivity, ref).
		Get(ctx, &res)
	if err != nil {
		return false, err
	}
	w.st.Validated, w.st.IntervalMinutes, w.st.Paused = true, res.IntervalMinutes, res.Paused
	w.st.Pending = &contract.SyncRequest{Trigger: "initial"}
	w.phase = phaseIdle
	setState(ctx, w.activeState())
	return true, nil
}

// failValidation records a validation failure, which clears the stored key.
// A cancelled validation (the admin turned the integration off meanwhile)
// is left to the disable workflow.
func (w *integration) failValidation(ctx workflow.Context, err error) error {
	if temporal.IsCanceledError(err) || ctx.Err() != nil {
		return err
	}
	in := contract.FailureInput{OrgID: w.st.OrgID, IntegrationID: w.st.IntegrationID,
		Detail: errorDetail(err)}
	workflow.GetLogger(ctx).Info("validation failed", "org_id", w.st.OrgID,
		"code", in.Detail.Code)
	setState(ctx, "error")
	return workflow.ExecuteActivity(withDatabaseStep(ctx),
		contract.MarkValidationFailedActivity, in).Get(ctx, nil)
}

func (w *integration) activeState() string {
	if w.st.Paused {
		return "paused"
	}
	return "active"
}

// loop runs syncs until the workflow is cancelled or continues as new.
func (w *integration) loop(ctx workflow.Context) error {
	for {
		if w.shouldContinueAsNew(ctx) {
			return w.continueAsNew(ctx)
		}
		req, err := w.nextRequest(ctx)
		if err != nil {
			return err
		}
		if err := w.runSync(ctx, req); err != nil {
			return err
		}
	}
}

func (w *integration) shouldContinueAsNew(ctx workflow.Context) bool {
	return w.runs >= maxRunsPerExecution || workflow.GetInfo(ctx).GetContinueAsNewSuggested()
}

// continueAsNew waits for running update handlers, takes any signal that
// already arrived into the carried state, and starts afresh.
func (w *integration) continueAsNew(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool {
		return workflow.AllHandlersFinished(ctx)
	}); err != nil {
		return err
	}
	w.drainIdleSignals(ctx)
	return workflow.NewContinueAsNewError(ctx, contract.IntegrationWorkflow, w.st)
}

// drainIdleSignals applies buffered signals without blocking.
func (w *integration) drainIdleSignals(ctx workflow.Context) {
	for {
		sel := workflow.NewSelector(ctx)
		w.addSignals(ctx, sel)
		if !sel.HasPending() {
			return
		}
		sel.Select(ctx)
	}
}

// nextRequest blocks until a run should start: a pending request (initial,
// sync-now) or the schedule, and not paused.
func (w *integration) nextRequest(ctx workflow.Context) (*contract.SyncRequest, error) {
	for {
		if w.st.Pending != nil && !w.st.Paused {
			req := w.st.Pending
			w.st.Pending = nil
			return req, nil
		}
		if err := w.waitIdle(ctx); err != nil {
			return nil, err
		}
	}
}

// waitIdle waits for one event while no run is in progress.
func (w *integration) waitIdle(ctx workflow.Context) error {
	timerCtx, cancelTimer := workflow.WithCancel(ctx)
	defer cancelTimer()

	sel := workflow.NewSelector(ctx)
	w.addSignals(ctx, sel)
	if !w.st.Paused {
		wait := w.st.NextRunAt.Sub(workflow.Now(ctx))
		if wait < time.Second {
			wait = time.Second
		}
		sel.AddFuture(workflow.NewTimer(timerCtx, wait), func(f workflow.Future) {
			if f.Get(ctx, nil) == nil && w.st.Pending == nil {
				w.st.Pending = &contract.SyncRequest{Trigger: "schedule"}
			}
		})
	}
	done := false
	sel.AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) { done = true })
	sel.Select(ctx)
	if done {
		return ctx.Err()
	}
	return nil
}

// addSignals adds every signal of the integration to sel. Cancel, approve
// and reject act on the run in progress; with none they are logged and
// dropped.
func (w *integration) addSignals(ctx workflow.Context, sel workflow.Selector) {
	sel.AddReceive(w.syncNow, func(c workflow.ReceiveChannel, _ bool) {
		var req contract.SyncRequest
		c.Receive(ctx, &req)
		w.queue(req)
	})
	sel.AddReceive(w.pause, func(c workflow.ReceiveChannel, _ bool) {
		c.Receive(ctx, nil)
		w.setPaused(ctx, true)
	})
	sel.AddReceive(w.resume, func(c workflow.ReceiveChannel, _ bool) {
		c.Receive(ctx, nil)
		w.setPaused(ctx, false)
	})
	sel.AddReceive(w.wake, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil) })
	for _, ch := range []workflow.ReceiveChannel{w.cancel, w.approve, w.reject} {
		sel.AddReceive(ch, func(c workflow.ReceiveChannel, _ bool) {
			c.Receive(ctx, nil)
			w.toRun(ctx, c.Name())
		})
	}
}

// toRun applies cancel, approve or reject to the run in progress.
func (w *integration) toRun(ctx workflow.Context, signal string) {
	switch {
	case w.current == nil:
		workflow.GetLogger(ctx).Info("signal ignored: no run in progress",
			"org_id", w.st.OrgID, "signal", signal)
	case signal == contract.SignalCancel:
		w.current.cancel()
	default:
		w.forward(ctx, signal, nil)
	}
}

// queue records a requested run; requests made while one is pending merge,
// and a real run wins over a dry run.
func (w *integration) queue(req contract.SyncRequest) {
	if req.Trigger == "" {
		req.Trigger = "manual"
	}
	if w.st.Pending == nil || (w.st.Pending.DryRun && !req.DryRun) {
		w.st.Pending = &req
	}
}

// setPaused persists the paused flag and forwards it to the running run.
func (w *integration) setPaused(ctx workflow.Context, paused bool) {
	if w.st.Paused == paused {
		return
	}
	w.st.Paused = paused
	setState(ctx, w.activeState())
	in := contract.PausedInput{OrgID: w.st.OrgID, IntegrationID: w.st.IntegrationID,
		Paused: paused}
	if err := workflow.ExecuteActivity(withDatabaseStep(ctx), contract.SetPausedActivity, in).
		Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("persist paused flag failed", "error", err)
	}
	if w.current != nil {
		name := contract.SignalResume
		if paused {
			name = contract.SignalPause
		}
		w.forward(ctx, name, nil)
	}
}

// forward sends a signal to the running sync run.
func (w *integration) forward(ctx workflow.Context, name string, arg any) {
	err := w.current.future.SignalChildWorkflow(ctx, name, arg).Get(ctx, nil)
	if err != nil {
		workflow.GetLogger(ctx).Warn("forward signal failed", "signal", name, "error", err)
	}
}

// newRunID returns a fresh run id, recorded in history so replays agree.
func newRunID(ctx workflow.Context) string {
	var id string
	enc := workflow.SideEffect(ctx, func(workflow.Context) any { return uuid.NewString() })
	_ = enc.Get(&id)
	return id
}

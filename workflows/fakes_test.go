package workflows

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/mailroom/oktasync/contract"
)

// fakeActivities implements every activity over in-memory state and records
// the calls, so workflow tests assert what was asked and in which order.
type fakeActivities struct {
	mu    sync.Mutex
	calls []string

	// validateErr is returned by ValidateSettings.
	validateErr error
	// sources lists each source's pages: Next cursors in order.
	sources map[string][]string
	// pageErr fails SyncPage for this source key and page number.
	pageErr     map[string]error
	deactivate  contract.DeactivationPlan
	plan        contract.RunPlan
	finished    []contract.FinishRunInput
	pageCounts  contract.Counts
	pageEntered chan struct{}
}

func newFakes() *fakeActivities {
	return &fakeActivities{
		sources: map[string][]string{"users": {"c1", "c2", ""}},
		pageErr: map[string]error{},
		plan: contract.RunPlan{
			Sources:      []contract.SourceRef{{Key: "users", Kind: "users"}},
			BrakePercent: 20, BrakeMinimum: 50, PageAttempts: 2,
			PageRetryInitial: time.Millisecond, PageTimeout: time.Minute,
			HoldTimeout: time.Hour,
		},
		pageCounts: contract.Counts{Fetched: 10, Created: 10},
	}
}

func (f *fakeActivities) record(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf(format, args...))
}

// called returns the recorded calls joined by spaces.
func (f *fakeActivities) called() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.calls, " ")
}

func (f *fakeActivities) register(env *testsuite.TestWorkflowEnvironment) {
	acts := map[string]any{
		contract.ValidateSettingsActivity: func(context.Context, contract.ValidateInput) error {
			f.record("validate")
			return f.validateErr
		},
		contract.MarkValidatedActivity: func(context.Context, contract.IntegrationRef) (
			contract.ValidatedResult, error) {
			f.record("validated")
			return contract.ValidatedResult{IntervalMinutes: 60}, nil
		},
		contract.MarkValidationFailedActivity: func(_ context.Context, in contract.FailureInput) error {
			f.record("failed:%s", in.Detail.Code)
			return nil
		},
		contract.SetPausedActivity: func(_ context.Context, in contract.PausedInput) error {
			f.record("paused:%v", in.Paused)
			return nil
		},
		contract.SavePreferencesActivity: func(context.Context, contract.SavePreferencesInput) (
			contract.ValidatedResult, error) {
			f.record("save-prefs")
			return contract.ValidatedResult{IntervalMinutes: 15}, nil
		},
		contract.StartRunActivity: func(_ context.Context, in contract.SyncRunInput) (
			contract.RunPlan, error) {
			f.record("start:%s", in.Trigger)
			p := f.plan
			p.RunID, p.DryRun = in.RunID, in.DryRun
			return p, nil
		},
		contract.SyncPageActivity:          f.syncPage,
		contract.SetRunStatusActivity:      f.setRunStatus,
		contract.PlanDeactivationActivity:  f.planDeactivation,
		contract.ApplyDeactivationActivity: f.applyDeactivation,
		contract.FinishSSOUsersActivity: func(context.Context, contract.RunRef) error {
			f.record("sso-sweep")
			return nil
		},
		contract.FinishRunActivity: f.finishRun,
		contract.MarkDisablingActivity: func(context.Context, contract.DisableInput) error {
			f.record("disabling")
			return nil
		},
		contract.StopIntegrationActivity: func(context.Context, contract.DisableInput) error {
			f.record("stop")
			return nil
		},
		contract.RemoveIntegrationActivity: func(context.Context, contract.DisableInput) error {
			f.record("remove")
			return nil
		},
		contract.DisableSSOActivity: func(context.Context, contract.RemoveSSOInput) error {
			f.record("sso-off")
			return nil
		},
		contract.DeleteSSOActivity: func(context.Context, contract.RemoveSSOInput) error {
			f.record("sso-delete")
			return nil
		},
	}
	for name, fn := range acts {
		env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name})
	}
}

func (f *fakeActivities) syncPage(_ context.Context, in contract.PageInput) (
	contract.PageResult, error) {
	f.record("page:%s:%d", in.SourceKey, in.PageNo)
	if f.pageEntered != nil {
		f.pageEntered <- struct{}{}
	}
	if err := f.pageErr[fmt.Sprintf("%s:%d", in.SourceKey, in.PageNo)]; err != nil {
		return contract.PageResult{}, err
	}
	pages := f.sources[in.SourceKey]
	return contract.PageResult{Next: pages[in.PageNo], Counts: f.pageCounts}, nil
}

func (f *fakeActivities) setRunStatus(_ context.Context, in contract.RunStatusInput) error {
	f.record("status:%s", in.Status)
	return nil
}

func (f *fakeActivities) planDeactivation(context.Context, contract.RunRef) (
	contract.DeactivationPlan, error) {
	f.record("plan-deactivation")
	return f.deactivate, nil
}

func (f *fakeActivities) applyDeactivation(context.Context, contract.RunRef) error {
	f.record("apply-deactivation")
	return nil
}

func (f *fakeActivities) finishRun(_ context.Context, in contract.FinishRunInput) (
	contract.Counts, error) {
	f.mu.Lock()
	f.finished = append(f.finished, in)
	f.mu.Unlock()
	f.record("finish:%s", in.Status)
	return contract.Counts{}, nil
}

// directoryError builds the error an activity returns for an Okta failure.
func directoryError(code string, retryable bool) error {
	d := contract.ErrorDetail{Code: code, Message: code + " happened", Fix: "fix " + code}
	if retryable {
		return temporal.NewApplicationError(d.Message, contract.ErrDirectory, d)
	}
	return temporal.NewNonRetryableApplicationError(d.Message, contract.ErrDirectory, nil, d)
}

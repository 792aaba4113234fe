package workflows

import (
	"errors"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/mailroom/oktasync/contract"
)

// validateUpdate rejects a preferences update before it enters history
// when the integration cannot take one.
func (w *integration) validateUpdate(_ workflow.Context, u contract.PreferencesUpdate) error {
	if !w.st.Validated {
		return errors.New("the integration is still being validated; try again in a moment")
	}
	if len(u.Preferences) == 0 {
		return errors.New("preferences are required")
	}
	return nil
}

// updatePreferences validates the settings again when the new preferences
// need a new scope, then stores them. A failed validation keeps the
// integration on with its old preferences and returns the reason.
func (w *integration) updatePreferences(
	ctx workflow.Context, u contract.PreferencesUpdate,
) (contract.ValidatedResult, error) {
	if u.Revalidate {
		in := contract.ValidateInput{OrgID: w.st.OrgID, IntegrationID: w.st.IntegrationID,
			Preferences: u.Preferences}
		err := workflow.ExecuteActivity(withValidationStep(ctx),
			contract.ValidateSettingsActivity, in).Get(ctx, nil)
		if err != nil {
			d := errorDetail(err)
			return contract.ValidatedResult{}, temporal.NewNonRetryableApplicationError(
				d.Message, contract.ErrDirectory, nil, d)
		}
	}

	in := contract.SavePreferencesInput{OrgID: w.st.OrgID,
		IntegrationID: w.st.IntegrationID, Preferences: u.Preferences}
	var res contract.ValidatedResult
	err := workflow.ExecuteActivity(withDatabaseStep(ctx), contract.SavePreferencesActivity, in).
		Get(ctx, &res)
	if err != nil {
		return res, err
	}

	w.st.IntervalMinutes = res.IntervalMinutes
	if w.current == nil {
		w.st.NextRunAt = workflow.Now(ctx).Add(w.interval())
	}
	w.wake.SendAsync(struct{}{})
	return res, nil
}

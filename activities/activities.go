// Package activities implements the durable steps of the directory
// integration: validating settings, planning a run, fetching and applying
// one page of Okta data, deactivating the missing, and turning an
// integration off. Each method is one Temporal activity registered under
// its name in package contract.
//
// Activities exchange only keys, cursors and counts with workflows: they
// read settings and the sealed key from the store and write directory data
// straight to it, so neither directory data nor a secret enters workflow
// history.
package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/mailroom/oktasync/contract"
	"github.com/mailroom/oktasync/directory"
	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/secrets"
	"github.com/mailroom/oktasync/store"
)

// Config tunes the sync runs the activities plan.
type Config struct {
	// PageSize is the page size asked of Okta.
	PageSize         int
	PageAttempts     int32
	PageRetryInitial time.Duration
	PageTimeout      time.Duration
	HoldTimeout      time.Duration
}

// Activities holds what the activities need. Its methods are the
// activities; register them with Register.
type Activities struct {
	Store    *store.Store
	Provider directory.Provider
	// Box opens the sealed private JWK.
	Box *secrets.Box
	// Temporal lets StopIntegration cancel and await the integration
	// workflow.
	Temporal client.Client
	Config   Config
}

// Registry is the part of a Temporal worker that activities register with.
type Registry interface {
	RegisterActivityWithOptions(a any, options activity.RegisterOptions)
}

// Register registers every activity under its contract name.
func (a *Activities) Register(r Registry) {
	for name, fn := range map[string]any{
		contract.ValidateSettingsActivity:     a.ValidateSettings,
		contract.MarkValidatedActivity:        a.MarkValidated,
		contract.MarkValidationFailedActivity: a.MarkValidationFailed,
		contract.SavePreferencesActivity:      a.SavePreferences,
		contract.SetPausedActivity:            a.SetPaused,
		contract.StartRunActivity:             a.StartRun,
		contract.SyncPageActivity:             a.SyncPage,
		contract.SetRunStatusActivity:         a.SetRunStatus,
		contract.PlanDeactivationActivity:     a.PlanDeactivation,
		contract.ApplyDeactivationActivity:    a.ApplyDeactivation,
		contract.FinishSSOUsersActivity:       a.FinishSSOUsers,
		contract.FinishRunActivity:            a.FinishRun,
		contract.MarkDisablingActivity:        a.MarkDisabling,
		contract.StopIntegrationActivity:      a.StopIntegration,
		contract.RemoveIntegrationActivity:    a.RemoveIntegration,
		contract.DisableSSOActivity:           a.DisableSSO,
		contract.DeleteSSOActivity:            a.DeleteSSO,
	} {
		r.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name})
	}
}

// integration loads the organization's integration and checks it is the
// one the workflow works for, so a workflow left over from an earlier
// enable cannot act on a newer one.
func (a *Activities) integration(ctx context.Context, orgID, integrationID string) (
	models.DirectoryIntegration, error) {
	integ, err := a.Store.Integration(ctx, orgID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && integ.ID != integrationID) {
		return integ, stale(orgID)
	}
	if err != nil {
		return integ, fmt.Errorf("activities: load integration: %w", err)
	}
	return integ, nil
}

// stale is the non-retryable error of a step whose integration was turned
// off or replaced meanwhile.
func stale(orgID string) error {
	d := contract.ErrorDetail{Code: "integration_replaced",
		Message: "the integration was turned off or replaced while this step ran",
		Fix:     "nothing to do: the current integration has its own workflow"}
	return temporal.NewNonRetryableApplicationError(d.Message, contract.ErrDirectory, nil, d)
}

// credentials opens the integration's sealed key.
func (a *Activities) credentials(integ models.DirectoryIntegration) (directory.Credentials, error) {
	if len(integ.PrivateJWKCiphertext) == 0 {
		return directory.Credentials{}, stale(integ.OrgID)
	}
	jwk, err := a.Box.OpenPrivateJWK(integ.OrgID, integ.PrivateJWKCiphertext)
	if err != nil {
		// A key sealed under another SECRET_KEY: retrying cannot help.
		d := contract.ErrorDetail{Code: "secret_key_mismatch",
			Message: "the stored private key cannot be opened with this SECRET_KEY",
			Fix: "give the worker the same SECRET_KEY as the starter, " +
				"or turn the integration off and enter the settings again"}
		return directory.Credentials{}, temporal.NewNonRetryableApplicationError(
			d.Message, contract.ErrDirectory, nil, d)
	}
	return directory.Credentials{Domain: integ.OktaDomain, ClientID: integ.ClientID,
		PrivateJWK: jwk}, nil
}

// asActivityError turns a directory failure into an application error the
// workflow can read: configuration errors are not retried, transient ones
// are, after the delay a rate limit asked for. Other errors pass through
// and are retried by the activity's policy.
func asActivityError(err error) error {
	de := directory.AsError(err)
	if de == nil {
		return err
	}
	d := contract.ErrorDetail{Code: string(de.Code), Message: de.Message, Fix: de.Fix}
	return temporal.NewApplicationErrorWithOptions(de.Error(), contract.ErrDirectory,
		temporal.ApplicationErrorOptions{
			NonRetryable:   !de.Retryable,
			NextRetryDelay: de.RetryAfter,
			Details:        []any{d},
		})
}

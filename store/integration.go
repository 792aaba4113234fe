package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/mailroom/oktasync/models"
)

// IntegrationSettings are what an admin submits to enable the directory
// integration.
type IntegrationSettings struct {
	// Domain is the normalised Okta org host, such as "acme.okta.com".
	Domain    string
	SAMLAppID string
	ClientID  string
	// KeyID is the kid of the private JWK.
	KeyID string
	// PrivateJWKCiphertext is the private JWK already sealed by the caller.
	PrivateJWKCiphertext []byte
	Preferences          models.Preferences
}

// check validates the settings against their columns.
func (st IntegrationSettings) check() error {
	const table = "directory_integrations"
	fields := []struct{ name, value, column string }{
		{"the Okta domain", st.Domain, "okta_domain"},
		{"the SAML app id", st.SAMLAppID, "saml_app_id"},
		{"the client id", st.ClientID, "client_id"},
		{"the key id", st.KeyID, "key_id"},
	}
	for _, f := range fields {
		if err := checkText(f.name, f.value, columnSize(table, f.column)); err != nil {
			return err
		}
	}
	return nil
}

// BeginValidation starts an enable: it stores the settings with a new
// integration id in state validating and returns that id. It fails with
// ErrConflict while an integration is validating, active or disabling, and
// with ErrConflict when the organization's SSO is not enabled: the
// directory integration needs SSO on.
func (s *Store) BeginValidation(ctx context.Context, orgID string,
	st IntegrationSettings) (string, error) {
	if err := st.check(); err != nil {
		return "", fmt.Errorf("store: begin validation: %w", err)
	}
	id := uuid.NewString()
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := requireSSO(tx, orgID); err != nil {
			return err
		}
		cur, err := s.lockIntegration(tx, orgID)
		switch {
		case errors.Is(err, ErrNotFound):
			return tx.Create(newIntegration(id, orgID, st)).Error
		case err != nil:
			return err
		case slices.Contains([]string{models.StateValidating, models.StateActive,
			models.StateDisabling}, cur.State):
			return integrationIs(cur.State)
		}
		return tx.Model(&models.DirectoryIntegration{}).Where("id = ?", cur.ID).
			Updates(restartColumns(id, st)).Error
	})
	if err != nil {
		return "", fmt.Errorf("store: begin validation: %w",
			duplicate(err, "the directory integration is being enabled already"))
	}
	return id, nil
}

// newIntegration is the row of an integration being validated. Every
// field is set, so re-enabling replaces what a failed attempt left behind.
func newIntegration(id, orgID string, st IntegrationSettings) *models.DirectoryIntegration {
	return &models.DirectoryIntegration{
		ID: id, OrgID: orgID, State: models.StateValidating,
		OktaDomain: st.Domain, SAMLAppID: st.SAMLAppID, ClientID: st.ClientID,
		KeyID: st.KeyID, PrivateJWKCiphertext: st.PrivateJWKCiphertext,
		Preferences: st.Preferences, UpdatedAt: time.Now().UTC(),
	}
}

// restartColumns overwrite every column of an earlier integration with a
// new enable attempt, the id included, so stale workflows of the earlier
// one no longer match.
func restartColumns(id string, st IntegrationSettings) map[string]any {
	set := errorColumns("", "", "")
	set["id"] = id
	set["state"] = models.StateValidating
	set["paused"] = false
	set["okta_domain"], set["saml_app_id"] = st.Domain, st.SAMLAppID
	set["client_id"], set["key_id"] = st.ClientID, st.KeyID
	set["private_jwk_ciphertext"] = st.PrivateJWKCiphertext
	set["preferences"] = jsonColumn(st.Preferences)
	set["validated_at"], set["enabled_at"] = nil, nil
	set["updated_at"] = time.Now().UTC()
	return set
}

// errorColumns set the last error, cut to the columns' sizes.
func errorColumns(code, message, fix string) map[string]any {
	const table = "directory_integrations"
	return map[string]any{
		"last_error_code":    truncate(code, columnSize(table, "last_error_code")),
		"last_error_message": truncate(message, columnSize(table, "last_error_message")),
		"last_error_fix":     truncate(fix, columnSize(table, "last_error_fix")),
	}
}

// requireSSO fails unless the organization's SSO connection is enabled.
func requireSSO(tx *gorm.DB, orgID string) error {
	var n int64
	err := tx.Model(&models.SSOConnection{}).
		Where("org_id = ? AND enabled = ?", orgID, true).Count(&n).Error
	if err != nil {
		return fmt.Errorf("check sso: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("SSO is off; turn on SSO before the directory integration: %w",
			ErrConflict)
	}
	return nil
}

// errNoIntegration is the error of an organization that never enabled the
// directory integration.
var errNoIntegration = fmt.Errorf("the organization has no directory integration: %w",
	ErrNotFound)

// statePhrases say what each state of the integration means, after "the
// directory integration".
var statePhrases = map[string]string{
	models.StateDisabled:   "is off",
	models.StateValidating: "is still being validated",
	models.StateActive:     "is on",
	models.StateError:      "failed to enable",
	models.StateDisabling:  "is being turned off",
}

// integrationIs is the error of a change that the integration's state
// forbids.
func integrationIs(state string) error {
	phrase, ok := statePhrases[state]
	if !ok {
		phrase = "is " + state
	}
	return fmt.Errorf("the directory integration %s: %w", phrase, ErrConflict)
}

// lockIntegration loads the organization's integration row, locked.
func (s *Store) lockIntegration(tx *gorm.DB, orgID string) (models.DirectoryIntegration, error) {
	var cur models.DirectoryIntegration
	err := s.dial.forUpdate(tx).Where("org_id = ?", orgID).Take(&cur).Error
	return cur, notFound(err, errNoIntegration)
}

// Integration returns the organization's integration.
func (s *Store) Integration(ctx context.Context, orgID string) (
	models.DirectoryIntegration, error) {
	var in models.DirectoryIntegration
	if err := s.conn(ctx).Where("org_id = ?", orgID).Take(&in).Error; err != nil {
		return in, fmt.Errorf("store: integration: %w", notFound(err, errNoIntegration))
	}
	return in, nil
}

// transition describes one guarded state change of an integration.
type transition struct {
	// from lists the states the change may start in.
	from []string
	// to is the state after the change; a row already in it is left alone,
	// so a retried activity succeeds. Empty keeps the state.
	to string
	// set are the columns to write.
	set map[string]any
	// also runs in the same transaction after the change.
	also func(tx *gorm.DB) error
}

// apply runs t on the integration integrationID of the organization. A
// newer integration (another id) or a state outside t.from is ErrConflict,
// so a stale workflow cannot change what a later enable created.
func (s *Store) apply(ctx context.Context, orgID, integrationID string, t transition) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		cur, err := s.lockIntegration(tx, orgID)
		if err != nil {
			return err
		}
		if cur.ID != integrationID {
			return fmt.Errorf("the directory integration was enabled again since: %w",
				ErrConflict)
		}
		if t.to != "" && cur.State == t.to {
			return nil
		}
		if !slices.Contains(t.from, cur.State) {
			return integrationIs(cur.State)
		}

		set := map[string]any{"updated_at": time.Now().UTC()}
		for k, v := range t.set {
			set[k] = v
		}
		if t.to != "" {
			set["state"] = t.to
		}
		err = tx.Model(&models.DirectoryIntegration{}).Where("id = ?", cur.ID).
			Updates(set).Error
		if err != nil || t.also == nil {
			return err
		}
		return t.also(tx)
	})
}

// cleared blanks every setting, the key and when they were validated and
// enabled, so nothing of a failed or removed integration stays in the
// database or shows in the console.
func cleared() map[string]any {
	return map[string]any{
		"okta_domain": "", "saml_app_id": "", "client_id": "", "key_id": "",
		"private_jwk_ciphertext": nil, "preferences": jsonColumn(models.Preferences{}),
		"paused": false, "validated_at": nil, "enabled_at": nil,
	}
}

// MarkActive ends a successful validation: the integration becomes active.
func (s *Store) MarkActive(ctx context.Context, orgID, integrationID string) error {
	now := time.Now().UTC()
	set := errorColumns("", "", "")
	set["validated_at"], set["enabled_at"] = now, now
	err := s.apply(ctx, orgID, integrationID, transition{
		from: []string{models.StateValidating}, to: models.StateActive, set: set,
	})
	if err != nil {
		return fmt.Errorf("store: mark integration active: %w", err)
	}
	return nil
}

// MarkFailed ends an enable that failed, or an active integration that
// broke: the integration enters state error with the reason, and the key,
// every setting and the validation and enable times are cleared.
func (s *Store) MarkFailed(ctx context.Context, orgID, integrationID, code, message,
	fix string) error {
	set := cleared()
	for k, v := range errorColumns(code, message, fix) {
		set[k] = v
	}
	err := s.apply(ctx, orgID, integrationID, transition{
		from: []string{models.StateValidating, models.StateActive},
		to:   models.StateError, set: set,
	})
	if err != nil {
		return fmt.Errorf("store: mark integration failed: %w", err)
	}
	return nil
}

// MarkDisabling starts turning the integration off.
func (s *Store) MarkDisabling(ctx context.Context, orgID, integrationID string) error {
	err := s.apply(ctx, orgID, integrationID, transition{
		from: []string{models.StateValidating, models.StateActive, models.StateError},
		to:   models.StateDisabling,
	})
	if err != nil {
		return fmt.Errorf("store: mark integration disabling: %w", err)
	}
	return nil
}

// RemoveIntegration finishes turning the integration off: state disabled;
// every setting, the key, the last error and the validation and enable
// times cleared; group mappings and the SSO users view deleted. Recipients
// and runs stay.
func (s *Store) RemoveIntegration(ctx context.Context, orgID, integrationID string) error {
	set := cleared()
	for k, v := range errorColumns("", "", "") {
		set[k] = v
	}
	err := s.apply(ctx, orgID, integrationID, transition{
		from: []string{models.StateValidating, models.StateActive, models.StateError,
			models.StateDisabling},
		to: models.StateDisabled, set: set,
		also: func(tx *gorm.DB) error {
			err := tx.Where("org_id = ?", orgID).Delete(&models.GroupMapping{}).Error
			if err != nil {
				return err
			}
			return tx.Where("org_id = ?", orgID).Delete(&models.SSOUser{}).Error
		},
	})
	if err != nil {
		return fmt.Errorf("store: remove integration: %w", err)
	}
	return nil
}

// SetPaused stops or resumes scheduled runs of an active integration.
func (s *Store) SetPaused(ctx context.Context, orgID, integrationID string, paused bool) error {
	err := s.apply(ctx, orgID, integrationID, transition{
		from: []string{models.StateActive}, set: map[string]any{"paused": paused},
	})
	if err != nil {
		return fmt.Errorf("store: set paused: %w", err)
	}
	return nil
}

// UpdatePreferences replaces the sync preferences of an active or
// validating integration; running syncs keep the plan they started with.
func (s *Store) UpdatePreferences(ctx context.Context, orgID, integrationID string,
	prefs models.Preferences) error {
	set := map[string]any{"preferences": jsonColumn(prefs)}
	err := s.apply(ctx, orgID, integrationID, transition{
		from: []string{models.StateValidating, models.StateActive}, set: set,
	})
	if err != nil {
		return fmt.Errorf("store: update preferences: %w", err)
	}
	return nil
}

// SetLastError records why a run failed without changing the state.
func (s *Store) SetLastError(ctx context.Context, orgID, integrationID, code, message,
	fix string) error {
	err := s.apply(ctx, orgID, integrationID, transition{
		from: []string{models.StateActive}, set: errorColumns(code, message, fix),
	})
	if err != nil {
		return fmt.Errorf("store: set last error: %w", err)
	}
	return nil
}

// ClearLastError forgets the last run failure, after a run succeeds.
func (s *Store) ClearLastError(ctx context.Context, orgID, integrationID string) error {
	err := s.apply(ctx, orgID, integrationID, transition{
		from: []string{models.StateActive}, set: errorColumns("", "", ""),
	})
	if err != nil {
		return fmt.Errorf("store: clear last error: %w", err)
	}
	return nil
}

// truncate cuts s to at most n characters (n <= 0: no limit) and replaces
// control characters and invalid UTF-8, for messages that come from other
// systems.
func truncate(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	if r := []rune(s); n > 0 && len(r) > n {
		return string(r[:n])
	}
	return s
}

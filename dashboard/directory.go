package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/mailroom/oktasync/contract"
	"github.com/mailroom/oktasync/directory"
	"github.com/mailroom/oktasync/directory/okta"
	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/preferences"
	"github.com/mailroom/oktasync/store"
	"github.com/mailroom/oktasync/workflows"
)

// EnableRequest is the settings form.
type EnableRequest struct {
	OktaDomain string `json:"okta_domain"`
	SAMLAppID  string `json:"saml_app_id"`
	ClientID   string `json:"client_id"`
	// PrivateJWK is the pasted key: a JSON object, or a string holding it.
	PrivateJWK  pastedKey           `json:"private_jwk"`
	Preferences *models.Preferences `json:"preferences"`
}

// pastedKey accepts the key as a JSON value or as a string, since forms and
// scripts send it either way. It never prints its content.
type pastedKey []byte

// MarshalJSON sends a JSON key as it is and anything else (a PEM, a
// typo) as a string, so the server sees exactly what was pasted.
func (k pastedKey) MarshalJSON() ([]byte, error) {
	if json.Valid(k) {
		return bytes.Clone(k), nil
	}
	return json.Marshal(string(k))
}

// UnmarshalJSON keeps a string's content, or the raw JSON of anything else.
func (k *pastedKey) UnmarshalJSON(b []byte) error {
	var s string
	if len(b) > 0 && b[0] == '"' && json.Unmarshal(b, &s) == nil {
		*k = []byte(s)
		return nil
	}
	*k = bytes.Clone(b)
	return nil
}

// enableDirectory checks the settings form, stores the settings with the
// key sealed, starts the integration workflow and waits for validation:
// 200 when the integration is on, 422 with the reason when validation
// failed (nothing is kept), 202 when validation is still running.
func (s *Server) enableDirectory(w http.ResponseWriter, r *http.Request, org models.Organization) {
	var req EnableRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	settings, prefs, ok := s.checkEnable(w, r, org, req)
	if !ok {
		return
	}

	id, err := s.store.BeginValidation(r.Context(), org.ID, store.IntegrationSettings{
		Domain: settings.Domain, SAMLAppID: settings.SAMLAppID, ClientID: settings.ClientID,
		KeyID:                settings.KeyID,
		PrivateJWKCiphertext: s.box.SealPrivateJWK(org.ID, settings.PrivateJWK),
		Preferences:          prefs,
	})
	if errors.Is(err, store.ErrConflict) {
		writeError(w, http.StatusConflict, APIError{Code: "integration_on",
			Message: "the directory integration is already on or being changed",
			Fix:     "turn it off first to enter new settings"})
		return
	}
	if err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	if err := s.startIntegration(r.Context(), org.ID, id); err != nil {
		_ = s.store.MarkFailed(r.Context(), org.ID, id, "workflow_start_failed",
			"the integration workflow could not start", "try again in a minute")
		s.internalError(w, r, err)
		return
	}
	s.awaitValidation(w, r, org.ID)
}

// checkEnable checks everything about an enable request before anything is
// stored, answering the request when something is wrong.
func (s *Server) checkEnable(w http.ResponseWriter, r *http.Request, org models.Organization,
	req EnableRequest) (okta.Settings, models.Preferences, bool) {
	settings, err := okta.ParseSettings(okta.SettingsInput{
		Domain: req.OktaDomain, SAMLAppID: req.SAMLAppID, ClientID: req.ClientID,
		PrivateJWK: string(req.PrivateJWK),
	}, s.cfg.DomainPolicy)
	prefs, prefErr := normalizePreferences(req.Preferences)

	// Every problem of the form at once: settings and preferences.
	var all directory.InputError
	for _, e := range []error{err, prefErr} {
		var inErr *directory.InputError
		if errors.As(e, &inErr) {
			all.Problems = append(all.Problems, inErr.Problems...)
		} else if e != nil {
			s.internalError(w, r, e)
			return settings, prefs, false
		}
	}
	if len(all.Problems) > 0 {
		writeInputError(w, &all)
		return settings, prefs, false
	}
	return settings, prefs, s.requireSSO(w, r, org.ID)
}

// normalizePreferences normalises the form's preferences; nil means the
// defaults.
func normalizePreferences(in *models.Preferences) (models.Preferences, error) {
	var p models.Preferences
	if in != nil {
		p = *in
	}
	return preferences.Normalize(p)
}

// checkPreferences normalises preferences, answering 400 when they are
// wrong.
func checkPreferences(w http.ResponseWriter, in *models.Preferences) (models.Preferences, bool) {
	p, err := normalizePreferences(in)
	var inErr *directory.InputError
	if errors.As(err, &inErr) {
		writeInputError(w, inErr)
		return p, false
	}
	return p, true
}

// requireSSO answers 409 unless the organization's SSO connection is on:
// the directory integration feeds SSO users and is removed with SSO.
func (s *Server) requireSSO(w http.ResponseWriter, r *http.Request, orgID string) bool {
	conn, err := s.store.SSOConnection(r.Context(), orgID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.internalError(w, r, err)
		return false
	}
	if err != nil || !conn.Enabled {
		writeError(w, http.StatusConflict, APIError{Code: string(directory.CodeSSONotEnabled),
			Message: "SSO is not enabled for this organization",
			Fix:     "set up and enable the SSO connection first, then the directory integration"})
		return false
	}
	return true
}

// startIntegration starts the organization's integration workflow. The
// previous integration's workflow may still be closing (it records a failed
// validation a moment before it ends): wait for it rather than attach to it.
func (s *Server) startIntegration(ctx context.Context, orgID, integrationID string) error {
	for attempt := 0; ; attempt++ {
		_, err := s.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID:                       contract.IntegrationWorkflowID(orgID),
			TaskQueue:                s.cfg.TaskQueue,
			WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
			// Without this the SDK quietly returns the running execution.
			WorkflowExecutionErrorWhenAlreadyStarted: true,
			TypedSearchAttributes:                    workflows.SearchAttributes(orgID, "validating"),
		}, contract.IntegrationWorkflow, contract.IntegrationInput{OrgID: orgID,
			IntegrationID: integrationID})
		var started *serviceerror.WorkflowExecutionAlreadyStarted
		if !errors.As(err, &started) || attempt == 1 {
			return err
		}
		if err := s.awaitClosed(ctx, contract.IntegrationWorkflowID(orgID)); err != nil {
			return err
		}
	}
}

// awaitClosed waits up to ten seconds for a workflow to close.
func (s *Server) awaitClosed(ctx context.Context, workflowID string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err := s.temporal.GetWorkflow(ctx, workflowID, "").Get(ctx, nil)
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("dashboard: the previous integration workflow is still running")
	}
	return nil
}

// awaitValidation polls the integration's state until validation ends or
// the enable wait runs out.
func (s *Server) awaitValidation(w http.ResponseWriter, r *http.Request, orgID string) {
	deadline := time.Now().Add(s.cfg.EnableWait)
	for {
		integ, err := s.store.Integration(r.Context(), orgID)
		if err != nil {
			s.writeStoreError(w, r, err)
			return
		}
		switch {
		case integ.State == models.StateError:
			writeJSON(w, http.StatusUnprocessableEntity, ErrorBody{Error: lastError(integ)})
			return
		case integ.State == models.StateActive:
			writeJSON(w, http.StatusOK, s.directoryStatus(r.Context(), integ))
			return
		case integ.State != models.StateValidating:
			writeError(w, http.StatusConflict, APIError{Code: "integration_turned_off",
				Message: "the integration was turned off while its settings were validated",
				Fix:     "enter the settings again to turn it on"})
			return
		case time.Now().After(deadline):
			writeJSON(w, http.StatusAccepted, s.directoryStatus(r.Context(), integ))
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func lastError(integ models.DirectoryIntegration) APIError {
	return APIError{Code: integ.LastErrorCode, Message: integ.LastErrorMessage,
		Fix: integ.LastErrorFix}
}

// disableDirectory turns the integration off through DisableWorkflow:
// the running sync is cancelled cleanly, the key and settings are removed,
// recipients and run history stay.
func (s *Server) disableDirectory(w http.ResponseWriter, r *http.Request, org models.Organization) {
	integ, err := s.store.Integration(r.Context(), org.ID)
	if errors.Is(err, store.ErrNotFound) || integ.State == models.StateDisabled {
		writeJSON(w, http.StatusOK, map[string]string{"status": "already off"})
		return
	}
	if err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	run, err := s.startWorkflow(r.Context(), contract.DisableWorkflowID(org.ID), org.ID,
		contract.DisableWorkflow, contract.DisableInput{OrgID: org.ID, Reason: "admin"})
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	s.answerWorkflow(w, r, run, "directory integration off; settings and key removed")
}

// updatePreferences merges the body into the current preferences and
// sends them to the integration workflow, which validates again when they
// need a new scope. A failed validation keeps the old preferences.
func (s *Server) updatePreferences(w http.ResponseWriter, r *http.Request,
	org models.Organization) {
	integ, ok := s.activeIntegration(w, r, org.ID)
	if !ok {
		return
	}
	next := integ.Preferences
	if !decodeJSON(w, r, &next) {
		return
	}
	next, ok = checkPreferences(w, &next)
	if !ok {
		return
	}
	raw, _ := json.Marshal(next)
	handle, err := s.temporal.UpdateWorkflow(r.Context(), client.UpdateWorkflowOptions{
		WorkflowID: contract.IntegrationWorkflowID(org.ID), UpdateName: contract.UpdatePreferences,
		Args: []any{contract.PreferencesUpdate{Preferences: raw,
			Revalidate: preferences.NeedsRevalidation(integ.Preferences, next)}},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = handle.Get(r.Context(), nil)
	}
	if err != nil {
		s.workflowError(w, r, err)
		return
	}
	s.getDirectory(w, r, org)
}

// activeIntegration loads the integration and answers 409 unless it is on.
func (s *Server) activeIntegration(w http.ResponseWriter, r *http.Request, orgID string) (
	models.DirectoryIntegration, bool) {
	integ, err := s.store.Integration(r.Context(), orgID)
	if err == nil && integ.State == models.StateActive {
		return integ, true
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.internalError(w, r, err)
		return integ, false
	}
	writeError(w, http.StatusConflict, APIError{Code: "integration_off",
		Message: "the directory integration is not on",
		Fix:     "enable the directory integration first"})
	return integ, false
}

// workflowError answers a failed update or query: 422 with the detail of a
// directory error, 409 when the workflow is gone.
func (s *Server) workflowError(w http.ResponseWriter, r *http.Request, err error) {
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		writeError(w, http.StatusConflict, APIError{Code: "integration_off",
			Message: "the directory integration is not running"})
		return
	}
	if d, ok := detailOf(err); ok {
		writeError(w, http.StatusUnprocessableEntity, APIError{Code: d.Code,
			Message: d.Message, Fix: d.Fix})
		return
	}
	s.internalError(w, r, err)
}

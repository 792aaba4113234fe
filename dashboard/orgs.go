package dashboard

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/mailroom/oktasync/contract"
	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/store"
	"github.com/mailroom/oktasync/workflows"
)

// OrgView is an organization as the API shows it.
type OrgView struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// createOrg creates an organization and returns its API token, once.
func (s *Server) createOrg(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name string `json:"name"`
	}
	if !decodeJSON(w, r, &req) {
		return
	}
	org, token, err := s.store.CreateOrganization(r.Context(), req.Name)
	if err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"organization": OrgView{ID: org.ID, Name: org.Name, CreatedAt: org.CreatedAt},
		"api_token":    token,
	})
}

func (s *Server) getOrg(w http.ResponseWriter, _ *http.Request, org models.Organization) {
	writeJSON(w, http.StatusOK, OrgView{ID: org.ID, Name: org.Name, CreatedAt: org.CreatedAt})
}

// LocationView is a location as the API shows it.
type LocationView struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func (s *Server) createLocation(w http.ResponseWriter, r *http.Request, org models.Organization) {
	var req struct {
		Name string `json:"name"`
	}
	if !decodeJSON(w, r, &req) {
		return
	}
	loc, err := s.store.CreateLocation(r.Context(), org.ID, req.Name)
	if err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, LocationView{ID: loc.ID, Name: loc.Name})
}

func (s *Server) listLocations(w http.ResponseWriter, r *http.Request, org models.Organization) {
	locs, err := s.store.Locations(r.Context(), org.ID)
	if err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	out := make([]LocationView, 0, len(locs))
	for _, l := range locs {
		out = append(out, LocationView{ID: l.ID, Name: l.Name})
	}
	writeJSON(w, http.StatusOK, map[string]any{"locations": out})
}

// SSOView is the SSO connection as the API shows it.
type SSOView struct {
	Enabled     bool   `json:"enabled"`
	IdPEntityID string `json:"idp_entity_id,omitempty"`
	SSOURL      string `json:"sso_url,omitempty"`
}

func (s *Server) getSSO(w http.ResponseWriter, r *http.Request, org models.Organization) {
	conn, err := s.store.SSOConnection(r.Context(), org.ID)
	if errors.Is(err, store.ErrNotFound) {
		writeJSON(w, http.StatusOK, SSOView{Enabled: false})
		return
	}
	if err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, SSOView{Enabled: conn.Enabled, IdPEntityID: conn.IdPEntityID,
		SSOURL: conn.SSOURL})
}

func (s *Server) enableSSO(w http.ResponseWriter, r *http.Request, org models.Organization) {
	var req SSOView
	if !decodeJSON(w, r, &req) {
		return
	}
	if e := checkSSO(req); e != nil {
		writeError(w, http.StatusBadRequest, *e)
		return
	}
	conn, err := s.store.EnableSSO(r.Context(), org.ID, req.IdPEntityID, req.SSOURL)
	if err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, SSOView{Enabled: conn.Enabled, IdPEntityID: conn.IdPEntityID,
		SSOURL: conn.SSOURL})
}

// checkSSO checks the SAML connection's identifiers: the IdP entity id is
// a URI (Okta's look like http://www.okta.com/exk…), the sign-in URL, when
// given, an https URL.
func checkSSO(v SSOView) *APIError {
	if u, err := url.Parse(v.IdPEntityID); v.IdPEntityID == "" || err != nil ||
		(u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "urn") {
		return &APIError{Code: "invalid", Field: "idp_entity_id",
			Message: "the IdP entity id must be a URI such as http://www.okta.com/exk…",
			Fix: "copy the Identity Provider Issuer from the SAML app's Sign On tab " +
				"(View SAML setup instructions)"}
	}
	if u, err := url.Parse(v.SSOURL); v.SSOURL != "" && (err != nil || u.Scheme != "https" ||
		u.Host == "") {
		return &APIError{Code: "invalid", Field: "sso_url",
			Message: "the sign-in URL must be an https URL",
			Fix:     "copy the Identity Provider Single Sign-On URL from the same page"}
	}
	return nil
}

// removeSSO starts the SSO removal cascade (which turns the directory
// integration off first) and waits for it up to the enable wait.
func (s *Server) removeSSO(w http.ResponseWriter, r *http.Request, org models.Organization) {
	if _, err := s.store.SSOConnection(r.Context(), org.ID); err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	run, err := s.startWorkflow(r.Context(), contract.RemoveSSOWorkflowID(org.ID), org.ID,
		contract.RemoveSSOWorkflow, contract.RemoveSSOInput{OrgID: org.ID})
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	s.answerWorkflow(w, r, run, "sso removed; the directory integration is off")
}

// startWorkflow starts a one-off workflow, or joins the one with that id
// already running, so repeated clicks do the work once.
func (s *Server) startWorkflow(ctx context.Context, id, orgID, name string, in any) (
	client.WorkflowRun, error) {
	return s.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                s.cfg.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		TypedSearchAttributes:    workflows.SearchAttributes(orgID, "running"),
	}, name, in)
}

// answerWorkflow waits a while for a workflow and answers 200 when it
// completed, 202 when it is still running.
func (s *Server) answerWorkflow(w http.ResponseWriter, r *http.Request, run client.WorkflowRun,
	done string) {
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.EnableWait)
	defer cancel()
	err := run.Get(ctx, nil)
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, map[string]string{"status": done,
			"workflow_id": run.GetID()})
	case errors.Is(err, context.DeadlineExceeded):
		writeJSON(w, http.StatusAccepted, map[string]string{"status": "in progress",
			"workflow_id": run.GetID()})
	default:
		s.internalError(w, r, err)
	}
}

// signal sends a signal to the integration workflow of an active
// integration. The integration is on in the database, so its workflow must
// run: when it is gone (an operator terminated it, or it failed), sync-now,
// pause and resume start it again, already validated, with the signal.
func (s *Server) signal(w http.ResponseWriter, r *http.Request, integ models.DirectoryIntegration,
	name string, arg any) bool {
	id := contract.IntegrationWorkflowID(integ.OrgID)
	err := s.temporal.SignalWorkflow(r.Context(), id, "", name, arg)
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) && name != contract.SignalCancel {
		err = s.restartIntegration(r.Context(), integ, name, arg)
	}
	if errors.As(err, &notFound) {
		writeError(w, http.StatusConflict, APIError{Code: "no_run",
			Message: "no sync run is in progress", Fix: "there is nothing to cancel"})
		return false
	}
	if err != nil {
		s.internalError(w, r, err)
		return false
	}
	return true
}

// restartIntegration starts the integration workflow of an integration
// that is on, with a signal for it.
func (s *Server) restartIntegration(ctx context.Context, integ models.DirectoryIntegration,
	name string, arg any) error {
	in := contract.IntegrationInput{OrgID: integ.OrgID, IntegrationID: integ.ID,
		Validated: true, Paused: integ.Paused,
		IntervalMinutes: integ.Preferences.SyncIntervalMinutes}
	_, err := s.temporal.SignalWithStartWorkflow(ctx, contract.IntegrationWorkflowID(integ.OrgID),
		name, arg, client.StartWorkflowOptions{
			TaskQueue:             s.cfg.TaskQueue,
			TypedSearchAttributes: workflows.SearchAttributes(integ.OrgID, "active"),
		}, contract.IntegrationWorkflow, in)
	if err == nil {
		s.log.Warn("integration workflow was not running; restarted it", "org_id", integ.OrgID)
	}
	return err
}

package dashboard

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/mailroom/oktasync/contract"
	"github.com/mailroom/oktasync/models"
)

// DirectoryView is the directory integration as the API shows it. It never
// holds the private key; KeyID names the key instead.
type DirectoryView struct {
	State         string              `json:"state"`
	Paused        bool                `json:"paused"`
	IntegrationID string              `json:"integration_id,omitempty"`
	OktaDomain    string              `json:"okta_domain,omitempty"`
	SAMLAppID     string              `json:"saml_app_id,omitempty"`
	ClientID      string              `json:"client_id,omitempty"`
	KeyID         string              `json:"key_id,omitempty"`
	Preferences   *models.Preferences `json:"preferences,omitempty"`
	LastError     *APIError           `json:"last_error,omitempty"`
	ValidatedAt   *time.Time          `json:"validated_at,omitempty"`
	EnabledAt     *time.Time          `json:"enabled_at,omitempty"`
	// Workflow is what the integration workflow reports, when it runs.
	Workflow   *contract.IntegrationStatus `json:"workflow,omitempty"`
	CurrentRun *RunView                    `json:"current_run,omitempty"`
	LastRun    *RunView                    `json:"last_run,omitempty"`
}

// RunView is a sync run as the API shows it.
type RunView struct {
	ID         string                `json:"id"`
	Trigger    string                `json:"trigger"`
	DryRun     bool                  `json:"dry_run"`
	Status     string                `json:"status"`
	StartedAt  time.Time             `json:"started_at"`
	FinishedAt *time.Time            `json:"finished_at,omitempty"`
	Counts     models.RunCounts      `json:"counts"`
	Error      string                `json:"error,omitempty"`
	Sources    []string              `json:"sources,omitempty"`
	Progress   *contract.RunProgress `json:"progress,omitempty"`
}

func (s *Server) getDirectory(w http.ResponseWriter, r *http.Request, org models.Organization) {
	integ, err := s.store.Integration(r.Context(), org.ID)
	if err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.directoryStatus(r.Context(), integ))
}

// DirectoryView assembles the status from the store and, best effort, from
// the workflows' queries.
func (s *Server) directoryStatus(ctx context.Context,
	integ models.DirectoryIntegration) DirectoryView {
	v := DirectoryView{State: integ.State, Paused: integ.Paused, IntegrationID: integ.ID,
		OktaDomain: integ.OktaDomain, SAMLAppID: integ.SAMLAppID, ClientID: integ.ClientID,
		KeyID: integ.KeyID, ValidatedAt: integ.ValidatedAt, EnabledAt: integ.EnabledAt}
	if integ.State != models.StateDisabled && integ.State != models.StateError {
		prefs := integ.Preferences
		v.Preferences = &prefs
	}
	if integ.LastErrorCode != "" {
		e := lastError(integ)
		v.LastError = &e
	}
	if integ.State == models.StateActive || integ.State == models.StateDisabling {
		v.Workflow = s.queryIntegration(ctx, integ.OrgID)
	}
	runs, err := s.store.ListRuns(ctx, integ.OrgID, 2)
	if err == nil {
		for _, run := range runs {
			rv := s.runStatus(ctx, run)
			if run.FinishedAt == nil && v.CurrentRun == nil {
				v.CurrentRun = &rv
			} else if v.LastRun == nil {
				v.LastRun = &rv
			}
		}
	}
	return v
}

// queryIntegration asks the integration workflow for its status, giving up
// quickly: the status page must answer even when no worker runs.
func (s *Server) queryIntegration(ctx context.Context, orgID string) *contract.IntegrationStatus {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	val, err := s.temporal.QueryWorkflow(ctx, contract.IntegrationWorkflowID(orgID), "",
		contract.QueryStatus)
	if err != nil {
		return nil
	}
	var st contract.IntegrationStatus
	if val.Get(&st) != nil {
		return nil
	}
	return &st
}

// RunView renders a run, with live progress from its workflow while open.
func (s *Server) runStatus(ctx context.Context, run models.SyncRun) RunView {
	v := RunView{ID: run.ID, Trigger: run.Trigger, DryRun: run.DryRun, Status: run.Status,
		StartedAt: run.StartedAt, FinishedAt: run.FinishedAt, Counts: run.Counts,
		Error: run.Error}
	for _, src := range run.Plan.Sources {
		v.Sources = append(v.Sources, src.Key)
	}
	if run.FinishedAt == nil && run.WorkflowID != "" {
		v.Progress = s.queryRun(ctx, run.WorkflowID)
	}
	return v
}

func (s *Server) queryRun(ctx context.Context, workflowID string) *contract.RunProgress {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	val, err := s.temporal.QueryWorkflow(ctx, workflowID, "", contract.QueryStatus)
	if err != nil {
		return nil
	}
	var p contract.RunProgress
	if val.Get(&p) != nil {
		return nil
	}
	return &p
}

func (s *Server) listRuns(w http.ResponseWriter, r *http.Request, org models.Organization) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	runs, err := s.store.ListRuns(r.Context(), org.ID, limit)
	if err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	out := make([]RunView, 0, len(runs))
	for _, run := range runs {
		out = append(out, s.runStatus(r.Context(), run))
	}
	writeJSON(w, http.StatusOK, map[string]any{"runs": out})
}

func (s *Server) getRun(w http.ResponseWriter, r *http.Request, org models.Organization) {
	run, err := s.store.Run(r.Context(), org.ID, r.PathValue("run"))
	if err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.runStatus(r.Context(), run))
}

// detailOf returns the admin-facing detail of a workflow or update error.
func detailOf(err error) (contract.ErrorDetail, bool) {
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) {
		return contract.ErrorDetail{}, false
	}
	var d contract.ErrorDetail
	if appErr.HasDetails() && appErr.Details(&d) == nil && d.Code != "" {
		return d, true
	}
	return contract.ErrorDetail{Code: "rejected", Message: appErr.Message()}, true
}

package dashboard

import (
	"context"
	"errors"
	"net/http"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
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
	Workflow *WorkflowView `json:"workflow,omitempty"`
	// Warning says what needs attention that is not an error of the
	// settings, such as an integration whose workflow is not running.
	Warning    string   `json:"warning,omitempty"`
	CurrentRun *RunView `json:"current_run,omitempty"`
	LastRun    *RunView `json:"last_run,omitempty"`
}

// WorkflowView is the integration workflow's own account of itself.
type WorkflowView struct {
	// Phase is "validating", "idle", "syncing" or "stopping".
	Phase           string    `json:"phase"`
	Paused          bool      `json:"paused"`
	IntervalMinutes int       `json:"interval_minutes"`
	NextRunAt       time.Time `json:"next_run_at"`
	CurrentRunID    string    `json:"current_run_id,omitempty"`
	// PendingRun is a requested run waiting to start ("manual", "schedule").
	PendingRun    string `json:"pending_run,omitempty"`
	LastRunID     string `json:"last_run_id,omitempty"`
	LastRunStatus string `json:"last_run_status,omitempty"`
}

func toWorkflowView(s contract.IntegrationStatus) *WorkflowView {
	v := &WorkflowView{Phase: s.Phase, Paused: s.Paused, IntervalMinutes: s.IntervalMinutes,
		NextRunAt: s.NextRunAt, CurrentRunID: s.CurrentRunID, LastRunID: s.LastRunID,
		LastRunStatus: s.LastRunStatus}
	if s.Pending != nil {
		v.PendingRun = s.Pending.Trigger
		if s.Pending.DryRun {
			v.PendingRun += " (dry run)"
		}
	}
	return v
}

// ProgressView is a running run's live progress.
type ProgressView struct {
	// Phase is "planning", "fetching", "held", "deactivating",
	// "finishing" or "done".
	Phase  string           `json:"phase"`
	Paused bool             `json:"paused"`
	Source string           `json:"source,omitempty"`
	Pages  int              `json:"pages"`
	Users  int              `json:"users"`
	Counts models.RunCounts `json:"counts"`
	// WouldDeactivate and ActiveDirectoryRecipients are set once the run
	// planned its deactivations: what the brake weighs.
	WouldDeactivate           *int `json:"would_deactivate,omitempty"`
	ActiveDirectoryRecipients *int `json:"active_directory_recipients,omitempty"`
}

func toProgressView(p contract.RunProgress) *ProgressView {
	c := p.Counts
	v := &ProgressView{Phase: p.Phase, Paused: p.Paused, Source: p.Source, Pages: p.Pages,
		Users: p.Users, Counts: models.RunCounts{Pages: c.Pages, Fetched: c.Fetched,
			Created: c.Created, Updated: c.Updated, Unchanged: c.Unchanged,
			Reactivated: c.Reactivated, Deactivated: c.Deactivated, Held: c.Held,
			NoEmail: c.NoEmail, Skipped: c.Skipped, SSOUsers: c.SSOUsers}}
	if d := p.Deactivation; d != nil {
		v.WouldDeactivate, v.ActiveDirectoryRecipients = &d.WouldDeactivate,
			&d.ActiveDirectoryRecipients
	}
	return v
}

// RunView is a sync run as the API shows it.
type RunView struct {
	ID         string           `json:"id"`
	Trigger    string           `json:"trigger"`
	DryRun     bool             `json:"dry_run"`
	Status     string           `json:"status"`
	StartedAt  time.Time        `json:"started_at"`
	FinishedAt *time.Time       `json:"finished_at,omitempty"`
	Counts     models.RunCounts `json:"counts"`
	Error      string           `json:"error,omitempty"`
	Sources    []string         `json:"sources,omitempty"`
	Progress   *ProgressView    `json:"progress,omitempty"`
	// Issues are the records the run skipped and why (GET of one run
	// only); IssuesTotal counts them all, beyond the first 100.
	Issues      []RunIssueView `json:"issues,omitempty"`
	IssuesTotal int            `json:"issues_total,omitempty"`
}

// RunIssueView is one record a run skipped.
type RunIssueView struct {
	OktaUserID string `json:"okta_user_id"`
	LocationID string `json:"location_id"`
	Reason     string `json:"reason"`
	Detail     string `json:"detail,omitempty"`
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
		v.Workflow, v.Warning = s.queryIntegration(ctx, integ.OrgID)
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
// quickly: the status page must answer even when no worker runs. It
// returns a warning when the workflow is not running or does not answer.
func (s *Server) queryIntegration(ctx context.Context, orgID string) (*WorkflowView, string) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	id := contract.IntegrationWorkflowID(orgID)
	desc, err := s.temporal.DescribeWorkflowExecution(ctx, id, "")
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) || (err == nil && desc.GetWorkflowExecutionInfo().GetStatus() !=
		enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING) {
		return nil, "the integration workflow is not running: sync now (or pause, resume) " +
			"starts it again with the stored settings"
	}
	val, err := s.temporal.QueryWorkflow(ctx, id, "", contract.QueryStatus)
	if err != nil {
		return nil, "the integration workflow did not answer: is a worker running?"
	}
	var st contract.IntegrationStatus
	if val.Get(&st) != nil {
		return nil, ""
	}
	return toWorkflowView(st), ""
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
	// A running run's counts are recorded when it ends; until then its
	// workflow's progress is the report so far.
	if run.Status == models.RunRunning && v.Progress != nil {
		v.Counts = v.Progress.Counts
	}
	return v
}

func (s *Server) queryRun(ctx context.Context, workflowID string) *ProgressView {
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
	return toProgressView(p)
}

func (s *Server) listRuns(w http.ResponseWriter, r *http.Request, org models.Organization) {
	limit, _, ok := paging(w, r, 20, 100)
	if !ok {
		return
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
	v := s.runStatus(r.Context(), run)
	issues, total, err := s.store.RunIssues(r.Context(), org.ID, run.ID, 100, 0)
	if err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	v.IssuesTotal = total
	for _, i := range issues {
		v.Issues = append(v.Issues, RunIssueView{OktaUserID: i.OktaUserID,
			LocationID: i.LocationID, Reason: i.Reason, Detail: i.Detail})
	}
	writeJSON(w, http.StatusOK, v)
}

// runIssues pages through the records a run skipped (the first 1,000 are
// kept; the run's counts count them all).
func (s *Server) runIssues(w http.ResponseWriter, r *http.Request, org models.Organization) {
	limit, offset, ok := paging(w, r, 100, 1000)
	if !ok {
		return
	}
	issues, total, err := s.store.RunIssues(r.Context(), org.ID, r.PathValue("run"), limit,
		offset)
	if err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	out := make([]RunIssueView, 0, len(issues))
	for _, i := range issues {
		out = append(out, RunIssueView{OktaUserID: i.OktaUserID, LocationID: i.LocationID,
			Reason: i.Reason, Detail: i.Detail})
	}
	writeJSON(w, http.StatusOK, map[string]any{"issues": out, "total": total})
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

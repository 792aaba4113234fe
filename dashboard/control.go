package dashboard

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"

	"go.temporal.io/sdk/client"

	"github.com/mailroom/oktasync/contract"
	"github.com/mailroom/oktasync/directory"
	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/preferences"
	"github.com/mailroom/oktasync/store"
)

// syncNow asks for a run now (or as soon as the running one ends).
func (s *Server) syncNow(w http.ResponseWriter, r *http.Request, org models.Organization) {
	var req struct {
		DryRun bool `json:"dry_run"`
	}
	if !decodeJSON(w, r, &req) {
		return
	}
	integ, ok := s.activeIntegration(w, r, org.ID)
	if !ok {
		return
	}
	if s.signal(w, r, integ, contract.SignalSyncNow,
		contract.SyncRequest{Trigger: "manual", DryRun: req.DryRun}) {
		writeJSON(w, http.StatusAccepted, map[string]any{"status": "queued",
			"dry_run": req.DryRun})
	}
}

func (s *Server) pause(w http.ResponseWriter, r *http.Request, org models.Organization) {
	s.control(w, r, org, contract.SignalPause, "paused")
}

func (s *Server) resume(w http.ResponseWriter, r *http.Request, org models.Organization) {
	s.control(w, r, org, contract.SignalResume, "resumed")
}

// cancelRun cancels the running sync run; nothing is deactivated and the
// integration stays on.
func (s *Server) cancelRun(w http.ResponseWriter, r *http.Request, org models.Organization) {
	s.control(w, r, org, contract.SignalCancel, "cancel requested")
}

func (s *Server) control(w http.ResponseWriter, r *http.Request, org models.Organization,
	signal, status string) {
	integ, ok := s.activeIntegration(w, r, org.ID)
	if !ok {
		return
	}
	if s.signal(w, r, integ, signal, nil) {
		writeJSON(w, http.StatusAccepted, map[string]string{"status": status})
	}
}

func (s *Server) approveRun(w http.ResponseWriter, r *http.Request, org models.Organization) {
	s.answerHeld(w, r, org, true)
}

func (s *Server) rejectRun(w http.ResponseWriter, r *http.Request, org models.Organization) {
	s.answerHeld(w, r, org, false)
}

// answerHeld approves or rejects the deactivations of a held run through
// an update of the run's workflow, so that of two admins answering at once
// only the first is told their answer was taken.
func (s *Server) answerHeld(w http.ResponseWriter, r *http.Request, org models.Organization,
	approve bool) {
	run, err := s.store.Run(r.Context(), org.ID, r.PathValue("run"))
	if err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	notHeld := APIError{Code: "run_not_held",
		Message: "the run is " + run.Status + ", not held",
		Fix:     "only a run held by the deactivation brake can be answered, once"}
	if run.Status != models.RunHeld {
		writeError(w, http.StatusConflict, notHeld)
		return
	}
	handle, err := s.temporal.UpdateWorkflow(r.Context(), client.UpdateWorkflowOptions{
		WorkflowID: run.WorkflowID, UpdateName: contract.UpdateAnswerHeld,
		Args:         []any{contract.HeldAnswer{Approve: approve}},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var decision string
	if err == nil {
		err = handle.Get(r.Context(), &decision)
	}
	if err != nil {
		notHeld.Message = "the run cannot take an answer: " + errorMessage(err)
		writeError(w, http.StatusConflict, notHeld)
		return
	}
	status := map[string]string{"approve": "approved", "reject": "rejected"}[decision]
	writeJSON(w, http.StatusOK, map[string]string{"status": status, "run_id": run.ID})
}

// errorMessage is the innermost message of a Temporal error.
func errorMessage(err error) string {
	if d, ok := detailOf(err); ok {
		return d.Message
	}
	return err.Error()
}

// GroupView is an Okta group for the mapping form.
type GroupView struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type"`
}

// listGroups lists one page of the tenant's Okta groups, live, so the admin
// can pick groups to map. The cursor query parameter pages on.
func (s *Server) listGroups(w http.ResponseWriter, r *http.Request, org models.Organization) {
	integ, ok := s.activeIntegration(w, r, org.ID)
	if !ok {
		return
	}
	jwk, err := s.box.OpenPrivateJWK(org.ID, integ.PrivateJWKCiphertext)
	if err != nil {
		s.internalError(w, r, errors.New("dashboard: open private key: wrong SECRET_KEY?"))
		return
	}
	creds := directory.Credentials{Domain: integ.OktaDomain, ClientID: integ.ClientID,
		PrivateJWK: jwk}
	sess, err := s.provider.Open(r.Context(), creds, preferences.Scopes(integ.Preferences))
	if err != nil {
		s.directoryError(w, r, err)
		return
	}
	page, err := sess.Groups(r.Context(), 200, r.URL.Query().Get("cursor"))
	if err != nil {
		s.directoryError(w, r, err)
		return
	}
	out := make([]GroupView, 0, len(page.Items))
	for _, g := range page.Items {
		out = append(out, GroupView{ID: g.ID, Name: g.Name, Description: g.Description,
			Type: g.Type})
	}
	writeJSON(w, http.StatusOK, map[string]any{"groups": out, "next_cursor": page.Next})
}

// directoryError answers an Okta failure with its code and fix.
func (s *Server) directoryError(w http.ResponseWriter, r *http.Request, err error) {
	de := directory.AsError(err)
	if de == nil {
		s.internalError(w, r, err)
		return
	}
	writeError(w, http.StatusBadGateway, fromDirectory(de))
}

// groupIDRE matches Okta group ids: "00g" and 17 letters or digits.
var groupIDRE = regexp.MustCompile(`^00g[0-9A-Za-z]{17}$`)

// MappingView is one group-to-location mapping.
type MappingView struct {
	GroupID    string `json:"group_id"`
	GroupName  string `json:"group_name,omitempty"`
	LocationID string `json:"location_id"`
}

func (s *Server) listMappings(w http.ResponseWriter, r *http.Request, org models.Organization) {
	ms, err := s.store.GroupMappings(r.Context(), org.ID)
	if err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	out := make([]MappingView, 0, len(ms))
	for _, m := range ms {
		out = append(out, MappingView{GroupID: m.OktaGroupID, GroupName: m.GroupName,
			LocationID: m.LocationID})
	}
	writeJSON(w, http.StatusOK, map[string]any{"mappings": out})
}

// replaceMappings replaces every group mapping; the next run applies them
// (removals through the deactivation brake).
func (s *Server) replaceMappings(w http.ResponseWriter, r *http.Request, org models.Organization) {
	var req struct {
		Mappings []MappingView `json:"mappings"`
	}
	if !decodeJSON(w, r, &req) {
		return
	}
	ms := make([]models.GroupMapping, 0, len(req.Mappings))
	for _, m := range req.Mappings {
		if !groupIDRE.MatchString(m.GroupID) {
			writeError(w, http.StatusBadRequest, APIError{Code: "invalid", Field: "group_id",
				Message: fmt.Sprintf("%q is not an Okta group id", m.GroupID),
				Fix:     "Okta group ids start with 00g; list them with GET …/directory/groups"})
			return
		}
		ms = append(ms, models.GroupMapping{OrgID: org.ID, OktaGroupID: m.GroupID,
			GroupName: m.GroupName, LocationID: m.LocationID})
	}
	err := s.store.ReplaceGroupMappings(r.Context(), org.ID, ms)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusBadRequest, APIError{Code: "invalid", Field: "location_id",
			Message: "a mapping names no location of this organization"})
		return
	}
	if err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	s.listMappings(w, r, org)
}

package dashboard

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/mailroom/oktasync/csvimport"
	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/store"
)

// RecipientView is a recipient as the API shows it.
type RecipientView struct {
	ID             int64             `json:"id"`
	LocationID     string            `json:"location_id"`
	OktaUserID     string            `json:"okta_user_id,omitempty"`
	Provenance     string            `json:"provenance"`
	Email          string            `json:"email,omitempty"`
	FirstName      string            `json:"first_name,omitempty"`
	LastName       string            `json:"last_name,omitempty"`
	Phone          string            `json:"phone,omitempty"`
	EmployeeNumber string            `json:"employee_number,omitempty"`
	Department     string            `json:"department,omitempty"`
	Title          string            `json:"title,omitempty"`
	Attributes     map[string]string `json:"attributes,omitempty"`
	Active         bool              `json:"active"`
	InactiveReason string            `json:"inactive_reason,omitempty"`
	CreatedRunID   string            `json:"created_run_id,omitempty"`
	ChangedRunID   string            `json:"changed_run_id,omitempty"`
	UpdatedAt      time.Time         `json:"updated_at"`
}

func toRecipientView(r models.Recipient) RecipientView {
	v := RecipientView{ID: r.ID, LocationID: r.LocationID, Provenance: r.Provenance,
		Email: r.Email, FirstName: r.FirstName, LastName: r.LastName, Phone: r.Phone,
		EmployeeNumber: r.EmployeeNumber, Department: r.Department, Title: r.Title,
		Attributes: r.Attributes, Active: r.Active, InactiveReason: r.InactiveReason,
		CreatedRunID: r.CreatedRunID, ChangedRunID: r.ChangedRunID, UpdatedAt: r.UpdatedAt}
	if r.OktaUserID != nil {
		v.OktaUserID = *r.OktaUserID
	}
	return v
}

// listRecipients lists recipients, filtered by location_id, active
// (true/false) and provenance, paged by limit and offset.
func (s *Server) listRecipients(w http.ResponseWriter, r *http.Request, org models.Organization) {
	q := r.URL.Query()
	f := store.RecipientFilter{LocationID: q.Get("location_id"),
		Provenance: q.Get("provenance")}
	var ok bool
	if f.Limit, f.Offset, ok = paging(w, r, 100, 1000); !ok {
		return
	}
	switch f.Provenance {
	case "", models.ProvenanceDirectory, models.ProvenanceCSV, models.ProvenanceManual:
	default:
		writeError(w, http.StatusBadRequest, APIError{Code: "invalid",
			Message: "provenance must be directory, csv or manual"})
		return
	}
	if a := q.Get("active"); a != "" {
		active, err := strconv.ParseBool(a)
		if err != nil {
			writeError(w, http.StatusBadRequest, APIError{Code: "invalid",
				Message: "active must be true or false"})
			return
		}
		f.Active = &active
	}
	rs, err := s.store.ListRecipients(r.Context(), org.ID, f)
	if err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	out := make([]RecipientView, 0, len(rs))
	for _, rec := range rs {
		out = append(out, toRecipientView(rec))
	}
	writeJSON(w, http.StatusOK, map[string]any{"recipients": out})
}

// SummaryRow counts one location's recipients.
type SummaryRow struct {
	LocationID   string         `json:"location_id"`
	LocationName string         `json:"location_name"`
	Active       int            `json:"active"`
	Inactive     int            `json:"inactive"`
	ByProvenance map[string]int `json:"by_provenance"`
}

// recipientSummary counts recipients per location.
func (s *Server) recipientSummary(w http.ResponseWriter, r *http.Request, org models.Organization) {
	locs, err := s.store.Locations(r.Context(), org.ID)
	if err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	counts, err := s.store.CountRecipients(r.Context(), org.ID)
	if err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	rows := make([]SummaryRow, 0, len(locs))
	index := map[string]int{}
	for _, l := range locs {
		index[l.ID] = len(rows)
		rows = append(rows, SummaryRow{LocationID: l.ID, LocationName: l.Name,
			ByProvenance: map[string]int{}})
	}
	for _, c := range counts {
		row := &rows[index[c.LocationID]]
		if c.Active {
			row.Active += c.N
		} else {
			row.Inactive += c.N
		}
		row.ByProvenance[c.Provenance] += c.N
	}
	writeJSON(w, http.StatusOK, map[string]any{"locations": rows})
}

// RecipientInput is a recipient an admin adds by hand.
type RecipientInput struct {
	LocationID     string `json:"location_id"`
	Email          string `json:"email"`
	FirstName      string `json:"first_name,omitempty"`
	LastName       string `json:"last_name,omitempty"`
	Phone          string `json:"phone,omitempty"`
	EmployeeNumber string `json:"employee_number,omitempty"`
	Department     string `json:"department,omitempty"`
	Title          string `json:"title,omitempty"`
}

// createRecipient adds a recipient by hand.
func (s *Server) createRecipient(w http.ResponseWriter, r *http.Request, org models.Organization) {
	var in RecipientInput
	if !decodeJSON(w, r, &in) {
		return
	}
	if _, err := s.store.Location(r.Context(), org.ID, in.LocationID); err != nil {
		writeError(w, http.StatusBadRequest, APIError{Code: "invalid", Field: "location_id",
			Message: "location_id names no location of this organization"})
		return
	}
	rec, err := s.store.CreateManualRecipient(r.Context(), org.ID, in.LocationID,
		store.ManualRecipient{Email: in.Email, FirstName: in.FirstName, LastName: in.LastName,
			Phone: in.Phone, EmployeeNumber: in.EmployeeNumber, Department: in.Department,
			Title: in.Title})
	if err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toRecipientView(rec))
}

// recipientID reads the recipient id of the path, answering 404 when it
// is not a number.
func recipientID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("recipient"), 10, 64)
	if err != nil {
		writeError(w, http.StatusNotFound, APIError{Code: "not_found",
			Message: "no such recipient"})
	}
	return id, err == nil
}

func (s *Server) getRecipient(w http.ResponseWriter, r *http.Request, org models.Organization) {
	id, ok := recipientID(w, r)
	if !ok {
		return
	}
	rec, err := s.store.Recipient(r.Context(), org.ID, id)
	if err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toRecipientView(rec))
}

// patchRecipient activates or deactivates a recipient in the mailroom app.
func (s *Server) patchRecipient(w http.ResponseWriter, r *http.Request, org models.Organization) {
	id, ok := recipientID(w, r)
	if !ok {
		return
	}
	var req struct {
		Active *bool `json:"active"`
	}
	if !decodeJSON(w, r, &req) {
		return
	}
	if req.Active == nil {
		writeError(w, http.StatusBadRequest, APIError{Code: "invalid",
			Message: "active is required", Fix: `send {"active": false} or {"active": true}`})
		return
	}
	if err := s.store.SetRecipientActive(r.Context(), org.ID, id, *req.Active); err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "active": *req.Active})
}

// maxCSVBody bounds an uploaded CSV file (100,000 rows are about 15 MB).
const maxCSVBody = 512 << 20

// importCSV streams a CSV file (the request body) into a location: mode
// merge (default) or overwrite. Whether rows may update directory-created
// recipients follows the integration's "CSV may update directory
// recipients" switch.
func (s *Server) importCSV(w http.ResponseWriter, r *http.Request, org models.Organization) {
	mode := r.URL.Query().Get("mode")
	if mode == "" {
		mode = models.ImportMerge
	}
	if mode != models.ImportMerge && mode != models.ImportOverwrite {
		writeError(w, http.StatusBadRequest, APIError{Code: "invalid",
			Message: "unknown import mode " + strconv.Quote(mode),
			Fix:     `use mode=merge or mode=overwrite`})
		return
	}
	opts := csvimport.Options{Mode: mode, CSVUpdatesDirectory: s.csvUpdatesDirectory(r, org.ID)}
	body := http.MaxBytesReader(w, r.Body, maxCSVBody)
	report, err := csvimport.Import(r.Context(), s.store, org.ID, r.PathValue("location"), body,
		opts)
	switch {
	case errors.Is(err, csvimport.ErrBadFile):
		writeError(w, http.StatusBadRequest, APIError{Code: "invalid_csv",
			Message: adminMessage(err),
			Fix: "send a UTF-8 CSV file whose first row names the columns, " +
				"including an email column; nothing was imported"})
	case err != nil:
		s.writeStoreError(w, r, err)
	default:
		v := toImportView(report)
		_, total, err := s.store.CSVImportIssues(r.Context(), org.ID, report.ImportID, 1, 0)
		v.IssuesTruncated = err == nil && total > len(v.Issues)
		writeJSON(w, http.StatusOK, v)
	}
}

// ImportView is a CSV import's report. Issues holds the first issues;
// IssuesTruncated says there are more, read with GET …/imports/{id}/issues.
type ImportView struct {
	ImportID        string              `json:"import_id"`
	Counts          models.ImportCounts `json:"counts"`
	Issues          []ImportIssue       `json:"issues,omitempty"`
	IssuesTruncated bool                `json:"issues_truncated,omitempty"`
	UnknownColumns  []string            `json:"unknown_columns,omitempty"`
}

// ImportIssue is one row an import rejected or left alone.
type ImportIssue struct {
	Row    int    `json:"row"`
	Reason string `json:"reason"`
}

func toImportView(r csvimport.Report) ImportView {
	v := ImportView{ImportID: r.ImportID, Counts: r.Counts, UnknownColumns: r.UnknownColumns}
	for _, i := range r.Issues {
		v.Issues = append(v.Issues, ImportIssue{Row: i.Row, Reason: i.Reason})
	}
	return v
}

// importIssues pages through every issue of an import (limit at most 1000).
func (s *Server) importIssues(w http.ResponseWriter, r *http.Request, org models.Organization) {
	limit, offset, ok := paging(w, r, 100, 1000)
	if !ok {
		return
	}
	issues, total, err := s.store.CSVImportIssues(r.Context(), org.ID, r.PathValue("import"),
		limit, offset)
	if err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	out := make([]ImportIssue, 0, len(issues))
	for _, i := range issues {
		out = append(out, ImportIssue{Row: i.Row, Reason: i.Reason})
	}
	writeJSON(w, http.StatusOK, map[string]any{"issues": out, "total": total})
}

// csvUpdatesDirectory reads the switch from the integration; with no
// integration on, CSV never changes directory-created recipients.
func (s *Server) csvUpdatesDirectory(r *http.Request, orgID string) bool {
	integ, err := s.store.Integration(r.Context(), orgID)
	return err == nil && integ.State == models.StateActive &&
		integ.Preferences.CSVUpdatesDirectory
}

package store

import (
	"fmt"
	"maps"

	"github.com/mailroom/oktasync/models"
)

// person is one directory user of a page, cleaned and validated once for
// all the locations it goes to.
type person struct {
	oktaID string
	// idOK says the Okta id can be stored; only such users are recorded
	// as seen.
	idOK bool
	// problem says which field cannot be stored and why, for the run's
	// report; "" when every field can. A user with a problem is skipped.
	problem   string
	active    bool
	emailNorm string
	fields    models.Recipient
}

func (p *person) ok() bool { return p.idOK && p.problem == "" }

// newPeople cleans and validates the page's users. A user listed twice on
// a page is applied once.
func newPeople(users []DirectoryRecipient) []person {
	people := make([]person, 0, len(users))
	seen := make(map[string]bool, len(users))
	for _, u := range users {
		if seen[u.OktaUserID] {
			continue
		}
		seen[u.OktaUserID] = true
		people = append(people, newPerson(u))
	}
	return people
}

func newPerson(u DirectoryRecipient) person {
	p := person{oktaID: u.OktaUserID, active: u.Active}
	idErr := checkText("the Okta user id", u.OktaUserID, columnSize("recipients", "okta_user_id"))
	p.idOK = u.OktaUserID != "" && idErr == nil
	p.fields = models.Recipient{
		OktaUserID: &p.oktaID, Email: CleanText(u.Email),
		EmailNorm: NormalizeEmail(u.Email), FirstName: CleanText(u.FirstName),
		LastName: CleanText(u.LastName), Phone: CleanText(u.Phone),
		EmployeeNumber: CleanText(u.EmployeeNumber), Department: CleanText(u.Department),
		Title: CleanText(u.Title), Attributes: u.Attributes,
	}
	p.emailNorm = p.fields.EmailNorm
	switch err := validateRecipient(&p.fields); {
	case u.OktaUserID == "":
		p.problem = "the Okta user id is empty"
	case idErr != nil:
		p.problem = reasonOf(idErr)
	case err != nil:
		p.problem = reasonOf(err)
	}
	return p
}

// fill sets r to the person's fields and directory status.
func (p *person) fill(r *models.Recipient) {
	id := p.oktaID
	r.OktaUserID = &id
	r.Email, r.EmailNorm = p.fields.Email, p.fields.EmailNorm
	r.FirstName, r.LastName = p.fields.FirstName, p.fields.LastName
	r.Phone, r.EmployeeNumber = p.fields.Phone, p.fields.EmployeeNumber
	r.Department, r.Title = p.fields.Department, p.fields.Title
	r.Attributes = p.fields.Attributes
	r.Active = p.active
	r.InactiveReason = ""
	if !p.active {
		r.InactiveReason = models.InactiveOktaStatus
	}
}

// outcome is what a page did to one (location, user) row.
type outcome int

const (
	outUnchanged outcome = iota
	outCreated
	outUpdated
	outReactivated
	outDeactivated
)

// write is one row to store, with what it means for the counts.
type write struct {
	row    *models.Recipient
	out    outcome
	insert bool
	err    error
}

// rowKey finds a row by location and Okta user id or normalised email.
type rowKey struct{ loc, key string }

// Details of the issues a run records for rows it skipped.
const (
	detailEmailInUse    = "another directory user's active recipient has this email"
	detailCSVEmailMatch = "a CSV or manual recipient has this email; " +
		"the directory may not update it"
	detailWriteFailed = "the row could not be stored"
)

// planner decides, for every (location, user) of a page, whether to
// create, update or leave a recipient, from the rows loaded beforehand.
type planner struct {
	runID    string
	orgID    string
	adoptCSV bool
	byID     map[int64]*models.Recipient
	byUser   map[rowKey]*models.Recipient
	byEmail  map[rowKey][]*models.Recipient
	writes   []*write
	counts   models.RunCounts
	// issues say which rows were skipped and why.
	issues []models.SyncRunIssue
}

func newPlanner(runID, orgID string, adoptCSV bool) *planner {
	return &planner{runID: runID, orgID: orgID, adoptCSV: adoptCSV,
		byID:    map[int64]*models.Recipient{},
		byUser:  map[rowKey]*models.Recipient{},
		byEmail: map[rowKey][]*models.Recipient{}}
}

// errForeignRecipient stops a write that found a recipient of another
// organization at one of its locations: a location shared across tenants,
// which the store never allows. Stopping is better than leaking.
var errForeignRecipient = fmt.Errorf("a recipient at the location belongs to another "+
	"organization: %w", ErrConflict)

// add indexes loaded rows; a row loaded twice keeps its first copy. A row
// of another organization stops the page: errForeignRecipient.
func (pl *planner) add(rows []*models.Recipient) error {
	for _, r := range rows {
		if r.OrgID != pl.orgID {
			return errForeignRecipient
		}
		if _, dup := pl.byID[r.ID]; dup {
			continue
		}
		pl.byID[r.ID] = r
		pl.index(r)
	}
	return nil
}

func (pl *planner) index(r *models.Recipient) {
	if r.OktaUserID != nil {
		pl.byUser[rowKey{r.LocationID, *r.OktaUserID}] = r
	}
	if r.EmailNorm != "" {
		k := rowKey{r.LocationID, r.EmailNorm}
		pl.byEmail[k] = append(pl.byEmail[k], r)
	}
}

// missingAnywhere says whether the user lacks a row at some location.
func (pl *planner) missingAnywhere(oktaID string, locs []string) bool {
	for _, loc := range locs {
		if pl.byUser[rowKey{loc, oktaID}] == nil {
			return true
		}
	}
	return false
}

// plan decides the user's row at every location.
func (pl *planner) plan(p *person, locs []string) {
	if p.emailNorm == "" {
		pl.counts.NoEmail++
	}
	for _, loc := range locs {
		switch cur := pl.byUser[rowKey{loc, p.oktaID}]; {
		case !p.ok():
			pl.skipRow(p.oktaID, loc, SkipInvalidRecord, p.problem)
		case cur != nil:
			pl.update(cur, p)
		default:
			pl.placeNew(p, loc)
		}
	}
}

// update brings an existing row of the user up to date. Rows the
// directory did not create are left alone unless the run may update them.
func (pl *planner) update(cur *models.Recipient, p *person) {
	if cur.Provenance != models.ProvenanceDirectory && !pl.adoptCSV {
		skip(&pl.counts, SkipCSVOwned, 1)
		return
	}
	before := *cur
	p.fill(cur)
	out := classify(&before, cur)
	if out == outUnchanged {
		pl.counts.Unchanged++
		return
	}
	cur.ChangedRunID = pl.runID
	pl.writes = append(pl.writes, &write{row: cur, out: out})
}

// placeNew handles a user new at a location: adopt a CSV or manual row
// with the same email, skip when another user's active row holds the
// email, or create a row.
func (pl *planner) placeNew(p *person, loc string) {
	var clash bool
	for _, r := range pl.byEmail[rowKey{loc, p.emailNorm}] {
		switch {
		case r.EmailNorm != p.emailNorm:
			// The row's email changed earlier on this page.
		case r.OktaUserID == nil && r.Provenance != models.ProvenanceDirectory:
			pl.adopt(r, p)
			return
		case r.Active && r.OktaUserID != nil && *r.OktaUserID != p.oktaID:
			clash = true
		}
	}
	if clash {
		pl.skipRow(p.oktaID, loc, SkipEmailInUse, detailEmailInUse)
		return
	}

	r := &models.Recipient{OrgID: pl.orgID, LocationID: loc,
		Provenance: models.ProvenanceDirectory, CreatedRunID: pl.runID, ChangedRunID: pl.runID}
	p.fill(r)
	pl.index(r)
	pl.writes = append(pl.writes, &write{row: r, out: outCreated, insert: true})
}

// adopt links a CSV or manual row to the user, keeping its id and
// provenance, when the run may; otherwise it leaves the row alone.
func (pl *planner) adopt(r *models.Recipient, p *person) {
	if !pl.adoptCSV {
		pl.skipRow(p.oktaID, r.LocationID, SkipCSVEmailMatch, detailCSVEmailMatch)
		return
	}
	pl.update(r, p)
	pl.byUser[rowKey{r.LocationID, p.oktaID}] = r
}

// classify names the change from before to after.
func classify(before, after *models.Recipient) outcome {
	switch {
	case sameRecipient(before, after):
		return outUnchanged
	case !before.Active && after.Active:
		return outReactivated
	case before.Active && !after.Active:
		return outDeactivated
	}
	return outUpdated
}

// sameRecipient compares what a write would change.
func sameRecipient(a, b *models.Recipient) bool {
	return ptrEq(a.OktaUserID, b.OktaUserID) && a.Email == b.Email &&
		a.EmailNorm == b.EmailNorm && a.FirstName == b.FirstName &&
		a.LastName == b.LastName && a.Phone == b.Phone &&
		a.EmployeeNumber == b.EmployeeNumber && a.Department == b.Department &&
		a.Title == b.Title && maps.Equal(a.Attributes, b.Attributes) &&
		a.Active == b.Active && a.InactiveReason == b.InactiveReason
}

func ptrEq(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// split separates new rows from updated ones: they conflict on different
// keys.
func (pl *planner) split() (inserts, updates []*write) {
	for _, w := range pl.writes {
		if w.insert {
			inserts = append(inserts, w)
		} else {
			updates = append(updates, w)
		}
	}
	return inserts, updates
}

// tally counts the writes that succeeded; a failed one is an invalid
// record.
func (pl *planner) tally() {
	for _, w := range pl.writes {
		switch {
		case w.err != nil:
			pl.skipRow(*w.row.OktaUserID, w.row.LocationID, SkipInvalidRecord,
				detailWriteFailed)
		case w.out == outCreated:
			pl.counts.Created++
		case w.out == outUpdated:
			pl.counts.Updated++
		case w.out == outReactivated:
			pl.counts.Reactivated++
		case w.out == outDeactivated:
			pl.counts.Deactivated++
		}
	}
}

// skipRow counts a (location, user) row the page left alone and records
// the issue an admin reads in the run's report.
func (pl *planner) skipRow(oktaID, loc, reason, detail string) {
	skip(&pl.counts, reason, 1)
	pl.issues = append(pl.issues, models.SyncRunIssue{RunID: pl.runID, OrgID: pl.orgID,
		OktaUserID: truncate(oktaID, columnSize("sync_run_issues", "okta_user_id")),
		LocationID: loc, Reason: reason,
		Detail: truncate(detail, columnSize("sync_run_issues", "detail"))})
}

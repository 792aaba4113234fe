package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/mailroom/oktasync/models"
)

// Reasons a page left a (location, user) row alone, as counted in
// RunCounts.Skipped.
const (
	// SkipCSVEmailMatch: a CSV or manual recipient has the user's email and
	// the run may not adopt it.
	SkipCSVEmailMatch = "csv_email_match"
	// SkipEmailInUse: an active recipient of another directory user has the
	// email, as when a user was deleted and re-created in Okta.
	SkipEmailInUse = "email_in_use"
	// SkipCSVOwned: the user's recipient was adopted from a CSV or manual
	// one and the run may not update those.
	SkipCSVOwned = "csv_owned"
	// SkipInvalidRecord: a field cannot be stored (too long, control
	// characters, invalid UTF-8), or the row's write failed.
	SkipInvalidRecord = "invalid_record"
	// SkipInvalidSSOUser: an SAML app assignment cannot be stored in the
	// SSO users view.
	SkipInvalidSSOUser = "invalid_sso_user"
)

// DirectoryRecipient is one directory user mapped to recipient fields by
// the caller; the store never sees directory types.
type DirectoryRecipient struct {
	OktaUserID string
	// Active is false for users the directory suspended or deprovisioned.
	Active         bool
	Email          string
	FirstName      string
	LastName       string
	Phone          string
	EmployeeNumber string
	Department     string
	Title          string
	// Attributes are custom attributes from the integration's mapping.
	Attributes map[string]string
}

// Policy is what a run's plan says about rows it did not create.
type Policy struct {
	// DirectoryUpdatesCSV lets the run adopt and update CSV and manual
	// recipients with a user's email.
	DirectoryUpdatesCSV bool
	// DryRun computes the counts but rolls every recipient write back.
	DryRun bool
}

// UserPage is one page of a run's source, ready to apply.
type UserPage struct {
	RunID     string
	OrgID     string
	SourceKey string
	PageNo    int
	// Cursor fetched the page and NextCursor fetches the next one; they are
	// recorded for diagnosis only.
	Cursor     string
	NextCursor string
	// LocationIDs are the locations the source's users become recipients
	// at.
	LocationIDs []string
	Policy      Policy
	Users       []DirectoryRecipient
}

// errDryRun rolls a dry run's recipient writes back to their savepoint.
var errDryRun = errors.New("dry run")

// ApplyUserPage makes the page's users recipients at the source's
// locations in one transaction and returns what it changed. It records the
// page, so applying it again changes nothing and returns the same counts;
// records every user as seen by the run's source, for PlanDeactivation;
// and records why it skipped rows, for RunIssues. A dry run (the run's or
// the policy's) writes no recipient but records the rest.
func (s *Store) ApplyUserPage(ctx context.Context, p UserPage) (models.RunCounts, error) {
	var counts models.RunCounts
	err := s.tx(ctx, func(tx *gorm.DB) error {
		run, done, err := claimPage(tx, p.RunID, p.OrgID, p.SourceKey, p.PageNo, p.Cursor,
			p.NextCursor, &counts)
		if err != nil || done {
			return err
		}
		if err := checkLocations(tx, p.OrgID, p.LocationIDs); err != nil {
			return err
		}

		p.Policy.DryRun = p.Policy.DryRun || run.DryRun
		people := newPeople(p.Users)
		pl, err := s.applyPeople(tx, p, people)
		if err != nil {
			return err
		}
		if err := s.recordSeen(tx, p.RunID, p.SourceKey, people); err != nil {
			return err
		}
		// Last before the page's own row: recordIssues may wait for
		// another page of the run, and must hold no lock that page needs.
		if err := s.recordIssues(tx, p.RunID, pl.issues); err != nil {
			return err
		}
		counts = pl.counts
		return finishPage(tx, p.RunID, p.SourceKey, p.PageNo, counts)
	})
	if err != nil {
		return models.RunCounts{}, fmt.Errorf("store: apply user page %s/%d: %w",
			p.SourceKey, p.PageNo, err)
	}
	return counts, nil
}

// claimPage checks that the run belongs to the organization and inserts
// the page's row. If the row exists, the page was applied before: done is
// true and counts are the ones recorded then. On PostgreSQL a concurrent
// transaction claiming the same page waits here for the first to finish.
// A run that ended (cancelled, say) takes no new pages: ErrConflict.
func claimPage(tx *gorm.DB, runID, orgID, sourceKey string, pageNo int, cursor,
	next string, counts *models.RunCounts) (run models.SyncRun, done bool, err error) {
	run, err = takeRun(tx, orgID, runID)
	if err != nil {
		return run, false, err
	}

	size := columnSize("sync_run_pages", "cursor")
	page := models.SyncRunPage{RunID: runID, SourceKey: sourceKey, PageNo: pageNo,
		Cursor: truncate(cursor, size), NextCursor: truncate(next, size)}
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&page)
	switch {
	case res.Error != nil:
		return run, false, res.Error
	case res.RowsAffected > 0 && slices.Contains(finished, run.Status):
		return run, false, runEnded(run.Status)
	case res.RowsAffected > 0:
		return run, false, nil
	}

	err = tx.Where("run_id = ? AND source_key = ? AND page_no = ?", runID, sourceKey, pageNo).
		Take(&page).Error
	*counts = page.Counts
	return run, true, err
}

// finishPage stores the page's counts on its row.
func finishPage(tx *gorm.DB, runID, sourceKey string, pageNo int, counts models.RunCounts) error {
	return tx.Model(&models.SyncRunPage{}).
		Where("run_id = ? AND source_key = ? AND page_no = ?", runID, sourceKey, pageNo).
		Update("counts", jsonColumn(counts)).Error
}

// applyPeople plans and writes the recipients of one page; the planner
// holds the counts and the issues.
func (s *Store) applyPeople(tx *gorm.DB, p UserPage, people []person) (*planner, error) {
	pl := newPlanner(p.RunID, p.OrgID, p.Policy.DirectoryUpdatesCSV)
	pl.counts.Pages = 1
	pl.counts.Fetched = len(p.Users)
	locs := uniqueStrings(p.LocationIDs)

	if err := s.loadByUser(tx, pl, locs, people); err != nil {
		return pl, err
	}
	if err := s.loadByEmail(tx, pl, locs, people); err != nil {
		return pl, err
	}
	for i := range people {
		pl.plan(&people[i], locs)
	}

	err := s.writePlanned(tx, pl, p.Policy.DryRun)
	return pl, err
}

// loadByUser loads, and on PostgreSQL locks, the rows the page's users
// already have at the locations. The locations were checked to be the
// organization's in this transaction; rows are checked again before use.
func (s *Store) loadByUser(tx *gorm.DB, pl *planner, locs []string, people []person) error {
	var ids []string
	for _, pp := range people {
		if pp.idOK {
			ids = append(ids, pp.oktaID)
		}
	}
	if len(ids) == 0 || len(locs) == 0 {
		return nil
	}
	rows, err := s.dial.lockPairs(tx, "okta_user_id", locs, ids)
	if err != nil {
		return fmt.Errorf("load recipients: %w", err)
	}
	return pl.add(rows)
}

// loadByEmail loads the rows that share an email with a user who is new
// at one of the locations: candidates for adoption or an email clash.
func (s *Store) loadByEmail(tx *gorm.DB, pl *planner, locs []string, people []person) error {
	var emails []string
	for _, pp := range people {
		if pp.ok() && pp.emailNorm != "" && pl.missingAnywhere(pp.oktaID, locs) {
			emails = append(emails, pp.emailNorm)
		}
	}
	if len(emails) == 0 {
		return nil
	}
	rows, err := s.dial.lockPairs(tx, "email_norm", locs, uniqueStrings(emails))
	if err != nil {
		return fmt.Errorf("load recipients by email: %w", err)
	}
	return pl.add(rows)
}

// writePlanned writes the planned rows and counts what was written. A dry
// run writes inside a savepoint that it rolls back, so its counts include
// writes that would have failed.
func (s *Store) writePlanned(tx *gorm.DB, pl *planner, dryRun bool) error {
	write := func(tx *gorm.DB) error {
		now := time.Now().UTC()
		for _, w := range pl.writes {
			w.row.UpdatedAt = now
		}
		inserts, updates := pl.split()
		s.writeRecipients(tx, inserts, onOktaUser)
		s.writeRecipients(tx, updates, onID)
		pl.tally()
		if dryRun {
			return errDryRun
		}
		return nil
	}
	if err := savepoint(tx, write); err != nil && !errors.Is(err, errDryRun) {
		return err
	}
	return nil
}

// recordSeen records that the run's source listed the page's users.
func (s *Store) recordSeen(tx *gorm.DB, runID, sourceKey string, people []person) error {
	seen := make([]models.SyncRunSeen, 0, len(people))
	done := make(map[string]bool, len(people))
	for _, pp := range people {
		if pp.idOK && !done[pp.oktaID] {
			done[pp.oktaID] = true
			seen = append(seen, models.SyncRunSeen{RunID: runID, SourceKey: sourceKey,
				OktaUserID: pp.oktaID})
		}
	}
	if len(seen) == 0 {
		return nil
	}
	err := tx.Clauses(clause.OnConflict{DoNothing: true}).
		CreateInBatches(seen, s.dial.maxParams()/3).Error
	if err != nil {
		return fmt.Errorf("record seen users: %w", err)
	}
	return nil
}

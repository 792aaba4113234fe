package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/mailroom/oktasync/models"
)

// finished lists the statuses that end a run.
var finished = []string{models.RunSucceeded, models.RunFailed, models.RunCancelled,
	models.RunRejected}

// CreateRun stores a new run and the locations each source of its plan
// covers (SyncRunScope). ID, OrgID and IntegrationID must be set; Status
// defaults to running and StartedAt to now. Creating a run whose id exists
// already for the same organization does nothing, so a retried activity
// succeeds. The integration must be the organization's current one.
func (s *Store) CreateRun(ctx context.Context, run models.SyncRun) error {
	if run.ID == "" || run.OrgID == "" || run.IntegrationID == "" {
		return fmt.Errorf("store: create run: a run needs an id, an organization and an "+
			"integration: %w", ErrInvalid)
	}
	if run.Status == "" {
		run.Status = models.RunRunning
	}
	if run.StartedAt.IsZero() {
		run.StartedAt = time.Now().UTC()
	}
	run.Error = truncate(run.Error, columnSize("sync_runs", "error"))

	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := checkRunRefs(tx, run); err != nil {
			return err
		}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&run)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return sameRun(tx, run)
		}
		return createScopes(tx, run)
	})
	if err != nil {
		return fmt.Errorf("store: create run: %w", err)
	}
	return nil
}

// checkRunRefs checks that the run's integration and every location of
// its plan belong to its organization.
func checkRunRefs(tx *gorm.DB, run models.SyncRun) error {
	var n int64
	err := tx.Model(&models.DirectoryIntegration{}).
		Where("org_id = ? AND id = ?", run.OrgID, run.IntegrationID).Count(&n).Error
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("the directory integration was turned off or enabled again "+
			"since the run was planned: %w", ErrConflict)
	}
	locs := slices.Clone(run.Plan.LocationIDs)
	for _, src := range run.Plan.Sources {
		locs = append(locs, src.LocationIDs...)
	}
	return checkLocations(tx, run.OrgID, locs)
}

// sameRun accepts a second create of a run only for the same organization.
func sameRun(tx *gorm.DB, run models.SyncRun) error {
	var cur models.SyncRun
	if err := tx.Where("id = ?", run.ID).Take(&cur).Error; err != nil {
		return notFound(err, errNoRun)
	}
	if cur.OrgID != run.OrgID {
		return fmt.Errorf("another organization's run has this id: %w", ErrConflict)
	}
	return nil
}

// createScopes records which locations each source of the run covers.
func createScopes(tx *gorm.DB, run models.SyncRun) error {
	var scopes []models.SyncRunScope
	for _, src := range run.Plan.Sources {
		for _, loc := range uniqueStrings(src.LocationIDs) {
			scopes = append(scopes, models.SyncRunScope{RunID: run.ID,
				SourceKey: src.Key, LocationID: loc})
		}
	}
	if len(scopes) == 0 {
		return nil
	}
	return tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(scopes, 1000).Error
}

// Run returns one of the organization's runs.
func (s *Store) Run(ctx context.Context, orgID, runID string) (models.SyncRun, error) {
	run, err := takeRun(s.conn(ctx), orgID, runID)
	if err != nil {
		return run, fmt.Errorf("store: run: %w", err)
	}
	return run, nil
}

// ListRuns returns the organization's most recent runs, newest first; limit
// 0 means 20.
func (s *Store) ListRuns(ctx context.Context, orgID string, limit int) ([]models.SyncRun, error) {
	if limit <= 0 {
		limit = 20
	}
	var runs []models.SyncRun
	err := s.conn(ctx).Where("org_id = ?", orgID).
		Order("started_at DESC, id DESC").Limit(limit).Find(&runs).Error
	if err != nil {
		return nil, fmt.Errorf("store: list runs: %w", err)
	}
	return runs, nil
}

// errNoActiveRun is the error of an organization with no run going on.
var errNoActiveRun = fmt.Errorf("no run is running or held: %w", ErrNotFound)

// ActiveRun returns the organization's newest run that is running or held,
// or ErrNotFound when none is.
func (s *Store) ActiveRun(ctx context.Context, orgID string) (models.SyncRun, error) {
	var run models.SyncRun
	err := s.conn(ctx).
		Where("org_id = ? AND status IN ?", orgID, []string{models.RunRunning, models.RunHeld}).
		Order("started_at DESC, id DESC").Take(&run).Error
	if err != nil {
		return run, fmt.Errorf("store: active run: %w", notFound(err, errNoActiveRun))
	}
	return run, nil
}

// SetRunStatus sets an unfinished run back to running (a held run that was
// answered); hold a run with HoldRun, which also stores its report so far,
// and end one with FinishRun.
func (s *Store) SetRunStatus(ctx context.Context, runID, status string) error {
	if status != models.RunRunning {
		return fmt.Errorf("store: set run status: status %q is not running: %w",
			status, ErrInvalid)
	}
	err := s.updateRun(s.conn(ctx), runID, status, map[string]any{"status": status})
	if err != nil {
		return fmt.Errorf("store: set run status: %w", err)
	}
	return nil
}

// HoldRun parks a running run until an admin approves or rejects its
// deactivations. It stores on the run the counts so far, as RunCounts adds
// them up, with Held set to wouldDeactivate, so the held run's report shows
// what it did and what it would deactivate. Holding a held run again
// stores the counts again; holding a finished one is ErrConflict.
func (s *Store) HoldRun(ctx context.Context, runID string, wouldDeactivate int) error {
	if wouldDeactivate < 0 {
		return fmt.Errorf("store: hold run: the count of held deactivations is negative: %w",
			ErrInvalid)
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		// The lock keeps a concurrent FinishRun from ending the run
		// between reading its status and holding it.
		run, err := runOf(s.dial.forUpdate(tx), runID)
		if err != nil {
			return err
		}
		if slices.Contains(finished, run.Status) {
			return runEnded(run.Status)
		}
		counts, err := sumCounts(tx, run)
		if err != nil {
			return err
		}
		counts.Held = wouldDeactivate
		set := map[string]any{"status": models.RunHeld, "counts": jsonColumn(counts)}
		return tx.Model(&models.SyncRun{}).Where("id = ?", runID).Updates(set).Error
	})
	if err != nil {
		return fmt.Errorf("store: hold run: %w", err)
	}
	return nil
}

// FinishRun ends a running or held run with a final status, its counts and
// the error that ended it, if any. Finishing it again with the same status
// does nothing, so a retried activity succeeds.
func (s *Store) FinishRun(ctx context.Context, runID, status string, counts models.RunCounts,
	errMsg string) error {
	if !slices.Contains(finished, status) {
		return fmt.Errorf("store: finish run: status %q is not one of %s: %w", status,
			strings.Join(finished, ", "), ErrInvalid)
	}
	set := map[string]any{"status": status, "counts": jsonColumn(counts),
		"error":       truncate(errMsg, columnSize("sync_runs", "error")),
		"finished_at": time.Now().UTC()}
	if err := s.updateRun(s.conn(ctx), runID, status, set); err != nil {
		return fmt.Errorf("store: finish run: %w", err)
	}
	return nil
}

// updateRun writes set on an unfinished run. A run already in status is
// left alone; a finished one in another status is ErrConflict.
func (s *Store) updateRun(q *gorm.DB, runID, status string, set map[string]any) error {
	res := q.Model(&models.SyncRun{}).
		Where("id = ? AND status IN ? AND status <> ?", runID,
			[]string{models.RunRunning, models.RunHeld}, status).
		Updates(set)
	if res.Error != nil || res.RowsAffected > 0 {
		return res.Error
	}

	var cur models.SyncRun
	if err := q.Select("id", "status").Where("id = ?", runID).Take(&cur).Error; err != nil {
		return notFound(err, errNoRun)
	}
	if cur.Status == status {
		return nil
	}
	return runEnded(cur.Status)
}

// RunPage returns the record of a page the run applied; ok is false when
// it has not applied the page.
func (s *Store) RunPage(ctx context.Context, runID, sourceKey string, pageNo int) (
	page models.SyncRunPage, ok bool, err error) {
	err = s.conn(ctx).Where("run_id = ? AND source_key = ? AND page_no = ?", runID, sourceKey,
		pageNo).Take(&page).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return page, false, nil
	case err != nil:
		return page, false, fmt.Errorf("store: run page: %w", err)
	}
	return page, true, nil
}

// RunCounts adds up what a run did so far: the counts of every page it
// applied and the deactivations it applied.
func (s *Store) RunCounts(ctx context.Context, runID string) (models.RunCounts, error) {
	run, err := runOf(s.conn(ctx), runID)
	if err != nil {
		return models.RunCounts{}, fmt.Errorf("store: run counts: %w", err)
	}
	total, err := sumCounts(s.conn(ctx), run)
	if err != nil {
		return models.RunCounts{}, fmt.Errorf("store: run counts: %w", err)
	}
	return total, nil
}

// sumCounts adds up the counts of every page the run applied and the
// deactivations it applied.
func sumCounts(q *gorm.DB, run models.SyncRun) (models.RunCounts, error) {
	var pages []models.SyncRunPage
	err := q.Select("counts").Where("run_id = ?", run.ID).Find(&pages).Error
	if err != nil {
		return models.RunCounts{}, fmt.Errorf("add up page counts: %w", err)
	}
	var total models.RunCounts
	for _, p := range pages {
		addCounts(&total, p.Counts)
	}
	if run.AppliedDeactivations != nil {
		total.Deactivated += *run.AppliedDeactivations
	}
	return total, nil
}

// addCounts adds c to total.
func addCounts(total *models.RunCounts, c models.RunCounts) {
	total.Pages += c.Pages
	total.Fetched += c.Fetched
	total.Created += c.Created
	total.Updated += c.Updated
	total.Unchanged += c.Unchanged
	total.Reactivated += c.Reactivated
	total.Deactivated += c.Deactivated
	total.Held += c.Held
	total.NoEmail += c.NoEmail
	total.SSOUsers += c.SSOUsers
	for k, v := range c.Skipped {
		skip(total, k, v)
	}
}

// skip adds n to the skipped count for reason.
func skip(c *models.RunCounts, reason string, n int) {
	if n == 0 {
		return
	}
	if c.Skipped == nil {
		c.Skipped = map[string]int{}
	}
	c.Skipped[reason] += n
}

// errNoRun is the error of a run that does not exist, or not in the
// organization.
var errNoRun = fmt.Errorf("the run does not exist: %w", ErrNotFound)

// runEnded is the error of a change to a run that ended already.
func runEnded(status string) error {
	return fmt.Errorf("the run has already ended as %s: %w", status, ErrConflict)
}

// takeRun loads one of the organization's runs.
func takeRun(q *gorm.DB, orgID, runID string) (models.SyncRun, error) {
	var run models.SyncRun
	err := q.Where("org_id = ? AND id = ?", orgID, runID).Take(&run).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return run, errNoRun
	}
	return run, err
}

// runOf loads the run runID for a step that derives its organization from
// it, so every later query of the step is scoped by that organization.
func runOf(tx *gorm.DB, runID string) (models.SyncRun, error) {
	var run models.SyncRun
	err := tx.Where("id = ?", runID).Take(&run).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return run, errNoRun
	}
	return run, err
}

package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/mailroom/oktasync/models"
)

// maxRunIssues caps the issues one run records: enough to find the
// pattern in a directory's bad records without storing a row per user of
// a broken mapping. The run's counts stay exact past it.
const maxRunIssues = 1000

// recordIssues stores a page's issues while its run has fewer than
// maxRunIssues. Pages of a run may commit concurrently; on PostgreSQL they
// take turns here until commit, so the cap holds exactly.
func (s *Store) recordIssues(tx *gorm.DB, runID string, issues []models.SyncRunIssue) error {
	if len(issues) == 0 {
		return nil
	}
	if err := s.dial.lockRunIssues(tx, runID); err != nil {
		return fmt.Errorf("lock run issues: %w", err)
	}

	var n int64
	err := tx.Model(&models.SyncRunIssue{}).Where("run_id = ?", runID).Count(&n).Error
	if err != nil {
		return fmt.Errorf("count run issues: %w", err)
	}
	room := maxRunIssues - int(n)
	if room <= 0 {
		return nil
	}
	issues = issues[:min(room, len(issues))]
	if err := tx.CreateInBatches(issues, s.dial.maxParams()/8).Error; err != nil {
		return fmt.Errorf("record run issues: %w", err)
	}
	return nil
}

// RunIssues lists the rows the organization's run skipped, in the order it
// met them, and how many issues it recorded in all. A run records at most
// 1,000 issues; its counts hold the exact number of skipped rows. limit
// defaults to 100 and is capped at 1000.
func (s *Store) RunIssues(ctx context.Context, orgID, runID string, limit, offset int) (
	[]models.SyncRunIssue, int, error) {
	if _, err := takeRun(s.conn(ctx), orgID, runID); err != nil {
		return nil, 0, fmt.Errorf("store: run issues: %w", err)
	}

	q := s.conn(ctx).Model(&models.SyncRunIssue{}).
		Where("org_id = ? AND run_id = ?", orgID, runID)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: run issues: %w", err)
	}
	var issues []models.SyncRunIssue
	err := q.Order("id").Limit(pageLimit(limit)).Offset(max(offset, 0)).Find(&issues).Error
	if err != nil {
		return nil, 0, fmt.Errorf("store: run issues: %w", err)
	}
	return issues, int(total), nil
}

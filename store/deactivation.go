package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/mailroom/oktasync/models"
)

// Deactivation is what deactivating a run's missing recipients would do.
type Deactivation struct {
	// WouldDeactivate counts the active directory recipients the run did
	// not see at their location.
	WouldDeactivate int
	// ActiveDirectoryRecipients counts the organization's active directory
	// recipients, the base of the brake's percentage.
	ActiveDirectoryRecipients int
	// ByLocation breaks both numbers down by location, in location id order,
	// listing only locations with active directory recipients.
	ByLocation []LocationDeactivation
}

// LocationDeactivation is one location's share of a Deactivation.
type LocationDeactivation struct {
	LocationID      string
	WouldDeactivate int
	Active          int
}

// missingWhere selects the org's active directory recipients that no
// source of the run covering their location listed. A location no source
// covers any more (its mapping was removed) has no seen rows at all, so
// all its directory recipients qualify. CSV and manual recipients never
// do, adopted or not. The outer table must be named recipients.
const missingWhere = `recipients.org_id = ? AND recipients.provenance = ?
	AND recipients.active = ? AND recipients.okta_user_id IS NOT NULL
	AND NOT EXISTS (
		SELECT 1 FROM sync_run_scopes sc
		JOIN sync_run_seens seen
			ON seen.run_id = sc.run_id AND seen.source_key = sc.source_key
		WHERE sc.run_id = ? AND sc.location_id = recipients.location_id
			AND seen.okta_user_id = recipients.okta_user_id)`

// missingArgs are the parameters of missingWhere.
func missingArgs(orgID, runID string) []any {
	return []any{orgID, models.ProvenanceDirectory, true, runID}
}

// PlanDeactivation counts the recipients ApplyDeactivation would
// deactivate. Call it only after the run applied every page of every
// source; otherwise users on pages not yet applied count as missing.
func (s *Store) PlanDeactivation(ctx context.Context, runID string) (Deactivation, error) {
	var d Deactivation
	run, err := runOf(s.conn(ctx), runID)
	if err != nil {
		return d, fmt.Errorf("store: plan deactivation: %w", err)
	}

	type tally struct {
		LocationID string
		N          int
	}
	var active, missing []tally
	err = s.conn(ctx).Model(&models.Recipient{}).Select("location_id, COUNT(*) AS n").
		Where("org_id = ? AND provenance = ? AND active = ?", run.OrgID,
			models.ProvenanceDirectory, true).
		Group("location_id").Order("location_id").Scan(&active).Error
	if err != nil {
		return d, fmt.Errorf("store: plan deactivation: count active: %w", err)
	}
	err = s.conn(ctx).Model(&models.Recipient{}).Select("location_id, COUNT(*) AS n").
		Where(missingWhere, missingArgs(run.OrgID, runID)...).
		Group("location_id").Scan(&missing).Error
	if err != nil {
		return d, fmt.Errorf("store: plan deactivation: count missing: %w", err)
	}

	byLoc := map[string]int{}
	for _, m := range missing {
		byLoc[m.LocationID] = m.N
		d.WouldDeactivate += m.N
	}
	for _, a := range active {
		d.ActiveDirectoryRecipients += a.N
		d.ByLocation = append(d.ByLocation, LocationDeactivation{LocationID: a.LocationID,
			WouldDeactivate: byLoc[a.LocationID], Active: a.N})
	}
	return d, nil
}

// ApplyDeactivation deactivates the recipients PlanDeactivation counts
// (InactiveReason missing) and records how many on the run. Applying again
// deactivates nothing more and returns the recorded count. A dry run only
// plans, and a run that ended without applying them (rejected at the
// brake, say) never will: applying either is ErrConflict.
func (s *Store) ApplyDeactivation(ctx context.Context, runID string) (int, error) {
	var n int
	err := s.tx(ctx, func(tx *gorm.DB) error {
		run, err := runOf(s.dial.forUpdate(tx), runID)
		switch {
		case err != nil:
			return err
		case run.DryRun:
			return fmt.Errorf("a dry run deactivates no one: %w", ErrConflict)
		case run.AppliedDeactivations != nil:
			n = *run.AppliedDeactivations
			return nil
		case slices.Contains(finished, run.Status):
			return runEnded(run.Status)
		}

		res := tx.Model(&models.Recipient{}).Where(missingWhere, missingArgs(run.OrgID, runID)...).
			Updates(map[string]any{"active": false, "inactive_reason": models.InactiveMissing,
				"changed_run_id": runID, "updated_at": time.Now().UTC()})
		if res.Error != nil {
			return res.Error
		}
		n = int(res.RowsAffected)
		return tx.Model(&models.SyncRun{}).Where("id = ?", runID).
			Update("applied_deactivations", n).Error
	})
	if err != nil {
		return 0, fmt.Errorf("store: apply deactivation: %w", err)
	}
	return n, nil
}

// PruneSeen deletes the seen users and page records of the organization's
// finished runs other than keepRunIDs; a finished run's counts live on the
// run itself. It returns how many rows it deleted.
func (s *Store) PruneSeen(ctx context.Context, orgID string, keepRunIDs []string) (int, error) {
	old := s.conn(ctx).Model(&models.SyncRun{}).Select("id").
		Where("org_id = ? AND finished_at IS NOT NULL", orgID)
	if len(keepRunIDs) > 0 {
		old = old.Where("id NOT IN ?", keepRunIDs)
	}

	var total int64
	err := s.tx(ctx, func(tx *gorm.DB) error {
		for _, m := range []any{&models.SyncRunSeen{}, &models.SyncRunPage{}} {
			res := tx.Where("run_id IN (?)", old).Delete(m)
			if res.Error != nil {
				return res.Error
			}
			total += res.RowsAffected
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: prune seen: %w", err)
	}
	return int(total), nil
}

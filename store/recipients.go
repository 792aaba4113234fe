package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/mailroom/oktasync/models"
)

// RecipientFilter narrows ListRecipients; zero fields match everything.
type RecipientFilter struct {
	LocationID string
	Active     *bool
	// Provenance is models.ProvenanceDirectory, ProvenanceCSV or
	// ProvenanceManual.
	Provenance string
	// Limit defaults to 100 and is capped at 1000.
	Limit  int
	Offset int
}

// ListRecipients lists the organization's recipients in id order.
func (s *Store) ListRecipients(ctx context.Context, orgID string, f RecipientFilter) (
	[]models.Recipient, error) {
	q := s.conn(ctx).Where("org_id = ?", orgID)
	if f.LocationID != "" {
		q = q.Where("location_id = ?", f.LocationID)
	}
	if f.Active != nil {
		q = q.Where("active = ?", *f.Active)
	}
	if f.Provenance != "" {
		q = q.Where("provenance = ?", f.Provenance)
	}
	var rs []models.Recipient
	err := q.Order("id").Limit(pageLimit(f.Limit)).Offset(max(f.Offset, 0)).Find(&rs).Error
	if err != nil {
		return nil, fmt.Errorf("store: list recipients: %w", err)
	}
	return rs, nil
}

// Recipient returns one of the organization's recipients.
func (s *Store) Recipient(ctx context.Context, orgID string, id int64) (
	models.Recipient, error) {
	var r models.Recipient
	err := s.conn(ctx).Where("org_id = ? AND id = ?", orgID, id).Take(&r).Error
	if err != nil {
		return r, fmt.Errorf("store: recipient: %w", notFound(err, errNoRecipient))
	}
	return r, nil
}

// errNoRecipient is the error of a recipient that does not exist, or not
// in the organization.
var errNoRecipient = fmt.Errorf("the recipient does not exist: %w", ErrNotFound)

// RecipientCount is how many recipients of one location, provenance and
// activity there are.
type RecipientCount struct {
	LocationID string
	Provenance string
	Active     bool
	N          int
}

// CountRecipients counts the organization's recipients by location,
// provenance and activity, in that order.
func (s *Store) CountRecipients(ctx context.Context, orgID string) ([]RecipientCount, error) {
	var cs []RecipientCount
	err := s.conn(ctx).Model(&models.Recipient{}).
		Select("location_id, provenance, active, COUNT(*) AS n").
		Where("org_id = ?", orgID).Group("location_id, provenance, active").
		Order("location_id, provenance, active").Scan(&cs).Error
	if err != nil {
		return nil, fmt.Errorf("store: count recipients: %w", err)
	}
	return cs, nil
}

// SetRecipientActive activates or deactivates a recipient from the
// mailroom app; a deactivation records InactiveReason local. A later sync
// reactivates a directory recipient whose user is active: the directory
// owns its rows.
func (s *Store) SetRecipientActive(ctx context.Context, orgID string, id int64,
	active bool) error {
	reason := models.InactiveLocal
	if active {
		reason = ""
	}
	res := s.conn(ctx).Model(&models.Recipient{}).Where("org_id = ? AND id = ?", orgID, id).
		Updates(map[string]any{"active": active, "inactive_reason": reason,
			"updated_at": time.Now().UTC()})
	if res.Error != nil {
		return fmt.Errorf("store: set recipient active: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: set recipient active: %w", errNoRecipient)
	}
	return nil
}

// ManualRecipient is what an admin types to add a recipient by hand.
type ManualRecipient struct {
	Email          string
	FirstName      string
	LastName       string
	Phone          string
	EmployeeNumber string
	Department     string
	Title          string
}

// CreateManualRecipient adds an active recipient by hand at one of the
// organization's locations. The email must be set; a recipient with the
// same email at the location is ErrConflict.
func (s *Store) CreateManualRecipient(ctx context.Context, orgID, locationID string,
	m ManualRecipient) (models.Recipient, error) {
	r := models.Recipient{OrgID: orgID, LocationID: locationID,
		Provenance: models.ProvenanceManual, Active: true,
		Email: CleanText(m.Email), EmailNorm: NormalizeEmail(m.Email),
		FirstName: CleanText(m.FirstName), LastName: CleanText(m.LastName),
		Phone: CleanText(m.Phone), EmployeeNumber: CleanText(m.EmployeeNumber),
		Department: CleanText(m.Department), Title: CleanText(m.Title)}
	if problem := EmailProblem(r.Email); problem != "" {
		return r, fmt.Errorf("store: create manual recipient: %s: %w", problem, ErrInvalid)
	}
	if err := validateRecipient(&r); err != nil {
		return r, fmt.Errorf("store: create manual recipient: %w", err)
	}

	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := checkLocations(tx, orgID, []string{locationID}); err != nil {
			return err
		}
		var n int64
		err := tx.Model(&models.Recipient{}).
			Where("org_id = ? AND location_id = ? AND email_norm = ?", orgID, locationID,
				r.EmailNorm).Count(&n).Error
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("a recipient with this email already exists at the "+
				"location: %w", ErrConflict)
		}
		return tx.Create(&r).Error
	})
	if err != nil {
		return models.Recipient{}, fmt.Errorf("store: create manual recipient: %w", err)
	}
	return r, nil
}

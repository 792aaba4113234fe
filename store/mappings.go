package store

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/mailroom/oktasync/models"
)

// ReplaceGroupMappings makes mappings the organization's only group
// mappings. Only OktaGroupID, LocationID and GroupName of each are read;
// repeats of a (group, location) pair are dropped. A location of another
// organization is ErrNotFound and changes nothing.
func (s *Store) ReplaceGroupMappings(ctx context.Context, orgID string,
	mappings []models.GroupMapping) error {
	rows, locIDs, err := groupMappingRows(orgID, mappings)
	if err != nil {
		return fmt.Errorf("store: replace group mappings: %w", err)
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := checkLocations(tx, orgID, locIDs); err != nil {
			return err
		}
		if err := tx.Where("org_id = ?", orgID).Delete(&models.GroupMapping{}).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		return tx.CreateInBatches(rows, 1000).Error
	})
	if err != nil {
		return fmt.Errorf("store: replace group mappings: %w", err)
	}
	return nil
}

// groupMappingRows validates mappings and turns them into new rows.
func groupMappingRows(orgID string, mappings []models.GroupMapping) (
	[]models.GroupMapping, []string, error) {
	type pair struct{ group, loc string }
	seen := map[pair]bool{}
	var rows []models.GroupMapping
	var locIDs []string
	for _, m := range mappings {
		m.OktaGroupID = strings.TrimSpace(m.OktaGroupID)
		m.GroupName = truncate(CleanText(m.GroupName), columnSize("group_mappings", "group_name"))
		if m.OktaGroupID == "" || m.LocationID == "" {
			return nil, nil, fmt.Errorf("every group mapping needs a group and a "+
				"location: %w", ErrInvalid)
		}
		err := checkText("the Okta group id", m.OktaGroupID,
			columnSize("group_mappings", "okta_group_id"))
		if err != nil {
			return nil, nil, err
		}
		if p := (pair{m.OktaGroupID, m.LocationID}); !seen[p] {
			seen[p] = true
			rows = append(rows, models.GroupMapping{OrgID: orgID, OktaGroupID: m.OktaGroupID,
				LocationID: m.LocationID, GroupName: m.GroupName})
			locIDs = append(locIDs, m.LocationID)
		}
	}
	return rows, locIDs, nil
}

// GroupMappings lists the organization's group mappings.
func (s *Store) GroupMappings(ctx context.Context, orgID string) ([]models.GroupMapping, error) {
	var ms []models.GroupMapping
	err := s.conn(ctx).Where("org_id = ?", orgID).
		Order("okta_group_id, location_id").Find(&ms).Error
	if err != nil {
		return nil, fmt.Errorf("store: list group mappings: %w", err)
	}
	return ms, nil
}

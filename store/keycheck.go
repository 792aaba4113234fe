package store

import (
	"context"
	"fmt"

	"gorm.io/gorm/clause"

	"github.com/mailroom/oktasync/models"
)

// secretKeyCheck is the id of the key check of the secret key that seals
// integration keys.
const secretKeyCheck = "secret-key"

// EnsureKeyCheck stores sealed as the secret key's canary unless one is
// stored already, and returns the stored one. Processes that start at the
// same moment all get the canary of whichever stored it first; each opens
// it with its own key to prove they all share one. The canary belongs to
// the whole service, not to an organization.
func (s *Store) EnsureKeyCheck(ctx context.Context, sealed []byte) ([]byte, error) {
	if len(sealed) == 0 {
		return nil, fmt.Errorf("store: ensure key check: the sealed canary is empty: %w",
			ErrInvalid)
	}

	// Inserting first and reading back is race-free on both dialects: a
	// second insert of the id does nothing, on PostgreSQL after waiting for
	// the first one's transaction.
	row := models.KeyCheck{ID: secretKeyCheck, Sealed: sealed}
	err := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
	if err != nil {
		return nil, fmt.Errorf("store: ensure key check: %w", err)
	}

	var cur models.KeyCheck
	if err := s.conn(ctx).Where("id = ?", secretKeyCheck).Take(&cur).Error; err != nil {
		return nil, fmt.Errorf("store: ensure key check: %w", err)
	}
	return cur.Sealed, nil
}

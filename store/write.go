package store

import (
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/mailroom/oktasync/models"
)

// recipientColumns is how many columns an insert of a recipient binds; it
// sizes batches against the dialect's parameter limit.
const recipientColumns = 20

// recipientUpdates are the columns a sync or an import may change on an
// existing recipient. Provenance, the location and the creating run never
// change.
var recipientUpdates = []string{
	"okta_user_id", "email", "email_norm", "first_name", "last_name", "phone",
	"employee_number", "department", "title", "attributes", "active",
	"inactive_reason", "changed_run_id", "updated_at",
}

// Upserts for new directory rows, keyed by (location, Okta user), and for
// rows that exist already, keyed by id. Both are INSERT … ON CONFLICT … DO
// UPDATE, which PostgreSQL and SQLite (3.24 and later) share.
var (
	conflictOnOktaUser = &clause.OnConflict{
		Columns:   []clause.Column{{Name: "location_id"}, {Name: "okta_user_id"}},
		DoUpdates: clause.AssignmentColumns(recipientUpdates),
	}
	conflictOnID = &clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns(recipientUpdates),
	}
)

// writeRecipients upserts ws in batches as large as the dialect allows; a
// nil conflict makes plain inserts.
// Each batch runs in a savepoint; if it fails, its rows are retried one by
// one, each in its own savepoint, so a bad row costs only itself: its err
// is set and the others are stored.
func (s *Store) writeRecipients(tx *gorm.DB, ws []*write, conflict *clause.OnConflict) {
	size := s.dial.maxParams() / recipientColumns
	for start := 0; start < len(ws); start += size {
		chunk := ws[start:min(start+size, len(ws))]
		err := upsertChunk(tx, chunk, conflict)
		if err == nil {
			continue
		}
		s.log.Warn("recipient batch failed, retrying row by row",
			"rows", len(chunk), "err", err)
		for _, w := range chunk {
			w.err = upsertChunk(tx, []*write{w}, conflict)
		}
	}
}

// upsertChunk writes one statement's worth of rows inside a savepoint.
func upsertChunk(tx *gorm.DB, chunk []*write, conflict *clause.OnConflict) error {
	rows := make([]*models.Recipient, len(chunk))
	for i, w := range chunk {
		rows[i] = w.row
	}
	return tx.Transaction(func(tx *gorm.DB) error {
		if conflict != nil {
			tx = tx.Clauses(*conflict)
		}
		return tx.Create(&rows).Error
	})
}

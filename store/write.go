package store

import (
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/mailroom/oktasync/models"
)

// upsertKey says what a recipient write conflicts on.
type upsertKey int

const (
	// plainInsert adds rows that conflict with nothing, such as CSV rows.
	plainInsert upsertKey = iota
	// onOktaUser adds directory rows, keyed by (location, Okta user).
	onOktaUser
	// onID rewrites rows that exist already, keyed by id.
	onID
)

// recipientColumns is how many columns an insert of a recipient binds; it
// sizes GORM's batches against the dialect's parameter limit.
const recipientColumns = 20

// pgBatchRows caps the rows of one PostgreSQL array upsert; the arrays
// travel as 19 parameters, so only memory bounds it.
const pgBatchRows = 5000

// recipientUpdates are the columns a sync or an import may change on an
// existing recipient. Provenance, the location and the creating run never
// change.
var recipientUpdates = []string{
	"okta_user_id", "email", "email_norm", "first_name", "last_name", "phone",
	"employee_number", "department", "title", "attributes", "active",
	"inactive_reason", "changed_run_id", "updated_at",
}

// conflicts are the ON CONFLICT clauses of GORM's upserts. Both dialects
// share INSERT … ON CONFLICT … DO UPDATE (SQLite since 3.24).
var conflicts = map[upsertKey]*clause.OnConflict{
	onOktaUser: {
		Columns:   []clause.Column{{Name: "location_id"}, {Name: "okta_user_id"}},
		DoUpdates: clause.AssignmentColumns(recipientUpdates),
	},
	onID: {
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns(recipientUpdates),
	},
}

// writeRecipients upserts ws in batches. Each batch runs in a savepoint; if
// it fails, its rows are retried one by one, each in its own savepoint, so
// a bad row costs only itself: its err is set and the others are stored.
// New rows get their ids.
func (s *Store) writeRecipients(tx *gorm.DB, ws []*write, key upsertKey) {
	size := s.dial.maxParams() / recipientColumns
	if s.dial.isPostgres() {
		size = pgBatchRows
	}
	for start := 0; start < len(ws); start += size {
		chunk := ws[start:min(start+size, len(ws))]
		err := s.upsertChunk(tx, chunk, key)
		if err == nil {
			continue
		}
		s.log.Warn("recipient batch failed, retrying row by row",
			"rows", len(chunk), "err", err)
		for _, w := range chunk {
			w.err = s.upsertChunk(tx, []*write{w}, key)
		}
	}
}

// upsertChunk writes one statement's worth of rows inside a savepoint.
func (s *Store) upsertChunk(tx *gorm.DB, chunk []*write, key upsertKey) error {
	return savepoint(tx, func(tx *gorm.DB) error {
		if s.dial.isPostgres() {
			return pgUpsert(tx, chunk, key)
		}
		rows := make([]*models.Recipient, len(chunk))
		for i, w := range chunk {
			rows[i] = w.row
		}
		if c := conflicts[key]; c != nil {
			tx = tx.Clauses(*c)
		}
		return tx.Create(&rows).Error
	})
}

// savepoint runs fn inside a savepoint of tx: if fn fails, its writes are
// rolled back and the transaction stays usable. GORM's nested transactions
// never release their savepoints, and every open one costs: SQLite journals
// each page written under it once more, PostgreSQL keeps a subtransaction
// per savepoint and slows down past 64 of them, as a page or an import of
// many batches would open. So this one is released.
func savepoint(tx *gorm.DB, fn func(tx *gorm.DB) error) error {
	const name = "store_batch"
	if err := tx.Exec("SAVEPOINT " + name).Error; err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		if rerr := tx.Exec("ROLLBACK TO SAVEPOINT " + name).Error; rerr != nil {
			return errors.Join(err, rerr)
		}
		return errors.Join(err, tx.Exec("RELEASE SAVEPOINT "+name).Error)
	}
	return tx.Exec("RELEASE SAVEPOINT " + name).Error
}

package store

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// pgInsertColumns are the recipient columns an array upsert fills, with
// the array type each travels as.
var pgInsertColumns = []struct{ name, typ string }{
	{"org_id", "text"}, {"location_id", "text"}, {"okta_user_id", "text"},
	{"provenance", "text"}, {"email", "text"}, {"email_norm", "text"},
	{"first_name", "text"}, {"last_name", "text"}, {"phone", "text"},
	{"employee_number", "text"}, {"department", "text"}, {"title", "text"},
	{"attributes", "text"}, {"active", "boolean"}, {"inactive_reason", "text"},
	{"created_run_id", "text"}, {"changed_run_id", "text"},
	{"created_at", "timestamptz"}, {"updated_at", "timestamptz"},
}

// pgUpsertSQL are the array upserts by key. A multi-row VALUES list binds
// a parameter per field, 40,000 for a page of 2,000 rows, and PostgreSQL
// spends most of the statement parsing and planning them; unnest binds one
// array per column, so the statement is prepared once per connection and
// costs little more than the rows it writes.
var pgUpsertSQL = map[upsertKey]string{
	plainInsert: pgUpsertStatement(false, ""),
	onOktaUser:  pgUpsertStatement(false, "location_id, okta_user_id"),
	onID:        pgUpsertStatement(true, "id"),
}

func pgUpsertStatement(withID bool, conflict string) string {
	var cols, arrays []string
	if withID {
		cols, arrays = append(cols, "id"), append(arrays, "$1::bigint[]")
	}
	for _, c := range pgInsertColumns {
		cols = append(cols, c.name)
		arrays = append(arrays, fmt.Sprintf("$%d::%s[]", len(arrays)+1, c.typ))
	}
	sql := "INSERT INTO recipients (" + strings.Join(cols, ", ") + ") SELECT * FROM unnest(" +
		strings.Join(arrays, ", ") + ")"
	if conflict != "" {
		sets := make([]string, len(recipientUpdates))
		for i, c := range recipientUpdates {
			sets[i] = c + " = EXCLUDED." + c
		}
		sql += " ON CONFLICT (" + conflict + ") DO UPDATE SET " + strings.Join(sets, ", ")
	}
	return sql + " RETURNING id, location_id, email_norm"
}

// pgUpsert writes chunk with one array upsert and stores the ids of the
// rows. It checks that the returned rows line up with the input, which a
// plain INSERT … SELECT preserves, before trusting the ids.
func pgUpsert(tx *gorm.DB, chunk []*write, key upsertKey) error {
	args, err := pgArrays(chunk, key == onID)
	if err != nil {
		return err
	}
	rows, err := tx.Statement.ConnPool.QueryContext(tx.Statement.Context, pgUpsertSQL[key],
		args...)
	if err != nil {
		return err
	}
	defer rows.Close()

	i := 0
	for ; rows.Next(); i++ {
		var id int64
		var loc, email string
		if err := rows.Scan(&id, &loc, &email); err != nil {
			return err
		}
		if i >= len(chunk) || chunk[i].row.LocationID != loc || chunk[i].row.EmailNorm != email {
			return fmt.Errorf("upsert returned rows out of order")
		}
		chunk[i].row.ID = id
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if i != len(chunk) {
		return fmt.Errorf("upsert returned %d rows for %d", i, len(chunk))
	}
	return nil
}

// pgArrays turns chunk into one array per column, in pgInsertColumns order.
func pgArrays(chunk []*write, withID bool) ([]any, error) {
	n := len(chunk)
	ids := make([]int64, n)
	// The text columns, in pgInsertColumns order without okta_user_id and
	// attributes, which may be NULL.
	text := make([][]string, 14)
	for i := range text {
		text[i] = make([]string, n)
	}
	oktaIDs, attrs := make([]*string, n), make([]*string, n)
	active := make([]bool, n)
	created, updated := make([]time.Time, n), make([]time.Time, n)

	for i, w := range chunk {
		r := w.row
		if r.CreatedAt.IsZero() {
			r.CreatedAt = r.UpdatedAt
		}
		ids[i], oktaIDs[i], active[i] = r.ID, r.OktaUserID, r.Active
		created[i], updated[i] = r.CreatedAt, r.UpdatedAt
		// GORM's JSON serializer stores a nil map as NULL; do the same.
		if r.Attributes != nil {
			b, err := json.Marshal(r.Attributes)
			if err != nil {
				return nil, fmt.Errorf("encode attributes: %w", err)
			}
			a := string(b)
			attrs[i] = &a
		}
		for j, v := range []string{r.OrgID, r.LocationID, r.Provenance, r.Email,
			r.EmailNorm, r.FirstName, r.LastName, r.Phone, r.EmployeeNumber,
			r.Department, r.Title, r.InactiveReason, r.CreatedRunID, r.ChangedRunID} {
			text[j][i] = v
		}
	}

	args := []any{text[0], text[1], oktaIDs, text[2], text[3], text[4], text[5], text[6],
		text[7], text[8], text[9], text[10], attrs, active, text[11], text[12], text[13],
		created, updated}
	if withID {
		args = append([]any{ids}, args...)
	}
	return args, nil
}

package store

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/mailroom/oktasync/models"
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

// pgArrays turns chunk into one array per column, in pgInsertColumns
// order, with the ids first when withID.
func pgArrays(chunk []*write, withID bool) ([]any, error) {
	var c pgColumns
	for _, w := range chunk {
		if err := c.add(w.row); err != nil {
			return nil, err
		}
	}
	args := []any{c.text[0], c.text[1], c.oktaIDs}
	for _, t := range c.text[2:11] {
		args = append(args, t)
	}
	args = append(args, c.attrs, c.active, c.text[11], c.text[12], c.text[13],
		c.created, c.updated)
	if withID {
		args = append([]any{c.ids}, args...)
	}
	return args, nil
}

// pgColumns gathers a batch of recipients column by column. text holds the
// text columns that are never NULL, in pgInsertColumns order; okta_user_id
// and attributes may be NULL.
type pgColumns struct {
	ids              []int64
	text             [14][]string
	oktaIDs, attrs   []*string
	active           []bool
	created, updated []time.Time
}

func (c *pgColumns) add(r *models.Recipient) error {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = r.UpdatedAt
	}
	// GORM's JSON serializer stores a nil map as NULL; so does this.
	var attrs *string
	if r.Attributes != nil {
		b, err := json.Marshal(r.Attributes)
		if err != nil {
			return fmt.Errorf("encode attributes: %w", err)
		}
		a := string(b)
		attrs = &a
	}

	c.ids = append(c.ids, r.ID)
	c.oktaIDs, c.attrs = append(c.oktaIDs, r.OktaUserID), append(c.attrs, attrs)
	c.active = append(c.active, r.Active)
	c.created, c.updated = append(c.created, r.CreatedAt), append(c.updated, r.UpdatedAt)
	for i, v := range [14]string{r.OrgID, r.LocationID, r.Provenance, r.Email, r.EmailNorm,
		r.FirstName, r.LastName, r.Phone, r.EmployeeNumber, r.Department, r.Title,
		r.InactiveReason, r.CreatedRunID, r.ChangedRunID} {
		c.text[i] = append(c.text[i], v)
	}
	return nil
}

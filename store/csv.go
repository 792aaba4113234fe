package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/mailroom/oktasync/models"
)

// Reasons a CSV row was left alone, as counted in ImportCounts.Skipped.
const (
	// SkipDirectoryOwned: the row's email belongs to a directory recipient
	// and the import may not change those.
	SkipDirectoryOwned = "directory_owned"
)

// CSV columns a file may carry besides email, named as their recipient
// fields' database columns.
const (
	ColumnFirstName      = "first_name"
	ColumnLastName       = "last_name"
	ColumnPhone          = "phone"
	ColumnEmployeeNumber = "employee_number"
	ColumnDepartment     = "department"
	ColumnTitle          = "title"
)

// issueFlush is how many issues wait in memory before they are written.
const issueFlush = 500

// CSVRow is one data row of a CSV file, parsed by the caller.
type CSVRow struct {
	// Row is the row's number as the file counts it: the header is row 1.
	Row            int
	Email          string
	FirstName      string
	LastName       string
	Phone          string
	EmployeeNumber string
	Department     string
	Title          string
}

// CSVImportOptions configure BeginCSVImport.
type CSVImportOptions struct {
	// Mode is models.ImportMerge or models.ImportOverwrite.
	Mode string
	// CSVUpdatesDirectory lets rows update directory recipients' fields.
	CSVUpdatesDirectory bool
	// Columns lists the Column… names the file has. Existing recipients get
	// only these fields (and the email) written, so a file without a phone
	// column leaves phones alone.
	Columns []string
	// MaxIssues caps the issues CSVImporter.Commit returns; all are stored.
	// 0 means 100.
	MaxIssues int
}

// CSVImporter applies one CSV file to one location inside a single
// transaction, so a file that fails halfway changes nothing. Use it from one
// goroutine: BeginCSVImport, Apply batches and Reject bad rows, then Commit
// or Fail.
type CSVImporter struct {
	s      *Store
	tx     *gorm.DB
	imp    models.CSVImport
	opts   CSVImportOptions
	counts models.ImportCounts
	// pending issues wait to be written; kept are the first MaxIssues.
	pending []models.CSVImportIssue
	kept    []models.CSVImportIssue
	closed  bool
}

// BeginCSVImport records a running import of the organization's location
// and opens its transaction. On SQLite the transaction holds the database's
// write lock until Commit or Fail.
func (s *Store) BeginCSVImport(ctx context.Context, orgID, locationID string,
	opts CSVImportOptions) (*CSVImporter, error) {
	if opts.Mode != models.ImportMerge && opts.Mode != models.ImportOverwrite {
		return nil, fmt.Errorf("store: begin csv import: mode %q is not one of %s, %s: %w",
			opts.Mode, models.ImportMerge, models.ImportOverwrite, ErrInvalid)
	}
	if opts.MaxIssues <= 0 {
		opts.MaxIssues = 100
	}
	if err := checkLocations(s.conn(ctx), orgID, []string{locationID}); err != nil {
		return nil, fmt.Errorf("store: begin csv import: %w", err)
	}

	imp := models.CSVImport{ID: uuid.NewString(), OrgID: orgID, LocationID: locationID,
		Mode: opts.Mode, Status: models.ImportRunning, StartedAt: time.Now().UTC()}
	if err := s.conn(ctx).Create(&imp).Error; err != nil {
		return nil, fmt.Errorf("store: begin csv import: %w", err)
	}
	tx := s.conn(ctx).Begin()
	if tx.Error != nil {
		return nil, fmt.Errorf("store: begin csv import: %w", tx.Error)
	}
	return &CSVImporter{s: s, tx: tx, imp: imp, opts: opts}, nil
}

// errImportClosed is the error of a write to an import that was
// committed or failed.
var errImportClosed = fmt.Errorf("the import has already finished: %w", ErrConflict)

// ID is the import's id.
func (im *CSVImporter) ID() string { return im.imp.ID }

// Reject records a row the caller could not use, such as one without a
// valid email.
func (im *CSVImporter) Reject(row int, reason string) {
	im.counts.Rows++
	im.counts.Errors++
	im.issue(row, reason)
}

// issue records a report line for row.
func (im *CSVImporter) issue(row int, reason string) {
	is := models.CSVImportIssue{ImportID: im.imp.ID, Row: row,
		Reason: truncate(reason, columnSize("csv_import_issues", "reason"))}
	im.pending = append(im.pending, is)
	if len(im.kept) < im.opts.MaxIssues {
		im.kept = append(im.kept, is)
	}
}

// Note records a line of the report that belongs to no data row, such as
// an ignored column; it counts nowhere.
func (im *CSVImporter) Note(reason string) { im.issue(1, reason) }

// csvChange is one recipient write an import batch plans.
type csvChange struct {
	w   write
	row int
}

// Apply applies one batch of rows, keyed by normalised email at the
// location. Rows whose email an earlier row already listed are duplicates;
// invalid ones are rejected with the reason; a row matching a directory
// recipient is skipped unless CSVUpdatesDirectory.
func (im *CSVImporter) Apply(rows []CSVRow) error {
	if im.closed {
		return fmt.Errorf("store: apply csv rows: %w", errImportClosed)
	}
	batch := im.validRows(rows)
	cands, seen, err := im.load(batch)
	if err != nil {
		return fmt.Errorf("store: apply csv rows: %w", err)
	}

	var changes []*csvChange
	var seenIDs []int64
	for _, r := range batch {
		target := pickTarget(cands[r.rec.EmailNorm])
		if target != nil && seen[target.ID] {
			im.duplicate(r.row)
			continue
		}
		ch := im.change(r.row, r.rec, target)
		if target != nil {
			seen[target.ID] = true
			seenIDs = append(seenIDs, target.ID)
		}
		if ch != nil {
			changes = append(changes, ch)
		}
	}
	if err := im.write(changes, seenIDs); err != nil {
		return fmt.Errorf("store: apply csv rows: %w", err)
	}
	return im.flushIssues(false)
}

// csvRecipient is a validated row.
type csvRecipient struct {
	row int
	rec models.Recipient
}

// validRows validates a batch, rejecting bad rows and marking repeats of
// an email within the batch as duplicates.
func (im *CSVImporter) validRows(rows []CSVRow) []csvRecipient {
	out := make([]csvRecipient, 0, len(rows))
	first := make(map[string]bool, len(rows))
	for _, row := range rows {
		rec := models.Recipient{OrgID: im.imp.OrgID, LocationID: im.imp.LocationID,
			Provenance: models.ProvenanceCSV, Active: true,
			Email: CleanText(row.Email), EmailNorm: NormalizeEmail(row.Email),
			FirstName: CleanText(row.FirstName), LastName: CleanText(row.LastName),
			Phone: CleanText(row.Phone), EmployeeNumber: CleanText(row.EmployeeNumber),
			Department: CleanText(row.Department), Title: CleanText(row.Title)}
		if rec.EmailNorm == "" {
			im.Reject(row.Row, "email is empty")
			continue
		}
		if err := validateRecipient(&rec); err != nil {
			im.Reject(row.Row, reasonOf(err))
			continue
		}
		if first[rec.EmailNorm] {
			im.duplicate(row.Row)
			continue
		}
		first[rec.EmailNorm] = true
		out = append(out, csvRecipient{row: row.Row, rec: rec})
	}
	return out
}

func (im *CSVImporter) duplicate(row int) {
	im.counts.Rows++
	im.counts.Duplicates++
	im.issue(row, "duplicate email: an earlier row of the file lists it")
}

// load fetches, and on PostgreSQL locks, the location's recipients with
// the batch's emails, and which of them earlier rows already listed.
func (im *CSVImporter) load(batch []csvRecipient) (map[string][]*models.Recipient,
	map[int64]bool, error) {
	cands := map[string][]*models.Recipient{}
	seen := map[int64]bool{}
	if len(batch) == 0 {
		return cands, seen, nil
	}
	emails := make([]string, len(batch))
	for i, r := range batch {
		emails[i] = r.rec.EmailNorm
	}
	rows, err := im.s.dial.lockPairs(im.tx, "email_norm", []string{im.imp.LocationID}, emails)
	if err != nil {
		return nil, nil, fmt.Errorf("load recipients: %w", err)
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		if r.OrgID != im.imp.OrgID {
			return nil, nil, errForeignRecipient
		}
		cands[r.EmailNorm] = append(cands[r.EmailNorm], r)
		ids[i] = r.ID
	}
	if len(ids) == 0 {
		return cands, seen, nil
	}
	var seenIDs []int64
	err = im.tx.Model(&models.CSVImportSeen{}).
		Where("import_id = ? AND recipient_id IN ?", im.imp.ID, ids).
		Pluck("recipient_id", &seenIDs).Error
	for _, id := range seenIDs {
		seen[id] = true
	}
	return cands, seen, err
}

// pickTarget chooses the recipient a row applies to: CSV and manual rows
// before directory ones, active before inactive, then the oldest.
func pickTarget(cands []*models.Recipient) *models.Recipient {
	if len(cands) == 0 {
		return nil
	}
	rank := func(r *models.Recipient) int {
		n := 0
		if r.Provenance == models.ProvenanceDirectory {
			n += 2
		}
		if !r.Active {
			n++
		}
		return n
	}
	return slices.MinFunc(cands, func(a, b *models.Recipient) int {
		if d := rank(a) - rank(b); d != 0 {
			return d
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// change plans what a row does to its target, or a new recipient when
// there is none; nil means nothing to write.
func (im *CSVImporter) change(row int, rec models.Recipient, target *models.Recipient) *csvChange {
	im.counts.Rows++
	if target == nil {
		r := rec
		return &csvChange{w: write{row: &r, out: outCreated, insert: true}, row: row}
	}
	if target.Provenance == models.ProvenanceDirectory && !im.opts.CSVUpdatesDirectory {
		skipImport(&im.counts, SkipDirectoryOwned)
		im.issue(row, "a directory recipient has this email; the directory owns it")
		return nil
	}

	before := *target
	im.fill(target, &rec)
	out := classify(&before, target)
	if out == outUnchanged {
		im.counts.Unchanged++
		return nil
	}
	return &csvChange{w: write{row: target, out: out}, row: row}
}

// fill copies the file's columns onto an existing recipient. A CSV or
// manual one becomes active; a directory one keeps the status the
// directory gave it.
func (im *CSVImporter) fill(t, rec *models.Recipient) {
	t.Email = rec.Email
	for _, col := range im.opts.Columns {
		switch col {
		case ColumnFirstName:
			t.FirstName = rec.FirstName
		case ColumnLastName:
			t.LastName = rec.LastName
		case ColumnPhone:
			t.Phone = rec.Phone
		case ColumnEmployeeNumber:
			t.EmployeeNumber = rec.EmployeeNumber
		case ColumnDepartment:
			t.Department = rec.Department
		case ColumnTitle:
			t.Title = rec.Title
		}
	}
	if t.Provenance != models.ProvenanceDirectory {
		t.Active, t.InactiveReason = true, ""
	}
}

func skipImport(c *models.ImportCounts, reason string) {
	if c.Skipped == nil {
		c.Skipped = map[string]int{}
	}
	c.Skipped[reason]++
}

// write stores a batch's changes and marks their recipients, and the
// targets left alone, as listed by the file.
func (im *CSVImporter) write(changes []*csvChange, seenIDs []int64) error {
	now := time.Now().UTC()
	var inserts, updates []*write
	for _, c := range changes {
		c.w.row.UpdatedAt = now
		if c.w.insert {
			inserts = append(inserts, &c.w)
		} else {
			updates = append(updates, &c.w)
		}
	}
	im.s.writeRecipients(im.tx, inserts, plainInsert)
	im.s.writeRecipients(im.tx, updates, onID)

	for _, c := range changes {
		if c.w.err != nil {
			im.counts.Errors++
			im.issue(c.row, "the row could not be stored")
			continue
		}
		im.countChange(c.w.out)
		if c.w.insert {
			seenIDs = append(seenIDs, c.w.row.ID)
		}
	}
	return im.markSeen(seenIDs)
}

func (im *CSVImporter) countChange(out outcome) {
	switch out {
	case outCreated:
		im.counts.Created++
	case outUpdated:
		im.counts.Updated++
	case outReactivated:
		im.counts.Reactivated++
	}
}

// markSeen records recipients the file listed, for duplicates and for
// overwrite mode.
func (im *CSVImporter) markSeen(ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	rows := make([]models.CSVImportSeen, len(ids))
	for i, id := range ids {
		rows[i] = models.CSVImportSeen{ImportID: im.imp.ID, RecipientID: id}
	}
	err := im.tx.Clauses(clause.OnConflict{DoNothing: true}).
		CreateInBatches(rows, im.s.dial.maxParams()/2).Error
	if err != nil {
		return fmt.Errorf("mark listed recipients: %w", err)
	}
	return nil
}

// flushIssues writes waiting issues once enough gathered, or all of them.
func (im *CSVImporter) flushIssues(all bool) error {
	if len(im.pending) == 0 || (!all && len(im.pending) < issueFlush) {
		return nil
	}
	err := im.tx.CreateInBatches(im.pending, im.s.dial.maxParams()/4).Error
	if err != nil {
		return fmt.Errorf("store: write csv import issues: %w", err)
	}
	im.pending = im.pending[:0]
	return nil
}

// Commit finishes the import: in overwrite mode it deactivates the
// location's active CSV recipients the file did not list, then it stores
// the report and commits. It returns the import and the first issues.
func (im *CSVImporter) Commit() (models.CSVImport, []models.CSVImportIssue, error) {
	if im.closed {
		return im.imp, nil, fmt.Errorf("store: commit csv import: %w", errImportClosed)
	}
	err := im.finish()
	if err != nil {
		im.tx.Rollback()
		im.closed = true
		return im.imp, nil, fmt.Errorf("store: commit csv import: %w", err)
	}
	im.closed = true
	if err := im.tx.Commit().Error; err != nil {
		return im.imp, nil, fmt.Errorf("store: commit csv import: %w", err)
	}
	return im.imp, im.kept, nil
}

// finish runs the last steps of a successful import inside its
// transaction.
func (im *CSVImporter) finish() error {
	if im.opts.Mode == models.ImportOverwrite {
		if err := im.deactivateUnlisted(); err != nil {
			return err
		}
	}
	if err := im.flushIssues(true); err != nil {
		return err
	}
	err := im.tx.Where("import_id = ?", im.imp.ID).Delete(&models.CSVImportSeen{}).Error
	if err != nil {
		return fmt.Errorf("clear listed recipients: %w", err)
	}

	now := time.Now().UTC()
	im.imp.Status, im.imp.Counts, im.imp.FinishedAt = models.ImportSucceeded, im.counts, &now
	return im.tx.Model(&models.CSVImport{}).Where("id = ?", im.imp.ID).
		Select("status", "counts", "finished_at").Updates(&im.imp).Error
}

// deactivateUnlisted deactivates the location's active CSV-created
// recipients that the file did not list. Directory and manual recipients
// are never touched.
func (im *CSVImporter) deactivateUnlisted() error {
	res := im.tx.Model(&models.Recipient{}).
		Where(`org_id = ? AND location_id = ? AND provenance = ? AND active = ?
			AND NOT EXISTS (SELECT 1 FROM csv_import_seens s
				WHERE s.import_id = ? AND s.recipient_id = recipients.id)`,
			im.imp.OrgID, im.imp.LocationID, models.ProvenanceCSV, true, im.imp.ID).
		Updates(map[string]any{"active": false, "inactive_reason": models.InactiveCSVOverwrite,
			"updated_at": time.Now().UTC()})
	if res.Error != nil {
		return fmt.Errorf("deactivate unlisted recipients: %w", res.Error)
	}
	im.counts.Deactivated = int(res.RowsAffected)
	return nil
}

// Fail rolls the import back and records why it failed; nothing the file
// said is kept. ctx bounds the write of the failure.
func (im *CSVImporter) Fail(ctx context.Context, cause error) error {
	if !im.closed {
		im.tx.Rollback()
		im.closed = true
	}
	now := time.Now().UTC()
	msg := "import failed"
	if cause != nil {
		msg = cause.Error()
	}
	err := im.s.conn(ctx).Model(&models.CSVImport{}).Where("id = ?", im.imp.ID).
		Updates(map[string]any{"status": models.ImportFailed, "finished_at": now,
			"error": truncate(msg, columnSize("csv_imports", "error"))}).Error
	if err != nil {
		return fmt.Errorf("store: fail csv import: %w", errors.Join(err, cause))
	}
	return nil
}

// CSVImport returns one of the organization's imports.
func (s *Store) CSVImport(ctx context.Context, orgID, id string) (models.CSVImport, error) {
	var imp models.CSVImport
	err := s.conn(ctx).Where("org_id = ? AND id = ?", orgID, id).Take(&imp).Error
	if err != nil {
		return imp, fmt.Errorf("store: csv import: %w", notFound(err, errNoImport))
	}
	return imp, nil
}

// CSVImportIssues lists one page of an import's issues by row, and how
// many it has in all. limit defaults to 100 and is capped at 1000.
func (s *Store) CSVImportIssues(ctx context.Context, orgID, importID string, limit,
	offset int) ([]models.CSVImportIssue, int, error) {
	var n int64
	err := s.conn(ctx).Model(&models.CSVImport{}).
		Where("org_id = ? AND id = ?", orgID, importID).Count(&n).Error
	switch {
	case err != nil:
		return nil, 0, fmt.Errorf("store: csv import issues: %w", err)
	case n == 0:
		return nil, 0, fmt.Errorf("store: csv import issues: %w", errNoImport)
	}

	q := s.conn(ctx).Model(&models.CSVImportIssue{}).Where("import_id = ?", importID)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: csv import issues: %w", err)
	}
	var issues []models.CSVImportIssue
	err = q.Order("row, id").Limit(pageLimit(limit)).Offset(max(offset, 0)).
		Find(&issues).Error
	if err != nil {
		return nil, 0, fmt.Errorf("store: csv import issues: %w", err)
	}
	return issues, int(total), nil
}

// errNoImport is the error of an import that does not exist, or not in
// the organization.
var errNoImport = fmt.Errorf("the import does not exist: %w", ErrNotFound)

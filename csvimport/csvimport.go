// Package csvimport imports a CSV file of recipients into one location of
// the mailroom. It streams the file row by row, so memory stays flat however
// long the file is, and applies it through the store in batches inside one
// transaction: a file that turns out to be broken halfway changes nothing.
//
// The file is UTF-8, with or without a byte order mark, and its first row
// names the columns: email (required), first_name, last_name, phone,
// employee_number, department and title, in any case and with spaces or
// underscores anywhere ("First Name" works). Rows are keyed by email. A
// line may be at most 64 KiB long: a longer one fails the import before
// it is read into memory.
package csvimport

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/store"
)

// ErrBadFile marks a file that cannot be imported at all: no header, no
// email column, not UTF-8, broken CSV quoting, or a line longer than 64
// KiB. Such an import changes nothing.
var ErrBadFile = errors.New("bad csv file")

// Defaults of Options.
const (
	defaultBatchSize = 1000
	defaultMaxIssues = 100
)

// Options configure Import.
type Options struct {
	// Mode is models.ImportMerge (the default) or models.ImportOverwrite,
	// which also deactivates the location's CSV recipients the file does
	// not list.
	Mode string
	// CSVUpdatesDirectory lets rows update recipients the directory sync
	// created; otherwise such rows are reported and left alone.
	CSVUpdatesDirectory bool
	// BatchSize is how many rows are written together; 0 means 1000.
	BatchSize int
	// MaxIssues caps the issues the report carries; every issue is stored
	// and counted. 0 means 100.
	MaxIssues int
}

// Report is what an import did.
type Report struct {
	// ImportID names the stored import, its counts and all its issues.
	ImportID string
	Counts   models.ImportCounts
	// Issues are the first rows that were rejected, duplicated or left
	// alone, with the reason.
	Issues []models.CSVImportIssue
	// UnknownColumns are header names the import ignored.
	UnknownColumns []string
}

// Import reads a CSV file from r and applies it to the organization's
// location. A bad file (ErrBadFile) fails before any write when the header
// is at fault, and rolls everything back when a later row is; the stored
// import then records the failure.
func Import(ctx context.Context, st *store.Store, orgID, locationID string, r io.Reader,
	opts Options) (Report, error) {
	opts = opts.withDefaults()
	in, err := newReader(r)
	if err != nil {
		return Report{}, err
	}
	h, err := in.header()
	if err != nil {
		return Report{}, err
	}

	im, err := st.BeginCSVImport(ctx, orgID, locationID, store.CSVImportOptions{
		Mode: opts.Mode, CSVUpdatesDirectory: opts.CSVUpdatesDirectory,
		Columns: h.fields(), MaxIssues: opts.MaxIssues,
	})
	if err != nil {
		return Report{}, fmt.Errorf("csvimport: %w", err)
	}
	rep := Report{ImportID: im.ID(), UnknownColumns: h.unknown}
	for _, name := range h.unknown {
		im.Note(fmt.Sprintf("column %q is not a recipient field and was ignored", name))
	}

	if err := copyRows(ctx, in, h, im, opts.BatchSize); err != nil {
		if ferr := im.Fail(ctx, err); ferr != nil {
			return rep, ferr
		}
		return rep, err
	}
	imp, issues, err := im.Commit()
	if err != nil {
		return rep, fmt.Errorf("csvimport: %w", err)
	}
	rep.Counts, rep.Issues = imp.Counts, issues
	return rep, nil
}

func (o Options) withDefaults() Options {
	if o.Mode == "" {
		o.Mode = models.ImportMerge
	}
	if o.BatchSize <= 0 {
		o.BatchSize = defaultBatchSize
	}
	if o.MaxIssues <= 0 {
		o.MaxIssues = defaultMaxIssues
	}
	return o
}

// copyRows streams the data rows into the import in batches.
func copyRows(ctx context.Context, in *reader, h header, im *store.CSVImporter,
	batchSize int) error {
	batch := make([]store.CSVRow, 0, batchSize)
	flush := func() error {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("csvimport: %w", err)
		}
		if err := im.Apply(batch); err != nil {
			return fmt.Errorf("csvimport: %w", err)
		}
		batch = batch[:0]
		return nil
	}

	for {
		rec, row, err := in.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if blank(rec) {
			continue
		}
		csvRow := h.row(row, rec)
		if reason := store.EmailProblem(csvRow.Email); reason != "" {
			im.Reject(row, reason)
			continue
		}
		if batch = append(batch, csvRow); len(batch) == batchSize {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// blank reports a row with nothing in it, as spreadsheets write after the
// last real row; such rows are skipped, not reported.
func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// newReader checks the start of the file for its encoding: a UTF-8 byte
// order mark is dropped, a UTF-16 one refused. Lines are limited to
// maxLine bytes.
func newReader(r io.Reader) (*reader, error) {
	br := bufio.NewReader(newLineLimiter(r))
	head, _ := br.Peek(3)
	switch {
	case len(head) >= 3 && string(head[:3]) == "\xef\xbb\xbf":
		br.Discard(3)
	case len(head) >= 2 && (string(head[:2]) == "\xff\xfe" || string(head[:2]) == "\xfe\xff"):
		return nil, fmt.Errorf("csvimport: the file is UTF-16; save it as CSV UTF-8: %w",
			ErrBadFile)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return &reader{csv: cr}, nil
}

package csvimport

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// reader reads records and numbers them as a spreadsheet shows the file:
// the header is row 1, a record spanning several lines (a quoted field with
// line breaks) is one row, and a blank line, which encoding/csv skips, is a
// row too.
type reader struct {
	csv *csv.Reader
	// row is the number of the last record read; endLine is the file line
	// that record ended on.
	row     int
	endLine int
}

// next returns the next record and its row number. A broken record or
// invalid UTF-8 is ErrBadFile, naming the row.
func (r *reader) next() ([]string, int, error) {
	rec, err := r.csv.Read()
	if errors.Is(err, io.EOF) {
		return nil, 0, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		row := r.row + 1
		if errors.As(err, &pe) {
			row += max(pe.StartLine-r.endLine-1, 0)
			err = pe.Err
		}
		return nil, row, fmt.Errorf("csvimport: row %d: %w: %w", row, err, ErrBadFile)
	}

	start, _ := r.csv.FieldPos(0)
	r.row += 1 + max(start-r.endLine-1, 0)
	last, _ := r.csv.FieldPos(len(rec) - 1)
	r.endLine = last + strings.Count(rec[len(rec)-1], "\n")

	for _, f := range rec {
		if !utf8.ValidString(f) {
			return nil, r.row, fmt.Errorf(
				"csvimport: invalid UTF-8 on row %d: save the file as CSV UTF-8: %w",
				r.row, ErrBadFile)
		}
	}
	return rec, r.row, nil
}

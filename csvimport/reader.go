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

// next returns the next record and its row number. A broken record, a
// line longer than maxLine or invalid UTF-8 is ErrBadFile, naming the row.
func (r *reader) next() ([]string, int, error) {
	rec, err := r.csv.Read()
	if errors.Is(err, io.EOF) {
		return nil, 0, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		var long *lineTooLongError
		row := r.row + 1
		switch {
		case errors.As(err, &long):
			row += max(long.recordLine-r.endLine-1, 0)
			return nil, row, fmt.Errorf("csvimport: row %d is longer than %d KiB: %w", row,
				maxLine>>10, ErrBadFile)
		case errors.As(err, &pe):
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

// maxLine is the longest line, in bytes, a file may have. encoding/csv
// reads a whole line before it parses any of it, so a file without line
// breaks, or with one huge field, would otherwise be held in memory whole.
const maxLine = 64 << 10

// lineTooLongError stops a file at a line longer than maxLine.
type lineTooLongError struct {
	// recordLine is the line the record holding the long line starts on.
	recordLine int
}

func (e *lineTooLongError) Error() string {
	return fmt.Sprintf("line longer than %d bytes", maxLine)
}

// lineLimiter passes a file through, failing the read that would make a
// line longer than maxLine before encoding/csv buffers it. It tracks
// quotes as encoding/csv does (every quote toggles, since an escaped quote
// is two), so it knows which line the record being read started on: a
// line break inside quotes does not end a record.
type lineLimiter struct {
	r io.Reader
	// lineLen counts the bytes since the last line break; lines counts
	// the line breaks.
	lineLen, lines int
	inQuotes       bool
	recordLine     int
	err            error
}

func newLineLimiter(r io.Reader) *lineLimiter {
	return &lineLimiter{r: r, recordLine: 1}
}

// Read reads from the file; past the limit it returns the bytes up to it
// and a *lineTooLongError, then only that error.
func (l *lineLimiter) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	for i, b := range p[:n] {
		switch b {
		case '"':
			l.inQuotes = !l.inQuotes
		case '\n':
			l.lines++
			l.lineLen = 0
			if !l.inQuotes {
				l.recordLine = l.lines + 1
			}
			continue
		}
		if l.lineLen++; l.lineLen > maxLine {
			l.err = &lineTooLongError{recordLine: l.recordLine}
			return i, l.err
		}
	}
	return n, err
}

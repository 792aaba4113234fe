package csvimport

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mailroom/oktasync/store"
)

// columnEmail is the one column a file must have.
const columnEmail = "email"

// knownColumns maps a header name, lower-cased and without spaces or
// underscores, to the recipient field it fills.
var knownColumns = map[string]string{
	"email":          columnEmail,
	"firstname":      store.ColumnFirstName,
	"lastname":       store.ColumnLastName,
	"phone":          store.ColumnPhone,
	"employeenumber": store.ColumnEmployeeNumber,
	"department":     store.ColumnDepartment,
	"title":          store.ColumnTitle,
}

// header is the file's first row: which field each column fills.
type header struct {
	// index maps a field to its column.
	index   map[string]int
	unknown []string
}

// header reads and checks the first row.
func (r *reader) header() (header, error) {
	rec, _, err := r.next()
	if errors.Is(err, io.EOF) {
		return header{}, fmt.Errorf("csvimport: the file is empty; its first row must name "+
			"the columns: %w", ErrBadFile)
	}
	if err != nil {
		return header{}, err
	}

	h := header{index: map[string]int{}}
	for i, name := range rec {
		key := strings.NewReplacer(" ", "", "_", "").Replace(strings.ToLower(name))
		field, ok := knownColumns[key]
		switch {
		case strings.TrimSpace(name) == "":
			// Spreadsheets export unnamed columns next to the data.
		case !ok:
			h.unknown = append(h.unknown, strings.TrimSpace(name))
		case h.has(field):
			return header{}, fmt.Errorf("csvimport: column %s appears twice: %w", field,
				ErrBadFile)
		default:
			h.index[field] = i
		}
	}
	if !h.has(columnEmail) {
		return header{}, fmt.Errorf("csvimport: no email column; the first row must name "+
			"the columns, one of them email: %w", ErrBadFile)
	}
	return h, nil
}

func (h header) has(field string) bool {
	_, ok := h.index[field]
	return ok
}

// fields lists the recipient fields the file has besides email.
func (h header) fields() []string {
	var out []string
	for field := range h.index {
		if field != columnEmail {
			out = append(out, field)
		}
	}
	return out
}

// lineBreaks turns the line breaks and tabs a spreadsheet cell may hold
// (Alt+Enter in Excel) into spaces: recipient fields are single lines.
var lineBreaks = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ")

// row maps a record to a store row; a missing cell is empty.
func (h header) row(n int, rec []string) store.CSVRow {
	cell := func(field string) string {
		if i, ok := h.index[field]; ok && i < len(rec) {
			return lineBreaks.Replace(rec[i])
		}
		return ""
	}
	return store.CSVRow{Row: n, Email: strings.TrimSpace(cell(columnEmail)),
		FirstName: cell(store.ColumnFirstName), LastName: cell(store.ColumnLastName),
		Phone: cell(store.ColumnPhone), EmployeeNumber: cell(store.ColumnEmployeeNumber),
		Department: cell(store.ColumnDepartment), Title: cell(store.ColumnTitle)}
}

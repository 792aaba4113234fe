package csvimport

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
)

func TestHeaderNames(t *testing.T) {
	cases := []struct {
		line    string
		fields  []string
		unknown []string
	}{
		{"email", nil, nil},
		{" E-mail ,email", nil, []string{"E-mail"}},
		{"First Name,EMAIL,last_name,Employee_Number,TiTle,,Dept", []string{
			"employee_number", "first_name", "last_name", "title"}, []string{"Dept"}},
		{"e mail,phone,department", []string{"department", "phone"}, nil},
	}
	for _, c := range cases {
		in, err := newReader(strings.NewReader(c.line + "\n"))
		if err != nil {
			t.Fatal(err)
		}
		h, err := in.header()
		if err != nil {
			t.Errorf("header(%q) error = %v", c.line, err)
			continue
		}
		fields := h.fields()
		slices.Sort(fields)
		if !slices.Equal(fields, c.fields) || !slices.Equal(h.unknown, c.unknown) {
			t.Errorf("header(%q) = %q unknown %q, want %q unknown %q", c.line, fields,
				h.unknown, c.fields, c.unknown)
		}
	}
}

func TestRowNumbers(t *testing.T) {
	file := "email,first_name\r\n" +
		"a@example.com,A\r\n" +
		"b@example.com,\"two\r\nlines\"\r\n" +
		"\r\n" +
		"\r\n" +
		"c@example.com,\"three\nlines\nhere\"\n" +
		"d@example.com,D"
	in, err := newReader(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for {
		_, row, err := in.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, row)
	}
	if want := []int{1, 2, 3, 6, 7}; !slices.Equal(got, want) {
		t.Errorf("rows = %v, want %v", got, want)
	}
}

func TestLongLineRow(t *testing.T) {
	long := strings.Repeat("x", maxLine+1)
	cases := []struct {
		name, file string
		row        int
	}{
		{"header", "email," + long + "\n", 1},
		{"data row", "email\na@example.com\n" + long + "\n", 3},
		{"after blank lines", "email\n\n\r\n" + long, 4},
		{"inside a quoted field", "email,name\na@example.com,\"two\nlines" + long + "\"\n", 2},
		{"after escaped quotes", "email,name\na@example.com,\"say \"\"hi\"\"\nagain\"\n" +
			"b@example.com," + long + "\n", 3},
	}
	for _, c := range cases {
		row, err := readAll(c.file)
		want := fmt.Sprintf("row %d is longer than 64 KiB", c.row)
		if !errors.Is(err, ErrBadFile) || !strings.Contains(err.Error(), want) || row != c.row {
			t.Errorf("%s: row %d, error %v; want row %d, ErrBadFile saying %q", c.name, row,
				err, c.row, want)
		}
	}

	fits := "email,name\na@example.com," + strings.Repeat("x", maxLine-len("a@example.com,")) +
		"\n"
	if _, err := readAll(fits); err != nil {
		t.Errorf("a line of exactly %d bytes: error %v, want none", maxLine, err)
	}
}

// readAll reads file's records to the end and returns the row of the
// error that stopped it, if any.
func readAll(file string) (int, error) {
	in, err := newReader(strings.NewReader(file))
	if err != nil {
		return 0, err
	}
	for {
		_, row, err := in.next()
		switch {
		case errors.Is(err, io.EOF):
			return 0, nil
		case err != nil:
			return row, err
		}
	}
}

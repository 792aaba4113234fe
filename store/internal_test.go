package store

import (
	"errors"
	"testing"
)

func TestParseDSN(t *testing.T) {
	cases := []struct {
		dsn, kind, driver string
	}{
		{"postgres://u@h/db", dialectPostgres, "postgres://u@h/db"},
		{"postgresql://u@h/db?sslmode=disable", dialectPostgres,
			"postgresql://u@h/db?sslmode=disable"},
		{"sqlite:/tmp/a.db", dialectSQLite, "/tmp/a.db" + sqliteParams},
		{"sqlite:///tmp/a.db", dialectSQLite, "/tmp/a.db" + sqliteParams},
		{"data/demo.db", dialectSQLite, "data/demo.db" + sqliteParams},
	}
	for _, c := range cases {
		d, err := parseDSN(c.dsn)
		if err != nil || d.kind != c.kind || d.dsn != c.driver {
			t.Errorf("parseDSN(%q) = %q %q, %v, want %q %q", c.dsn, d.kind, d.dsn, err,
				c.kind, c.driver)
		}
	}
	for _, bad := range []string{"", "sqlite:", "a.db?mode=ro"} {
		if _, err := parseDSN(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("parseDSN(%q) error = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestEmailFilterAllows(t *testing.T) {
	f := EmailFilter{Domains: []string{" @Acme.COM"}, Addresses: []string{"Boss@Other.org "}}
	cases := []struct {
		email string
		want  bool
	}{
		{"ann@acme.com", true},
		{"boss@other.org", true},
		{"ann@sub.acme.com", false},
		{"ann@notacme.com", false},
		{"\"a@b\"@acme.com", true},
		{"", false},
	}
	for _, c := range cases {
		if got := f.normalized().allows(c.email); got != c.want {
			t.Errorf("allows(%q) = %v, want %v", c.email, got, c.want)
		}
	}
	if !(EmailFilter{}).allows("") {
		t.Errorf("empty filter does not allow everyone")
	}
}

func TestCleanText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"  Zoë ", "Zoë"},
		{"Zoe\u0308", "Zoë"},
		{"\u212b", "\u00c5"},
		{"", ""},
	}
	for _, c := range cases {
		if got := CleanText(c.in); got != c.want {
			t.Errorf("CleanText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCheckText(t *testing.T) {
	cases := []struct {
		in   string
		max  int
		want bool
	}{
		{"José", 4, true},
		{"Josée", 4, false},
		{"tab\there", 0, false},
		{"bad\xffutf8", 0, false},
		{"del\x7f", 0, false},
		{"c1\u0085", 0, false},
		{"emoji 📦", 7, true},
	}
	for _, c := range cases {
		if got := checkText("f", c.in, c.max) == nil; got != c.want {
			t.Errorf("checkText(%q, %d) ok = %v, want %v", c.in, c.max, got, c.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	cases := []struct {
		in   string
		n    int
		want string
	}{
		{"line\nbreak", 0, "line break"},
		{"ééé", 2, "éé"},
		{"bad\xff", 10, "bad\uFFFD"},
	}
	for _, c := range cases {
		if got := truncate(c.in, c.n); got != c.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

func TestColumnSizesFollowModels(t *testing.T) {
	cases := []struct {
		col  string
		want int
	}{
		{"recipients.first_name", 200},
		{"recipients.email_norm", 320},
		{"recipients.okta_user_id", 64},
		{"sync_runs.error", 2000},
		{"csv_import_issues.reason", 500},
	}
	for _, c := range cases {
		if got := columnSizes()[c.col]; got != c.want {
			t.Errorf("columnSizes()[%q] = %d, want %d", c.col, got, c.want)
		}
	}
}

package csvimport_test

import (
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mailroom/oktasync/csvimport"
	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/store"
)

func TestImportParsesSpreadsheetExports(t *testing.T) {
	eachBackend(t, func(e *env) {
		file := "\xef\xbb\xbf Email ,First Name,LAST_NAME,employee number,Nickname,\r\n" +
			"ann@example.com,\"Zoe\u0308\",\"O\"\"Neil\",E1,Annie,\r\n" +
			"bob@example.com,\"Bob\nRobert\",Smith,E2,,\r\n" +
			"\r\n" +
			"not-an-email,Carl,,E3,,\r\n" +
			",,,,,\r\n" +
			"dee@EXAMPLE.com,Dee,,E4,,\r\n"
		rep := e.mustImport(file, csvimport.Options{})

		want := models.ImportCounts{Rows: 4, Created: 3, Errors: 1}
		if !reflect.DeepEqual(rep.Counts, want) {
			e.t.Errorf("counts = %+v, want %+v", rep.Counts, want)
		}
		if !slices.Equal(rep.UnknownColumns, []string{"Nickname"}) {
			e.t.Errorf("unknown columns = %q, want [Nickname]", rep.UnknownColumns)
		}
		if got := issueRows(rep); !slices.Equal(got, []int{1, 5}) {
			e.t.Errorf("issue rows = %v, want [1 5] (the header note, then the bad email): %s",
				got, fmtIssues(rep))
		}

		rs := e.recipients()
		ann, bob := rs["ann@example.com"], rs["bob@example.com"]
		if ann.FirstName != "Zoë" || ann.LastName != "O\"Neil" || ann.EmployeeNumber != "E1" ||
			ann.Provenance != models.ProvenanceCSV || !ann.Active {
			e.t.Errorf("ann = %+v", ann)
		}
		if bob.FirstName != "Bob Robert" || bob.LastName != "Smith" {
			e.t.Errorf("bob = %+v", bob)
		}
		if rs["dee@example.com"].Email != "dee@EXAMPLE.com" {
			e.t.Errorf("dee = %+v, want the email as written", rs["dee@example.com"])
		}
	})
}

func TestImportRowErrors(t *testing.T) {
	eachBackend(t, func(e *env) {
		file := "email,first_name,title\n" +
			"a@example.com,Ann,Boss\n" +
			",NoEmail,\n" +
			"Ann <a@example.com>,Display,\n" +
			"b@example.com," + strings.Repeat("x", 201) + ",\n" +
			"c@example.com,Bell\x07here,\n" +
			"A@Example.com,Again,\n" +
			"d@localhost,Local,\n" +
			"e@example.com,Eve,Clerk\n"
		rep := e.mustImport(file, csvimport.Options{BatchSize: 2})

		want := models.ImportCounts{Rows: 8, Created: 2, Errors: 5, Duplicates: 1}
		if !reflect.DeepEqual(rep.Counts, want) {
			e.t.Errorf("counts = %+v, want %+v", rep.Counts, want)
		}
		wantRows := []int{3, 4, 5, 6, 7, 8}
		got := issueRows(rep)
		slices.Sort(got)
		if !slices.Equal(got, wantRows) {
			e.t.Errorf("issue rows = %v, want %v: %s", got, wantRows, fmtIssues(rep))
		}
		for _, is := range rep.Issues {
			if is.Row == 5 && !strings.Contains(is.Reason, "first_name is longer than 200") {
				e.t.Errorf("row 5 reason = %q, want the field and its limit", is.Reason)
			}
		}
		stored, total, err := e.st.CSVImportIssues(e.ctx, e.org, rep.ImportID, 0, 0)
		e.must(err)
		if len(stored) != 6 || total != 6 {
			e.t.Errorf("stored issues = %d of %d, want 6", len(stored), total)
		}
	})
}

func TestImportFileErrorsChangeNothing(t *testing.T) {
	eachBackend(t, func(e *env) {
		e.mustImport("email,first_name\nkeep@example.com,Keep\n", csvimport.Options{})
		before := e.recipients()

		files := []struct{ name, file, want string }{
			{"empty", "", "the file is empty"},
			{"no email column", "name,phone\nAnn,1\n", "no email column"},
			{"header not UTF-8", "email,pr\xe9nom\n", "invalid UTF-8 on row 1"},
			{"UTF-16", "\xff\xfee\x00m\x00", "UTF-16"},
			{"email twice", "email,Email\n", "appears twice"},
			{"row not UTF-8", "email,first_name\nnew1@example.com,A\nnew2@example.com,A\n" +
				"new3@example.com,A\nnew4@example.com,Jos\xe9\n", "invalid UTF-8 on row 5"},
			{"broken quotes", "email,first_name\nnew1@example.com,A\nnew2@example.com,A\n" +
				"\nnew3@example.com,\"A\"B\n", "row 5"},
		}
		for _, f := range files {
			_, err := e.imp(f.file, csvimport.Options{Mode: models.ImportOverwrite, BatchSize: 2})
			if !errors.Is(err, csvimport.ErrBadFile) || !strings.Contains(err.Error(), f.want) {
				e.t.Errorf("%s: error = %v, want ErrBadFile mentioning %q", f.name, err, f.want)
			}
		}
		if after := e.recipients(); !maps.EqualFunc(before, after, sameRecipient) {
			e.t.Errorf("recipients changed: %d before, %d after", len(before), len(after))
		}
	})
}

func sameRecipient(a, b models.Recipient) bool {
	return a.ID == b.ID && a.Active == b.Active && a.FirstName == b.FirstName &&
		a.UpdatedAt.Equal(b.UpdatedAt)
}

func TestImportFailureIsRecorded(t *testing.T) {
	eachBackend(t, func(e *env) {
		rep, err := e.imp("email\na@example.com\nb@example.com,\"x\n", csvimport.Options{})
		if !errors.Is(err, csvimport.ErrBadFile) {
			e.t.Fatalf("error = %v, want ErrBadFile", err)
		}
		imp, err := e.st.CSVImport(e.ctx, e.org, rep.ImportID)
		e.must(err)
		if imp.Status != models.ImportFailed || !strings.Contains(imp.Error, "row 3") ||
			imp.FinishedAt == nil {
			e.t.Errorf("import = %+v, want failed at row 3", imp)
		}
	})
}

func TestImportUpdatesAndSkipsUnchanged(t *testing.T) {
	eachBackend(t, func(e *env) {
		e.mustImport("email,first_name,phone\na@example.com,Ann,1\nb@example.com,Bob,2\n",
			csvimport.Options{})
		manual, err := e.st.CreateManualRecipient(e.ctx, e.org, e.locs[0],
			store.ManualRecipient{Email: "m@example.com", FirstName: "Old"})
		e.must(err)
		e.must(e.st.SetRecipientActive(e.ctx, e.org, manual.ID, false))

		rep := e.mustImport("email,first_name\nA@EXAMPLE.COM,Ann\nb@example.com,Robert\n"+
			"m@example.com,New\n", csvimport.Options{})
		want := models.ImportCounts{Rows: 3, Updated: 2, Reactivated: 1}
		if !reflect.DeepEqual(rep.Counts, want) {
			e.t.Errorf("counts = %+v, want %+v", rep.Counts, want)
		}
		after := e.recipients()
		if a := after["a@example.com"]; a.Email != "A@EXAMPLE.COM" || a.Phone != "1" {
			e.t.Errorf("a = %+v, want the new spelling and the phone kept", a)
		}
		if m := after["m@example.com"]; m.ID != manual.ID || !m.Active || m.FirstName != "New" ||
			m.Provenance != models.ProvenanceManual {
			e.t.Errorf("manual = %+v, want it updated and reactivated in place", m)
		}

		again := e.mustImport("email,first_name\nA@EXAMPLE.COM,Ann\nb@example.com,Robert\n",
			csvimport.Options{})
		want = models.ImportCounts{Rows: 2, Unchanged: 2}
		if !reflect.DeepEqual(again.Counts, want) {
			e.t.Errorf("re-import counts = %+v, want %+v", again.Counts, want)
		}
		b1, b2 := after["b@example.com"], e.recipients()["b@example.com"]
		if !b2.UpdatedAt.Equal(b1.UpdatedAt) {
			e.t.Errorf("unchanged row was written: %v then %v", b1.UpdatedAt, b2.UpdatedAt)
		}
	})
}

func TestImportDirectoryOwnedRows(t *testing.T) {
	eachBackend(t, func(e *env) {
		e.directoryUser("00u1", "dir@example.com", "Okta", false)
		file := "email,first_name\ndir@example.com,Csv\ndir@example.com,Again\n"

		off := e.mustImport(file, csvimport.Options{})
		want := models.ImportCounts{Rows: 2, Duplicates: 1,
			Skipped: map[string]int{store.SkipDirectoryOwned: 1}}
		if !reflect.DeepEqual(off.Counts, want) {
			e.t.Errorf("off: counts = %+v, want %+v", off.Counts, want)
		}
		if d := e.recipients()["dir@example.com"]; d.FirstName != "Okta" {
			e.t.Errorf("off: directory row = %+v, want it untouched", d)
		}

		on := e.mustImport(file, csvimport.Options{CSVUpdatesDirectory: true})
		want = models.ImportCounts{Rows: 2, Updated: 1, Duplicates: 1}
		if !reflect.DeepEqual(on.Counts, want) {
			e.t.Errorf("on: counts = %+v, want %+v", on.Counts, want)
		}
		d := e.recipients()["dir@example.com"]
		if d.FirstName != "Csv" || d.Active || d.Provenance != models.ProvenanceDirectory ||
			d.Phone != "555" {
			e.t.Errorf("on: directory row = %+v, want the name updated and nothing else", d)
		}
	})
}

func TestImportOverwrite(t *testing.T) {
	eachBackend(t, func(e *env) {
		e.mustImport("email\nkeep@example.com\ndrop@example.com\ngone@example.com\n",
			csvimport.Options{})
		e.directoryUser("00u1", "dir@example.com", "Okta", true)
		_, err := e.st.CreateManualRecipient(e.ctx, e.org, e.locs[1],
			store.ManualRecipient{Email: "other@example.com"})
		e.must(err)
		_, err = e.st.CreateManualRecipient(e.ctx, e.org, e.locs[0],
			store.ManualRecipient{Email: "desk@example.com"})
		e.must(err)
		_, err = csvimport.Import(e.ctx, e.st, e.org, e.locs[1],
			strings.NewReader("email\nsouth@example.com\n"), csvimport.Options{})
		e.must(err)

		merge := e.mustImport("email\nkeep@example.com\n", csvimport.Options{})
		if merge.Counts.Deactivated != 0 {
			e.t.Errorf("merge deactivated %d, want 0", merge.Counts.Deactivated)
		}
		rep := e.mustImport("email\nkeep@example.com\nnew@example.com\n",
			csvimport.Options{Mode: models.ImportOverwrite})
		want := models.ImportCounts{Rows: 2, Created: 1, Unchanged: 1, Deactivated: 2}
		if !reflect.DeepEqual(rep.Counts, want) {
			e.t.Errorf("counts = %+v, want %+v", rep.Counts, want)
		}
		for email, active := range map[string]bool{"keep@example.com": true,
			"new@example.com": true, "drop@example.com": false, "gone@example.com": false,
			"dir@example.com": true, "desk@example.com": true} {
			r := e.recipients()[email]
			if r.Active != active || (!active && r.InactiveReason != models.InactiveCSVOverwrite) {
				e.t.Errorf("%s: active %v reason %q, want active %v", email, r.Active,
					r.InactiveReason, active)
			}
		}
		south, err := e.st.ListRecipients(e.ctx, e.org,
			store.RecipientFilter{LocationID: e.locs[1]})
		e.must(err)
		for _, r := range south {
			if !r.Active {
				e.t.Errorf("recipient %s of another location deactivated", r.EmailNorm)
			}
		}
	})
}

func TestImportIssuesAreCapped(t *testing.T) {
	eachBackend(t, func(e *env) {
		var b strings.Builder
		b.WriteString("email\n")
		for range 700 {
			b.WriteString("not-an-email\n")
		}
		rep := e.mustImport(b.String(), csvimport.Options{MaxIssues: 10})
		if rep.Counts.Errors != 700 || len(rep.Issues) != 10 {
			e.t.Errorf("errors %d, issues returned %d, want 700 and 10", rep.Counts.Errors,
				len(rep.Issues))
		}
		page, total, err := e.st.CSVImportIssues(e.ctx, e.org, rep.ImportID, 50, 690)
		e.must(err)
		if len(page) != 10 || total != 700 {
			e.t.Errorf("stored issues from 690 = %d of %d, want 10 of 700", len(page), total)
		}
		_, _, err = e.st.CSVImportIssues(e.ctx, newEnv(e.t, e.st).org, rep.ImportID, 0, 0)
		if !errors.Is(err, store.ErrNotFound) {
			e.t.Errorf("CSVImportIssues(another org's import) error = %v, want ErrNotFound",
				err)
		}
	})
}

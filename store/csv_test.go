package store_test

import (
	"fmt"

	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/store"
)

func testCSVImportIssuesPage(e *env) {
	im, err := e.st.BeginCSVImport(e.ctx, e.org.ID, e.locs[0],
		store.CSVImportOptions{Mode: models.ImportMerge})
	e.must(err)
	for row := range 150 {
		im.Reject(row+2, fmt.Sprintf("reason %d", row+2))
	}
	imp, kept, err := im.Commit()
	e.must(err)
	if len(kept) != 100 || imp.Counts.Errors != 150 {
		e.t.Errorf("Commit = %d issues, %+v, want 100 issues and 150 errors", len(kept),
			imp.Counts)
	}

	cases := []struct {
		limit, offset    int
		wantN, wantFirst int
	}{
		{0, 0, 100, 2},
		{20, 140, 10, 142},
		{5000, 0, 150, 2},
		{10, 150, 0, 0},
		{10, -3, 10, 2},
	}
	for _, c := range cases {
		got, total, err := e.st.CSVImportIssues(e.ctx, e.org.ID, imp.ID, c.limit, c.offset)
		e.must(err)
		first := 0
		if len(got) > 0 {
			first = got[0].Row
		}
		if len(got) != c.wantN || first != c.wantFirst || total != 150 {
			e.t.Errorf("CSVImportIssues(%d, %d) = %d from row %d of %d, want %d from row %d "+
				"of 150", c.limit, c.offset, len(got), first, total, c.wantN, c.wantFirst)
		}
	}

	other := newEnv(e.t, e.st)
	_, _, err = e.st.CSVImportIssues(e.ctx, other.org.ID, imp.ID, 0, 0)
	assertNotFound(e.t, "CSVImportIssues(another org's import)", err)
}

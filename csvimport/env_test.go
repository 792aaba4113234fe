package csvimport_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/mailroom/oktasync/csvimport"
	"github.com/mailroom/oktasync/internal/testenv"
	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/store"
)

// eachBackend runs test once per database, each with a fresh store.
func eachBackend(t *testing.T, test func(e *env)) {
	for _, b := range testenv.Backends {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			test(newEnv(t, testenv.Store(t, b.DSN(t))))
		})
	}
}

// env is an organization with two locations.
type env struct {
	t    testing.TB
	ctx  context.Context
	st   *store.Store
	org  string
	locs []string
}

func newEnv(t testing.TB, st *store.Store) *env {
	e := &env{t: t, ctx: context.Background(), st: st}
	org, _, err := st.CreateOrganization(e.ctx, "Acme "+uuid.NewString())
	e.must(err)
	e.org = org.ID
	for _, name := range []string{"North", "South"} {
		loc, err := st.CreateLocation(e.ctx, org.ID, name)
		e.must(err)
		e.locs = append(e.locs, loc.ID)
	}
	return e
}

func (e *env) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

// imp imports file into the first location.
func (e *env) imp(file string, opts csvimport.Options) (csvimport.Report, error) {
	return csvimport.Import(e.ctx, e.st, e.org, e.locs[0], strings.NewReader(file), opts)
}

// mustImport imports file and fails the test on error.
func (e *env) mustImport(file string, opts csvimport.Options) csvimport.Report {
	e.t.Helper()
	rep, err := e.imp(file, opts)
	e.must(err)
	return rep
}

// recipients lists the recipients of the first location by email.
func (e *env) recipients() map[string]models.Recipient {
	e.t.Helper()
	rs, err := e.st.ListRecipients(e.ctx, e.org, store.RecipientFilter{LocationID: e.locs[0],
		Limit: 1000})
	e.must(err)
	out := map[string]models.Recipient{}
	for _, r := range rs {
		out[r.EmailNorm] = r
	}
	return out
}

// directoryUser makes a directory recipient at the first location.
func (e *env) directoryUser(id, email, first string, active bool) {
	e.t.Helper()
	_, err := e.st.EnableSSO(e.ctx, e.org, "entity", "https://acme.okta.com/sso")
	e.must(err)
	integ, err := e.st.Integration(e.ctx, e.org)
	if err != nil {
		id, err := e.st.BeginValidation(e.ctx, e.org,
			store.IntegrationSettings{Domain: "acme.okta.com"})
		e.must(err)
		e.must(e.st.MarkActive(e.ctx, e.org, id))
		integ, err = e.st.Integration(e.ctx, e.org)
		e.must(err)
	}
	run := uuid.NewString()
	e.must(e.st.CreateRun(e.ctx, models.SyncRun{ID: run, OrgID: e.org,
		IntegrationID: integ.ID, Trigger: models.TriggerManual}))
	_, err = e.st.ApplyUserPage(e.ctx, store.UserPage{RunID: run, OrgID: e.org,
		SourceKey: "users", PageNo: 1, LocationIDs: e.locs[:1],
		Users: []store.DirectoryRecipient{{OktaUserID: id, Active: active, Email: email,
			FirstName: first, Phone: "555"}}})
	e.must(err)
}

// issueRows lists the row numbers of a report's issues.
func issueRows(rep csvimport.Report) []int {
	var rows []int
	for _, is := range rep.Issues {
		rows = append(rows, is.Row)
	}
	return rows
}

func fmtIssues(rep csvimport.Report) string {
	var b strings.Builder
	for _, is := range rep.Issues {
		fmt.Fprintf(&b, "%d: %s; ", is.Row, is.Reason)
	}
	return b.String()
}

package store_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/mailroom/oktasync/internal/testenv"
	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/store"
)

// quiet discards the store's logs in tests.
var quiet = testenv.Quiet

// openStore opens a store on dsn and closes it when the test ends.
var openStore = testenv.Store

// env is one test's tenant: an organization with three locations, SSO on
// and an active integration.
type env struct {
	t     testing.TB
	ctx   context.Context
	st    *store.Store
	org   models.Organization
	locs  []string
	integ string
}

func newEnv(t testing.TB, st *store.Store) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), st: st}
	org, _, err := st.CreateOrganization(e.ctx, "Org "+t.Name())
	e.must(err)
	e.org = org
	for i := range 3 {
		loc, err := st.CreateLocation(e.ctx, org.ID, fmt.Sprintf("Mailroom %d", i+1))
		e.must(err)
		e.locs = append(e.locs, loc.ID)
	}
	_, err = st.EnableSSO(e.ctx, org.ID, "http://www.okta.com/exk1", "https://acme.okta.com/sso")
	e.must(err)
	e.integ, err = st.BeginValidation(e.ctx, org.ID, store.IntegrationSettings{
		Domain: "acme.okta.com", SAMLAppID: "0oa1", ClientID: "0oa2", KeyID: "kid1",
		PrivateJWKCiphertext: []byte("sealed"),
		Preferences:          models.Preferences{Mode: models.ModeAllUsers},
	})
	e.must(err)
	e.must(st.MarkActive(e.ctx, org.ID, e.integ))
	return e
}

func (e *env) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

// run creates a running run whose sources cover the given locations.
func (e *env) run(dryRun bool, sources ...models.RunSource) string {
	e.t.Helper()
	id := uuid.NewString()
	e.must(e.st.CreateRun(e.ctx, models.SyncRun{ID: id, OrgID: e.org.ID,
		IntegrationID: e.integ, Trigger: models.TriggerManual, DryRun: dryRun,
		Plan: models.RunPlan{Mode: models.ModeAllUsers, Sources: sources, LocationIDs: e.locs}}))
	return id
}

// allUsers is a source listing users into the given locations.
func allUsers(locs ...string) models.RunSource {
	return models.RunSource{Key: models.SourceUsers, Kind: models.SourceUsers, LocationIDs: locs}
}

// page applies users as page pageNo of the users source of run.
func (e *env) page(runID string, pageNo int, pol store.Policy, locs []string,
	users ...store.DirectoryRecipient) models.RunCounts {
	e.t.Helper()
	c, err := e.st.ApplyUserPage(e.ctx, store.UserPage{RunID: runID, OrgID: e.org.ID,
		SourceKey: models.SourceUsers, PageNo: pageNo, LocationIDs: locs, Policy: pol,
		Users: users})
	e.must(err)
	return c
}

// recipients lists every recipient of the organization.
func (e *env) recipients() []models.Recipient {
	e.t.Helper()
	rs, err := e.st.ListRecipients(e.ctx, e.org.ID, store.RecipientFilter{Limit: 1000})
	e.must(err)
	return rs
}

// recipient returns the user's recipient at loc, or fails.
func (e *env) recipient(loc, oktaID string) models.Recipient {
	e.t.Helper()
	for _, r := range e.recipients() {
		if r.LocationID == loc && r.OktaUserID != nil && *r.OktaUserID == oktaID {
			return r
		}
	}
	e.t.Fatalf("no recipient for %s at %s", oktaID, loc)
	return models.Recipient{}
}

// user is an active directory user with a predictable profile.
func user(n int) store.DirectoryRecipient {
	return store.DirectoryRecipient{OktaUserID: fmt.Sprintf("00u%04d", n), Active: true,
		Email: fmt.Sprintf("user%d@example.com", n), FirstName: "First", LastName: fmt.Sprint(n),
		Department: "Ops", Title: "Clerk"}
}

func users(from, to int) []store.DirectoryRecipient {
	var us []store.DirectoryRecipient
	for i := from; i < to; i++ {
		us = append(us, user(i))
	}
	return us
}

// versions maps each recipient of the organization to a value that changes
// whenever its row is written: the row version (xmin) on PostgreSQL, which
// even an UPDATE to identical values changes, and updated_at on SQLite.
func (e *env) versions() map[int64]string {
	e.t.Helper()
	col := "updated_at"
	if e.st.Dialect() == "postgres" {
		col = "xmin::text"
	}
	var rows []struct {
		ID int64
		V  string
	}
	err := e.st.DB().Raw("SELECT id, "+col+" AS v FROM recipients WHERE org_id = ?", e.org.ID).
		Scan(&rows).Error
	e.must(err)
	out := map[int64]string{}
	for _, r := range rows {
		out[r.ID] = r.V
	}
	return out
}

// csv imports one CSV recipient at loc and returns its id.
func (e *env) csv(loc, email string) int64 {
	e.t.Helper()
	im, err := e.st.BeginCSVImport(e.ctx, e.org.ID, loc,
		store.CSVImportOptions{Mode: models.ImportMerge})
	e.must(err)
	e.must(im.Apply([]store.CSVRow{{Row: 2, Email: email, FirstName: "Csv"}}))
	_, _, err = im.Commit()
	e.must(err)
	return e.byEmail(loc, email).ID
}

// manual creates a manual recipient at loc and returns its id.
func (e *env) manual(loc, email string) int64 {
	e.t.Helper()
	r, err := e.st.CreateManualRecipient(e.ctx, e.org.ID, loc,
		store.ManualRecipient{Email: email, FirstName: "Manual"})
	e.must(err)
	return r.ID
}

// byEmail returns the first recipient at loc with email.
func (e *env) byEmail(loc, email string) models.Recipient {
	e.t.Helper()
	for _, r := range e.recipients() {
		if r.LocationID == loc && r.EmailNorm == store.NormalizeEmail(email) {
			return r
		}
	}
	e.t.Fatalf("no recipient with %s at %s", email, loc)
	return models.Recipient{}
}

// failWritesOf makes the database reject any recipient row whose first
// name is name, as a constraint the store does not know about would.
func (e *env) failWritesOf(name string) {
	e.t.Helper()
	db := e.st.DB()
	if e.st.Dialect() == "postgres" {
		e.must(db.Exec("ALTER TABLE recipients ADD CONSTRAINT test_fail_writes " +
			"CHECK (first_name <> '" + name + "')").Error)
		e.t.Cleanup(func() {
			db.Exec("ALTER TABLE recipients DROP CONSTRAINT test_fail_writes")
		})
		return
	}
	for _, op := range []string{"INSERT", "UPDATE"} {
		e.must(db.Exec("CREATE TRIGGER test_fail_" + op + " BEFORE " + op +
			" ON recipients WHEN NEW.first_name = '" + name +
			"' BEGIN SELECT RAISE(ABORT, 'rejected by test'); END").Error)
	}
	e.t.Cleanup(func() {
		db.Exec("DROP TRIGGER test_fail_INSERT")
		db.Exec("DROP TRIGGER test_fail_UPDATE")
	})
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// wantErr fails the test unless err wraps target.
func wantErr(t testing.TB, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s error = %v, want %v", what, err, target)
	}
}

func assertCounts(t testing.TB, got, want models.RunCounts) {
	t.Helper()
	if !equalCounts(got, want) {
		t.Errorf("counts = %+v, want %+v", got, want)
	}
}

func equalCounts(a, b models.RunCounts) bool {
	if !maps.Equal(a.Skipped, b.Skipped) {
		return false
	}
	a.Skipped, b.Skipped = nil, nil
	return reflect.DeepEqual(a, b)
}

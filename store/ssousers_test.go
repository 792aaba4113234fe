package store_test

import (
	"errors"
	"strings"

	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/store"
)

func (e *env) appPage(run string, pageNo int, us ...store.SSOUserRecord) models.RunCounts {
	e.t.Helper()
	c, err := e.st.ApplyAppUserPage(e.ctx, store.AppUserPage{RunID: run, OrgID: e.org.ID,
		SourceKey: models.SourceAppUsers, PageNo: pageNo, Users: us})
	e.must(err)
	return c
}

// App assignments: direct, through a group, suspended, and without email.
var (
	ann = store.SSOUserRecord{OktaUserID: "00ua", Email: "Ann@Acme.com", FirstName: "Ann",
		LastName: "Lee", UserStatus: "ACTIVE", AssignmentScope: "USER"}
	bob = store.SSOUserRecord{OktaUserID: "00ub", Email: "bob@sub.acme.com",
		UserStatus: "ACTIVE", AssignmentScope: "GROUP"}
	cy   = store.SSOUserRecord{OktaUserID: "00uc", Email: "cy@other.org", UserStatus: "SUSPENDED"}
	nobo = store.SSOUserRecord{OktaUserID: "00ud"}
)

func testSSOUsersView(e *env) {
	run := e.run(false)
	got := e.appPage(run, 1, ann, bob, cy, nobo, ann)
	assertCounts(e.t, got, models.RunCounts{Pages: 1, SSOUsers: 4})
	assertCounts(e.t, e.appPage(run, 1, ann), got)

	next := e.run(false)
	e.appPage(next, 1, ann, bob)
	n, err := e.st.RemoveUnseenSSOUsers(e.ctx, e.org.ID, next)
	e.must(err)
	if n != 2 {
		e.t.Errorf("RemoveUnseenSSOUsers = %d, want 2", n)
	}
	e.appPage(next, 2, cy)

	filters := []struct {
		f    store.EmailFilter
		want []string
	}{
		{store.EmailFilter{}, []string{"00ua", "00ub", "00uc"}},
		{store.EmailFilter{Domains: []string{"ACME.com"}}, []string{"00ua"}},
		{store.EmailFilter{Domains: []string{"@sub.acme.com"},
			Addresses: []string{" CY@other.org"}}, []string{"00ub", "00uc"}},
		{store.EmailFilter{Domains: []string{"cme.com"}}, nil},
	}
	for _, f := range filters {
		entries, err := e.st.ListSSOUsers(e.ctx, e.org.ID, f.f)
		e.must(err)
		var ids []string
		for _, en := range entries {
			ids = append(ids, en.OktaUserID)
		}
		if !equalStrings(ids, f.want) {
			e.t.Errorf("ListSSOUsers(%+v) = %v, want %v", f.f, ids, f.want)
		}
	}
}

func testAppUserDryRunWritesNothing(e *env) {
	e.appPage(e.run(false), 1, ann)
	before, err := e.st.ListSSOUsers(e.ctx, e.org.ID, store.EmailFilter{})
	e.must(err)

	run := e.run(true)
	renamed := ann
	renamed.FirstName = "Anne"
	page := store.AppUserPage{RunID: run, OrgID: e.org.ID, SourceKey: models.SourceAppUsers,
		PageNo: 1, DryRun: true, Users: []store.SSOUserRecord{renamed, bob, nobo}}
	got, err := e.st.ApplyAppUserPage(e.ctx, page)
	e.must(err)
	assertCounts(e.t, got, models.RunCounts{Pages: 1, SSOUsers: 3})
	again, err := e.st.ApplyAppUserPage(e.ctx, page)
	e.must(err)
	assertCounts(e.t, again, got)
	if _, ok, err := e.st.RunPage(e.ctx, run, models.SourceAppUsers, 1); !ok || err != nil {
		e.t.Errorf("RunPage = %v, %v, want the dry run's page recorded", ok, err)
	}
	page.PageNo, page.DryRun = 2, false // the run is dry even if a page forgets
	_, err = e.st.ApplyAppUserPage(e.ctx, page)
	e.must(err)

	after, err := e.st.ListSSOUsers(e.ctx, e.org.ID, store.EmailFilter{})
	e.must(err)
	if len(after) != 1 || after[0].FirstName != "Ann" ||
		after[0].LastSeenRunID != before[0].LastSeenRunID {
		e.t.Errorf("SSO users after a dry run = %+v, want %+v untouched", after, before)
	}
}

func testCreateLoginUser(e *env) {
	gone := store.SSOUserRecord{OktaUserID: "00ue", Email: "gone@acme.com",
		UserStatus: "DEPROVISIONED"}
	e.appPage(e.run(false), 1, ann, bob, cy, nobo, gone)
	acme := store.EmailFilter{Domains: []string{"acme.com"}}

	lu, err := e.st.CreateLoginUser(e.ctx, e.org.ID, "00ua", models.RoleStaff, acme)
	e.must(err)
	if lu.EmailNorm != "ann@acme.com" || lu.Name != "Ann Lee" || lu.Role != models.RoleStaff {
		e.t.Errorf("CreateLoginUser = %+v", lu)
	}
	cases := []struct {
		id, role string
		f        store.EmailFilter
		want     error
	}{
		{"00ua", models.RoleAdmin, acme, store.ErrConflict},
		{"00ub", models.RoleAdmin, acme, store.ErrNotFound},
		{"00uz", models.RoleAdmin, store.EmailFilter{}, store.ErrNotFound},
		{"00ub", "owner", store.EmailFilter{}, store.ErrInvalid},
		{"00ud", models.RoleViewer, store.EmailFilter{}, store.ErrInvalid},
	}
	for _, c := range cases {
		_, err := e.st.CreateLoginUser(e.ctx, e.org.ID, c.id, c.role, c.f)
		if !errors.Is(err, c.want) {
			e.t.Errorf("CreateLoginUser(%q, %q) error = %v, want %v", c.id, c.role, err, c.want)
		}
	}
	blocked := []struct{ id, status string }{{"00uc", "suspended"}, {"00ue", "deprovisioned"}}
	for _, b := range blocked {
		_, err := e.st.CreateLoginUser(e.ctx, e.org.ID, b.id, models.RoleStaff,
			store.EmailFilter{})
		wantErr(e.t, "CreateLoginUser("+b.status+")", err, store.ErrInvalid)
		want := "the Okta user is " + b.status + " and cannot sign in"
		if err == nil || !strings.Contains(err.Error(), want) {
			e.t.Errorf("CreateLoginUser(%s) error = %v, want %q", b.status, err, want)
		}
	}
	other := newEnv(e.t, e.st)
	if _, err := e.st.CreateLoginUser(e.ctx, other.org.ID, "00ub", models.RoleAdmin,
		store.EmailFilter{}); !isNotFound(err) {
		e.t.Errorf("CreateLoginUser(other org) error = %v, want ErrNotFound", err)
	}

	entries, err := e.st.ListSSOUsers(e.ctx, e.org.ID, store.EmailFilter{})
	e.must(err)
	for _, en := range entries {
		if en.HasLoginUser != (en.OktaUserID == "00ua") {
			e.t.Errorf("entry %s HasLoginUser = %v", en.OktaUserID, en.HasLoginUser)
		}
	}
	users, err := e.st.ListLoginUsers(e.ctx, e.org.ID)
	e.must(err)
	if len(users) != 1 {
		e.t.Errorf("ListLoginUsers = %d, want 1", len(users))
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

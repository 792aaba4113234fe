package store_test

import (
	"errors"
	"strings"

	"github.com/google/uuid"

	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/store"
)

// adminText is what the admin console shows of a store error: the phrase
// between the "store: <operation>: " prefix and the sentinel's suffix.
func adminText(err error) string {
	msg := err.Error()
	for _, s := range []error{store.ErrNotFound, store.ErrConflict, store.ErrInvalid} {
		msg = strings.TrimSuffix(msg, ": "+s.Error())
	}
	rest, ok := strings.CutPrefix(msg, "store: ")
	if !ok {
		return msg
	}
	_, phrase, _ := strings.Cut(rest, ": ")
	return phrase
}

// testErrorsReadWell makes the store refuse things an admin can get wrong
// and checks each error's phrase reads on its own once the operation and
// the sentinel are stripped.
func testErrorsReadWell(e *env) {
	run := e.run(false, allUsers(e.locs[0]))
	e.must(e.st.FinishRun(e.ctx, run, models.RunSucceeded, models.RunCounts{}, ""))
	dry := e.run(true, allUsers(e.locs[0]))
	e.manual(e.locs[0], "desk@example.com")
	e.appPage(e.run(false), 1, ann)
	_, err := e.st.CreateLoginUser(e.ctx, e.org.ID, ann.OktaUserID, models.RoleStaff,
		store.EmailFilter{})
	e.must(err)
	other := newEnv(e.t, e.st)
	e.must(e.st.DeleteSSOConnection(e.ctx, other.org.ID))
	long := strings.Repeat("x", 201)

	cases := []struct {
		name   string
		call   func() error
		target error
		want   string
	}{
		{"location name taken", func() error {
			_, err := e.st.CreateLocation(e.ctx, e.org.ID, " Mailroom 1")
			return err
		}, store.ErrConflict, `a location named "Mailroom 1" already exists`},
		{"location without name", func() error {
			_, err := e.st.CreateLocation(e.ctx, e.org.ID, " ")
			return err
		}, store.ErrInvalid, "the name is empty"},
		{"location of no organization", func() error {
			_, err := e.st.CreateLocation(e.ctx, uuid.NewString(), "HQ")
			return err
		}, store.ErrNotFound, "the organization does not exist"},
		{"unknown role", func() error {
			_, err := e.st.CreateLoginUser(e.ctx, e.org.ID, ann.OktaUserID, "god",
				store.EmailFilter{})
			return err
		}, store.ErrInvalid, `role "god" is not one of admin, staff, viewer`},
		{"login user twice", func() error {
			_, err := e.st.CreateLoginUser(e.ctx, e.org.ID, ann.OktaUserID, models.RoleAdmin,
				store.EmailFilter{})
			return err
		}, store.ErrConflict, "a login user with this email already exists"},
		{"login user not in the view", func() error {
			_, err := e.st.CreateLoginUser(e.ctx, e.org.ID, "00unone", models.RoleAdmin,
				store.EmailFilter{})
			return err
		}, store.ErrNotFound, "the user is not in the SSO users view"},
		{"manual recipient without email", func() error {
			_, err := e.st.CreateManualRecipient(e.ctx, e.org.ID, e.locs[0],
				store.ManualRecipient{FirstName: "Ann"})
			return err
		}, store.ErrInvalid, "email is missing"},
		{"manual recipient with a bad email", func() error {
			_, err := e.st.CreateManualRecipient(e.ctx, e.org.ID, e.locs[0],
				store.ManualRecipient{Email: "a b@example.com"})
			return err
		}, store.ErrInvalid, "email is not a valid address"},
		{"manual recipient twice", func() error {
			_, err := e.st.CreateManualRecipient(e.ctx, e.org.ID, e.locs[0],
				store.ManualRecipient{Email: "DESK@example.com"})
			return err
		}, store.ErrConflict, "a recipient with this email already exists at the location"},
		{"manual recipient with a long name", func() error {
			_, err := e.st.CreateManualRecipient(e.ctx, e.org.ID, e.locs[0],
				store.ManualRecipient{Email: "new@example.com", FirstName: long})
			return err
		}, store.ErrInvalid, "first_name is longer than 200 characters"},
		{"manual recipient at another org's location", func() error {
			_, err := e.st.CreateManualRecipient(e.ctx, e.org.ID, other.locs[0],
				store.ManualRecipient{Email: "new@example.com"})
			return err
		}, store.ErrNotFound, "the location does not exist"},
		{"unknown recipient", func() error {
			_, err := e.st.Recipient(e.ctx, e.org.ID, -1)
			return err
		}, store.ErrNotFound, "the recipient does not exist"},
		{"another org's run", func() error {
			_, err := e.st.Run(e.ctx, other.org.ID, run)
			return err
		}, store.ErrNotFound, "the run does not exist"},
		{"no active run", func() error {
			_, err := e.st.ActiveRun(e.ctx, other.org.ID)
			return err
		}, store.ErrNotFound, "no run is running or held"},
		{"unknown run status", func() error {
			return e.st.SetRunStatus(e.ctx, dry, "paused")
		}, store.ErrInvalid, `status "paused" is not running`},
		{"finish a finished run", func() error {
			return e.st.FinishRun(e.ctx, run, models.RunFailed, models.RunCounts{}, "")
		}, store.ErrConflict, "the run has already ended as succeeded"},
		{"page of a finished run", func() error {
			_, err := e.st.ApplyUserPage(e.ctx, store.UserPage{RunID: run, OrgID: e.org.ID,
				SourceKey: models.SourceUsers, PageNo: 1, LocationIDs: e.locs[:1]})
			return err
		}, store.ErrConflict, "the run has already ended as succeeded"},
		{"deactivate in a dry run", func() error {
			_, err := e.st.ApplyDeactivation(e.ctx, dry)
			return err
		}, store.ErrConflict, "a dry run deactivates no one"},
		{"enable an active integration", func() error {
			_, err := e.st.BeginValidation(e.ctx, e.org.ID, settings)
			return err
		}, store.ErrConflict, "the directory integration is on"},
		{"stale integration", func() error {
			return e.st.SetPaused(e.ctx, e.org.ID, uuid.NewString(), true)
		}, store.ErrConflict, "the directory integration was enabled again since"},
		{"long Okta domain", func() error {
			long := settings
			long.Domain = strings.Repeat("a", 300) + ".okta.com"
			_, err := e.st.BeginValidation(e.ctx, e.org.ID, long)
			return err
		}, store.ErrInvalid, "the Okta domain is longer than 255 characters"},
		{"unknown API token", func() error {
			_, err := e.st.OrganizationByToken(e.ctx, store.TokenPrefix+"nope")
			return err
		}, store.ErrNotFound, "no organization has this API token"},
		{"SSO without a connection", func() error {
			return e.st.SetSSOEnabled(e.ctx, other.org.ID, true)
		}, store.ErrNotFound, "the organization has no SSO connection"},
		{"mapping without group", func() error {
			return e.st.ReplaceGroupMappings(e.ctx, e.org.ID,
				[]models.GroupMapping{{LocationID: e.locs[0]}})
		}, store.ErrInvalid, "every group mapping needs a group and a location"},
		{"unknown import mode", func() error {
			_, err := e.st.BeginCSVImport(e.ctx, e.org.ID, e.locs[0],
				store.CSVImportOptions{Mode: "replace"})
			return err
		}, store.ErrInvalid, `mode "replace" is not one of merge, overwrite`},
		{"unknown import", func() error {
			_, err := e.st.CSVImport(e.ctx, e.org.ID, uuid.NewString())
			return err
		}, store.ErrNotFound, "the import does not exist"},
	}
	for _, c := range cases {
		err := c.call()
		if !errors.Is(err, c.target) {
			e.t.Errorf("%s: error = %v, want %v", c.name, err, c.target)
			continue
		}
		if got := adminText(err); got != c.want {
			e.t.Errorf("%s: admin text of %q = %q, want %q", c.name, err, got, c.want)
		}
	}
}

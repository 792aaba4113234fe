package store_test

import (
	"errors"
	"strings"

	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/store"
)

var settings = store.IntegrationSettings{
	Domain: "beta.okta.com", SAMLAppID: "0oa9", ClientID: "0oa8", KeyID: "kid9",
	PrivateJWKCiphertext: []byte("sealed"),
	Preferences: models.Preferences{Mode: models.ModeGroups, DeactivateMissing: true,
		BrakePercent: 10},
}

func testIntegrationLifecycle(e *env) {
	_, err := e.st.BeginValidation(e.ctx, e.org.ID, settings)
	wantErr(e.t, "BeginValidation while active", err, store.ErrConflict)
	e.must(e.st.MarkActive(e.ctx, e.org.ID, e.integ)) // a retried activity
	e.must(e.st.SetPaused(e.ctx, e.org.ID, e.integ, true))
	e.must(e.st.SetLastError(e.ctx, e.org.ID, e.integ, "rate_limited", "slow\ndown", "wait"))
	in, err := e.st.Integration(e.ctx, e.org.ID)
	e.must(err)
	if !in.Paused || in.State != models.StateActive || in.LastErrorMessage != "slow down" {
		e.t.Errorf("after SetPaused and SetLastError: %+v", in)
	}
	e.must(e.st.ClearLastError(e.ctx, e.org.ID, e.integ))
	e.must(e.st.UpdatePreferences(e.ctx, e.org.ID, e.integ, settings.Preferences))

	if in.ValidatedAt == nil || in.EnabledAt == nil {
		e.t.Errorf("active integration = %+v, want validated and enabled times", in)
	}

	e.must(e.st.MarkDisabling(e.ctx, e.org.ID, e.integ))
	_, err = e.st.BeginValidation(e.ctx, e.org.ID, settings)
	wantErr(e.t, "BeginValidation while disabling", err, store.ErrConflict)
	e.must(e.st.RemoveIntegration(e.ctx, e.org.ID, e.integ))
	e.must(e.st.RemoveIntegration(e.ctx, e.org.ID, e.integ))
	in, err = e.st.Integration(e.ctx, e.org.ID)
	e.must(err)
	assertCleared(e, in, models.StateDisabled)

	id, err := e.st.BeginValidation(e.ctx, e.org.ID, settings)
	e.must(err)
	in, err = e.st.Integration(e.ctx, e.org.ID)
	e.must(err)
	if id == e.integ || in.ID != id || in.State != models.StateValidating ||
		in.OktaDomain != "beta.okta.com" || in.Preferences.BrakePercent != 10 {
		e.t.Errorf("after re-enable: id %s, %+v", id, in)
	}
	if err := e.st.MarkActive(e.ctx, e.org.ID, e.integ); !errors.Is(err, store.ErrConflict) {
		e.t.Errorf("MarkActive(stale id) error = %v, want ErrConflict", err)
	}
	e.must(e.st.MarkFailed(e.ctx, e.org.ID, id, "invalid_client", "bad kid", "paste the key"))
	in, err = e.st.Integration(e.ctx, e.org.ID)
	e.must(err)
	assertCleared(e, in, models.StateError)
	if in.LastErrorCode != "invalid_client" || in.LastErrorFix != "paste the key" {
		e.t.Errorf("after MarkFailed: %+v", in)
	}
	if err := e.st.MarkActive(e.ctx, e.org.ID, id); !errors.Is(err, store.ErrConflict) {
		e.t.Errorf("MarkActive(failed) error = %v, want ErrConflict", err)
	}
}

// testActiveIntegrationFails breaks an active integration, as a revoked
// key does: nothing of its settings, nor when it was enabled, stays.
func testActiveIntegrationFails(e *env) {
	e.must(e.st.MarkFailed(e.ctx, e.org.ID, e.integ, "invalid_client", "revoked", "new key"))
	in, err := e.st.Integration(e.ctx, e.org.ID)
	e.must(err)
	assertCleared(e, in, models.StateError)
}

// assertCleared checks nothing of the admin's settings or key is kept.
func assertCleared(e *env, in models.DirectoryIntegration, state string) {
	e.t.Helper()
	if in.State != state || in.OktaDomain != "" || in.SAMLAppID != "" || in.ClientID != "" ||
		in.KeyID != "" || len(in.PrivateJWKCiphertext) != 0 || in.Paused ||
		in.Preferences.Mode != "" || in.Preferences.BrakePercent != 0 ||
		in.ValidatedAt != nil || in.EnabledAt != nil {
		e.t.Errorf("integration = %+v, want state %s and nothing kept", in, state)
	}
}

func testRemoveIntegrationKeepsRecipients(e *env) {
	e.must(e.st.ReplaceGroupMappings(e.ctx, e.org.ID, []models.GroupMapping{
		{OktaGroupID: "00g1", LocationID: e.locs[0]}}))
	run := e.run(false, allUsers(e.locs[0]))
	e.page(run, 1, store.Policy{}, e.locs[:1], users(0, 3)...)
	_, err := e.st.ApplyAppUserPage(e.ctx, store.AppUserPage{RunID: run, OrgID: e.org.ID,
		SourceKey: "app", PageNo: 1, Users: []store.SSOUserRecord{{OktaUserID: "00u1",
			Email: "a@example.com"}}})
	e.must(err)

	e.must(e.st.RemoveIntegration(e.ctx, e.org.ID, e.integ))
	ms, err := e.st.GroupMappings(e.ctx, e.org.ID)
	e.must(err)
	sso, err := e.st.ListSSOUsers(e.ctx, e.org.ID, store.EmailFilter{})
	e.must(err)
	if len(ms) != 0 || len(sso) != 0 {
		e.t.Errorf("after RemoveIntegration: %d mappings, %d SSO users, want none",
			len(ms), len(sso))
	}
	if _, err := e.st.Run(e.ctx, e.org.ID, run); err != nil || len(e.recipients()) != 3 {
		e.t.Errorf("after RemoveIntegration: run %v, %d recipients, want both kept",
			err, len(e.recipients()))
	}
}

func testBeginValidationNeedsSSO(e *env) {
	other := newEnv(e.t, e.st)
	e.must(e.st.MarkFailed(e.ctx, other.org.ID, other.integ, "x", "y", "z"))
	e.must(e.st.SetSSOEnabled(e.ctx, other.org.ID, false))
	_, err := e.st.BeginValidation(e.ctx, other.org.ID, settings)
	wantErr(e.t, "BeginValidation without SSO", err, store.ErrConflict)
	long := settings
	long.Domain = strings.Repeat("a", 300) + ".okta.com"
	_, err = e.st.BeginValidation(e.ctx, e.org.ID, long)
	wantErr(e.t, "BeginValidation(long domain)", err, store.ErrInvalid)
}

func testGroupMappings(e *env) {
	e.must(e.st.ReplaceGroupMappings(e.ctx, e.org.ID, []models.GroupMapping{
		{OktaGroupID: "00g1", LocationID: e.locs[0], GroupName: "Boston"},
		{OktaGroupID: "00g1", LocationID: e.locs[1]},
		{OktaGroupID: "00g1", LocationID: e.locs[0]},
	}))
	other := newEnv(e.t, e.st)
	err := e.st.ReplaceGroupMappings(e.ctx, e.org.ID, []models.GroupMapping{
		{OktaGroupID: "00g2", LocationID: e.locs[2]},
		{OktaGroupID: "00g2", LocationID: other.locs[0]},
	})
	if !errors.Is(err, store.ErrNotFound) {
		e.t.Errorf("ReplaceGroupMappings(other org's location) error = %v, want ErrNotFound", err)
	}
	ms, err := e.st.GroupMappings(e.ctx, e.org.ID)
	e.must(err)
	if len(ms) != 2 || ms[0].OktaGroupID != "00g1" {
		e.t.Errorf("GroupMappings = %+v, want the first two mappings", ms)
	}
	e.must(e.st.ReplaceGroupMappings(e.ctx, e.org.ID, nil))
	if ms, _ := e.st.GroupMappings(e.ctx, e.org.ID); len(ms) != 0 {
		e.t.Errorf("GroupMappings after clearing = %d, want 0", len(ms))
	}
}

package activities

import (
	"context"
	"fmt"
	"slices"

	"go.temporal.io/sdk/activity"

	"github.com/mailroom/oktasync/contract"
	"github.com/mailroom/oktasync/directory"
	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/preferences"
	"github.com/mailroom/oktasync/store"
)

// SyncPage fetches one page of one source of a run from Okta and applies
// it to the store in one transaction. A page already applied (the activity
// is being retried after it committed) is not fetched or applied again:
// its recorded result is returned, so a retry never re-does a finished page.
func (a *Activities) SyncPage(ctx context.Context, in contract.PageInput) (
	contract.PageResult, error) {
	if done, ok, err := a.Store.RunPage(ctx, in.RunID, in.SourceKey, in.PageNo); err != nil {
		return contract.PageResult{}, fmt.Errorf("activities: load page: %w", err)
	} else if ok {
		return contract.PageResult{Next: done.NextCursor,
			Counts: toContractCounts(done.Counts)}, nil
	}

	run, src, err := a.runSource(ctx, in)
	if err != nil {
		return contract.PageResult{}, err
	}
	integ, err := a.integration(ctx, in.OrgID, run.IntegrationID)
	if err != nil {
		return contract.PageResult{}, err
	}
	creds, err := a.credentials(integ)
	if err != nil {
		return contract.PageResult{}, err
	}
	sess, err := a.Provider.Open(ctx, creds, preferences.Scopes(run.Plan.Preferences))
	if err != nil {
		return contract.PageResult{}, asActivityError(err)
	}

	res, err := a.fetchAndApply(ctx, sess, run, src, in)
	if err != nil {
		return contract.PageResult{}, err
	}
	activity.GetLogger(ctx).Debug("page applied", "org_id", in.OrgID, "run_id", in.RunID,
		"source", in.SourceKey, "page", in.PageNo, "fetched", res.Counts.Fetched)
	return res, nil
}

// runSource loads the run and the source the page belongs to.
func (a *Activities) runSource(ctx context.Context, in contract.PageInput) (
	models.SyncRun, models.RunSource, error) {
	run, err := a.Store.Run(ctx, in.OrgID, in.RunID)
	if err != nil {
		return run, models.RunSource{}, fmt.Errorf("activities: load run: %w", err)
	}
	i := slices.IndexFunc(run.Plan.Sources, func(s models.RunSource) bool {
		return s.Key == in.SourceKey
	})
	if i < 0 {
		return run, models.RunSource{}, planError("unknown_source",
			"the run has no source "+in.SourceKey, "start a new run")
	}
	return run, run.Plan.Sources[i], nil
}

// fetchAndApply fetches the page and applies it. It heartbeats between the
// fetch and the write, so a run cancelled meanwhile writes nothing more.
func (a *Activities) fetchAndApply(ctx context.Context, sess directory.Session,
	run models.SyncRun, src models.RunSource, in contract.PageInput) (contract.PageResult, error) {
	if src.Kind == models.SourceAppUsers {
		return a.appUserPage(ctx, sess, run, src, in)
	}
	page, err := a.fetchUsers(ctx, sess, src, in.Cursor)
	if err != nil {
		return contract.PageResult{}, asActivityError(err)
	}
	activity.RecordHeartbeat(ctx, in.PageNo)
	if err := ctx.Err(); err != nil {
		return contract.PageResult{}, err
	}

	counts, err := a.Store.ApplyUserPage(ctx, store.UserPage{
		RunID: in.RunID, OrgID: in.OrgID, SourceKey: in.SourceKey, PageNo: in.PageNo,
		Cursor: in.Cursor, NextCursor: page.Next, LocationIDs: src.LocationIDs,
		Policy: store.Policy{
			DirectoryUpdatesCSV: run.Plan.Preferences.DirectoryUpdatesCSV,
			DryRun:              run.DryRun,
		},
		Users: toRecipients(page.Items, run.Plan.Preferences.AttributeMapping),
	})
	if err != nil {
		return contract.PageResult{}, fmt.Errorf("activities: apply page: %w", err)
	}
	return contract.PageResult{Next: page.Next, Counts: toContractCounts(counts)}, nil
}

// fetchUsers fetches one page of a user listing.
func (a *Activities) fetchUsers(ctx context.Context, sess directory.Session,
	src models.RunSource, cursor string) (directory.Page[directory.User], error) {
	switch src.Kind {
	case models.SourceUsers:
		return sess.Users(ctx, directory.UserFilter{}, a.Config.PageSize, cursor)
	case models.SourceDeprovisionedUsers:
		filter := directory.UserFilter{Status: directory.StatusDeprovisioned}
		return sess.Users(ctx, filter, a.Config.PageSize, cursor)
	case models.SourceGroupMembers:
		return sess.GroupMembers(ctx, src.ID, a.Config.PageSize, cursor)
	}
	return directory.Page[directory.User]{}, planError("unknown_source",
		"unknown source kind "+src.Kind, "start a new run")
}

// appUserPage fetches one page of the SAML app's users into the SSO users
// view.
func (a *Activities) appUserPage(ctx context.Context, sess directory.Session,
	run models.SyncRun, src models.RunSource, in contract.PageInput) (contract.PageResult, error) {
	page, err := sess.AppUsers(ctx, src.ID, a.Config.PageSize, in.Cursor)
	if err != nil {
		return contract.PageResult{}, asActivityError(err)
	}
	activity.RecordHeartbeat(ctx, in.PageNo)
	if err := ctx.Err(); err != nil {
		return contract.PageResult{}, err
	}

	counts, err := a.Store.ApplyAppUserPage(ctx, store.AppUserPage{
		RunID: in.RunID, OrgID: in.OrgID, SourceKey: in.SourceKey, PageNo: in.PageNo,
		Cursor: in.Cursor, NextCursor: page.Next, Users: toSSOUsers(page.Items),
		DryRun: run.DryRun,
	})
	if err != nil {
		return contract.PageResult{}, fmt.Errorf("activities: apply app user page: %w", err)
	}
	return contract.PageResult{Next: page.Next, Counts: toContractCounts(counts)}, nil
}

// toRecipients maps directory users to recipient fields. SUSPENDED and
// DEPROVISIONED users are inactive recipients; every other status (STAGED
// and PROVISIONED included: new hires get packages too) is active.
func toRecipients(users []directory.User, mapping map[string]string) []store.DirectoryRecipient {
	out := make([]store.DirectoryRecipient, 0, len(users))
	for _, u := range users {
		m := preferences.Apply(u.Profile, mapping)
		out = append(out, store.DirectoryRecipient{
			OktaUserID:     u.ID,
			Active:         activeStatus(u.Status),
			Email:          m.Fields[preferences.FieldEmail],
			FirstName:      m.Fields[preferences.FieldFirstName],
			LastName:       m.Fields[preferences.FieldLastName],
			Phone:          m.Fields[preferences.FieldPhone],
			EmployeeNumber: m.Fields[preferences.FieldEmployeeNumber],
			Department:     m.Fields[preferences.FieldDepartment],
			Title:          m.Fields[preferences.FieldTitle],
			Attributes:     m.Attributes,
		})
	}
	return out
}

// activeStatus says whether an Okta user status makes an active recipient.
func activeStatus(status string) bool {
	return status != directory.StatusSuspended && status != directory.StatusDeprovisioned
}

// toSSOUsers maps app assignments to SSO users view entries.
func toSSOUsers(assignments []directory.AppUser) []store.SSOUserRecord {
	out := make([]store.SSOUserRecord, 0, len(assignments))
	for _, au := range assignments {
		m := preferences.Apply(au.User.Profile, nil)
		login, _ := au.User.Profile["login"].(string)
		out = append(out, store.SSOUserRecord{
			OktaUserID: au.UserID, Email: m.Fields[preferences.FieldEmail], Login: login,
			FirstName:  m.Fields[preferences.FieldFirstName],
			LastName:   m.Fields[preferences.FieldLastName],
			UserStatus: au.User.Status, AssignmentScope: au.Scope,
		})
	}
	return out
}

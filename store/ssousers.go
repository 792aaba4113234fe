package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/mailroom/oktasync/models"
)

// SSOUserRecord is one assignment of a directory user to the SAML app,
// mapped by the caller.
type SSOUserRecord struct {
	OktaUserID string
	Email      string
	Login      string
	FirstName  string
	LastName   string
	// UserStatus is the directory user's status, such as "ACTIVE".
	UserStatus string
	// AssignmentScope is "USER" for a direct assignment and "GROUP" for
	// one through a group.
	AssignmentScope string
}

// EmailFilter decides who appears in the SSO users view: addresses match
// whole emails, domains the part after the last @, both ignoring case. Both
// empty means everyone.
type EmailFilter struct {
	Domains   []string
	Addresses []string
}

// SSOUserEntry is one entry of the SSO users view.
type SSOUserEntry struct {
	models.SSOUser
	// HasLoginUser says a login user with this email exists already.
	HasLoginUser bool
}

// ssoUserUpdates are the columns a later run refreshes.
var ssoUserUpdates = []string{"email", "email_norm", "login", "first_name", "last_name",
	"user_status", "assignment_scope", "last_seen_run_id", "updated_at"}

// AppUserPage is one page of the SAML app's assignments.
type AppUserPage struct {
	RunID     string
	OrgID     string
	SourceKey string
	PageNo    int
	// Cursor and NextCursor are recorded for diagnosis only.
	Cursor     string
	NextCursor string
	// DryRun computes the counts but rolls the SSO users' writes back.
	DryRun bool
	Users  []SSOUserRecord
}

// ApplyAppUserPage upserts one page of the SAML app's assignments into the
// SSO users view. Like ApplyUserPage, it records the page: applying it
// again changes nothing and returns the same counts. A dry run (the run's
// or the page's) records the page and its counts but no SSO user.
func (s *Store) ApplyAppUserPage(ctx context.Context, p AppUserPage) (models.RunCounts, error) {
	var counts models.RunCounts
	err := s.tx(ctx, func(tx *gorm.DB) error {
		run, done, err := claimPage(tx, p.RunID, p.OrgID, p.SourceKey, p.PageNo, p.Cursor,
			p.NextCursor, &counts)
		if err != nil || done {
			return err
		}
		var rows []models.SSOUser
		rows, counts = ssoUserRows(p.RunID, p.OrgID, p.Users)
		if err := s.writeSSOUsers(tx, rows, p.DryRun || run.DryRun); err != nil {
			return err
		}
		return finishPage(tx, p.RunID, p.SourceKey, p.PageNo, counts)
	})
	if err != nil {
		return models.RunCounts{}, fmt.Errorf("store: apply app user page %s/%d: %w",
			p.SourceKey, p.PageNo, err)
	}
	return counts, nil
}

// writeSSOUsers upserts rows into the SSO users view. A dry run writes
// inside a savepoint that it rolls back, so a row the database refuses
// fails the page as it would in a real run.
func (s *Store) writeSSOUsers(tx *gorm.DB, rows []models.SSOUser, dryRun bool) error {
	if len(rows) == 0 {
		return nil
	}
	err := savepoint(tx, func(tx *gorm.DB) error {
		err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "org_id"}, {Name: "okta_user_id"}},
			DoUpdates: clause.AssignmentColumns(ssoUserUpdates),
		}).CreateInBatches(rows, s.dial.maxParams()/16).Error
		if err == nil && dryRun {
			return errDryRun
		}
		return err
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return err
	}
	return nil
}

// ssoUserRows validates a page of assignments; invalid ones are counted
// and skipped, and a user listed twice is stored once. The counts are the
// view's own (SSOUsers, Skipped["invalid_sso_user"]): Fetched and NoEmail
// count directory users who become recipients.
func ssoUserRows(runID, orgID string, page []SSOUserRecord) ([]models.SSOUser,
	models.RunCounts) {
	counts := models.RunCounts{Pages: 1}
	now := time.Now().UTC()
	seen := map[string]bool{}
	var rows []models.SSOUser
	for _, u := range page {
		row := models.SSOUser{OrgID: orgID, OktaUserID: strings.TrimSpace(u.OktaUserID),
			Email: CleanText(u.Email), EmailNorm: NormalizeEmail(u.Email),
			Login: CleanText(u.Login), FirstName: CleanText(u.FirstName),
			LastName: CleanText(u.LastName), UserStatus: CleanText(u.UserStatus),
			AssignmentScope: CleanText(u.AssignmentScope), LastSeenRunID: runID,
			CreatedAt: now, UpdatedAt: now}
		if row.OktaUserID == "" || checkSSOUser(&row) != nil {
			skip(&counts, SkipInvalidSSOUser, 1)
			continue
		}
		if seen[row.OktaUserID] {
			continue
		}
		seen[row.OktaUserID] = true
		rows = append(rows, row)
	}
	counts.SSOUsers = len(rows)
	return rows, counts
}

func checkSSOUser(u *models.SSOUser) error {
	return checkColumns("sso_users", map[string]string{
		"okta_user_id": u.OktaUserID, "email": u.Email, "email_norm": u.EmailNorm,
		"login": u.Login, "first_name": u.FirstName, "last_name": u.LastName,
		"user_status": u.UserStatus, "assignment_scope": u.AssignmentScope,
	})
}

// RemoveUnseenSSOUsers deletes the organization's SSO users that run did
// not list. Call it only after the run listed every app assignment.
func (s *Store) RemoveUnseenSSOUsers(ctx context.Context, orgID, runID string) (int, error) {
	res := s.conn(ctx).
		Where("org_id = ? AND (last_seen_run_id IS NULL OR last_seen_run_id <> ?)", orgID, runID).
		Delete(&models.SSOUser{})
	if res.Error != nil {
		return 0, fmt.Errorf("store: remove unseen sso users: %w", res.Error)
	}
	return int(res.RowsAffected), nil
}

// ListSSOUsers returns the SSO users view through filter, by email.
func (s *Store) ListSSOUsers(ctx context.Context, orgID string, filter EmailFilter) (
	[]SSOUserEntry, error) {
	var users []models.SSOUser
	err := s.conn(ctx).Where("org_id = ?", orgID).Order("email_norm, okta_user_id").
		Find(&users).Error
	if err != nil {
		return nil, fmt.Errorf("store: list sso users: %w", err)
	}
	var emails []string
	err = s.conn(ctx).Model(&models.LoginUser{}).Where("org_id = ?", orgID).
		Pluck("email_norm", &emails).Error
	if err != nil {
		return nil, fmt.Errorf("store: list sso users: login users: %w", err)
	}

	hasLogin := make(map[string]bool, len(emails))
	for _, e := range emails {
		hasLogin[e] = true
	}
	f := filter.normalized()
	entries := make([]SSOUserEntry, 0, len(users))
	for _, u := range users {
		if f.allows(u.EmailNorm) {
			entries = append(entries, SSOUserEntry{SSOUser: u,
				HasLoginUser: u.EmailNorm != "" && hasLogin[u.EmailNorm]})
		}
	}
	return entries, nil
}

// normalized lower-cases the filter's entries and drops a leading @ from
// domains.
func (f EmailFilter) normalized() EmailFilter {
	var out EmailFilter
	for _, d := range f.Domains {
		if d = strings.TrimPrefix(NormalizeEmail(d), "@"); d != "" {
			out.Domains = append(out.Domains, d)
		}
	}
	for _, a := range f.Addresses {
		if a = NormalizeEmail(a); a != "" {
			out.Addresses = append(out.Addresses, a)
		}
	}
	return out
}

// allows says whether a normalised email passes a normalised filter.
func (f EmailFilter) allows(email string) bool {
	if len(f.Domains) == 0 && len(f.Addresses) == 0 {
		return true
	}
	if email == "" {
		return false
	}
	if slices.Contains(f.Addresses, email) {
		return true
	}
	at := strings.LastIndexByte(email, '@')
	return at >= 0 && slices.Contains(f.Domains, email[at+1:])
}

// blockedStatuses are the Okta user statuses that cannot sign in with SSO.
var blockedStatuses = []string{"SUSPENDED", "DEPROVISIONED"}

// roles are the mailroom roles a login user can hold.
var roles = []string{models.RoleAdmin, models.RoleStaff, models.RoleViewer}

// errNoSSOUser is the error of a user the SSO users view does not show,
// because the SAML app has no such assignment or its filter hides it.
var errNoSSOUser = fmt.Errorf("the user is not in the SSO users view: %w", ErrNotFound)

// CreateLoginUser makes a login user from an entry of the SSO users view.
// The entry must exist and pass filter (else ErrNotFound), have an email
// and be able to sign in, not suspended or deprovisioned (else
// ErrInvalid); role is one of models.RoleAdmin, RoleStaff or RoleViewer. A
// login user with the same email is ErrConflict.
func (s *Store) CreateLoginUser(ctx context.Context, orgID, oktaUserID, role string,
	filter EmailFilter) (models.LoginUser, error) {
	var lu models.LoginUser
	if !slices.Contains(roles, role) {
		return lu, fmt.Errorf("store: create login user: role %q is not one of %s: %w", role,
			strings.Join(roles, ", "), ErrInvalid)
	}
	var u models.SSOUser
	err := s.conn(ctx).Where("org_id = ? AND okta_user_id = ?", orgID, oktaUserID).Take(&u).Error
	if err != nil {
		return lu, fmt.Errorf("store: create login user: %w", notFound(err, errNoSSOUser))
	}
	if !filter.normalized().allows(u.EmailNorm) {
		return lu, fmt.Errorf("store: create login user: %w", errNoSSOUser)
	}
	if u.EmailNorm == "" {
		return lu, fmt.Errorf("store: create login user: the Okta user has no email: %w",
			ErrInvalid)
	}
	if status := strings.ToUpper(u.UserStatus); slices.Contains(blockedStatuses, status) {
		return lu, fmt.Errorf("store: create login user: the Okta user is %s and cannot "+
			"sign in: %w", strings.ToLower(status), ErrInvalid)
	}

	name := strings.TrimSpace(u.FirstName + " " + u.LastName)
	lu = models.LoginUser{OrgID: orgID, EmailNorm: u.EmailNorm, Email: u.Email,
		Name: truncate(name, columnSize("login_users", "name")), Role: role,
		OktaUserID: u.OktaUserID}
	if err := s.conn(ctx).Create(&lu).Error; err != nil {
		return models.LoginUser{}, fmt.Errorf("store: create login user: %w",
			duplicate(err, "a login user with this email already exists"))
	}
	return lu, nil
}

// ListLoginUsers lists the organization's login users by email.
func (s *Store) ListLoginUsers(ctx context.Context, orgID string) ([]models.LoginUser, error) {
	var users []models.LoginUser
	err := s.conn(ctx).Where("org_id = ?", orgID).Order("email_norm").Find(&users).Error
	if err != nil {
		return nil, fmt.Errorf("store: list login users: %w", err)
	}
	return users, nil
}

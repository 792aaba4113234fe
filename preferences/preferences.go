// Package preferences holds the rules of the admin's sync preferences:
// their defaults, how they are checked, which Okta scopes they need, and the
// attribute mapping from Okta profiles to recipient fields. The dashboard
// checks input with it; the activities apply it.
package preferences

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"

	"github.com/mailroom/oktasync/directory"
	"github.com/mailroom/oktasync/models"
)

// Defaults are the preferences of a new integration.
func Defaults() models.Preferences {
	return models.Preferences{
		Mode:                models.ModeAllUsers,
		SyncIntervalMinutes: 60,
		BrakePercent:        20,
		BrakeMinimum:        50,
	}
}

// Limits on the sync interval, in minutes. Okta's rate limits make a full
// listing of a large org every few minutes unwise.
const (
	MinIntervalMinutes = 5
	MaxIntervalMinutes = 7 * 24 * 60
)

var domainRE = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

// Normalize checks p, fills defaults for zero values and lower-cases the
// email filters. The error is a *directory.InputError naming every problem.
func Normalize(p models.Preferences) (models.Preferences, error) {
	d := Defaults()
	if p.Mode == "" {
		p.Mode = d.Mode
	}
	if p.SyncIntervalMinutes == 0 {
		p.SyncIntervalMinutes = d.SyncIntervalMinutes
	}
	if p.BrakePercent == 0 {
		p.BrakePercent = d.BrakePercent
	}
	if p.BrakeMinimum == 0 {
		p.BrakeMinimum = d.BrakeMinimum
	}
	p.SSOEmailDomains = normalizeList(p.SSOEmailDomains)
	p.SSOEmailAddresses = normalizeList(p.SSOEmailAddresses)

	var problems []*directory.Error
	problems = append(problems, checkScalars(p)...)
	problems = append(problems, checkFilters(p)...)
	problems = append(problems, checkMapping(p.AttributeMapping)...)
	if len(problems) > 0 {
		return p, &directory.InputError{Problems: problems}
	}
	return p, nil
}

func normalizeList(in []string) []string {
	var out []string
	for _, s := range in {
		s = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "@")))
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func problem(field, msg, fix string) *directory.Error {
	return &directory.Error{Code: directory.CodePreferenceInvalid, Field: field,
		Message: msg, Fix: fix}
}

func checkScalars(p models.Preferences) []*directory.Error {
	var out []*directory.Error
	if p.Mode != models.ModeAllUsers && p.Mode != models.ModeGroups {
		out = append(out, problem("mode", fmt.Sprintf("unknown sync mode %q", p.Mode),
			`choose "all_users" (every user to every location) or "groups" `+
				"(members of mapped groups to their locations)"))
	}
	if p.SyncIntervalMinutes < MinIntervalMinutes || p.SyncIntervalMinutes > MaxIntervalMinutes {
		out = append(out, problem("sync_interval_minutes",
			fmt.Sprintf("sync interval %d minutes is out of range", p.SyncIntervalMinutes),
			fmt.Sprintf("choose between %d and %d minutes", MinIntervalMinutes,
				MaxIntervalMinutes)))
	}
	if p.BrakePercent < 1 || p.BrakePercent > 100 {
		out = append(out, problem("brake_percent",
			fmt.Sprintf("brake threshold %d%% is out of range", p.BrakePercent),
			"choose a percentage from 1 to 100 (0 or nothing means the default, 20)"))
	}
	if p.BrakeMinimum < 0 {
		out = append(out, problem("brake_minimum", "brake minimum cannot be negative",
			"choose 1 or more recipients (0 or nothing means the default, 50)"))
	}
	return out
}

func checkFilters(p models.Preferences) []*directory.Error {
	var out []*directory.Error
	for _, d := range p.SSOEmailDomains {
		if !domainRE.MatchString(d) {
			out = append(out, problem("sso_email_domains",
				fmt.Sprintf("%q is not an email domain", d),
				`enter domains such as "example.com", without "@" or a user name`))
		}
	}
	for _, a := range p.SSOEmailAddresses {
		if addr, err := mail.ParseAddress(a); err != nil || addr.Address != a {
			out = append(out, problem("sso_email_addresses",
				"an entry is not a plain email address",
				`enter addresses such as "jane@example.com", one per entry`))
		}
	}
	return out
}

// Scopes returns the Okta scopes p needs: users and groups always (group
// mode lists groups; validation probes both), and apps when the SSO users
// view lists the SAML app's users.
func Scopes(p models.Preferences) []string {
	scopes := []string{directory.ScopeUsersRead, directory.ScopeGroupsRead}
	if p.SSOUsersView {
		scopes = append(scopes, directory.ScopeAppsRead)
	}
	return scopes
}

// NeedsRevalidation reports whether moving from old to new preferences
// needs a scope old was not validated for.
func NeedsRevalidation(old, new models.Preferences) bool {
	have := Scopes(old)
	for _, s := range Scopes(new) {
		if !slices.Contains(have, s) {
			return true
		}
	}
	return false
}

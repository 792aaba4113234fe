package oktastandin

import (
	"maps"
	"slices"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
)

// User statuses, as Okta spells them.
const (
	StatusActive          = "ACTIVE"
	StatusStaged          = "STAGED"
	StatusProvisioned     = "PROVISIONED"
	StatusRecovery        = "RECOVERY"
	StatusLockedOut       = "LOCKED_OUT"
	StatusPasswordExpired = "PASSWORD_EXPIRED"
	StatusSuspended       = "SUSPENDED"
	StatusDeprovisioned   = "DEPROVISIONED"
)

// Group types, as Okta spells them.
const (
	GroupTypeOkta    = "OKTA_GROUP"
	GroupTypeApp     = "APP_GROUP"
	GroupTypeBuiltIn = "BUILT_IN"
)

// Sign-on modes of the apps the stand-in renders in full.
const (
	SignOnModeSAML2 = "SAML_2_0"
	SignOnModeOIDC  = "OPENID_CONNECT"
)

// Scopes the stand-in's endpoints require.
const (
	ScopeUsersRead  = "okta.users.read"
	ScopeGroupsRead = "okta.groups.read"
	ScopeAppsRead   = "okta.apps.read"
)

// DefaultUserTypeID is the user type every user has unless it names another.
// Okta gives each org one default type with an "oty" id.
const DefaultUserTypeID = "otystandindefault001"

// User is a directory user. Zero times are served as null; times are kept
// to the millisecond, as Okta serves them.
type User struct {
	// ID is Okta's 20-character user id, "00u" and 17 letters or digits.
	ID              string
	Status          string
	Created         time.Time
	Activated       time.Time
	StatusChanged   time.Time
	LastLogin       time.Time
	LastUpdated     time.Time
	PasswordChanged time.Time
	// TypeID is the user type's id; empty means DefaultUserTypeID.
	TypeID string
	// Profile holds login, email, firstName, lastName and every other
	// attribute, custom ones included. A nil value is served as null; a
	// missing key is left out of the payload.
	Profile map[string]any
}

// Group is a directory group. Okta groups do not nest.
type Group struct {
	// ID is "00g" and 17 letters or digits.
	ID string
	// Type is GroupTypeOkta, GroupTypeApp or GroupTypeBuiltIn.
	Type        string
	Name        string
	Description string
	// Extra holds further profile attributes, such as an imported Active
	// Directory group's samAccountName.
	Extra map[string]any
	// ObjectClass defaults by type ("okta:user_group" for Okta groups).
	ObjectClass           []string
	Created               time.Time
	LastUpdated           time.Time
	LastMembershipUpdated time.Time
}

// App is an application instance other than a service app, such as the
// SAML 2.0 app users sign in with.
type App struct {
	// ID is "0oa" and 17 letters or digits.
	ID string
	// Name is the app's catalogue key; custom SAML apps get "{org}_{label}_1".
	Name  string
	Label string
	// Status is "ACTIVE" or "INACTIVE".
	Status      string
	SignOnMode  string
	Created     time.Time
	LastUpdated time.Time
}

// ServiceApp is an API Services app: an OAuth client that mints tokens
// with private_key_jwt and is served as an OIDC app. In Okta an OAuth
// app's client id is also its app id.
type ServiceApp struct {
	ClientID string
	Label    string
	// Keys are the public keys registered on the app; assertions must name
	// one of them by kid.
	Keys jwk.Set
	// GrantedScopes are the scopes on the app's "Okta API Scopes" tab.
	GrantedScopes []string
	// DPoPRequired mirrors "Require Demonstrating Proof of Possession".
	DPoPRequired bool
	// AdminRole says whether an admin role (such as Read-only
	// Administrator) is assigned to the app.
	AdminRole bool
	Created   time.Time
}

// clone returns a copy whose profile map can be changed independently.
func (u User) clone() User {
	u.Profile = cloneAny(u.Profile)
	return u
}

// clone returns a copy whose slices and maps can be changed independently.
func (g Group) clone() Group {
	g.Extra = cloneAny(g.Extra)
	g.ObjectClass = slices.Clone(g.ObjectClass)
	return g
}

// clone returns a copy whose key set and scopes can be changed
// independently.
func (a ServiceApp) clone() ServiceApp {
	a.GrantedScopes = slices.Clone(a.GrantedScopes)
	if a.Keys != nil {
		if keys, err := a.Keys.Clone(); err == nil {
			a.Keys = keys
		}
	}
	return a
}

// cloneAny deep-copies JSON-like values: maps and slices are copied,
// everything else is shared.
func cloneAny[M ~map[string]any](m M) M {
	if m == nil {
		return nil
	}
	out := maps.Clone(m)
	for k, v := range out {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return cloneAny(v)
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = cloneValue(x)
		}
		return out
	case []string:
		return slices.Clone(v)
	}
	return v
}

// msec truncates t to Okta's millisecond precision, in UTC, so that a
// client filtering on a timestamp it was served compares equal values.
func msec(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Millisecond)
}

func (u *User) normalise() {
	u.Created = msec(u.Created)
	u.Activated = msec(u.Activated)
	u.StatusChanged = msec(u.StatusChanged)
	u.LastLogin = msec(u.LastLogin)
	u.LastUpdated = msec(u.LastUpdated)
	u.PasswordChanged = msec(u.PasswordChanged)
	if u.Profile == nil {
		u.Profile = map[string]any{}
	}
}

func (g *Group) normalise() {
	g.Created = msec(g.Created)
	g.LastUpdated = msec(g.LastUpdated)
	g.LastMembershipUpdated = msec(g.LastMembershipUpdated)
	if g.Type == "" {
		g.Type = GroupTypeOkta
	}
	if len(g.ObjectClass) == 0 {
		g.ObjectClass = []string{defaultObjectClass(g.Type)}
	}
}

// defaultObjectClass is what Okta reports for groups of each type: imported
// Active Directory groups are Windows security principals.
func defaultObjectClass(groupType string) string {
	if groupType == GroupTypeApp {
		return "okta:windows_security_principal"
	}
	return "okta:user_group"
}

func (a *App) normalise() {
	a.Created = msec(a.Created)
	a.LastUpdated = msec(a.LastUpdated)
	if a.Status == "" {
		a.Status = "ACTIVE"
	}
	if a.SignOnMode == "" {
		a.SignOnMode = SignOnModeSAML2
	}
}

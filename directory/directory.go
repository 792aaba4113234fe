// Package directory defines what a directory sync needs from an identity
// provider: credentials, paged listings of users, groups, group members and
// app assignments, validation probes, and errors an admin can act on.
//
// Okta is the one implementation (package directory/okta). Nothing here
// touches the database or Temporal.
package directory

import (
	"context"
	"log/slog"
	"time"
)

// Scopes an integration may request. Okta grants them to the API Services
// app on its "Okta API Scopes" tab.
const (
	ScopeUsersRead  = "okta.users.read"
	ScopeGroupsRead = "okta.groups.read"
	ScopeAppsRead   = "okta.apps.read"
)

// Credentials identify and authenticate the API Services app of one
// directory tenant. PrivateJWK is a secret: Credentials redact it whenever
// they are printed or logged.
type Credentials struct {
	// Domain is the normalised org host, such as "acme.okta.com" or, for
	// the stand-in, "127.0.0.1:8443".
	Domain   string
	ClientID string
	// PrivateJWK is the private key as a JSON Web Key, exactly one key.
	PrivateJWK []byte
}

// String redacts the private key.
func (c Credentials) String() string {
	return "directory.Credentials{Domain:" + c.Domain + " ClientID:" + c.ClientID +
		" PrivateJWK:[redacted]}"
}

// GoString redacts the private key from %#v.
func (c Credentials) GoString() string { return c.String() }

// LogValue redacts the private key from structured logs.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("domain", c.Domain),
		slog.String("client_id", c.ClientID),
	)
}

// User is a directory user as listings return it.
type User struct {
	ID     string
	Status string
	// Profile holds every profile attribute, custom ones included, as the
	// directory returned it (strings, numbers, booleans, lists or nil).
	Profile     map[string]any
	LastUpdated time.Time
}

// Okta user statuses that make a recipient inactive.
const (
	StatusSuspended     = "SUSPENDED"
	StatusDeprovisioned = "DEPROVISIONED"
)

// Group is a directory group.
type Group struct {
	ID          string
	Name        string
	Description string
	Type        string
}

// AppUser is a user's assignment to an app. Scope is "USER" for a direct
// assignment and "GROUP" for one through a group.
type AppUser struct {
	UserID string
	Scope  string
	Status string
	// User is the embedded user record; listings request it.
	User User
}

// App is an application in the directory tenant.
type App struct {
	ID         string
	Name       string
	Label      string
	Status     string
	SignOnMode string
}

// SignOnModeSAML2 is the sign-on mode of a SAML 2.0 app.
const SignOnModeSAML2 = "SAML_2_0"

// Page is one page of a listing. Next is the opaque cursor of the following
// page, empty on the last page.
type Page[T any] struct {
	Items []T
	Next  string
}

// UserFilter narrows a user listing.
type UserFilter struct {
	// Status lists only users in this status. Okta omits DEPROVISIONED users
	// from an unfiltered listing, so a sync asks for them separately.
	Status string
}

// Provider opens sessions against directory tenants.
type Provider interface {
	// Open returns a session authenticated for scopes. Tokens are minted
	// and cached inside the provider and never returned to callers.
	Open(ctx context.Context, creds Credentials, scopes []string) (Session, error)
	// Validate checks creds against the tenant: it mints a token for scopes,
	// then probes each listing the scopes allow and the SAML app. It returns
	// nil or an *Error naming what the admin must fix.
	Validate(ctx context.Context, creds Credentials, samlAppID string, scopes []string) error
}

// Session lists one tenant's data. A cursor of "" asks for the first page;
// otherwise it must be a Next value from an earlier page of the same listing.
type Session interface {
	Users(ctx context.Context, filter UserFilter, limit int, cursor string) (Page[User], error)
	Groups(ctx context.Context, limit int, cursor string) (Page[Group], error)
	GroupMembers(ctx context.Context, groupID string, limit int, cursor string) (Page[User], error)
	App(ctx context.Context, appID string) (App, error)
	AppUsers(ctx context.Context, appID string, limit int, cursor string) (Page[AppUser], error)
}

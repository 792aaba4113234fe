package models

import "time"

// Organization is one tenant of the mailroom application. Every other row
// belongs to exactly one organization.
type Organization struct {
	ID   string `gorm:"primaryKey;size:36"`
	Name string `gorm:"size:200;not null"`
	// APITokenHash is the hex SHA-256 of the organization's API token; the
	// token itself is shown once, when the organization is created.
	APITokenHash string `gorm:"size:64;not null;uniqueIndex"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Location is a mailroom: a place where packages are received and where
// recipients can pick them up.
type Location struct {
	ID        string `gorm:"primaryKey;size:36"`
	OrgID     string `gorm:"size:36;not null;uniqueIndex:idx_locations_org_name,priority:1"`
	Name      string `gorm:"size:200;not null;uniqueIndex:idx_locations_org_name,priority:2"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// LoginUser is a staff member who signs in to the mailroom app with SSO. Login
// users are only ever created by an admin, never by a sync.
type LoginUser struct {
	ID    int64  `gorm:"primaryKey"`
	OrgID string `gorm:"size:36;not null;uniqueIndex:idx_login_users_org_email,priority:1"`
	// EmailNorm is the trimmed, lower-cased email that identifies the user.
	EmailNorm string `gorm:"size:320;not null;uniqueIndex:idx_login_users_org_email,priority:2"`
	Email     string `gorm:"size:320;not null"`
	Name      string `gorm:"size:400"`
	// Role is the mailroom role the admin chose: see RoleAdmin and friends.
	Role string `gorm:"size:32;not null"`
	// OktaUserID links the login user to the directory entry it was made from.
	OktaUserID string `gorm:"size:64"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Mailroom roles a login user can hold.
const (
	RoleAdmin  = "admin"
	RoleStaff  = "staff"
	RoleViewer = "viewer"
)

// SSOConnection is an organization's SAML single sign-on set-up. The
// directory integration may only be enabled while it is enabled.
type SSOConnection struct {
	OrgID   string `gorm:"primaryKey;size:36"`
	Enabled bool   `gorm:"not null"`
	// IdPEntityID and SSOURL describe the SAML identity provider; the sync
	// does not use them, but they show which Okta org SSO points at.
	IdPEntityID string `gorm:"size:500"`
	SSOURL      string `gorm:"size:500"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

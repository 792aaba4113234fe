package models

import "time"

// Integration states, in the order an enable walks through them.
const (
	StateDisabled   = "disabled"
	StateValidating = "validating"
	StateActive     = "active"
	StateError      = "error"
	StateDisabling  = "disabling"
)

// Sync modes: which directory users become recipients where.
const (
	// ModeAllUsers makes every directory user a recipient at every location.
	ModeAllUsers = "all_users"
	// ModeGroups makes members of mapped groups recipients at the mapped
	// locations only.
	ModeGroups = "groups"
)

// DirectoryIntegration is an organization's connection to its Okta
// directory: the admin's settings, sync preferences and lifecycle state.
//
// One row exists per organization once an integration was ever enabled.
// Turning the integration off clears every setting and the key but keeps the
// row, so the state and the last error remain visible.
type DirectoryIntegration struct {
	ID    string `gorm:"primaryKey;size:36"`
	OrgID string `gorm:"size:36;not null;uniqueIndex"`
	// State is one of StateDisabled, StateValidating, StateActive, StateError
	// or StateDisabling.
	State string `gorm:"size:16;not null"`
	// Paused stops new sync runs from starting while the integration stays on.
	Paused bool `gorm:"not null"`

	// OktaDomain is the normalised org host, such as "acme.okta.com".
	OktaDomain string `gorm:"size:255"`
	SAMLAppID  string `gorm:"size:64"`
	ClientID   string `gorm:"size:64"`
	// KeyID is the kid of the private JWK; it names the key without
	// revealing it.
	KeyID string `gorm:"size:200"`
	// PrivateJWKCiphertext is the admin's private JWK sealed with AES-256-GCM.
	// It is never stored or logged in the clear.
	PrivateJWKCiphertext []byte

	Preferences Preferences `gorm:"serializer:json"`

	// LastErrorCode, LastErrorMessage and LastErrorFix describe why the last
	// validation or run failed, in words an admin can act on.
	LastErrorCode    string `gorm:"size:64"`
	LastErrorMessage string `gorm:"size:2000"`
	LastErrorFix     string `gorm:"size:2000"`

	ValidatedAt *time.Time
	EnabledAt   *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Preferences are the admin's sync choices from the settings form.
type Preferences struct {
	// Mode is ModeAllUsers or ModeGroups.
	Mode string `json:"mode"`
	// SyncIntervalMinutes is the time between scheduled runs.
	SyncIntervalMinutes int `json:"sync_interval_minutes"`
	// DeactivateMissing deactivates directory-created recipients that the
	// latest complete run did not see.
	DeactivateMissing bool `json:"deactivate_missing"`
	// DirectoryUpdatesCSV lets the sync adopt and update recipients that a
	// CSV import or an admin created.
	DirectoryUpdatesCSV bool `json:"directory_updates_csv"`
	// CSVUpdatesDirectory lets CSV imports change directory-created
	// recipients.
	CSVUpdatesDirectory bool `json:"csv_updates_directory"`
	// SSOUsersView keeps the list of users assigned to the SAML app.
	SSOUsersView bool `json:"sso_users_view"`
	// SSOEmailDomains and SSOEmailAddresses decide who appears in the SSO
	// users view; both empty means everyone.
	SSOEmailDomains   []string `json:"sso_email_domains,omitempty"`
	SSOEmailAddresses []string `json:"sso_email_addresses,omitempty"`
	// AttributeMapping overrides where recipient fields come from in the
	// Okta profile: field name to profile attribute.
	AttributeMapping map[string]string `json:"attribute_mapping,omitempty"`
	// BrakePercent and BrakeMinimum hold a run whose deactivations exceed
	// both this share of active recipients and this count.
	BrakePercent int `json:"brake_percent"`
	BrakeMinimum int `json:"brake_minimum"`
}

// GroupMapping sends the members of one Okta group to one location.
type GroupMapping struct {
	ID          int64  `gorm:"primaryKey"`
	OrgID       string `gorm:"size:36;not null;uniqueIndex:idx_group_mappings_key,priority:1"`
	OktaGroupID string `gorm:"size:64;not null;uniqueIndex:idx_group_mappings_key,priority:2"`
	LocationID  string `gorm:"size:36;not null;uniqueIndex:idx_group_mappings_key,priority:3"`
	// GroupName is the group's name when it was mapped, for display only.
	GroupName string `gorm:"size:255"`
	CreatedAt time.Time
}

// SSOUser is a directory user assigned to the SAML app, directly or through
// a group. Admins create login users from these entries.
type SSOUser struct {
	ID         int64  `gorm:"primaryKey"`
	OrgID      string `gorm:"size:36;not null;uniqueIndex:idx_sso_users_key,priority:1"`
	OktaUserID string `gorm:"size:64;not null;uniqueIndex:idx_sso_users_key,priority:2"`
	Email      string `gorm:"size:320"`
	EmailNorm  string `gorm:"size:320;index"`
	Login      string `gorm:"size:320"`
	FirstName  string `gorm:"size:200"`
	LastName   string `gorm:"size:200"`
	// UserStatus is the Okta user's status; AssignmentScope is "USER" for a
	// direct assignment and "GROUP" for one through a group.
	UserStatus      string `gorm:"size:32"`
	AssignmentScope string `gorm:"size:16"`
	// LastSeenRunID is the last run that found the assignment.
	LastSeenRunID string `gorm:"size:36"`
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

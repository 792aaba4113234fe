package models

import "time"

// Provenances: who created a recipient. A sync never changes or deactivates
// a recipient it did not create unless a switch in Preferences says so.
const (
	ProvenanceDirectory = "directory"
	ProvenanceCSV       = "csv"
	ProvenanceManual    = "manual"
)

// Reasons a recipient became inactive.
const (
	// InactiveOktaStatus: the Okta user is SUSPENDED or DEPROVISIONED.
	InactiveOktaStatus = "okta_status"
	// InactiveMissing: a complete run no longer found the user in scope.
	InactiveMissing = "missing"
	// InactiveCSVOverwrite: an overwrite import did not list the recipient.
	InactiveCSVOverwrite = "csv_overwrite"
	// InactiveLocal: an admin deactivated the recipient in the mailroom app.
	InactiveLocal = "local"
)

// Recipient is a person packages are for, at one location. Recipients cannot
// log in. A directory recipient is keyed by (LocationID, OktaUserID); a CSV
// or manual one by (LocationID, EmailNorm).
type Recipient struct {
	ID         int64  `gorm:"primaryKey"`
	OrgID      string `gorm:"size:36;not null;index"`
	LocationID string `gorm:"size:36;not null;uniqueIndex:idx_recipients_okta,priority:1;index:idx_recipients_email,priority:1"`
	// OktaUserID links the recipient to a directory user; nil for recipients
	// that only a CSV import or an admin know about.
	OktaUserID *string `gorm:"size:64;uniqueIndex:idx_recipients_okta,priority:2"`
	// Provenance is one of ProvenanceDirectory, ProvenanceCSV or
	// ProvenanceManual and never changes after creation.
	Provenance string `gorm:"size:16;not null"`

	Email string `gorm:"size:320"`
	// EmailNorm is Email trimmed and lower-cased, for matching.
	EmailNorm      string `gorm:"size:320;index:idx_recipients_email,priority:2"`
	FirstName      string `gorm:"size:200"`
	LastName       string `gorm:"size:200"`
	Phone          string `gorm:"size:64"`
	EmployeeNumber string `gorm:"size:64"`
	Department     string `gorm:"size:200"`
	Title          string `gorm:"size:200"`
	// Attributes holds custom attributes from the integration's mapping.
	Attributes map[string]string `gorm:"serializer:json"`

	Active bool `gorm:"not null"`
	// InactiveReason says why Active is false: InactiveOktaStatus and friends.
	InactiveReason string `gorm:"size:32"`

	// CreatedRunID and ChangedRunID name the sync runs that created and last
	// changed the row. A run that changes nothing writes nothing, so the
	// runs that merely saw the row are recorded in SyncRunSeen instead.
	CreatedRunID string `gorm:"size:36"`
	ChangedRunID string `gorm:"size:36"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

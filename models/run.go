package models

import "time"

// Run statuses.
const (
	RunRunning   = "running"
	RunHeld      = "held"
	RunSucceeded = "succeeded"
	RunFailed    = "failed"
	RunCancelled = "cancelled"
	RunRejected  = "rejected"
)

// Run triggers.
const (
	TriggerInitial  = "initial"
	TriggerSchedule = "schedule"
	TriggerManual   = "manual"
)

// SyncRun is one execution of a directory sync: what started it, how it
// ended and what it changed.
type SyncRun struct {
	ID            string `gorm:"primaryKey;size:36"`
	OrgID         string `gorm:"size:36;not null;index"`
	IntegrationID string `gorm:"size:36;not null"`
	WorkflowID    string `gorm:"size:200"`
	Trigger       string `gorm:"size:16;not null"`
	DryRun        bool   `gorm:"not null"`
	// Status is one of RunRunning, RunHeld, RunSucceeded, RunFailed,
	// RunCancelled or RunRejected.
	Status string `gorm:"size:16;not null"`
	// Plan is the snapshot of settings the run works from, so a change made
	// while it runs applies to the next run only.
	Plan RunPlan `gorm:"serializer:json"`
	// Counts are what the run changed; they equal the rows it wrote.
	Counts RunCounts `gorm:"serializer:json"`
	Error  string    `gorm:"size:2000"`
	// AppliedDeactivations is how many recipients the run deactivated as
	// missing; nil until it applied its deactivations. Recording it makes
	// applying them idempotent.
	AppliedDeactivations *int
	StartedAt            time.Time
	// FinishedAt is nil while the run is running or held.
	FinishedAt *time.Time
}

// RunPlan is what a run fetches and where its users go.
type RunPlan struct {
	Mode        string      `json:"mode"`
	Sources     []RunSource `json:"sources"`
	Preferences Preferences `json:"preferences"`
	// LocationIDs are every location of the organization at plan time.
	LocationIDs []string `json:"location_ids"`
}

// Source kinds: what a RunSource lists.
const (
	SourceUsers              = "users"
	SourceDeprovisionedUsers = "deprovisioned_users"
	SourceGroupMembers       = "group_members"
	SourceAppUsers           = "app_users"
)

// RunSource is one paged listing a run walks, and the locations its users
// become recipients at.
type RunSource struct {
	// Key identifies the source within the run, such as "users" or
	// "group:00g1".
	Key  string `json:"key"`
	Kind string `json:"kind"`
	// ID is the group or app id for group-member and app-user sources.
	ID          string   `json:"id,omitempty"`
	LocationIDs []string `json:"location_ids,omitempty"`
}

// RunCounts is a run's report. Created, Updated, Reactivated and
// Deactivated count recipient rows written; Unchanged counts rows seen and
// left alone; Held counts deactivations the brake stopped.
type RunCounts struct {
	Pages       int            `json:"pages"`
	Fetched     int            `json:"fetched"`
	Created     int            `json:"created"`
	Updated     int            `json:"updated"`
	Unchanged   int            `json:"unchanged"`
	Reactivated int            `json:"reactivated"`
	Deactivated int            `json:"deactivated"`
	Held        int            `json:"held"`
	NoEmail     int            `json:"no_email"`
	Skipped     map[string]int `json:"skipped,omitempty"`
	SSOUsers    int            `json:"sso_users"`
}

// SyncRunPage records one page a run applied. Its primary key makes a page
// idempotent: a retried activity finds the row and does not apply the page
// twice.
type SyncRunPage struct {
	RunID      string    `gorm:"primaryKey;size:36"`
	SourceKey  string    `gorm:"primaryKey;size:100"`
	PageNo     int       `gorm:"primaryKey"`
	Cursor     string    `gorm:"size:2000"`
	NextCursor string    `gorm:"size:2000"`
	Counts     RunCounts `gorm:"serializer:json"`
	CreatedAt  time.Time
}

// SyncRunSeen records that a run's source listed a directory user. The
// deactivation step reads it to find recipients a complete run did not see,
// looking users up by run and user through idx_sync_run_seens_user.
type SyncRunSeen struct {
	RunID      string `gorm:"primaryKey;size:36;index:idx_sync_run_seens_user,priority:1"`
	SourceKey  string `gorm:"primaryKey;size:100"`
	OktaUserID string `gorm:"primaryKey;size:64;index:idx_sync_run_seens_user,priority:2"`
}

// SyncRunScope records which locations a run's source covers.
type SyncRunScope struct {
	RunID      string `gorm:"primaryKey;size:36"`
	SourceKey  string `gorm:"primaryKey;size:100"`
	LocationID string `gorm:"primaryKey;size:36"`
}

// SyncRunIssue is one (location, user) row a run skipped, and why, so an
// admin can find and fix the record in Okta. Detail names the field and
// the rule it broke, never the value itself or an email.
type SyncRunIssue struct {
	ID         int64  `gorm:"primaryKey"`
	RunID      string `gorm:"size:36;not null;index"`
	OrgID      string `gorm:"size:36;not null"`
	OktaUserID string `gorm:"size:64;not null"`
	LocationID string `gorm:"size:36;not null"`
	// Reason is the skip reason counted in RunCounts.Skipped, such as
	// "invalid_record".
	Reason    string `gorm:"size:32;not null"`
	Detail    string `gorm:"size:500"`
	CreatedAt time.Time
}

package contract

import (
	"encoding/json"
	"time"
)

// IntegrationInput starts IntegrationWorkflow, and carries its state across
// continue-as-new.
type IntegrationInput struct {
	OrgID         string
	IntegrationID string
	// Validated is true once the settings passed validation.
	Validated bool
	// Paused mirrors the integration's paused flag.
	Paused bool
	// IntervalMinutes is the time between scheduled runs.
	IntervalMinutes int
	// Pending is a requested run that has not started yet.
	Pending *SyncRequest
	// NextRunAt is when the next scheduled run is due.
	NextRunAt time.Time
	// LastRunID and LastRunStatus describe the most recent run.
	LastRunID     string
	LastRunStatus string
}

// SyncRequest asks for a sync run.
type SyncRequest struct {
	// Trigger is "initial", "schedule" or "manual".
	Trigger string
	// DryRun computes the run's report without changing recipients.
	DryRun bool
}

// IntegrationStatus answers QueryStatus on IntegrationWorkflow.
type IntegrationStatus struct {
	OrgID         string
	IntegrationID string
	// Phase is "validating", "idle", "syncing" or "stopping".
	Phase           string
	Paused          bool
	IntervalMinutes int
	NextRunAt       time.Time
	// CurrentRunID is the running sync run, if any; query its workflow
	// (CurrentRunWorkflowID) for progress.
	CurrentRunID         string
	CurrentRunWorkflowID string
	Pending              *SyncRequest
	LastRunID            string
	LastRunStatus        string
}

// ValidateInput asks ValidateSettingsActivity to check an integration's
// stored settings against the directory. Preferences, when set, are the
// ones to validate for instead of the stored ones.
type ValidateInput struct {
	OrgID         string
	IntegrationID string
	Preferences   json.RawMessage `json:",omitempty"`
}

// ValidatedResult is what MarkValidatedActivity returns: the schedule.
type ValidatedResult struct {
	IntervalMinutes int
	Paused          bool
}

// IntegrationRef names one integration of one organization.
type IntegrationRef struct {
	OrgID         string
	IntegrationID string
}

// FailureInput records why an integration or a run failed.
type FailureInput struct {
	OrgID         string
	IntegrationID string
	Detail        ErrorDetail
}

// PausedInput sets an integration's paused flag.
type PausedInput struct {
	OrgID         string
	IntegrationID string
	Paused        bool
}

// PreferencesUpdate is the argument of UpdatePreferences. Preferences is the
// JSON of the full new preferences; the workflow passes it on unread.
type PreferencesUpdate struct {
	Preferences json.RawMessage
	// Revalidate is set when the new preferences need a scope the current
	// settings were not validated for.
	Revalidate bool
}

// SavePreferencesInput stores new preferences.
type SavePreferencesInput struct {
	OrgID         string
	IntegrationID string
	Preferences   json.RawMessage
}

// SyncRunInput starts SyncRunWorkflow.
type SyncRunInput struct {
	OrgID         string
	IntegrationID string
	RunID         string
	Trigger       string
	DryRun        bool
}

// RunPlan is what StartRunActivity returns: the run's sources and rules.
// It names sources by key only; the activities read the rest from the run
// row, so no directory data travels through history.
type RunPlan struct {
	RunID   string
	Sources []SourceRef
	// DeactivateMissing, BrakePercent and BrakeMinimum are the preferences
	// the run took at its start.
	DeactivateMissing bool
	BrakePercent      int
	BrakeMinimum      int
	// SSOUsers is set when one source lists the SAML app's users.
	SSOUsers bool
	DryRun   bool
	// Page activity retry tuning, from the worker's configuration.
	PageAttempts     int32
	PageRetryInitial time.Duration
	PageTimeout      time.Duration
	// HoldTimeout is how long a held run waits for an admin before it is
	// rejected.
	HoldTimeout time.Duration
}

// SourceRef names one listing of a run.
type SourceRef struct {
	Key  string
	Kind string
}

// PageInput asks SyncPageActivity to fetch and apply one page.
type PageInput struct {
	OrgID     string
	RunID     string
	SourceKey string
	PageNo    int
	Cursor    string
}

// PageResult is one applied page: the next cursor ("" at the end) and what
// the page changed.
type PageResult struct {
	Next   string
	Counts Counts
}

// Counts is a run's or a page's report; see models.RunCounts.
type Counts struct {
	Pages       int
	Fetched     int
	Created     int
	Updated     int
	Unchanged   int
	Reactivated int
	Deactivated int
	Held        int
	NoEmail     int
	Skipped     map[string]int `json:",omitempty"`
	SSOUsers    int
}

// Add adds o to c.
func (c *Counts) Add(o Counts) {
	c.Pages += o.Pages
	c.Fetched += o.Fetched
	c.Created += o.Created
	c.Updated += o.Updated
	c.Unchanged += o.Unchanged
	c.Reactivated += o.Reactivated
	c.Deactivated += o.Deactivated
	c.Held += o.Held
	c.NoEmail += o.NoEmail
	c.SSOUsers += o.SSOUsers
	for k, v := range o.Skipped {
		if c.Skipped == nil {
			c.Skipped = map[string]int{}
		}
		c.Skipped[k] += v
	}
}

// RunRef names one run.
type RunRef struct {
	OrgID string
	RunID string
}

// RunStatusInput sets a run's status while it is still open.
type RunStatusInput struct {
	OrgID  string
	RunID  string
	Status string
	// Held is, for status "held", the deactivations waiting for an admin.
	Held int `json:",omitempty"`
}

// HeldAnswer is the argument of UpdateAnswerHeld.
type HeldAnswer struct {
	Approve bool
}

// DeactivationPlan counts what a complete run would deactivate.
type DeactivationPlan struct {
	WouldDeactivate           int
	ActiveDirectoryRecipients int
}

// FinishRunInput closes a run.
type FinishRunInput struct {
	OrgID         string
	IntegrationID string
	RunID         string
	Status        string
	// Held is the number of deactivations the brake stopped.
	Held int
	// WouldDeactivate is what a dry run would have deactivated.
	WouldDeactivate int
	Error           *ErrorDetail `json:",omitempty"`
}

// RunProgress answers QueryStatus on SyncRunWorkflow.
type RunProgress struct {
	RunID string
	// Phase is "planning", "fetching", "held", "deactivating", "finishing"
	// or "done".
	Phase  string
	Paused bool
	// Source is the key of the listing being fetched.
	Source string
	Pages  int
	Users  int
	Counts Counts
	// Deactivation is set once the run planned its deactivations.
	Deactivation *DeactivationPlan `json:",omitempty"`
}

// DisableInput starts DisableWorkflow.
type DisableInput struct {
	OrgID string
	// Reason is "admin" for the toggle and "sso_removed" for the cascade.
	Reason string
}

// RemoveSSOInput starts RemoveSSOWorkflow.
type RemoveSSOInput struct {
	OrgID string
}

// ErrorDetail is the detail of an application error an admin can act on:
// the code, what is wrong and the fix. It never holds a secret.
type ErrorDetail struct {
	Code    string
	Message string
	Fix     string
}

// ErrDirectory is the application error type of failures reported by the
// directory (Okta); its details hold an ErrorDetail.
const ErrDirectory = "DirectoryError"

// RunOutcome is SyncRunWorkflow's result for a run that completed: its
// final status ("succeeded", or "rejected" when an admin rejected held
// deactivations) and its report. Failed and cancelled runs end the workflow
// with an error instead, so the Temporal UI lists them as such.
type RunOutcome struct {
	Status string
	Counts Counts
}

// Package contract is the vocabulary shared by the workflows, the
// activities, the worker and the starter: the names of task queues,
// workflows, activities, signals, queries, updates and search attributes,
// workflow ids, and the small inputs and results they exchange.
//
// It imports only the standard library, so workflow code that depends on it
// stays free of GORM, HTTP and Okta types, and nothing in it can carry
// directory data or a secret into workflow history.
package contract

// TaskQueue is the default Temporal task queue the worker polls and the
// starter starts workflows on (TEMPORAL_TASK_QUEUE overrides it). Child
// workflows and activities inherit their parent's queue.
const TaskQueue = "directory-sync"

// Workflow type names.
const (
	// IntegrationWorkflow is the long-running workflow of one organization's
	// directory integration: it validates, syncs on an interval, and ends
	// when the integration is turned off.
	IntegrationWorkflow = "DirectoryIntegration"
	// SyncRunWorkflow is one sync run, a child of IntegrationWorkflow.
	SyncRunWorkflow = "DirectorySyncRun"
	// DisableWorkflow turns an integration off and removes its settings.
	DisableWorkflow = "DisableDirectoryIntegration"
	// RemoveSSOWorkflow removes an SSO connection and, before it, the
	// directory integration that depends on it.
	RemoveSSOWorkflow = "RemoveSSOConnection"
)

// Activity names.
const (
	ValidateSettingsActivity     = "ValidateSettings"
	MarkValidatedActivity        = "MarkValidated"
	MarkValidationFailedActivity = "MarkValidationFailed"
	SavePreferencesActivity      = "SavePreferences"
	SetPausedActivity            = "SetPaused"
	StartRunActivity             = "StartRun"
	SyncPageActivity             = "SyncPage"
	SetRunStatusActivity         = "SetRunStatus"
	PlanDeactivationActivity     = "PlanDeactivation"
	ApplyDeactivationActivity    = "ApplyDeactivation"
	FinishSSOUsersActivity       = "FinishSSOUsers"
	FinishRunActivity            = "FinishRun"
	MarkDisablingActivity        = "MarkDisabling"
	StopIntegrationActivity      = "StopIntegration"
	RemoveIntegrationActivity    = "RemoveIntegration"
	DisableSSOActivity           = "DisableSSO"
	DeleteSSOActivity            = "DeleteSSO"
)

// Signals of IntegrationWorkflow. Pause, resume and cancel are forwarded to
// the running SyncRunWorkflow; approve and reject answer a held run.
const (
	// SignalSyncNow asks for a run as soon as none is running (SyncRequest).
	SignalSyncNow = "sync-now"
	// SignalPause stops new runs and pauses the running one between pages.
	SignalPause = "pause"
	// SignalResume undoes SignalPause.
	SignalResume = "resume"
	// SignalCancel cancels the running sync run; nothing is deactivated and
	// the integration stays on.
	SignalCancel = "cancel"
	// SignalApprove applies the deactivations of a held run.
	SignalApprove = "approve-deactivation"
	// SignalReject discards the deactivations of a held run.
	SignalReject = "reject-deactivation"
)

// Queries.
const (
	// QueryStatus returns IntegrationStatus from IntegrationWorkflow and
	// RunProgress from SyncRunWorkflow.
	QueryStatus = "status"
)

// Updates.
const (
	// UpdatePreferences changes sync preferences, validating the settings
	// again first when the new preferences need a scope not yet validated
	// (IntegrationWorkflow).
	UpdatePreferences = "update-preferences"
	// UpdateAnswerHeld approves or rejects the deactivations of a held run
	// (SyncRunWorkflow, HeldAnswer). Unlike the signals, it tells the caller
	// whether its answer was taken: only the first answer is.
	UpdateAnswerHeld = "answer-held"
)

// Search attributes, registered with the Temporal server (see Makefile and
// docker-compose.yml) so operators can filter workflows in the Temporal UI.
const (
	// SearchAttrOrgID is a Keyword holding the organization id.
	SearchAttrOrgID = "MailroomOrgID"
	// SearchAttrState is a Keyword holding the integration or run state,
	// such as "active", "held" or "failed".
	SearchAttrState = "DirectorySyncState"
)

// IntegrationWorkflowID is the id of an organization's integration
// workflow. It is deterministic so that at most one runs per organization.
func IntegrationWorkflowID(orgID string) string { return "directory-integration-" + orgID }

// SyncRunWorkflowID is the id of one sync run's workflow.
func SyncRunWorkflowID(orgID, runID string) string {
	return "directory-sync-" + orgID + "-" + runID
}

// DisableWorkflowID is the id of the workflow turning an integration off.
func DisableWorkflowID(orgID string) string { return "directory-disable-" + orgID }

// RemoveSSOWorkflowID is the id of the SSO removal cascade.
func RemoveSSOWorkflowID(orgID string) string { return "sso-removal-" + orgID }

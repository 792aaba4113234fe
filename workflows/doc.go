// Package workflows orchestrates the directory integration on Temporal:
// IntegrationWorkflow (validate, first sync, then a sync on an interval),
// SyncRunWorkflow (one run: fetch every page of every source, then
// deactivate the missing through a brake), DisableWorkflow and
// RemoveSSOWorkflow.
//
// Workflow code is deterministic and knows only the names, inputs and
// results in package contract; everything that touches the network or the
// database is an activity. No directory data and no secret passes through
// workflow history: activities exchange keys, cursors and counts.
package workflows

package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/mailroom/oktasync/contract"
)

// Registry is the part of a Temporal worker that workflows register with.
type Registry interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
}

// Register registers every workflow of this package under its contract name.
func Register(r Registry) {
	r.RegisterWorkflowWithOptions(IntegrationWorkflow,
		workflow.RegisterOptions{Name: contract.IntegrationWorkflow})
	r.RegisterWorkflowWithOptions(SyncRunWorkflow,
		workflow.RegisterOptions{Name: contract.SyncRunWorkflow})
	r.RegisterWorkflowWithOptions(DisableWorkflow,
		workflow.RegisterOptions{Name: contract.DisableWorkflow})
	r.RegisterWorkflowWithOptions(RemoveSSOWorkflow,
		workflow.RegisterOptions{Name: contract.RemoveSSOWorkflow})
}

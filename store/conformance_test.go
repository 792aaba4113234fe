package store_test

import (
	"testing"

	"github.com/mailroom/oktasync/internal/testenv"
)

// conformance lists every case of the suite; each runs on every backend
// against a fresh organization.
var conformance = []struct {
	name string
	run  func(e *env)
}{
	{"OrganizationToken", testOrganizationToken},
	{"LocationsAreTenantScoped", testLocationsAreTenantScoped},
	{"SSOConnection", testSSOConnection},
	{"IntegrationLifecycle", testIntegrationLifecycle},
	{"ActiveIntegrationFails", testActiveIntegrationFails},
	{"RemoveIntegrationKeepsRecipients", testRemoveIntegrationKeepsRecipients},
	{"BeginValidationNeedsSSO", testBeginValidationNeedsSSO},
	{"GroupMappings", testGroupMappings},
	{"CreateRunIsIdempotent", testCreateRunIsIdempotent},
	{"RunStatus", testRunStatus},
	{"RunCounts", testRunCounts},
	{"HoldRunKeepsCounts", testHoldRunKeepsCounts},
	{"FinishedRunTakesNoPages", testFinishedRunTakesNoPages},
	{"ApplyUserPageCreates", testApplyUserPageCreates},
	{"ApplyUserPageIsIdempotent", testApplyUserPageIsIdempotent},
	{"SecondSyncWritesNothing", testSecondSyncWritesNothing},
	{"EmailChangeUpdatesSameRow", testEmailChangeUpdatesSameRow},
	{"SuspendedAndBack", testSuspendedAndBack},
	{"NewSuspendedUserIsCreatedInactive", testNewSuspendedUserIsCreatedInactive},
	{"DirectoryReactivatesItsRows", testDirectoryReactivatesItsRows},
	{"AdoptsCSVRowWithSameEmail", testAdoptsCSVRowWithSameEmail},
	{"LeavesCSVRowWithoutAdoption", testLeavesCSVRowWithoutAdoption},
	{"RecreatedUserWithSameEmail", testRecreatedUserWithSameEmail},
	{"SameEmailTwiceOnOnePage", testSameEmailTwiceOnOnePage},
	{"InvalidRecordIsSkipped", testInvalidRecordIsSkipped},
	{"NoEmailUsers", testNoEmailUsers},
	{"DryRunWritesNoRecipients", testDryRunWritesNoRecipients},
	{"CountsMatchDatabase", testCountsMatchDatabase},
	{"ApplyUserPageIsTenantScoped", testApplyUserPageIsTenantScoped},
	{"FailedRowCostsOnlyItself", testFailedRowCostsOnlyItself},
	{"OddCharactersRoundTrip", testOddCharactersRoundTrip},
	{"ConcurrentRetriesApplyOnce", testConcurrentRetriesApplyOnce},
	{"DeactivationPerLocation", testDeactivationPerLocation},
	{"DeactivationIsIdempotent", testDeactivationIsIdempotent},
	{"CSVAndManualNeverDeactivated", testCSVAndManualNeverDeactivated},
	{"PruneSeen", testPruneSeen},
	{"SSOUsersView", testSSOUsersView},
	{"AppUserDryRunWritesNothing", testAppUserDryRunWritesNothing},
	{"CreateLoginUser", testCreateLoginUser},
	{"RecipientQueries", testRecipientQueries},
	{"RecipientChangesAreTenantScoped", testRecipientChangesAreTenantScoped},
	{"KeyCheck", testKeyCheck},
	{"ErrorsReadWell", testErrorsReadWell},
	{"CSVImportIssuesPage", testCSVImportIssuesPage},
	{"RunIssuesSayWhy", testRunIssuesSayWhy},
	{"DryRunRecordsIssues", testDryRunRecordsIssues},
	{"RunIssuesAreCapped", testRunIssuesAreCapped},
}

func TestConformance(t *testing.T) {
	for _, b := range testenv.Backends {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			st := openStore(t, b.DSN(t))
			for _, c := range conformance {
				t.Run(c.name, func(t *testing.T) { c.run(newEnv(t, st)) })
			}
		})
	}
}

//go:build record

package e2e

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/mailroom/oktasync/contract"
	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/oktastandin"
)

// TestRecordHistories records the workflow histories that
// workflows/replay_test.go replays, so a change to workflow code that
// breaks determinism fails the tests. Run it after an intended change:
//
//	go test -tags record -run TestRecordHistories ./e2e/
//
// The payloads are sealed with the fixed test key in workflows/replay_test.go.
func TestRecordHistories(t *testing.T) {
	h := newHarness(t, harnessOptions{secretKey: "cmVwbGF5LXRlc3Qta2V5LWZvci1oaXN0b3JpZXMtMDE=",
		locations: 2, gen: oktastandin.GenOptions{Users: 120, Groups: 2,
			GroupSizes: []int{100, 10}}})
	big, small := h.fixture.Groups[0].ID, h.fixture.Groups[1].ID
	h.mapGroups(map[string][]string{big: {h.locations[0].ID, h.locations[1].ID}})
	first := h.enable(models.Preferences{Mode: models.ModeGroups, DeactivateMissing: true,
		SSOUsersView: true})

	if err := h.api.Control(h.ctx, "pause"); err != nil {
		t.Fatal(err)
	}
	if err := h.api.Control(h.ctx, "resume"); err != nil {
		t.Fatal(err)
	}
	patch := map[string]any{"sync_interval_minutes": 30}
	if _, err := h.api.UpdatePreferences(h.ctx, patch); err != nil {
		t.Fatal(err)
	}
	h.mapGroups(map[string][]string{small: {h.locations[0].ID}})
	held := h.syncNow(false)
	if held.Status != models.RunHeld {
		t.Fatalf("run %s, want held", held.Status)
	}
	if _, err := h.api.AnswerHeld(h.ctx, held.ID, true); err != nil {
		t.Fatal(err)
	}
	h.waitRunFor(nil, time.Minute, func(r models.SyncRun) bool {
		return r.ID == held.ID && r.FinishedAt != nil
	})
	if _, err := h.api.DisableDirectory(h.ctx); err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join("..", "workflows", "testdata", "histories")
	h.saveHistory(contract.IntegrationWorkflowID(h.api.OrgID), filepath.Join(dir, "integration.json"))
	h.saveHistory(first.WorkflowID, filepath.Join(dir, "syncrun.json"))
	h.saveHistory(held.WorkflowID, filepath.Join(dir, "syncrun-held-approved.json"))
	h.saveHistory(contract.DisableWorkflowID(h.api.OrgID), filepath.Join(dir, "disable.json"))
}

// saveHistory writes a workflow's full history as the CLI's JSON.
func (h *harness) saveHistory(workflowID, path string) {
	h.t.Helper()
	hist := &historypb.History{}
	iter := h.temporal.GetWorkflowHistory(h.ctx, workflowID, "", false,
		enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			h.t.Fatal(err)
		}
		hist.Events = append(hist.Events, ev)
	}
	raw, err := protojson.MarshalOptions{Indent: "  "}.Marshal(hist)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		h.t.Fatal(err)
	}
	h.t.Logf("recorded %s: %d events", path, len(hist.Events))
}

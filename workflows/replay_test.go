package workflows

import (
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"

	"github.com/mailroom/oktasync/secrets"
)

// replayKey is the SECRET_KEY the recorded histories were sealed with
// (e2e/record_test.go); it protects nothing.
const replayKey = "cmVwbGF5LXRlc3Qta2V5LWZvci1oaXN0b3JpZXMtMDE="

// TestReplayRecordedHistories replays histories recorded from real runs
// (testdata/histories) against the current workflow code. A failure means
// a change is not deterministic for workflows already running: guard it with
// workflow.GetVersion, or re-record when no old workflow can be running.
func TestReplayRecordedHistories(t *testing.T) {
	key, err := secrets.ParseMasterKey(replayKey)
	if err != nil {
		t.Fatal(err)
	}
	codec, err := secrets.NewPayloadCodec(key)
	if err != nil {
		t.Fatal(err)
	}
	dc := secrets.DataConverter(codec)
	files, _ := filepath.Glob(filepath.Join("testdata", "histories", "*.json"))
	if len(files) < 4 {
		t.Fatalf("found %d recorded histories, want the 4 in testdata/histories", len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			replayer, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{
				DataConverter: dc,
				FailureConverter: temporal.NewDefaultFailureConverter(
					temporal.DefaultFailureConverterOptions{DataConverter: dc,
						EncodeCommonAttributes: true}),
			})
			if err != nil {
				t.Fatal(err)
			}
			Register(replayer)
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			hist, err := client.HistoryFromJSON(f, client.HistoryJSONOptions{})
			if err != nil {
				t.Fatalf("read %s: %v", file, err)
			}
			if err := replayer.ReplayWorkflowHistory(nil, hist); err != nil {
				t.Fatalf("replay %s: %v", file, err)
			}
		})
	}
}

package e2e

import (
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/mailroom/oktasync/app"
	"github.com/mailroom/oktasync/config"
	"github.com/mailroom/oktasync/contract"
	"github.com/mailroom/oktasync/dashboard"
	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/oktastandin"
	"github.com/mailroom/oktasync/secrets"
)

func TestAWorkerWithAnotherSecretKeyRefusesToStart(t *testing.T) {
	h := newHarness(t, harnessOptions{gen: oktastandin.GenOptions{Users: 20}})
	h.enable(models.Preferences{})
	cfg := config.Worker{Common: h.cfg, PageSize: 200}
	cfg.SecretKey = secrets.NewMasterKey()

	w, err := app.NewWorker(h.ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))

	if err == nil {
		w.Close()
		t.Fatal("a worker with another SECRET_KEY started")
	}
	if !strings.Contains(err.Error(), "SECRET_KEY") {
		t.Errorf("error %q does not name SECRET_KEY", err)
	}
	if run := h.syncNow(false); run.Status != models.RunSucceeded {
		t.Errorf("the integration suffered: run %s", run.Status)
	}
}

func TestALostIntegrationWorkflowIsRestartedBySyncNow(t *testing.T) {
	h := newHarness(t, harnessOptions{gen: oktastandin.GenOptions{Users: 30}})
	h.enable(models.Preferences{})
	err := h.temporal.TerminateWorkflow(h.ctx, contract.IntegrationWorkflowID(h.api.OrgID), "",
		"an operator's mistake")
	if err != nil {
		t.Fatal(err)
	}
	v, err := h.api.Directory(h.ctx)
	if err != nil || v.State != models.StateActive || v.Warning == "" {
		t.Fatalf("status with the workflow gone = %q, warning %q, %v", v.State, v.Warning, err)
	}

	run := h.syncNow(false)

	if run.Status != models.RunSucceeded {
		t.Fatalf("run after restart %s", run.Status)
	}
	if v, _ := h.api.Directory(h.ctx); v.Warning != "" || v.Workflow == nil {
		t.Errorf("after restart: warning %q, workflow %+v", v.Warning, v.Workflow)
	}
}

func TestTwoAdminsAnsweringAHeldRunAtOnce(t *testing.T) {
	h := newHarness(t, harnessOptions{locations: 1, gen: oktastandin.GenOptions{
		Users: 300, Groups: 2, GroupSizes: []int{200, 5}}})
	loc := h.locations[0].ID
	h.mapGroups(map[string][]string{h.fixture.Groups[0].ID: {loc}})
	h.enable(models.Preferences{Mode: models.ModeGroups, DeactivateMissing: true})
	h.mapGroups(map[string][]string{h.fixture.Groups[1].ID: {loc}})
	held := h.syncNow(false)
	if held.Status != models.RunHeld || held.Counts.Held == 0 {
		t.Fatalf("run %s with held %d, want held with its count", held.Status, held.Counts.Held)
	}

	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, approve := range []bool{true, false} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = h.api.AnswerHeld(h.ctx, held.ID, approve)
		}()
	}
	wg.Wait()

	taken := 0
	for _, err := range errs {
		var apiErr *dashboard.Error
		switch {
		case err == nil:
			taken++
		case !errors.As(err, &apiErr) || apiErr.Status != 409:
			t.Errorf("the second answer got %v, want 409", err)
		}
	}
	if taken != 1 {
		t.Fatalf("%d answers were taken, want exactly 1 (%v)", taken, errs)
	}
}

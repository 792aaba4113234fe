package store_test

import (
	"errors"

	"github.com/google/uuid"

	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/store"
)

func testCreateRunIsIdempotent(e *env) {
	run := models.SyncRun{ID: uuid.NewString(), OrgID: e.org.ID, IntegrationID: e.integ,
		Trigger: models.TriggerSchedule,
		Plan:    models.RunPlan{Sources: []models.RunSource{allUsers(e.locs...)}}}
	e.must(e.st.CreateRun(e.ctx, run))
	e.must(e.st.CreateRun(e.ctx, run))

	got, err := e.st.Run(e.ctx, e.org.ID, run.ID)
	e.must(err)
	if got.Status != models.RunRunning || got.StartedAt.IsZero() || len(got.Plan.Sources) != 1 {
		e.t.Errorf("Run = %+v, want running with its plan", got)
	}

	other := newEnv(e.t, e.st)
	taken := run
	taken.OrgID, taken.IntegrationID, taken.Plan = other.org.ID, other.integ, models.RunPlan{}
	if err := e.st.CreateRun(e.ctx, taken); !errors.Is(err, store.ErrConflict) {
		e.t.Errorf("CreateRun(id of another org's run) error = %v, want ErrConflict", err)
	}
	if _, err := e.st.Run(e.ctx, other.org.ID, run.ID); !errors.Is(err, store.ErrNotFound) {
		e.t.Errorf("Run(other org) error = %v, want ErrNotFound", err)
	}
	foreign := models.SyncRun{ID: uuid.NewString(), OrgID: e.org.ID, IntegrationID: e.integ,
		Trigger: models.TriggerManual,
		Plan:    models.RunPlan{Sources: []models.RunSource{allUsers(other.locs[0])}}}
	if err := e.st.CreateRun(e.ctx, foreign); !errors.Is(err, store.ErrNotFound) {
		e.t.Errorf("CreateRun(other org's location) error = %v, want ErrNotFound", err)
	}
	stale := foreign
	stale.Plan, stale.IntegrationID = models.RunPlan{}, uuid.NewString()
	if err := e.st.CreateRun(e.ctx, stale); !errors.Is(err, store.ErrConflict) {
		e.t.Errorf("CreateRun(stale integration) error = %v, want ErrConflict", err)
	}
}

func testRunStatus(e *env) {
	first := e.run(false)
	if active, err := e.st.ActiveRun(e.ctx, e.org.ID); err != nil || active.ID != first {
		e.t.Errorf("ActiveRun = %v, %v, want %s", active.ID, err, first)
	}
	e.must(e.st.HoldRun(e.ctx, first, 3))
	e.must(e.st.SetRunStatus(e.ctx, first, models.RunRunning))
	for _, status := range []string{models.RunHeld, models.RunSucceeded} {
		err := e.st.SetRunStatus(e.ctx, first, status)
		wantErr(e.t, "SetRunStatus("+status+")", err, store.ErrInvalid)
	}

	counts := models.RunCounts{Pages: 2, Created: 5}
	e.must(e.st.FinishRun(e.ctx, first, models.RunSucceeded, counts, ""))
	e.must(e.st.FinishRun(e.ctx, first, models.RunSucceeded, counts, ""))
	err := e.st.FinishRun(e.ctx, first, models.RunFailed, counts, "x")
	wantErr(e.t, "FinishRun(finished run)", err, store.ErrConflict)
	err = e.st.SetRunStatus(e.ctx, first, models.RunRunning)
	wantErr(e.t, "SetRunStatus(finished run)", err, store.ErrConflict)
	_, err = e.st.ActiveRun(e.ctx, e.org.ID)
	wantErr(e.t, "ActiveRun with none running", err, store.ErrNotFound)

	second := e.run(false)
	e.must(e.st.FinishRun(e.ctx, second, models.RunFailed, models.RunCounts{}, "okta: 403"))
	runs, err := e.st.ListRuns(e.ctx, e.org.ID, 10)
	e.must(err)
	if len(runs) != 2 || runs[0].ID != second || runs[1].Counts.Created != 5 ||
		runs[0].Error != "okta: 403" || runs[0].FinishedAt == nil {
		e.t.Errorf("ListRuns = %+v, want the failed run first", runs)
	}
}

func testRunCounts(e *env) {
	run := e.run(false, allUsers(e.locs[0]))
	e.page(run, 1, store.Policy{}, e.locs[:1], users(0, 3)...)
	e.page(run, 2, store.Policy{}, e.locs[:1], users(3, 4)...)
	got, err := e.st.RunCounts(e.ctx, run)
	e.must(err)
	assertCounts(e.t, got, models.RunCounts{Pages: 2, Fetched: 4, Created: 4})

	page, ok, err := e.st.RunPage(e.ctx, run, models.SourceUsers, 2)
	if err != nil || !ok || page.Counts.Created != 1 {
		e.t.Errorf("RunPage(2) = %+v, %v, %v, want the applied page", page, ok, err)
	}
	if _, ok, err := e.st.RunPage(e.ctx, run, models.SourceUsers, 3); ok || err != nil {
		e.t.Errorf("RunPage(3) = %v, %v, want not applied", ok, err)
	}
}

func testFinishedRunTakesNoPages(e *env) {
	run := e.run(false, allUsers(e.locs[0]))
	first := e.page(run, 1, noAdopt, e.locs[:1], users(0, 2)...)
	e.must(e.st.FinishRun(e.ctx, run, models.RunCancelled, first, "cancelled by admin"))

	again := e.page(run, 1, noAdopt, e.locs[:1], users(0, 2)...)
	assertCounts(e.t, again, first)
	_, err := e.st.ApplyUserPage(e.ctx, store.UserPage{RunID: run, OrgID: e.org.ID,
		SourceKey: models.SourceUsers, PageNo: 2, LocationIDs: e.locs[:1], Users: users(2, 3)})
	wantErr(e.t, "ApplyUserPage(cancelled run)", err, store.ErrConflict)
	_, err = e.st.ApplyDeactivation(e.ctx, run)
	wantErr(e.t, "ApplyDeactivation(cancelled run)", err, store.ErrConflict)
	if n := len(e.recipients()); n != 2 {
		e.t.Errorf("recipients = %d, want 2", n)
	}
}

func testHoldRunKeepsCounts(e *env) {
	run := e.run(false, allUsers(e.locs[0]))
	e.page(run, 1, noAdopt, e.locs[:1], users(0, 3)...)
	e.page(run, 2, noAdopt, e.locs[:1], users(3, 4)...)
	want := models.RunCounts{Pages: 2, Fetched: 4, Created: 4, Held: 7}

	e.must(e.st.HoldRun(e.ctx, run, 7))
	e.must(e.st.HoldRun(e.ctx, run, 7)) // a retried activity
	got, err := e.st.Run(e.ctx, e.org.ID, run)
	e.must(err)
	if got.Status != models.RunHeld || got.FinishedAt != nil {
		e.t.Errorf("held run = %+v, want status held", got)
	}
	assertCounts(e.t, got.Counts, want)

	e.must(e.st.SetRunStatus(e.ctx, run, models.RunRunning))
	got, err = e.st.Run(e.ctx, e.org.ID, run)
	e.must(err)
	if got.Status != models.RunRunning {
		e.t.Errorf("resumed run status = %s, want running", got.Status)
	}
	assertCounts(e.t, got.Counts, want)

	e.must(e.st.FinishRun(e.ctx, run, models.RunRejected, got.Counts, ""))
	err = e.st.HoldRun(e.ctx, run, 7)
	wantErr(e.t, "HoldRun(finished run)", err, store.ErrConflict)
	err = e.st.HoldRun(e.ctx, uuid.NewString(), 7)
	wantErr(e.t, "HoldRun(unknown run)", err, store.ErrNotFound)
	err = e.st.HoldRun(e.ctx, e.run(false), -1)
	wantErr(e.t, "HoldRun(-1)", err, store.ErrInvalid)
}

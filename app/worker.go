package app

import (
	"context"
	"errors"
	"log/slog"

	"go.temporal.io/sdk/worker"

	"github.com/mailroom/oktasync/activities"
	"github.com/mailroom/oktasync/config"
	"github.com/mailroom/oktasync/workflows"
)

// Worker is a running Temporal worker with its dependencies.
type Worker struct {
	deps   *deps
	worker worker.Worker
}

// NewWorker opens the store and Temporal and registers every workflow and
// activity on the task queue.
func NewWorker(ctx context.Context, cfg config.Worker, log *slog.Logger) (*Worker, error) {
	d, err := openDeps(ctx, cfg.Common, log)
	if err != nil {
		return nil, err
	}
	w := worker.New(d.temporal, cfg.TaskQueue, worker.Options{
		MaxConcurrentActivityExecutionSize: cfg.MaxConcurrentActivities,
	})
	workflows.Register(w)
	acts := &activities.Activities{Store: d.store, Provider: d.provider, Box: d.box,
		Temporal: d.temporal, Config: activities.Config{
			PageSize: cfg.PageSize, PageAttempts: cfg.PageAttempts,
			PageRetryInitial: cfg.PageRetryInitial, PageTimeout: cfg.PageTimeout,
			HoldTimeout: cfg.HoldTimeout,
		}}
	acts.Register(w)
	return &Worker{deps: d, worker: w}, nil
}

// Run polls the task queue until ctx is done.
func (w *Worker) Run(ctx context.Context) error {
	if err := w.worker.Start(); err != nil {
		return err
	}
	<-ctx.Done()
	w.worker.Stop()
	return nil
}

// Close releases the store and the Temporal client.
func (w *Worker) Close() { w.deps.close() }

// RunWorker runs a worker until ctx is done.
func RunWorker(ctx context.Context, cfg config.Worker, log *slog.Logger) error {
	w, err := NewWorker(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer w.Close()
	log.Info("worker started", "task_queue", cfg.TaskQueue,
		"temporal_address", cfg.TemporalAddress)
	if err := w.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

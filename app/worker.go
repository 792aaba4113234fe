package app

import (
	"context"
	"errors"
	"log/slog"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/mailroom/oktasync/activities"
	"github.com/mailroom/oktasync/config"
	"github.com/mailroom/oktasync/store"
	"github.com/mailroom/oktasync/workflows"
)

// Worker is a running Temporal worker with its dependencies.
type Worker struct {
	store    *store.Store
	temporal client.Client
	worker   worker.Worker
}

// NewWorker opens the store and Temporal and registers every workflow and
// activity on the task queue.
func NewWorker(ctx context.Context, cfg config.Worker, log *slog.Logger) (*Worker, error) {
	st, err := OpenStore(ctx, cfg.Common, log)
	if err != nil {
		return nil, err
	}
	w := &Worker{store: st}
	if err := w.wire(ctx, cfg, log); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

func (w *Worker) wire(ctx context.Context, cfg config.Worker, log *slog.Logger) error {
	provider, err := NewProvider(cfg.Common, log)
	if err != nil {
		return err
	}
	box, err := DatabaseBox(cfg.Common)
	if err != nil {
		return err
	}
	if w.temporal, err = DialTemporal(ctx, cfg.Common, log); err != nil {
		return err
	}

	w.worker = worker.New(w.temporal, cfg.TaskQueue, worker.Options{
		MaxConcurrentActivityExecutionSize: cfg.MaxConcurrentActivities,
	})
	workflows.Register(w.worker)
	acts := &activities.Activities{Store: w.store, Provider: provider, Box: box,
		Temporal: w.temporal, Config: activities.Config{
			PageSize: cfg.PageSize, PageAttempts: cfg.PageAttempts,
			PageRetryInitial: cfg.PageRetryInitial, PageTimeout: cfg.PageTimeout,
			HoldTimeout: cfg.HoldTimeout,
		}}
	acts.Register(w.worker)
	return nil
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
func (w *Worker) Close() {
	if w.temporal != nil {
		w.temporal.Close()
	}
	if w.store != nil {
		_ = w.store.Close()
	}
}

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

// Command worker runs the Temporal worker of the directory integration: it
// executes the workflows and activities on the "directory-sync" task queue.
// Configuration comes from the environment (see README.md).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/mailroom/oktasync/app"
	"github.com/mailroom/oktasync/config"
)

func main() {
	cfg, err := config.LoadWorker()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	log := cfg.Logger()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if err := app.RunWorker(ctx, cfg, log); err != nil {
		log.Error("worker stopped", slog.Any("err", err))
		os.Exit(1)
	}
}

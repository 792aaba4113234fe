package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/mailroom/oktasync/app"
	"github.com/mailroom/oktasync/config"
)

func serveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the dashboard's HTTP API (configured by environment variables)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.LoadStarter()
			if err != nil {
				return err
			}
			log := cfg.Logger()
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return serve(ctx, cfg, log)
		},
	}
}

// serve runs the API, and the codec on its own address, until ctx is done;
// then it drains requests for a while.
func serve(ctx context.Context, cfg config.Starter, log *slog.Logger) error {
	api, err := app.NewAPI(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer api.Close()

	servers := []*http.Server{newServer(cfg.HTTPAddr, api.Handler())}
	if h := api.CodecHandler(); h != nil && cfg.CodecAddr != "" {
		servers = append(servers, newServer(cfg.CodecAddr, h))
	}
	errc := make(chan error, len(servers))
	for _, srv := range servers {
		go func() { errc <- srv.ListenAndServe() }()
		log.Info("listening", "addr", srv.Addr)
	}

	select {
	case err := <-errc:
		return fmt.Errorf("starter: serve: %w", err)
	case <-ctx.Done():
	}
	return shutdown(servers)
}

func newServer(addr string, h http.Handler) *http.Server {
	return &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
}

// shutdown stops the servers, letting requests in flight finish for up to
// 15 seconds.
func shutdown(servers []*http.Server) error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for _, srv := range servers {
		if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	return nil
}

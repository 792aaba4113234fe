package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
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
		if cfg.CodecToken == "" && !loopback(cfg.CodecAddr) {
			log.Warn("the codec decrypts workflow payloads for anyone who reaches it: "+
				"bind CODEC_ADDR to loopback, publish it only to operators, "+
				"or set CODEC_AUTH_TOKEN", "addr", cfg.CodecAddr)
		}
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

// loopback says whether addr listens on the loopback interface only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
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

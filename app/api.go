package app

import (
	"context"
	"log/slog"
	"net/http"

	"go.temporal.io/sdk/client"

	"github.com/mailroom/oktasync/config"
	"github.com/mailroom/oktasync/dashboard"
	"github.com/mailroom/oktasync/directory/okta"
	"github.com/mailroom/oktasync/secrets"
	"github.com/mailroom/oktasync/store"
)

// API is the dashboard's HTTP API with its dependencies.
type API struct {
	store    *store.Store
	temporal client.Client
	server   *dashboard.Server
}

// NewAPI opens the store and Temporal and builds the API.
func NewAPI(ctx context.Context, cfg config.Starter, log *slog.Logger) (*API, error) {
	st, err := OpenStore(ctx, cfg.Common, log)
	if err != nil {
		return nil, err
	}
	a := &API{store: st}
	if err := a.wire(ctx, cfg, log); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func (a *API) wire(ctx context.Context, cfg config.Starter, log *slog.Logger) error {
	provider, err := NewProvider(cfg.Common, log)
	if err != nil {
		return err
	}
	box, err := DatabaseBox(cfg.Common)
	if err != nil {
		return err
	}
	codec, err := secrets.NewPayloadCodec(cfg.MasterKey())
	if err != nil {
		return err
	}
	if a.temporal, err = DialTemporal(ctx, cfg.Common, log); err != nil {
		return err
	}
	a.server = dashboard.New(a.store, a.temporal, provider, box, dashboard.Config{
		OperatorToken: cfg.OperatorToken, TaskQueue: cfg.TaskQueue,
		DomainPolicy: okta.DomainPolicy{ExtraHosts: cfg.OktaAllowedHosts},
		EnableWait:   cfg.EnableWait,
		Codec:        codec, CodecOrigins: cfg.CodecOrigins, CodecToken: cfg.CodecToken,
	}, log.With("component", "api"))
	return nil
}

// Handler returns the API's HTTP handler.
func (a *API) Handler() http.Handler { return a.server.Handler() }

// Close releases the store and the Temporal client.
func (a *API) Close() {
	if a.temporal != nil {
		a.temporal.Close()
	}
	if a.store != nil {
		_ = a.store.Close()
	}
}

package app

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/mailroom/oktasync/config"
	"github.com/mailroom/oktasync/dashboard"
	"github.com/mailroom/oktasync/directory/okta"
	"github.com/mailroom/oktasync/secrets"
)

// API is the dashboard's HTTP API with its dependencies.
type API struct {
	deps   *deps
	server *dashboard.Server
}

// NewAPI opens the store and Temporal and builds the API.
func NewAPI(ctx context.Context, cfg config.Starter, log *slog.Logger) (*API, error) {
	codec, err := secrets.NewPayloadCodec(cfg.MasterKey())
	if err != nil {
		return nil, err
	}
	d, err := openDeps(ctx, cfg.Common, log)
	if err != nil {
		return nil, err
	}
	server := dashboard.New(d.store, d.temporal, d.provider, d.box, dashboard.Config{
		OperatorToken: cfg.OperatorToken, TaskQueue: cfg.TaskQueue,
		DomainPolicy: okta.DomainPolicy{ExtraHosts: cfg.OktaAllowedHosts},
		EnableWait:   cfg.EnableWait,
		Codec:        codec, CodecOrigins: cfg.CodecOrigins, CodecToken: cfg.CodecToken,
	}, log.With("component", "api"))
	return &API{deps: d, server: server}, nil
}

// Handler returns the API's HTTP handler.
func (a *API) Handler() http.Handler { return a.server.Handler() }

// CodecHandler returns the Temporal remote codec's handler.
func (a *API) CodecHandler() http.Handler { return a.server.CodecHandler() }

// Close releases the store and the Temporal client.
func (a *API) Close() { a.deps.close() }

// Package app wires the layers into the two processes this service runs:
// the Temporal worker (workflows and activities) and the starter's HTTP API
// (the dashboard's backend). The mains in worker/ and starter/ call it, and
// end-to-end tests run the same wiring in-process.
package app

import (
	"context"
	"fmt"
	"log/slog"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"

	"github.com/mailroom/oktasync/config"
	"github.com/mailroom/oktasync/directory/okta"
	"github.com/mailroom/oktasync/secrets"
	"github.com/mailroom/oktasync/store"
)

// DialTemporal connects to Temporal with the payload codec, so every payload
// this process writes to history is encrypted, and with log as the SDK's
// logger.
func DialTemporal(ctx context.Context, cfg config.Common, log *slog.Logger) (client.Client, error) {
	codec, err := secrets.NewPayloadCodec(cfg.MasterKey())
	if err != nil {
		return nil, err
	}
	dc := secrets.DataConverter(codec)
	c, err := client.DialContext(ctx, client.Options{
		HostPort:      cfg.TemporalAddress,
		Namespace:     cfg.TemporalNamespace,
		DataConverter: dc,
		// Failure messages and stack traces go through the codec too, so
		// history holds no readable error text either.
		FailureConverter: temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
			DataConverter: dc, EncodeCommonAttributes: true,
		}),
		Logger: tlog.NewStructuredLogger(log.With("component", "temporal")),
	})
	if err != nil {
		return nil, fmt.Errorf("app: dial temporal at %s: %w", cfg.TemporalAddress, err)
	}
	return c, nil
}

// OpenStore opens the database and brings its schema up to date.
func OpenStore(ctx context.Context, cfg config.Common, log *slog.Logger) (*store.Store, error) {
	st, err := store.Open(ctx, cfg.DSN(), store.Options{Logger: log.With("component", "store")})
	if err != nil {
		return nil, fmt.Errorf("app: open store: %w", err)
	}
	return st, nil
}

// NewProvider returns the Okta provider with the configured HTTP client.
func NewProvider(cfg config.Common, log *slog.Logger) (*okta.Provider, error) {
	hc, err := cfg.OktaHTTPClient()
	if err != nil {
		return nil, err
	}
	return okta.New(okta.Config{HTTPClient: hc, Logger: log}), nil
}

// DatabaseBox returns the box sealing private JWKs at rest.
func DatabaseBox(cfg config.Common) (*secrets.Box, error) {
	return secrets.NewBox(cfg.MasterKey(), secrets.PurposeDatabase)
}

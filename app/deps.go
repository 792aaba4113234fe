package app

import (
	"context"
	"log/slog"

	"go.temporal.io/sdk/client"

	"github.com/mailroom/oktasync/config"
	"github.com/mailroom/oktasync/directory/okta"
	"github.com/mailroom/oktasync/secrets"
	"github.com/mailroom/oktasync/store"
)

// deps are what both processes open: the store, Temporal, the Okta
// provider and the box sealing private JWKs.
type deps struct {
	store    *store.Store
	temporal client.Client
	provider *okta.Provider
	box      *secrets.Box
}

// openDeps opens every dependency, closing what it opened on failure.
func openDeps(ctx context.Context, cfg config.Common, log *slog.Logger) (*deps, error) {
	d := &deps{}
	if err := d.open(ctx, cfg, log); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

func (d *deps) open(ctx context.Context, cfg config.Common, log *slog.Logger) error {
	var err error
	if d.store, err = OpenStore(ctx, cfg, log); err != nil {
		return err
	}
	if d.provider, err = NewProvider(cfg, log); err != nil {
		return err
	}
	if d.box, err = DatabaseBox(cfg); err != nil {
		return err
	}
	d.temporal, err = DialTemporal(ctx, cfg, log)
	return err
}

// close releases the Temporal client and the store.
func (d *deps) close() {
	if d.temporal != nil {
		d.temporal.Close()
	}
	if d.store != nil {
		_ = d.store.Close()
	}
}

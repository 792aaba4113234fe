package app

import (
	"context"
	"errors"
	"fmt"
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
	if err := checkSecretKey(ctx, d.store, d.box); err != nil {
		return err
	}
	d.temporal, err = DialTemporal(ctx, cfg, log)
	return err
}

// keyCheckAD binds the key check's ciphertext to its purpose.
var keyCheckAD = []byte("secret-key-check")

// checkSecretKey makes sure this process has the SECRET_KEY the database
// was first used with. The first process seals a fixed text into the
// database; every later one must open it. A worker with another key would
// fail to decode workflow payloads and could fail the workflows themselves,
// so it must not start.
func checkSecretKey(ctx context.Context, st *store.Store, box *secrets.Box) error {
	sealed, err := st.EnsureKeyCheck(ctx, box.Seal([]byte("mailroom-oktasync"), keyCheckAD))
	if err != nil {
		return fmt.Errorf("app: check SECRET_KEY: %w", err)
	}
	if _, err := box.Open(sealed, keyCheckAD); err != nil {
		return errors.New("app: SECRET_KEY is not the key this database was set up with: " +
			"give every worker and starter the same SECRET_KEY")
	}
	return nil
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

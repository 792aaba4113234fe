package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/mailroom/oktasync/internal/testenv"
	"github.com/mailroom/oktasync/store"
)

// TestOpenConcurrently opens the same new database from several stores at
// once, as a worker and a starter launched together do: the migrations
// must run once and every store must open.
func TestOpenConcurrently(t *testing.T) {
	for _, b := range testenv.Backends {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			dsn := b.DSN(t)
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for i := range errs {
				wg.Go(func() {
					st, err := store.Open(context.Background(), dsn, store.Options{Logger: quiet})
					if err == nil {
						_, err = st.Locations(context.Background(), "none")
						st.Close()
					}
					errs[i] = err
				})
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("store %d: %v", i, err)
				}
			}
		})
	}
}

// TestStoresShareADatabase writes through two stores on one database at
// once, as the worker (syncing) and the starter (serving the dashboard)
// do: on SQLite the busy timeout and immediate transactions must make
// them wait for each other instead of failing.
func TestStoresShareADatabase(t *testing.T) {
	for _, b := range testenv.Backends {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			dsn := b.DSN(t)
			worker, starter := openStore(t, dsn), openStore(t, dsn)
			e := newEnv(t, worker)
			run := e.run(false, allUsers(e.locs...))

			var wg sync.WaitGroup
			wg.Go(func() {
				for p := range 10 {
					e.page(run, p, noAdopt, e.locs, users(p*50, (p+1)*50)...)
				}
			})
			wg.Go(func() {
				for i := range 20 {
					_, err := starter.CreateManualRecipient(e.ctx, e.org.ID, e.locs[1],
						store.ManualRecipient{Email: fmt.Sprintf("desk%d@example.com", i)})
					if err != nil {
						t.Errorf("CreateManualRecipient: %v", err)
					}
				}
			})
			wg.Wait()
			counts, err := starter.CountRecipients(e.ctx, e.org.ID)
			e.must(err)
			n := 0
			for _, c := range counts {
				n += c.N
			}
			if n != 10*50*3+20 {
				t.Errorf("recipients = %d, want %d", n, 10*50*3+20)
			}
		})
	}
}

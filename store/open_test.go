package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/mailroom/oktasync/store"
)

// TestOpenConcurrently opens the same new database from several stores at
// once, as a worker and a starter launched together do: the migrations
// must run once and every store must open.
func TestOpenConcurrently(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			dsn := b.dsn(t)
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

package testenv

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/mailroom/oktasync/store"
)

// Backend is one database a store test runs on.
type Backend struct {
	Name string
	// DSN returns a fresh, empty database for the test.
	DSN func(t testing.TB) string
}

// Backends are the databases every store-level test runs on: PostgreSQL,
// as in production, and the embedded SQLite the demo uses.
var Backends = []Backend{
	{"postgres", Postgres},
	{"sqlite", func(t testing.TB) string { return "sqlite:" + SQLite(t) }},
}

// Quiet is a logger that discards everything, for stores under test.
var Quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// Store opens a quiet store on dsn and closes it when the test ends.
func Store(t testing.TB, dsn string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dsn, store.Options{Logger: Quiet})
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

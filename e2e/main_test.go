// Package e2e runs the whole service in-process against a real Temporal dev
// server, the Okta stand-in and a fresh PostgreSQL database per test: the
// worker and the API are wired exactly as the binaries wire them.
package e2e

import (
	"fmt"
	"os"
	"testing"

	"github.com/mailroom/oktasync/internal/testenv"
)

// temporalAddr is the dev server every test of this package shares; each
// test isolates itself on its own task queue.
var temporalAddr string

func TestMain(m *testing.M) {
	srv, err := testenv.StartTemporal()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	temporalAddr = srv.Address
	code := m.Run()
	srv.Stop()
	os.Exit(code)
}

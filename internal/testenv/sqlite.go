package testenv

import (
	"path/filepath"
	"testing"
)

// SQLite returns the path of a database file that does not exist yet, in a
// directory removed when the test ends.
func SQLite(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "oktasync.db")
}

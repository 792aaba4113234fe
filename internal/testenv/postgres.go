// Package testenv starts and reaches the services the project's tests run
// against: a fresh PostgreSQL database per test, an SQLite file, and a
// Temporal development server.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// defaultPostgresURL is the local server the tests expect: trust
// authentication for user postgres on the loopback address.
const defaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// postgresHint tells a developer how to get a server the tests can reach.
const postgresHint = "start PostgreSQL on 127.0.0.1:5432 with trust authentication for " +
	"user postgres (for example `pg_ctlcluster 15 main start` or " +
	"`service postgresql start`), or set TEST_POSTGRES_URL to a server URL " +
	"whose user may create databases"

// Postgres creates a fresh database with a random name on the test server
// and returns its URL. The database is dropped when the test ends. The
// server is the one TEST_POSTGRES_URL names, or the local default; if it
// cannot be reached the test fails, saying how to start it.
func Postgres(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TEST_POSTGRES_URL")
	if base == "" {
		base = defaultPostgresURL
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("testenv: parse TEST_POSTGRES_URL: %v", err)
	}

	name := "test_" + randomHex(t, 8)
	admin := connectPostgres(t, base)
	defer admin.Close(context.Background())
	if _, err := admin.Exec(context.Background(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("testenv: create database %s: %v", name, err)
	}
	t.Cleanup(func() { dropPostgres(t, base, name) })

	u.Path = "/" + name
	return u.String()
}

// connectPostgres opens an administrative connection or fails the test.
func connectPostgres(t testing.TB, dsn string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("testenv: postgres unreachable: %v; %s", err, postgresHint)
	}
	return conn
}

// dropPostgres ends the connections a test left open and drops its
// database; a pool that was never closed would otherwise block the drop.
func dropPostgres(t testing.TB, base, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Errorf("testenv: drop database %s: %v", name, err)
		return
	}
	defer conn.Close(ctx)

	const terminate = `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = $1 AND pid <> pg_backend_pid()`
	if _, err := conn.Exec(ctx, terminate, name); err != nil {
		t.Errorf("testenv: terminate connections to %s: %v", name, err)
	}
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		t.Errorf("testenv: drop database %s: %v", name, err)
	}
}

// randomHex returns n random bytes as hex, for names no other test uses.
func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("testenv: random name: %v", err)
	}
	return hex.EncodeToString(b)
}

package store

import (
	"fmt"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
)

// Dialect names.
const (
	dialectPostgres = "postgres"
	dialectSQLite   = "sqlite"
)

// migrationLockKey is the PostgreSQL advisory lock that serialises
// migrations across processes; any constant works as long as nothing else in
// the database uses it.
const migrationLockKey = 0x6f6b7461 // "okta"

// sqliteParams configure every SQLite connection. The busy timeout makes a
// writer wait for another process's write instead of failing at once; WAL
// lets readers run beside that writer; immediate transactions take the write
// lock at BEGIN, so two transactions never deadlock upgrading a read lock
// (https://www.sqlite.org/lang_transaction.html).
const sqliteParams = "?_pragma=busy_timeout(15000)&_pragma=journal_mode(WAL)" +
	"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_txlock=immediate"

// dialect holds what differs between the two databases.
type dialect struct {
	kind string
	dsn  string
}

// parseDSN picks the database from the form of dsn.
func parseDSN(dsn string) (dialect, error) {
	switch {
	case dsn == "":
		return dialect{}, fmt.Errorf("empty database url: %w", ErrInvalid)
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return dialect{kind: dialectPostgres, dsn: dsn}, nil
	}
	path := strings.TrimPrefix(dsn, "sqlite:")
	if strings.HasPrefix(path, "//") {
		path = strings.TrimPrefix(path, "//")
	}
	if path == "" || strings.ContainsRune(path, '?') {
		return dialect{}, fmt.Errorf("sqlite path %q: %w", path, ErrInvalid)
	}
	return dialect{kind: dialectSQLite, dsn: path + sqliteParams}, nil
}

func (d dialect) name() string { return d.kind }

func (d dialect) isPostgres() bool { return d.kind == dialectPostgres }

// open connects with GORM. Writes outside explicit transactions are single
// statements, so GORM's implicit per-statement transaction only costs round
// trips and is turned off.
func (d dialect) open(l logger.Interface) (*gorm.DB, error) {
	cfg := &gorm.Config{
		Logger:                 l,
		TranslateError:         true,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	if d.isPostgres() {
		return gorm.Open(postgres.Open(d.dsn), cfg)
	}
	return gorm.Open(sqlite.Open(d.dsn), cfg)
}

// lockMigrations serialises migrations across processes until tx ends.
func (d dialect) lockMigrations(tx *gorm.DB) error {
	if !d.isPostgres() {
		return nil
	}
	if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", migrationLockKey).Error; err != nil {
		return fmt.Errorf("lock migrations: %w", err)
	}
	return nil
}

// forUpdate row-locks what q selects on PostgreSQL. SQLite has no row
// locks; its immediate transactions already exclude other writers.
func (d dialect) forUpdate(q *gorm.DB) *gorm.DB {
	if !d.isPostgres() {
		return q
	}
	return q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
}

// maxParams is how many bind parameters one statement may carry, with
// headroom: PostgreSQL's wire protocol counts them in 16 bits (65,535) and
// SQLite's default SQLITE_MAX_VARIABLE_NUMBER is 32,766
// (https://www.sqlite.org/limits.html#max_variable_number).
func (d dialect) maxParams() int {
	if d.isPostgres() {
		return 60000
	}
	return 30000
}

// Package store is the one place for SQL over the models: it opens the
// database (PostgreSQL in production, embedded SQLite for the demo), runs the
// migrations, and offers the queries the product needs. Every query is scoped
// by organization, so tenancy holds here even if a caller forgets.
//
// Dialect differences stay in this package: row locks exist only on
// PostgreSQL, and SQLite serialises writers with immediate transactions.
//
// Every error starts with "store: " and the operation, then says what went
// wrong. An error wrapping ErrNotFound, ErrConflict or ErrInvalid says it
// in one plain phrase an admin can read, followed by the sentinel:
//
//	store: create location: a location named "HQ" already exists: conflict
//
// so a caller that strips the "store: <operation>: " prefix and the
// sentinel's suffix can show the rest in the admin console. The operation
// never holds ": ", and the phrase names fields and rules, never a value
// that may be secret or personal, such as an email or a key.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/mailroom/oktasync/models"
)

// Errors callers branch on. Every error the store returns wraps one of these
// when it applies.
var (
	// ErrNotFound means the row does not exist within the organization.
	ErrNotFound = errors.New("not found")
	// ErrConflict means the row exists already, or its state forbids the
	// change (such as a stale integration id or a second enable).
	ErrConflict = errors.New("conflict")
	// ErrInvalid means the input breaks a rule of the data model, such as a
	// field longer than its column or an unknown role.
	ErrInvalid = errors.New("invalid input")
)

// Options tune Open. The zero value is ready to use.
type Options struct {
	// Logger receives the store's warnings; nil means slog.Default().
	Logger *slog.Logger
	// MaxOpenConns caps the connection pool; 0 means 10.
	MaxOpenConns int
	// SlowQuery is how long a statement may take before it is logged at
	// warn level; 0 means one second.
	SlowQuery time.Duration
}

// Store is the database of the mailroom's directory-sync data. It is safe
// for concurrent use.
type Store struct {
	db   *gorm.DB
	dial dialect
	log  *slog.Logger
}

// Open connects to the database named by dsn and migrates its schema.
// A dsn starting with "postgres://" or "postgresql://" opens PostgreSQL;
// "sqlite:PATH" or a plain file path opens SQLite in WAL mode.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	log := opts.Logger.With("component", "store")

	d, err := parseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	db, err := d.open(newGormLogger(log, opts.SlowQuery))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", d.name(), err)
	}
	s := &Store{db: db, dial: d, log: log}

	if err := s.configurePool(ctx, opts.MaxOpenConns); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// configurePool sizes the pool and checks the database answers.
func (s *Store) configurePool(ctx context.Context, maxOpen int) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("store: open: %w", err)
	}
	if maxOpen <= 0 {
		maxOpen = 10
	}
	sqlDB.SetMaxOpenConns(maxOpen)
	sqlDB.SetMaxIdleConns(maxOpen)
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("store: open %s: ping: %w", s.dial.name(), err)
	}
	return nil
}

// migrate runs the migrations in one transaction. On PostgreSQL a
// transaction-scoped advisory lock makes a second process that starts at the
// same moment wait instead of racing the DDL; on SQLite the immediate
// transaction already holds the database's single write lock.
func (s *Store) migrate(ctx context.Context) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.dial.lockMigrations(tx); err != nil {
			return err
		}
		return models.Migrate(tx)
	})
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// Close releases the database connections.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	if err := sqlDB.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Dialect names the database behind the store: "postgres" or "sqlite".
func (s *Store) Dialect() string { return s.dial.name() }

// tx runs fn in a transaction bound to ctx.
func (s *Store) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.db.WithContext(ctx).Transaction(fn)
}

// conn returns a session bound to ctx.
func (s *Store) conn(ctx context.Context) *gorm.DB {
	return s.db.WithContext(ctx)
}

// Page sizes of the listings that page: ListRecipients, RunIssues and
// CSVImportIssues.
const (
	defaultPageLimit = 100
	maxPageLimit     = 1000
)

// pageLimit is the rows a listing returns for the limit a caller asked:
// the default for 0 or less, and never more than maxPageLimit.
func pageLimit(limit int) int {
	if limit <= 0 {
		return defaultPageLimit
	}
	return min(limit, maxPageLimit)
}

// notFound turns GORM's missing-record error into missing, an error that
// wraps ErrNotFound and says what is missing.
func notFound(err, missing error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return missing
	}
	return err
}

// jsonColumn encodes v as GORM's JSON serializer stores it.
// GORM applies serializers to whole models only, not to the values of a
// column-to-value map, so map updates of such columns pass this instead.
func jsonColumn(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// The values stored this way are plain structs of strings,
		// numbers and maps with string keys, which always encode.
		panic(fmt.Sprintf("store: encode %T: %v", v, err))
	}
	return string(b)
}

// duplicate turns a unique-index violation into ErrConflict saying what
// exists already. The database's own message is dropped: it quotes the
// values, which may be personal.
func duplicate(err error, exists string) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return fmt.Errorf("%s: %w", exists, ErrConflict)
	}
	return err
}

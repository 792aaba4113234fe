package store

import (
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"

	"github.com/mailroom/oktasync/models"
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

// runIssuesLockClass is the first key of the PostgreSQL advisory locks that
// serialise the writers of one run's issues; the second is a hash of the
// run id. The two-key locks never collide with migrationLockKey, a
// one-key lock.
const runIssuesLockClass = 0x69737375 // "issu"

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
		return dialect{}, fmt.Errorf("the database url is empty: %w", ErrInvalid)
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return dialect{kind: dialectPostgres, dsn: dsn}, nil
	}
	path := strings.TrimPrefix(dsn, "sqlite:")
	if strings.HasPrefix(path, "//") {
		path = strings.TrimPrefix(path, "//")
	}
	if path == "" || strings.ContainsRune(path, '?') {
		return dialect{}, fmt.Errorf("the SQLite path %q is empty or holds a \"?\": %w", path,
			ErrInvalid)
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
	if !d.isPostgres() {
		return gorm.Open(sqlite.Open(d.dsn), cfg)
	}
	pgCfg, err := pgx.ParseConfig(d.dsn)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	// pgx prepares each statement once per connection, and after five runs
	// PostgreSQL may switch a prepared statement to a generic plan that
	// ignores the parameters. For the page lookups (a few hundred ids in an
	// IN list) that plan scans the organization's rows, 40 times slower
	// than the index plan, so plans are always made for the actual values
	// (https://www.postgresql.org/docs/current/runtime-config-query.html#GUC-PLAN-CACHE-MODE).
	pgCfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	return gorm.Open(postgres.New(postgres.Config{Conn: stdlib.OpenDB(*pgCfg)}), cfg)
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

// lockRunIssues makes writers of the run's issues take turns until tx
// ends. SQLite's immediate transactions already do.
func (d dialect) lockRunIssues(tx *gorm.DB, runID string) error {
	if !d.isPostgres() {
		return nil
	}
	return tx.Exec("SELECT pg_advisory_xact_lock(?, hashtext(?))", runIssuesLockClass,
		runID).Error
}

// forUpdate row-locks what q selects on PostgreSQL. SQLite has no row
// locks; its immediate transactions already exclude other writers.
func (d dialect) forUpdate(q *gorm.DB) *gorm.DB {
	if !d.isPostgres() {
		return q
	}
	return q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
}

// maxParams is how many bind parameters one statement should carry.
// PostgreSQL's wire protocol counts them in 16 bits (65,535). SQLite allows
// 32,766, but the pure-Go driver finds each parameter's value by scanning
// all of them, so binding costs the square of their number: a statement of
// 30,000 parameters spent a second binding. 999, SQLite's historical limit
// (https://www.sqlite.org/limits.html#max_variable_number), keeps it cheap.
func (d dialect) maxParams() int {
	if d.isPostgres() {
		return 60000
	}
	return 999
}

// lockPairs loads, and on PostgreSQL locks, the recipients at any of locs
// whose column (okta_user_id or email_norm) is any of keys, through the
// index on (location_id, column).
//
// The lookups filter by location only: callers checked the locations are
// the organization's, and rows are checked again before use. On PostgreSQL
// every (location, key) pair drives one probe of the index from a LATERAL
// subquery. Plainer forms ("location_id IN (…) AND column IN (…)", or a
// join to the pairs) are planned from statistics, and while those lag
// behind a first sync's inserts the planner scanned every row of the
// locations instead, making pages ten times slower as the table grew. A
// locking subquery is never flattened, so its probe stays whatever the
// statistics say. Pairs are sorted, so concurrent pages lock rows in the
// same order.
func (d dialect) lockPairs(tx *gorm.DB, column string, locs, keys []string) (
	[]*models.Recipient, error) {
	var rows []*models.Recipient
	if len(locs) == 0 || len(keys) == 0 {
		return rows, nil
	}
	if !d.isPostgres() {
		err := tx.Where("location_id IN ? AND "+column+" IN ?", locs, keys).
			Order("id").Find(&rows).Error
		return rows, err
	}

	locs, keys = slices.Sorted(slices.Values(locs)), slices.Sorted(slices.Values(keys))
	pairLocs := make([]string, 0, len(locs)*len(keys))
	pairKeys := make([]string, 0, len(locs)*len(keys))
	for _, l := range locs {
		for _, k := range keys {
			pairLocs, pairKeys = append(pairLocs, l), append(pairKeys, k)
		}
	}
	sql := "SELECT r.* FROM unnest(?::text[], ?::text[]) AS k(loc, key), LATERAL (" +
		"SELECT * FROM recipients WHERE location_id = k.loc AND " + column + " = k.key " +
		"FOR UPDATE) r"
	err := tx.Raw(sql, pgTextArray(pairLocs), pgTextArray(pairKeys)).Scan(&rows).Error
	return rows, err
}

// pgTextArray passes strings to PostgreSQL as one text[] parameter; GORM
// would expand a plain slice into a list of parameters.
type pgTextArray []string

// Value encodes the array literal: every element double-quoted, with
// backslashes and quotes escaped
// (https://www.postgresql.org/docs/current/arrays.html#ARRAYS-IO).
func (a pgTextArray) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		for _, r := range s {
			if r == '"' || r == '\\' {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}

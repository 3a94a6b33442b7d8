// Package store is the SQLite engine every vendor keeps its state in.
//
// It knows no vendor: each vendor registers a Schema (its embedded migrations,
// the prefix of its tables and its seed function); store opens the database,
// applies the migrations in order, seeds a new database from the fixtures and
// resets one vendor or all of them, each in one transaction.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// Memory is the path of the default, in-memory database.
const Memory = ":memory:"

// Schema is what a vendor registers with the store.
type Schema struct {
	// Vendor names the vendor in resets ("greenarrow", "loopmessage", ...).
	Vendor string
	// TablePrefix starts the name of every table the vendor's migrations create;
	// a reset empties exactly those tables.
	TablePrefix string
	// Migrations holds files named "<number>_<what>.sql" at its root, applied in
	// numeric order, each once, each in its own transaction.
	Migrations fs.FS
	// Seed loads the vendor's fixtures into its empty tables.
	Seed func(ctx context.Context, tx *sql.Tx, fixtures fs.FS) error
}

// DB is an open store. It is safe for concurrent use.
type DB struct {
	sql      *sql.DB
	schemas  []Schema
	fixtures fs.FS
	stmts    sync.Map      // query string → *sql.Stmt
	resets   atomic.Uint64 // how many resets have committed: read caches compare it
}

// Generation counts the resets that have committed. A vendor that caches reads
// records it with each entry and drops entries made in an older generation.
func (db *DB) Generation() uint64 { return db.resets.Load() }

// Open opens (creating if needed) the database at path, applies every schema's
// migrations and seeds the vendors a new database has not seen yet.
//
// ":memory:" gives one private database held by a single connection, so that
// every request sees the same data. Callers must therefore never use DB.SQL
// while they hold a transaction: that would wait for the connection forever.
// A file path gets WAL, a busy timeout and immediate write transactions, so
// concurrent writers queue instead of failing with "database is locked".
func Open(ctx context.Context, path string, fixtures fs.FS, schemas ...Schema) (*DB, error) {
	seen := map[string]bool{}
	for _, s := range schemas {
		if s.Vendor == "" || s.TablePrefix == "" || s.Migrations == nil || s.Seed == nil {
			return nil, fmt.Errorf("store: incomplete schema for vendor %q", s.Vendor)
		}
		if seen[s.Vendor] {
			return nil, fmt.Errorf("store: vendor %q registered twice", s.Vendor)
		}
		seen[s.Vendor] = true
	}
	var dsn string
	if path == Memory {
		dsn = "file::memory:?_pragma=foreign_keys(1)"
	} else {
		dsn = "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
			"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_txlock=immediate"
	}
	sqlDB, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if path == Memory {
		sqlDB.SetMaxOpenConns(1)
		sqlDB.SetMaxIdleConns(1)
		sqlDB.SetConnMaxLifetime(0)
		sqlDB.SetConnMaxIdleTime(0)
	} else {
		sqlDB.SetMaxOpenConns(8)
		sqlDB.SetMaxIdleConns(8)
	}
	db := &DB{sql: sqlDB, schemas: schemas, fixtures: fixtures}
	if err := db.init(ctx); err != nil {
		sqlDB.Close()
		return nil, err
	}
	return db, nil
}

// SQL is the database handle for reads and single statements outside a transaction.
func (db *DB) SQL() *sql.DB { return db.sql }

// Close closes the database.
func (db *DB) Close() error {
	db.stmts.Range(func(_, v any) bool { v.(*sql.Stmt).Close(); return true })
	return db.sql.Close()
}

// stmt returns the prepared statement for query, preparing it once. Parsing
// SQL costs more than running a simple lookup, so hot paths reuse statements.
func (db *DB) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := db.stmts.Load(query); ok {
		return s.(*sql.Stmt), nil
	}
	s, err := db.sql.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := db.stmts.LoadOrStore(query, s); loaded {
		s.Close()
		return prev.(*sql.Stmt), nil
	}
	return s, nil
}

// QueryRow runs a single-row query outside a transaction through a cached
// prepared statement. Use it for queries whose text is constant.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := db.stmt(ctx, query)
	if err != nil {
		// Let the plain path report the error through Row.Scan.
		return db.sql.QueryRowContext(ctx, query, args...)
	}
	return s.QueryRowContext(ctx, args...)
}

// Query runs a query outside a transaction through a cached prepared statement.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := db.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

// Exec runs a statement outside a transaction through a cached prepared statement.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s, err := db.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

// Vendors lists the registered vendors, in registration order.
func (db *DB) Vendors() []string {
	out := make([]string, len(db.schemas))
	for i, s := range db.schemas {
		out[i] = s.Vendor
	}
	return out
}

// Tx runs fn in one transaction: committed when fn returns nil, rolled back otherwise.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// ErrUnknownVendor is returned by Reset for a vendor nobody registered.
var ErrUnknownVendor = errors.New("store: unknown vendor")

// Reset restores a vendor's state to its fixtures, or every vendor's when vendor
// is "". Each vendor is emptied and seeded again in one transaction.
func (db *DB) Reset(ctx context.Context, vendor string) error {
	var todo []Schema
	for _, s := range db.schemas {
		if vendor == "" || s.Vendor == vendor {
			todo = append(todo, s)
		}
	}
	if len(todo) == 0 {
		return fmt.Errorf("%w %q", ErrUnknownVendor, vendor)
	}
	defer db.resets.Add(1) // also after a failed reset: a cache may hold nothing stale
	return db.Tx(ctx, func(tx *sql.Tx) error {
		// Foreign keys are checked at commit, so tables can be emptied in any order.
		if _, err := tx.ExecContext(ctx, "PRAGMA defer_foreign_keys = ON"); err != nil {
			return err
		}
		for _, s := range todo {
			if err := emptyTables(ctx, tx, s.TablePrefix); err != nil {
				return fmt.Errorf("store: reset %s: %w", s.Vendor, err)
			}
			if err := s.Seed(ctx, tx, db.fixtures); err != nil {
				return fmt.Errorf("store: seed %s: %w", s.Vendor, err)
			}
		}
		return nil
	})
}

func emptyTables(ctx context.Context, tx *sql.Tx, prefix string) error {
	rows, err := tx.QueryContext(ctx,
		`SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, length(?)) = ?`, prefix, prefix)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, t := range tables {
		if _, err := tx.ExecContext(ctx, `DELETE FROM "`+t+`"`); err != nil {
			return err
		}
	}
	// Restart AUTOINCREMENT counters so a reset gives the same ids as a fresh start.
	var hasSeq int
	if err := tx.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'`).Scan(&hasSeq); err != nil {
		return err
	}
	if hasSeq > 0 {
		if _, err := tx.ExecContext(ctx,
			`DELETE FROM sqlite_sequence WHERE substr(name, 1, length(?)) = ?`, prefix, prefix); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) init(ctx context.Context) error {
	if _, err := db.sql.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS _emulator_migrations (
		vendor TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, PRIMARY KEY (vendor, version));
		CREATE TABLE IF NOT EXISTS _emulator_seeded (vendor TEXT PRIMARY KEY)`); err != nil {
		return fmt.Errorf("store: bookkeeping tables: %w", err)
	}
	for _, s := range db.schemas {
		if err := db.migrate(ctx, s); err != nil {
			return err
		}
	}
	for _, s := range db.schemas {
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO _emulator_seeded (vendor) VALUES (?)`, s.Vendor)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil // seeded on an earlier start: keep its state
			}
			return s.Seed(ctx, tx, db.fixtures)
		})
		if err != nil {
			return fmt.Errorf("store: seed %s: %w", s.Vendor, err)
		}
	}
	return nil
}

type migration struct {
	version int
	name    string
}

func (db *DB) migrate(ctx context.Context, s Schema) error {
	entries, err := fs.ReadDir(s.Migrations, ".")
	if err != nil {
		return fmt.Errorf("store: %s migrations: %w", s.Vendor, err)
	}
	var ms []migration
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return fmt.Errorf("store: %s migration %q is not named <number>_<what>.sql", s.Vendor, e.Name())
		}
		ms = append(ms, migration{v, e.Name()})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return fmt.Errorf("store: %s has two migrations numbered %d", s.Vendor, ms[i].version)
		}
	}
	for _, m := range ms {
		body, err := fs.ReadFile(s.Migrations, m.name)
		if err != nil {
			return err
		}
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			var done int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM _emulator_migrations WHERE vendor = ? AND version = ?`,
				s.Vendor, m.version).Scan(&done); err != nil {
				return err
			}
			if done > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO _emulator_migrations (vendor, version, name) VALUES (?, ?, ?)`,
				s.Vendor, m.version, m.name)
			return err
		})
		if err != nil {
			return fmt.Errorf("store: %s migration %s: %w", s.Vendor, m.name, err)
		}
	}
	return nil
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	sqlite "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
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
	// Seed loads the vendor's fixtures into its empty tables (none when nil).
	Seed func(ctx context.Context, tx *Tx, fixtures fs.FS) error
	// Internal marks the emulator's own tables (the webhook outbox), not a
	// vendor's: Vendors omits them, Reset leaves them to their owner, and a
	// Copy starts them empty, as a new world's history is its own.
	Internal bool
	// CatchUp are statements the writer runs at the end of every write
	// transaction, before it commits, once the migrations are applied: for
	// what a vendor's triggers only mark as behind while a transaction
	// writes, and bring up to date once however many writes marked it
	// (courier: a channel's kept columns, which every post changes, written
	// once a group of posts instead of once a post).
	CatchUp []string
}

// DB is an open store. It is safe for concurrent use; see the package
// documentation (doc.go) for how reads and writes share it.
type DB struct {
	write   *sql.DB // one connection: every write transaction, in turn
	read    *sql.DB // several query-only connections: reads, concurrently
	path    string
	memName string        // in memory: the memdb database's name
	gate    *sync.RWMutex // in memory: orders the readers and the writer (doc.go); nil on a file
	readDSN string
	// checkpoints copies a file's WAL into it, off the writer (checkpoint.go),
	// when written says the writer has committed; both nil in memory.
	checkpoints *checkpointer
	written     chan struct{}
	schemas     []Schema
	catchUp     []string // the schemas' CatchUp, once their migrations are applied
	fixtures    fs.FS
	writes      writeQueue // the writes waiting for the group in progress (batch.go)
}

// memoryDBs numbers the in-memory databases of this process, so that every
// Open and Clone gets a database of its own (memdb names are process-wide).
var memoryDBs atomic.Uint64

// readers is how many read connections a store keeps: more than the cores,
// so that reads that wait (for the gate, for a page) do not idle a core.
func readers() int { return max(4, 2*runtime.GOMAXPROCS(0)) }

// Open opens (creating if needed) the database at path, applies every schema's
// migrations and seeds the vendors a new database has not seen yet.
//
// ":memory:" gives a private database in this process's memory (SQLite's
// memdb VFS), shared by the writer and the readers; a file path gets WAL.
func Open(ctx context.Context, path string, fixtures fs.FS, schemas ...Schema) (*DB, error) {
	seen := map[string]bool{}
	for _, s := range schemas {
		if s.Vendor == "" || s.TablePrefix == "" || s.Migrations == nil || (s.Seed == nil && !s.Internal) {
			return nil, fmt.Errorf("store: incomplete schema for vendor %q", s.Vendor)
		}
		if seen[s.Vendor] {
			return nil, fmt.Errorf("store: vendor %q registered twice", s.Vendor)
		}
		seen[s.Vendor] = true
	}
	var db *DB
	var err error
	if path == Memory {
		db, err = openMemory(schemas, fixtures)
	} else {
		db, err = openFile(path, schemas, fixtures)
	}
	if err != nil {
		return nil, err
	}
	if err := db.init(ctx); err != nil {
		db.write.Close()
		return nil, err
	}
	// Migrating and seeding filled the writer's page cache; in memory the
	// pages are in memdb already, and on a file in the OS's cache, so it is
	// freed (measured: about 2 MB of an idle emulator's RSS per store).
	if _, err := db.write.ExecContext(ctx, "PRAGMA shrink_memory"); err != nil {
		db.write.Close()
		return nil, err
	}
	// The readers open after the migrations, so none of them sees an old schema.
	if err := db.openReaders(); err != nil {
		db.write.Close()
		return nil, err
	}
	return db, nil
}

// busy_timeout only covers what this process cannot order itself: in memory,
// nothing (the gate orders readers and the writer); on a file, another
// process using it.
const commonPragmas = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)"

// openMemory opens the writer of a new, empty in-memory database, its
// buffer reserved whole (memdb.go).
func openMemory(schemas []Schema, fixtures fs.FS) (*DB, error) {
	db := &DB{path: Memory, gate: &sync.RWMutex{}, schemas: schemas, fixtures: fixtures}
	db.memName = fmt.Sprintf("/emulator-%d-%d", os.Getpid(), memoryDBs.Add(1))
	dsn := "file:" + db.memName + "?vfs=memdb&" + commonPragmas
	db.readDSN = dsn + "&_pragma=query_only(1)"
	if err := db.openWriter(dsn, "BEGIN"); err != nil {
		return nil, err
	}
	if err := db.reserveMemory(context.Background()); err != nil {
		db.write.Close()
		return nil, fmt.Errorf("store: open %s: %w", db.path, err)
	}
	return db, nil
}

// openFile opens the writer of the database file at path (created if need be).
func openFile(path string, schemas []Schema, fixtures fs.FS) (*DB, error) {
	db := &DB{path: path, readDSN: "file:" + path + "?" + commonPragmas + "&_pragma=query_only(1)",
		schemas: schemas, fixtures: fixtures, written: make(chan struct{}, 1)}
	// The writer takes the write lock as it begins: a transaction that read
	// first and then wrote could otherwise fail, unable to upgrade its lock,
	// when another process writes the file.
	return db, db.openWriter("file:"+path+"?"+commonPragmas+
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)", "BEGIN IMMEDIATE")
}

// openWriter opens the one writer connection. Writers take turns at it in
// Go (in groups, batch.go; alone, through database/sql's queue for the
// connection), so no write ever meets "database is locked" from another of
// ours.
//
// The savepoints of grouped writes (batch.go) keep the pages they change in
// a journal of their own, which SQLite may keep in a temporary file: the
// writer keeps it in memory (temp_store), which costs no write(2) per page
// (on a file it had, measured: a fifth of a courier post's turn) and leaves
// no temporary file behind.
func (db *DB) openWriter(dsn, begin string) error {
	dsn += "&_pragma=temp_store(MEMORY)"
	var wrote func()
	if db.written != nil {
		wrote = db.wrote
	}
	write, err := openPool(dsn, db.gate, true, begin, wrote)
	if err != nil {
		return fmt.Errorf("store: open %s: %w", db.path, err)
	}
	oneConnection(write)
	db.write = write
	return nil
}

// oneConnection keeps a pool to one connection, open for as long as the
// pool: in memory, the database lives as long as a connection holds it.
func oneConnection(pool *sql.DB) {
	pool.SetMaxOpenConns(1)
	pool.SetMaxIdleConns(1)
	pool.SetConnMaxLifetime(0)
	pool.SetConnMaxIdleTime(0)
}

// openReaders opens the pool of query-only connections and, on a file, the
// checkpointer (once seeding or copying is done: those write in bulk, and
// their WAL is checkpointed as they go).
func (db *DB) openReaders() error {
	read, err := openPool(db.readDSN, db.gate, false, "BEGIN", nil)
	if err != nil {
		return fmt.Errorf("store: open %s: %w", db.path, err)
	}
	read.SetMaxOpenConns(readers())
	read.SetMaxIdleConns(readers())
	read.SetConnMaxLifetime(0)
	read.SetConnMaxIdleTime(0)
	if db.path != Memory {
		if err := db.startCheckpointer(); err != nil {
			read.Close()
			return fmt.Errorf("store: open %s: checkpoints: %w", db.path, err)
		}
	}
	db.read = read
	return nil
}

// Read is the pool of query-only connections, for reads outside a transaction.
// A statement that writes through it fails.
func (db *DB) Read() *sql.DB { return db.read }

// Write is the writer connection, for tests and tools that write outside
// the store's rules; a handler writes with Tx, WriteRow or Exec. Never use it
// while holding a transaction of this store: the connection is that
// transaction's, so the call would wait forever.
func (db *DB) Write() *sql.DB { return db.write }

// Ping checks both the readers and the writer.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return err
	}
	return db.write.PingContext(ctx)
}

// Close closes the database.
func (db *DB) Close() error {
	var cerr error
	if db.checkpoints != nil {
		cerr = db.checkpoints.close()
	}
	rerr := db.read.Close()
	return errors.Join(db.write.Close(), rerr, cerr)
}

// QueryRow runs a single-row read outside a transaction, on a read
// connection. (Every connection keeps its prepared statements: conn.go.)
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *Row {
	rows, err := db.Query(ctx, query, args...)
	if err != nil {
		return errRow(err)
	}
	return &Row{rows: rows}
}

// Query runs a read outside a transaction, on a read connection, which its
// rows hold (with the gate, in memory) until they are closed.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*Rows, error) {
	conn, c, err := lease(context.WithoutCancel(ctx), db.read)
	if err != nil {
		return nil, err
	}
	leave := c.enter()
	return c.query(query, args, func() { leave(); conn.Close() })
}

// WriteRow runs one writing statement that returns a row (UPDATE ...
// RETURNING) as a write of its own, grouped with the others (batch.go).
// The statement runs when the answer's Scan is called.
func (db *DB) WriteRow(ctx context.Context, query string, args ...any) WrittenRow {
	return WrittenRow{db, ctx, query, args}
}

// WrittenRow is WriteRow's statement, to Scan like a *sql.Row.
type WrittenRow struct {
	db    *DB
	ctx   context.Context
	query string
	args  []any
}

// Scan runs the statement and scans the row it returns into dest
// (sql.ErrNoRows when it returns none; nothing then was written).
func (w WrittenRow) Scan(dest ...any) error {
	return w.db.Tx(w.ctx, func(tx *Tx) error {
		return tx.QueryRowContext(w.ctx, w.query, w.args...).Scan(dest...)
	})
}

// Exec runs one writing statement as a write of its own, grouped with the
// others (batch.go).
func (db *DB) Exec(ctx context.Context, query string, args ...any) (res sql.Result, err error) {
	err = db.Tx(ctx, func(tx *Tx) error {
		res, err = tx.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

// Reader runs reads outside a transaction on the read pool, with the method
// names Tx has, so a helper that reads can take either.
type Reader struct{ db *DB }

// Reader returns the store's Reader.
func (db *DB) Reader() Reader { return Reader{db} }

// QueryRowContext is DB.QueryRow.
func (r Reader) QueryRowContext(ctx context.Context, query string, args ...any) *Row {
	return r.db.QueryRow(ctx, query, args...)
}

// QueryContext is DB.Query.
func (r Reader) QueryContext(ctx context.Context, query string, args ...any) (*Rows, error) {
	return r.db.Query(ctx, query, args...)
}

// Vendors lists the registered vendors, in registration order.
func (db *DB) Vendors() []string {
	out := make([]string, 0, len(db.schemas))
	for _, s := range db.schemas {
		if !s.Internal {
			out = append(out, s.Vendor)
		}
	}
	return out
}

// txAlone runs fn in a write transaction of its own, not grouped with
// others (batch.go): for what changes how the transaction behaves (Reset
// defers foreign keys to the commit) and for opening a store.
func (db *DB) txAlone(ctx context.Context, fn func(tx *Tx) error) error {
	return db.writeTx(ctx, fn)
}

// writeTx runs fn in a write transaction on the writer, and the schemas'
// CatchUp after it, in the same transaction.
func (db *DB) writeTx(ctx context.Context, fn func(tx *Tx) error) error {
	return runTx(ctx, db.write, func(tx *Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		for _, q := range db.catchUp {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("store: catch up: %w", err)
			}
		}
		return nil
	})
}

// catchUpAll makes every write transaction run the schemas' CatchUp: called
// once their migrations are applied (before, its tables may not exist).
func (db *DB) catchUpAll() {
	for _, s := range db.schemas {
		db.catchUp = append(db.catchUp, s.CatchUp...)
	}
}

// ReadTx runs fn in one read transaction on a read connection: every
// statement of fn sees the same committed state, and other reads and the
// writer go on meanwhile. fn must not write.
func (db *DB) ReadTx(ctx context.Context, fn func(tx *Tx) error) error {
	return runTx(ctx, db.read, fn)
}

// ReadCopy is ReadTx for a read that is long because it reads everything (a
// vendor's whole state, GET /_emulator/state). In memory a read transaction
// holds the gate, so every write of the world would wait for it (measured:
// a 360dialog PATCH waited 4.9 s while courier's 100,000 messages were
// exported); instead fn reads a private copy of the committed database,
// and the gate is held only while its pages are copied (copyPages). On a
// file it is ReadTx: WAL lets the writer go on beside any reader.
func (db *DB) ReadCopy(ctx context.Context, fn func(tx *Tx) error) error {
	if db.gate == nil {
		return db.ReadTx(ctx, fn)
	}
	pool, err := db.privateCopy(ctx)
	if err != nil {
		return fmt.Errorf("store: copy for a long read: %w", err)
	}
	defer pool.Close()
	return runTx(ctx, pool, fn)
}

// privateCopy opens a pool of one query-only connection on a private
// in-memory copy of the committed database (copyPages): such a database
// lives as long as its connection.
func (db *DB) privateCopy(ctx context.Context) (*sql.DB, error) {
	image, err := db.copyPages(ctx)
	if err != nil {
		return nil, err
	}
	pool, err := openPool(":memory:?_pragma=query_only(1)", nil, false, "BEGIN", nil)
	if err != nil {
		return nil, err
	}
	oneConnection(pool)
	conn, c, err := lease(ctx, pool)
	if err == nil {
		if d, ok := c.conn.(interface{ Deserialize(buf []byte) error }); ok {
			err = d.Deserialize(image) // into SQLite's own copy
		} else {
			err = errors.New("the sqlite driver cannot deserialize")
		}
		conn.Close()
	}
	if err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// copyPages copies the in-memory database's committed pages (SQLite's
// sqlite3_serialize of a memdb database: one copy of its memory) while
// holding the gate as a reader does: no write transaction is in progress,
// so the copy is one committed state.
func (db *DB) copyPages(ctx context.Context) ([]byte, error) {
	conn, c, err := lease(ctx, db.read)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	s, ok := c.conn.(interface{ Serialize() ([]byte, error) })
	if !ok {
		return nil, errors.New("the sqlite driver cannot serialize")
	}
	db.gate.RLock()
	defer db.gate.RUnlock()
	return s.Serialize()
}

// ErrUnknownVendor is returned by Reset for a vendor nobody registered.
var ErrUnknownVendor = errors.New("store: unknown vendor")

// Reset restores a vendor's state to its fixtures, or every vendor's when vendor
// is "". Each vendor is emptied and seeded again in one transaction.
func (db *DB) Reset(ctx context.Context, vendor string) error {
	var todo []Schema
	for _, s := range db.schemas {
		if !s.Internal && (vendor == "" || s.Vendor == vendor) {
			todo = append(todo, s)
		}
	}
	if len(todo) == 0 {
		return fmt.Errorf("%w %q", ErrUnknownVendor, vendor)
	}
	return db.txAlone(ctx, func(tx *Tx) error {
		// Foreign keys are checked at commit, so tables can be emptied in any order.
		if _, err := tx.ExecContext(ctx, "PRAGMA defer_foreign_keys = ON"); err != nil {
			return err
		}
		for _, s := range todo {
			if err := emptyTables(ctx, tx, s.TablePrefix); err != nil {
				return fmt.Errorf("store: reset %s: %w", s.Vendor, err)
			}
			if err := s.Seed(ctx, tx, db.fixtures); err != nil {
				return seedError(s.Vendor, err)
			}
		}
		return nil
	})
}

func emptyTables(ctx context.Context, tx *Tx, prefix string) error {
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
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS _emulator_migrations (
		vendor TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, PRIMARY KEY (vendor, version));
		CREATE TABLE IF NOT EXISTS _emulator_seeded (vendor TEXT PRIMARY KEY)`); err != nil {
		return fmt.Errorf("store: bookkeeping tables: %w", err)
	}
	for _, s := range db.schemas {
		if err := db.migrate(ctx, s); err != nil {
			return err
		}
	}
	db.catchUpAll()
	for _, s := range db.schemas {
		err := db.txAlone(ctx, func(tx *Tx) error {
			res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO _emulator_seeded (vendor) VALUES (?)`, s.Vendor)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 || s.Seed == nil {
				return nil // seeded on an earlier start: keep its state
			}
			return s.Seed(ctx, tx, db.fixtures)
		})
		if err != nil {
			return seedError(s.Vendor, err)
		}
	}
	return nil
}

// seedError names the vendor of a failed seed, unless the fault is in a
// fixture file: that error names the file, record and field already, and
// is the one line a user needs.
func seedError(vendor string, err error) error {
	var fe *FixtureError
	if errors.As(err, &fe) {
		return err
	}
	return fmt.Errorf("store: seed %s: %w", vendor, err)
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
		err = db.txAlone(ctx, func(tx *Tx) error {
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

// Clone is Copy to a new in-memory database with db's fixtures.
func (db *DB) Clone(ctx context.Context) (*DB, error) {
	return db.Copy(ctx, Memory, nil)
}

// Copy opens a new store at path (Memory, or a file that does not exist yet;
// a store on a file copies to a file only)
// holding a copy of db's committed state, with db's schemas; its resets seed
// from fixtures (db's own when nil). It copies pages (SQLite's backup API)
// instead of migrating and seeding anew, which costs a fraction: a test
// suite that opens a fresh store per test, or a new world, copies one seeded
// store.
func (db *DB) Copy(ctx context.Context, path string, fixtures fs.FS) (*DB, error) {
	if fixtures == nil {
		fixtures = db.fixtures
	}
	if path == Memory && db.path != Memory {
		// The pages would carry the file's WAL mode, which memdb cannot open.
		return nil, errors.New("store: copy: a store on a file copies to a file only")
	}
	var c *DB
	var err error
	if path == Memory {
		c, err = openMemory(db.schemas, fixtures)
	} else {
		if _, serr := os.Stat(path); serr == nil {
			return nil, fmt.Errorf("store: copy: %s exists already", path)
		}
		c, err = openFile(path, db.schemas, fixtures)
	}
	if err != nil {
		return nil, err
	}
	src := "file:" + db.path
	if db.gate != nil {
		src = "file:" + db.memName + "?vfs=memdb"
		// Readers of the source share its gate: no write changes it meanwhile.
		db.gate.RLock()
	}
	err = c.restoreFrom(ctx, src)
	if db.gate != nil {
		db.gate.RUnlock()
	}
	if err == nil {
		c.catchUpAll() // the copy's tables are migrated already
	}
	if err == nil {
		// The copy passed through the writer's page cache. In memory the pages
		// are in memdb already, and on a file in the OS's cache, so the
		// connection's is freed (a fresh in-memory copy then costs about
		// 1 MB instead of 2.6 MB).
		_, err = c.write.ExecContext(ctx, "PRAGMA shrink_memory")
	}
	if err == nil {
		err = c.txAlone(ctx, func(tx *Tx) error {
			for _, s := range c.schemas {
				if s.Internal {
					if err := emptyTables(ctx, tx, s.TablePrefix); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	if err == nil {
		err = c.openReaders()
	}
	if err != nil {
		c.write.Close()
		if path != Memory {
			RemoveFile(path)
		}
		return nil, fmt.Errorf("store: copy: %w", err)
	}
	return c, nil
}

// RemoveFile deletes a closed store's database file and its WAL companions.
func RemoveFile(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		_ = os.Remove(p)
	}
}

// Fixtures are what the store's resets seed from.
func (db *DB) Fixtures() fs.FS { return db.fixtures }

// Path is where the store is: Memory or its file.
func (db *DB) Path() string { return db.path }

// Size is how many bytes the database holds (its pages).
func (db *DB) Size(ctx context.Context) (int64, error) {
	var pages, size int64
	if err := db.QueryRow(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		return 0, err
	}
	if err := db.QueryRow(ctx, "PRAGMA page_size").Scan(&size); err != nil {
		return 0, err
	}
	return pages * size, nil
}

// restoreFrom copies the database at the URI src into db's own, over db's
// writer connection (which, in memory, keeps db's database alive).
func (db *DB) restoreFrom(ctx context.Context, src string) error {
	conn, c, err := lease(ctx, db.write)
	if err != nil {
		return err
	}
	defer conn.Close()
	r, ok := c.conn.(interface {
		NewRestore(srcURI string) (*sqlite.Backup, error)
	})
	if !ok {
		return errors.New("the sqlite driver cannot restore")
	}
	b, err := r.NewRestore(src)
	if err != nil {
		return err
	}
	if _, err := b.Step(-1); err != nil {
		b.Finish()
		return err
	}
	return b.Finish()
}

// ResultRows is what *Rows and *sql.Rows both answer.
type ResultRows interface {
	Columns() ([]string, error)
	Next() bool
	Scan(dest ...any) error
	Close() error
	Err() error
}

// QueryEither runs query on q, a transaction (*Tx) or a pool (*sql.DB): for
// what reads either (plans, tests).
func QueryEither(ctx context.Context, q any, query string, args ...any) (ResultRows, error) {
	switch q := q.(type) {
	case *Tx:
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return rows, nil
	case *sql.DB:
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return rows, nil
	}
	return nil, fmt.Errorf("store: a query on a %T", q)
}

// QueryPlan is SQLite's EXPLAIN QUERY PLAN of query, one line per step
// ("SEARCH t USING INDEX i (a=?)", "SCAN t", "USE TEMP B-TREE FOR ORDER BY"):
// what the vendors' plan tests read to prove a query does not grow with the
// data. q is a transaction (*Tx) or a pool (*sql.DB).
func QueryPlan(ctx context.Context, q any, query string, args ...any) ([]string, error) {
	rows, err := QueryEither(ctx, q, `EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", query, err)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return nil, err
		}
		steps = append(steps, detail)
	}
	return steps, rows.Err()
}

// EachRow runs query in tx and calls fn on each row, in order; the first
// error stops it.
func EachRow(ctx context.Context, tx *Tx, query string, args []any, fn func(*Rows) error) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// wrote notes a commit of the writer for the checkpointer, without waiting.
func (db *DB) wrote() {
	select {
	case db.written <- struct{}{}:
	default:
	}
}

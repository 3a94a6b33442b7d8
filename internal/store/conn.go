package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"sync"
)

// Every query of every vendor goes through a conn of this file. It keeps its
// prepared statements by query text: parsing SQL costs more than running a
// point lookup (profiled: about a quarter of a courier GET), and queries run
// inside transactions, where database/sql prepares each statement anew. The
// store's own statements run on the driver's SQLite handle (query, exec:
// rows.go); the driver's statements serve database/sql (DB.Read, DB.Write,
// Ping) and scripts of several statements.
//
// In memory, it also takes the store's gate around every transaction and
// every statement outside one: shared for a reader, exclusive for the writer
// (see doc.go for why).
//
// It begins and ends transactions itself, with cached statements too: the
// driver prepares BEGIN and COMMIT anew for every transaction (profiled:
// about 23 µs of a write's turn at the writer).

// connStmts is how many prepared statements one connection keeps. The SQL a
// handler builds from request parameters comes in many shapes: when the cache
// is full, the statements not in use are closed, so memory stays bounded.
const connStmts = 256

// connector opens caching connections of the registered "sqlite" driver.
type connector struct {
	drv    driver.Driver
	dsn    string
	gate   *sync.RWMutex // nil: no gate (a file, where WAL lets readers beside the writer)
	writer bool          // takes the gate exclusively
	begin  string        // the statement that begins a transaction
	wrote  func()        // called after each commit (nil: not needed)
}

// openPool is sql.Open("sqlite", dsn) with statement-caching connections
// that pass gate (when not nil) as a writer or as readers, and begin their
// transactions with the statement begin.
//
// wrote, when not nil, is called after every commit: a transaction's, or a
// statement's outside one.
func openPool(dsn string, gate *sync.RWMutex, writer bool, begin string, wrote func()) (*sql.DB, error) {
	probe, err := sql.Open("sqlite", dsn) // only to reach the registered driver
	if err != nil {
		return nil, err
	}
	drv := probe.Driver()
	if err := probe.Close(); err != nil {
		return nil, err
	}
	return sql.OpenDB(connector{drv, dsn, gate, writer, begin, wrote}), nil
}

func (c connector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	h, err := handleOf(conn)
	if err != nil {
		conn.Close()
		return nil, err
	}
	cc := &cachingConn{conn: conn.(sqliteConn), h: h, stmts: map[string]*cachedStmt{}, raw: map[string]*rawStmt{},
		begin: c.begin, wrote: c.wrote, mutex: h.dropMutex()}
	if c.gate != nil {
		cc.lock, cc.unlock = c.gate.RLock, c.gate.RUnlock
		if c.writer {
			cc.lock, cc.unlock = c.gate.Lock, c.gate.Unlock
		}
	}
	return cc, nil
}

func (c connector) Driver() driver.Driver { return c.drv }

// sqliteConn is what the sqlite driver's connection implements.
type sqliteConn interface {
	driver.Conn
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type stmtContext interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// cachingConn is one connection with its statement cache. database/sql uses
// a connection from one goroutine at a time, so it needs no lock.
type cachingConn struct {
	conn  sqliteConn
	h     sqliteHandle // the driver's SQLite handle, for queries (rows.go)
	stmts map[string]*cachedStmt
	raw   map[string]*rawStmt // the queries' statements, on h
	// lock and unlock pass the gate (nil without one); inTx: a transaction
	// of this connection holds it already.
	lock, unlock func()
	inTx         bool
	mutex        uintptr // the connection's own mutex, dropped while it is open (dropMutex)
	begin        string  // BEGIN, or BEGIN IMMEDIATE
	wrote        func()  // after each commit; nil when not needed
}

// committed tells wrote, if any, of a commit.
func (c *cachingConn) committed() {
	if c.wrote != nil {
		c.wrote()
	}
}

// enter passes the gate for one statement outside a transaction, and
// returns how to leave it.
func (c *cachingConn) enter() func() {
	if c.lock == nil || c.inTx {
		return func() {}
	}
	c.lock()
	return c.unlock
}

type cachedStmt struct {
	stmt  stmtContext
	inUse bool // its rows are open: a nested query of the same text needs its own statement
}

// statement returns a prepared statement for query and a function to call
// when the caller is done with it.
func (c *cachingConn) statement(ctx context.Context, query string) (stmtContext, func(), error) {
	if cs, ok := c.stmts[query]; ok && !cs.inUse {
		cs.inUse = true
		return cs.stmt, func() { cs.inUse = false }, nil
	}
	ds, err := c.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, nil, err
	}
	st := ds.(stmtContext)
	if _, taken := c.stmts[query]; taken {
		// The cached one is busy: this one serves one call and goes.
		return st, func() { st.Close() }, nil
	}
	if len(c.stmts) >= connStmts {
		c.evict()
	}
	cs := &cachedStmt{stmt: st, inUse: true}
	c.stmts[query] = cs
	return st, func() { cs.inUse = false }, nil
}

// query runs a query on the connection's handle (rows.go). release, when
// not nil, runs once the rows are closed, also when the query fails.
func (c *cachingConn) query(query string, args []any, release func()) (*Rows, error) {
	st, err := c.rawStatement(query)
	if err != nil {
		if release != nil {
			release()
		}
		return nil, err
	}
	r := &Rows{c: c, st: st, release: release}
	if err := c.h.bind(st, args); err != nil {
		r.Close()
		return nil, err
	}
	if err := r.start(); err != nil {
		return nil, err
	}
	return r, nil
}

// exec runs a statement that returns no rows on the connection's handle
// (rows.go): a transaction's statements, its BEGIN and its end, the gate
// passed already. SQL of several statements (a migration) goes through the
// driver, which runs them in turn.
func (c *cachingConn) exec(ctx context.Context, query string, args []any) (sql.Result, error) {
	st, err := c.rawStatement(query)
	if errors.Is(err, errStatements) {
		named := make([]driver.NamedValue, len(args))
		for i, a := range args {
			if named[i].Value, err = driver.DefaultParameterConverter.ConvertValue(a); err != nil {
				return nil, err
			}
			named[i].Ordinal = i + 1
		}
		return c.ExecContext(ctx, query, named)
	}
	if err != nil {
		return nil, err
	}
	defer c.giveBack(st)
	if err := c.h.bind(st, args); err != nil {
		return nil, err
	}
	return c.h.exec(st)
}

// rawStatement is query prepared on the handle: the connection's own when
// it has one not in use.
func (c *cachingConn) rawStatement(query string) (*rawStmt, error) {
	if st, ok := c.raw[query]; ok && !st.inUse {
		st.inUse = true
		return st, nil
	}
	st, err := c.h.prepare(query)
	if err != nil {
		return nil, err
	}
	st.inUse = true
	if _, taken := c.raw[query]; taken {
		return st, nil // the kept one is busy: this one serves one query and goes
	}
	if len(c.raw) >= connStmts {
		for q, kept := range c.raw {
			if !kept.inUse {
				c.h.finalize(kept)
				delete(c.raw, q)
			}
		}
	}
	st.cached = true
	c.raw[query] = st
	return st, nil
}

// giveBack takes back a statement whose rows are closed (or that has run).
// A large arena (a large body bound) is freed, not kept by every statement
// that once bound one; the next run binds every parameter again.
func (c *cachingConn) giveBack(st *rawStmt) {
	if !st.cached {
		c.h.finalize(st)
		return
	}
	st.inUse = false
	if st.arenaCap > keptArena {
		c.h.freeArena(st)
	}
}

// keptArena is the largest arena a kept statement keeps between runs.
const keptArena = 16 << 10

// evict closes every cached statement not in use.
func (c *cachingConn) evict() {
	for q, cs := range c.stmts {
		if !cs.inUse {
			cs.stmt.Close()
			delete(c.stmts, q)
		}
	}
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	leave := c.enter()
	st, done, err := c.statement(ctx, query)
	if err != nil {
		leave()
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args)
	if err != nil {
		done()
		leave()
		return nil, err
	}
	autocommit := !c.inTx
	return &releasingRows{Rows: rows, done: func() {
		done()
		leave()
		if autocommit {
			c.committed()
		}
	}}, nil
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	defer c.enter()()
	st, done, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	defer done()
	res, err := st.ExecContext(ctx, args)
	if err == nil && !c.inTx {
		c.committed()
	}
	return res, err
}

// PrepareContext is an explicit prepare (sql.DB.Prepare): the caller owns
// and closes that statement, so it is not cached here.
func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.conn.PrepareContext(ctx, query)
}

func (c *cachingConn) Prepare(query string) (driver.Stmt, error) {
	return c.conn.PrepareContext(context.Background(), query)
}

func (c *cachingConn) Begin() (driver.Tx, error) { //nolint:staticcheck // part of driver.Conn
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx holds the gate (if any) until the transaction ends. The options
// are the pool's: a reader's connections are query-only, the writer begins
// as its DSN needs.
func (c *cachingConn) BeginTx(ctx context.Context, _ driver.TxOptions) (driver.Tx, error) {
	leave := c.enter()
	if err := c.run(ctx, c.begin); err != nil {
		leave()
		return nil, err
	}
	c.inTx = true
	return &gatedTx{c: c, end: func() { c.inTx = false; leave() }}, nil
}

// run executes a statement without arguments inside the gate already passed.
func (c *cachingConn) run(ctx context.Context, query string) error {
	_, err := c.exec(ctx, query, nil)
	return err
}

// gatedTx ends its transaction and then leaves the gate.
type gatedTx struct {
	c   *cachingConn
	end func()
}

func (t *gatedTx) Commit() error {
	defer t.end()
	err := t.c.run(context.Background(), "COMMIT")
	if err != nil {
		// A COMMIT that failed (SQLITE_BUSY from another process, say) may
		// leave the transaction open; database/sql takes it as ended.
		_ = t.c.run(context.Background(), "ROLLBACK")
		return err
	}
	t.c.committed()
	return nil
}

func (t *gatedTx) Rollback() error {
	defer t.end()
	return t.c.run(context.Background(), "ROLLBACK")
}

func (c *cachingConn) Close() error {
	for q, st := range c.raw {
		c.h.finalize(st)
		delete(c.raw, q)
	}
	for q, cs := range c.stmts {
		cs.stmt.Close()
		delete(c.stmts, q)
	}
	c.h.restoreMutex(c.mutex) // for SQLite to free with the connection
	return c.conn.Close()
}

func (c *cachingConn) Ping(ctx context.Context) error         { return c.conn.Ping(ctx) }
func (c *cachingConn) ResetSession(ctx context.Context) error { return c.conn.ResetSession(ctx) }
func (c *cachingConn) IsValid() bool                          { return c.conn.IsValid() }

// releasingRows hands its statement back to the cache when closed.
type releasingRows struct {
	driver.Rows
	done func()
}

func (r *releasingRows) Close() error {
	err := r.Rows.Close()
	if r.done != nil {
		r.done()
		r.done = nil
	}
	return err
}

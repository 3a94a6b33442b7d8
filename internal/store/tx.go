package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
)

// Tx is one transaction (DB.Tx, DB.ReadTx): the statements its function
// runs go through it, with the method names *sql.Tx has.
//
// It is a connection on which the store began the transaction itself, not a
// *sql.Tx: database/sql watches a *sql.Tx's context with a goroutine, and
// the context of every query made in one with another goroutine for as long
// as its rows are open (Rows.awaitDone), though the store's contexts are
// never canceled (profiled: about 5% of a courier channel's read, and of a
// post's turn at the writer). The context a caller passes is not the
// driver's: a transaction runs to its end (doc.go, rule 1).
type Tx struct {
	c   *cachingConn    // the connection's driver connection: statements run on its handle (rows.go)
	ctx context.Context // never canceled
}

// QueryContext runs a query in the transaction.
func (t *Tx) QueryContext(_ context.Context, query string, args ...any) (*Rows, error) {
	return t.c.query(query, args, nil)
}

// QueryRowContext runs a query that returns at most one row.
func (t *Tx) QueryRowContext(_ context.Context, query string, args ...any) *Row {
	rows, err := t.c.query(query, args, nil)
	if err != nil {
		return errRow(err)
	}
	return &Row{rows: rows}
}

// ExecContext runs a statement that returns no rows.
func (t *Tx) ExecContext(_ context.Context, query string, args ...any) (sql.Result, error) {
	return t.c.exec(t.ctx, query, args)
}

// lease takes a connection of pool for the caller alone, with its driver
// connection, which the store uses directly (rows.go) while it holds the
// *sql.Conn: database/sql hands that connection to nobody else until it is
// closed.
func lease(ctx context.Context, pool *sql.DB) (*sql.Conn, *cachingConn, error) {
	conn, err := pool.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	var c *cachingConn
	if err := conn.Raw(func(dc any) error { c = dc.(*cachingConn); return nil }); err != nil {
		conn.Close()
		return nil, nil, err
	}
	return conn, c, nil
}

// runTx runs fn in a transaction on a connection of pool: committed when fn
// returns nil, rolled back otherwise (and when fn panics). The connection
// begins and ends the transaction itself (cachingConn.BeginTx: the gate,
// the pool's BEGIN).
func runTx(ctx context.Context, pool *sql.DB, fn func(tx *Tx) error) error {
	ctx = context.WithoutCancel(ctx)
	conn, c, err := lease(ctx, pool)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer conn.Close()
	dtx, err := c.BeginTx(ctx, driver.TxOptions{})
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	committing := false
	defer func() {
		if !committing { // fn failed or panicked (a failed COMMIT rolls back itself)
			_ = dtx.Rollback()
		}
	}()
	if err := fn(&Tx{c: c, ctx: ctx}); err != nil {
		return err
	}
	committing = true
	if err := dtx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

package store

import (
	"context"
	"database/sql/driver"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sqlite3 "modernc.org/sqlite/lib"
)

// TestHandleOfTheDriversConnection: the pinned driver's connection has the
// SQLite handle queries run on (rows.go), and a connection without one is an
// error at its open, not a crash at its first query.
func TestHandleOfTheDriversConnection(t *testing.T) {
	t.Parallel()
	pool, err := openPool(":memory:", nil, false, "BEGIN", nil)
	require.NoError(t, err)
	defer pool.Close()
	conn, err := pool.Conn(context.Background())
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.Raw(func(dc any) error {
		h, err := handleOf(dc.(*cachingConn).conn)
		require.NoError(t, err)
		assert.NotZero(t, h.db)
		assert.NotNil(t, h.tls)
		return nil
	}))

	_, err = handleOf(struct{ driver.Conn }{})
	assert.ErrorContains(t, err, "has no SQLite handle")
}

// TestConnectionsRunWithoutTheirMutex: a store's connection runs in SQLite's
// multi-thread mode (no mutex of its own, dropMutex) and answers as before.
func TestConnectionsRunWithoutTheirMutex(t *testing.T) {
	t.Parallel()
	pool, err := openPool(":memory:", nil, false, "BEGIN", nil)
	require.NoError(t, err)
	defer pool.Close() // closes the connection, its mutex given back
	conn, err := pool.Conn(context.Background())
	require.NoError(t, err)
	require.NoError(t, conn.Raw(func(dc any) error {
		cc := dc.(*cachingConn)
		assert.Zero(t, sqlite3.Xsqlite3_db_mutex(cc.h.tls, cc.h.db), "no mutex while open")
		assert.NotZero(t, cc.mutex, "the driver opened it with one")
		rows, err := cc.query(`SELECT 40 + 2`, nil, nil)
		require.NoError(t, err)
		var n int
		require.True(t, rows.Next())
		require.NoError(t, rows.Scan(&n))
		assert.Equal(t, 42, n)
		require.NoError(t, rows.Close())
		return nil
	}))
	require.NoError(t, conn.Close())
}

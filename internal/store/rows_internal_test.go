package store

import (
	"context"
	"database/sql/driver"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

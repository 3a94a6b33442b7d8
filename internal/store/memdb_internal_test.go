package store

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// memdbBuffer is where the writer's memdb keeps the database and how many
// bytes it holds, as memdb names its file ("memdb(<buffer>,<size>)").
func memdbBuffer(t *testing.T, ctx context.Context, db *DB) (buffer string, size int64) {
	t.Helper()
	conn, c, err := lease(ctx, db.write)
	require.NoError(t, err)
	defer conn.Close()
	name := c.h.memdbName()
	buffer, n, ok := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(name, "memdb("), ")"), ",")
	require.True(t, ok, "memdb names its file %q", name)
	size, err = strconv.ParseInt(n, 10, 64)
	require.NoError(t, err)
	return buffer, size
}

// TestInMemoryDatabaseNeverMoves: an in-memory store's database grows inside
// the buffer it was given at its open (memdb.go), where memdb would have
// copied it to one twice as large each time it doubled, holding every
// reader and writer meanwhile.
func TestInMemoryDatabaseNeverMoves(t *testing.T) {
	if !reservable() {
		t.Skip("no address space taken ahead of its use here")
	}
	t.Parallel()
	ctx := context.Background()
	db, err := Open(ctx, Memory, nil)
	require.NoError(t, err)
	defer db.Close()
	before, small := memdbBuffer(t, ctx, db)

	_, err = db.Exec(ctx, `CREATE TABLE grow (b BLOB)`)
	require.NoError(t, err)
	for range 24 {
		_, err = db.Exec(ctx, `INSERT INTO grow (b) VALUES (zeroblob(1 << 20))`)
		require.NoError(t, err)
	}
	after, large := memdbBuffer(t, ctx, db)
	assert.Greater(t, large, small+24<<20, "the database grew")
	assert.Equal(t, before, after, "in the buffer it had")
	var n int
	require.NoError(t, db.QueryRow(ctx, `SELECT count(*) FROM grow`).Scan(&n))
	assert.Equal(t, 24, n, "its readers read it there")
}

// TestReservingMovesADatabaseWithItsReaders: reserving a buffer for a memdb
// database that holds data already moves the data, and the connections
// that share it (a reader opened before) read and write it in its new place.
func TestReservingMovesADatabaseWithItsReaders(t *testing.T) {
	if !reservable() {
		t.Skip("no address space taken ahead of its use here")
	}
	t.Parallel()
	ctx := context.Background()
	dsn := fmt.Sprintf("file:/store-test-%d-%d?vfs=memdb", os.Getpid(), memoryDBs.Add(1))
	write, err := openPool(dsn, nil, true, "BEGIN", nil)
	require.NoError(t, err)
	defer write.Close()
	oneConnection(write)
	read, err := openPool(dsn, nil, false, "BEGIN", nil)
	require.NoError(t, err)
	defer read.Close()
	db := &DB{path: Memory, write: write}

	_, err = write.ExecContext(ctx, `CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('before')`)
	require.NoError(t, err)
	var v string
	require.NoError(t, read.QueryRowContext(ctx, `SELECT v FROM t`).Scan(&v))
	before, size := memdbBuffer(t, ctx, db)

	conn, c, err := lease(ctx, write)
	require.NoError(t, err)
	c.h.reserveMemdb(64 << 20)
	conn.Close()
	after, moved := memdbBuffer(t, ctx, db)
	assert.NotEqual(t, before, after, "moved")
	assert.Equal(t, size, moved, "whole")

	_, err = write.ExecContext(ctx, `INSERT INTO t VALUES ('after')`)
	require.NoError(t, err)
	require.NoError(t, read.QueryRowContext(ctx, `SELECT group_concat(v, ',') FROM t`).Scan(&v))
	assert.Equal(t, "before,after", v)

	// A buffer as large already stays where it is.
	conn, c, err = lease(ctx, write)
	require.NoError(t, err)
	c.h.reserveMemdb(1 << 20)
	conn.Close()
	again, _ := memdbBuffer(t, ctx, db)
	assert.Equal(t, after, again)
}

package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWriterNeverCheckpoints: on a file, commits leave the WAL to the
// checkpointer, which copies it into the database in the background; in
// memory there is none.
func TestWriterNeverCheckpoints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cp.db")
	db, err := Open(ctx, path, nil)
	require.NoError(t, err)
	defer db.Close()
	require.NotNil(t, db.checkpoints)
	var auto int
	require.NoError(t, db.Write().QueryRow("PRAGMA wal_autocheckpoint").Scan(&auto))
	assert.Zero(t, auto, "the writer does not checkpoint")

	_, err = db.Write().Exec("CREATE TABLE cp_rows (id INTEGER PRIMARY KEY, body TEXT)")
	require.NoError(t, err)
	// Well past the 1,000 pages SQLite would checkpoint at, and a WAL of about
	// 150 MB if it never started again.
	const rows = 24000
	for i := range rows {
		_, err := db.Write().Exec("INSERT INTO cp_rows (body) VALUES (?)", string(make([]byte, 1000+i%7)))
		require.NoError(t, err)
	}
	// The rows reach the database file itself only through a checkpoint,
	// and no one but the checkpointer runs one.
	require.Eventually(t, func() bool {
		st, err := os.Stat(path)
		require.NoError(t, err)
		return st.Size() > rows*1000
	}, 10*time.Second, 20*time.Millisecond, "the checkpointer copies the WAL into the file")
	var n int
	require.NoError(t, db.QueryRow(ctx, "SELECT count(*) FROM cp_rows").Scan(&n))
	assert.Equal(t, rows, n)
	// The WAL started again rather than grow with every row: it holds what
	// came in between two rounds (about 40 MB at this loop's pace).
	wal, err := os.Stat(path + "-wal")
	require.NoError(t, err)
	assert.Less(t, wal.Size(), int64(80<<20), "WAL bytes")

	// Without writes it does not run: once the rounds the last commits woke
	// are over, nothing for several intervals (reads do not wake it, nor
	// does its own work).
	var rounds int64
	require.Eventually(t, func() bool {
		rounds = db.checkpoints.rounds.Load()
		time.Sleep(3 * checkpointEvery)
		return db.checkpoints.rounds.Load() == rounds
	}, 10*time.Second, time.Millisecond, "the checkpointer settles")
	for range 3 {
		require.NoError(t, db.QueryRow(ctx, "SELECT count(*) FROM cp_rows").Scan(&n))
		time.Sleep(checkpointEvery)
	}
	assert.Equal(t, rounds, db.checkpoints.rounds.Load(), "an idle store runs no checkpoints")
	_, err = db.Write().Exec("INSERT INTO cp_rows (body) VALUES ('x')")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return db.checkpoints.rounds.Load() > rounds }, 5*time.Second, 10*time.Millisecond,
		"a commit wakes it")
	require.NoError(t, db.Close())

	mem, err := Open(ctx, Memory, nil)
	require.NoError(t, err)
	defer mem.Close()
	assert.Nil(t, mem.checkpoints)
}

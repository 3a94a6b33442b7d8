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
	for i := range 3000 { // well past the 1,000 pages SQLite would checkpoint at
		_, err := db.Write().Exec("INSERT INTO cp_rows (body) VALUES (?)", string(make([]byte, 1000+i%7)))
		require.NoError(t, err)
	}
	// The rows reach the database file itself only through a checkpoint,
	// and no one but the checkpointer runs one.
	require.Eventually(t, func() bool {
		st, err := os.Stat(path)
		require.NoError(t, err)
		return st.Size() > 3000*1000
	}, 10*time.Second, 20*time.Millisecond, "the checkpointer copies the WAL into the file")
	var n int
	require.NoError(t, db.QueryRow(ctx, "SELECT count(*) FROM cp_rows").Scan(&n))
	assert.Equal(t, 3000, n)

	// Without writes it does not run: the round after the last commit, and
	// then nothing for several intervals (reads do not wake it).
	time.Sleep(2 * checkpointEvery)
	rounds := db.checkpoints.rounds.Load()
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

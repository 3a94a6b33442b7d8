package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/store"
)

// modes are the two kinds of store every design rule is checked on.
func modes(t *testing.T) map[string]string {
	return map[string]string{"memory": store.Memory, "file": filepath.Join(t.TempDir(), "c.db")}
}

// holdWrite opens a write transaction that has written n = 2 and keeps it
// open until release is closed.
func holdWrite(t *testing.T, db *store.DB) (release chan struct{}, done chan error) {
	written := make(chan struct{})
	release, done = make(chan struct{}), make(chan error, 1)
	go func() {
		done <- db.Tx(context.Background(), func(tx *store.Tx) error {
			if _, err := tx.ExecContext(context.Background(), `UPDATE one_counters SET n = 2`); err != nil {
				return err
			}
			close(written)
			<-release
			return nil
		})
	}()
	<-written
	return release, done
}

// readN reads the counter both ways: in a read transaction and alone.
func readN(t *testing.T, db *store.DB) (int, int) {
	ctx := context.Background()
	var inTx, alone int
	assert.NoError(t, db.ReadTx(ctx, func(tx *store.Tx) error {
		return tx.QueryRowContext(context.Background(), `SELECT n FROM one_counters WHERE name = 'a'`).Scan(&inTx)
	}))
	assert.NoError(t, db.QueryRow(ctx, `SELECT n FROM one_counters WHERE name = 'a'`).Scan(&alone))
	return inTx, alone
}

// TestFileReadsRunBesideAnOpenWrite: on a file (WAL), reads go on while a
// write transaction is open and has written, concurrently with each other,
// and see only the last committed state.
func TestFileReadsRunBesideAnOpenWrite(t *testing.T) {
	t.Parallel()
	db := open(t, filepath.Join(t.TempDir(), "c.db"))
	release, done := holdWrite(t, db)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			inTx, alone := readN(t, db)
			assert.Equal(t, []int{1, 1}, []int{inTx, alone}, "a read sees only what is committed")
		})
	}
	wg.Wait() // every read finished while the write was still open
	close(release)
	require.NoError(t, <-done)
	assert.Equal(t, 2, count(t, db, `SELECT n FROM one_counters WHERE name = 'a'`), "then the commit is seen")
}

// TestMemoryReadsWaitOnlyForTheWriteInProgress: in memory, a read that
// starts while a write transaction has written waits for that transaction,
// and no longer (no "database is locked", no sleep), then sees its commit.
func TestMemoryReadsWaitOnlyForTheWriteInProgress(t *testing.T) {
	t.Parallel()
	db := open(t, store.Memory)
	release, done := holdWrite(t, db)
	got := make(chan [2]int, 8)
	for range 8 {
		go func() {
			inTx, alone := readN(t, db)
			got <- [2]int{inTx, alone}
		}()
	}
	select {
	case v := <-got:
		t.Fatalf("a read ran beside an uncommitted write and saw %v", v)
	default:
	}
	close(release)
	require.NoError(t, <-done)
	for range 8 {
		assert.Equal(t, [2]int{2, 2}, <-got, "the read saw the commit it waited for")
	}
}

// TestReadsRunTogether: readers hold read transactions open at the same time
// (they would deadlock here if reads were serialized), in both modes.
func TestReadsRunTogether(t *testing.T) {
	t.Parallel()
	for name, path := range modes(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db := open(t, path)
			const readers = 4
			var inside sync.WaitGroup
			inside.Add(readers)
			var wg sync.WaitGroup
			for range readers {
				wg.Go(func() {
					assert.NoError(t, db.ReadTx(context.Background(), func(tx *store.Tx) error {
						var n int
						if err := tx.QueryRowContext(context.Background(), `SELECT n FROM one_counters`).Scan(&n); err != nil {
							return err
						}
						inside.Done()
						inside.Wait() // every reader is inside its transaction at once
						return nil
					}))
				})
			}
			wg.Wait()
		})
	}
}

// TestReadersCannotWrite: the read pool is query-only, so a vendor that wrote
// through it would fail in its tests instead of taking the write lock.
func TestReadersCannotWrite(t *testing.T) {
	t.Parallel()
	for name, path := range modes(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db := open(t, path)
			_, err := db.Read().Exec(`UPDATE one_counters SET n = 5`)
			assert.ErrorContains(t, err, "readonly")
			err = db.ReadTx(context.Background(), func(tx *store.Tx) error {
				_, err := tx.ExecContext(context.Background(), `UPDATE one_counters SET n = 5`)
				return err
			})
			assert.Error(t, err)
			assert.Equal(t, 1, count(t, db, `SELECT n FROM one_counters`))
		})
	}
}

// TestStatementCache: a query run again while its own rows are still open
// (the cached statement is busy) gets a statement of its own, and a
// connection that meets more distinct queries than its cache holds keeps
// answering every one of them correctly.
func TestStatementCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := open(t, store.Memory)
	_, err := db.Write().Exec(`INSERT INTO one_counters (name, n) VALUES ('b', 2), ('c', 3)`)
	require.NoError(t, err)
	const q = `SELECT name, n FROM one_counters ORDER BY name`
	err = db.ReadTx(ctx, func(tx *store.Tx) error {
		outer, err := tx.QueryContext(context.Background(), q)
		if err != nil {
			return err
		}
		defer outer.Close()
		var names []string
		for outer.Next() {
			var name string
			var n int
			if err := outer.Scan(&name, &n); err != nil {
				return err
			}
			names = append(names, name)
			inner, err := tx.QueryContext(context.Background(), q) // same text, outer rows still open
			if err != nil {
				return err
			}
			k := 0
			for inner.Next() {
				k++
			}
			inner.Close()
			assert.Equal(t, 3, k)
		}
		assert.Equal(t, []string{"a", "b", "c"}, names, "the outer rows were not disturbed")
		return outer.Err()
	})
	require.NoError(t, err)

	err = db.Tx(ctx, func(tx *store.Tx) error {
		for i := range 600 { // more than a connection caches
			var got int
			if err := tx.QueryRowContext(context.Background(), fmt.Sprintf(`SELECT %d + n FROM one_counters WHERE name = 'a'`, i)).Scan(&got); err != nil {
				return err
			}
			if got != i+1 {
				return fmt.Errorf("query %d answered %d", i, got)
			}
		}
		return nil
	})
	require.NoError(t, err)
}

// TestWritesGoOnBesideALongRead: a read of everything (ReadCopy, what a
// state export uses) does not hold the writer back in either mode: writes
// commit while it is still open, it reads the one committed state it began
// with throughout, and a read after it sees the writes.
func TestWritesGoOnBesideALongRead(t *testing.T) {
	t.Parallel()
	for mode, path := range modes(t) {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := open(t, path)
			reading, release := make(chan struct{}), make(chan struct{})
			done := make(chan [2]int, 1)
			go func() {
				var before, after int
				err := db.ReadCopy(ctx, func(tx *store.Tx) error {
					if err := tx.QueryRowContext(ctx, `SELECT n FROM one_counters WHERE name = 'a'`).Scan(&before); err != nil {
						return err
					}
					close(reading)
					<-release
					return tx.QueryRowContext(ctx, `SELECT n FROM one_counters WHERE name = 'a'`).Scan(&after)
				})
				assert.NoError(t, err)
				done <- [2]int{before, after}
			}()
			<-reading
			wrote := make(chan error, 1)
			go func() {
				for i := 2; i <= 5; i++ {
					if err := db.Tx(ctx, func(tx *store.Tx) error {
						_, err := tx.ExecContext(ctx, `UPDATE one_counters SET n = ? WHERE name = 'a'`, i)
						return err
					}); err != nil {
						wrote <- err
						return
					}
				}
				wrote <- nil
			}()
			select {
			case err := <-wrote:
				require.NoError(t, err)
			case <-time.After(10 * time.Second): // a guard, not a measure: the writes wait for release
				close(release)
				t.Fatal("the writes waited for the long read to end")
			}
			assert.Equal(t, 5, count(t, db, `SELECT n FROM one_counters WHERE name = 'a'`))
			close(release)
			assert.Equal(t, [2]int{1, 1}, <-done, "the long read sees the state it began with")
			var n int
			require.NoError(t, db.ReadCopy(ctx, func(tx *store.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT n FROM one_counters WHERE name = 'a'`).Scan(&n)
			}))
			assert.Equal(t, 5, n, "a long read after the writes sees them")
			err := db.ReadCopy(ctx, func(tx *store.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE one_counters SET n = 9 WHERE name = 'a'`)
				return err
			})
			assert.ErrorContains(t, err, "readonly", "a long read cannot write")
			assert.Equal(t, 5, count(t, db, `SELECT n FROM one_counters WHERE name = 'a'`))
		})
	}
}

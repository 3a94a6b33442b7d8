package store_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/store"
)

// insertLog is a write that leaves a trace: one row of one_log.
func insertLog(tx *store.Tx, msg string) error {
	_, err := tx.ExecContext(context.Background(), `INSERT INTO one_log (msg) VALUES (?)`, msg)
	return err
}

func logged(t *testing.T, db *store.DB, msg string) bool {
	return count(t, db, `SELECT count(*) FROM one_log WHERE msg = ?`, msg) == 1
}

// groupOf runs first as a write that waits, once it has written, until
// len(others) writes queue behind it; then it returns firstErr. It returns
// what each Tx call ended with: its error, or the value it panicked with.
func groupOf(t *testing.T, db *store.DB, first func(tx *store.Tx) error, others ...func(tx *store.Tx) error) []any {
	t.Helper()
	db.GroupWritesFor(time.Hour)
	ctx := context.Background()
	out := make([]any, 1+len(others))
	run := func(i int, fn func(tx *store.Tx) error, wg *sync.WaitGroup) {
		defer wg.Done()
		defer func() {
			if p := recover(); p != nil {
				out[i] = fmt.Sprint("panic: ", p)
			}
		}()
		if err := db.Tx(ctx, fn); err != nil {
			out[i] = err
		}
	}
	var wg sync.WaitGroup
	written := make(chan struct{})
	release := make(chan struct{})
	wg.Add(1)
	go run(0, func(tx *store.Tx) error {
		close(written)
		<-release
		return first(tx)
	}, &wg)
	<-written
	for i, fn := range others {
		wg.Add(1)
		go run(i+1, fn, &wg)
		require.Eventually(t, func() bool { return db.WaitingWrites() == i+1 }, 5*time.Second, time.Millisecond,
			"write %d queues behind the first, in order", i+1)
	}
	close(release)
	wg.Wait()
	assert.Zero(t, db.WaitingWrites())
	return out
}

// TestWritesCommitInGroups: the writes that queue behind one commit with it,
// each in its own savepoint: one that fails or panics rolls back alone and
// gets its own error (or panic, in its own goroutine); the others commit,
// and each sees what the writes before it in the group wrote.
func TestWritesCommitInGroups(t *testing.T) {
	t.Parallel()
	for mode, path := range modes(t) {
		t.Run(mode, func(t *testing.T) {
			db := open(t, path)
			refused := errors.New("refused")
			var sawFirst bool
			out := groupOf(t, db,
				func(tx *store.Tx) error { return insertLog(tx, "first") },
				func(tx *store.Tx) error {
					if err := insertLog(tx, "fails"); err != nil {
						return err
					}
					return refused
				},
				func(tx *store.Tx) error {
					sawFirst = tx.QueryRowContext(context.Background(), `SELECT 1 FROM one_log WHERE msg = 'first'`).Scan(new(int)) == nil
					return insertLog(tx, "second")
				},
				func(tx *store.Tx) error {
					if err := insertLog(tx, "panics"); err != nil {
						return err
					}
					panic("boom")
				},
				func(tx *store.Tx) error { return insertLog(tx, "third") },
			)
			assert.Equal(t, []any{nil, refused, nil, "panic: boom", nil}, out)
			assert.True(t, sawFirst, "a member sees the members before it")
			for msg, want := range map[string]bool{"first": true, "second": true, "third": true, "fails": false, "panics": false} {
				assert.Equal(t, want, logged(t, db, msg), msg)
			}
		})
	}
}

// TestFirstWriteOfAGroupFailsAlone: the first member runs without a
// savepoint; when it fails, its transaction rolls back with nothing else in
// it, and the writes queued behind it still commit.
func TestFirstWriteOfAGroupFailsAlone(t *testing.T) {
	t.Parallel()
	db := open(t, store.Memory)
	refused := errors.New("refused")
	out := groupOf(t, db,
		func(tx *store.Tx) error {
			if err := insertLog(tx, "first"); err != nil {
				return err
			}
			return refused
		},
		func(tx *store.Tx) error { return insertLog(tx, "next") },
		func(tx *store.Tx) error { return insertLog(tx, "last") },
	)
	assert.Equal(t, []any{refused, nil, nil}, out)
	assert.False(t, logged(t, db, "first"))
	assert.True(t, logged(t, db, "next"))
	assert.True(t, logged(t, db, "last"))

	out = groupOf(t, db,
		func(tx *store.Tx) error {
			if err := insertLog(tx, "first panics"); err != nil {
				return err
			}
			panic("boom")
		},
		func(tx *store.Tx) error { return insertLog(tx, "after the panic") },
	)
	assert.Equal(t, []any{"panic: boom", nil}, out, "the leader panics in its own goroutine, after handing over")
	assert.False(t, logged(t, db, "first panics"))
	assert.True(t, logged(t, db, "after the panic"))
}

// TestGroupedWritesUnderLoad: many writers at once (-race), some failing;
// every write that succeeded is visible to a read as soon as its Tx returns
// (no member answers before its group commits), and none that failed is.
func TestGroupedWritesUnderLoad(t *testing.T) {
	t.Parallel()
	for mode, path := range modes(t) {
		t.Run(mode, func(t *testing.T) {
			db := open(t, path)
			ctx := context.Background()
			const writers, each = 8, 40
			var mu sync.Mutex
			ok := 0
			var wg sync.WaitGroup
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range each {
						msg := fmt.Sprintf("w%d-%d", w, i)
						fail := (w+i)%5 == 0
						err := db.Tx(ctx, func(tx *store.Tx) error {
							if err := insertLog(tx, msg); err != nil {
								return err
							}
							if _, err := tx.ExecContext(context.Background(), `UPDATE one_counters SET n = n + 1 WHERE name = 'a'`); err != nil {
								return err
							}
							if fail {
								return errors.New("refused")
							}
							return nil
						})
						var n int
						if !assert.NoError(t, db.QueryRow(ctx, `SELECT count(*) FROM one_log WHERE msg = ?`, msg).Scan(&n)) {
							continue
						}
						if fail {
							assert.Error(t, err)
							assert.Zero(t, n, msg)
							continue
						}
						assert.NoError(t, err)
						assert.Equal(t, 1, n, "%s is visible once its Tx returned", msg)
						mu.Lock()
						ok++
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			assert.Equal(t, ok, count(t, db, `SELECT count(*) FROM one_log WHERE msg LIKE 'w%'`))
			assert.Equal(t, 1+ok, count(t, db, `SELECT n FROM one_counters WHERE name = 'a'`))
		})
	}
}

// BenchmarkParallelWrites: 32 writers at once, each write a row and a
// counter update in its own Tx, as a test suite's clients write; grouped
// commits make ns/op fall with the writers' number (batch.go).
func BenchmarkParallelWrites(b *testing.B) {
	for _, mode := range []string{"memory", "file"} {
		b.Run(mode, func(b *testing.B) {
			path := store.Memory
			if mode == "file" {
				path = filepath.Join(b.TempDir(), "w.db")
			}
			db, err := store.Open(context.Background(), path, fixtures, counterSchema("one"), counterSchema("two"))
			require.NoError(b, err)
			defer db.Close()
			ctx := context.Background()
			b.SetParallelism(32 / runtime.GOMAXPROCS(0))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					err := db.Tx(ctx, func(tx *store.Tx) error {
						if err := insertLog(tx, "bench"); err != nil {
							return err
						}
						_, err := tx.ExecContext(context.Background(), `UPDATE one_counters SET n = n + 1 WHERE name = 'a'`)
						return err
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// catchUpSchema is a vendor whose triggers would keep a total of its rows:
// its CatchUp keeps it instead, once a transaction, and counts its runs.
func catchUpSchema() store.Schema {
	return store.Schema{
		Vendor: "cu", TablePrefix: "cu_",
		Migrations: fstest.MapFS{"001_init.sql": {Data: []byte(`CREATE TABLE cu_rows (msg TEXT);
			CREATE TABLE cu_total (n INTEGER NOT NULL, runs INTEGER NOT NULL); INSERT INTO cu_total VALUES (0, 0);`)}},
		Seed:    func(context.Context, *store.Tx, fs.FS) error { return nil },
		CatchUp: []string{`UPDATE cu_total SET n = (SELECT count(*) FROM cu_rows), runs = runs + 1`},
	}
}

// TestCatchUpRunsOnceBeforeEachCommit: a schema's CatchUp runs at the end of
// every write transaction, once for a whole group, after its members (none
// of which sees it run) and only for what commits; a copy of the store runs
// it too.
func TestCatchUpRunsOnceBeforeEachCommit(t *testing.T) {
	t.Parallel()
	for mode, path := range modes(t) {
		t.Run(mode, func(t *testing.T) {
			db, err := store.Open(context.Background(), path, fixtures, counterSchema("one"), catchUpSchema())
			require.NoError(t, err)
			t.Cleanup(func() { db.Close() })
			runs := count(t, db, `SELECT runs FROM cu_total`)
			insert := func(msg string) func(tx *store.Tx) error {
				return func(tx *store.Tx) error {
					_, err := tx.ExecContext(context.Background(), `INSERT INTO cu_rows (msg) VALUES (?)`, msg)
					return err
				}
			}
			var seen []int // the total as each member sees it
			look := func(tx *store.Tx) error {
				var n int
				err := tx.QueryRowContext(context.Background(), `SELECT n FROM cu_total`).Scan(&n)
				seen = append(seen, n)
				return err
			}
			refused := errors.New("refused")
			out := groupOf(t, db, insert("first"),
				func(tx *store.Tx) error { return errors.Join(insert("second")(tx), look(tx)) },
				func(tx *store.Tx) error { _ = insert("fails")(tx); return refused },
				func(tx *store.Tx) error { return errors.Join(insert("third")(tx), look(tx)) },
			)
			assert.Equal(t, []any{nil, nil, refused, nil}, out)
			assert.Equal(t, []int{0, 0}, seen, "no member sees the catch-up")
			assert.Equal(t, 3, count(t, db, `SELECT n FROM cu_total`), "the rows that committed")
			assert.Equal(t, runs+1, count(t, db, `SELECT runs FROM cu_total`), "once for the group")

			require.Error(t, db.Tx(context.Background(), func(tx *store.Tx) error {
				return errors.Join(insert("fourth")(tx), errors.New("rolled back"))
			}))
			assert.Equal(t, 3, count(t, db, `SELECT n FROM cu_total`))

			if path != store.Memory {
				return
			}
			cp, err := db.Copy(context.Background(), store.Memory, nil)
			require.NoError(t, err)
			t.Cleanup(func() { cp.Close() })
			require.NoError(t, cp.Tx(context.Background(), insert("in the copy")))
			assert.Equal(t, 4, count(t, cp, `SELECT n FROM cu_total`))
		})
	}
}

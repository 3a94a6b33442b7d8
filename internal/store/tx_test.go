package store_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/store"
)

// TestTransactionsStartNoGoroutines: a transaction's queries run without a
// goroutine watching them (a *sql.Tx starts one for itself and one per query
// whose rows are open). Not parallel: it counts the process's goroutines,
// and tries a few times in case another test's background work ends meanwhile.
func TestTransactionsStartNoGoroutines(t *testing.T) {
	for name, path := range modes(t) {
		t.Run(name, func(t *testing.T) {
			db := open(t, path)
			ctx := context.Background()
			during := func(run func(fn func(tx *store.Tx) error) error) (before, inside int) {
				require.NoError(t, run(func(tx *store.Tx) error { return nil })) // the connection is open
				before = runtime.NumGoroutine()
				require.NoError(t, run(func(tx *store.Tx) error {
					rows, err := tx.QueryContext(ctx, `SELECT name FROM one_counters`)
					if err != nil {
						return err
					}
					defer rows.Close()
					inside = runtime.NumGoroutine()
					return nil
				}))
				return before, inside
			}
			for what, run := range map[string]func(fn func(tx *store.Tx) error) error{
				"read":  func(fn func(tx *store.Tx) error) error { return db.ReadTx(ctx, fn) },
				"write": func(fn func(tx *store.Tx) error) error { return db.Tx(ctx, fn) },
			} {
				var before, inside int
				for range 5 {
					if before, inside = during(run); before == inside {
						break
					}
				}
				assert.Equal(t, before, inside, "%s: goroutines while a query's rows are open", what)
			}
		})
	}
}

// TestPanickingReadEndsItsTransaction: a read whose function panics ends its
// transaction, so (in memory, where the writer waits for readers) writes go
// on, and so do other reads.
func TestPanickingReadEndsItsTransaction(t *testing.T) {
	t.Parallel()
	for name, path := range modes(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db := open(t, path)
			ctx := context.Background()
			assert.PanicsWithValue(t, "boom", func() {
				_ = db.ReadTx(ctx, func(tx *store.Tx) error {
					var n int
					require.NoError(t, tx.QueryRowContext(ctx, `SELECT n FROM one_counters WHERE name = 'a'`).Scan(&n))
					panic("boom")
				})
			})
			wrote := make(chan error, 1)
			go func() {
				_, err := db.Exec(ctx, `UPDATE one_counters SET n = 7 WHERE name = 'a'`)
				wrote <- err
			}()
			select {
			case err := <-wrote:
				require.NoError(t, err)
			case <-time.After(5 * time.Second):
				t.Fatal("a write still waits for the read that panicked")
			}
			assert.Equal(t, 7, count(t, db, `SELECT n FROM one_counters WHERE name = 'a'`))
		})
	}
}

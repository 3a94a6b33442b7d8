package store_test

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/store"
)

// counterSchema is a test vendor: one table of named counters, seeded from "<vendor>.json"'s presence.
func counterSchema(vendor string) store.Schema {
	p := vendor + "_"
	return store.Schema{
		Vendor:      vendor,
		TablePrefix: p,
		Migrations: fstest.MapFS{
			"002_more.sql": {Data: []byte(`ALTER TABLE ` + p + `counters ADD COLUMN note TEXT NOT NULL DEFAULT '';`)},
			"001_init.sql": {Data: []byte(`CREATE TABLE ` + p + `counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL); CREATE TABLE ` + p + `log (id INTEGER PRIMARY KEY AUTOINCREMENT, msg TEXT);`)},
			"README.txt":   {Data: []byte("not a migration")},
		},
		Seed: func(ctx context.Context, tx *store.Tx, fixtures fs.FS) error {
			if _, err := fs.ReadFile(fixtures, vendor+".json"); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO `+p+`counters (name, n, note) VALUES ('a', 1, 'seeded'); INSERT INTO `+p+`log (msg) VALUES ('seed')`)
			return err
		},
	}
}

var fixtures = fstest.MapFS{"one.json": {Data: []byte("{}")}, "two.json": {Data: []byte("{}")}}

func open(t *testing.T, path string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), path, fixtures, counterSchema("one"), counterSchema("two"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, db.Read().QueryRow(q, args...).Scan(&n))
	return n
}

func TestMigrationsAndSeed(t *testing.T) {
	t.Parallel()
	db := open(t, store.Memory)
	assert.Equal(t, []string{"one", "two"}, db.Vendors())
	assert.Equal(t, 1, count(t, db, `SELECT n FROM one_counters WHERE name = 'a' AND note = 'seeded'`))
	assert.Equal(t, 2, count(t, db, `SELECT count(*) FROM _emulator_migrations WHERE vendor = 'one'`))
}

func TestResetOneAndAll(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := open(t, store.Memory)
	for _, p := range []string{"one", "two"} {
		_, err := db.Write().Exec(`UPDATE ` + p + `_counters SET n = 99; INSERT INTO ` + p + `_counters (name, n) VALUES ('b', 2); INSERT INTO ` + p + `_log (msg) VALUES ('x')`)
		require.NoError(t, err)
	}
	require.NoError(t, db.Reset(ctx, "one"))
	assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM one_counters`))
	assert.Equal(t, 1, count(t, db, `SELECT n FROM one_counters`))
	assert.Equal(t, 1, count(t, db, `SELECT max(id) FROM one_log`), "autoincrement restarts")
	assert.Equal(t, 2, count(t, db, `SELECT count(*) FROM two_counters`), "the other vendor is untouched")

	require.NoError(t, db.Reset(ctx, ""))
	assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM two_counters`))
	assert.ErrorIs(t, db.Reset(ctx, "nobody"), store.ErrUnknownVendor)
}

func TestResetIsOneTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bad := counterSchema("bad")
	fail := false
	seed := bad.Seed
	bad.Seed = func(ctx context.Context, tx *store.Tx, f fs.FS) error {
		if fail {
			return fmt.Errorf("boom")
		}
		return seed(ctx, tx, f)
	}
	db, err := store.Open(ctx, store.Memory, fstest.MapFS{"bad.json": {Data: []byte("{}")}}, bad)
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Write().Exec(`INSERT INTO bad_counters (name, n) VALUES ('kept', 5)`)
	require.NoError(t, err)
	fail = true
	require.Error(t, db.Reset(ctx, "bad"))
	assert.Equal(t, 2, count(t, db, `SELECT count(*) FROM bad_counters`), "a failed reset rolls back entirely")
}

func TestFilePersistsAcrossReopenAndSeedsOnlyWhenNew(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	db, err := store.Open(ctx, path, fixtures, counterSchema("one"))
	require.NoError(t, err)
	_, err = db.Write().Exec(`UPDATE one_counters SET n = 42`)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	db, err = store.Open(ctx, path, fixtures, counterSchema("one"), counterSchema("two"))
	require.NoError(t, err)
	defer db.Close()
	assert.Equal(t, 42, count(t, db, `SELECT n FROM one_counters`), "state survives; not seeded again")
	assert.Equal(t, 1, count(t, db, `SELECT count(*) FROM two_counters`), "a vendor new to the file is seeded")
	var mode string
	require.NoError(t, db.Write().QueryRow(`PRAGMA journal_mode`).Scan(&mode))
	assert.Equal(t, "wal", mode)
}

func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	for _, path := range []string{store.Memory, filepath.Join(t.TempDir(), "c.db")} {
		t.Run(path, func(t *testing.T) {
			ctx := context.Background()
			db := open(t, path)
			var wg sync.WaitGroup
			const workers, each = 8, 25
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range each {
						// Read-modify-write inside one transaction: with immediate
						// transactions no update is lost and nobody sees "locked".
						err := db.Tx(ctx, func(tx *store.Tx) error {
							var n int
							if err := tx.QueryRowContext(context.Background(), `SELECT n FROM one_counters WHERE name = 'a'`).Scan(&n); err != nil {
								return err
							}
							_, err := tx.ExecContext(context.Background(), `UPDATE one_counters SET n = ? WHERE name = 'a'`, n+1)
							return err
						})
						assert.NoError(t, err)
					}
				}()
			}
			wg.Wait()
			assert.Equal(t, 1+workers*each, count(t, db, `SELECT n FROM one_counters`))
		})
	}
}

func TestBadSchemas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := counterSchema("one")
	s.Migrations = fstest.MapFS{"init.sql": {Data: []byte("SELECT 1")}}
	_, err := store.Open(ctx, store.Memory, fixtures, s)
	assert.ErrorContains(t, err, "is not named <number>_<what>.sql")

	s.Migrations = fstest.MapFS{"1_a.sql": {Data: []byte("SELECT 1")}, "01_b.sql": {Data: []byte("SELECT 1")}}
	_, err = store.Open(ctx, store.Memory, fixtures, s)
	assert.ErrorContains(t, err, "two migrations numbered 1")

	_, err = store.Open(ctx, store.Memory, fixtures, counterSchema("one"), counterSchema("one"))
	assert.ErrorContains(t, err, "registered twice")

	s = counterSchema("one")
	s.Migrations = fstest.MapFS{"1_a.sql": {Data: []byte("CREATE TABLE broken (")}}
	_, err = store.Open(ctx, store.Memory, fixtures, s)
	assert.ErrorContains(t, err, "migration 1_a.sql")
}

func TestCloneIsAnIndependentCopy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := open(t, store.Memory)
	_, err := src.Write().Exec(`UPDATE one_counters SET n = 7; INSERT INTO one_log (msg) VALUES ('before the clone')`)
	require.NoError(t, err)

	c, err := src.Clone(ctx)
	require.NoError(t, err)
	defer c.Close()
	assert.Equal(t, 7, count(t, c, `SELECT n FROM one_counters`), "the clone holds the source's state")
	assert.Equal(t, 2, count(t, c, `SELECT count(*) FROM one_log`))
	assert.Equal(t, 2, count(t, c, `SELECT count(*) FROM _emulator_migrations WHERE vendor = 'one'`))

	_, err = c.Write().Exec(`UPDATE one_counters SET n = 8; INSERT INTO one_log (msg) VALUES ('in the clone')`)
	require.NoError(t, err)
	_, err = src.Write().Exec(`UPDATE one_counters SET n = 9`)
	require.NoError(t, err)
	assert.Equal(t, 8, count(t, c, `SELECT n FROM one_counters`), "writes to either stay in it")
	assert.Equal(t, 9, count(t, src, `SELECT n FROM one_counters`))
	assert.Equal(t, 3, count(t, c, `SELECT max(id) FROM one_log`), "autoincrement continues from the copy")

	require.NoError(t, c.Reset(ctx, ""), "a clone resets to the fixtures like any store")
	assert.Equal(t, 1, count(t, c, `SELECT n FROM one_counters`))

}

func TestCopyBetweenMemoryAndFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	src := open(t, store.Memory)
	_, err := src.Write().Exec(`UPDATE one_counters SET n = 5`)
	require.NoError(t, err)

	toFile, err := src.Copy(ctx, filepath.Join(dir, "a.db"), nil)
	require.NoError(t, err)
	defer toFile.Close()
	assert.Equal(t, 5, count(t, toFile, `SELECT n FROM one_counters`))
	var mode string
	require.NoError(t, toFile.QueryRow(ctx, `PRAGMA journal_mode`).Scan(&mode))
	assert.Equal(t, "wal", mode, "a copy on a file keeps the file mode's WAL")

	_, err = toFile.Write().Exec(`UPDATE one_counters SET n = 6`)
	require.NoError(t, err)
	fileToFile, err := toFile.Copy(ctx, filepath.Join(dir, "b.db"), nil)
	require.NoError(t, err)
	defer fileToFile.Close()
	assert.Equal(t, 6, count(t, fileToFile, `SELECT n FROM one_counters`))
	_, err = toFile.Copy(ctx, store.Memory, nil)
	assert.ErrorContains(t, err, "copies to a file only")
	assert.Equal(t, 5, count(t, src, `SELECT n FROM one_counters`), "the source is untouched")

	_, err = src.Copy(ctx, filepath.Join(dir, "a.db"), nil)
	assert.ErrorContains(t, err, "exists already", "a copy never overwrites a file")

	size, err := fileToFile.Size(ctx)
	require.NoError(t, err)
	assert.Positive(t, size)
}

package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/store"
)

// The store reads rows on SQLite's own API (rows.go); database/sql through
// the driver, on the same store's read pool, is what it must agree with.

// columnsSQL has a column of each storage class, and NULL.
const columnsSQL = `SELECT 42, -7.5, 'text', x'00ff41', NULL, '17', '', 1, 0, 'true'`

type name string

// scanAll scans columnsSQL's one row into each destination type: what each
// got, or its error.
func scanAll(t *testing.T, scan func(dest ...any) error) []string {
	t.Helper()
	var out []string
	for _, mk := range []func() any{
		func() any { return new(string) },
		func() any { return new(int) },
		func() any { return new(int64) },
		func() any { return new(float64) },
		func() any { return new(bool) },
		func() any { return new([]byte) },
		func() any { return new(any) },
		func() any { return new(sql.NullString) },
		func() any { return new(sql.NullInt64) },
		func() any { return new(sql.NullFloat64) },
		func() any { return new(*string) },
		func() any { return new(*int64) },
		func() any { return new(name) },
		func() any { return new(int32) },
	} {
		for col := range 10 {
			dest := make([]any, 10)
			for i := range dest {
				dest[i] = new(any)
			}
			dest[col] = mk()
			err := scan(dest...)
			if err != nil {
				out = append(out, fmt.Sprintf("%T col %d: error", dest[col], col))
				continue
			}
			v := reflect.ValueOf(dest[col]).Elem() // what it points to
			if v.Kind() == reflect.Pointer && !v.IsNil() {
				v = v.Elem() // a pointer it was given
			}
			out = append(out, fmt.Sprintf("%T col %d: %#v", dest[col], col, v.Interface()))
		}
	}
	return out
}

func TestRowsScanAsDatabaseSQLDoes(t *testing.T) {
	t.Parallel()
	for mode, path := range modes(t) {
		t.Run(mode, func(t *testing.T) {
			db := open(t, path)
			ctx := context.Background()
			want := scanAll(t, func(dest ...any) error { return db.Read().QueryRowContext(ctx, columnsSQL).Scan(dest...) })
			require.NoError(t, db.ReadTx(ctx, func(tx *store.Tx) error {
				got := scanAll(t, func(dest ...any) error { return tx.QueryRowContext(ctx, columnsSQL).Scan(dest...) })
				assert.Equal(t, want, got)
				return nil
			}))
			got := scanAll(t, func(dest ...any) error { return db.QueryRow(ctx, columnsSQL).Scan(dest...) })
			assert.Equal(t, want, got, "outside a transaction")

			// RawBytes shows the value until the next row.
			var raw sql.RawBytes
			var n int
			require.NoError(t, db.ReadTx(ctx, func(tx *store.Tx) error {
				rows, err := tx.QueryContext(ctx, `SELECT 'a' || value, value FROM json_each('[1,2]')`)
				require.NoError(t, err)
				defer rows.Close()
				var seen []string
				for rows.Next() {
					require.NoError(t, rows.Scan(&raw, &n))
					seen = append(seen, fmt.Sprintf("%s %d", raw, n))
				}
				assert.Equal(t, []string{"a1 1", "a2 2"}, seen)
				return rows.Err()
			}))
		})
	}
}

func TestArgumentsBindAsDatabaseSQLDoes(t *testing.T) {
	t.Parallel()
	db := open(t, store.Memory)
	ctx := context.Background()
	when := time.Date(2026, 12, 3, 11, 0, 0, 5, time.UTC)
	// A large argument first: the statement frees its arena after it, and binds the next ones anew.
	args := []any{strings.Repeat("long ", 10000), "text", "", "with\x00nul", []byte("ab"), []byte{}, []byte(nil), 7,
		int64(-8), int32(9), uint8(3), true, false, 2.5, nil, name("named"), sql.NullString{String: "v", Valid: true},
		sql.NullString{}, when}
	query := func(rows interface {
		Next() bool
		Scan(...any) error
		Close() error
	}, err error) []string {
		require.NoError(t, err)
		defer rows.Close()
		var out []string
		for rows.Next() {
			var typ, val string
			require.NoError(t, rows.Scan(&typ, &val))
			out = append(out, typ+" "+val)
		}
		return out
	}
	const q = `SELECT typeof(?1), quote(?1)`
	for _, a := range args {
		want := query(db.Read().QueryContext(ctx, q, a))
		var got []string
		require.NoError(t, db.ReadTx(ctx, func(tx *store.Tx) error {
			got = query(tx.QueryContext(ctx, q, a))
			return nil
		}))
		assert.Equal(t, want, got, "%T %v", a, a)
	}
	// Numbered parameters take the arguments by ordinal.
	var a, b string
	require.NoError(t, db.QueryRow(ctx, `SELECT ?3, ?1`, "one", "two", "three").Scan(&a, &b))
	assert.Equal(t, []string{"three", "one"}, []string{a, b})
	assert.ErrorContains(t, db.QueryRow(ctx, `SELECT ?, ?`, "one").Scan(&a, &b), "expected 2 arguments, got 1")
	var ch chan int
	assert.Error(t, db.QueryRow(ctx, `SELECT ?`, ch).Scan(&a), "a channel is no argument")
}

func TestStatementsOnTheHandle(t *testing.T) {
	t.Parallel()
	for mode, path := range modes(t) {
		t.Run(mode, func(t *testing.T) {
			db := open(t, path)
			ctx := context.Background()
			// A query nested in the rows of the same query text runs on a statement of its own.
			const q = `SELECT value FROM json_each(?)`
			require.NoError(t, db.ReadTx(ctx, func(tx *store.Tx) error {
				outer, err := tx.QueryContext(ctx, q, `[1,2]`)
				require.NoError(t, err)
				defer outer.Close()
				var got []string
				for outer.Next() {
					var o int
					require.NoError(t, outer.Scan(&o))
					inner, err := tx.QueryContext(ctx, q, fmt.Sprintf(`[%d0,%d1]`, o, o))
					require.NoError(t, err)
					for inner.Next() {
						var i int
						require.NoError(t, inner.Scan(&i))
						got = append(got, fmt.Sprint(o, ":", i))
					}
					require.NoError(t, inner.Err())
				}
				assert.Equal(t, []string{"1:10", "1:11", "2:20", "2:21"}, got)
				return outer.Err()
			}))

			// No row: ErrNoRows, and an empty result still names its columns.
			var n int
			assert.ErrorIs(t, db.QueryRow(ctx, `SELECT n FROM one_counters WHERE name = 'none'`).Scan(&n), sql.ErrNoRows)
			rows, err := db.Query(ctx, `SELECT name, n AS count FROM one_counters WHERE name = 'none'`)
			require.NoError(t, err)
			cols, err := rows.Columns()
			require.NoError(t, err)
			assert.Equal(t, []string{"name", "count"}, cols)
			assert.False(t, rows.Next())
			require.NoError(t, rows.Close())

			// Errors are the driver's words, and change nothing.
			err = db.Tx(ctx, func(tx *store.Tx) error {
				if _, err := tx.ExecContext(ctx, `INSERT INTO one_counters (name, n) VALUES ('z', 1)`); err != nil {
					return err
				}
				_, err := tx.ExecContext(ctx, `INSERT INTO one_counters (name, n) VALUES ('z', 2)`)
				return err
			})
			assert.ErrorContains(t, err, "UNIQUE constraint failed: one_counters.name")
			assert.Zero(t, count(t, db, `SELECT count(*) FROM one_counters WHERE name = 'z'`))
			_, err = db.Query(ctx, `SELEC 1`)
			assert.ErrorContains(t, err, `near "SELEC": syntax error`)
			assert.ErrorContains(t, db.QueryRow(ctx, `SELECT 1 WHERE json('{') IS NULL`).Scan(&n), "malformed JSON")

			// What an exec changed; a script of several statements runs whole.
			var res sql.Result
			require.NoError(t, db.Tx(ctx, func(tx *store.Tx) (err error) {
				res, err = tx.ExecContext(ctx, `UPDATE one_counters SET n = n + 1`)
				if err == nil {
					_, err = tx.ExecContext(ctx, `INSERT INTO one_counters (name, n) VALUES ('s1', 1); INSERT INTO one_counters (name, n) VALUES (?, 2);`, "s2")
				}
				return err
			}))
			changed, err := res.RowsAffected()
			require.NoError(t, err)
			assert.EqualValues(t, count(t, db, `SELECT count(*) FROM one_counters`)-2, changed)
			assert.Equal(t, 2, count(t, db, `SELECT n FROM one_counters WHERE name = 's2'`))

			// A connection keeps a bounded number of statements; more texts still run.
			require.NoError(t, db.ReadTx(ctx, func(tx *store.Tx) error {
				for i := range 600 {
					var got int
					require.NoError(t, tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT %d`, i)).Scan(&got))
					require.Equal(t, i, got)
				}
				return nil
			}))
		})
	}
}

// BenchmarkPointRead is one read of a row of six columns in a read
// transaction: through the store's statements (rows.go), and through
// database/sql and the driver on a connection of the same pool, as the store
// read before.
func BenchmarkPointRead(b *testing.B) {
	db, err := store.Open(context.Background(), store.Memory, fixtures, counterSchema("one"))
	require.NoError(b, err)
	defer db.Close()
	ctx := context.Background()
	const q = `SELECT name, n, name || '-1', n + 1, name || '-2', n + 2 FROM one_counters WHERE name = ?`
	var s1, s2, s3 string
	var n1, n2, n3 int64
	b.Run("store", func(b *testing.B) {
		b.ReportAllocs()
		require.NoError(b, db.ReadTx(ctx, func(tx *store.Tx) error {
			for b.Loop() {
				if err := tx.QueryRowContext(ctx, q, "a").Scan(&s1, &n1, &s2, &n2, &s3, &n3); err != nil {
					return err
				}
			}
			return nil
		}))
	})
	b.Run("database-sql", func(b *testing.B) {
		b.ReportAllocs()
		tx, err := db.Read().BeginTx(ctx, nil)
		require.NoError(b, err)
		defer tx.Rollback()
		st, err := tx.PrepareContext(ctx, q)
		require.NoError(b, err)
		for b.Loop() {
			if err := st.QueryRowContext(ctx, "a").Scan(&s1, &n1, &s2, &n2, &s3, &n3); err != nil {
				b.Fatal(err)
			}
		}
	})
}

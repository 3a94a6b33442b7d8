package jsonapi

import (
	"context"
	"encoding/json"
	"io/fs"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/store"
)

// TestEngineQueryPlans: the engine's own reads (a record, a link, a record's
// links, and a record's children's organizations) seek,
// whatever the size of the database: no scan, no read of a whole type, no
// sort.
func TestEngineQueryPlans(t *testing.T) {
	t.Parallel()
	db := openEngineStore(t)
	for name, st := range map[string]Statement{
		"record":            {SQL: newTableSQL(SharedTable, nil, nil, false, false).load, Args: []any{"widgets", "w1"}},
		"link":              {SQL: linkAttrsSQL, Args: []any{"member", "u1", "o1"}},
		"links of a record": {SQL: linkedToSQL, Args: []any{"member", "u1"}},
		"children's organizations (a sniffed list)": {SQL: childOrgsSQL, Args: []any{"parts", "p1"}},
	} {
		steps, err := store.QueryPlan(context.Background(), db.Read(), st.SQL, st.Args...)
		require.NoError(t, err)
		for _, step := range steps {
			if (strings.HasPrefix(step, "SCAN ") && step != "SCAN CONSTANT ROW") || strings.HasSuffix(step, "(type=?)") ||
				strings.HasPrefix(step, "USE TEMP B-TREE") {
				t.Errorf("%s: %s\n%s", name, step, st.SQL)
			}
		}
	}
}

// A table's columns are merged into the attributes it reads as json_set
// would set them (for every object encodeAttrs stores, and every value a
// column holds), and with its counts as before.
func TestColumnsMergeAsJSONSet(t *testing.T) {
	t.Parallel()
	db := openEngineStore(t)
	ctx := context.Background()
	_, err := db.Write().ExecContext(ctx, `CREATE TABLE zz_things (type TEXT, id TEXT, org_id TEXT, parent_id TEXT,
		created_at TEXT, text TEXT, attrs TEXT, first_col TEXT, second_col, a_count INTEGER NOT NULL DEFAULT 0)`)
	require.NoError(t, err)
	tab := newTableSQL("zz_things", map[string]string{"last-modified-time": "first_col", "zeta": "second_col"},
		map[string]string{"_count": "a_count"}, false, false)
	want := strings.Replace(tab.load, tab.record, `type, id, org_id, parent_id, created_at,
		CASE WHEN a_count = 0 THEN json_set(attrs, '$."last-modified-time"', first_col, '$."zeta"', second_col)
		ELSE json_set(attrs, '$."last-modified-time"', first_col, '$."zeta"', second_col, '$."_count"', a_count) END AS `+
		mergedAttrs, 1)
	require.NotEqual(t, tab.load, want)
	n := 0
	for _, attrs := range []string{`{}`, `{"a":1}`, `{"a":"x","b":[1,{"c":null}],"é":"\u00e9"}`, encodeAttrs(map[string]json.RawMessage{
		"message": json.RawMessage(`"hi \"there\""`), "list": json.RawMessage(`[]`)})} {
		for _, first := range []any{nil, "", "2026-01-05T09:00:00.000000+00:00", `with "quotes" and \ and é`} {
			for _, second := range []any{nil, 7, "x"} {
				for _, count := range []int{0, 3} {
					n++
					id := strconv.Itoa(n)
					_, err := db.Write().ExecContext(ctx, `INSERT INTO zz_things VALUES ('things', ?, '', '', '', '', ?, ?, ?, ?)`,
						id, attrs, first, second, count)
					require.NoError(t, err)
					var gotText, wantText string
					require.NoError(t, db.Read().QueryRowContext(ctx, `SELECT merged_attrs FROM (`+tab.load+`)`, "things", id).Scan(&gotText))
					require.NoError(t, db.Read().QueryRowContext(ctx, `SELECT merged_attrs FROM (`+want+`)`, "things", id).Scan(&wantText))
					var got, exp map[string]json.RawMessage
					require.NoError(t, json.Unmarshal([]byte(gotText), &got), gotText)
					require.NoError(t, json.Unmarshal([]byte(wantText), &exp), wantText)
					assert.Equal(t, exp, got, "%s %v %v %d: %s", attrs, first, second, count, gotText)
				}
			}
		}
	}
}

// openEngineStore is an in-memory store of the engine's tables alone.
func openEngineStore(t *testing.T) *store.DB {
	db, err := store.Open(context.Background(), store.Memory, fstest.MapFS{}, store.Schema{
		Vendor: "engine", TablePrefix: "cr_", Migrations: Migrations(),
		Seed: func(context.Context, *store.Tx, fs.FS) error { return nil },
	})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

package jsonapi

import (
	"context"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/store"
)

// TestEngineQueryPlans: the engine's own reads (a record, a link, a record's
// links, and a record's children's organizations) seek,
// whatever the size of the database: no scan, no read of a whole type, no
// sort.
func TestEngineQueryPlans(t *testing.T) {
	t.Parallel()
	db, err := store.Open(context.Background(), store.Memory, fstest.MapFS{}, store.Schema{
		Vendor: "engine", TablePrefix: "cr_", Migrations: Migrations(),
		Seed: func(context.Context, *store.Tx, fs.FS) error { return nil },
	})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	for name, st := range map[string]Statement{
		"record":            {SQL: newTableSQL(SharedTable, nil, nil, false).load, Args: []any{"widgets", "w1"}},
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

package loop

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/store"
)

// TestMigrationKeepsItemsWhole: a database file made before migration 004
// kept an organization's name in json_name; opened again, its list item is
// whole in json_item (in the account's page index), and a row whose JSON was
// never kept stays unkept (answered from its columns).
func TestMigrationKeepsItemsWhole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "emulator.db")
	before := emutest.OlderSchema(t, Schema(), "001_loopmessage.sql", "002_counts.sql", "003_org_json.sql")
	before.Seed = func(ctx context.Context, tx *store.Tx, _ fs.FS) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO lm_accounts (id, name) VALUES ('acme', 'Acme')`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO lm_organizations (id, account_id, is_default, name, website,
			support_url, country, api_key, status, create_date, json_head, json_name, json_tail, json_api_key) VALUES
			('o1', 'acme', 1, 'A "q"', 'w', 's', 'US', 'k1', 'active', '2026-01-01T00:00:00Z', '{"id":"o1"', '"A \"q\""',
				',"status":"active","create_date":"2026-01-01T00:00:00Z"', ',"api_key":"k1"'),
			('o2', 'acme', 0, 'Old', 'w', 's', 'US', 'k2', 'active', '2026-01-02T00:00:00Z', NULL, NULL, NULL, NULL)`)
		return err
	}
	db, err := store.Open(ctx, path, nil, before)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	db, err = store.Open(ctx, path, nil, Schema())
	require.NoError(t, err)
	defer db.Close()
	items := map[string]sql.NullString{}
	rows, err := db.Read().Query(`SELECT id, json_item || '}' FROM lm_organizations`) // the item as listOrgsDirect closes it
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var id string
		var item sql.NullString
		require.NoError(t, rows.Scan(&id, &item))
		items[id] = item
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, map[string]sql.NullString{
		"o1": {String: `{"id":"o1","name":"A \"q\"","status":"active","create_date":"2026-01-01T00:00:00Z"}`, Valid: true},
		"o2": {},
	}, items)
	var plan []string
	plan, err = store.QueryPlan(ctx, db.Read(), orgPageByKeySQL(pageQuery{Page: 1, PerPage: 20}), "k1", "k1", 20, 0)
	require.NoError(t, err)
	assert.Contains(t, plan, "SEARCH lm_organizations USING COVERING INDEX lm_organizations_account (account_id=?)")
}

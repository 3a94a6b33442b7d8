package greenarrow

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/fixtures"
	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/store"
)

// TestMigrationCountsLifetimeFromSends: a database file made before
// migration 003 counted neither the fixture history nor sends from before a
// switch into fixed_credits; opened again, every organization's count is
// its sends', and from then on each send counts as it is recorded.
func TestMigrationCountsLifetimeFromSends(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "emulator.db")
	// 004's columns too: the seed is today's, which writes them.
	before := emutest.OlderSchema(t, Schema(), "001_greenarrow.sql", "002_organization_count.sql", "004_kept_answers.sql")
	db, err := store.Open(ctx, path, fixtures.FS, before)
	require.NoError(t, err)
	// Organization 3 sent 7 messages, then was switched into fixed_credits
	// (the count restarted at 0) and sent 2 more.
	_, err = db.Write().Exec(`INSERT INTO ga_sends (organization_id, sent_at, campaign_id, campaign_name, messages)
		VALUES (3, 1768478400, 1, 'c', 7), (3, 1768482000, 1, 'c', 2)`)
	require.NoError(t, err)
	_, err = db.Write().Exec(`UPDATE ga_organizations SET lifetime_messages_sent = 2 WHERE id = 3`)
	require.NoError(t, err)
	counts := func(db *store.DB) map[int64]int64 {
		t.Helper()
		rows, err := db.Read().Query(`SELECT id, lifetime_messages_sent FROM ga_organizations`)
		require.NoError(t, err)
		defer rows.Close()
		out := map[int64]int64{}
		for rows.Next() {
			var id, n int64
			require.NoError(t, rows.Scan(&id, &n))
			out[id] = n
		}
		require.NoError(t, rows.Err())
		return out
	}
	require.Equal(t, map[int64]int64{1: 0, 2: 0, 3: 2, 4: 0}, counts(db), "as the older schema left them")
	require.NoError(t, db.Close())

	db, err = store.Open(ctx, path, fixtures.FS, Schema())
	require.NoError(t, err)
	defer db.Close()
	assert.Equal(t, map[int64]int64{1: 62_891, 2: 0, 3: 9, 4: 0}, counts(db))
	_, err = db.Write().Exec(`INSERT INTO ga_sends (organization_id, sent_at, autoresponder_id, autoresponder_name, messages)
		VALUES (2, 1768485600, 4, 'a', 5)`)
	require.NoError(t, err)
	assert.Equal(t, map[int64]int64{1: 62_891, 2: 5, 3: 9, 4: 0}, counts(db))
}

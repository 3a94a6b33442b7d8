package loop

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// TestListPlans checks the query plans of the organization, sender and pool
// lists, for a Default key and an organization's key, in both orders: each
// page is read in order through an index and stops at the page (no scan, no
// sort), each total is a kept count (a count that reads the listed table
// fails). The organization list's search is a substring match done in Go: it
// reads the account's organizations.
func TestListPlans(t *testing.T) {
	t.Parallel()
	env := emutest.New(t, []store.Schema{Schema()}, func(d server.Deps) []server.Vendor { return []server.Vendor{New(d)} })
	callers := map[string]caller{
		"default": {AccountID: "acme", OrgID: "0b7e3f52-6d1a-4c8e-9f20-3a5b7c9d1e01", IsDefault: true},
		"org":     {AccountID: "acme", OrgID: "1c8f4a63-7e2b-4d9f-a031-4b6c8d0e2f02"},
	}
	for who, c := range callers {
		for _, desc := range []bool{true, false} {
			p := pageQuery{Page: 1, PerPage: 20, Desc: desc}
			senders, senderArgs := senderPageSQL(c, p)
			pools, poolArgs := poolPageSQL(c, p)
			statements := map[string]struct {
				sql  string
				args []any
			}{
				"senders":              {senders, append(senderArgs, 20, 0)},
				"pools":                {pools, append(poolArgs, 20, 0)},
				"organizations":        {orgPageSQL(p), []any{c.AccountID, 20, 0}},
				"organizations by key": {orgPageByKeySQL(p), []any{"lm-acme-default", "lm-acme-default", 20, 0}},
				"details by key":       {orgDetailsByKeySQL, []any{c.OrgID, "lm-acme-support"}},
				"senders by key":       {senderPageByKeySQL(p), []any{"2026-01-01T00:00:00Z", "lm-acme-default", 20, 0}},
				"sender by key":        {senderByKeySQL, []any{"2026-01-01T00:00:00Z", "x", "lm-acme-support"}},
				"pools by key":         {poolPageByKeySQL(p), []any{"lm-acme-default", 20, 0}},
				"pool by key":          {poolByKeySQL, []any{"x", "lm-acme-support"}},
				"count of senders":     {countSQL, []any{"senders", c.countOwner()}},
				"count of pools":       {countSQL, []any{"pools", c.countOwner()}},
				"count of the orgs":    {countSQL, []any{"organizations", c.AccountID}},
				"activations due":      {settleDueSQL, []any{"2026-01-01T00:00:00Z"}},
				"activations settled":  {settleSQL, []any{"2026-01-01T00:00:00Z"}},
				"next activation":      {nextActivationSQL, nil},
			}
			for name, st := range statements {
				steps, err := store.QueryPlan(context.Background(), env.Deps.DB.Read(), st.sql, st.args...)
				require.NoError(t, err)
				for _, s := range steps {
					counts := strings.HasPrefix(name, "count") && strings.Contains(s, " lm_") && !strings.Contains(s, " lm_counts ")
					if (strings.HasPrefix(s, "SCAN ") && s != "SCAN CONSTANT ROW") || strings.HasPrefix(s, "USE TEMP B-TREE") || counts {
						t.Errorf("%s %s (desc %v): %s\n%s", who, name, desc, s, st.sql)
					}
				}
			}
		}
	}
}

// TestCountsAgree: the kept counts equal counting the rows after creates,
// moves, deletes (cascading ones too) and a reset.
func TestCountsAgree(t *testing.T) {
	t.Parallel()
	env := emutest.New(t, []store.Schema{Schema()}, func(d server.Deps) []server.Vendor { return []server.Vendor{New(d)} })
	exec := func(query string, args ...any) {
		t.Helper()
		require.NoError(t, env.Deps.DB.Tx(context.Background(), func(tx *store.Tx) error {
			_, err := tx.ExecContext(context.Background(), query, args...)
			return err
		}))
	}
	check := func(step string) {
		t.Helper()
		var want, got string
		require.NoError(t, env.Deps.DB.Tx(context.Background(), func(tx *store.Tx) error {
			if err := tx.QueryRowContext(context.Background(), `SELECT COALESCE(group_concat(w, ';'), '') FROM (SELECT w FROM (
				SELECT 'organizations ' || account_id || ' ' || count(*) AS w FROM lm_organizations GROUP BY account_id
				UNION ALL SELECT 'senders ' || account_id || ' ' || count(*) FROM lm_senders GROUP BY account_id
				UNION ALL SELECT 'senders ' || account_id || ' ' || organization_id || ' ' || count(*) FROM lm_senders GROUP BY account_id, organization_id
				UNION ALL SELECT 'pools ' || account_id || ' ' || count(*) FROM lm_pools GROUP BY account_id
				UNION ALL SELECT 'pools ' || account_id || ' ' || organization_id || ' ' || count(*) FROM lm_pools GROUP BY account_id, organization_id
				UNION ALL SELECT 'pool_senders ' || pool_id || ' ' || count(*) FROM lm_pool_senders GROUP BY pool_id) ORDER BY w)`).Scan(&want); err != nil {
				return err
			}
			return tx.QueryRowContext(context.Background(), `SELECT COALESCE(group_concat(w, ';'), '') FROM (SELECT what || ' ' || owner || ' ' || n AS w
				FROM lm_counts WHERE n != 0 ORDER BY w)`).Scan(&got)
		}))
		require.Equal(t, want, got, step)
	}
	check("fixtures")
	const acme, support, labs = "acme", "1c8f4a63-7e2b-4d9f-a031-4b6c8d0e2f02", "2d9a5b74-8f3c-4ea0-b142-5c7d9e1f3a03"
	exec(`INSERT INTO lm_pools (id, account_id, organization_id, name, create_date) VALUES ('pool-1', ?, ?, 'p', '2026-01-01T00:00:00Z')`,
		acme, support)
	exec(`INSERT INTO lm_pool_senders (pool_id, sender_id) SELECT 'pool-1', id FROM lm_senders WHERE organization_id = ?`, support)
	check("pool created")
	exec(`UPDATE lm_senders SET organization_id = ? WHERE organization_id = ?`, labs, support)
	exec(`UPDATE lm_pools SET organization_id = ? WHERE id = 'pool-1'`, labs)
	check("moved")
	exec(`DELETE FROM lm_senders WHERE id = (SELECT sender_id FROM lm_pool_senders WHERE pool_id = 'pool-1' LIMIT 1)`)
	check("sender deleted (cascading to the pool)")
	exec(`DELETE FROM lm_organizations WHERE id = ?`, labs)
	check("organization deleted (cascading)")
	require.NoError(t, env.Deps.DB.Reset(context.Background(), Name))
	check("reset")
}

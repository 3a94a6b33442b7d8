package courier

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// TestCallerKeptOnToken checks migration 113's triggers: after every kind of
// write that changes what a token's caller is (a new token, the user's
// member links, the user's primary individual), the token's row holds what
// the caller statement read through its sub-queries before; a token does
// not change users.
func TestCallerKeptOnToken(t *testing.T) {
	t.Parallel()
	env := emutest.New(t, []store.Schema{Schema()}, func(d server.Deps) []server.Vendor { return []server.Vendor{New(d)} })
	ctx := context.Background()
	const user, other = "20000000-0000-4000-8000-000000000002", "20000000-0000-4000-8000-000000000001"
	const org3 = "10000000-0000-4000-8000-0000000000ff"
	// kept and computed: the token's columns, and what they stand for.
	check := func(step string) {
		t.Helper()
		type row struct{ token, orgs, individual, wantOrgs, wantIndividual string }
		var rows []row
		require.NoError(t, env.Deps.DB.ReadTx(ctx, func(tx *store.Tx) error {
			return store.EachRow(ctx, tx, `SELECT token, orgs, individual,
				(SELECT json_group_array(to_id) FROM (SELECT to_id FROM cr_links WHERE rel = 'member' AND from_id = t.user_id ORDER BY to_id)),
				COALESCE((SELECT json_extract(attrs, '$."primary-individual-id"') FROM cr_resources WHERE type = 'users' AND id = t.user_id), '')
				FROM cr_tokens t`, nil, func(rs *store.Rows) error {
				var r row
				if err := rs.Scan(&r.token, &r.orgs, &r.individual, &r.wantOrgs, &r.wantIndividual); err != nil {
					return err
				}
				rows = append(rows, r)
				return nil
			})
		}), step)
		require.NotEmpty(t, rows, step)
		for _, r := range rows {
			got, err := jsonapi.DecodeStrings(r.orgs)
			require.NoError(t, err)
			want, err := jsonapi.DecodeStrings(r.wantOrgs)
			require.NoError(t, err)
			require.Equal(t, want, jsonapi.SortedCopy(got), "%s: %s's organizations", step, r.token)
			require.Equal(t, r.wantIndividual, r.individual, "%s: %s's individual", step, r.token)
		}
	}
	write := func(step, query string, args ...any) {
		t.Helper()
		require.NoError(t, env.Deps.DB.Tx(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, query, args...)
			return err
		}), step)
		check(step)
	}
	check("seeded")
	write("membership added", `INSERT INTO cr_links (rel, from_id, to_id, created_at, attrs) VALUES ('member', ?, ?, '2026-01-01', '{}')`, user, org3)
	write("membership moved", `UPDATE cr_links SET from_id = ? WHERE rel = 'member' AND from_id = ? AND to_id = ?`, other, user, org3)
	write("membership ended", `DELETE FROM cr_links WHERE rel = 'member' AND to_id = ?`, org3)
	write("individual changed", `UPDATE cr_resources SET attrs = json_set(attrs, '$."primary-individual-id"', 'x') WHERE type = 'users' AND id = ?`, user)
	write("user gone", `DELETE FROM cr_resources WHERE type = 'users' AND id = ?`, user)
	write("user back", `INSERT INTO cr_resources (type, id, org_id, parent_id, created_at, attrs) VALUES ('users', ?, '', '', '2026-01-01', '{"primary-individual-id":"y"}')`, user)
	write("individual removed", `UPDATE cr_resources SET attrs = json_remove(attrs, '$."primary-individual-id"') WHERE type = 'users' AND id = ?`, user)
	require.Error(t, env.Deps.DB.Tx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE cr_tokens SET user_id = ? WHERE user_id = ?`, other, user)
		return err
	}), "a token keeps its user")
	check("token not moved")
	write("token added", `INSERT INTO cr_tokens (token, user_id) VALUES ('zz-new', ?)`, user)
}

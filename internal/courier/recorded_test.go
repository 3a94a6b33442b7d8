package courier_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
)

// addUser adds a user that is a member of orgs, with a bearer token unless
// token is "": a world the fixtures do not have, written straight into the
// store.
func addUser(t *testing.T, env *emutest.Env, id, token string, orgs ...string) {
	t.Helper()
	home := ""
	if len(orgs) > 0 {
		home = orgs[0]
	}
	exec(t, env, `INSERT INTO cr_resources (type, id, org_id, parent_id, created_at, text, attrs)
		VALUES ('users', ?, ?, '', '2026-01-01T09:30:00.000000+00:00', '', json_object('first-name', 'Added', 'email', ? || '@example.com'))`,
		id, home, id)
	for _, o := range orgs {
		exec(t, env, `INSERT INTO cr_links (rel, from_id, to_id, created_at, attrs) VALUES ('member', ?, ?, '', '{}')`, id, o)
	}
	if token != "" {
		exec(t, env, `INSERT INTO cr_tokens (token, user_id) VALUES (?, ?)`, token, id)
	}
}

// countRows reads one count from the store.
func countRows(t testing.TB, env *emutest.Env, query string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, env.Deps.DB.Read().QueryRowContext(context.Background(), query, args...).Scan(&n))
	return n
}

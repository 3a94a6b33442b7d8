package courier_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
)

// callWant sends a request and requires the status.
func callWant(t testing.TB, env *emutest.Env, token, method, path, body string, want int) emutest.Response {
	t.Helper()
	r := call(t, env, token, method, path, body)
	require.Equal(t, want, r.Status, "%s %s: %s", method, path, r.Body)
	return r
}

// mustOne sends a request, requires 2xx status want and decodes one resource.
func mustOne(t testing.TB, env *emutest.Env, token, method, path, body string, want int) object {
	t.Helper()
	return one(t, callWant(t, env, token, method, path, body, want))
}

// mustMany GETs a list (200) and decodes it.
func mustMany(t testing.TB, env *emutest.Env, token, path string) []object {
	t.Helper()
	return many(t, callWant(t, env, token, "GET", path, "", 200))
}

// mustFail requires an error answer and returns its first error object.
func mustFail(t testing.TB, env *emutest.Env, token, method, path, body string, want int) (code, pointer, parameter string) {
	t.Helper()
	d := decode(t, callWant(t, env, token, method, path, body, want))
	require.NotEmpty(t, d.Errors)
	require.Equal(t, want, d.Errors[0].Status)
	return d.Errors[0].Code, d.Errors[0].Source["pointer"], d.Errors[0].Source["parameter"]
}

// storeState is a digest of every courier record and link: equal digests mean
// no request changed anything.
func storeState(t testing.TB, env *emutest.Env) string {
	t.Helper()
	h := sha256.New()
	for _, q := range []string{
		`SELECT coalesce(group_concat(s, char(10)), '') FROM (SELECT type || id || org_id || parent_id || created_at || attrs AS s
			FROM cr_resources ORDER BY type, id)`,
		`SELECT coalesce(group_concat(s, char(10)), '') FROM (SELECT rel || from_id || to_id || attrs AS s FROM cr_links
			ORDER BY rel, from_id, to_id)`,
	} {
		var s string
		require.NoError(t, env.Deps.DB.SQL().QueryRowContext(context.Background(), q).Scan(&s))
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func idSet(os []object) map[string]bool {
	out := map[string]bool{}
	for _, o := range os {
		out[o.ID] = true
	}
	return out
}

// totalChanges counts the rows written on the store's one connection since it
// opened (SQLite's total_changes()): a cheap first check that a request wrote
// nothing, before comparing digests.
func totalChanges(t testing.TB, env *emutest.Env) int64 {
	t.Helper()
	var n int64
	require.NoError(t, env.Deps.DB.SQL().QueryRowContext(context.Background(), `SELECT total_changes()`).Scan(&n))
	return n
}

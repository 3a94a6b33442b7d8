package courier_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/courier"
	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// Fixture ids and tokens (fixtures/courier.json).
const (
	adminToken = "courier-admin-token"
	org1Token  = "courier-org1-token"
	org1       = "10000000-0000-4000-8000-000000000001"
	org2       = "10000000-0000-4000-8000-000000000002"
	adminUser  = "20000000-0000-4000-8000-000000000001"
	org1User   = "20000000-0000-4000-8000-000000000002"
	indAlice   = "30000000-0000-4000-8000-000000000001" // admin's individual, provider
	indOlivia  = "30000000-0000-4000-8000-000000000002" // org1 user's individual, provider
	indPat     = "30000000-0000-4000-8000-000000000003" // org1 patient
	indQuinn   = "30000000-0000-4000-8000-000000000004" // org1 patient
	indRalph   = "30000000-0000-4000-8000-000000000005" // org2 patient
	indGrace   = "30000000-0000-4000-8000-000000000006" // org2 provider
	group1     = "40000000-0000-4000-8000-000000000001"
	group2     = "40000000-0000-4000-8000-000000000002"
	chanGroup1 = "50000000-0000-4000-8000-000000000001" // org1 care-team channel
	chanDirect = "50000000-0000-4000-8000-000000000002" // org1 direct channel Alice–Pat
	chanGroup2 = "50000000-0000-4000-8000-000000000003" // org2 care-team channel
	msg1       = "60000000-0000-4000-8000-000000000001"
	msg3       = "60000000-0000-4000-8000-000000000003"
	msg4       = "60000000-0000-4000-8000-000000000004"
	msg6       = "60000000-0000-4000-8000-000000000006"
)

func newEnv(t testing.TB) *emutest.Env {
	return emutest.New(t, []store.Schema{courier.Schema()}, func(d server.Deps) []server.Vendor {
		return []server.Vendor{courier.New(d)}
	})
}

// call sends a request with a token ("" for none) and JSON:API content type.
func call(t testing.TB, env *emutest.Env, token, method, path, body string, headers ...string) emutest.Response {
	t.Helper()
	if token != "" {
		headers = append(headers, "Authorization: Bearer "+token)
	}
	return env.Do(t, method, "/courier"+path, body, headers...)
}

// doc is a decoded JSON:API answer.
type doc struct {
	Data   json.RawMessage `json:"data"`
	Meta   map[string]any  `json:"meta"`
	Links  map[string]any  `json:"links"`
	Errors []struct {
		Status int               `json:"status"`
		Code   string            `json:"code"`
		Detail string            `json:"detail"`
		Source map[string]string `json:"source"`
		Meta   map[string]any    `json:"meta"`
	} `json:"errors"`
}

type object struct {
	ID         string         `json:"id"`
	Type       string         `json:"type"`
	Attributes map[string]any `json:"attributes"`
}

func decode(t testing.TB, r emutest.Response) doc {
	t.Helper()
	var d doc
	require.NoError(t, json.Unmarshal([]byte(r.Body), &d), r.Body)
	return d
}

func one(t testing.TB, r emutest.Response) object {
	t.Helper()
	var o object
	require.NoError(t, json.Unmarshal(decode(t, r).Data, &o), r.Body)
	return o
}

func many(t testing.TB, r emutest.Response) []object {
	t.Helper()
	var os []object
	require.NoError(t, json.Unmarshal(decode(t, r).Data, &os), r.Body)
	return os
}

func ids(os []object) []string {
	out := make([]string, len(os))
	for i, o := range os {
		out[i] = o.ID
	}
	return out
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// get reads one resource (200 required).
func get(t *testing.T, env *emutest.Env, token, path string) object {
	t.Helper()
	r := call(t, env, token, "GET", path, "")
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	return one(t, r)
}

func list(t *testing.T, env *emutest.Env, token, path string) []object {
	t.Helper()
	r := call(t, env, token, "GET", path, "")
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	return many(t, r)
}

func mustCall(t *testing.T, env *emutest.Env, status int, method, path, body string) emutest.Response {
	t.Helper()
	r := call(t, env, adminToken, method, path, body)
	require.Equal(t, status, r.Status, "%s %s: %s", method, path, r.Body)
	return r
}

func acks(os []object) map[string]any {
	out := map[string]any{}
	for _, o := range os {
		out[o.ID] = o.Attributes["ack"]
	}
	return out
}

func subscriberIDs(o object) []string {
	var out []string
	for _, s := range o.Attributes["subscribers"].([]any) {
		out = append(out, s.(map[string]any)["id"].(string))
	}
	return out
}

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
			FROM ` + courier.AllResources + ` ORDER BY type, id)`,
		`SELECT coalesce(group_concat(s, char(10)), '') FROM (SELECT rel || from_id || to_id || attrs AS s FROM cr_links
			ORDER BY rel, from_id, to_id)`,
	} {
		var s string
		require.NoError(t, env.Deps.DB.Read().QueryRowContext(context.Background(), q).Scan(&s))
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
	require.NoError(t, env.Deps.DB.Write().QueryRowContext(context.Background(), `SELECT total_changes()`).Scan(&n))
	return n
}

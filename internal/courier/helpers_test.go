package courier_test

import (
	"encoding/json"
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

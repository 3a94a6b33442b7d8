package control_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/control"
	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/fault"
	"github.com/emulator/vendor-emulator/internal/greenarrow"
	"github.com/emulator/vendor-emulator/internal/loop"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// controlError asserts the control plane's {"error": ...} with status.
func controlError(t *testing.T, res emutest.Response, status int) {
	t.Helper()
	require.Equal(t, status, res.Status, res.Body)
	assert.Regexp(t, `^\{"error":".+"\}$`, res.Body)
	assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
}

// TestStrictJSONOnTheClock: the control plane's JSON write route refuses
// data after the value, null, invalid UTF-8, NUL characters and names that
// differ from its own only by case ({"ADVANCE"}), and the clock stays put.
// (The vendors' control routes are tested with their vendor.)
func TestStrictJSONOnTheClock(t *testing.T) {
	t.Parallel()
	emutest.CheckBodies(t, emutest.BodyRules{
		New: newEnv,
		Snapshot: func(t *testing.T, e *emutest.Env) string {
			return e.Do(t, "GET", "/_emulator/clock", "").Body
		},
		Refused: func(t *testing.T, res emutest.Response) { controlError(t, res, 400) },
		Routes: []emutest.WriteRoute{{Method: "POST", Path: "/_emulator/clock", Strict: true, Status: 200,
			Template: `{"advance": "2m1s@1@", "set": "2026-02-01T00:00:00Z@2@", "freeze": true}`}},
	})
	res := newEnv(t).Do(t, "POST", "/_emulator/clock", `{"ADVANCE": "1m"}`)
	assert.JSONEq(t, `{"error": "unknown field \"ADVANCE\""}`, res.Body)
}

// TestMethodsOnEveryControlRoute: on every route of the control plane,
// the vendors' control routes included (chi.Walk), a method the path does not
// serve is a 405 {"error"} with Allow, HEAD answers like GET, and a path no
// route has is a 404.
func TestMethodsOnEveryControlRoute(t *testing.T) {
	t.Parallel()
	var vendors map[string]http.Handler
	env := emutest.New(t, []store.Schema{greenarrow.Schema(), loop.Schema()}, func(d server.Deps) []server.Vendor {
		ga, lm := greenarrow.New(d), loop.New(d)
		vendors = map[string]http.Handler{"greenarrow": ga.ControlRoutes(), "loopmessage": lm.ControlRoutes()}
		return []server.Vendor{ga, lm}
	})
	routes := (&control.Handler{Vendors: vendors}).Routes()
	table := emutest.RouteTable(t, routes)
	assert.Contains(t, table, "/greenarrow/organizations/{id}/sends")
	assert.Contains(t, table, "/loopmessage/senders/{id}/status")
	env.CheckMethods(t, emutest.MethodRules{Prefix: "/_emulator", Routes: routes, Fill: emutest.FillParams(nil),
		Error: controlError})
}

// TestControlPathParamsAreDecoded: the control plane's own path parameters
// (a fault rule's id, a docs page) are percent-decoded like the vendors',
// every byte of them escaped or not.
func TestControlPathParamsAreDecoded(t *testing.T) {
	t.Parallel()
	h := &control.Handler{Faults: fault.NewSet(map[string]string{"360dialog": "/360dialog"}),
		Docs: fstest.MapFS{"faults.md": {Data: []byte("# Faults")}}}
	srv := httptest.NewServer(h.Routes())
	defer srv.Close()
	do := func(method, path, body string) emutest.Response {
		return (&emutest.Env{URL: srv.URL, Server: srv}).Do(t, method, path, body)
	}
	for _, id := range []string{"f1", emutest.EscapeAll("f2")} {
		res := do("POST", "/faults", `{"vendor": "360dialog", "status": 503}`)
		require.Equal(t, http.StatusCreated, res.Status, res.Body)
		assert.Equal(t, http.StatusNoContent, do("DELETE", "/faults/"+id, "").Status, id)
	}
	assert.JSONEq(t, `{"faults": []}`, do("GET", "/faults", "").Body)
	controlError(t, do("DELETE", "/faults/"+emutest.EscapeAll("f9"), ""), http.StatusNotFound)

	for _, page := range []string{"faults.md", emutest.EscapeAll("faults.md"), "faults%2Emd"} {
		res := do("GET", "/docs/"+page, "")
		assert.Equal(t, http.StatusOK, res.Status, page)
		assert.Equal(t, "# Faults", res.Body, page)
	}
	controlError(t, do("GET", "/docs/"+emutest.EscapeAll("../faults.md"), ""), http.StatusNotFound)
}

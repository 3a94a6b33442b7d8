package loop_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/loop"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// newSeqLM is newLM with sequential ids, so that two environments given the
// same requests end in the same state.
func newSeqLM(t *testing.T) *emutest.Env {
	return emutest.New(t, []store.Schema{loop.Schema()}, func(d server.Deps) []server.Vendor {
		return []server.Vendor{loop.New(d)}
	}, emutest.WithSequentialIDs())
}

// routesOnly is an API over env's store for its route tables: without the
// outbox, whose worker env has started (a timer added now would race it).
func routesOnly(env *emutest.Env) *loop.API {
	d := env.Deps
	d.Webhooks = nil
	return loop.New(d)
}

func snapshotOf(t *testing.T, env *emutest.Env) string { return (&lm{Env: env}).snapshot(t) }

// lmPool creates a pool as Acme Support and returns its id.
func lmPool(t *testing.T, env *emutest.Env) string {
	var p struct {
		ID string `json:"id"`
	}
	ok(t, (&lm{Env: env}).call(t, "POST", "pool/new/", `{"name": "Team"}`, keyAcmeSupport), &p)
	return p.ID
}

const lmBase = "/loopmessage/api/v1/"

// lmWriteRoutes are every JSON write route of LoopMessage and of its control
// routes, each with a valid body whose names, URLs and codes are marked.
func lmWriteRoutes() []emutest.WriteRoute {
	def := []string{"Authorization: " + keyAcmeDefault}
	return []emutest.WriteRoute{
		{Method: "POST", Path: lmBase + "organizations/new/", Headers: def, Status: 200,
			Template: `{"name": "New@1@ Org", "website": "https://new.example.com/@2@", "support_url": "https://new.example.com/help",
				"country": "US@3@", "webhook_url": "https://new.example.com/hook", "webhook_header": "Bearer x@4@"}`},
		{Method: "PATCH", Path: lmBase + "organizations/details/" + orgAcmeLabs + "/", Headers: def, Status: 200,
			Template: `{"name": "Labs@1@ Renamed", "webhook_url": "https://labs.example.com/hook@2@", "country": "G@3@B"}`},
		{Method: "POST", Path: lmBase + "sender/new/", Headers: []string{"Authorization: " + keyAcmeLabs}, Status: 200,
			Template: `{"plan_id": "` + planStarter + `@1@", "phone_region": "US", "zip_code": "94105",
				"contact": {"first_name": "Ann@2@", "last_name": "Lee"}}`},
		{Method: "POST", Path: lmBase + "sender/new/", Headers: []string{"Authorization: " + keyAcmeLabs}, Status: 200,
			Template: `{"senders": [{"plan_id": "` + planStarter + `", "name": "news@1@", "domain": "acme.example.com@2@"}]}`},
		{Method: "PATCH", Path: lmBase + "sender/" + senderSupportActive + "/", Headers: def, Status: 200,
			Template: `{"organization_id": "` + orgAcmeLabs + `@1@"}`},
		{Method: "POST", Path: lmBase + "pool/new/", Headers: []string{"Authorization: " + keyAcmeSupport}, Status: 200,
			Template: `{"name": "Pool@1@", "ids": ["` + senderSupportActive + `@2@"]}`},
		{Method: "PATCH", Path: lmBase + "pool/%s/", Headers: []string{"Authorization: " + keyAcmeSupport}, Status: 200,
			Template: `{"name": "Renamed@1@", "ids": ["` + senderSupportActive + `@2@"]}`, Setup: lmPool},
		{Method: "POST", Path: "/_emulator/loopmessage/senders/" + senderSupportCancel + "/status", Strict: true, Status: 200,
			Template: `{"status": "suspended@1@"}`},
	}
}

// TestStrictJSONOnEveryWriteRoute: data after the JSON value, null, invalid
// UTF-8 and NUL characters are refused (400, code 125; the control routes'
// {"error"}), changing nothing; members that differ from LoopMessage's only
// by case are unknown members (ignored, as LoopMessage ignores unknown fields;
// refused by the strict control route).
func TestStrictJSONOnEveryWriteRoute(t *testing.T) {
	t.Parallel()
	routes := lmWriteRoutes()

	// The table is every POST, PUT and PATCH route of the router and of the
	// control routes.
	var listed, walked []string
	for _, rt := range routes {
		p := strings.Replace(rt.Path, "%s", "{id}", 1)
		for _, id := range []string{orgAcmeLabs, senderSupportActive, senderSupportCancel} {
			p = strings.Replace(p, id, "{id}", 1)
		}
		listed = append(listed, rt.Method+" "+p)
	}
	api := routesOnly(newSeqLM(t))
	for prefix, h := range map[string]http.Handler{"/loopmessage": api.Routes(),
		"/_emulator/loopmessage": api.ControlRoutes()} {
		for pattern, methods := range emutest.RouteTable(t, h) {
			for _, m := range methods {
				if m == "POST" || m == "PUT" || m == "PATCH" {
					walked = append(walked, m+" "+prefix+pattern)
				}
			}
		}
	}
	assert.ElementsMatch(t, walked, slices.Compact(slices.Sorted(slices.Values(listed))))

	emutest.CheckBodies(t, emutest.BodyRules{
		New:      newSeqLM,
		Snapshot: snapshotOf,
		Refused: func(t *testing.T, res emutest.Response) {
			if strings.HasPrefix(res.Body, `{"error"`) { // the control routes
				assert.Equal(t, 400, res.Status, res.Body)
				return
			}
			fails(t, res, 400, 125)
		},
		Routes: routes,
	})
}

// TestMethodsOnEveryRoute: on every route (chi.Walk), a method the path does
// not serve is a 405 with Allow in LoopMessage's body (code 100), HEAD answers
// like GET, and a path no route has is a 404.
func TestMethodsOnEveryRoute(t *testing.T) {
	t.Parallel()
	env := newSeqLM(t)
	api := routesOnly(env)
	lmErr := func(t *testing.T, res emutest.Response, status int) { fails(t, res, status, 100) }
	env.CheckMethods(t, emutest.MethodRules{Prefix: "/loopmessage", Routes: api.Routes(),
		Fill: emutest.FillParams(map[string]string{"id": orgAcmeSupport}), Headers: []string{"Authorization: " + keyAcmeDefault},
		Error: lmErr})
	env.CheckMethods(t, emutest.MethodRules{Prefix: "/_emulator/loopmessage", Routes: api.ControlRoutes(),
		Fill: emutest.FillParams(nil), Error: func(t *testing.T, res emutest.Response, status int) {
			assert.Equal(t, status, res.Status)
			assert.Contains(t, res.Body, `{"error":`)
		}})
}

// TestPercentEncodedIDs: an id sent percent-encoded (every byte of it) is
// the same id, on every route that takes one; an invalid escape, which only
// an in-process request can carry, names no object.
func TestPercentEncodedIDs(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	for _, tc := range []struct{ path, id string }{
		{"organizations/details/%s/", orgAcmeSupport},
		{"sender/%s/", senderSupportActive},
	} {
		plain := e.call(t, "GET", strings.Replace(tc.path, "%s", tc.id, 1), "", keyAcmeDefault)
		require.Equal(t, 200, plain.Status, plain.Body)
		enc := e.call(t, "GET", strings.Replace(tc.path, "%s", emutest.EscapeAll(tc.id), 1), "", keyAcmeDefault)
		assert.Equal(t, plain.Status, enc.Status, tc.path)
		assert.Equal(t, plain.Body, enc.Body, tc.path)
	}
	// Writes: move a sender, name a pool, cancel a sender, set a status, delete.
	ok(t, e.call(t, "PATCH", "sender/"+emutest.EscapeAll(senderSupportActive)+"/", `{"organization_id": "`+orgAcmeLabs+`"}`, keyAcmeDefault), nil)
	pool := lmPool(t, e.Env)
	ok(t, e.call(t, "PATCH", "pool/"+emutest.EscapeAll(pool)+"/", `{"name": "Renamed"}`, keyAcmeSupport), nil)
	assert.Contains(t, e.call(t, "GET", "pool/"+pool+"/", "", keyAcmeSupport).Body, `"name":"Renamed"`)
	ok(t, e.call(t, "DELETE", "pool/"+emutest.EscapeAll(pool)+"/", "", keyAcmeSupport), nil)
	ok(t, e.call(t, "DELETE", "sender/"+emutest.EscapeAll(senderSupportActive)+"/cancel/", "", keyAcmeLabs), nil)
	res := e.Do(t, "POST", "/_emulator/loopmessage/senders/"+emutest.EscapeAll(senderSupportCancel)+"/status", `{"status": "suspended"}`)
	assert.Equal(t, 200, res.Status, res.Body)
	assert.Contains(t, res.Body, `"status":"suspended"`)
	ok(t, e.call(t, "DELETE", "organizations/details/"+emutest.EscapeAll(orgAcmeLabs)+"/", "", keyAcmeDefault), nil)
	assert.NotContains(t, e.call(t, "GET", "organizations/list/", "", keyAcmeDefault).Body, orgAcmeLabs)

	req := httptest.NewRequest("GET", lmBase+"organizations/details/x/", nil)
	req.URL.RawPath = lmBase + "organizations/details/%zz/"
	req.Header.Set("Authorization", keyAcmeDefault)
	w := httptest.NewRecorder()
	e.Server.Config.Handler.ServeHTTP(w, req)
	assert.JSONEq(t, notFoundOrgBody, w.Body.String())
}

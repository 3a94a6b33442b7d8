package courier_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/courier"
	"github.com/emulator/vendor-emulator/internal/courier/catalog"
	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

func newSeqEnv(t *testing.T) *emutest.Env {
	return emutest.New(t, []store.Schema{courier.Schema()}, func(d server.Deps) []server.Vendor {
		return []server.Vendor{courier.New(d)}
	}, emutest.WithSequentialIDs())
}

// altRoutes are the alternative write routes the notes decide to serve, with
// the catalog operation each is.
var altRoutes = map[string]string{
	"PUT /v1/ask-entries/":                               "ask-entries.create",
	"POST /v1/messaging-messages/{id}/reaction/":         "messaging-messages.add-reaction",
	"POST /v1/messaging-messages/{id}/reactions/delete/": "messaging-messages.delete-reaction",
	"PUT /v1/messaging-channels/{id}/preferences/":       "messaging-channels.preferences",
	"PATCH /v1/messaging-channels/{id}/preferences/":     "messaging-channels.preferences",
	"POST /v1/messaging-channels/{id}/sms-path/":         "messaging-channels.sms",
	"POST /v1/messaging-channels/{id}/subscribe/":        "messaging-channels.add-subscribers",
	"POST /v1/messaging-channels/{id}/unsubscribers/":    "messaging-channels.remove-subscribers",
	"DELETE /v1/messaging-channels/{id}/subscribers/":    "messaging-channels.remove-subscribers",
}

// markStrings marks the first and the last string value of a body (in key
// order) as a name, URL or code for emutest.RefusedBodies.
func markStrings(t *testing.T, body string) string {
	t.Helper()
	if body == "" {
		return body
	}
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	var v any
	require.NoError(t, dec.Decode(&v), body)
	var leaves []*string
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				x[k] = walk(x[k])
			}
		case []any:
			for i := range x {
				x[i] = walk(x[i])
			}
		case string:
			s := new(string)
			*s = x
			leaves = append(leaves, s)
			return s
		}
		return v
	}
	v = walk(v)
	if len(leaves) > 0 {
		*leaves[0] += "@1@"
		if len(leaves) > 1 {
			*leaves[len(leaves)-1] += "@2@"
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(v))
	return strings.TrimSpace(b.String())
}

// TestStrictJSONOnEveryWriteRoute: on every write route of the catalog (and
// the alternative ones), data after the JSON value, null, invalid UTF-8 and
// NUL characters are 400 errors documents that change nothing; members that
// differ from the documented ones only by case ({"DATA"}, {"Attributes"},
// {"INDIVIDUAL-ID"}) are unknown members, never read as the documented ones.
func TestStrictJSONOnEveryWriteRoute(t *testing.T) {
	t.Parallel()
	walk := groupedWalk()
	for id, req := range freshWalk {
		walk[id] = req
	}
	ops := map[string]string{} // "METHOD pattern" → operation
	for _, op := range catalog.Operations() {
		if op.Method != http.MethodGet {
			ops[op.Method+" "+op.Path] = op.ID
		}
	}
	for route, op := range altRoutes {
		ops[route] = op
	}
	// The table is every route of the router that is not a GET.
	var walked []string
	for pattern, methods := range emutest.RouteTable(t, courier.New(newEnv(t).Deps).Routes()) {
		for _, m := range methods {
			if m != http.MethodGet {
				walked = append(walked, m+" "+pattern)
			}
		}
	}
	var listed []string
	for route := range ops {
		listed = append(listed, route)
	}
	assert.ElementsMatch(t, walked, listed)

	byID := map[string]jsonapiOp{}
	for _, op := range catalog.Operations() {
		byID[op.ID] = jsonapiOp{op.Method, op.Path, op.Body, walkStatus(op)}
	}
	var routes []emutest.WriteRoute
	param := regexp.MustCompile(`/v[12]/[^/]+/([^/]+)/`)
	for route, id := range ops {
		method, pattern, _ := strings.Cut(route, " ")
		req, ok := walk[id]
		require.True(t, ok, "no walk request for %s", id)
		op := byID[id]
		// The walk's path, on this route's pattern: the same id, the same query.
		path, query, _ := strings.Cut(req.path, "?")
		if pattern != op.path {
			if m := param.FindStringSubmatch(path); m != nil {
				path = strings.Replace(pattern, "{id}", m[1], 1)
			} else {
				path = pattern
			}
		}
		if query != "" {
			path += "?" + query
		}
		status := op.status // a DELETE action too answers its documented status
		// Names are matched in a document's members, its data's and its
		// attributes'; in an action body, at the top. Deeper objects are the
		// client's own (template data, args...).
		free := 1
		if op.body == "jsonapi" {
			free = 3
		}
		body := req.body
		if body == "" {
			body = `{}` // what an action without a body is sent
		}
		routes = append(routes, emutest.WriteRoute{Method: method, Path: "/courier" + strings.ReplaceAll(path, ">", "%3E"),
			Template: markStrings(t, body), Headers: []string{"Authorization: Bearer " + adminToken}, Status: status,
			FreeBelow: free})
	}
	sort.Slice(routes, func(i, j int) bool { return routes[i].Method+routes[i].Path < routes[j].Method+routes[j].Path })

	emutest.CheckBodies(t, emutest.BodyRules{
		New:      newSeqEnv,
		Snapshot: func(t *testing.T, e *emutest.Env) string { return snapshot(t, e) },
		Refused: func(t *testing.T, res emutest.Response) {
			require.Equal(t, http.StatusBadRequest, res.Status, res.Body)
			assert.Equal(t, ContentTypeAPI, res.Header.Get("Content-Type"))
			d := decode(t, res)
			require.NotEmpty(t, d.Errors, res.Body)
			assert.Contains(t, []string{"ParseError", "ValidationError"}, d.Errors[0].Code, res.Body)
			assert.Equal(t, 400, d.Errors[0].Status)
		},
		Routes: routes,
	})
}

type jsonapiOp struct {
	method, path, body string
	status             int
}

// TestMethodsOnEveryRoute: on every route (chi.Walk: the catalog's and the
// alternative ones), a method the path does not serve is a 405
// MethodNotAllowed errors document with Allow, HEAD answers like GET, and a
// path no route has is a 404.
func TestMethodsOnEveryRoute(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	env.CheckMethods(t, emutest.MethodRules{Prefix: "/courier", Routes: courier.New(env.Deps).Routes(),
		Fill: emutest.FillParams(map[string]string{"id": chanGroup1}), Headers: []string{"Authorization: Bearer " + adminToken},
		Error: func(t *testing.T, res emutest.Response, status int) {
			require.Equal(t, status, res.Status, res.Body)
			d := decode(t, res)
			require.Len(t, d.Errors, 1, res.Body)
			code := "NotFound"
			if status == http.StatusMethodNotAllowed {
				code = "MethodNotAllowed"
			}
			assert.Equal(t, code, d.Errors[0].Code)
			assert.Equal(t, status, d.Errors[0].Status)
		}})
}

// TestPercentEncodedIDs: an id sent percent-encoded is the same id, for the
// walk's request of every operation on an item; an invalid escape names
// nothing (404).
func TestPercentEncodedIDs(t *testing.T) {
	t.Parallel()
	item := regexp.MustCompile(`^(/v[12]/[^/]+/)([^/?]+)(/.*)$`)
	n := 0
	for _, op := range catalog.Operations() {
		req, ok := freshWalk[op.ID]
		if !ok || op.Method != http.MethodGet || !strings.Contains(op.Path, "{id}") {
			continue
		}
		m := item.FindStringSubmatch(req.path)
		require.NotNil(t, m, req.path)
		env := newEnv(t)
		plain := call(t, env, adminToken, "GET", strings.ReplaceAll(req.path, ">", "%3E"), "")
		require.Equal(t, 200, plain.Status, plain.Body)
		enc := call(t, env, adminToken, "GET", strings.ReplaceAll(m[1]+emutest.EscapeAll(m[2])+m[3], ">", "%3E"), "")
		assert.Equal(t, plain.Status, enc.Status, op.ID)
		assert.Equal(t, plain.Body, enc.Body, op.ID)
		n++
	}
	assert.Greater(t, n, 10)

	// A write on an encoded id, and a Twilio id.
	env := newEnv(t)
	r := call(t, env, adminToken, "POST", "/v1/messaging-channels/"+emutest.EscapeAll(chanGroup1)+"/archive/", `{}`)
	require.Equal(t, 201, r.Status, r.Body)
	assert.Equal(t, true, get(t, env, adminToken, "/v1/messaging-channels/"+chanGroup1+"/").Attributes["archived"])
	r = call(t, env, adminToken, "GET", "/v1/text-receive-logs/"+emutest.EscapeAll(receiveLogSID)+"/", "")
	assert.Equal(t, 200, r.Status, r.Body)

	req := httptest.NewRequest("GET", "/courier/v1/messaging-channels/x/", nil)
	req.URL.RawPath = "/courier/v1/messaging-channels/%zz/"
	req.Header.Set("Authorization", "Bearer "+adminToken)
	w := httptest.NewRecorder()
	env.Server.Config.Handler.ServeHTTP(w, req)
	assert.Equal(t, 404, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"code":"NotFound"`)
}

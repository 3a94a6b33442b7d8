package courier_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/courier"
	"github.com/emulator/vendor-emulator/internal/courier/catalog"
	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// actionCase is one route of an action with the valid request of the catalog
// walks, moved to that route.
type actionCase struct {
	route      courier.ActionRoute
	op         jsonapi.Operation
	path, body string
}

func (a actionCase) name() string { return a.route.Method + " " + a.route.Path }

// actionCases are every route of every action of the table (the catalog's own
// and the alternatives), each with its valid walk request.
func actionCases(t *testing.T) []actionCase {
	t.Helper()
	ops := map[string]jsonapi.Operation{}
	for _, op := range catalog.Operations() {
		ops[op.ID] = op
	}
	walk := groupedWalk()
	for id, r := range freshWalk {
		walk[id] = r
	}
	var out []actionCase
	for _, route := range courier.ActionRoutes() {
		op, ok := ops[route.Op]
		require.True(t, ok, "%s is not in the catalog", route.Op)
		req, ok := walk[route.Op]
		require.True(t, ok, "no walk request for %s", route.Op)
		out = append(out, actionCase{route: route, op: op, path: movePath(t, op.Path, route.Path, req.path), body: req.body})
	}
	return out
}

// movePath is the walk's request path (on the catalog path pattern) moved to
// another route of the same operation: same {id}, same query string.
func movePath(t *testing.T, pattern, route, walked string) string {
	t.Helper()
	p, query, _ := strings.Cut(walked, "?")
	want, got := strings.Split(pattern, "/"), strings.Split(p, "/")
	require.Len(t, got, len(want), "%s does not follow %s", walked, pattern)
	for i, seg := range want {
		if seg == "{id}" {
			route = strings.Replace(route, "{id}", got[i], 1)
		}
	}
	if query != "" {
		route += "?" + strings.ReplaceAll(query, ">", "%3E")
	}
	return route
}

// TestEveryActionAnswersWhatTheCatalogDocuments sends the valid request of
// every action on each of its routes (alternatives and DELETEs included) to
// fresh fixtures: the answer has the documented status and a body of the
// documented kind. Carium's client decodes the body of every action's answer,
// so none is empty.
func TestEveryActionAnswersWhatTheCatalogDocuments(t *testing.T) {
	t.Parallel()
	cases := actionCases(t)
	require.NotEmpty(t, cases)
	samples := documentedSamples(t)
	for _, tc := range cases {
		t.Run(tc.name(), func(t *testing.T) {
			t.Parallel()
			env := newEnv(t)
			r := call(t, env, adminToken, tc.route.Method, tc.path, tc.body)
			require.Equal(t, walkStatus(tc.op), r.Status, "%s %s: %s", tc.route.Method, tc.path, r.Body)
			assertDocumentedBody(t, tc.op, samples[tc.op.ID], r)
		})
	}
}

// documentedSamples are the documented response samples of the catalog's
// source (the vendor's documentation as JSON), by operation id.
func documentedSamples(t *testing.T) map[string]json.RawMessage {
	t.Helper()
	raw, err := os.ReadFile("catalog/courier-operations.json")
	require.NoError(t, err)
	var src struct {
		Operations []struct {
			ID       string `json:"id"`
			Response struct {
				Sample json.RawMessage `json:"sample"`
			} `json:"response"`
		} `json:"operations"`
	}
	require.NoError(t, json.Unmarshal(raw, &src))
	out := map[string]json.RawMessage{}
	for _, op := range src.Operations {
		out[op.ID] = op.Response.Sample
	}
	return out
}

// assertDocumentedBody checks that an answer's body is of the kind the
// catalog documents for op: the content type, and the shape of the
// documented sample (the same top-level members; a JSON:API document's data
// an object or an array of resources of the documented type with the
// sample's members and attributes).
func assertDocumentedBody(t *testing.T, op jsonapi.Operation, sample json.RawMessage, r emutest.Response) {
	t.Helper()
	require.NotEmpty(t, r.Body, "an action answers a JSON body")
	require.True(t, json.Valid([]byte(r.Body)), r.Body)
	ct := r.Header.Get("Content-Type")
	switch op.Response {
	case "jsonapi single", "jsonapi list":
		assert.Equal(t, ContentTypeAPI, ct)
	case "plain object", "empty object", "null":
		assert.Equal(t, jsonapi.ContentTypeJSON, ct)
	default:
		// Nothing documented (the two Twilio webhooks, whose sample is an
		// error): the notes decide an answer, a JSON object in any case.
		assert.Equal(t, byte('{'), bytes.TrimSpace([]byte(r.Body))[0], r.Body)
		return
	}
	assertSameShape(t, op, sample, json.RawMessage(r.Body))
}

// assertSameShape compares an answer with the documented sample: null with
// null; an object's member names; a JSON:API document's resources.
func assertSameShape(t *testing.T, op jsonapi.Operation, sample, got json.RawMessage) {
	t.Helper()
	if string(bytes.TrimSpace(sample)) == "null" {
		assert.JSONEq(t, `null`, string(got))
		return
	}
	var want, have map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(sample, &want), "%s", sample)
	require.NoError(t, json.Unmarshal(got, &have), "%s", got)
	require.NotNil(t, have, "%s answers an object: %s", op.ID, got)
	if op.Response == "jsonapi list" {
		delete(have, "links") // [decided] every paged list adds JSON:API links
	}
	assert.Equal(t, jsonapi.SortedKeys(want), jsonapi.SortedKeys(have), "%s: %s", op.ID, got)
	if !strings.HasPrefix(op.Response, "jsonapi") {
		return
	}
	resources := func(raw json.RawMessage) []map[string]json.RawMessage {
		var list []map[string]json.RawMessage
		if op.Response == "jsonapi list" {
			require.NoError(t, json.Unmarshal(raw, &list), "%s", raw)
			return list
		}
		var one map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(raw, &one), "%s", raw)
		require.NotNil(t, one, "%s", raw)
		return append(list, one)
	}
	wantItems, haveItems := resources(want["data"]), resources(have["data"])
	require.NotEmpty(t, wantItems)
	for _, it := range haveItems {
		assert.Equal(t, jsonapi.SortedKeys(wantItems[0]), jsonapi.SortedKeys(it), "%s", got)
		assert.JSONEq(t, `"`+op.Type+`"`, string(it["type"]), "%s", got)
		var wantAttrs, haveAttrs map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(wantItems[0]["attributes"], &wantAttrs))
		require.NoError(t, json.Unmarshal(it["attributes"], &haveAttrs), "%s", got)
		assert.Equal(t, jsonapi.SortedKeys(wantAttrs), jsonapi.SortedKeys(haveAttrs), "%s: %s", op.ID, got)
	}
}

// queryOf is a plain JSON body as the query string Carium's client would
// send for it: strings as they are, other scalars as their JSON text, an
// array as the parameter repeated.
func queryOf(t *testing.T, body string) string {
	t.Helper()
	var obj map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(body), &obj), body)
	q := url.Values{}
	scalar := func(raw json.RawMessage) string {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return string(raw)
	}
	for k, v := range obj {
		var items []json.RawMessage
		if json.Unmarshal(v, &items) == nil {
			for _, it := range items {
				q.Add(k, scalar(it))
			}
			continue
		}
		q.Set(k, scalar(v))
	}
	return q.Encode()
}

func newSequentialEnv(t *testing.T) *emutest.Env {
	return emutest.New(t, []store.Schema{courier.Schema()}, func(d server.Deps) []server.Vendor {
		return []server.Vendor{courier.New(d)}
	}, emutest.WithSequentialIDs())
}

// badArgument is a value of a documented field, as JSON, that a query string
// can carry too (queryOf) and validation refuses; ok is false for a field
// that takes any string.
func badArgument(f jsonapi.Field) (value string, ok bool) {
	switch {
	case f.Kind == "array" && f.ItemFormat == "uuid":
		return `["not-a-uuid"]`, true
	case f.Kind == "boolean":
		return `"maybe"`, true
	case f.Kind == "integer":
		return `1.5`, true
	case f.Kind == "number":
		return `"many"`, true
	case f.Kind == "object":
		return `"none"`, true
	case len(f.Enum) > 0:
		return `"nope"`, true
	case f.Format == "uuid":
		return `"not-a-uuid"`, true
	}
	return "", false
}

// TestDeleteActionsTakeQueryArguments: every DELETE route of an action takes
// its arguments as query parameters, as Carium's client sends them: the
// valid request answers and changes the store exactly as with the arguments
// in a body; each wrong, missing or unknown argument is refused with the
// status, code and detail of the body form, the source naming the parameter;
// a refused request changes nothing.
func TestDeleteActionsTakeQueryArguments(t *testing.T) {
	t.Parallel()
	samples := documentedSamples(t)
	var deletes []actionCase
	for _, tc := range actionCases(t) {
		if tc.route.Method == http.MethodDelete {
			deletes = append(deletes, tc)
		}
	}
	// The catalog's delete-reaction and the DELETE alternative of remove-subscribers.
	require.GreaterOrEqual(t, len(deletes), 2)
	for _, tc := range deletes {
		t.Run(tc.name(), func(t *testing.T) {
			t.Parallel()
			require.Equal(t, "plain", tc.op.Body, "a DELETE action takes a plain body")
			path, _, _ := strings.Cut(tc.path, "?")
			require.Equal(t, tc.path, path, "the walk sends the arguments in the body")

			t.Run("valid", func(t *testing.T) {
				t.Parallel()
				inBody, inQuery := newSequentialEnv(t), newSequentialEnv(t)
				b := call(t, inBody, adminToken, http.MethodDelete, path, tc.body)
				q := call(t, inQuery, adminToken, http.MethodDelete, path+"?"+queryOf(t, tc.body), "")
				require.Equal(t, walkStatus(tc.op), b.Status, b.Body)
				require.Equal(t, b.Status, q.Status, q.Body)
				assert.Equal(t, b.Header.Get("Content-Type"), q.Header.Get("Content-Type"))
				assert.Equal(t, b.Body, q.Body)
				assertDocumentedBody(t, tc.op, samples[tc.op.ID], q)
				assert.Equal(t, storeState(t, inBody), storeState(t, inQuery), "the same change")
			})

			t.Run("refused", func(t *testing.T) {
				t.Parallel()
				var valid map[string]json.RawMessage
				require.NoError(t, json.Unmarshal([]byte(tc.body), &valid))
				type refusal struct{ name, body string }
				with := func(name string, value json.RawMessage) string {
					obj := map[string]json.RawMessage{}
					for k, v := range valid {
						obj[k] = v
					}
					if value == nil {
						delete(obj, name)
					} else {
						obj[name] = value
					}
					b, err := json.Marshal(obj)
					require.NoError(t, err)
					return string(b)
				}
				cases := []refusal{
					{name: "unknown argument", body: with("bogus", json.RawMessage(`"1"`))},
					{name: "no arguments", body: `{}`},
				}
				for _, f := range tc.op.Fields {
					if f.Required {
						cases = append(cases, refusal{name: "missing " + f.Name, body: with(f.Name, nil)})
					}
					if v, ok := badArgument(f); ok {
						cases = append(cases, refusal{name: "wrong " + f.Name, body: with(f.Name, json.RawMessage(v))})
					}
				}
				env := newEnv(t)
				before := storeState(t, env)
				for _, rc := range cases {
					b := call(t, env, adminToken, http.MethodDelete, path, rc.body)
					q := call(t, env, adminToken, http.MethodDelete, path+"?"+queryOf(t, rc.body), "")
					require.Equal(t, http.StatusBadRequest, b.Status, "%s: %s", rc.name, b.Body)
					require.Equal(t, http.StatusBadRequest, q.Status, "%s: %s", rc.name, q.Body)
					be, qe := decode(t, b).Errors, decode(t, q).Errors
					require.Len(t, qe, len(be), "%s: %s", rc.name, q.Body)
					for i := range be {
						assert.Equal(t, be[i].Status, qe[i].Status, rc.name)
						assert.Equal(t, be[i].Code, qe[i].Code, rc.name)
						assert.Equal(t, be[i].Detail, qe[i].Detail, rc.name)
						member, _, _ := strings.Cut(strings.TrimPrefix(be[i].Source["pointer"], "/"), "/")
						require.NotEmpty(t, member, "%s: %s", rc.name, b.Body)
						assert.Equal(t, map[string]string{"parameter": member}, qe[i].Source, "%s: %s", rc.name, q.Body)
					}
				}
				// A scalar argument given twice.
				for _, f := range tc.op.Fields {
					if f.Kind != "array" {
						q := call(t, env, adminToken, http.MethodDelete, path+"?"+f.Name+"=a&"+f.Name+"=b", "")
						require.Equal(t, http.StatusBadRequest, q.Status, q.Body)
						assert.Equal(t, fmt.Sprintf("Query parameter %q may be given only once.", f.Name), decode(t, q).Errors[0].Detail)
						assert.Equal(t, map[string]string{"parameter": f.Name}, decode(t, q).Errors[0].Source)
					}
				}
				assert.Equal(t, before, storeState(t, env), "refused requests change nothing")
			})
		})
	}
}

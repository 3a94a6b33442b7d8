package courier_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/courier"
	"github.com/emulator/vendor-emulator/internal/courier/catalog"
	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/emutest"
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

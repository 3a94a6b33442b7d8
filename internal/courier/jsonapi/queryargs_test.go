package jsonapi_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
)

// unpinFields are the arguments of widgets.unpin, a DELETE action with one
// field of every kind a query string has to map.
var unpinFields = []jsonapi.Field{
	{Name: "pin", Kind: "string", Required: true, Enum: []string{"top", "side"}},
	{Name: "force", Kind: "boolean"},
	{Name: "count", Kind: "integer"},
	{Name: "weight", Kind: "number"},
	{Name: "ids", Kind: "array", ItemKind: "string", ItemFormat: "uuid"},
	{Name: "opts", Kind: "object"},
	{Name: "owner", Kind: "string", Format: "uuid"},
}

// echo answers the body the action received, as the engine typed it.
func echo(_ *jsonapi.Call, _ *jsonapi.Record, body map[string]json.RawMessage) (any, error) {
	return body, nil
}

const (
	unpinWidget = "c1000000-0000-4000-8000-000000000001"
	unpinPath   = "/v1/widgets/" + unpinWidget + "/pins/"
	uuid1       = "d1000000-0000-4000-8000-000000000001"
	uuid2       = "d1000000-0000-4000-8000-000000000002"
)

// TestDeleteActionTakesQueryArguments: a DELETE action without a body takes
// its arguments from the query string, typed by the catalog's fields, and
// answers exactly what the same arguments in a body answer.
func TestDeleteActionTakesQueryArguments(t *testing.T) {
	w := newWorld(t)
	w.create(t, unpinWidget, "gear", "red")
	want := `{"count": 3, "force": true, "ids": ["` + uuid1 + `", "` + uuid2 + `"], "opts": {"a": [1]}, "owner": "` + uuid1 + `", "pin": "top", "weight": 1.5}`
	cases := []struct{ name, query string }{
		{"typed", "pin=top&force=true&count=3&weight=1.5&ids=" + uuid1 + "&ids=" + uuid2 + "&opts=" + url.QueryEscape(`{"a": [1]}`) + "&owner=" + uuid1},
		{"boolean any case, name[] for arrays", "pin=top&force=TRUE&count=3&weight=1.5&ids[]=" + uuid1 + "&ids[]=" + uuid2 + "&opts=" + url.QueryEscape(`{"a":[1]}`) + "&owner=" + uuid1},
		{"boolean as 1", "pin=top&force=1&count=3&weight=1.5&ids=" + uuid1 + "&ids%5B%5D=" + uuid2 + "&opts=" + url.QueryEscape(`{"a":[1]}`) + "&owner=" + uuid1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := w.do(t, "DELETE", unpinPath+"?"+tc.query, "")
			require.Equal(t, 201, a.status, a.body)
			assert.JSONEq(t, want, a.body)
		})
	}
	a := w.do(t, "DELETE", unpinPath, want)
	require.Equal(t, 201, a.status, a.body)
	assert.JSONEq(t, want, a.body)
	// An array of one value, and arguments left out.
	a = w.do(t, "DELETE", unpinPath+"?pin=side&ids="+uuid2, "")
	require.Equal(t, 201, a.status, a.body)
	assert.JSONEq(t, `{"ids": ["`+uuid2+`"], "pin": "side"}`, a.body)
}

// TestDeleteActionQueryErrorsAreTheBodys: each wrong argument is refused in
// the query string with the status, code and detail the same argument gets
// in a body; the source names the query parameter instead of the member.
func TestDeleteActionQueryErrorsAreTheBodys(t *testing.T) {
	w := newWorld(t)
	w.create(t, unpinWidget, "gear", "red")
	cases := []struct{ name, query, body string }{
		{"enum", "pin=middle", `{"pin": "middle"}`},
		{"required", "force=true", `{"force": true}`},
		{"boolean", "pin=top&force=maybe", `{"pin": "top", "force": "maybe"}`},
		{"integer", "pin=top&count=1.5", `{"pin": "top", "count": 1.5}`},
		{"integer, not a number", "pin=top&count=three", `{"pin": "top", "count": "three"}`},
		{"number", "pin=top&weight=heavy", `{"pin": "top", "weight": "heavy"}`},
		{"array item", "pin=top&ids=" + uuid1 + "&ids=x", `{"pin": "top", "ids": ["` + uuid1 + `", "x"]}`},
		{"object", "pin=top&opts=x", `{"pin": "top", "opts": "x"}`},
		{"object, not an object", "pin=top&opts=%5B1%5D", `{"pin": "top", "opts": "[1]"}`},
		{"uuid", "pin=top&owner=nobody", `{"pin": "top", "owner": "nobody"}`},
		{"unknown", "pin=top&colour=red", `{"pin": "top", "colour": "red"}`},
		{"several at once", "colour=red&force=maybe", `{"colour": "red", "force": "maybe"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := w.do(t, "DELETE", unpinPath+"?"+tc.query, "")
			b := w.do(t, "DELETE", unpinPath, tc.body)
			require.Equal(t, 400, q.status, q.body)
			require.Equal(t, 400, b.status, b.body)
			qe, be := errorsOf(t, q.body), errorsOf(t, b.body)
			require.Len(t, qe, len(be), q.body)
			for i := range be {
				assert.Equal(t, be[i].Status, qe[i].Status)
				assert.Equal(t, be[i].Code, qe[i].Code)
				assert.Equal(t, be[i].Detail, qe[i].Detail)
				member, _, _ := strings.Cut(strings.TrimPrefix(be[i].Source["pointer"], "/"), "/")
				assert.Equal(t, map[string]string{"parameter": member}, qe[i].Source, q.body)
			}
		})
	}
}

// TestDeleteActionQueryRules: what only a query string can get wrong, and
// where the query string holds no arguments.
func TestDeleteActionQueryRules(t *testing.T) {
	w := newWorld(t)
	w.create(t, unpinWidget, "gear", "red")
	cases := []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"a scalar given twice", "DELETE", unpinPath + "?pin=top&pin=side", "", 400,
			`{"errors": [{"status": 400, "code": "ValidationError", "detail": "Query parameter \"pin\" may be given only once.", "source": {"parameter": "pin"}, "meta": {}}]}`},
		{"not URL-encoded", "DELETE", unpinPath + "?pin=%zz", "", 400,
			`{"errors": [{"status": 400, "code": "ValidationError", "detail": "Query parameter \"pin\" is not properly URL-encoded.", "source": {"parameter": "pin"}, "meta": {}}]}`},
		{"with a body, the query string holds no arguments", "DELETE", unpinPath + "?force=true", `{"pin": "top"}`, 400,
			`{"errors": [{"status": 400, "code": "ValidationError", "detail": "Unknown query parameter \"force\".", "source": {"parameter": "force"}, "meta": {}}]}`},
		{"nor with an empty object", "DELETE", unpinPath + "?pin=top", `{}`, 400,
			`{"errors": [{"status": 400, "code": "ValidationError", "detail": "Unknown query parameter \"pin\".", "source": {"parameter": "pin"}, "meta": {}}]}`},
		{"nor on the POST alternative", "POST", unpinPath + "delete/?pin=top", "", 400,
			`{"errors": [{"status": 400, "code": "ValidationError", "detail": "Unknown query parameter \"pin\".", "source": {"parameter": "pin"}, "meta": {}}]}`},
		{"the resource is looked up first", "DELETE", "/v1/widgets/" + widgetB + "/pins/?pin=nowhere", "", 404,
			`{"errors": [{"status": 404, "code": "NotFound", "detail": "widget not found.", "meta": {}}]}`},
		{"no arguments at all", "DELETE", unpinPath, "", 400,
			`{"errors": [{"status": 400, "code": "ValidationError", "detail": "This field is required.", "source": {"parameter": "pin"}, "meta": {}}]}`},
		{"the POST alternative takes the body", "POST", unpinPath + "delete/", `{"pin": "side", "force": false}`, 201,
			`{"force": false, "pin": "side"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := w.do(t, tc.method, tc.path, tc.body)
			assert.Equal(t, tc.status, a.status, a.body)
			assert.JSONEq(t, tc.want, a.body)
		})
	}
}

type errorObject struct {
	Status int               `json:"status"`
	Code   string            `json:"code"`
	Detail string            `json:"detail"`
	Source map[string]string `json:"source"`
}

func errorsOf(t *testing.T, body string) []errorObject {
	t.Helper()
	var d struct {
		Errors []errorObject `json:"errors"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &d), body)
	require.NotEmpty(t, d.Errors, body)
	return d.Errors
}

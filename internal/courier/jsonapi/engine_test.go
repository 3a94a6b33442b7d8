package jsonapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/clock"
	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/ids"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// The engine's own small world: widgets (owned by an organization) and their
// parts, over a catalog of six operations.
const (
	orgA    = "a0000000-0000-4000-8000-00000000000a"
	orgB    = "b0000000-0000-4000-8000-00000000000b"
	widgetB = "b1000000-0000-4000-8000-000000000001"
)

func ptr(v int64) *int64 { return &v }

func testCatalog() ([]jsonapi.Operation, map[string][]jsonapi.Attr) {
	list := []jsonapi.Param{
		{Name: "organization-id", Kind: "string", Format: "uuid"},
		{Name: "filter[color]", Kind: "string", Enum: []string{"red", "blue"}},
		{Name: "filter[text]", Kind: "string"},
		{Name: "sort", Kind: "array", ItemEnum: []string{"name", "-name"}},
		{Name: "page[limit]", Kind: "integer", Default: "2", Min: ptr(1), Max: ptr(50)},
		{Name: "page[offset]", Kind: "integer", Default: "0", Min: ptr(0)},
	}
	ops := []jsonapi.Operation{
		{ID: "widgets.list", Method: "GET", Path: "/v1/widgets/", Status: 200, Response: "jsonapi list", Type: "widgets", Query: list},
		{ID: "widgets.create", Method: "POST", Path: "/v1/widgets/", Status: 201, Response: "jsonapi single", Type: "widgets", Body: "jsonapi"},
		{ID: "widgets.get", Method: "GET", Path: "/v1/widgets/{id}/", Status: 200, Response: "jsonapi single", Type: "widgets"},
		{ID: "widgets.modify", Method: "PATCH", Path: "/v1/widgets/{id}/", Status: 200, Response: "jsonapi single", Type: "widgets", Body: "jsonapi"},
		{ID: "widgets.archive", Method: "POST", Path: "/v1/widgets/{id}/archive/", Status: 201, Response: "jsonapi single", Type: "widgets",
			Body: "plain", Fields: []jsonapi.Field{{Name: "reason", Kind: "string", MaxLength: 10, Required: true}}},
		{ID: "widgets.unpin", Method: "DELETE", Path: "/v1/widgets/{id}/pins/", Status: 201, Response: "plain object", Body: "plain", Fields: unpinFields},
		{ID: "parts.list", Method: "GET", Path: "/v1/parts/", Status: 200, Response: "jsonapi list", Type: "parts",
			Query: []jsonapi.Param{{Name: "widget-id", Kind: "string", Format: "uuid", Required: true}}},
	}
	types := map[string][]jsonapi.Attr{
		"widgets": {
			{Name: "archived", Kind: "boolean", ReadOnly: true},
			{Name: "color", Kind: "string", Enum: []string{"red", "blue"}, Create: true},
			{Name: "created-at", Kind: "string", ReadOnly: true},
			{Name: "name", Kind: "string", MaxLength: 20, Create: true, Modify: true},
			{Name: "organization-id", Kind: "string", Format: "uuid", Create: true},
			{Name: "reason", Kind: "string", ReadOnly: true},
		},
		"parts": {{Name: "label", Kind: "string", Create: true}, {Name: "widget-id", Kind: "string", Format: "uuid", Create: true}},
	}
	return ops, types
}

func testTable() []*jsonapi.Resource {
	return []*jsonapi.Resource{
		{
			Type: "widgets", Path: "/v1/widgets/",
			List: "widgets.list", Create: "widgets.create", Get: "widgets.get", Modify: "widgets.modify",
			OrgAttr: "organization-id", Text: []string{"name"}, Required: []string{"name"},
			Actions: []jsonapi.Action{{Op: "widgets.archive", OnItem: true, Handler: archive},
				{Op: "widgets.unpin", OnItem: true, Handler: echo, Alts: []string{"POST /v1/widgets/{id}/pins/delete/"}}},
		},
		{Type: "parts", Path: "/v1/parts/", List: "parts.list", Parent: &jsonapi.Parent{Attr: "widget-id", Type: "widgets"}},
	}
}

// archive is an action hook: it changes the record and answers it.
func archive(c *jsonapi.Call, rec *jsonapi.Record, body map[string]json.RawMessage) (any, error) {
	var reason string
	_ = json.Unmarshal(body["reason"], &reason)
	rec.Set("archived", true)
	rec.Set("reason", reason)
	return rec, c.Save(rec)
}

type world struct {
	url string
	db  *store.DB
	e   *jsonapi.Engine
}

// newWorld serves the table on a fresh store; the header X-Orgs names the
// caller's organizations (the vendor's authentication does that in real use).
func newWorld(t *testing.T) *world {
	t.Helper()
	return newWorldOf(t, testTable(), jsonapi.Migrations())
}

// newWorldOf serves a table over a store made by migrations.
func newWorldOf(t *testing.T, table []*jsonapi.Resource, migrations fs.FS) *world {
	t.Helper()
	ops, types := testCatalog()
	seed := func(ctx context.Context, tx *store.Tx, _ fs.FS) error {
		w := &jsonapi.Record{Type: "widgets", ID: widgetB, OrgID: orgB, CreatedAt: "2026-01-01T00:00:00.000000+00:00"}
		w.Set("name", "other")
		w.Set("organization-id", orgB)
		return jsonapi.NewEngine(server.Deps{}, ops, types, table).Insert(ctx, tx, w)
	}
	schema := store.Schema{Vendor: "widgets", TablePrefix: "cr_", Migrations: migrations, Seed: seed}
	db, err := store.Open(context.Background(), store.Memory, fstest.MapFS{}, schema)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	clk := clock.New(nil)
	clk.Freeze(true)
	clk.Set(time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC))
	deps := server.Deps{DB: db, Clock: clk, Log: slog.New(slog.DiscardHandler), IDs: ids.Random{}}
	e := jsonapi.NewEngine(deps, ops, types, table)
	r := chi.NewRouter()
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			caller := &jsonapi.Caller{UserID: "u1", Orgs: strings.Split(req.Header.Get("X-Orgs"), ",")}
			next.ServeHTTP(w, req.WithContext(jsonapi.WithCaller(jsonapi.WithEngine(req.Context(), e), caller)))
		})
	})
	e.Mount(r)
	r.NotFound(httpx.Adapt(e.WriteError, func(w http.ResponseWriter, r *http.Request) error {
		return &jsonapi.Error{Status: http.StatusNotFound, Code: jsonapi.CodeNotFound, Detail: "Not found."}
	}))
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return &world{url: srv.URL, db: db, e: e}
}

type answer struct {
	status int
	body   string
}

func (w *world) do(t *testing.T, method, path, body string) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, w.url+path, rd)
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/vnd.api+json")
	}
	req.Header.Set("X-Orgs", orgA)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return answer{res.StatusCode, strings.ReplaceAll(string(b), w.url, "http://h")}
}

func (w *world) create(t *testing.T, id, name, color string) {
	t.Helper()
	a := w.do(t, "POST", "/v1/widgets/", `{"data": {"type": "widgets", "id": "`+id+`", "attributes": {"name": "`+name+`", "color": "`+color+`", "organization-id": "`+orgA+`"}}}`)
	require.Equal(t, 201, a.status, a.body)
}

func TestCreateGetModifyInAttributeOrder(t *testing.T) {
	w := newWorld(t)
	a := w.do(t, "POST", "/v1/widgets/", `{"data": {"type": "widgets", "id": "C1000000-0000-4000-8000-000000000001",
		"attributes": {"name": "gear", "color": "red", "organization-id": "`+orgA+`", "archived": true}}}`)
	require.Equal(t, 201, a.status, a.body)
	// The id is lower-cased, read-only attributes are ignored, created-at is
	// stamped from the emulated clock, keys come in the type's order.
	want := `{"data":{"attributes":{"archived":false,"color":"red","created-at":"2026-01-15T12:00:00.000000+00:00","name":"gear","organization-id":"` + orgA + `","reason":null},"id":"c1000000-0000-4000-8000-000000000001","type":"widgets"},"meta":{}}`
	assert.Equal(t, want, strings.TrimSpace(a.body))
	assert.Equal(t, want, strings.TrimSpace(w.do(t, "GET", "/v1/widgets/c1000000-0000-4000-8000-000000000001/", "").body))

	a = w.do(t, "PATCH", "/v1/widgets/c1000000-0000-4000-8000-000000000001/", `{"data": {"type": "widgets", "id": "c1000000-0000-4000-8000-000000000001", "attributes": {"name": "cog"}}}`)
	require.Equal(t, 200, a.status, a.body)
	assert.Contains(t, a.body, `"name":"cog"`)
}

// TestBeforeWriteRunsAtEveryWrite: the model's BeforeWrite runs in the
// transaction of every write (a create, a modify, an action), and its error
// fails the write, which then changes nothing; a read never runs it.
func TestBeforeWriteRunsAtEveryWrite(t *testing.T) {
	w := newWorld(t)
	var mu sync.Mutex
	var ran []string
	fail := false
	w.e.BeforeWrite = func(c *jsonapi.Call) error {
		mu.Lock()
		defer mu.Unlock()
		ran = append(ran, c.Op.ID)
		if fail {
			return errors.New("refused")
		}
		return nil
	}
	const id = "c1000000-0000-4000-8000-000000000001"
	w.create(t, id, "gear", "red")
	assert.Equal(t, 200, w.do(t, "GET", "/v1/widgets/"+id+"/", "").status)
	assert.Equal(t, 200, w.do(t, "GET", "/v1/widgets/", "").status)
	assert.Equal(t, 200, w.do(t, "PATCH", "/v1/widgets/"+id+"/", `{"data": {"type": "widgets", "id": "`+id+`", "attributes": {"name": "cog"}}}`).status)
	assert.Equal(t, 201, w.do(t, "POST", "/v1/widgets/"+id+"/archive/", `{"reason": "old"}`).status)
	mu.Lock()
	assert.Equal(t, []string{"widgets.create", "widgets.modify", "widgets.archive"}, ran)
	fail = true
	mu.Unlock()
	assert.Equal(t, 500, w.do(t, "PATCH", "/v1/widgets/"+id+"/", `{"data": {"type": "widgets", "id": "`+id+`", "attributes": {"name": "wheel"}}}`).status)
	assert.Contains(t, w.do(t, "GET", "/v1/widgets/"+id+"/", "").body, `"name":"cog"`)
}

func TestDocumentErrors(t *testing.T) {
	w := newWorld(t)
	cases := []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"wrong type", "POST", "/v1/widgets/", `{"data": {"type": "parts", "attributes": {}}}`, 409, `"pointer":"/data/type"`},
		{"unknown attribute", "POST", "/v1/widgets/", `{"data": {"type": "widgets", "attributes": {"name": "x", "size": 1}}}`, 400, `"pointer":"/data/attributes/size"`},
		{"required attribute", "POST", "/v1/widgets/", `{"data": {"type": "widgets", "attributes": {"organization-id": "` + orgA + `"}}}`, 400, `"pointer":"/data/attributes/name"`},
		{"enum", "POST", "/v1/widgets/", `{"data": {"type": "widgets", "attributes": {"name": "x", "color": "green", "organization-id": "` + orgA + `"}}}`, 400, `Must be one of red, blue.`},
		{"max length", "POST", "/v1/widgets/", `{"data": {"type": "widgets", "attributes": {"name": "` + strings.Repeat("x", 21) + `", "organization-id": "` + orgA + `"}}}`, 400, `at most 20 characters`},
		{"another organization", "POST", "/v1/widgets/", `{"data": {"type": "widgets", "attributes": {"name": "x", "organization-id": "` + orgB + `"}}}`, 403, `"code":"PermissionDenied"`},
		{"trailing data", "POST", "/v1/widgets/", `{"data": {"type": "widgets", "attributes": {}}} {}`, 400, `"code":"ParseError"`},
		{"modify another organization's record", "PATCH", "/v1/widgets/" + widgetB + "/", `{"data": {"type": "widgets", "id": "` + widgetB + `", "attributes": {}}}`, 404, `"code":"NotFound"`},
		{"unknown parameter", "GET", "/v1/widgets/?color=red", "", 400, `"parameter":"color"`},
		{"limit below minimum", "GET", "/v1/widgets/?page[limit]=0", "", 400, `"detail":"Query parameter \"page[limit]\" must be at least 1."`},
		{"limit not an integer", "GET", "/v1/widgets/?page[limit]=5.0", "", 400, `"parameter":"page[limit]"`},
		{"include", "GET", "/v1/widgets/?include=parts", "", 400, `"parameter":"include"`},
		{"unknown attribute in fields", "GET", "/v1/widgets/?fields[widgets]=name,size", "", 400, `"detail":"widget has no attribute \"size\".","source":{"parameter":"fields[widgets]"}`},
		{"unknown type in fields", "GET", "/v1/widgets/?fields[gadgets]=name", "", 400, `"parameter":"fields[gadgets]"`},
		{"fields on a write", "POST", "/v1/widgets/?fields[widgets]=name", `{"data": {"type": "widgets", "attributes": {"name": "x", "organization-id": "` + orgA + `"}}}`, 400, `"detail":"Unknown query parameter \"fields[widgets]\"."`},
		{"required parameter", "GET", "/v1/parts/", "", 400, `"parameter":"widget-id"`},
		{"other organization's record", "GET", "/v1/widgets/" + widgetB + "/", "", 404, `"detail":"widget not found."`},
		{"action on another organization's record", "POST", "/v1/widgets/" + widgetB + "/archive/", `{"reason": "x"}`, 404, `"code":"NotFound"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := w.do(t, tc.method, tc.path, tc.body)
			assert.Equal(t, tc.status, a.status, a.body)
			assert.Contains(t, a.body, tc.want)
			assert.Contains(t, a.body, `{"errors":[{"status":`)
		})
	}
}

func TestListScopesFiltersSortsAndPages(t *testing.T) {
	w := newWorld(t)
	for i, n := range []string{"delta", "alpha", "echo", "bravo", "charlie"} {
		color := "red"
		if i%2 == 1 {
			color = "blue"
		}
		w.create(t, "c1000000-0000-4000-8000-00000000000"+string(rune('1'+i)), n, color)
	}
	names := func(body string) []string {
		var d struct {
			Data []struct {
				Attributes struct{ Name string } `json:"attributes"`
			} `json:"data"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &d), body)
		var out []string
		for _, o := range d.Data {
			out = append(out, o.Attributes.Name)
		}
		return out
	}
	// Organization B's widget is never listed; the default limit is 2.
	a := w.do(t, "GET", "/v1/widgets/?sort=name", "")
	require.Equal(t, 200, a.status, a.body)
	assert.Equal(t, []string{"alpha", "bravo"}, names(a.body))
	assert.Contains(t, a.body, `"meta":{"page[limit]":2,"page[offset]":0,"page[total]":5}`)
	assert.Contains(t, a.body, `"next":"http://h/v1/widgets/?sort=name&page[limit]=2&page[offset]=2"`)
	assert.Contains(t, a.body, `"last":"http://h/v1/widgets/?sort=name&page[limit]=2&page[offset]=4"`)

	a = w.do(t, "GET", "/v1/widgets/?sort=-name&page[limit]=10", "")
	assert.Equal(t, []string{"echo", "delta", "charlie", "bravo", "alpha"}, names(a.body))
	a = w.do(t, "GET", "/v1/widgets/?filter[color]=blue&page[limit]=10", "")
	assert.Equal(t, []string{"alpha", "bravo"}, names(a.body))
	a = w.do(t, "GET", "/v1/widgets/?filter[text]=HARL", "")
	assert.Equal(t, []string{"charlie"}, names(a.body))
	a = w.do(t, "GET", "/v1/widgets/?organization-id="+orgB, "")
	assert.Equal(t, 403, a.status, a.body)
}

func TestActionValidatesItsBody(t *testing.T) {
	w := newWorld(t)
	w.create(t, "c1000000-0000-4000-8000-000000000001", "gear", "red")
	path := "/v1/widgets/c1000000-0000-4000-8000-000000000001/archive/"
	for body, want := range map[string]string{
		`{}`:                         `"pointer":"/reason"`,
		`{"reason": "far too long"}`: `at most 10 characters`,
		`{"reason": 5}`:              `Must be a string.`,
		`{"why": "x"}`:               `Unknown field \"why\".`,
	} {
		a := w.do(t, "POST", path, body)
		assert.Equal(t, 400, a.status, a.body)
		assert.Contains(t, a.body, want)
	}
	a := w.do(t, "POST", path, `{"reason": "worn"}`)
	require.Equal(t, 201, a.status, a.body)
	assert.Contains(t, a.body, `"archived":true`)
	assert.Contains(t, a.body, `"reason":"worn"`)
}

func TestParentScopesTheChildren(t *testing.T) {
	w := newWorld(t)
	w.create(t, "c1000000-0000-4000-8000-000000000001", "gear", "red")
	a := w.do(t, "GET", "/v1/parts/?widget-id=C1000000-0000-4000-8000-000000000001", "")
	require.Equal(t, 200, a.status, a.body)
	assert.JSONEq(t, `{"data": [], "meta": {}}`, a.body, "a list without page[limit] in the catalog is not paged")
}

// TestPageLimitClamped: a limit above the list's maximum is the maximum, and
// the answer says so.
func TestPageLimitClamped(t *testing.T) {
	w := newWorld(t)
	for _, limit := range []string{"51", "1000", "99999999999999999999999"} {
		a := w.do(t, "GET", "/v1/widgets/?sort=name&page[limit]="+limit, "")
		require.Equal(t, 200, a.status, a.body)
		assert.Contains(t, a.body, `"meta":{"page[limit]":50,"page[offset]":0,"page[total]":0}`)
		assert.Contains(t, a.body, `"first":"http://h/v1/widgets/?sort=name&page[limit]=50&page[offset]=0"`)
	}
}

// TestSparseFieldsets: fields[<type>] keeps the named attributes (in the
// type's order), id and type; another known type's fieldset changes nothing.
func TestSparseFieldsets(t *testing.T) {
	w := newWorld(t)
	w.create(t, "c1000000-0000-4000-8000-000000000001", "gear", "red")
	one := `{"attributes":{"color":"red","name":"gear"},"id":"c1000000-0000-4000-8000-000000000001","type":"widgets"}`
	a := w.do(t, "GET", "/v1/widgets/c1000000-0000-4000-8000-000000000001/?fields[widgets]=name,color", "")
	require.Equal(t, 200, a.status, a.body)
	assert.Equal(t, `{"data":`+one+`,"meta":{}}`, strings.TrimSpace(a.body))
	a = w.do(t, "GET", "/v1/widgets/?fields[widgets]=name,color&fields[parts]=label", "")
	require.Equal(t, 200, a.status, a.body)
	assert.Contains(t, a.body, `{"data":[`+one+`],"meta":`)
	assert.Contains(t, a.body, `"first":"http://h/v1/widgets/?fields[widgets]=name%2Ccolor&fields[parts]=label&page[limit]=2&page[offset]=0"`)
	a = w.do(t, "GET", "/v1/widgets/c1000000-0000-4000-8000-000000000001/?fields[widgets]=", "")
	assert.Equal(t, `{"data":{"attributes":{},"id":"c1000000-0000-4000-8000-000000000001","type":"widgets"},"meta":{}}`, strings.TrimSpace(a.body))
	a = w.do(t, "GET", "/v1/widgets/c1000000-0000-4000-8000-000000000001/?fields[parts]=label", "")
	assert.Contains(t, a.body, `"reason":null`, "another type's fieldset leaves widgets whole")
}

// TestStatusErrorsInTheEnginesWords: an answer given in the vendor's name
// without the engine (an unknown world, say) is a JSON:API errors document
// with the Django REST framework code of its status.
func TestStatusErrorsInTheEnginesWords(t *testing.T) {
	t.Parallel()
	e := jsonapi.NewEngine(server.Deps{}, nil, nil, nil)
	for status, code := range map[int]string{400: "ValidationError", 401: "NotAuthenticated", 403: "PermissionDenied",
		404: "NotFound", 405: "MethodNotAllowed", 409: "Conflict", 413: "RequestEntityTooLarge", 429: "Throttled",
		418: "ValidationError", 500: "InternalServerError", 502: "BadGateway", 503: "ServiceUnavailable",
		504: "GatewayTimeout"} {
		rec := httptest.NewRecorder()
		e.WriteError(rec, httptest.NewRequest(http.MethodGet, "/v1/x/", nil), &httpx.StatusError{Status: status, Message: "Said."})
		assert.Equal(t, status, rec.Code)
		assert.JSONEq(t, fmt.Sprintf(`{"errors":[{"status":%d,"code":%q,"detail":"Said.","meta":{}}]}`, status, code), rec.Body.String())
	}
	// Without a message (a fault rule that gives none), Django REST
	// framework's own words, the throttle's with the Retry-After it carries.
	for _, c := range []struct {
		status     int
		retryAfter string
		detail     string
	}{
		{429, "", "Request was throttled."},
		{429, "1", "Request was throttled. Expected available in 1 second."},
		{429, "30", "Request was throttled. Expected available in 30 seconds."},
		{429, "Wed, 21 Oct 2026 07:28:00 GMT", "Request was throttled."},
		{500, "", "A server error occurred."},
		{503, "", "Service temporarily unavailable, try again later."},
		{502, "", "Bad Gateway"},
		{504, "", "Gateway Timeout"},
	} {
		rec := httptest.NewRecorder()
		if c.retryAfter != "" {
			rec.Header().Set("Retry-After", c.retryAfter)
		}
		e.WriteError(rec, httptest.NewRequest(http.MethodGet, "/v1/x/", nil), &httpx.StatusError{Status: c.status})
		var doc struct{ Errors []struct{ Detail string } }
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc))
		require.Len(t, doc.Errors, 1)
		assert.Equal(t, c.detail, doc.Errors[0].Detail, "%d %q", c.status, c.retryAfter)
	}
}

// TestTypeInATableOfItsOwn: a type whose entry names a Table lives there, and
// an attribute its entry keeps in a column is stored there (not in attrs),
// answered, modified, sorted and listed as any other.
func TestTypeInATableOfItsOwn(t *testing.T) {
	table := testTable()
	table[0].Table = "cr_widgets"
	table[0].Columns = map[string]string{"name": "widget_name"}
	w := newWorldOf(t, table, widgetsTable(t, "widget_name TEXT", ""))

	w.create(t, "c1000000-0000-4000-8000-000000000001", "gear", "red")
	w.create(t, "c1000000-0000-4000-8000-000000000002", "axle", "blue")
	want := `{"data":{"attributes":{"archived":false,"color":"red","created-at":"2026-01-15T12:00:00.000000+00:00","name":"gear","organization-id":"` + orgA + `","reason":null},"id":"c1000000-0000-4000-8000-000000000001","type":"widgets"},"meta":{}}`
	assert.Equal(t, want, strings.TrimSpace(w.do(t, "GET", "/v1/widgets/c1000000-0000-4000-8000-000000000001/", "").body))

	var name, attrs string
	require.NoError(t, w.db.Read().QueryRow(`SELECT widget_name, attrs FROM cr_widgets WHERE id = 'c1000000-0000-4000-8000-000000000001'`).Scan(&name, &attrs))
	assert.Equal(t, "gear", name)
	assert.NotContains(t, attrs, `"name"`, "the column holds it, not attrs")
	var shared int
	require.NoError(t, w.db.Read().QueryRow(`SELECT count(*) FROM cr_resources WHERE type = 'widgets'`).Scan(&shared))
	assert.Zero(t, shared)

	a := w.do(t, "PATCH", "/v1/widgets/c1000000-0000-4000-8000-000000000001/",
		`{"data": {"type": "widgets", "id": "c1000000-0000-4000-8000-000000000001", "attributes": {"name": "cog"}}}`)
	require.Equal(t, 200, a.status, a.body)
	assert.Contains(t, a.body, `"name":"cog"`)
	require.NoError(t, w.db.Read().QueryRow(`SELECT widget_name FROM cr_widgets WHERE id = 'c1000000-0000-4000-8000-000000000001'`).Scan(&name))
	assert.Equal(t, "cog", name)

	// Sorted by the column ("axle" < "cog"), filtered by text, paged.
	a = w.do(t, "GET", "/v1/widgets/?sort=name", "")
	require.Equal(t, 200, a.status, a.body)
	assert.Less(t, strings.Index(a.body, `"name":"axle"`), strings.Index(a.body, `"name":"cog"`), a.body)
	a = w.do(t, "GET", "/v1/widgets/?sort=-name", "")
	assert.Less(t, strings.Index(a.body, `"name":"cog"`), strings.Index(a.body, `"name":"axle"`), a.body)
	a = w.do(t, "GET", "/v1/widgets/?filter[text]=axl", "")
	assert.Contains(t, a.body, `"name":"axle"`)
	assert.NotContains(t, a.body, `"name":"cog"`)
}

// widgetsTable are the engine's migrations and one more, which makes
// cr_widgets with a column of its own (column) and runs more (sql).
func widgetsTable(t *testing.T, column, sql string) fstest.MapFS {
	t.Helper()
	migrations := fstest.MapFS{"004_widgets.sql": {Data: []byte(`
CREATE TABLE cr_widgets (type TEXT NOT NULL, id TEXT NOT NULL, org_id TEXT NOT NULL DEFAULT '',
    parent_id TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, text TEXT NOT NULL DEFAULT '',
    attrs TEXT NOT NULL DEFAULT '{}', ` + column + `, PRIMARY KEY (type, id)) WITHOUT ROWID;
CREATE INDEX cr_widgets_org ON cr_widgets (type, org_id, created_at, id);
CREATE INDEX cr_widgets_parent ON cr_widgets (type, parent_id, created_at, id);
` + sql)}}
	require.NoError(t, fs.WalkDir(jsonapi.Migrations(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(jsonapi.Migrations(), path)
		migrations[path] = &fstest.MapFile{Data: data}
		return err
	}))
	return migrations
}

// TestCountsKeptByTriggers: a count the entry names in Counts is read into
// the record as its hidden attribute when it is not 0 (absent when 0), and
// the engine never writes it: not into its column, not into attrs, not even
// when a hook saves a record read before the count changed; StoredColumns
// leaves it out.
func TestCountsKeptByTriggers(t *testing.T) {
	table := testTable()
	table[0].Table = "cr_widgets"
	table[0].Counts = map[string]string{"_parts": "part_count"}
	// The hook shows what the record holds: "reason" is the count, "-" absent.
	table[0].Render = func(c *jsonapi.Call, rec *jsonapi.Record) error {
		if _, ok := rec.Attrs["_parts"]; !ok {
			rec.Set("reason", "-")
			return nil
		}
		rec.Set("reason", fmt.Sprint(rec.Int("_parts")))
		return nil
	}
	w := newWorldOf(t, table, widgetsTable(t, "part_count INTEGER NOT NULL DEFAULT 0", `
CREATE TRIGGER cr_parts_ins AFTER INSERT ON cr_resources WHEN NEW.type = 'parts' BEGIN
    UPDATE cr_widgets SET part_count = part_count + 1 WHERE type = 'widgets' AND id = NEW.parent_id;
END;`))
	const w1 = "c1000000-0000-4000-8000-000000000001"
	w.create(t, w1, "gear", "red")
	reason := func(path string) []string {
		t.Helper()
		a := w.do(t, "GET", path, "")
		require.Equal(t, 200, a.status, a.body)
		var doc struct {
			Data json.RawMessage
		}
		require.NoError(t, json.Unmarshal([]byte(a.body), &doc))
		var objs []struct{ Attributes struct{ Reason string } }
		if doc.Data[0] == '{' {
			doc.Data = json.RawMessage("[" + string(doc.Data) + "]")
		}
		require.NoError(t, json.Unmarshal(doc.Data, &objs))
		var out []string
		for _, o := range objs {
			out = append(out, o.Attributes.Reason)
		}
		return out
	}
	assert.Equal(t, []string{"-"}, reason("/v1/widgets/"+w1+"/"), "0: absent")

	_, err := w.db.Write().Exec(`INSERT INTO cr_resources (type, id, org_id, parent_id, created_at) VALUES
		('parts', 'p1', ?, ?, '2026-01-15T12:00:00.000000+00:00'), ('parts', 'p2', ?, ?, '2026-01-15T12:00:00.000000+00:00')`, orgA, w1, orgA, w1)
	require.NoError(t, err)
	assert.Equal(t, []string{"2"}, reason("/v1/widgets/"+w1+"/"))
	assert.Equal(t, []string{"2"}, reason("/v1/widgets/"))

	// The action saves the record it loaded (with "_parts": 2): the update
	// names neither the column (which would abort) nor the attribute.
	_, err = w.db.Write().Exec(`CREATE TRIGGER cr_widgets_count_written AFTER UPDATE OF part_count ON cr_widgets BEGIN
		SELECT RAISE(ABORT, 'the engine wrote the count');
	END`)
	require.NoError(t, err)
	a := w.do(t, "POST", "/v1/widgets/"+w1+"/archive/", `{"reason": "old"}`)
	require.Equal(t, 201, a.status, a.body)
	var n int64
	var attrs string
	require.NoError(t, w.db.Read().QueryRow(`SELECT part_count, attrs FROM cr_widgets WHERE id = ?`, w1).Scan(&n, &attrs))
	assert.EqualValues(t, 2, n)
	assert.NotContains(t, attrs, "_parts")
	assert.Contains(t, attrs, `"archived":true`)
	assert.Equal(t, []string{"2"}, reason("/v1/widgets/"+w1+"/"))

	ops, types := testCatalog()
	e := jsonapi.NewEngine(server.Deps{}, ops, types, table)
	assert.Equal(t, jsonapi.RecordColumns, e.StoredColumns("cr_widgets"))
	assert.NotEqual(t, e.StoredColumns("cr_widgets"), e.RecordColumns("cr_widgets"))
}

// TestEntriesOfATypeAgreeOnTheirTable: two entries of one type that name
// different tables, columns or counts are a mistake of the table, caught
// when the engine is built.
func TestEntriesOfATypeAgreeOnTheirTable(t *testing.T) {
	ops, types := testCatalog()
	for name, second := range map[string]*jsonapi.Resource{
		"table":   {Type: "widgets", Path: "/v1/other/", Table: "cr_other"},
		"columns": {Type: "widgets", Path: "/v1/other/", Table: "cr_widgets", Columns: map[string]string{"color": "color"}},
		"counts": {Type: "widgets", Path: "/v1/other/", Table: "cr_widgets", Columns: map[string]string{"name": "widget_name"},
			Counts: map[string]string{"_parts": "part_count"}},
	} {
		first := &jsonapi.Resource{Type: "widgets", Path: "/v1/widgets/", Table: "cr_widgets", Columns: map[string]string{"name": "widget_name"}}
		assert.Panics(t, func() { jsonapi.NewEngine(server.Deps{}, ops, types, []*jsonapi.Resource{first, second}) }, name)
	}
}

// FormatTime writes what time.Format writes with TimeLayout, for any instant
// and zone (it formats digits by hand).
func TestFormatTimeAsTimeFormat(t *testing.T) {
	east := time.FixedZone("east", 5*3600+30*60)
	times := []time.Time{
		time.Date(2026, 1, 2, 3, 4, 5, 6_789_999, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
		time.Date(2026, 12, 31, 23, 30, 0, 0, east),  // another day in UTC
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), // five digits
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		times = append(times, time.Unix(r.Int64N(400_000_000_000)-100_000_000_000, r.Int64N(1e9)).In(east))
	}
	for _, tm := range times {
		require.Equal(t, tm.UTC().Format(jsonapi.TimeLayout), jsonapi.FormatTime(tm), "%v", tm)
	}
}

package courier_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/courier/catalog"
	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
)

// What JSON:API clients send beyond the documented parameters: Carium's own
// client asks page[limit]=100 of every list, JSON:API libraries send sparse
// fieldsets (fields[<type>]) and, sometimes, include.

// walkGet is the valid request of a GET operation of the catalog walks, its
// query split off (">" encoded).
func walkGet(t *testing.T, op jsonapi.Operation) (path string, query []string) {
	t.Helper()
	req, ok := freshWalk[op.ID]
	if !ok {
		req, ok = groupedWalk()[op.ID]
	}
	require.True(t, ok, "no walk request for %s", op.ID)
	path, raw, _ := strings.Cut(strings.ReplaceAll(req.path, ">", "%3E"), "?")
	for _, part := range strings.Split(raw, "&") {
		if part != "" {
			query = append(query, part)
		}
	}
	return path, query
}

// withoutLimit is query without its page[limit].
func withoutLimit(query []string) []string {
	return slices.DeleteFunc(query, func(part string) bool { return strings.HasPrefix(part, "page[limit]=") })
}

// withQuery is path with the query parts.
func withQuery(path string, parts ...string) string {
	if len(parts) == 0 {
		return path
	}
	return path + "?" + strings.Join(parts, "&")
}

// pageLimitParam is the page[limit] an operation documents, if any.
func pageLimitParam(op jsonapi.Operation) (jsonapi.Param, bool) {
	i := slices.IndexFunc(op.Query, func(p jsonapi.Param) bool { return p.Name == "page[limit]" })
	if i < 0 {
		return jsonapi.Param{}, false
	}
	return op.Query[i], true
}

// TestPageLimitAboveMaximumIsClamped asks every paged list of the catalog for
// more than its maximum (Carium's client asks 100 of messaging-channels, whose
// maximum is 50): the answer is the one for the maximum, byte for byte, its
// meta and links showing the limit applied.
func TestPageLimitAboveMaximumIsClamped(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	n := 0
	for _, op := range catalog.Operations() {
		p, ok := pageLimitParam(op)
		if !ok {
			continue
		}
		n++
		require.NotNil(t, p.Max, "%s documents no maximum page[limit]", op.ID)
		t.Run(op.ID, func(t *testing.T) {
			path, query := walkGet(t, op)
			query = withoutLimit(query)
			limit := "page[limit]=" + strconv.FormatInt(*p.Max, 10)
			want := callWant(t, env, adminToken, "GET", withQuery(path, append(query, limit)...), "", http.StatusOK)
			d := decode(t, want)
			assert.EqualValues(t, *p.Max, d.Meta["page[limit]"], want.Body)
			for _, rel := range []string{"first", "last"} {
				assert.Contains(t, d.Links[rel], limit+"&", "%s: %s", rel, want.Body)
			}
			for _, above := range []int64{*p.Max + 1, 100, 1000, 1001} {
				if above <= *p.Max {
					continue
				}
				got := call(t, env, adminToken, "GET", withQuery(path, append(query, "page[limit]="+strconv.FormatInt(above, 10))...), "")
				require.Equal(t, http.StatusOK, got.Status, "page[limit]=%d: %s", above, got.Body)
				assert.Equal(t, want.Body, got.Body, "page[limit]=%d", above)
			}
			got := call(t, env, adminToken, "GET", withQuery(path, append(query, "page[limit]=99999999999999999999999")...), "")
			require.Equal(t, http.StatusOK, got.Status, got.Body)
			assert.Equal(t, want.Body, got.Body, "an integer beyond int64 is above the maximum too")
		})
	}
	assert.Equal(t, 42, n, "the catalog's paged lists")
}

// TestPageLimitRefused: below the minimum, negative, or not an integer,
// page[limit] stays a 400 naming it, on every paged list of the catalog.
func TestPageLimitRefused(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	for _, op := range catalog.Operations() {
		p, ok := pageLimitParam(op)
		if !ok {
			continue
		}
		t.Run(op.ID, func(t *testing.T) {
			path, query := walkGet(t, op)
			query = withoutLimit(query)
			bad := []string{strconv.FormatInt(*p.Min-1, 10), "-1", "-99999999999999999999999", "ten", "1.5", "1e2", "", "%2010", "0x10"}
			for _, v := range bad {
				code, _, param := mustFail(t, env, adminToken, "GET", withQuery(path, append(query, "page[limit]="+v)...), "", http.StatusBadRequest)
				assert.Equal(t, "ValidationError", code, "page[limit]=%s", v)
				assert.Equal(t, "page[limit]", param, "page[limit]=%s", v)
			}
		})
	}
}

// sparseOps are the operations that take sparse fieldsets: every GET of the
// catalog that answers JSON:API resources.
func sparseOps() []jsonapi.Operation {
	var out []jsonapi.Operation
	for _, op := range catalog.Operations() {
		if op.Method == http.MethodGet && (op.Response == "jsonapi single" || op.Response == "jsonapi list") {
			out = append(out, op)
		}
	}
	return out
}

// objects decodes the resources of a single or list answer.
func objects(t *testing.T, body string) []object {
	t.Helper()
	var d struct {
		Data json.RawMessage `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &d), body)
	if len(d.Data) > 0 && d.Data[0] == '{' {
		var o object
		require.NoError(t, json.Unmarshal(d.Data, &o), body)
		return []object{o}
	}
	var os []object
	require.NoError(t, json.Unmarshal(d.Data, &os), body)
	return os
}

// answered are the attributes a type answers (not the request-only ones).
func answered(typ string) []string {
	var out []string
	for _, at := range catalog.Types()[typ] {
		if !at.RequestOnly {
			out = append(out, at.Name)
		}
	}
	return out
}

// TestSparseFieldsets asks every GET and list of the catalog for a sparse
// fieldset of its type: only those attributes (in the type's order) with the
// same values, id and type as the whole answer, meta unchanged; an empty one
// answers no attribute; another known type's fieldset changes nothing; an
// unknown attribute or type is a 400 naming the parameter.
func TestSparseFieldsets(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	ops := sparseOps()
	require.Equal(t, 88, len(ops), "the catalog's GETs answering JSON:API resources")
	for _, op := range ops {
		t.Run(op.ID, func(t *testing.T) {
			path, query := walkGet(t, op)
			whole := callWant(t, env, adminToken, "GET", withQuery(path, query...), "", http.StatusOK)
			all := objects(t, whole.Body)
			require.NotEmpty(t, all, "the walk answers something to filter: %s", whole.Body)
			attrs := answered(op.Type)
			require.NotEmpty(t, attrs, op.Type)
			// The last attribute, then the first: the answer keeps the type's order.
			pick := []string{attrs[len(attrs)-1], attrs[0]}
			if len(attrs) == 1 {
				pick = pick[:1]
			}
			param := "fields[" + op.Type + "]"
			r := callWant(t, env, adminToken, "GET", withQuery(path, append(query, param+"="+strings.Join(pick, ","))...), "", http.StatusOK)
			got := objects(t, r.Body)
			require.Len(t, got, len(all), r.Body)
			want := slices.Clone(pick)
			slices.Reverse(want)
			for i, o := range got {
				assert.Equal(t, all[i].ID, o.ID)
				assert.Equal(t, all[i].Type, o.Type)
				assert.Equal(t, keys(map[string]any(o.Attributes)), slices.Sorted(slices.Values(want)))
				for _, name := range pick {
					assert.Equal(t, all[i].Attributes[name], o.Attributes[name], name)
				}
			}
			var raw struct {
				Data json.RawMessage `json:"data"`
			}
			require.NoError(t, json.Unmarshal([]byte(r.Body), &raw))
			item := raw.Data
			if item[0] == '[' {
				var items []json.RawMessage
				require.NoError(t, json.Unmarshal(item, &items))
				item = items[0]
			}
			var obj struct {
				Attributes json.RawMessage `json:"attributes"`
			}
			require.NoError(t, json.Unmarshal(item, &obj))
			assert.Equal(t, want, keyOrder(t, obj.Attributes), "the type's order")
			assert.Equal(t, decode(t, whole).Meta, decode(t, r).Meta)
			for _, l := range decode(t, r).Links {
				if l != nil {
					assert.Contains(t, l, param+"=", "links keep the fieldset")
				}
			}

			// An empty fieldset: no attribute at all.
			r = callWant(t, env, adminToken, "GET", withQuery(path, append(query, param+"=")...), "", http.StatusOK)
			for i, o := range objects(t, r.Body) {
				assert.Empty(t, o.Attributes)
				assert.Equal(t, all[i].ID, o.ID)
				assert.Equal(t, all[i].Type, o.Type)
			}

			// Another type of courier's: checked, and nothing changes.
			other := "voice-tasks"
			if op.Type == other {
				other = "announcers"
			}
			r = callWant(t, env, adminToken, "GET", withQuery(path, append(query, "fields["+other+"]="+answered(other)[0])...), "", http.StatusOK)
			assert.Equal(t, all, objects(t, r.Body))
			assert.Equal(t, decode(t, whole).Meta, decode(t, r).Meta)

			// Refused, with the parameter named.
			for _, bad := range []struct{ part, param, detail string }{
				{param + "=" + pick[0] + ",no-such-attribute", param, `"no-such-attribute"`},
				{param + "=id", param, `"id"`},
				{param + "=" + strings.Repeat("junk,", 2000), param, `"junk"`}, // one error, not one per item
				{param + "=" + pick[0] + "&" + param + "=" + pick[0], param, "only once"},
				{"fields[" + other + "]=no-such-attribute", "fields[" + other + "]", `"no-such-attribute"`},
				{"fields[no-such-types]=name", "fields[no-such-types]", "no resource type"},
				{"include=organization", "include", "not supported"},
			} {
				r := callWant(t, env, adminToken, "GET", withQuery(path, append(query, bad.part)...), "", http.StatusBadRequest)
				e := decode(t, r).Errors
				require.Len(t, e, 1, r.Body)
				assert.Equal(t, 400, e[0].Status)
				assert.Equal(t, "ValidationError", e[0].Code)
				assert.Equal(t, map[string]string{"parameter": bad.param}, e[0].Source, r.Body)
				assert.Contains(t, e[0].Detail, bad.detail)
			}
		})
	}
}

// TestSparseFieldsetsOnlyOnResourceReads: operations that answer no JSON:API
// resource (plain GETs) or write take no fields parameter (400, as any
// undocumented parameter); include is refused everywhere.
func TestSparseFieldsetsOnlyOnResourceReads(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	before := storeState(t, env)
	for _, op := range catalog.Operations() {
		if slices.ContainsFunc(sparseOps(), func(o jsonapi.Operation) bool { return o.ID == op.ID }) {
			continue
		}
		req, ok := freshWalk[op.ID]
		if !ok {
			req = groupedWalk()[op.ID]
		}
		path, raw, _ := strings.Cut(strings.ReplaceAll(req.path, ">", "%3E"), "?")
		fields := "fields[messaging-channels]=name"
		if answered(op.Type) != nil {
			fields = "fields[" + op.Type + "]=" + answered(op.Type)[0]
		}
		for _, part := range []string{fields, "include=organization"} {
			q := []string{part}
			if raw != "" {
				q = append([]string{raw}, part)
			}
			r := call(t, env, adminToken, op.Method, withQuery(path, q...), req.body)
			require.Equal(t, http.StatusBadRequest, r.Status, "%s %s: %s", op.ID, part, r.Body)
			name, _, _ := strings.Cut(part, "=")
			e := decode(t, r).Errors
			require.NotEmpty(t, e, r.Body)
			assert.Equal(t, name, e[0].Source["parameter"], "%s: %s", op.ID, r.Body)
		}
	}
	assert.Equal(t, before, storeState(t, env), "a refused parameter changes nothing")
}

package courier_test

import (
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
// client asks page[limit]=100 of every list.

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

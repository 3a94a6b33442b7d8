package emutest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/store"
)

// The hostile-input rules every vendor and the control plane share, as test
// tables built from a route's own valid request.

// markers are the places of a body template where a name, URL or code
// stands: "@1@", "@2@"...
var markers = regexp.MustCompile(`@[0-9]@`)

// Fill is the valid body of a template: its markers removed.
func Fill(template string) string { return markers.ReplaceAllString(template, "") }

// Body is one variant of a request body.
type Body struct {
	Name string
	Body string
}

// RefusedBodies are the variants of a template that every JSON write route
// refuses with a 400 in its envelope, changing nothing: data after the value
// (a "}", a "]", a second value), null, and at each marker (a name, URL or
// code) invalid UTF-8 and a NUL character.
func RefusedBodies(template string) []Body {
	valid := Fill(template)
	out := []Body{
		{"data after the value: }", valid + "}"},
		{"data after the value: ]", valid + "]"},
		{"data after the value: a second value", valid + valid},
		{"data after the value: after whitespace", valid + "\n" + valid},
		{"null", "null"},
	}
	for _, m := range markers.FindAllString(template, -1) {
		at := func(s string) string {
			return Fill(strings.Replace(template, m, s, 1))
		}
		out = append(out, Body{"invalid UTF-8 at " + m, at("\xff")}, Body{`\u0000 at ` + m, at(`\u0000`)})
	}
	return out
}

// CaseVariant is a body whose member names differ from the valid body's only
// by case, and its twin, whose same members have names the route does not
// know. A lenient route answers both alike (a name is matched exactly, and an
// unknown one is ignored); a strict one refuses the variant.
type CaseVariant struct {
	Name, Body, Twin string
}

// CaseVariants are the template's case variants: every name upper-cased,
// and, where the body nests objects, the names of one level capitalized, for
// each level. The names of objects nested deeper than freeBelow (when it is
// not 0) are the client's own data, not names the route matches: they are
// kept.
func CaseVariants(tb testing.TB, template string, freeBelow int) []CaseVariant {
	tb.Helper()
	dec := json.NewDecoder(strings.NewReader(Fill(template)))
	dec.UseNumber()
	var v any
	require.NoError(tb, dec.Decode(&v))
	encode := func(v any) string {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		require.NoError(tb, enc.Encode(v))
		return strings.TrimSpace(b.String())
	}
	upper := func(k string) string { return strings.ToUpper(k) }
	capital := func(k string) string {
		r, n := utf8.DecodeRuneInString(k)
		return string(unicode.ToUpper(r)) + k[n:]
	}
	unknown := func(k string) string { return "unknown-" + k }
	var out []CaseVariant
	until := freeBelow
	if until == 0 {
		until = 1 << 30
	}
	if all := encode(renameKeys(v, 0, 0, until, upper)); all != encode(v) {
		out = append(out, CaseVariant{"names upper-cased", all, encode(renameKeys(v, 0, 0, until, unknown))})
	}
	if encode(renameKeys(v, 0, 1, until, capital)) == encode(v) {
		return out // one level of names: done
	}
	for d := 0; d < min(until, 32); d++ {
		level := encode(renameKeys(v, 0, d, d+1, capital))
		if level == encode(v) {
			continue // no names at this depth
		}
		out = append(out, CaseVariant{fmt.Sprintf("names at depth %d capitalized", d), level,
			encode(renameKeys(v, 0, d, d+1, unknown))})
	}
	return out
}

// renameKeys renames the keys of the objects nested from deep to until
// (exclusive) in v; arrays count as a level.
func renameKeys(v any, depth, from, until int, f func(string) string) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if depth >= from && depth < until {
				k = f(k)
			}
			out[k] = renameKeys(e, depth+1, from, until, f)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = renameKeys(e, depth+1, from, until, f)
		}
		return out
	}
	return v
}

// RouteTable is every route of a router (chi.Walk), by pattern, with the
// methods it serves.
func RouteTable(tb testing.TB, h http.Handler) map[string][]string {
	tb.Helper()
	routes, ok := h.(chi.Routes)
	require.True(tb, ok, "%T is not a chi router", h)
	out := map[string][]string{}
	require.NoError(tb, chi.Walk(routes, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		out[route] = append(out[route], method)
		return nil
	}))
	require.NotEmpty(tb, out)
	return out
}

// allowOrder is the order of the Allow header.
var allowOrder = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete}

// probes are the methods tried on every route: the usual ones, and methods a
// router may not know.
var probes = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodOptions, http.MethodTrace, "PROPFIND", "get", "patch"}

// MethodRules are what CheckMethods needs of one router.
type MethodRules struct {
	Prefix  string                                       // where the router is mounted
	Routes  http.Handler                                 // the router (a chi router)
	Fill    func(pattern string) string                  // a concrete path of a pattern
	Headers []string                                     // credentials, sent with every request
	Error   func(t *testing.T, res Response, status int) // asserts the router's error envelope
	// EitherSlash is a router that serves a path with and without its
	// trailing slash alike (GreenArrow's, as Rails'): no "did you mean".
	EitherSlash bool
}

// CheckMethods table-tests every route of a router: each method it does not
// serve is a 405 in the router's envelope with an Allow header listing those
// it serves (HEAD with GET); HEAD of a GET route answers like the GET, status
// and headers, without a body; and a path below the route that no route has
// is the router's 404, for a usual method and for one it does not know;
// a vendor's messages name its own path, never the emulator's prefix.
func (e *Env) CheckMethods(t *testing.T, rules MethodRules) {
	t.Helper()
	table := RouteTable(t, rules.Routes)
	patterns := make([]string, 0, len(table))
	for p := range table {
		patterns = append(patterns, p)
	}
	sort.Strings(patterns)
	for _, pattern := range patterns {
		// A method is served when any route matching the path serves it (a
		// fixed segment does not hide {id} from the methods it lacks).
		concrete := rules.Fill(pattern)
		var served []string
		for p, methods := range table {
			if patternRegexp(p).MatchString(concrete) {
				served = append(served, methods...)
			}
		}
		var allow []string
		for _, m := range allowOrder {
			if slices.Contains(served, m) || (m == http.MethodHead && slices.Contains(served, http.MethodGet)) {
				allow = append(allow, m)
			}
		}
		path := rules.Prefix + concrete
		// A vendor's messages name its own path, below the emulator's
		// prefix; the control plane's name its paths whole.
		shown := concrete
		if strings.HasPrefix(rules.Prefix, "/_emulator") {
			shown = path
		}
		notShown := func(res Response, what string) {
			if shown == concrete {
				assert.NotContains(t, res.Body, rules.Prefix+"/", "%s: the message names the vendor's own path", what)
			}
		}
		for _, m := range probes {
			if slices.Contains(allow, m) {
				continue
			}
			res := e.Do(t, m, path, "", rules.Headers...)
			if assert.Equal(t, http.StatusMethodNotAllowed, res.Status, "%s %s (%s): %s", m, path, pattern, res.Body) {
				assert.Equal(t, strings.Join(allow, ", "), res.Header.Get("Allow"), "%s %s", m, path)
				if m == http.MethodHead {
					assert.Empty(t, res.Body) // the envelope's headers, without it
				} else {
					rules.Error(t, res, http.StatusMethodNotAllowed)
					notShown(res, m+" "+path)
					assert.Contains(t, res.Body, strings.Join(allow, ", "), "the message names what %s serves", path)
				}
			}
		}
		if slices.Contains(served, http.MethodGet) {
			get := e.Do(t, http.MethodGet, path, "", rules.Headers...)
			head := e.Do(t, http.MethodHead, path, "", rules.Headers...)
			assert.NotEqual(t, http.StatusMethodNotAllowed, get.Status, "GET %s: %s", path, get.Body)
			assert.Equal(t, get.Status, head.Status, "HEAD %s", path)
			assert.Empty(t, head.Body, "HEAD %s", path)
			for _, h := range []http.Header{get.Header, head.Header} {
				h.Del("Date")
				h.Del("X-Request-Id")
			}
			assert.Equal(t, get.Header, head.Header, "HEAD %s", path)
		}
		// The same path with or without its trailing slash is a 404 whose
		// message names this route, when no route has that path itself.
		twin, twinConcrete := path+"/", concrete+"/"
		if strings.HasSuffix(path, "/") {
			twin, twinConcrete = strings.TrimSuffix(path, "/"), strings.TrimSuffix(concrete, "/")
		}
		if !rules.EitherSlash && len(allow) > 0 && len(httpx.AllowedMethods(rules.Routes.(chi.Routes), twinConcrete)) == 0 {
			m := allow[0]
			if m == http.MethodHead {
				m = http.MethodGet
			}
			res := e.Do(t, m, twin, "", rules.Headers...)
			if assert.Equal(t, http.StatusNotFound, res.Status, "%s %s: %s", m, twin, res.Body) {
				rules.Error(t, res, http.StatusNotFound)
				assert.Contains(t, res.Body, "Did you mean "+shown+" (", "%s %s names the route it nearly is", m, twin)
				notShown(res, m+" "+twin)
			}
			if !slices.Contains(allow, http.MethodPatch) {
				res := e.Do(t, http.MethodPatch, twin, "", rules.Headers...)
				if assert.Equal(t, http.StatusNotFound, res.Status, "PATCH %s: %s", twin, res.Body) {
					assert.Contains(t, res.Body, shown+" (", "PATCH %s names the route it nearly is", twin)
					notShown(res, "PATCH "+twin)
					assert.Contains(t, res.Body, ") serves "+strings.Join(allow, ", "), "PATCH %s names what it serves", twin)
				}
			}
		}
		unknown := strings.TrimSuffix(path, "/") + "/zz-unknown/zz"
		if strings.HasSuffix(path, "/") {
			unknown += "/"
		}
		for _, m := range []string{http.MethodGet, "PROPFIND"} {
			res := e.Do(t, m, unknown, "", rules.Headers...)
			if assert.Equal(t, http.StatusNotFound, res.Status, "%s %s: %s", m, unknown, res.Body) {
				assert.Empty(t, res.Header.Get("Allow"))
				rules.Error(t, res, http.StatusNotFound)
				notShown(res, m+" "+unknown)
			}
		}
	}
}

// patternRegexp matches the paths of a chi pattern.
func patternRegexp(pattern string) *regexp.Regexp {
	param := regexp.MustCompile(`\{[^}]+\}`)
	var b strings.Builder
	b.WriteString("^")
	last := 0
	for _, loc := range param.FindAllStringIndex(pattern, -1) {
		b.WriteString(regexp.QuoteMeta(pattern[last:loc[0]]) + "[^/]+")
		last = loc[1]
	}
	b.WriteString(regexp.QuoteMeta(pattern[last:]) + "$")
	return regexp.MustCompile(b.String())
}

// FillParams replaces every {param} of a pattern with values[param], or with
// "x1" when values has none.
func FillParams(values map[string]string) func(string) string {
	param := regexp.MustCompile(`\{[^}]+\}`)
	return func(pattern string) string {
		return param.ReplaceAllStringFunc(pattern, func(p string) string {
			if v, ok := values[strings.Trim(p, "{}")]; ok {
				return v
			}
			return "x1"
		})
	}
}

// EscapeAll percent-encodes every byte of s, as a client that escapes a
// segment may (only unreserved characters may go unescaped, but any may be).
func EscapeAll(s string) string {
	var b strings.Builder
	for i := range len(s) {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

// WriteRoute is one JSON write route, for CheckBodies.
type WriteRoute struct {
	Method   string
	Path     string   // with "%s" where Setup's value goes
	Template string   // a valid body, with markers (@1@, @2@...) in its names, URLs and codes
	Headers  []string // credentials
	Strict   bool     // the route refuses members it does not know
	// FreeBelow, when not 0, is the depth from which objects hold the
	// client's own names (free-form data), which case variants keep.
	FreeBelow int
	Status    int // the valid body's status
	// Setup prepares a fresh environment (a record to change, say) and
	// returns what fills Path's "%s"; nil for none.
	Setup func(t *testing.T, e *Env) string
}

// BodyRules are what CheckBodies needs of one vendor (or the control plane).
type BodyRules struct {
	New      func(t *testing.T) *Env           // a fresh environment, with sequential ids
	Snapshot func(t *testing.T, e *Env) string // the whole state a route could change
	Refused  func(t *testing.T, res Response)  // asserts the 400 in the envelope of a bad body
	Routes   []WriteRoute                      // every JSON write route
	Names    func(route WriteRoute) string     // a subtest's name (nil: method and path)
}

// CheckBodies table-tests the one strict JSON reader on every write route:
// the valid body answers Status; each of RefusedBodies is a 400 in the
// envelope and changes nothing; a case variant of the valid body is refused
// by a strict route, and answered by a lenient one exactly as its twin with
// unknown names (the same status, the same state, the same body when it
// succeeds), so never as the valid body: its names are not read.
func CheckBodies(t *testing.T, rules BodyRules) {
	t.Helper()
	for _, rt := range rules.Routes {
		name := rt.Method + " " + rt.Path
		if rules.Names != nil {
			name = rules.Names(rt)
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fresh := func() (*Env, string) {
				e := rules.New(t)
				path := rt.Path
				if rt.Setup != nil {
					path = strings.Replace(path, "%s", rt.Setup(t, e), 1)
				}
				return e, path
			}
			ve, vpath := fresh()
			valid := ve.Do(t, rt.Method, vpath, Fill(rt.Template), rt.Headers...)
			require.Equal(t, rt.Status, valid.Status, "the valid body: %s", valid.Body)
			validState := rules.Snapshot(t, ve)

			e, path := fresh()
			before := rules.Snapshot(t, e)
			for _, b := range RefusedBodies(rt.Template) {
				res := e.Do(t, rt.Method, path, b.Body, rt.Headers...)
				rules.Refused(t, res)
			}
			SameState(t, before, rules.Snapshot(t, e), "a refused body changed the state")

			for _, v := range CaseVariants(t, rt.Template, rt.FreeBelow) {
				res := e.Do(t, rt.Method, path, v.Body, rt.Headers...)
				after := rules.Snapshot(t, e)
				if rt.Strict {
					rules.Refused(t, res)
					SameState(t, before, after, v.Name+" changed the state")
					continue
				}
				// The twin runs where the variant ran when that changed
				// nothing, else on a fresh environment.
				te, tpath := e, path
				if after != before {
					te, tpath = fresh()
					e, path = fresh() // for the next variant
				}
				twin := te.Do(t, rt.Method, tpath, v.Twin, rt.Headers...)
				assert.Equal(t, twin.Status, res.Status, "%s: %s\ntwin: %s", v.Name, res.Body, twin.Body)
				if res.Status < 400 {
					assert.Equal(t, twin.Body, res.Body, v.Name)
				}
				SameState(t, rules.Snapshot(t, te), after, v.Name+": the state differs from its twin's")
				assert.False(t, res.Status == valid.Status && res.Body == valid.Body && after == validState,
					"%s is answered as the valid body: %s", v.Name, res.Body)
			}
		})
	}
}

// SameState compares two snapshots (one row a line) and names only the rows
// that differ.
func SameState(t *testing.T, want, got, msg string) {
	t.Helper()
	if want == got {
		return
	}
	w, g := map[string]bool{}, map[string]bool{}
	for _, l := range strings.Split(want, "\n") {
		w[l] = true
	}
	for _, l := range strings.Split(got, "\n") {
		g[l] = true
		if !w[l] {
			t.Errorf("%s: new row %.400s", msg, l)
		}
	}
	for l := range w {
		if !g[l] {
			t.Errorf("%s: row gone %.400s", msg, l)
		}
	}
}

// Tables is every row of the tables whose names start with prefix ("dlg_"),
// as text: two environments in the same state give the same text.
func (e *Env) Tables(tb testing.TB, prefix string) string {
	tb.Helper()
	db := e.Deps.DB.Read()
	_, names := Rows(tb, db, `SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ? || '%' ORDER BY name`, prefix)
	require.NotEmpty(tb, names, "no table starts with %q", prefix)
	var b strings.Builder
	for _, name := range names {
		table := name[0].(string)
		_, rows := Rows(tb, db, `SELECT * FROM "`+table+`" ORDER BY 1`)
		for _, vals := range rows {
			fmt.Fprintln(&b, table, vals)
		}
	}
	return b.String()
}

// Querier is a pool (*sql.DB) or a store transaction (*store.Tx): store.QueryEither.
type Querier any

// Rows is every row query answers, as the driver's values, and the names
// of its columns: what tests compare stores by.
func Rows(tb testing.TB, q Querier, query string, args ...any) (cols []string, rows [][]any) {
	tb.Helper()
	rs, err := store.QueryEither(context.Background(), q, query, args...)
	require.NoError(tb, err, query)
	defer rs.Close()
	cols, err = rs.Columns()
	require.NoError(tb, err)
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(tb, rs.Scan(ptrs...))
		rows = append(rows, vals)
	}
	require.NoError(tb, rs.Err())
	return cols, rows
}

package httpx

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5"
)

// PathParam is the path parameter name of r's route, percent-decoded:
// "abc%3A123" is "abc:123", as clients that escape a segment
// (encodeURIComponent, Python's quote) mean it. chi routes on the escaped
// path when the URL has escapes, and its parameters are then escaped text;
// every vendor reads its parameters here instead. An invalid escape ("%zz")
// stays as written, as Python's unquote leaves it, so such an id is simply
// unknown. (Go's server answers a request line with one 400 itself, before
// any handler runs: only an in-process request can carry it.)
func PathParam(r *http.Request, name string) string {
	v := chi.URLParam(r, name)
	if r.URL.RawPath == "" || !strings.Contains(v, "%") {
		return v // chi routed on the decoded path: v is decoded already
	}
	if d, err := url.PathUnescape(v); err == nil {
		return d
	}
	return v
}

// MethodError is a request whose method its path does not serve; each
// vendor's error adapter answers it as its 405, with the Allow header that
// Unrouted sets.
type MethodError struct {
	Method  string
	Path    string
	Allowed []string // the methods the path serves, HEAD with GET
}

func (e *MethodError) Error() string {
	return "method " + e.Method + " is not allowed on " + e.Path
}

// methods are those a path can serve, in the order Allow lists them.
var methods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodOptions, http.MethodTrace, http.MethodConnect}

// AllowedMethods lists the methods routes serve on path (a path below the
// router, as it routes it), HEAD wherever GET is; nil when it serves none.
func AllowedMethods(routes chi.Routes, path string) []string {
	var out []string
	for _, m := range methods {
		if routes.Match(chi.NewRouteContext(), m, path) ||
			(m == http.MethodHead && slices.Contains(out, http.MethodGet)) {
			out = append(out, m)
		}
	}
	return out
}

// Unrouted sets what mux answers when none of its routes takes a request,
// the same way for every vendor and the control plane, each in its own
// envelope (through onErr):
//   - a path no route has: notFound, whatever the method (chi alone would
//     answer an unknown method such as PROPFIND with a 405 on any path);
//   - HEAD where GET is served: the GET, whose body net/http does not send,
//     as net/http servers answer HEAD;
//   - any other method the path does not serve (PROPFIND, a lower-case
//     "get", TRACE...): a *MethodError with an Allow header listing the
//     methods it serves.
//
// A router mounted below mux needs its own Unrouted: a path is matched
// against the router it is relative to.
func Unrouted(mux *chi.Mux, onErr ErrorWriter, notFound HandlerFunc) {
	nf := Adapt(onErr, notFound)
	mux.NotFound(nf)
	mux.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		rctx := chi.RouteContext(r.Context())
		path := rctx.RoutePath // what chi routes on: the escaped path when there is one
		if path == "" {
			if path = r.URL.RawPath; path == "" {
				path = r.URL.Path
			}
		}
		allowed := AllowedMethods(mux, path)
		switch {
		case len(allowed) == 0:
			nf(w, r)
		case r.Method == http.MethodHead && rctx.RouteMethod != http.MethodGet && slices.Contains(allowed, http.MethodGet):
			rctx.RouteMethod = http.MethodGet
			mux.ServeHTTP(w, r) // routed again, as a GET
		default:
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			onErr(w, r, &MethodError{Method: r.Method, Path: r.URL.Path, Allowed: allowed})
		}
	})
}

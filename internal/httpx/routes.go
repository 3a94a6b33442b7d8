package httpx

import (
	"context"
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
	Path    string   // as the vendor sees it (VendorPath)
	Allowed []string // the methods the path serves, HEAD with GET
}

func (e *MethodError) Error() string {
	return "method " + e.Method + " is not allowed on " + e.Path
}

// AllowedList is the methods the path serves, as a message names them ("GET, HEAD").
func (e *MethodError) AllowedList() string { return strings.Join(e.Allowed, ", ") }

type nearKey struct{}

// VendorPath is r's path as a vendor's own service sees it: without prefix,
// the emulator's prefix for that vendor (Root has cut a world's /w/{id}
// already). Messages that name a path name this one: the real service never
// shows the emulator's prefix. A path not under prefix is returned whole.
func VendorPath(r *http.Request, prefix string) string {
	p := r.URL.Path
	if prefix == "" || !strings.HasPrefix(p, prefix) {
		return p
	}
	switch rest := p[len(prefix):]; {
	case rest == "":
		return "/"
	case rest[0] == '/':
		return rest
	}
	return p
}

// Near is what a vendor's not-found message adds when a close route exists:
// the same path with or without its trailing slash (" Did you mean
// /x/list/?"), with the methods it serves when the request's is not one of
// them. It is empty when no route is close.
func Near(r *http.Request) string {
	s, _ := r.Context().Value(nearKey{}).(string)
	return s
}

// nearRoute is Near's sentence for a request mux found no route for.
// shown is the request's path as messages name it.
func nearRoute(mux *chi.Mux, r *http.Request, path, shown string) string {
	if path == "" || path == "/" {
		return ""
	}
	twin, full, how := path+"/", shown+"/", "with a trailing slash"
	if strings.HasSuffix(path, "/") {
		twin, full, how = strings.TrimSuffix(path, "/"), strings.TrimSuffix(shown, "/"), "without the trailing slash"
	}
	allowed := AllowedMethods(mux, twin)
	switch {
	case len(allowed) == 0:
		return ""
	case slices.Contains(allowed, r.Method):
		return " Did you mean " + full + " (" + how + ")?"
	default:
		return " " + full + " (" + how + ") serves " + strings.Join(allowed, ", ") + "."
	}
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
//     answer an unknown method such as PROPFIND with a 405 on any path),
//     which adds Near(r) to its message;
//   - HEAD where GET is served: the GET, whose body net/http does not send,
//     as net/http servers answer HEAD;
//   - any other method the path does not serve (PROPFIND, a lower-case
//     "get", TRACE...): a *MethodError with an Allow header listing the
//     methods it serves.
//
// Messages name the path below prefix (see VendorPath): a vendor passes its
// prefix, the control plane "" (its paths are its own).
//
// A router mounted below mux needs its own Unrouted: a path is matched
// against the router it is relative to.
func Unrouted(mux *chi.Mux, prefix string, onErr ErrorWriter, notFound HandlerFunc) {
	nf := Adapt(onErr, notFound)
	routed := func(r *http.Request) string {
		path := chi.RouteContext(r.Context()).RoutePath // what chi routes on: the escaped path when there is one
		if path == "" {
			if path = r.URL.RawPath; path == "" {
				path = r.URL.Path
			}
		}
		return path
	}
	nearNotFound := func(w http.ResponseWriter, r *http.Request) {
		if near := nearRoute(mux, r, routed(r), VendorPath(r, prefix)); near != "" {
			r = r.WithContext(context.WithValue(r.Context(), nearKey{}, near))
		}
		nf(w, r)
	}
	mux.NotFound(nearNotFound)
	mux.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		rctx := chi.RouteContext(r.Context())
		path := routed(r)
		allowed := AllowedMethods(mux, path)
		switch {
		case len(allowed) == 0:
			nearNotFound(w, r)
		case r.Method == http.MethodHead && rctx.RouteMethod != http.MethodGet && slices.Contains(allowed, http.MethodGet):
			rctx.RouteMethod = http.MethodGet
			mux.ServeHTTP(w, r) // routed again, as a GET
		default:
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			onErr(w, r, &MethodError{Method: r.Method, Path: VendorPath(r, prefix), Allowed: allowed})
		}
	})
}

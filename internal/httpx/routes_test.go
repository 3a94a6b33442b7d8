package httpx_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

// testRouter is a router as the vendors build theirs: an error adapter that
// answers "<status> <message>", Unrouted, and routes that echo their parameters.
func testRouter() *chi.Mux {
	onErr := func(w http.ResponseWriter, r *http.Request, err error) {
		status := http.StatusInternalServerError
		var me *httpx.MethodError
		switch {
		case errors.As(err, &me):
			status = http.StatusMethodNotAllowed
		case err.Error() == "not found":
			status = http.StatusNotFound
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, "%d %s", status, err)
	}
	echo := func(names ...string) http.HandlerFunc {
		return httpx.Adapt(onErr, func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("X-Echo", "yes")
			for _, n := range names {
				fmt.Fprintf(w, "%s=%q ", n, httpx.PathParam(r, n))
			}
			return nil
		})
	}
	r := chi.NewRouter()
	r.Get("/items/{id}", echo("id"))
	r.Put("/items/{id}", echo("id"))
	r.Delete("/items/{id}/confirmed/{code}", echo("id", "code"))
	r.Post("/items", echo())
	httpx.Unrouted(r, "", onErr, func(w http.ResponseWriter, r *http.Request) error { return errors.New("not found") })
	return r
}

func send(t *testing.T, srv *httptest.Server, method, path string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	require.NoError(t, err)
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, res.Header, string(b)
}

// TestPathParamDecodes: parameters are percent-decoded once, whether the URL
// has escapes (chi then routes on the escaped path) or not; an escaped "/"
// stays inside its segment.
func TestPathParamDecodes(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(testRouter())
	defer srv.Close()
	tests := []struct{ path, want string }{
		{"/items/42", `id="42" `},
		{"/items/%34%32", `id="42" `},
		{"/items/a%3Ab", `id="a:b" `},
		{"/items/a%2Fb", `id="a/b" `},
		{"/items/a%25zz", `id="a%zz" `}, // an escaped "%" is a "%"
		{"/items/%E2%9C%93", `id="✓" `},
		{"/items/a%20b", `id="a b" `},
		{"/items/a+b", `id="a+b" `},
		{"/items/1/confirmed/9b4e%3A1796187276", `id="1" code="9b4e:1796187276" `},
	}
	for _, tc := range tests {
		method := http.MethodGet
		if strings.Contains(tc.path, "/confirmed/") {
			method = http.MethodDelete
		}
		status, _, body := send(t, srv, method, tc.path)
		assert.Equal(t, http.StatusOK, status, tc.path)
		assert.Equal(t, tc.want, body, tc.path)
	}

	// Go's server refuses an invalid escape itself; in process, where one can
	// reach a handler, it stays as written.
	req := httptest.NewRequest(http.MethodGet, "/items/x", nil)
	req.URL.RawPath = "/items/%zz"
	w := httptest.NewRecorder()
	testRouter().ServeHTTP(w, req)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, `id="%zz" `, w.Body.String())
}

// TestUnroutedMethods: a method a path does not serve is a 405 through the
// error adapter with Allow; HEAD answers like GET without a body; a path no
// route has is the 404, whatever the method.
func TestUnroutedMethods(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(testRouter())
	defer srv.Close()
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"POST", "/items/1", 405, "GET, HEAD, PUT"},
		{"PATCH", "/items/1", 405, "GET, HEAD, PUT"},
		{"PROPFIND", "/items/1", 405, "GET, HEAD, PUT"},
		{"get", "/items/1", 405, "GET, HEAD, PUT"},
		{"TRACE", "/items/1", 405, "GET, HEAD, PUT"},
		{"OPTIONS", "/items/1", 405, "GET, HEAD, PUT"},
		{"GET", "/items", 405, "POST"},
		{"HEAD", "/items", 405, "POST"},
		{"get", "/items/1/confirmed/c", 405, "DELETE"},
		{"GET", "/nope", 404, ""},
		{"PROPFIND", "/nope", 404, ""},
		{"get", "/items/1/nope", 404, ""},
	}
	for _, tc := range tests {
		status, h, body := send(t, srv, tc.method, tc.path)
		assert.Equal(t, tc.status, status, "%s %s: %s", tc.method, tc.path, body)
		assert.Equal(t, tc.allow, h.Get("Allow"), "%s %s", tc.method, tc.path)
		if tc.status == 405 && tc.method != "HEAD" {
			assert.Equal(t, "405 method "+tc.method+" is not allowed on "+tc.path, body)
		}
	}

	getStatus, getHeader, getBody := send(t, srv, "GET", "/items/%34%32")
	headStatus, headHeader, headBody := send(t, srv, "HEAD", "/items/%34%32")
	assert.Equal(t, getStatus, headStatus)
	assert.Empty(t, headBody)
	assert.Equal(t, `id="42" `, getBody)
	for _, k := range []string{"X-Echo", "Content-Type", "Content-Length"} {
		assert.Equal(t, getHeader.Get(k), headHeader.Get(k), k)
	}
	assert.NotEmpty(t, headHeader.Get("Content-Length"))
}

// TestVendorPath: the path below a vendor's prefix, as the vendor sees it;
// a path not under the prefix (a longer segment, the control plane) whole.
func TestVendorPath(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ path, prefix, want string }{
		{"/loopmessage/api/v1/x/", "/loopmessage", "/api/v1/x/"},
		{"/courier/v1/x/", "/courier", "/v1/x/"},
		{"/courier", "/courier", "/"},
		{"/courierx/v1/", "/courier", "/courierx/v1/"},
		{"/_emulator/health", "", "/_emulator/health"},
		{"/_emulator/health", "/loopmessage", "/_emulator/health"},
	} {
		r := httptest.NewRequest(http.MethodGet, c.path, nil)
		assert.Equal(t, c.want, httpx.VendorPath(r, c.prefix), c.path)
	}
}

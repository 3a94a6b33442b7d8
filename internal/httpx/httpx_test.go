package httpx_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

func TestUnmarshalClassifiesErrors(t *testing.T) {
	t.Parallel()
	type target struct {
		N int    `json:"n"`
		S string `json:"s"`
	}
	tests := []struct {
		body  string
		kind  httpx.BodyErrorKind
		field string
		msg   string
	}{
		{"", httpx.BodyEmpty, "", "request body is empty"},
		{"  \n", httpx.BodyEmpty, "", "request body is empty"},
		{"{", httpx.BodyMalformed, "", "request body is not valid JSON"},
		{`{"n":1} {}`, httpx.BodyMalformed, "", "request body has data after the JSON value"},
		{`{"n":"one"}`, httpx.BodyWrongType, "n", "n must be an integer, not string"},
		{`{"n":1.5}`, httpx.BodyWrongType, "n", "n must be an integer, not number 1.5"},
		{`[1]`, httpx.BodyWrongType, "", "request body must be an object"},
		{`{"x":1}`, httpx.BodyUnknown, "x", `unknown field "x"`},
	}
	for _, tc := range tests {
		var v target
		err := httpx.Unmarshal([]byte(tc.body), &v, true)
		var be *httpx.BodyError
		require.ErrorAs(t, err, &be, tc.body)
		assert.Equal(t, tc.kind, be.Kind, tc.body)
		assert.Equal(t, tc.field, be.Field, tc.body)
		assert.Equal(t, tc.msg, be.Msg, tc.body)
	}
	var v target
	require.NoError(t, httpx.Unmarshal([]byte(`{"n":2,"x":1}`), &v, false), "lenient decoding ignores unknown fields")
	assert.Equal(t, 2, v.N)
	assert.False(t, httpx.IsTooLarge(&httpx.BodyError{Kind: httpx.BodyMalformed}))
	assert.True(t, httpx.IsTooLarge(&httpx.BodyError{Kind: httpx.BodyTooLarge}))
}

func TestWriteJSONEscaping(t *testing.T) {
	t.Parallel()
	v := struct {
		Zone string `json:"zone"`
	}{"Central Time (US & Canada) <x>"}
	w := httptest.NewRecorder()
	httpx.WriteJSON(w, 201, "", v)
	assert.Equal(t, 201, w.Code)
	assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
	assert.Equal(t, `{"zone":"Central Time (US & Canada) <x>"}`, w.Body.String())

	w = httptest.NewRecorder()
	httpx.WriteJSONHTMLEscaped(w, 200, "application/json; charset=utf-8", v)
	assert.Equal(t, "application/json; charset=utf-8", w.Header().Get("Content-Type"))
	assert.Equal(t, `{"zone":"Central Time (US \u0026 Canada) \u003cx\u003e"}`, w.Body.String())
}

func TestLogInternalQuietWhenTheClientLeft(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	log := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelInfo}))

	r := httptest.NewRequest("GET", "/x", nil)
	httpx.LogInternal(log, "vendor: internal error", r, errors.New("disk on fire"))
	assert.Contains(t, out.String(), "level=ERROR")
	out.Reset()

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	httpx.LogInternal(log, "vendor: internal error", r.WithContext(ctx), fmt.Errorf("query: %w", context.Canceled))
	assert.Empty(t, out.String(), "a client that went away is not an error of ours")

	// The same error while the client is still there is ours.
	httpx.LogInternal(log, "vendor: internal error", r, context.Canceled)
	assert.Contains(t, out.String(), "level=ERROR")
}

// TestOrigin: the scheme is the connection's, or the one a proxy in front
// forwards (anything else it says is ignored); BaseURL adds the path a
// world's URL began with, which the handler does not see.
func TestOrigin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tls             bool
		forwarded, want string
	}{
		{false, "", "http://emu.test:8080"},
		{true, "", "https://emu.test:8080"},
		{false, "https", "https://emu.test:8080"},
		{true, "http", "http://emu.test:8080"},
		{false, "ftp", "http://emu.test:8080"},
		{false, "HTTPS", "http://emu.test:8080"},
	}
	for _, tc := range tests {
		r := httptest.NewRequest("GET", "http://emu.test:8080/courier/v1/x/", nil)
		if tc.tls {
			r = httptest.NewRequest("GET", "https://emu.test:8080/courier/v1/x/", nil)
		}
		if tc.forwarded != "" {
			r.Header.Set("X-Forwarded-Proto", tc.forwarded)
		}
		assert.Equal(t, tc.want, httpx.Origin(r), "tls %v, forwarded %q", tc.tls, tc.forwarded)
		assert.Equal(t, tc.want, httpx.BaseURL(r), "no path base: the origin")
		assert.Equal(t, tc.want+"/w/ci-42", httpx.BaseURL(httpx.WithPathBase(r, "/w/ci-42")))
	}
}

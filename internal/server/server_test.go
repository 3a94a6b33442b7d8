package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/partner"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// fake is a minimal vendor whose envelope is {"fake_error": status}.
type fake struct{ prefix string }

func (f fake) Name() string   { return strings.TrimPrefix(f.prefix, "/") }
func (f fake) Prefix() string { return f.prefix }
func (f fake) About() server.About {
	return server.About{Title: "Fake", Replaces: "https://fake.example.com",
		Credentials: []server.Credential{{Send: "X-Fake: yes", Means: "anyone"}},
		Example:     server.Example{Method: "GET", Path: "/echo", Header: "X-Fake: yes"}}
}
func (f fake) State(context.Context) (any, error) { return map[string]string{}, nil }

func (f fake) Routes() http.Handler {
	r := chi.NewRouter()
	r.Get("/panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
	r.Post("/echo", httpx.Adapt(f.WriteError, func(w http.ResponseWriter, r *http.Request) error {
		b, err := httpx.ReadBody(r)
		if err != nil {
			return err
		}
		_, _ = w.Write(b)
		return nil
	}))
	return r
}
func (f fake) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	if httpx.IsTooLarge(err) {
		status = http.StatusRequestEntityTooLarge
	}
	httpx.WriteJSON(w, status, "", map[string]int{"fake_error": status})
}

// The fake vendor is paired with the real 360dialog one, so the journal sees two vendors.
func newEnv(t *testing.T) *emutest.Env {
	return emutest.New(t, []store.Schema{partner.Schema()}, func(d server.Deps) []server.Vendor {
		return []server.Vendor{fake{"/fake"}, partner.New(d)}
	})
}

func TestPanicAnsweredInVendorEnvelope(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	res := env.Do(t, "GET", "/fake/panic", "")
	assert.Equal(t, 500, res.Status)
	assert.JSONEq(t, `{"fake_error":500}`, res.Body)
	// The server still serves.
	assert.Equal(t, 200, env.Do(t, "GET", "/_emulator/health", "").Status)
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	ok := strings.Repeat("a", httpx.MaxBodyBytes)
	res := env.Do(t, "POST", "/fake/echo", ok)
	assert.Equal(t, 200, res.Status)
	assert.Len(t, res.Body, httpx.MaxBodyBytes)

	res = env.Do(t, "POST", "/fake/echo", ok+"a")
	assert.Equal(t, 413, res.Status)
	assert.JSONEq(t, `{"fake_error":413}`, res.Body)

	// Without a Content-Length (chunked), the limit holds while reading.
	req, err := http.NewRequest("POST", env.URL+"/fake/echo", io.MultiReader(strings.NewReader(ok), strings.NewReader("ab")))
	require.NoError(t, err)
	req.ContentLength = -1
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, 413, resp.StatusCode)
}

func TestOutsidePrefixesPlainJSON404(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	for _, path := range []string{"/nothing", "/fakeish/x", "/api/v2/partners/examplePA"} {
		res := env.Do(t, "GET", path, "")
		assert.Equal(t, 404, res.Status, path)
		assert.JSONEq(t, fmt.Sprintf(`{"error":"not found: no vendor is served at %s; GET / lists what is served where"}`, path), res.Body)
		assert.NotEmpty(t, res.Header.Get("X-Request-Id"))
	}
}

func TestIndex(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	res := env.Do(t, "GET", "/", "", "Accept: application/json")
	require.Equal(t, 200, res.Status)
	var ix struct {
		Vendors []struct {
			Name, Prefix string
			BaseURL      string `json:"base_url"`
			Credentials  []server.Credential
		}
	}
	require.NoError(t, json.Unmarshal([]byte(res.Body), &ix))
	require.Len(t, ix.Vendors, 2)
	assert.Equal(t, "fake", ix.Vendors[0].Name)
	assert.Equal(t, env.URL+"/fake", ix.Vendors[0].BaseURL, "the base URL is the one the client reached")
	assert.Equal(t, []server.Credential{{Send: "X-Fake: yes", Means: "anyone"}}, ix.Vendors[0].Credentials)

	// Behind a TLS-terminating proxy, the base URLs are the https ones the client uses.
	res = env.Do(t, "GET", "/", "", "Accept: application/json", "X-Forwarded-Proto: https")
	require.NoError(t, json.Unmarshal([]byte(res.Body), &ix))
	assert.Equal(t, "https://"+strings.TrimPrefix(env.URL, "http://")+"/fake", ix.Vendors[0].BaseURL)

	res = env.Do(t, "GET", "/", "", "Accept: text/html")
	assert.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
	assert.Contains(t, res.Body, `<code class="base-url">`+env.URL+`/fake</code>`)

	for _, m := range []string{"POST", "DELETE", "PROPFIND"} {
		res := env.Do(t, m, "/", "")
		assert.Equal(t, 405, res.Status, m)
		assert.Equal(t, "GET, HEAD", res.Header.Get("Allow"))
		assert.JSONEq(t, `{"error":"method `+m+` not allowed on /: GET it"}`, res.Body)
	}
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	res := env.Do(t, "GET", "/_emulator/health", "", "X-Request-Id: mine-123")
	assert.Equal(t, "mine-123", res.Header.Get("X-Request-Id"))
	a := env.Do(t, "GET", "/nothing", "").Header.Get("X-Request-Id")
	b := env.Do(t, "GET", "/nothing", "").Header.Get("X-Request-Id")
	assert.NotEqual(t, a, b)
}

type journal struct {
	Requests []struct {
		ID           string    `json:"id"`
		Time         time.Time `json:"time"`
		Vendor       string    `json:"vendor"`
		Method       string    `json:"method"`
		Path         string    `json:"path"`
		Query        string    `json:"query"`
		Status       int       `json:"status"`
		DurationMS   *float64  `json:"duration_ms"`
		RequestBody  string    `json:"request_body"`
		ResponseBody string    `json:"response_body"`
	} `json:"requests"`
}

func readJournal(t *testing.T, env *emutest.Env, query string) journal {
	t.Helper()
	res := env.Do(t, "GET", "/_emulator/requests"+query, "")
	require.Equal(t, 200, res.Status, res.Body)
	var j journal
	require.NoError(t, json.Unmarshal([]byte(res.Body), &j))
	return j
}

func TestJournal(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	first := env.Do(t, "POST", "/fake/echo?x=1", `{"hello":"world"}`)
	env.Do(t, "GET", "/360dialog/api/v2/partners/examplePA", "", "X-API-Key: examplePA-api-key")
	env.Do(t, "POST", "/fake/echo", strings.Repeat("z", 10000))

	j := readJournal(t, env, "")
	require.Len(t, j.Requests, 3, "control-plane calls are not journaled")
	newest := j.Requests[0]
	assert.Equal(t, "fake", newest.Vendor)
	assert.Len(t, newest.RequestBody, 4096, "bodies are truncated")
	assert.Len(t, newest.ResponseBody, 4096)
	assert.Equal(t, "360dialog", j.Requests[1].Vendor)
	assert.Equal(t, 200, j.Requests[1].Status)
	assert.Contains(t, j.Requests[1].ResponseBody, `"brand_name":"360dialog"`)
	oldest := j.Requests[2]
	assert.Equal(t, first.Header.Get("X-Request-Id"), oldest.ID)
	assert.Equal(t, "POST", oldest.Method)
	assert.Equal(t, "/fake/echo", oldest.Path)
	assert.Equal(t, "x=1", oldest.Query)
	assert.Equal(t, `{"hello":"world"}`, oldest.RequestBody)
	assert.Equal(t, `{"hello":"world"}`, oldest.ResponseBody)
	assert.Equal(t, emutest.Start, oldest.Time, "journal times read the emulated clock")
	require.NotNil(t, oldest.DurationMS)

	assert.Len(t, readJournal(t, env, "?vendor=360dialog").Requests, 1)
	assert.Len(t, readJournal(t, env, "?limit=2").Requests, 2)
	assert.Len(t, readJournal(t, env, "?vendor=fake&limit=1").Requests, 1)
	res := env.Do(t, "GET", "/_emulator/requests?limit=0", "")
	assert.Equal(t, 400, res.Status)
	assert.JSONEq(t, `{"error":"limit must be a positive integer"}`, res.Body)

	res = env.Do(t, "DELETE", "/_emulator/requests", "")
	assert.JSONEq(t, `{"status":"ok"}`, res.Body)
	assert.Empty(t, readJournal(t, env, "").Requests)
}

func TestRequestLog(t *testing.T) {
	t.Parallel()
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelWarn} {
		var out emutest.LogBuffer
		log := slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: level}))
		env := emutest.New(t, []store.Schema{partner.Schema()}, func(d server.Deps) []server.Vendor {
			return []server.Vendor{partner.New(d)}
		}, emutest.WithLog(log))
		env.Do(t, "PATCH", "/360dialog/api/v2/partners/examplePA?secret=1", `{"webhook_url":"https://secret.example.com"}`,
			"X-API-Key: examplePA-api-key", "X-Request-Id: req-1")
		env.Do(t, "GET", "/_emulator/health", "", "X-Request-Id: req-2")
		env.Do(t, "GET", "/nowhere", "", "X-Request-Id: req-3")
		if level == slog.LevelWarn {
			assert.Equal(t, []string{""}, out.Lines(), "-log-level warn silences the request log")
			continue
		}
		lines := out.Lines()
		require.Len(t, lines, 3)
		type line struct {
			Level, Msg, Vendor, Method, Path string
			RequestID                        string   `json:"request_id"`
			Status                           int      `json:"status"`
			DurationMS                       *float64 `json:"duration_ms"`
		}
		want := []line{
			{Level: "INFO", Msg: "request", Vendor: "360dialog", Method: "PATCH", Path: "/360dialog/api/v2/partners/examplePA", RequestID: "req-1", Status: 200},
			{Level: "INFO", Msg: "request", Vendor: "control", Method: "GET", Path: "/_emulator/health", RequestID: "req-2", Status: 200},
			{Level: "INFO", Msg: "request", Vendor: "", Method: "GET", Path: "/nowhere", RequestID: "req-3", Status: 404},
		}
		for i, raw := range lines {
			var got line
			require.NoError(t, json.Unmarshal([]byte(raw), &got), raw)
			require.NotNil(t, got.DurationMS, raw)
			got.DurationMS = nil
			assert.Equal(t, want[i], got)
			assert.NotContains(t, raw, "secret", "no query or body in the log")
		}
	}
}

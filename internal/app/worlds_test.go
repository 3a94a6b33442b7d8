package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/app"
	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/store"
)

type emu struct {
	t   *testing.T
	url string
}

func start(t *testing.T, o app.Options) *emu {
	t.Helper()
	return serve(t, o, nil)
}

// serve starts the emulator behind a test server; wrap, when not nil,
// wraps its handler.
func serve(t *testing.T, o app.Options, wrap func(http.Handler) http.Handler) *emu {
	t.Helper()
	if o.DB == "" {
		o.DB = store.Memory
	}
	if o.MaxWorlds == 0 {
		o.MaxWorlds = 100
	}
	a, err := app.New(context.Background(), o)
	require.NoError(t, err)
	h := a.Handler
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); a.Close() })
	return &emu{t, srv.URL}
}

type answer struct {
	status int
	header http.Header
	body   string
}

// do sends a request with headers given as "Name: value".
func (e *emu) do(method, path, body string, headers ...string) answer {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	require.NoError(e.t, err)
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(e.t, err)
	return answer{res.StatusCode, res.Header, string(b)}
}

func (e *emu) create(body string) string {
	e.t.Helper()
	res := e.do(http.MethodPost, "/_emulator/worlds", body)
	require.Equal(e.t, http.StatusCreated, res.status, res.body)
	var w struct {
		ID string `json:"id"`
	}
	require.NoError(e.t, json.Unmarshal([]byte(res.body), &w))
	return w.ID
}

const (
	partnerKey = "X-API-Key: examplePA-api-key"
	gaAdmin    = "Authorization: Basic MTpnYS1zeXN0ZW0tYWRtaW4tc2VjcmV0" // 1:ga-system-admin-secret
	loopKey    = "Authorization: lm-acme-default"
	courierTok = "Authorization: Bearer courier-admin-token"
)

func TestCreateAnswersBaseURLs(t *testing.T) {
	t.Parallel()
	e := start(t, app.Options{})
	res := e.do(http.MethodPost, "/_emulator/worlds", `{"id": "suite-1"}`)
	require.Equal(t, http.StatusCreated, res.status, res.body)
	var got struct {
		ID       string            `json:"id"`
		Created  string            `json:"created"`
		BaseURLs map[string]string `json:"base_urls"`
	}
	require.NoError(t, json.Unmarshal([]byte(res.body), &got))
	assert.Equal(t, "suite-1", got.ID)
	assert.NotEmpty(t, got.Created)
	assert.Equal(t, map[string]string{
		"loopmessage": e.url + "/w/suite-1/loopmessage",
		"greenarrow":  e.url + "/w/suite-1/greenarrow",
		"360dialog":   e.url + "/w/suite-1/360dialog",
		"courier":     e.url + "/w/suite-1/courier",
	}, got.BaseURLs)

	// Each base URL serves its vendor as the plain prefix does; the links an
	// answer gives (courier's pages) stay in the world the URL named.
	for _, c := range []struct{ path, header string }{
		{"/360dialog/api/v2/partners/examplePA", partnerKey},
		{"/greenarrow/ga/api/v2/organizations/1", gaAdmin},
		{"/loopmessage/api/v1/organizations/list/", loopKey},
		{"/courier/v1/messaging-channels/", courierTok},
	} {
		plain := e.do(http.MethodGet, c.path, "", c.header)
		inWorld := e.do(http.MethodGet, "/w/suite-1"+c.path, "", c.header)
		byHeader := e.do(http.MethodGet, c.path, "", c.header, "X-Emulator-World: suite-1")
		assert.Equal(t, http.StatusOK, inWorld.status, c.path)
		assert.JSONEq(t, strings.ReplaceAll(plain.body, `"`+e.url+"/", `"`+e.url+"/w/suite-1/"), inWorld.body, c.path)
		assert.JSONEq(t, plain.body, byHeader.body, c.path)
	}
	assert.Contains(t, e.do(http.MethodGet, "/w/suite-1/courier/v1/messaging-channels/", "", courierTok).body,
		`"first":"`+e.url+`/w/suite-1/courier/v1/messaging-channels/?page[limit]=50&page[offset]=0"`)
}

func TestCreateRefusesBadRequests(t *testing.T) {
	t.Parallel()
	e := start(t, app.Options{MaxWorlds: 2})
	e.create(`{"id": "taken"}`)
	for _, c := range []struct {
		body   string
		status int
		msg    string
	}{
		{`{"id": "taken"}`, http.StatusConflict, `a world \"taken\" exists already`},
		{`{"id": "default"}`, http.StatusConflict, "exists already"},
		{`{"id": "no spaces"}`, http.StatusBadRequest, "letters, digits"},
		{`{"id": "` + strings.Repeat("x", 65) + `"}`, http.StatusBadRequest, "1 to 64"},
		{`{"from": "nope"}`, http.StatusNotFound, `no such world \"nope\"`},
		{`{"fixtures": {"nope": {}}}`, http.StatusBadRequest, `unknown vendor \"nope\"`},
		{`{"fixtures": {"360dialog": []}}`, http.StatusBadRequest, "JSON object"},
		{`{"fixtures": {"360dialog": {"partners": [{"id": 5}]}}}`, http.StatusBadRequest, `{"error":"fixtures: 360dialog.json: partners[0] (id 5): field \"id\": must be a string`},
		{`{"ids": "x"}`, http.StatusBadRequest, "ids"},
		{`{"id": "x"} {}`, http.StatusBadRequest, ""},
		{`[]`, http.StatusBadRequest, ""},
	} {
		res := e.do(http.MethodPost, "/_emulator/worlds", c.body)
		assert.Equal(t, c.status, res.status, c.body+": "+res.body)
		assert.Contains(t, res.body, c.msg, c.body)
		assert.True(t, strings.HasPrefix(res.body, `{"error":`), res.body)
	}
	e.create("")
	res := e.do(http.MethodPost, "/_emulator/worlds", "")
	assert.Equal(t, http.StatusTooManyRequests, res.status, res.body)
	assert.Contains(t, res.body, "-max-worlds")
}

func TestUnknownWorldsAnswerInTheVendorsEnvelope(t *testing.T) {
	t.Parallel()
	e := start(t, app.Options{})
	for _, c := range []struct{ path, want string }{
		{"/360dialog/api/v2/partners/examplePA", `{"meta":{"success":false,"http_code":404,"developer_message":"MSG","details":[]}}`},
		{"/greenarrow/ga/api/v2/organizations", `{"success":false,"data":null,"error_code":"not_found","error_message":"MSG"}`},
		{"/loopmessage/api/v1/organizations/list/", `{"success":false,"code":100,"message":"MSG"}`},
		{"/courier/v1/messaging-channels/", `{"errors":[{"status":404,"code":"NotFound","detail":"MSG","meta":{}}]}`},
		{"/_emulator/clock", `{"error":"MSG"}`},
		{"/elsewhere", `{"error":"MSG"}`},
	} {
		msg := `no world \"gone\" exists (it may have expired or been deleted); create it with POST /_emulator/worlds`
		want := strings.ReplaceAll(c.want, "MSG", msg)
		for _, res := range []answer{
			e.do(http.MethodGet, "/w/gone"+c.path, ""),
			e.do(http.MethodGet, c.path, "", "X-Emulator-World: gone"),
		} {
			assert.Equal(t, http.StatusNotFound, res.status, c.path)
			assert.JSONEq(t, want, res.body, c.path)
			assert.NotEmpty(t, res.header.Get("X-Request-Id"))
		}
	}
	res := e.do(http.MethodGet, "/_emulator/clock?world=gone", "")
	assert.Equal(t, http.StatusNotFound, res.status)
	assert.Contains(t, res.body, `no world \"gone\"`)
}

func TestWorldsAreIsolated(t *testing.T) {
	t.Parallel()
	e := start(t, app.Options{})
	a, b := e.create(`{"id": "a"}`), e.create(`{"id": "b"}`)

	// A write in a is not in b nor in the default world.
	res := e.do(http.MethodPatch, "/w/"+a+"/360dialog/api/v2/partners/examplePA", `{"webhook_url": "https://a.example/hook"}`,
		partnerKey, "Content-Type: application/json")
	require.Equal(t, http.StatusOK, res.status, res.body)
	for _, path := range []string{"/w/" + b, ""} {
		res := e.do(http.MethodGet, path+"/360dialog/api/v2/partners/examplePA", "", partnerKey)
		assert.NotContains(t, res.body, "a.example", path)
	}

	// A bearer token issued in a is unknown in b.
	res = e.do(http.MethodPost, "/w/a/360dialog/api/v2/token", `{"username": "partner@example.com", "password": "partner-password"}`,
		"Content-Type: application/json")
	require.Equal(t, http.StatusOK, res.status, res.body)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.Unmarshal([]byte(res.body), &tok))
	bearer := "Authorization: Bearer " + tok.AccessToken
	assert.Equal(t, http.StatusOK, e.do(http.MethodGet, "/w/a/360dialog/api/v2/partners/examplePA", "", bearer).status)
	assert.Equal(t, http.StatusUnauthorized, e.do(http.MethodGet, "/w/b/360dialog/api/v2/partners/examplePA", "", bearer).status)
	assert.Equal(t, http.StatusUnauthorized, e.do(http.MethodGet, "/360dialog/api/v2/partners/examplePA", "", bearer).status)

	// So is a GreenArrow delete code.
	res = e.do(http.MethodGet, "/w/a/greenarrow/ga/api/v2/organizations/4/delete_confirmation_code", "", gaAdmin)
	require.Equal(t, http.StatusOK, res.status, res.body)
	var code struct {
		Data struct {
			Code string `json:"delete_confirmation_code"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(res.body), &code))
	res = e.do(http.MethodDelete, "/w/b/greenarrow/ga/api/v2/organizations/4/confirmed/"+code.Data.Code, "", gaAdmin)
	assert.NotEqual(t, http.StatusOK, res.status, res.body)
	assert.Equal(t, http.StatusOK, e.do(http.MethodGet, "/w/b/greenarrow/ga/api/v2/organizations/4", "", gaAdmin).status)

	// Clocks: a move in a, by the URL, the header or ?world=, stays in a.
	for _, move := range []func() answer{
		func() answer {
			return e.do(http.MethodPost, "/w/a/_emulator/clock", `{"set": "2030-01-01T00:00:00Z", "freeze": true}`)
		},
		func() answer {
			return e.do(http.MethodPost, "/_emulator/clock", `{"set": "2030-01-01T00:00:00Z", "freeze": true}`, "X-Emulator-World: a")
		},
		func() answer {
			return e.do(http.MethodPost, "/_emulator/clock?world=a", `{"set": "2030-01-01T00:00:00Z", "freeze": true}`)
		},
	} {
		require.Equal(t, http.StatusOK, move().status)
		assert.JSONEq(t, `{"now": "2030-01-01T00:00:00Z", "frozen": true}`, e.do(http.MethodGet, "/_emulator/clock?world=a", "").body)
		// The year, not any "2030" (a real clock's nanoseconds may hold one).
		assert.NotContains(t, e.do(http.MethodGet, "/w/b/_emulator/clock", "").body, `"2030-`)
		assert.NotContains(t, e.do(http.MethodGet, "/_emulator/clock", "").body, `"2030-`)
		require.Equal(t, http.StatusOK, e.do(http.MethodDelete, "/w/a/_emulator/clock", "").status)
	}

	// Journals: each world records its own requests, paths as the world saw them.
	require.Equal(t, http.StatusOK, e.do(http.MethodDelete, "/w/a/_emulator/requests", "").status)
	require.Equal(t, http.StatusOK, e.do(http.MethodDelete, "/w/b/_emulator/requests", "").status)
	e.do(http.MethodGet, "/w/a/loopmessage/api/v1/organizations/list/", "", loopKey)
	var journal struct {
		Requests []struct {
			Path string `json:"path"`
		} `json:"requests"`
	}
	require.NoError(t, json.Unmarshal([]byte(e.do(http.MethodGet, "/w/a/_emulator/requests", "").body), &journal))
	require.Len(t, journal.Requests, 1)
	assert.Equal(t, "/loopmessage/api/v1/organizations/list/", journal.Requests[0].Path)
	assert.JSONEq(t, `{"requests": []}`, e.do(http.MethodGet, "/w/b/_emulator/requests", "").body)

	// Resets: a reset of b leaves a's write.
	require.Equal(t, http.StatusOK, e.do(http.MethodPost, "/_emulator/reset", "", "X-Emulator-World: b").status)
	assert.Contains(t, e.do(http.MethodGet, "/w/a/360dialog/api/v2/partners/examplePA", "", partnerKey).body, "a.example")
	require.Equal(t, http.StatusOK, e.do(http.MethodPost, "/w/a/_emulator/reset", "").status)
	assert.NotContains(t, e.do(http.MethodGet, "/w/a/360dialog/api/v2/partners/examplePA", "", partnerKey).body, "a.example")
}

func TestListAndDelete(t *testing.T) {
	t.Parallel()
	e := start(t, app.Options{})
	e.create(`{"id": "one"}`)
	var list struct {
		Worlds []struct {
			ID        string `json:"id"`
			Created   string `json:"created"`
			LastUsed  string `json:"last_used"`
			SizeBytes int64  `json:"size_bytes"`
		} `json:"worlds"`
	}
	require.NoError(t, json.Unmarshal([]byte(e.do(http.MethodGet, "/_emulator/worlds", "").body), &list))
	require.Len(t, list.Worlds, 2)
	assert.Equal(t, "default", list.Worlds[0].ID)
	assert.Equal(t, "one", list.Worlds[1].ID)
	for _, w := range list.Worlds {
		assert.Positive(t, w.SizeBytes)
		assert.NotEmpty(t, w.Created)
		assert.NotEmpty(t, w.LastUsed)
	}

	res := e.do(http.MethodDelete, "/_emulator/worlds/default", "")
	assert.Equal(t, http.StatusBadRequest, res.status)
	assert.JSONEq(t, `{"error": "the default world cannot be deleted"}`, res.body)
	assert.Equal(t, http.StatusNotFound, e.do(http.MethodDelete, "/_emulator/worlds/nope", "").status)
	res = e.do(http.MethodDelete, "/_emulator/worlds/one", "")
	assert.Equal(t, http.StatusNoContent, res.status)
	assert.Empty(t, res.body)
	assert.Equal(t, http.StatusNotFound, e.do(http.MethodGet, "/w/one/_emulator/health", "").status)
	assert.Equal(t, http.StatusNotFound, e.do(http.MethodDelete, "/_emulator/worlds/one", "").status)

	res = e.do(http.MethodPut, "/_emulator/worlds", "")
	assert.Equal(t, http.StatusMethodNotAllowed, res.status)
	assert.Equal(t, "GET, HEAD, POST", res.header.Get("Allow"))
}

func TestControlTokenGuardsWorlds(t *testing.T) {
	t.Parallel()
	e := start(t, app.Options{ControlToken: "s3cret"})
	for _, c := range []struct{ method, path string }{
		{http.MethodPost, "/_emulator/worlds"}, {http.MethodGet, "/_emulator/worlds"}, {http.MethodDelete, "/_emulator/worlds/x"},
	} {
		res := e.do(c.method, c.path, "")
		assert.Equal(t, http.StatusUnauthorized, res.status, c.path)
		assert.NotEmpty(t, res.header.Get("WWW-Authenticate"))
	}
	res := e.do(http.MethodPost, "/_emulator/worlds", `{"id": "ok"}`, "Authorization: Bearer s3cret")
	assert.Equal(t, http.StatusCreated, res.status, res.body)
	assert.Equal(t, http.StatusUnauthorized, e.do(http.MethodGet, "/w/ok/_emulator/clock", "").status,
		"a world's control plane is guarded as the default one's")
	assert.Equal(t, http.StatusOK, e.do(http.MethodGet, "/w/ok/_emulator/health", "").status)
}

func TestWorldsOnFilesSitBesideTheDefault(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "emulator.db")
	e := start(t, app.Options{DB: db})
	e.create(`{"id": "filed"}`)
	assert.FileExists(t, db+".worlds/filed.db")
	res := e.do(http.MethodPatch, "/w/filed/360dialog/api/v2/partners/examplePA", `{"webhook_url": "https://filed.example/hook"}`,
		partnerKey, "Content-Type: application/json")
	require.Equal(t, http.StatusOK, res.status, res.body)
	copyID := e.create(`{"from": "filed"}`)
	assert.Contains(t, e.do(http.MethodGet, "/w/"+copyID+"/360dialog/api/v2/partners/examplePA", "", partnerKey).body, "filed.example")
	require.Equal(t, http.StatusNoContent, e.do(http.MethodDelete, "/_emulator/worlds/"+copyID, "").status)
	assert.NoFileExists(t, db+".worlds/"+copyID+".db")
}

func TestConcurrentWorlds(t *testing.T) {
	t.Parallel()
	e := start(t, app.Options{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				res := e.do(http.MethodPost, "/_emulator/worlds", "")
				if !assert.Equal(t, http.StatusCreated, res.status, res.body) {
					return
				}
				var w struct {
					ID string `json:"id"`
				}
				_ = json.Unmarshal([]byte(res.body), &w)
				hook := `{"webhook_url": "https://` + w.ID + `.example/hook"}`
				res = e.do(http.MethodPatch, "/w/"+w.ID+"/360dialog/api/v2/partners/examplePA", hook, partnerKey, "Content-Type: application/json")
				assert.Equal(t, http.StatusOK, res.status, res.body)
				got := e.do(http.MethodGet, "/360dialog/api/v2/partners/examplePA", "", partnerKey, "X-Emulator-World: "+w.ID)
				assert.Contains(t, got.body, w.ID+".example")
				// Every world's courier runs on one shared model (catalog, table).
				msg := `{"data":{"type":"messaging-messages","attributes":{"channel-id":"` + courierChannel +
					`","individual-id":"30000000-0000-4000-8000-000000000001","message":"from ` + w.ID + `"}}}`
				res = e.do(http.MethodPost, "/w/"+w.ID+"/courier/v1/messaging-messages/", msg, courierTok, "Content-Type: application/vnd.api+json")
				assert.Equal(t, http.StatusCreated, res.status, res.body)
				got = e.do(http.MethodGet, "/w/"+w.ID+"/courier/v1/messaging-messages/?channel-id="+courierChannel, "", courierTok)
				assert.Contains(t, got.body, "from "+w.ID)
				assert.Equal(t, http.StatusNoContent, e.do(http.MethodDelete, "/_emulator/worlds/"+w.ID, "").status)
			}
		}()
	}
	wg.Wait()
	assert.NotContains(t, e.do(http.MethodGet, "/360dialog/api/v2/partners/examplePA", "", partnerKey).body, ".example/hook\"",
		"the default world saw none of it")
	assert.NotContains(t, e.do(http.MethodGet, "/courier/v1/messaging-messages/?channel-id="+courierChannel, "", courierTok).body, `"from `)
}

const courierChannel = "50000000-0000-4000-8000-000000000001"

func TestWorldsCountedHearsEachChange(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var counts []int
	e := start(t, app.Options{WorldsCounted: func(n int) {
		mu.Lock()
		defer mu.Unlock()
		counts = append(counts, n)
	}})
	e.create(`{"id": "one"}`)
	e.create(`{"id": "two"}`)
	res := e.do(http.MethodPost, "/_emulator/worlds", `{"fixtures": {"nope": {}}}`)
	require.Equal(t, http.StatusBadRequest, res.status, res.body)
	require.Equal(t, http.StatusNoContent, e.do(http.MethodDelete, "/_emulator/worlds/one", "").status)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []int{1, 2, 3, 2, 1}, counts, "a world being made counts; one that failed, or was deleted, no longer does")
}

func TestAWorldsIndexAndLogsAreItsOwn(t *testing.T) {
	t.Parallel()
	logs := &emutest.LogBuffer{}
	e := start(t, app.Options{Log: slog.New(slog.NewTextHandler(logs, nil))})
	e.create(`{"id": "mine"}`)
	res := e.do(http.MethodGet, "/w/mine/", "", "Accept: application/json")
	require.Equal(t, http.StatusOK, res.status, res.body)
	var ix struct {
		Vendors []struct {
			BaseURL string `json:"base_url"`
		} `json:"vendors"`
	}
	require.NoError(t, json.Unmarshal([]byte(res.body), &ix))
	require.NotEmpty(t, ix.Vendors)
	for _, v := range ix.Vendors {
		assert.True(t, strings.HasPrefix(v.BaseURL, e.url+"/w/mine/"), "the index of a world gives its base URLs: %s", v.BaseURL)
	}

	e.do(http.MethodGet, "/w/mine/360dialog/api/v2/partners/examplePA", "", partnerKey)
	assert.Contains(t, logs.String(), "world=mine", "a world's request log lines name it")
}

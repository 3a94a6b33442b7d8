package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/config"
	"github.com/emulator/vendor-emulator/internal/emutest"
)

// start runs the real emulator through run on a free port until the test ends.
func start(t *testing.T, args ...string) (base string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	errc := make(chan error, 1)
	logs := &emutest.LogBuffer{}
	go func() {
		errc <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), func(string) string { return "" }, ready, io.Discard, logs)
	}()
	select {
	case addr := <-ready:
		base = "http://" + addr
	case err := <-errc:
		cancel()
		t.Fatalf("run failed: %v\n%s", err, logs.String())
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("emulator did not start")
	}
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-errc
	}
	t.Cleanup(func() { _ = stop() })
	return base, stop
}

// get is a GET of url with headers ("Name: value"): its status and body.
func get(t *testing.T, url string, headers ...string) (int, string) {
	t.Helper()
	res, body := fetch(t, http.MethodGet, url, headers...)
	return res.StatusCode, body
}

func TestEndToEnd(t *testing.T) {
	base, stop := start(t)
	status, body := get(t, base+"/_emulator/health")
	assert.Equal(t, 200, status)
	assert.JSONEq(t, `{"status":"ok","version":"dev"}`, body)

	status, body = get(t, base+"/360dialog/api/v2/partners/examplePA", "X-API-Key: examplePA-api-key")
	assert.Equal(t, 200, status)
	assert.Contains(t, body, `"id":"examplePA"`)

	status, _ = get(t, base+"/nowhere")
	assert.Equal(t, 404, status)
	addr := strings.TrimPrefix(base, "http://")
	require.NoError(t, run(context.Background(), []string{"healthcheck", "-addr", addr}, func(string) string { return "" }, nil, io.Discard, io.Discard))

	require.NoError(t, stop(), "a signal ends run cleanly")
	assert.Error(t, run(context.Background(), []string{"healthcheck", "-addr", addr}, func(string) string { return "" }, nil, io.Discard, io.Discard),
		"healthcheck fails once the server is gone")
}

func TestFileStatePersistsAcrossRestarts(t *testing.T) {
	db := filepath.Join(t.TempDir(), "emulator.db")
	base, stop := start(t, "-db", db)
	req, _ := http.NewRequest("PATCH", base+"/360dialog/api/v2/partners/examplePA", strings.NewReader(`{"webhook_url":"https://kept.example.com"}`))
	req.Header.Set("X-API-Key", "examplePA-api-key")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, 200, res.StatusCode)
	require.NoError(t, stop())

	base, _ = start(t, "-db", db)
	_, body := get(t, base+"/360dialog/api/v2/partners/examplePA/webhook_url", "X-API-Key: examplePA-api-key")
	assert.JSONEq(t, `{"webhook_url":"https://kept.example.com"}`, body)
}

func TestStartErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	env := func(string) string { return "" }

	err = run(context.Background(), []string{"-addr", ln.Addr().String()}, env, nil, io.Discard, io.Discard)
	assert.ErrorContains(t, err, "cannot listen on "+ln.Addr().String())

	err = run(context.Background(), []string{"-bogus"}, env, nil, io.Discard, io.Discard)
	assert.EqualError(t, err, "flag provided but not defined: -bogus")

	err = run(context.Background(), []string{"-addr", "127.0.0.1:0", "-fixtures", "/does/not/exist"}, env, nil, io.Discard, io.Discard)
	assert.EqualError(t, err, `fixtures directory "/does/not/exist" cannot be read`)
}

// TestEveryVendorIsServed walks one documented call and one unknown path of
// every vendor through the real binary's wiring, with the default credentials.
func TestEveryVendorIsServed(t *testing.T) {
	base, _ := start(t)
	tests := []struct {
		name, path string
		headers    []string
		status     int
		contains   string
	}{
		{"360dialog", "/360dialog/api/v2/partners/examplePA", []string{"X-API-Key: examplePA-api-key"}, 200, `"brand_name":"360dialog"`},
		{"360dialog unknown", "/360dialog/nope", nil, 404, `"http_code":404`},
		{"greenarrow", "/greenarrow/ga/api/v2/organizations", []string{"Authorization: Basic MTpnYS1zeXN0ZW0tYWRtaW4tc2VjcmV0"}, 200, `"name":"System Organization"`},
		{"greenarrow unknown", "/greenarrow/nope", nil, 404, `"error_code":"not_found"`},
		{"loopmessage", "/loopmessage/api/v1/organizations/list/", []string{"Authorization: lm-acme-default"}, 200, `"name":"Acme Support"`},
		{"loopmessage unknown", "/loopmessage/nope", nil, 404, `"success":false`},
		{"courier", "/courier/v1/organizations/", []string{"Authorization: Bearer courier-admin-token"}, 200, `"type":"organizations"`},
		{"courier unknown", "/courier/v1/nope/", []string{"Authorization: Bearer courier-admin-token"}, 404, `"errors":[`},
		{"outside every prefix", "/nope", nil, 404, `"error":"not found`},
	}
	for _, tc := range tests {
		status, body := get(t, base+tc.path, tc.headers...)
		assert.Equal(t, tc.status, status, tc.name)
		assert.Contains(t, body, tc.contains, tc.name)
	}
	// Each vendor resets on its own name.
	for _, v := range []string{"360dialog", "greenarrow", "loopmessage", "courier"} {
		res, err := http.Post(base+"/_emulator/reset?vendor="+v, "application/json", nil)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, 200, res.StatusCode, v)
	}
}

func TestControlToken(t *testing.T) {
	base, _ := start(t, "-control-token", "s3cret")
	call := func(method, path string, headers ...string) (int, string, http.Header) {
		t.Helper()
		res, body := fetch(t, method, base+path, headers...)
		return res.StatusCode, body, res.Header
	}
	for _, open := range []string{"/_emulator/health", "/_emulator/docs/", "/_emulator/docs/control-plane.md", "/"} {
		status, _, _ := call("GET", open)
		assert.Equal(t, 200, status, "%s needs no token: probes and readers of the docs", open)
	}

	calls := []struct{ method, path string }{
		{"POST", "/_emulator/reset"}, {"GET", "/_emulator/clock"}, {"POST", "/_emulator/clock"}, {"DELETE", "/_emulator/clock"},
		{"GET", "/_emulator/requests"}, {"DELETE", "/_emulator/requests"},
		{"POST", "/_emulator/greenarrow/organizations/2/sends"}, {"GET", "/_emulator/nothing"},
	}
	for _, c := range calls {
		for _, auth := range []string{"", "Authorization: Bearer wrong", "Authorization: s3cret", "Authorization: Bearer s3cret2"} {
			var headers []string
			if auth != "" {
				headers = append(headers, auth)
			}
			status, body, h := call(c.method, c.path, headers...)
			assert.Equal(t, 401, status, "%s %s with %q", c.method, c.path, auth)
			assert.Contains(t, body, `"error":"the control plane needs`)
			assert.Equal(t, `Bearer realm="emulator control plane"`, h.Get("WWW-Authenticate"))
		}
	}
	status, body, _ := call("GET", "/_emulator/clock", "Authorization: Bearer s3cret")
	assert.Equal(t, 200, status, body)
	status, _, _ = call("POST", "/_emulator/reset", "Authorization: Bearer s3cret")
	assert.Equal(t, 200, status)

	status, _, _ = call("GET", "/360dialog/api/v2/partners/examplePA", "X-API-Key: examplePA-api-key")
	assert.Equal(t, 200, status, "vendor routes do not need the control token")
	status, body, _ = call("GET", "/_emulator/requests?vendor=360dialog", "Authorization: Bearer s3cret")
	assert.Equal(t, 200, status)
	assert.Contains(t, body, "/360dialog/api/v2/partners/examplePA")
}

// TestShutdownClosesAStalledRequest: a request whose body never comes does
// not turn a SIGTERM into a failed exit; its connection is closed when the
// grace period ends, and the store is closed cleanly.
func TestShutdownClosesAStalledRequest(t *testing.T) {
	for _, mode := range []string{"memory", "file"} {
		t.Run(mode, func(t *testing.T) {
			args := []string{"-shutdown-timeout", "200ms"}
			db := filepath.Join(t.TempDir(), "emulator.db")
			if mode == "file" {
				args = append(args, "-db", db)
			}
			base, stop := start(t, args...)
			conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
			require.NoError(t, err)
			defer conn.Close()
			_, err = io.WriteString(conn, "PATCH /360dialog/api/v2/partners/examplePA HTTP/1.1\r\nHost: x\r\nX-API-Key: examplePA-api-key\r\n"+
				"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"webhook_url\":")
			require.NoError(t, err)

			require.NoError(t, stop(), "the exit is clean although a request was still stalled")
			require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
			_, err = io.ReadAll(conn)
			var ne net.Error
			assert.False(t, errors.As(err, &ne) && ne.Timeout(), "the stalled connection was closed, not left open")

			if mode == "file" {
				_, err := os.Stat(db + "-wal")
				assert.True(t, os.IsNotExist(err), "a clean close checkpoints and removes the WAL")
				base, _ = start(t, "-db", db)
				status, _ := get(t, base+"/360dialog/api/v2/partners/examplePA", "X-API-Key: examplePA-api-key")
				assert.Equal(t, 200, status)
			}
		})
	}
}

func TestHelpAndVersionGoToStdout(t *testing.T) {
	env := func(string) string { return "" }
	for _, args := range [][]string{{"-h"}, {"-help"}, {"healthcheck", "-h"}} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), args, env, nil, &stdout, &stderr)
		assert.ErrorIs(t, err, config.ErrHelp, "main exits 0 on it")
		assert.Contains(t, stdout.String(), "emulator healthcheck [flags]", args)
		assert.Contains(t, stdout.String(), "-addr")
		assert.Empty(t, stderr.String())
	}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-version"}, env, nil, &stdout, &stderr)
	assert.ErrorIs(t, err, config.ErrVersion, "main exits 0 on it")
	assert.Equal(t, "emulator dev\n", stdout.String())
	assert.Empty(t, stderr.String())
}

// TestHeapLimitFollowsTheWorlds: the GC's soft heap limit grows by 1 MiB a
// world and shrinks as worlds go; GOMEMLIMIT, when set, is left alone. Not
// parallel: it reads the process's GC settings, which every run sets.
func TestHeapLimitFollowsTheWorlds(t *testing.T) {
	prevLimit := debug.SetMemoryLimit(-1)
	prevGC := debug.SetGCPercent(100)
	t.Cleanup(func() {
		debug.SetMemoryLimit(prevLimit)
		debug.SetGCPercent(prevGC)
	})
	base, _ := start(t)
	limit := func() int64 { return debug.SetMemoryLimit(-1) }
	create := func(body string) {
		res, err := http.Post(base+"/_emulator/worlds", "application/json", strings.NewReader(body))
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, http.StatusCreated, res.StatusCode)
	}
	assert.Equal(t, int64(40<<20), limit())
	create(`{"id": "one"}`)
	create(`{"id": "two"}`)
	assert.Equal(t, int64(42<<20), limit(), "1 MiB more a world")
	res, body := fetch(t, http.MethodDelete, base+"/_emulator/worlds/one")
	require.Equal(t, http.StatusNoContent, res.StatusCode, body)
	assert.Equal(t, int64(41<<20), limit(), "and 1 MiB less when one goes")

	debug.SetMemoryLimit(123 << 20)
	assert.Nil(t, tuneGC(func(k string) string {
		if k == "GOMEMLIMIT" {
			return "123MiB"
		}
		return ""
	}))
	assert.Equal(t, int64(123<<20), limit(), "GOMEMLIMIT wins")
}

// TestInflightWaitsForRunningRequests: the shutdown's wait returns once the
// last running request ends, and reports false when one outlives it.
func TestInflightWaitsForRunningRequests(t *testing.T) {
	busy := &inflight{idle: make(chan struct{}, 1)}
	unblock, running := make(chan struct{}), make(chan struct{}, 2)
	h := busy.track(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		running <- struct{}{}
		<-unblock
	}))
	for range 2 {
		go h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	}
	<-running
	<-running
	assert.True(t, busy.running())
	assert.False(t, busy.wait(10*time.Millisecond), "two requests still run")
	close(unblock)
	assert.True(t, busy.wait(5*time.Second), "both ended")
	assert.False(t, busy.running())
}

// TestNoMemoryProfile: the emulator stops sampling allocations for a memory
// profile it never serves, unless GODEBUG sets memprofilerate.
func TestNoMemoryProfile(t *testing.T) {
	was := runtime.MemProfileRate
	t.Cleanup(func() { runtime.MemProfileRate = was })

	runtime.MemProfileRate = 512 * 1024
	noMemoryProfile(func(string) string { return "" })
	assert.Equal(t, 0, runtime.MemProfileRate)

	runtime.MemProfileRate = 4096
	noMemoryProfile(func(k string) string {
		if k == "GODEBUG" {
			return "madvdontneed=1,memprofilerate=4096"
		}
		return ""
	})
	assert.Equal(t, 4096, runtime.MemProfileRate, "GODEBUG's memprofilerate wins")
}

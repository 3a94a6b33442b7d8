// Package emutest starts the real router around chosen vendors for tests:
// a fresh in-memory store seeded from the embedded fixtures, a frozen clock,
// and a running webhook outbox (Deps.Webhooks).
package emutest

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/fixtures"
	"github.com/emulator/vendor-emulator/internal/clock"
	"github.com/emulator/vendor-emulator/internal/control"
	"github.com/emulator/vendor-emulator/internal/ids"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
	"github.com/emulator/vendor-emulator/internal/webhook"
)

// Start is the instant every test clock starts at, frozen.
var Start = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// Env is a running emulator for one test.
type Env struct {
	URL    string
	Server *httptest.Server
	Deps   server.Deps
}

// New starts a server with the vendors newVendors builds, on a fresh in-memory
// store migrated and seeded with schemas. The clock is frozen at Start.
func New(tb testing.TB, schemas []store.Schema, newVendors func(server.Deps) []server.Vendor, opts ...Option) *Env {
	tb.Helper()
	return start(tb, store.Memory, schemas, newVendors, opts...)
}

// Option changes how New builds the environment.
type Option func(*server.Deps)

// WithSequentialIDs makes every generated id a counter (see Sequence), so
// that whole answers can be compared byte for byte between runs.
func WithSequentialIDs() Option {
	return func(d *server.Deps) { d.IDs = &Sequence{} }
}

// WithLog sends the server's and the vendors' logs to log (they are
// discarded otherwise), for tests of what is logged.
func WithLog(log *slog.Logger) Option {
	return func(d *server.Deps) { d.Log = log }
}

// Sequence is a deterministic ids.Generator: the n-th id of a run is always
// the same. Safe for concurrent use; the order is the callers' own.
type Sequence struct{ n atomic.Uint64 }

// UUID implements ids.Generator.
func (s *Sequence) UUID() string { return fmt.Sprintf("00000000-0000-4000-8000-%012x", s.n.Add(1)) }

// Hex implements ids.Generator.
func (s *Sequence) Hex(n int) string {
	h := fmt.Sprintf("%016x", s.n.Add(1))
	for len(h) < 2*n {
		h = "0" + h
	}
	return h[len(h)-2*n:]
}

// NewFile is New on a fresh database file, where requests really run in
// parallel on several connections: for concurrency tests.
func NewFile(tb testing.TB, schemas []store.Schema, newVendors func(server.Deps) []server.Vendor) *Env {
	tb.Helper()
	return start(tb, filepath.Join(tb.TempDir(), "emulator.db"), schemas, newVendors)
}

// Seeded is New on a store seeded from doc as the fixture file named file
// (say "courier.json", read by the strict fixture reader), for the export
// round trips of State. clk is shared with another Env (nil: a new clock
// frozen at Start).
func Seeded(tb testing.TB, schema store.Schema, file string, doc []byte, clk *clock.Clock, newVendors func(server.Deps) []server.Vendor) *Env {
	tb.Helper()
	db, err := store.Open(context.Background(), store.Memory, fstest.MapFS{file: {Data: doc}}, schema, webhook.Schema())
	require.NoError(tb, err, "the document must seed a store")
	return serve(tb, db, clk, newVendors)
}

// OlderSchema is s as an older build had it: only the migrations named, so
// that a test can make the database file an upgrade starts from, and no
// CatchUp (its statements read tables a later migration makes).
func OlderSchema(tb testing.TB, s store.Schema, migrations ...string) store.Schema {
	tb.Helper()
	older := fstest.MapFS{}
	for _, name := range migrations {
		b, err := fs.ReadFile(s.Migrations, name)
		require.NoError(tb, err)
		older[name] = &fstest.MapFile{Data: b}
	}
	s.Migrations = older
	s.CatchUp = nil
	return s
}

// State is v's state document as GET /_emulator/state writes it.
func State(tb testing.TB, v server.Vendor) []byte {
	tb.Helper()
	doc, err := v.State(context.Background())
	require.NoError(tb, err)
	b, err := control.EncodeState(doc)
	require.NoError(tb, err)
	return b
}

func start(tb testing.TB, path string, schemas []store.Schema, newVendors func(server.Deps) []server.Vendor, opts ...Option) *Env {
	tb.Helper()
	db, err := openStore(path, append(schemas[:len(schemas):len(schemas)], webhook.Schema()))
	require.NoError(tb, err)
	return serve(tb, db, nil, newVendors, opts...)
}

func serve(tb testing.TB, db *store.DB, clk *clock.Clock, newVendors func(server.Deps) []server.Vendor, opts ...Option) *Env {
	tb.Helper()
	if clk == nil {
		clk = clock.New(nil)
		clk.Set(Start)
		clk.Freeze(true)
		clk.Set(Start)
	}
	tb.Cleanup(func() { db.Close() })
	deps := server.Deps{DB: db, Clock: clk, Log: slog.New(slog.DiscardHandler), IDs: ids.Random{}}
	for _, o := range opts {
		o(&deps)
	}
	deps.Webhooks = webhook.New(webhook.Config{DB: db, Clock: clk, Log: deps.Log, IDs: deps.IDs})
	h := server.New(server.Config{DB: db, Clock: clk, Log: deps.Log, Version: "test", Vendors: newVendors(deps),
		Webhooks: deps.Webhooks})
	deps.Webhooks.Start() // after the vendors have added their timers
	tb.Cleanup(deps.Webhooks.Close)
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return &Env{URL: srv.URL, Server: srv, Deps: deps}
}

// templates holds one migrated and seeded in-memory store per set of vendors,
// for the life of the test binary: a test's fresh store is a copy of it
// (store.Clone), which costs a fraction of migrating and seeding (courier's
// triggers made that about a second per store under the race detector).
var templates sync.Map // vendor names → *template

type template struct {
	once sync.Once
	db   *store.DB
	err  error
}

func openStore(path string, schemas []store.Schema) (*store.DB, error) {
	ctx := context.Background()
	if path != store.Memory {
		return store.Open(ctx, path, fixtures.FS, schemas...)
	}
	var key strings.Builder
	for _, s := range schemas {
		key.WriteString(s.Vendor + "\n")
	}
	v, _ := templates.LoadOrStore(key.String(), &template{})
	t := v.(*template)
	t.once.Do(func() { t.db, t.err = store.Open(ctx, store.Memory, fixtures.FS, schemas...) })
	if t.err != nil {
		return nil, t.err
	}
	return t.db.Clone(ctx)
}

// Response is a finished request: status, headers and the whole body.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

// Do sends one request (body may be ""), with the given headers as "Name: value" pairs.
func (e *Env) Do(tb testing.TB, method, path, body string, headers ...string) Response {
	tb.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	require.NoError(tb, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		k, v, ok := strings.Cut(h, ":")
		require.True(tb, ok, "header %q is not Name: value", h)
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	resp, err := e.Server.Client().Do(req)
	require.NoError(tb, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(tb, err)
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

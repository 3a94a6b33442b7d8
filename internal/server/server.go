// Package server builds the emulator's HTTP handler: the shared middleware,
// one mount per vendor under its prefix, the control plane, and a plain JSON
// 404 outside every prefix. It knows vendors only through the Vendor interface.
package server

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/emulator/vendor-emulator/internal/clock"
	"github.com/emulator/vendor-emulator/internal/control"
	"github.com/emulator/vendor-emulator/internal/fault"
	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/ids"
	"github.com/emulator/vendor-emulator/internal/store"
	"github.com/emulator/vendor-emulator/internal/webhook"
	"github.com/emulator/vendor-emulator/internal/world"
)

// Deps are what every vendor's handler is built from.
type Deps struct {
	DB    *store.DB
	Clock *clock.Clock
	Log   *slog.Logger
	IDs   ids.Generator
	// Webhooks is the world's outbox: a vendor records there the calls it
	// makes to its customers, in the transaction of the change that causes them.
	Webhooks *webhook.Outbox
}

// Vendor is one emulated vendor API.
type Vendor interface {
	// Name is the vendor's name in resets and in the journal ("greenarrow").
	Name() string
	// Prefix is where the vendor is mounted ("/greenarrow").
	Prefix() string
	// Routes serves every path below the prefix (the prefix is stripped),
	// unknown ones included, in the vendor's own format.
	Routes() http.Handler
	// WriteError is the vendor's error adapter; the server uses it for panics
	// and for bodies over the size limit (httpx.IsTooLarge → 413).
	WriteError(w http.ResponseWriter, r *http.Request, err error)
	// About tells a newcomer how to use the vendor (the index page at /).
	About() About
	// State is the vendor's current state in its fixture format: a store
	// seeded from it (as JSON) answers as this one does
	// (GET /_emulator/state).
	State(ctx context.Context) (any, error)
}

// About is what the index page says of a vendor.
type About struct {
	Title       string       // "360dialog Partner API (WhatsApp)"
	Replaces    string       // the real base URL the prefix stands for
	Credentials []Credential // the default fixture credentials
	Example     Example      // one call that answers with the defaults
}

// Credential is one default credential and what it stands for.
type Credential struct {
	Send  string `json:"send"`  // what to send, e.g. "X-API-Key: examplePA-api-key"
	Means string `json:"means"` // e.g. "partner examplePA"
}

// Example is a call that answers 200 on the default fixtures.
type Example struct {
	Method string `json:"method"`
	Path   string `json:"path"`   // below the prefix
	Header string `json:"header"` // "Name: value"
}

// ControlVendor is a vendor with its own control-plane routes, served at /_emulator/<name>/.
type ControlVendor interface {
	Vendor
	ControlRoutes() http.Handler
}

// Config is what New needs.
type Config struct {
	DB      *store.DB
	Clock   *clock.Clock
	Log     *slog.Logger
	Version string
	Journal *control.Journal
	Vendors []Vendor
	// ControlToken, when set, guards the control plane (see control.Handler.Token).
	ControlToken string
	// Docs are the documentation pages, served at /_emulator/docs/ and linked from /.
	Docs fs.FS
	// World names the world this handler serves, in its log lines ("" or
	// "default" for the default world, which logs none).
	World string
	// WriteTimeout is the server's: a "timeout" fault holds a request no
	// longer (fault.DefaultHold when zero).
	WriteTimeout time.Duration
	// Webhooks is the world's outbox (see Deps.Webhooks), shown and
	// replayed at /_emulator/webhooks.
	Webhooks *webhook.Outbox
}

// New returns the emulator's root handler.
func New(cfg Config) http.Handler {
	if cfg.Journal == nil {
		cfg.Journal = control.NewJournal(1000, 4096)
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.World != "" && cfg.World != world.Default {
		cfg.Log = cfg.Log.With("world", cfg.World)
	}
	prefixes := make(map[string]string, len(cfg.Vendors))
	for _, v := range cfg.Vendors {
		prefixes[v.Name()] = v.Prefix()
	}
	faults := fault.NewSet(prefixes)
	ctl := &control.Handler{DB: cfg.DB, Clock: cfg.Clock, Journal: cfg.Journal, Faults: faults, Webhooks: cfg.Webhooks, Log: cfg.Log,
		Version: cfg.Version, Token: cfg.ControlToken, Docs: cfg.Docs, Vendors: map[string]http.Handler{},
		States: map[string]func(context.Context) (any, error){}}
	for _, v := range cfg.Vendors {
		ctl.Served = append(ctl.Served, v.Name())
		ctl.States[v.Name()] = v.State
	}

	routes := &mounts{index: indexHandler(cfg.Version, cfg.World, cfg.Vendors, cfg.Docs, control.WriteError(cfg.Log))}
	for _, v := range cfg.Vendors {
		routes.list = append(routes.list, mount{v.Prefix(), guard(cfg.Log, v.Name(), v.WriteError, v.Routes())})
		if cv, ok := v.(ControlVendor); ok {
			ctl.Vendors[v.Name()] = cv.ControlRoutes()
		}
	}
	routes.list = append(routes.list, mount{"/_emulator", guard(cfg.Log, "control", control.WriteError(cfg.Log), ctl.Routes())})
	routes.notFound = httpx.Adapt(control.WriteError(cfg.Log), func(w http.ResponseWriter, r *http.Request) error {
		return &control.Error{Status: http.StatusNotFound, Msg: "not found: no vendor is served at " + r.URL.Path + "; GET / lists what is served where"}
	})
	journaled := journal(cfg.Journal, cfg.Clock, cfg.Log, cfg.Vendors, faults, cfg.WriteTimeout)(routes)
	return requestID(cfg.Webhooks.Track(journaled))
}

// requestID gives every response an X-Request-Id (the client's own, if it sent
// a sane one): a random per-process UUID with a counter in its last group, so
// ids are unique without a call to the random source per request.
// A response that has one already (given by Root) keeps it.
func requestID(next http.Handler) http.Handler {
	base := uuid.NewString()[:24]
	var n atomic.Uint64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := w.Header()["X-Request-Id"]; ok {
			next.ServeHTTP(w, r)
			return
		}
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 200 {
			id = sequentialID(base, n.Add(1))
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r)
	})
}

// sequentialID is base (24 characters of a UUID) and the last 12 hex digits
// of n: fmt.Sprintf("%s%012x", base, n) without its allocations, on every
// request.
func sequentialID(base string, n uint64) string {
	const hex = "0123456789abcdef"
	var b [36]byte
	copy(b[:24], base)
	for i := len(b) - 1; i >= 24; i-- {
		b[i], n = hex[n&0xf], n>>4
	}
	return string(b[:])
}

// guard wraps one mount: panics and oversized bodies are answered in that
// mount's own envelope through its error adapter.
func guard(log *slog.Logger, name string, onErr httpx.ErrorWriter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.Error("panic", "vendor", name, "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p))
				onErr(w, r, fmt.Errorf("panic: %v", p))
			}
		}()
		if r.ContentLength > httpx.MaxBodyBytes {
			onErr(w, r, &httpx.BodyError{Kind: httpx.BodyTooLarge,
				Msg: fmt.Sprintf("request body larger than %d bytes", httpx.MaxBodyBytes)})
			return
		}
		if r.Body != http.NoBody { // a request without a body (most GETs) needs no limit
			r.Body = http.MaxBytesReader(w, r.Body, httpx.MaxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

// journal records every vendor request in the journal, and logs one line per
// request at info level (bodies stay in the journal, out of the log).
// Control-plane calls are logged but not journaled, so reading the journal
// does not change it. A vendor request a fault rule fires on is served by
// the rule (fault.Serve) instead, and journaled and logged with its id.
func journal(j *control.Journal, clk *clock.Clock, log *slog.Logger, vendors []Vendor, faults *fault.Set, hold time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			if strings.HasPrefix(r.URL.Path, "/_emulator/") {
				rec := httpx.NewRecorder(w, 0)
				next.ServeHTTP(rec, r)
				logRequest(log, r, "control", rec.Status, time.Since(start), w.Header().Get("X-Request-Id"), "")
				return
			}
			vendor := vendorAt(vendors, r.URL.Path)
			name := ""
			var hit fault.Hit
			faulted := false
			if vendor != nil {
				name = vendor.Name()
				hit, faulted = faults.Match(name, r.Method, r.URL.Path[len(vendor.Prefix()):])
			}
			at := clk.Now()
			reqBody := &httpx.Capped{Limit: j.BodyLimit}
			httpx.TeeBody(r, reqBody)
			rec := httpx.NewRecorder(w, j.BodyLimit)
			abort := false
			if faulted {
				abort = fault.Serve(rec, r, hit, hold, vendor.WriteError, next)
			} else {
				next.ServeHTTP(rec, r)
			}
			took := time.Since(start)
			id := w.Header().Get("X-Request-Id")
			status := rec.Status
			if faulted && !rec.Wrote() {
				status = 0 // no answer was sent: the connection failed
			}
			resBody := rec.Body.String()
			if r.Method == http.MethodHead {
				resBody = "" // net/http sent none: the handler answered as for GET
			}
			j.Add(control.Entry{
				ID:           id,
				Time:         at,
				Vendor:       name,
				Method:       r.Method,
				Path:         r.URL.Path,
				Query:        r.URL.RawQuery,
				Status:       status,
				DurationMS:   float64(took.Microseconds()) / 1000,
				RequestBody:  reqBody.String(),
				ResponseBody: resBody,
				Fault:        hit.Rule,
			})
			logRequest(log, r, name, status, took, id, hit.Rule)
			if abort {
				panic(http.ErrAbortHandler) // fails the HTTP/2 stream, which cannot be taken over
			}
		})
	}
}

// vendorAt is the vendor whose prefix path is under (nil: none).
func vendorAt(vendors []Vendor, path string) Vendor {
	for _, v := range vendors {
		if _, ok := below(path, v.Prefix()); ok {
			return v
		}
	}
	return nil
}

// logRequest writes the request's one log line. Only the path is logged, not
// the query or bodies, which may hold credentials (the journal keeps them).
// A request a fault rule fired on is logged as "request faulted", with the
// rule's id.
func logRequest(log *slog.Logger, r *http.Request, vendor string, status int, took time.Duration, id, rule string) {
	if !log.Enabled(r.Context(), slog.LevelInfo) {
		return
	}
	attrs := []slog.Attr{
		slog.String("vendor", vendor),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(took.Microseconds())/1000),
		slog.String("request_id", id),
	}
	msg := "request"
	if rule != "" {
		msg = "request faulted"
		attrs = append(attrs, slog.String("fault", rule))
	}
	log.LogAttrs(r.Context(), slog.LevelInfo, msg, attrs...)
}

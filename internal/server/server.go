// Package server builds the emulator's HTTP handler: the shared middleware,
// one mount per vendor under its prefix, the control plane, and a plain JSON
// 404 outside every prefix. It knows vendors only through the Vendor interface.
package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/emulator/vendor-emulator/internal/clock"
	"github.com/emulator/vendor-emulator/internal/control"
	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/ids"
	"github.com/emulator/vendor-emulator/internal/store"
)

// Deps are what every vendor's handler is built from.
type Deps struct {
	DB    *store.DB
	Clock *clock.Clock
	Log   *slog.Logger
	IDs   ids.Generator
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
}

// New returns the emulator's root handler.
func New(cfg Config) http.Handler {
	if cfg.Journal == nil {
		cfg.Journal = control.NewJournal(1000, 4096)
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	ctl := &control.Handler{DB: cfg.DB, Clock: cfg.Clock, Journal: cfg.Journal, Log: cfg.Log,
		Version: cfg.Version, Token: cfg.ControlToken, Vendors: map[string]http.Handler{}}
	for _, v := range cfg.Vendors {
		ctl.Served = append(ctl.Served, v.Name())
	}
	r := chi.NewRouter()
	r.Use(requestID)
	r.Use(journal(cfg.Journal, cfg.Clock, cfg.Vendors))
	r.Use(byPrefixOnly)
	for _, v := range cfg.Vendors {
		r.Mount(v.Prefix(), guard(cfg.Log, v.Name(), v.WriteError, v.Routes()))
		if cv, ok := v.(ControlVendor); ok {
			ctl.Vendors[v.Name()] = cv.ControlRoutes()
		}
	}
	r.Mount("/_emulator", guard(cfg.Log, "control", control.WriteError(cfg.Log), ctl.Routes()))
	notFound := httpx.Adapt(control.WriteError(cfg.Log), func(w http.ResponseWriter, r *http.Request) error {
		return &control.Error{Status: http.StatusNotFound, Msg: "not found: no vendor is served at " + r.URL.Path}
	})
	r.NotFound(notFound)
	r.MethodNotAllowed(notFound)
	return r
}

// requestID gives every response an X-Request-Id (the client's own, if it sent
// a sane one): a random per-process UUID with a counter in its last group, so
// ids are unique without a call to the random source per request.
func requestID(next http.Handler) http.Handler {
	base := uuid.NewString()[:24]
	var n atomic.Uint64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 200 {
			id = fmt.Sprintf("%s%012x", base, n.Add(1))
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r)
	})
}

// byPrefixOnly makes the root route every request by its path alone: chi
// would answer a method it does not know (PROPFIND, a lower-case "get") at
// the root, before the mount under whose prefix it is, whose router answers
// it in the vendor's envelope (see httpx.Unrouted). guard gives the mount
// the request's own method back.
func byPrefixOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chi.RouteContext(r.Context()).RouteMethod = http.MethodGet // every mount serves every method
		next.ServeHTTP(w, r)
	})
}

// guard wraps one mount: panics and oversized bodies are answered in that
// mount's own envelope through its error adapter. The mount routes the
// request by its own method (see byPrefixOnly).
func guard(log *slog.Logger, name string, onErr httpx.ErrorWriter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rctx := chi.RouteContext(r.Context()); rctx != nil {
			rctx.RouteMethod = r.Method
		}
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
		r.Body = http.MaxBytesReader(w, r.Body, httpx.MaxBodyBytes)
		next.ServeHTTP(w, r)
	})
}

// journal records every vendor request (control-plane calls are not journaled,
// so reading the journal does not change it).
func journal(j *control.Journal, clk *clock.Clock, vendors []Vendor) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/_emulator/") {
				next.ServeHTTP(w, r)
				return
			}
			vendor := ""
			for _, v := range vendors {
				p := v.Prefix()
				if strings.HasPrefix(r.URL.Path, p) && (len(r.URL.Path) == len(p) || r.URL.Path[len(p)] == '/') {
					vendor = v.Name()
					break
				}
			}
			start := time.Now()
			at := clk.Now()
			reqBody := &httpx.Capped{Limit: j.BodyLimit}
			httpx.TeeBody(r, reqBody)
			rec := httpx.NewRecorder(w, j.BodyLimit)
			next.ServeHTTP(rec, r)
			resBody := rec.Body.String()
			if r.Method == http.MethodHead {
				resBody = "" // net/http sent none: the handler answered as for GET
			}
			j.Add(control.Entry{
				ID:           w.Header().Get("X-Request-Id"),
				Time:         at,
				Vendor:       vendor,
				Method:       r.Method,
				Path:         r.URL.Path,
				Query:        r.URL.RawQuery,
				Status:       rec.Status,
				DurationMS:   float64(time.Since(start).Microseconds()) / 1000,
				RequestBody:  reqBody.String(),
				ResponseBody: resBody,
			})
		})
	}
}

// Package control serves the emulator's control plane, /_emulator/: health,
// resets, the emulated clock, the request journal, fault rules, and the
// vendors' own control routes (such as GreenArrow's send simulation).
package control

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/emulator/vendor-emulator/internal/clock"
	"github.com/emulator/vendor-emulator/internal/fault"
	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/store"
	"github.com/emulator/vendor-emulator/internal/webhook"
)

// Handler serves /_emulator/.
type Handler struct {
	DB      *store.DB
	Clock   *clock.Clock
	Journal *Journal
	// Faults are the world's fault rules (/_emulator/faults).
	Faults *fault.Set
	// Webhooks is the world's outbox (/_emulator/webhooks).
	Webhooks *webhook.Outbox
	Log      *slog.Logger
	Version  string
	// Served names every vendor the journal can record (?vendor= on the journal).
	Served []string
	// Token, when not empty, is the bearer token every call but the health
	// check and the docs must carry.
	Token string
	// Docs are the documentation pages served at /_emulator/docs/.
	Docs fs.FS
	// Vendors maps a vendor name to its control routes, mounted at /_emulator/<name>/.
	Vendors map[string]http.Handler
	// States maps a vendor name to what answers its state in its fixture
	// format (GET /_emulator/state).
	States map[string]func(ctx context.Context) (any, error)
}

// Error is the control plane's error: its message becomes {"error": ...}.
type Error struct {
	Status int
	Msg    string
}

func (e *Error) Error() string { return e.Msg }

// WriteError is the control plane's error adapter: {"error": "..."} with the error's status.
func WriteError(log *slog.Logger) httpx.ErrorWriter {
	return func(w http.ResponseWriter, r *http.Request, err error) {
		var ce *Error
		var me *httpx.MethodError
		var se *httpx.StatusError
		switch {
		case errors.As(err, &ce):
		case errors.As(err, &se):
			ce = &Error{se.Status, se.Text()}
		case errors.As(err, &me):
			ce = &Error{http.StatusMethodNotAllowed, "method " + me.Method + " not allowed on " + me.Path + "; it serves " + me.AllowedList()}
		case httpx.IsTooLarge(err):
			ce = &Error{http.StatusRequestEntityTooLarge, err.Error()}
		default:
			var be *httpx.BodyError
			if errors.As(err, &be) {
				ce = &Error{http.StatusBadRequest, be.Msg}
			} else {
				httpx.LogInternal(log, "control plane", r, err)
				ce = &Error{http.StatusInternalServerError, "internal error"}
			}
		}
		httpx.WriteJSON(w, ce.Status, "", errorBody{ce.Msg})
	}
}

type errorBody struct {
	Error string `json:"error"`
}

// NotFound answers a path the control plane (or a vendor's control routes) does not have.
func NotFound(w http.ResponseWriter, r *http.Request) error {
	return &Error{http.StatusNotFound, "no such control-plane call: " + r.Method + " " + r.URL.Path + "." + httpx.Near(r)}
}

// Routes returns the router of /_emulator/ (mount it there).
func (h *Handler) Routes() http.Handler {
	onErr := WriteError(h.Log)
	a := func(fn httpx.HandlerFunc) http.HandlerFunc { return httpx.Adapt(onErr, fn) }
	r := chi.NewRouter()
	r.Use(requireToken(h.Token, onErr))
	r.Get("/health", a(h.health))
	r.Get("/docs/", a(h.listDocs))
	r.Get("/docs/{page}", a(h.doc))
	r.Post("/reset", a(h.reset))
	r.Get("/clock", a(h.getClock))
	r.Post("/clock", a(h.setClock))
	r.Delete("/clock", a(h.resetClock))
	r.Get("/requests", a(h.listRequests))
	r.Delete("/requests", a(h.clearRequests))
	r.Get("/state", a(h.state))
	r.Post("/faults", a(h.addFault))
	r.Get("/faults", a(h.listFaults))
	r.Delete("/faults", a(h.clearFaults))
	r.Delete("/faults/{id}", a(h.deleteFault))
	r.Get("/webhooks", a(h.listWebhooks))
	r.Delete("/webhooks", a(h.clearWebhooks))
	r.Post("/webhooks/{event_id}/redeliver", a(h.redeliverWebhook))
	for name, routes := range h.Vendors {
		r.Mount("/"+name, routes)
	}
	httpx.Unrouted(r, "", onErr, NotFound)
	return r
}

// requireToken refuses a call without the configured bearer token. The
// health check stays open so that probes (Docker, compose, Kubernetes) need
// no secret (it tells nothing but "ok" and the version), and so do the docs.
func requireToken(token string, onErr httpx.ErrorWriter) func(http.Handler) http.Handler {
	want := []byte("Bearer " + token)
	return func(next http.Handler) http.Handler {
		if token == "" {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if rc := chi.RouteContext(r.Context()); rc != nil && (rc.RoutePath == "/health" || strings.HasPrefix(rc.RoutePath, "/docs/")) {
				next.ServeHTTP(w, r)
				return
			}
			if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="emulator control plane"`)
				onErr(w, r, &Error{http.StatusUnauthorized, "the control plane needs \"Authorization: Bearer <token>\" with the token the emulator was started with (-control-token)"})
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

type docsBody struct {
	Docs []docLink `json:"docs"`
}

type docLink struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// DocPages lists the documentation pages, by file name.
func DocPages(docs fs.FS) []string {
	if docs == nil {
		return nil
	}
	names, _ := fs.Glob(docs, "*.md")
	return names
}

// listDocs handles GET /_emulator/docs/.
func (h *Handler) listDocs(w http.ResponseWriter, r *http.Request) error {
	body := docsBody{Docs: []docLink{}}
	for _, name := range DocPages(h.Docs) {
		body.Docs = append(body.Docs, docLink{name, "/_emulator/docs/" + name})
	}
	httpx.WriteJSON(w, http.StatusOK, "", body)
	return nil
}

// doc handles GET /_emulator/docs/{page}: the Markdown as plain text, which
// every browser shows instead of downloading.
func (h *Handler) doc(w http.ResponseWriter, r *http.Request) error {
	name := httpx.PathParam(r, "page")
	var page []byte
	err := fs.ErrNotExist
	if h.Docs != nil && strings.HasSuffix(name, ".md") && fs.ValidPath(name) {
		page, err = fs.ReadFile(h.Docs, name)
	}
	if err != nil {
		return &Error{http.StatusNotFound, "no such documentation page: " + strconv.Quote(name) + "; see /_emulator/docs/"}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(page)
	return nil
}

type statusBody struct {
	Status  string `json:"status"`
	Version string `json:"version,omitempty"`
}

// health handles GET /_emulator/health.
func (h *Handler) health(w http.ResponseWriter, r *http.Request) error {
	if err := h.DB.Ping(r.Context()); err != nil {
		return &Error{http.StatusServiceUnavailable, "store unavailable"}
	}
	httpx.WriteJSON(w, http.StatusOK, "", statusBody{"ok", h.Version})
	return nil
}

// reset handles POST /_emulator/reset[?vendor=]: the vendor's state (every
// vendor's when none is named), its fault rules and its webhook events.
func (h *Handler) reset(w http.ResponseWriter, r *http.Request) error {
	vendor := r.URL.Query().Get("vendor")
	if err := h.DB.Reset(r.Context(), vendor); err != nil {
		if errors.Is(err, store.ErrUnknownVendor) {
			return unknownVendor(vendor, h.DB.Vendors())
		}
		// A -fixtures file edited into something invalid since the start:
		// nothing changed, and the caller needs the line that says why.
		var fe *store.FixtureError
		if errors.As(err, &fe) {
			return &Error{http.StatusConflict, err.Error()}
		}
		return err
	}
	h.Faults.Clear(vendor)
	// The events of the state just replaced go with it: none is sent late.
	if err := h.Webhooks.Clear(r.Context(), vendor); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, "", statusBody{Status: "ok"})
	return nil
}

// unknownVendor is the 400 of a ?vendor= that names no vendor, on every call that takes one.
func unknownVendor(vendor string, names []string) error {
	return &Error{http.StatusBadRequest, "unknown vendor " + strconv.Quote(vendor) + "; one of " + strings.Join(names, ", ")}
}

type clockBody struct {
	Now    string `json:"now"`
	Frozen bool   `json:"frozen"`
}

func (h *Handler) writeClock(w http.ResponseWriter) {
	httpx.WriteJSON(w, http.StatusOK, "", clockBody{h.Clock.Now().UTC().Format(time.RFC3339Nano), h.Clock.Frozen()})
}

// getClock handles GET /_emulator/clock.
func (h *Handler) getClock(w http.ResponseWriter, r *http.Request) error {
	h.writeClock(w)
	return nil
}

type clockRequest struct {
	Advance *string `json:"advance"`
	Set     *string `json:"set"`
	Freeze  *bool   `json:"freeze"`
}

// setClock handles POST /_emulator/clock: {"advance"}, {"set"}, {"freeze"}.
// Several may be combined, and apply only when all of them are valid: a freeze
// first, then set, then advance, then an unfreeze, so {"set", "freeze": true}
// stops the clock exactly at the instant set.
func (h *Handler) setClock(w http.ResponseWriter, r *http.Request) error {
	var req clockRequest
	if err := httpx.DecodeJSON(r, &req, true); err != nil {
		return err
	}
	if req.Advance == nil && req.Set == nil && req.Freeze == nil {
		return &Error{http.StatusBadRequest, `body needs one of "advance", "set" or "freeze"`}
	}
	var d time.Duration
	if req.Advance != nil {
		var err error
		if d, err = time.ParseDuration(*req.Advance); err != nil {
			return &Error{http.StatusBadRequest, "advance must be a Go duration such as \"2m1s\": " + strconv.Quote(*req.Advance)}
		}
		if d < 0 {
			return &Error{http.StatusBadRequest, "advance must not be negative: use \"set\" to move back"}
		}
	}
	var at time.Time
	if req.Set != nil {
		var err error
		if at, err = time.Parse(time.RFC3339Nano, *req.Set); err != nil {
			return &Error{http.StatusBadRequest, "set must be an RFC 3339 time such as \"2026-01-01T00:00:00Z\": " + strconv.Quote(*req.Set)}
		}
	}
	if req.Freeze != nil && *req.Freeze {
		h.Clock.Freeze(true)
	}
	if req.Set != nil {
		h.Clock.Set(at)
	}
	if req.Advance != nil {
		h.Clock.Advance(d)
	}
	if req.Freeze != nil && !*req.Freeze {
		h.Clock.Freeze(false)
	}
	h.writeClock(w)
	return nil
}

// resetClock handles DELETE /_emulator/clock.
func (h *Handler) resetClock(w http.ResponseWriter, r *http.Request) error {
	h.Clock.Reset()
	h.writeClock(w)
	return nil
}

type requestsBody struct {
	Requests []Entry `json:"requests"`
}

// listRequests handles GET /_emulator/requests[?vendor=&limit=].
func (h *Handler) listRequests(w http.ResponseWriter, r *http.Request) error {
	limit := 100
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return &Error{http.StatusBadRequest, "limit must be a positive integer"}
		}
		limit = n
	}
	vendor := r.URL.Query().Get("vendor")
	if vendor != "" && !slices.Contains(h.Served, vendor) {
		return unknownVendor(vendor, h.Served)
	}
	httpx.WriteJSON(w, http.StatusOK, "", requestsBody{h.Journal.List(vendor, limit)})
	return nil
}

// clearRequests handles DELETE /_emulator/requests.
func (h *Handler) clearRequests(w http.ResponseWriter, r *http.Request) error {
	h.Journal.Clear()
	httpx.WriteJSON(w, http.StatusOK, "", statusBody{Status: "ok"})
	return nil
}

// state handles GET /_emulator/state?vendor=: the vendor's state in its
// fixture format, which a world created with it (or a -fixtures directory
// holding it) reproduces. Without ?vendor=, every vendor's, by name: the
// shape of a new world's "fixtures".
func (h *Handler) state(w http.ResponseWriter, r *http.Request) error {
	names := h.DB.Vendors()
	q := r.URL.Query()
	one := q.Has("vendor")
	if one {
		v := q.Get("vendor")
		if h.States[v] == nil {
			return unknownVendor(v, names)
		}
		names = []string{v}
	}
	docs := make(map[string]any, len(names))
	for _, v := range names {
		doc, err := h.States[v](r.Context())
		if err != nil {
			return err
		}
		docs[v] = doc
	}
	var out any = docs
	if one {
		out = docs[names[0]]
	}
	body, err := EncodeState(out)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
	return nil
}

// EncodeState is a state document as GET /_emulator/state writes it:
// indented as the fixture files are, "&", "<" and ">" kept as written, so
// an export can be committed as a fixture file.
func EncodeState(doc any) ([]byte, error) {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return body.Bytes(), nil
}

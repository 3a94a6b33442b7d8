package control

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/store"
	"github.com/emulator/vendor-emulator/internal/world"
)

// Worlds serves /_emulator/worlds: creating, listing and deleting worlds,
// the one part of the control plane that belongs to no single world.
type Worlds struct {
	Registry *world.Registry
	Log      *slog.Logger
	// Token guards the calls as it guards the rest of the control plane.
	Token string
	// Prefixes maps each vendor's name to its prefix, for a world's base URLs.
	Prefixes map[string]string
}

// Routes serves /_emulator/worlds and /_emulator/worlds/{id} (full paths).
func (h *Worlds) Routes() http.Handler {
	onErr := WriteError(h.Log)
	a := func(fn httpx.HandlerFunc) http.HandlerFunc { return httpx.Adapt(onErr, fn) }
	r := chi.NewRouter()
	r.Use(requireToken(h.Token, onErr))
	r.Post("/_emulator/worlds", a(h.create))
	r.Get("/_emulator/worlds", a(h.list))
	r.Delete("/_emulator/worlds/{id}", a(h.delete))
	httpx.Unrouted(r, "", onErr, NotFound)
	return r
}

type createWorldRequest struct {
	ID       string                     `json:"id"`
	From     string                     `json:"from"`
	Fixtures map[string]json.RawMessage `json:"fixtures"`
}

type createdWorld struct {
	ID       string            `json:"id"`
	Created  string            `json:"created"`
	BaseURLs map[string]string `json:"base_urls"`
}

// create handles POST /_emulator/worlds; the body is optional.
func (h *Worlds) create(w http.ResponseWriter, r *http.Request) error {
	body, err := httpx.ReadBody(r)
	if err != nil {
		return err
	}
	var req createWorldRequest
	if len(bytes.TrimSpace(body)) > 0 {
		if err := httpx.Unmarshal(body, &req, true); err != nil {
			return err
		}
	}
	spec := world.Spec{ID: req.ID, From: req.From, Fixtures: map[string][]byte{}}
	for v, doc := range req.Fixtures {
		if t := bytes.TrimSpace(doc); len(t) == 0 || t[0] != '{' {
			return &Error{http.StatusBadRequest, "fixtures." + v + " must be that vendor's fixture document, a JSON object"}
		}
		spec.Fixtures[v] = doc
	}
	created, err := h.Registry.Create(r.Context(), spec)
	if err != nil {
		return worldError(err)
	}
	base := httpx.Origin(r) + "/w/" + created.ID
	urls := make(map[string]string, len(h.Prefixes))
	for name, prefix := range h.Prefixes {
		urls[name] = base + prefix
	}
	httpx.WriteJSON(w, http.StatusCreated, "", createdWorld{created.ID, stamp(created.Created), urls})
	return nil
}

// worldError answers what the registry refused.
func worldError(err error) error {
	status := 0
	var fe *store.FixtureError
	switch {
	case errors.Is(err, world.ErrBadID), errors.Is(err, world.ErrBadVendor), errors.As(err, &fe),
		errors.Is(err, world.ErrDefault):
		status = http.StatusBadRequest
	case errors.Is(err, world.ErrUnknown):
		status = http.StatusNotFound
	case errors.Is(err, world.ErrTaken):
		status = http.StatusConflict
	case errors.Is(err, world.ErrFull):
		status = http.StatusTooManyRequests
	default:
		return err
	}
	return &Error{status, err.Error()}
}

type worldList struct {
	Worlds []worldEntry `json:"worlds"`
}

type worldEntry struct {
	ID        string `json:"id"`
	Created   string `json:"created"`
	LastUsed  string `json:"last_used"`
	SizeBytes int64  `json:"size_bytes"`
}

// list handles GET /_emulator/worlds.
func (h *Worlds) list(w http.ResponseWriter, r *http.Request) error {
	all := h.Registry.List()
	out := worldList{Worlds: make([]worldEntry, 0, len(all))}
	for _, wd := range all {
		size, err := wd.DB.Size(r.Context())
		if err != nil {
			continue // deleted since the list was taken
		}
		out.Worlds = append(out.Worlds, worldEntry{wd.ID, stamp(wd.Created), stamp(wd.LastUsed()), size})
	}
	httpx.WriteJSON(w, http.StatusOK, "", out)
	return nil
}

// delete handles DELETE /_emulator/worlds/{id}.
func (h *Worlds) delete(w http.ResponseWriter, r *http.Request) error {
	if err := h.Registry.Delete(httpx.PathParam(r, "id")); err != nil {
		return worldError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

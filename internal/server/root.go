package server

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/emulator/vendor-emulator/internal/control"
	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/world"
)

// WorldHeader names the world of a request on the plain prefixes.
const WorldHeader = "X-Emulator-World"

// RootConfig is what Root needs.
type RootConfig struct {
	Worlds *world.Registry
	// Vendors are the default world's: their prefixes and error adapters
	// answer a request to a world that does not exist.
	Vendors []Vendor
	// WorldsAPI serves /_emulator/worlds (control.Worlds), on full paths.
	WorldsAPI http.Handler
	Log       *slog.Logger
}

// Root serves every world on one port. A request names its world by its
// path (/w/{id}/<prefix>/... or /w/{id}/_emulator/...), or on the plain
// paths by the X-Emulator-World header or, on the control plane, by
// ?world={id}; the path wins, then the header. A request that names none
// goes to the default world. The world's handler sees the path without
// /w/{id}, as the vendor's own.
func Root(cfg RootConfig) http.Handler {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	worlds := guard(cfg.Log, "control", control.WriteError(cfg.Log), cfg.WorldsAPI)
	return requestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		id, rest, named := "", path, false
		if strings.HasPrefix(path, "/w/") {
			var after string
			id, after, _ = strings.Cut(path[len("/w/"):], "/")
			rest, named = "/"+after, true
		} else if h := r.Header.Get(WorldHeader); h != "" {
			id, named = h, true
		} else if strings.HasPrefix(path, "/_emulator/") && r.URL.RawQuery != "" && r.URL.Query().Has("world") {
			id, named = r.URL.Query().Get("world"), true
		}
		if rest != path {
			// Links the handler gives (courier's pages) keep the world's path.
			r = httpx.WithPathBase(withPath(r, rest, len(path)-len(rest)), "/w/"+id)
		}
		if rest == "/_emulator/worlds" || strings.HasPrefix(rest, "/_emulator/worlds/") {
			worlds.ServeHTTP(w, r) // belongs to no world
			return
		}
		if !named {
			id = world.Default
		}
		wd := cfg.Worlds.Acquire(id)
		if wd == nil {
			unknownWorld(w, r, id, cfg)
			return
		}
		defer cfg.Worlds.Release(wd)
		wd.Handler.ServeHTTP(w, r)
	}))
}

// withPath is r with the path rest, cut from the end of its path; cut
// bytes of the path went (the same bytes of the escaped path: a world id
// needs no escaping).
func withPath(r *http.Request, rest string, cut int) *http.Request {
	r2 := new(http.Request)
	*r2 = *r
	u := *r.URL
	u.Path = rest
	if u.RawPath != "" && len(u.RawPath) >= cut {
		u.RawPath = "/" + strings.TrimPrefix(u.RawPath[cut:], "/")
	}
	r2.URL = &u
	return r2
}

// unknownWorld answers a request to a world that does not exist, in the
// envelope of the vendor whose prefix the path is under (the control
// plane's under /_emulator, a plain one elsewhere).
func unknownWorld(w http.ResponseWriter, r *http.Request, id string, cfg RootConfig) {
	err := &httpx.StatusError{Status: http.StatusNotFound,
		Message: "no world " + strconv.Quote(id) + " exists (it may have expired or been deleted); create it with POST /_emulator/worlds"}
	if v := vendorAt(cfg.Vendors, r.URL.Path); v != nil {
		v.WriteError(w, r, err)
		return
	}
	control.WriteError(cfg.Log)(w, r, err)
}

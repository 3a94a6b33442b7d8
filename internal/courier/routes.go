package courier

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/httpx"
)

// newRoutes is the courier route table, below the /courier prefix, built once
// for every world (Model): the routes come from the table of resource types:
// each entry's collection path serves its list and create, "<path>{id}/" its
// get and modify, and each action the path and method its catalog operation
// documents (plus the alternatives the notes decide to serve). A request
// carries its world's API and engine (API.Routes).
func (m *Model) newRoutes() *chi.Mux {
	root := chi.NewRouter()
	// Unknown paths and methods answer 404/405 without credentials; every
	// route of the table needs a bearer token.
	root.Group(func(r chi.Router) {
		r.Use(authenticate, sniff)
		m.engine.Mount(r)
	})
	httpx.Unrouted(root, Prefix, jsonapi.WriteError, func(w http.ResponseWriter, r *http.Request) error {
		return &jsonapi.Error{Status: http.StatusNotFound, Code: jsonapi.CodeNotFound, Detail: "Not found." + httpx.Near(r)}
	})
	return root
}

type apiKey struct{}

// apiOf is the API of the request's world (API.Routes).
func apiOf(r *http.Request) *API { return r.Context().Value(apiKey{}).(*API) }

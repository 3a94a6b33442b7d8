package courier

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/httpx"
)

// routes is the courier route table, below the /courier prefix. The routes
// come from the table of resource types: each entry's collection path serves
// its list and create, "<path>{id}/" its get and modify, and each action the
// path and method its catalog operation documents (plus the alternatives the
// notes decide to serve).
func (a *API) routes() http.Handler {
	root := chi.NewRouter()
	// Unknown paths and methods answer 404/405 without credentials; every
	// route of the table needs a bearer token.
	root.Group(func(r chi.Router) {
		r.Use(a.authenticate, a.sniff)
		a.engine.Mount(r)
	})
	httpx.Unrouted(root, Prefix, a.WriteError, func(w http.ResponseWriter, r *http.Request) error {
		return &jsonapi.Error{Status: http.StatusNotFound, Code: jsonapi.CodeNotFound, Detail: "Not found." + httpx.Near(r)}
	})
	return root
}

package courier

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

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
		a.tableRoutes(r)
	})
	root.NotFound(httpx.Adapt(a.WriteError, func(w http.ResponseWriter, r *http.Request) error {
		return &Error{Status: http.StatusNotFound, Code: codeNotFound, Detail: "Not found."}
	}))
	root.MethodNotAllowed(httpx.Adapt(a.WriteError, func(w http.ResponseWriter, r *http.Request) error {
		return &Error{Status: http.StatusMethodNotAllowed, Code: codeMethod,
			Detail: `Method "` + r.Method + `" not allowed.`}
	}))
	return root
}

// tableRoutes mounts the routes of every table entry.
func (a *API) tableRoutes(r chi.Router) {
	for _, res := range a.resources {
		switch {
		case res.Lister != nil:
			r.Get(res.Path, a.operation(res, res.List, res.Lister))
		case res.List != "":
			r.Get(res.Path, a.operation(res, res.List, a.list))
		}
		if res.Create != "" {
			r.Post(res.Path, a.operation(res, res.Create, a.create))
		}
		if res.Get != "" {
			r.Get(res.Path+"{id}/", a.operation(res, res.Get, a.getOne))
		}
		if res.Modify != "" {
			r.Patch(res.Path+"{id}/", a.operation(res, res.Modify, a.modify))
		}
		for _, act := range res.Actions {
			op := a.ops[act.Op]
			if op == nil {
				panic("courier: unknown catalog operation " + act.Op)
			}
			h := a.operation(res, act.Op, a.runAction(act))
			r.Method(op.Method, op.Path, h) // catalog paths are chi patterns: {id}
			for _, alt := range act.Alts {
				method, path, _ := strings.Cut(alt, " ")
				r.Method(method, path, h)
			}
		}
	}
}

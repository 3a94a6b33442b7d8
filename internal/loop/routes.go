package loop

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

// routes is the LoopMessage route table, below the /loopmessage prefix. Every
// path ends in "/", as LoopMessage's own do; chi prefers the fixed segments
// (list, plans, new) over {id}.
func (a *API) routes() http.Handler {
	h := func(fn httpx.HandlerFunc) http.HandlerFunc { return httpx.Adapt(a.WriteError, fn) }
	r := chi.NewRouter()
	r.Get("/api/v1/organizations/list/", httpx.Direct(a.listOrgsDirect, a.authenticate(h(a.listOrgs))))
	r.Get("/api/v1/organizations/details/{id}/", httpx.Direct(a.getOrgDirect, a.authenticate(h(a.getOrg))))
	r.Patch("/api/v1/organizations/details/{id}/", httpx.Direct(a.patchOrgDirect, a.authenticate(h(a.patchOrg))))
	r.Get("/api/v1/sender/list/", httpx.Direct(a.listSendersDirect, a.authenticate(h(a.listSenders))))
	r.Get("/api/v1/sender/{id}/", httpx.Direct(a.getSenderDirect, a.authenticate(h(a.getSender))))
	r.Get("/api/v1/pool/list/", httpx.Direct(a.listPoolsDirect, a.authenticate(h(a.listPools))))
	r.Get("/api/v1/pool/{id}/", httpx.Direct(a.getPoolDirect, a.authenticate(h(a.getPool))))
	r.Group(func(r chi.Router) {
		r.Use(a.authenticate)
		r.Post("/api/v1/organizations/new/", h(a.createOrg))
		r.Delete("/api/v1/organizations/details/{id}/", h(a.deleteOrg))

		r.Get("/api/v1/sender/plans/", h(a.listPlans))
		r.Post("/api/v1/sender/new/", h(a.orderSenders))
		r.Patch("/api/v1/sender/{id}/", h(a.moveSender))
		r.Delete("/api/v1/sender/{id}/cancel/", h(a.cancelSender))

		r.Post("/api/v1/pool/new/", h(a.createPool))
		r.Patch("/api/v1/pool/{id}/", h(a.patchPool))
		r.Delete("/api/v1/pool/{id}/", h(a.deletePool))

		r.Get("/api/v1/webhooks/history/", h(a.webhookHistory))
	})
	// Unknown paths and methods are not API errors of the docs' table: they keep
	// their HTTP status (404, 405) but answer in LoopMessage's body, code 100.
	httpx.Unrouted(r, Prefix, a.WriteError, func(w http.ResponseWriter, r *http.Request) error {
		return &Error{Status: http.StatusNotFound, Code: codeBadRequest, Message: "Not found: " + httpx.VendorPath(r, Prefix) + "." + httpx.Near(r)}
	})
	return r
}

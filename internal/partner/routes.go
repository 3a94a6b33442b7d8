package partner

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

// routes is the 360dialog route table, below the /360dialog prefix.
func (a *API) routes() http.Handler {
	h := func(fn httpx.HandlerFunc) http.HandlerFunc { return httpx.Adapt(a.WriteError, fn) }
	r := chi.NewRouter()
	r.Post("/api/v2/token", a.token) // OAuth-style errors, not the meta envelope
	r.Group(func(r chi.Router) {
		r.Use(a.authenticate)
		r.Get("/api/v2/partners/{partner_id}", h(a.getPartner))
		r.Patch("/api/v2/partners/{partner_id}", h(a.patchPartner))
		r.Get("/api/v2/partners/{partner_id}/webhook_url", h(a.getWebhookURL))
		r.Post("/api/v2/partners/{partner_id}/webhook_url", h(a.setWebhookURL))
		r.Get("/api/v2/partners/{partner_id}/clients", h(a.listClients))
		r.Get("/api/v2/partners/{partner_id}/channels", h(a.listChannels))
	})
	httpx.Unrouted(r, Prefix, a.WriteError, func(w http.ResponseWriter, r *http.Request) error {
		return errorf(http.StatusNotFound, "The requested URL was not found on this server.%s", httpx.Near(r))
	})
	return r
}

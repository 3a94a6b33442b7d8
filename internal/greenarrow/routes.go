package greenarrow

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/emulator/vendor-emulator/internal/control"
	"github.com/emulator/vendor-emulator/internal/httpx"
)

// routes is the GreenArrow route table, below the /greenarrow prefix.
func (a *API) routes() http.Handler {
	h := func(fn httpx.HandlerFunc) http.HandlerFunc { return httpx.Adapt(a.WriteError, fn) }
	r := chi.NewRouter()
	// Rails routes "/organizations/" like "/organizations": so do we.
	r.Use(middleware.StripSlashes)
	r.Group(func(r chi.Router) {
		r.Use(a.authenticate)
		r.Get("/ga/api/v2/organizations", h(a.listOrganizations))
		r.Post("/ga/api/v2/organizations", h(a.createOrganization))
		r.Get("/ga/api/v2/organizations/{id}/messages_sent/{report}", h(a.messagesSent))
		// The docs' report example requests it without /v2: served as well.
		r.Get("/ga/api/organizations/{id}/messages_sent/{report}", h(a.messagesSent))
		r.Get("/ga/api/v2/organizations/{id}/delete_confirmation_code", h(a.getDeleteCode))
		r.Delete("/ga/api/v2/organizations/{id}/confirmed/{code}", h(a.deleteOrganization))
		// The docs list the sending-credits paths without /ga but show /ga in
		// their example: both are served.
		for _, base := range []string{"/ga/api/v2", "/api/v2"} {
			r.Get(base+"/organizations/{id}/sending_credits", h(a.getSendingCredits))
			r.Put(base+"/organizations/{id}/add_sending_credits", h(a.adjustSendingCredits("add")))
			r.Put(base+"/organizations/{id}/remove_sending_credits", h(a.adjustSendingCredits("remove")))
			r.Put(base+"/organizations/{id}/set_sending_credits", h(a.adjustSendingCredits("set")))
		}
	})
	// Each key that authenticates reads these: they try one statement first
	// (references.go), then authenticate and the handler.
	authenticated := func(fn httpx.HandlerFunc) http.Handler { return a.authenticate(h(fn)) }
	r.Get("/ga/api/v2/virtual_mtas", httpx.Direct(virtualMTAs.listDirect(a), authenticated(virtualMTAs.listHandler(a))))
	r.Get("/ga/api/v2/virtual_mtas/{id}", httpx.Direct(virtualMTAs.getDirect(a), authenticated(virtualMTAs.getHandler(a))))
	r.Get("/ga/api/v2/url_domains", httpx.Direct(urlDomains.listDirect(a), authenticated(urlDomains.listHandler(a))))
	r.Get("/ga/api/v2/url_domains/{id}", httpx.Direct(urlDomains.getDirect(a), authenticated(urlDomains.getHandler(a))))
	r.Get("/ga/api/v2/bounce_emails", httpx.Direct(bounceEmails.listDirect(a), authenticated(bounceEmails.listHandler(a))))
	r.Get("/ga/api/v2/bounce_emails/{id}", httpx.Direct(bounceEmails.getDirect(a), authenticated(bounceEmails.getHandler(a))))
	r.Get("/ga/api/v2/suppression_lists", httpx.Direct(suppressionLists.listDirect(a), authenticated(suppressionLists.listHandler(a))))
	r.Get("/ga/api/v2/suppression_lists/{id}", httpx.Direct(suppressionLists.getDirect(a), authenticated(suppressionLists.getHandler(a))))
	// They authenticate themselves, reading the key with the organization.
	r.Get("/ga/api/v2/organizations/{id}", h(a.getOrganization))
	r.Put("/ga/api/v2/organizations/{id}", h(a.updateOrganization))
	httpx.Unrouted(r, Prefix, a.WriteError, func(w http.ResponseWriter, r *http.Request) error {
		return notFound("no route matches %s %s.%s", r.Method, httpx.VendorPath(r, Prefix), httpx.Near(r))
	})
	return r
}

// controlRoutes are GreenArrow's control-plane calls, below /_emulator/greenarrow.
func (a *API) controlRoutes() http.Handler {
	h := func(fn httpx.HandlerFunc) http.HandlerFunc { return httpx.Adapt(a.writeControlError, fn) }
	r := chi.NewRouter()
	r.Post("/organizations/{id}/sends", h(a.simulateSend))
	httpx.Unrouted(r, "", a.writeControlError, control.NotFound)
	return r
}

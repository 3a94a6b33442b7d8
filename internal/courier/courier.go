// Package courier emulates Carium's courier JSON:API (api.carium.com/courier):
// about 55 resource types served by the generic engine of package jsonapi
// over the operation catalog of package catalog. This package is the
// wiring (New, Schema, fixtures, bearer auth, routes) and one file per
// resource family (organizations_people.go, messaging*.go, notifications.go,
// texting.go, voice.go, video.go, alexa.go, users.go, system.go), each with
// its table entries next to the hooks that give them behaviour. ENGINE.md
// says where each concern lives and how to add a type or an action.
package courier

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/emulator/vendor-emulator/internal/courier/catalog"
	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// Vendor name and URL prefix of courier.
const (
	Name   = "courier"
	Prefix = "/courier"
	// fixturePattern matches courier.json and any other courier fixture file
	// (courier-<name>.json), all in the same format, loaded in name order.
	fixturePattern = "courier*.json"
)

// Schema registers the courier tables and fixtures with the store.
func Schema() store.Schema {
	return store.Schema{Vendor: Name, TablePrefix: "cr_", Migrations: migrations(), Seed: seed, CatchUp: []string{applyReadMarksSQL, channelCatchUpSQL}}
}

// jsonRaw shortens hook signatures.
type jsonRaw = json.RawMessage

// API is the courier API. It implements server.Vendor.
type API struct {
	server.Deps
	model  *Model
	engine *jsonapi.Engine
}

// newEngine builds the engine over courier's catalog and resource table,
// for seeding a store.
func newEngine(deps server.Deps) *jsonapi.Engine {
	return jsonapi.NewEngine(deps, catalog.Operations(), catalog.Types(), resources())
}

// resources is the table of every resource type, family by family (each
// family's file holds its entries next to their hooks). Where two entries
// share a type (users; messaging-channels and its communication-messages
// view), the first is the type's own.
func resources() []*jsonapi.Resource {
	var all []*jsonapi.Resource
	for _, family := range [][]*jsonapi.Resource{
		organizationsPeopleResources(),
		messagingChannelResources(), messagingMessageResources(), messagingResources(),
		notificationResources(),
		textingResources(), voiceResources(), videoResources(), alexaResources(), userResources(),
		systemResources(),
	} {
		all = append(all, family...)
	}
	return all
}

// Model is what the courier of every world shares, immutable once built:
// the catalog, the engine's table of resources and the routes (built for
// each world, they were most of a new world's heap).
type Model struct {
	engine *jsonapi.Model // what each world's engine serves
	types  []string       // every type of the catalog, sorted: what a record may be
	routes *chi.Mux
}

// NewModel builds the catalog, the table and the routes once; Model.New then
// builds each world's API over them.
func NewModel() *Model {
	types := catalog.Types()
	m := &Model{engine: jsonapi.NewModel(catalog.Operations(), types, resources()), types: jsonapi.SortedKeys(types)}
	m.engine.BeforeWrite = beforeWrite
	m.routes = m.newRoutes()
	return m
}

// New builds the API over deps.
func (m *Model) New(deps server.Deps) *API {
	return &API{Deps: deps, model: m, engine: m.engine.Engine(deps)}
}

// New builds the API over deps with a model of its own.
func New(deps server.Deps) *API { return NewModel().New(deps) }

// Name implements server.Vendor.
func (a *API) Name() string { return Name }

// Prefix implements server.Vendor.
func (a *API) Prefix() string { return Prefix }

// About implements server.Vendor.
func (a *API) About() server.About {
	return server.About{
		Title:    `Carium "courier" (healthcare messaging) JSON:API`,
		Replaces: "https://api.carium.com/courier",
		Credentials: []server.Credential{
			{Send: "Authorization: Bearer courier-admin-token", Means: "a member of both fixture organizations"},
			{Send: "Authorization: Bearer courier-org1-token", Means: "a member of the first organization only"},
		},
		Example: server.Example{Method: "GET", Path: "/v1/messaging-channels/", Header: "Authorization: Bearer courier-admin-token"},
	}
}

// Routes implements server.Vendor: the model's routes, each request
// carrying this API and its engine.
func (a *API) Routes() http.Handler { return worldRoutes{a.model.routes, a} }

// worldRoutes serves a world's requests on the routes every world shares;
// it is still a chi router (chi.Routes) for what walks the route table.
type worldRoutes struct {
	routeTable // the model's routes
	a          *API
}

// routeTable is chi.Routes under a name of its own: embedded as chi.Routes,
// the field would be named Routes and hide the method of that name.
type routeTable = chi.Routes

func (wr worldRoutes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := jsonapi.WithEngine(context.WithValue(r.Context(), apiKey{}, wr.a), wr.a.engine)
	wr.a.model.routes.ServeHTTP(w, r.WithContext(ctx))
}

var _ server.Vendor = (*API)(nil)

// WriteError is courier's one error adapter (server.Vendor): the engine's
// JSON:API errors document.
func (a *API) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	a.engine.WriteError(w, r, err)
}

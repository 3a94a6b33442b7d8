package jsonapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
)

// Mount mounts the routes of every table entry. They serve each request
// with the Engine it carries (WithEngine): one Model's routes serve
// every world, whose requests each carry that world's Engine.
func (m *Model) Mount(r chi.Router) {
	for _, res := range m.resources {
		switch {
		case res.Lister != nil:
			r.Get(res.Path, m.operation(res, res.List, false, noBody, res.Lister))
		case res.List != "":
			r.Get(res.Path, m.operation(res, res.List, false, noBody, func(c *Call) (*Answer, error) { return c.Engine.list(c) }))
		}
		if res.Create != "" {
			r.Post(res.Path, m.operation(res, res.Create, true, createBody, func(c *Call) (*Answer, error) { return c.Engine.create(c) }))
		}
		if res.Get != "" {
			r.Get(res.Path+"{id}/", m.operation(res, res.Get, false, noBody, func(c *Call) (*Answer, error) { return c.Engine.getOne(c) }))
		}
		if res.Modify != "" {
			r.Patch(res.Path+"{id}/", m.operation(res, res.Modify, true, modifyBody, func(c *Call) (*Answer, error) { return c.Engine.modify(c) }))
		}
		for _, act := range res.Actions {
			op := m.ops[act.Op]
			if op == nil {
				panic("jsonapi: unknown catalog operation " + act.Op)
			}
			h := m.operation(res, act.Op, op.Method != http.MethodGet || act.Writes, objectBody, runAction(act))
			r.Method(op.Method, op.Path, h) // catalog paths are chi patterns: {id}
			for _, alt := range act.Alts {
				method, path, _ := strings.Cut(alt, " ")
				r.Method(method, path, h)
			}
		}
	}
}

type engineKey struct{}

// WithEngine is ctx carrying e, for the routes of e's Model.
func WithEngine(ctx context.Context, e *Engine) context.Context {
	return context.WithValue(ctx, engineKey{}, e)
}

// EngineFrom is the Engine ctx carries (WithEngine); nil if none.
func EngineFrom(ctx context.Context) *Engine {
	e, _ := ctx.Value(engineKey{}).(*Engine)
	return e
}

// WriteError answers err with the request's Engine (EngineFrom): the error
// adapter of routes a Model mounted.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	EngineFrom(r.Context()).WriteError(w, r, err)
}

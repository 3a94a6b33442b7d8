package jsonapi

import (
	"strings"

	"github.com/go-chi/chi/v5"
)

// Mount mounts the routes of every table entry.
func (a *Engine) Mount(r chi.Router) {
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

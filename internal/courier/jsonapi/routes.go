package jsonapi

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
)

// Mount mounts the routes of every table entry.
func (e *Engine) Mount(r chi.Router) {
	for _, res := range e.resources {
		switch {
		case res.Lister != nil:
			r.Get(res.Path, e.operation(res, res.List, false, noBody, res.Lister))
		case res.List != "":
			r.Get(res.Path, e.operation(res, res.List, false, noBody, e.list))
		}
		if res.Create != "" {
			r.Post(res.Path, e.operation(res, res.Create, true, createBody, e.create))
		}
		if res.Get != "" {
			r.Get(res.Path+"{id}/", e.operation(res, res.Get, false, noBody, e.getOne))
		}
		if res.Modify != "" {
			r.Patch(res.Path+"{id}/", e.operation(res, res.Modify, true, modifyBody, e.modify))
		}
		for _, act := range res.Actions {
			op := e.ops[act.Op]
			if op == nil {
				panic("jsonapi: unknown catalog operation " + act.Op)
			}
			h := e.operation(res, act.Op, op.Method != http.MethodGet || act.Writes, objectBody, e.runAction(act))
			r.Method(op.Method, op.Path, h) // catalog paths are chi patterns: {id}
			for _, alt := range act.Alts {
				method, path, _ := strings.Cut(alt, " ")
				r.Method(method, path, h)
			}
		}
	}
}

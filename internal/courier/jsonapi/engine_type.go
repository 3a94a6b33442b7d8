package jsonapi

import (
	"github.com/emulator/vendor-emulator/internal/server"
)

// Engine serves a table of resource types over a catalog of documented
// operations: its tables are immutable once built, so one Engine serves
// every request concurrently.
type Engine struct {
	server.Deps
	ops       map[string]*Operation
	types     map[string][]Attr
	resources []*Resource
	byType    map[string]*Resource // the first entry of each type
}

// NewEngine builds the engine: ops are the catalog's operations, types the
// attribute list of every type, resources the table. A table entry that
// names an operation the catalog lacks panics when the routes are built.
func NewEngine(deps server.Deps, ops []Operation, types map[string][]Attr, resources []*Resource) *Engine {
	e := &Engine{Deps: deps, ops: map[string]*Operation{}, types: types, resources: resources, byType: map[string]*Resource{}}
	for _, op := range ops {
		e.ops[op.ID] = &op
	}
	for _, r := range resources {
		if _, ok := e.byType[r.Type]; !ok {
			e.byType[r.Type] = r
		}
	}
	return e
}

// Attrs is the attribute list of a type, in answer order (nil for a type the
// catalog does not know).
func (e *Engine) Attrs(typ string) []Attr { return e.types[typ] }

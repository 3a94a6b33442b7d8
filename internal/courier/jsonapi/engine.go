// Package jsonapi is a generic JSON:API engine: given a catalog of documented
// operations (method, path, status, query parameters, body fields, attribute
// lists) and a table of resource types, it serves lists (organization
// scoping, filters, sort, paging and links), gets, creates, modifies and
// actions, validates every query parameter and body against the catalog,
// answers every failure as a JSON:API errors document, and stores every
// resource in one generic table. It knows no vendor's resource types: a
// vendor supplies the catalog, the table and the hooks. See ENGINE.md beside
// the courier package for how a request flows and how to add a type.
package jsonapi

import (
	"context"
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// Engine serves a Model over one store: a world's deps (its store, clock,
// ids) beside the model every world shares.
type Engine struct {
	server.Deps
	*Model
}

// Model is a table of resource types over a catalog of documented
// operations, with the SQL of each table, immutable once built (but for the
// statement texts SizedSQL keeps): one Model serves every request of every
// world concurrently, and a world costs only its Engine.
type Model struct {
	ops       map[string]*Operation
	types     map[string][]Attr
	declared  map[string]map[string]Attr // types by name, for attributesIn
	resources []*Resource
	byType    map[string]*Resource // the first entry of each type
	tables    []string             // every table holding resources, cr_resources first
	sql       map[string]*tableSQL // by table
	forms     map[string]*formSpec // the types whose rows keep a splice form (splice_form.go)

	counted sync.Map // countedKey → string: the texts SizedSQL built

	// BeforeWrite, when set, runs at the start of every write operation,
	// after the credential is looked up and before the operation's handler.
	BeforeWrite func(c *Call) error
}

// countedKey names a statement text built for a type and a count of values.
type countedKey struct {
	stmt, typ string
	n         int
}

// maxSized is the largest count of values whose statement text SizedSQL
// keeps; a larger list's is built for its request alone.
const maxSized = 256

// SizedSQL is the text build gives for a statement (named stmt, of resource
// type typ, or "") with n values: the same every time, so it is built once
// per count and kept. A render builds its statements for the page's few
// sizes again and again; built per request, their texts were about 4% of the
// bytes a channel's GET allocated, and each new copy was compared in full
// with the text its prepared statement was found by (the same text compares
// at once).
func (m *Model) SizedSQL(stmt, typ string, n int, build func(n int) string) string {
	if n > maxSized {
		return build(n)
	}
	k := countedKey{stmt, typ, n}
	if t, ok := m.counted.Load(k); ok {
		return t.(string)
	}
	t, _ := m.counted.LoadOrStore(k, build(n))
	return t.(string)
}

// column is an attribute kept in a column of its type's table.
type column struct{ attr, name string }

// tableSQL is what the engine writes of one table of resources, once.
type tableSQL struct {
	columns []column // the attributes kept in columns, by attribute name
	counts  []column // the hidden counts the triggers keep, by attribute name
	omit    []string // the attributes of both, which attrs does not store
	// parent and byID name the index of a parent's children in list order
	// and the index of (type, id), for IndexedBy.
	parent, byID string
	// record is the table's RecordColumns: its columns and counts set back
	// into attrs (named mergedAttrs, so that attrs in a WHERE or ORDER BY
	// still names the column the indexes are on); stored leaves the counts
	// out.
	record, stored               string
	load, insert, update, delete string
	form                         bool // the rows keep a splice form (its value follows the columns' in insert and update)
}

// primaryKey is the name SQLite gives the primary key of a table of
// resources, for IndexedBy.
func primaryKey(table string) string { return "sqlite_autoindex_" + table + "_1" }

func newTableSQL(table string, attrCols, countCols map[string]string, inParentOrder, form bool) *tableSQL {
	t := &tableSQL{record: RecordColumns, stored: RecordColumns, parent: table + "_parent", byID: primaryKey(table)}
	if inParentOrder {
		t.parent, t.byID = primaryKey(table), table+"_id"
	}
	attrs, names, set, marks := "attrs", "", "", ""
	if len(attrCols) > 0 {
		// The stored object never holds what its columns keep (encodeAttrs
		// leaves them out), so each is written after its last member as
		// text: json_set, which parses the object and writes it again, was
		// 4% of a channel's GET (profiled). json_quote writes a value as
		// json_set would set it (a string, or null).
		attrs = "substr(attrs, 1, length(attrs) - 1) || CASE WHEN attrs = '{}' THEN '' ELSE ',' END"
		for i, attr := range SortedKeys(attrCols) {
			if !plainString(attr) || strings.Contains(attr, "'") {
				panic("jsonapi: table " + table + ": a column's attribute must need no escaping: " + attr)
			}
			c := column{attr, attrCols[attr]}
			t.columns = append(t.columns, c)
			t.omit = append(t.omit, attr)
			sep := ","
			if i == 0 {
				sep = ""
			}
			attrs += ` || '` + sep + `"` + c.attr + `":' || json_quote(` + c.name + `)`
			names += ", " + c.name
			set += ", " + c.name + " = ?"
			marks += ", ?"
		}
		attrs = "(" + attrs + " || '}')"
		t.stored = `type, id, org_id, parent_id, created_at, ` + attrs + ` AS ` + mergedAttrs
	}
	t.record = t.stored
	if len(countCols) > 0 {
		// Counts are mostly 0: those rows keep their attrs as stored, where
		// json_set would parse and write each one again.
		zero, set := []string{}, "json_set("+attrs
		for _, attr := range SortedKeys(countCols) {
			c := column{attr, countCols[attr]}
			t.counts = append(t.counts, c)
			t.omit = append(t.omit, attr)
			zero = append(zero, c.name+" = 0")
			set += `, '$."` + c.attr + `"', ` + c.name
		}
		t.record = `type, id, org_id, parent_id, created_at, CASE WHEN ` + strings.Join(zero, " AND ") + ` THEN ` + attrs +
			` ELSE ` + set + `) END AS ` + mergedAttrs
	}
	if form {
		if len(attrCols) > 0 {
			// Its text would not be what a read merges (splice_form.go).
			panic("jsonapi: table " + table + ": a table that keeps attributes in columns cannot keep splice forms")
		}
		t.form = true
		names += ", " + formColumn
		set += ", " + formColumn + " = ?"
		marks += ", ?"
	}
	t.load = `SELECT ` + t.record + ` FROM ` + table + ` WHERE type = ? AND id = ?`
	t.insert = `INSERT INTO ` + table + ` (type, id, org_id, parent_id, created_at, text, attrs` + names + `)
		VALUES (?, ?, ?, ?, ?, ?, ?` + marks + `)`
	t.update = `UPDATE ` + table + ` SET org_id = ?, parent_id = ?, text = ?, attrs = ?` + set + `
		WHERE type = ? AND id = ?`
	t.delete = `DELETE FROM ` + table + ` WHERE type = ? AND id = ?`
	return t
}

// mergedAttrs names the attributes a table's RecordColumns merges from attrs
// and columns.
const mergedAttrs = "merged_attrs"

// SharedTable holds the rows of every type whose entry names no table of its own.
const SharedTable = "cr_resources"

// NewEngine builds a model and its engine over deps, for one store.
func NewEngine(deps server.Deps, ops []Operation, types map[string][]Attr, resources []*Resource) *Engine {
	return NewModel(ops, types, resources).Engine(deps)
}

// Engine is the model's engine over deps.
func (m *Model) Engine(deps server.Deps) *Engine { return &Engine{Deps: deps, Model: m} }

// NewModel builds the model: ops are the catalog's operations, types the
// attribute list of every type, resources the table. A table entry that
// names an operation the catalog lacks panics when the routes are built.
func NewModel(ops []Operation, types map[string][]Attr, resources []*Resource) *Model {
	e := &Model{ops: map[string]*Operation{}, types: types, resources: resources, byType: map[string]*Resource{},
		declared: map[string]map[string]Attr{}, forms: map[string]*formSpec{}}
	for typ, attrs := range types {
		e.declared[typ] = map[string]Attr{}
		for _, at := range attrs {
			e.declared[typ][at.Name] = at
		}
	}
	for _, op := range ops {
		op.Query = slices.Clone(op.Query)
		op.params = make(map[string]Param, len(op.Query))
		for i, p := range op.Query {
			if p.Pattern != "" {
				op.Query[i].pattern = regexp.MustCompile(p.Pattern) // (a catalog mistake panics at start)
			}
			op.params[p.Name] = op.Query[i]
		}
		e.ops[op.ID] = &op
	}
	e.tables = []string{SharedTable}
	e.sql = map[string]*tableSQL{SharedTable: newTableSQL(SharedTable, nil, nil, false, false)}
	for _, r := range resources {
		if first, ok := e.byType[r.Type]; !ok {
			e.byType[r.Type] = r
		} else if first.Table != r.Table || !maps.Equal(first.Columns, r.Columns) || !maps.Equal(first.Counts, r.Counts) ||
			first.InParentOrder != r.InParentOrder || !slices.Equal(first.SpliceForm, r.SpliceForm) {
			panic("jsonapi: the entries of type " + r.Type + " name different tables, columns, counts, orders or forms") // a table-building mistake
		}
		if len(r.SpliceForm) > 0 && e.forms[r.Type] == nil {
			if r.Table == "" || r.Splice == nil {
				panic("jsonapi: " + r.Type + ": a splice form needs a table of the type's own and a Splice hook")
			}
			if types[r.Type] != nil { // (a model without the catalog's types answers nothing)
				e.forms[r.Type] = newFormSpec(r.Type, r.SpliceForm, types[r.Type])
			}
		}
		if r.Table != "" && !slices.Contains(e.tables, r.Table) {
			e.tables = append(e.tables, r.Table)
			e.sql[r.Table] = newTableSQL(r.Table, r.Columns, r.Counts, r.InParentOrder, len(r.SpliceForm) > 0)
		}
	}
	return e
}

// RecordColumns are the RecordColumns of a table of resources: its
// attributes kept in columns, and its counts, are set back into attrs.
func (e *Engine) RecordColumns(table string) string { return e.tableSQL(table).record }

// ParentIndex is a table's index of the children of a parent in list order
// (type, parent_id, created_at, id), for IndexedBy: its primary key when its
// rows are stored in that order (Resource.InParentOrder).
func (e *Engine) ParentIndex(table string) string { return e.tableSQL(table).parent }

// IDIndex is a table's index of (type, id), for IndexedBy: the rows are read
// by id (an "id IN (...)" condition), not walked in order.
func (e *Engine) IDIndex(table string) string { return e.tableSQL(table).byID }

// StoredColumns are RecordColumns without the counts the triggers keep:
// what a copy of the state holds, since seeding it counts them again.
func (e *Engine) StoredColumns(table string) string { return e.tableSQL(table).stored }

// tableSQL is the SQL of a table (of the shared table's shape for one the
// table of resources does not name).
func (e *Engine) tableSQL(table string) *tableSQL {
	if t, ok := e.sql[table]; ok {
		return t
	}
	return newTableSQL(table, nil, nil, false, false)
}

// AttrExpr is the SQL of one stored attribute of a type: its column, or its
// member of attrs.
func (e *Engine) AttrExpr(typ, name string) string {
	for _, c := range e.tableSQL(e.Table(typ)).columns {
		if c.attr == name {
			return c.name
		}
	}
	return JSONAttr(name)
}

// Table is the table holding a type's rows.
func (e *Engine) Table(typ string) string {
	if r := e.byType[typ]; r != nil && r.Table != "" {
		return r.Table
	}
	return SharedTable
}

// Tables are every table holding resources, for what reads across types
// (SharedTable first, then in table order).
func (e *Engine) Tables() []string { return e.tables }

// AcrossTables is a read of every table of resources: one SELECT per table
// (sel writes it), joined by UNION ALL, with the arguments of one repeated
// for each.
func (e *Engine) AcrossTables(sel func(table string) string, args ...any) (string, []any) {
	parts := make([]string, len(e.tables))
	all := make([]any, 0, len(args)*len(e.tables))
	for i, t := range e.tables {
		parts[i] = sel(t)
		all = append(all, args...)
	}
	return strings.Join(parts, " UNION ALL "), all
}

// Attrs is the attribute list of a type, in answer order (nil for a type the
// catalog does not know).
func (e *Engine) Attrs(typ string) []Attr { return e.types[typ] }

// Resource is the table entry of a type (its first entry; nil for a type
// the table does not serve).
func (e *Engine) Resource(typ string) *Resource { return e.byType[typ] }

func (e *Engine) textOf(typ string) []string {
	if res := e.byType[typ]; res != nil {
		return res.Text
	}
	return nil
}

// Complete gives every answered attribute the record lacks its type's empty value.
func (e *Engine) Complete(rec *Record) {
	if rec.Attrs == nil {
		rec.Attrs = map[string]json.RawMessage{}
	}
	for _, at := range e.types[rec.Type] {
		if at.RequestOnly {
			continue
		}
		if _, ok := rec.Attrs[at.Name]; !ok {
			rec.Attrs[at.Name] = zeroValue(at.Kind)
		}
	}
}

// The empty values Render answers for absent attributes, shared: an answer
// only writes them out (capacity = length, so an append copies).
var (
	rawFalse = json.RawMessage("false")[:5:5]
	rawZero  = json.RawMessage("0")[:1:1]
	rawEmpty = json.RawMessage("[]")[:2:2]
	rawNull  = json.RawMessage("null")[:4:4]
)

// sharedZeroValue is zeroValue without allocating, for an answer.
func sharedZeroValue(kind string) json.RawMessage {
	switch kind {
	case "boolean":
		return rawFalse
	case "integer":
		return rawZero
	case "array":
		return rawEmpty
	default:
		return rawNull
	}
}

func zeroValue(kind string) json.RawMessage {
	switch kind {
	case "boolean":
		return json.RawMessage("false")
	case "integer":
		return json.RawMessage("0")
	case "array":
		return json.RawMessage("[]")
	default:
		return json.RawMessage("null")
	}
}

// Insert stores a new record, with its type's empty values for absent
// attributes (fixtures and records written outside a request use it).
func (e *Engine) Insert(ctx context.Context, tx *store.Tx, rec *Record) error {
	e.Complete(rec)
	return e.insertRecord(ctx, tx, rec, searchText(rec, e.textOf(rec.Type)))
}

package jsonapi

import (
	"encoding/json"
)

// Resource is one entry of the declarative table of resource types: what the
// generic handlers need to list, get, create and modify it, plus the named
// hooks for what is specific to it. Attributes, query parameters and body
// fields come from the catalog (the Operations and attribute lists given to
// NewEngine) through the operation ids.
type Resource struct {
	Type string // JSON:API type ("widgets")
	Path string // collection path below the prefix ("/v1/widgets/")
	// Table holds the type's rows ("" = cr_resources, which most types
	// share). A type written on a hot path has a table of its own, with
	// cr_resources' columns and only its own indexes (a vendor migration
	// makes it). Every entry of a type names the same.
	Table string
	// Columns keeps attributes in columns of the type's own Table
	// (attribute → column) instead of its attrs JSON: an attribute written
	// often (a channel's last-modified-time, at every post) then costs the
	// upkeep of its own indexes only, not of every index on attrs. Reads get
	// the attribute back in attrs (Engine.RecordColumns), filters and sorts
	// name the column (Engine.AttrExpr). Strings and null only; every entry
	// of a type names the same.
	Columns map[string]string
	// Counts are hidden attributes ("_" names) that the vendor's triggers
	// keep in integer columns of the type's own Table (attribute → column),
	// counted from other rows in the transaction that changes them. Reads
	// get the attribute back in attrs when it is not 0 (absent reads as 0);
	// the engine never writes it, so a hook that saves a record it read
	// earlier cannot store an old count, and State leaves it out (seeding
	// counts again). Every entry of a type names the same.
	Counts map[string]string
	// InParentOrder says that the rows of the type's own Table are stored in
	// the order their parent lists them: its primary key is (type,
	// parent_id, created_at, id) and (type, id) is the unique index
	// <Table>_id (a vendor migration makes it). A page of a parent's children
	// is then read from the table alone, at the same cost however many rows
	// it has. Every entry of a type names the same.
	InParentOrder bool

	// Catalog operation ids served by the generic handlers ("" = not served).
	List, Create, Get, Modify string

	// OrgAttr is the attribute naming the owning organization, checked against
	// the caller's memberships on create. Empty: the organization is the
	// parent's, or a hook sets it.
	OrgAttr string
	// Parent is the resource this one belongs to (a part's widget).
	Parent *Parent
	// Text lists the attributes filter[text] searches.
	Text []string
	// Required attributes of a create.
	Required []string
	// Writable adds attributes a modify accepts where the catalog lost them.
	Writable []string
	// Sort maps a documented sort key to an SQL expression over the type's table.
	Sort map[string]string
	// NoPaging marks a list the vendor does not page (meta {} and no links).
	NoPaging bool
	// Shapes are the documented shapes of nested attributes (objects with
	// known members, arrays of them), checked on create, modify and in
	// fixtures (a read-only attribute's in fixtures only: requests never set it).
	Shapes map[string]*Shape

	// Scope replaces the organization scoping of lists (SQL over the type's table
	// with its arguments); Visible replaces it for single reads.
	Scope   func(c *Call) (string, []any)
	Visible func(c *Call, rec *Record) bool
	// Params gives list query parameters a resource-specific meaning.
	Params map[string]ParamHook
	// ListFilter adds conditions to every list (defaults such as "active only").
	ListFilter func(c *Call, q *ListQuery) error
	// Lister replaces the generic list: a collection GET that is computed, not stored.
	Lister func(c *Call) (*Answer, error)
	// BeforeCreate checks and completes a new record before it is stored;
	// AfterCreate acts on it after (links, side effects).
	BeforeCreate func(c *Call, rec *Record, in map[string]json.RawMessage) error
	AfterCreate  func(c *Call, rec *Record, in map[string]json.RawMessage) error
	// BeforeModify checks and completes a modified record (old is as stored).
	BeforeModify func(c *Call, old, rec *Record, in map[string]json.RawMessage) error
	// Render fills computed attributes of a copy of the record before it is answered.
	Render func(c *Call, rec *Record) error
	// Prefetch reads, in one go, what Render needs for a whole page of a list
	// (kept in c.Cache), so rendering a page is not one query per item. For
	// a type with Splice, the records' attributes are not decoded yet: only
	// their ids and columns may be read.
	Prefetch func(c *Call, recs []*Record) error
	// Splice renders a list's records from their stored text (splice.go):
	// the attributes Render would compute, without decoding the others. (A
	// type without Render and Prefetch is answered from its stored text
	// without one.)
	Splice SpliceFunc
	// SpliceForm names, in name order, the attributes a Splice hook computes
	// or reads, for a type whose own Table keeps its rows' splice forms (a
	// splice_form column, which a vendor migration adds): a page then finds
	// them without reading the whole text (splice_form.go). Every entry of a
	// type names the same.
	SpliceForm []string
	// CreateAnswer replaces the JSON:API answer of a create (plain answers).
	CreateAnswer func(c *Call, rec *Record) (any, error)

	// Actions are the operations below /{id}/ (and collection-level ones).
	Actions []Action
}

// Parent ties a resource to the resource it belongs to.
type Parent struct {
	Attr string // the attribute (and list parameter) holding the parent's id: "widget-id"
	Type string // the parent's type: "widgets"
}

// ParamHook adds a list parameter's condition to the query.
type ParamHook func(c *Call, q *ListQuery, value string) error

// Action is one operation below a resource.
type Action struct {
	Op     string   // catalog operation id ("widgets.archive"): method, path, status, body fields
	Alts   []string // alternative "METHOD /path/" routes the notes decide to serve too
	OnItem bool     // false: a collection-level operation (no {id})
	// FreeForm marks a plain body the document declares open ("additional
	// properties: any"): the catalog cannot list its members, so the engine
	// does not check them and the handler validates what it reads.
	FreeForm bool
	// Shapes are the documented shapes of the body's nested members.
	Shapes map[string]*Shape
	// Writes marks a GET action that changes state (video get-credentials
	// joins its caller): it runs on the writer, where other GETs read.
	Writes  bool
	Handler ActionFunc
}

// ActionFunc runs an action inside the request's transaction. rec is the
// resource named by the URL (nil for collection-level actions). The result is
// a *Record (answered as a JSON:API document), nil (answered as JSON null) or
// a typed plain struct (answered as plain JSON).
type ActionFunc func(c *Call, rec *Record, body map[string]json.RawMessage) (any, error)

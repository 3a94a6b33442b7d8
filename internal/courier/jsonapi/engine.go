package jsonapi

import (
	"context"
	"database/sql"
	"encoding/json"
	"maps"
	"net/http"

	"github.com/go-chi/chi/v5"
)

// Resource is one entry of the declarative table of resource types: what the
// generic handlers need to list, get, create and modify it, plus the named
// hooks for what is specific to it. Attributes, query parameters and body
// fields come from the catalog (catalog_gen.go) through the operation ids.
type Resource struct {
	Type string // JSON:API type ("messaging-channels")
	Path string // collection path below the prefix ("/v1/messaging-channels/")

	// Catalog operation ids served by the generic handlers ("" = not served).
	List, Create, Get, Modify string

	// OrgAttr is the attribute naming the owning organization, checked against
	// the caller's memberships on create. Empty: the organization is the
	// parent's, or a hook sets it.
	OrgAttr string
	// Parent is the resource this one belongs to (a message's channel).
	Parent *Parent
	// Text lists the attributes filter[text] searches.
	Text []string
	// Required attributes of a create.
	Required []string
	// Writable adds attributes a modify accepts where the catalog lost them.
	Writable []string
	// Sort maps a documented sort key to an SQL expression over cr_resources.
	Sort map[string]string
	// NoPaging marks a list the vendor does not page (meta {} and no links).
	NoPaging bool

	// Scope replaces the organization scoping of lists (SQL over cr_resources
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
	// (kept in c.cache), so rendering a page is not one query per item.
	Prefetch func(c *Call, recs []*Record) error
	// CreateAnswer replaces the JSON:API answer of a create (plain answers).
	CreateAnswer func(c *Call, rec *Record) (any, error)

	// Actions are the operations below /{id}/ (and collection-level ones).
	Actions []Action
}

// Parent ties a resource to the resource it belongs to.
type Parent struct {
	Attr string // the attribute (and list parameter) holding the parent's id: "channel-id"
	Type string // the parent's type: "messaging-channels"
}

// ParamHook adds a list parameter's condition to the query.
type ParamHook func(c *Call, q *ListQuery, value string) error

// Action is one operation below a resource.
type Action struct {
	Op     string   // catalog operation id ("messaging-channels.archive"): method, path, status, body fields
	Alts   []string // alternative "METHOD /path/" routes the notes decide to serve too
	OnItem bool     // false: a collection-level operation (no {id})
	// FreeForm marks a plain body the document declares open ("additional
	// properties: any"): the catalog cannot list its members, so the engine
	// does not check them and the handler validates what it reads.
	FreeForm bool
	Handler  ActionFunc
}

// ActionFunc runs an action inside the request's transaction. rec is the
// resource named by the URL (nil for collection-level actions). The result is
// a *Record (answered as a JSON:API document), nil (answered as JSON null) or
// a typed plain struct (answered as plain JSON).
type ActionFunc func(c *Call, rec *Record, body map[string]json.RawMessage) (any, error)

// Caller is the authenticated user.
type Caller struct {
	UserID string
	Orgs   []string // organizations the user is a member of
}

type callerKey struct{}

// WithCaller is ctx carrying the authenticated caller, as the vendor's
// authentication hands it to the engine.
func WithCaller(ctx context.Context, c *Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom is the caller WithCaller put in ctx (an empty one without).
func CallerFrom(ctx context.Context) *Caller {
	c, _ := ctx.Value(callerKey{}).(*Caller)
	if c == nil {
		return &Caller{}
	}
	return c
}

// Member reports whether the caller belongs to org.
func (c *Caller) Member(org string) bool { return contains(c.Orgs, org) }

// Call is one request as the engine and the hooks see it: the transaction,
// the caller, the operation and its validated query.
type Call struct {
	Ctx    context.Context
	Tx     *sql.Tx
	Engine *Engine
	Req    *http.Request
	Caller *Caller
	Op     *Operation
	Query  *Query
	Res    *Resource
	Now    string // the emulated clock at the start of the request

	Cache map[string]any // what hooks read once per request (Prefetch for Render, ...), by key
}

// Load reads a resource of type typ the caller may see; nil when it does not
// exist or the caller may not see it (both are 404s).
func (c *Call) Load(typ, id string) (*Record, error) {
	rec, err := LoadRecord(c.Ctx, c.Tx, typ, id)
	if err != nil || rec == nil {
		return nil, err
	}
	if !c.Visible(rec) {
		return nil, nil
	}
	return rec, nil
}

func (c *Call) Visible(rec *Record) bool {
	if res := c.Engine.byType[rec.Type]; res != nil && res.Visible != nil {
		return res.Visible(c, rec)
	}
	return c.Caller.Member(rec.OrgID)
}

// MustLoad is load with a 404 for a missing resource.
func (c *Call) MustLoad(typ, id string) (*Record, error) {
	rec, err := c.Load(typ, id)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, ErrNotFound(Singular(typ))
	}
	return rec, nil
}

// LoadRef reads a resource named in a body member (400 naming the member when
// it does not exist or is out of reach).
func (c *Call) LoadRef(pointer, typ, id string) (*Record, error) {
	if !IsUUID(id) {
		return nil, ErrPointer(pointer, "Must be a valid UUID.")
	}
	rec, err := c.Load(typ, LowerID(id))
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, ErrPointer(pointer, "%s %s does not exist.", Singular(typ), id)
	}
	return rec, nil
}

// Save stores a changed record (stamps are the caller's business).
func (c *Call) Save(rec *Record) error {
	return updateRecord(c.Ctx, c.Tx, rec, searchText(rec, c.Engine.textOf(rec.Type)))
}

// Insert stores a new record, with the type's defaults for absent attributes.
func (c *Call) Insert(rec *Record) error {
	return c.Engine.Insert(c.Ctx, c.Tx, rec)
}

// Insert stores a new record, with its type's empty values for absent
// attributes (fixtures and records written outside a request use it).
func (a *Engine) Insert(ctx context.Context, tx *sql.Tx, rec *Record) error {
	a.Complete(rec)
	return insertRecord(ctx, tx, rec, searchText(rec, a.textOf(rec.Type)))
}

func (a *Engine) textOf(typ string) []string {
	if res := a.byType[typ]; res != nil {
		return res.Text
	}
	return nil
}

// Complete gives every answered attribute the record lacks its type's empty value.
func (a *Engine) Complete(rec *Record) {
	if rec.Attrs == nil {
		rec.Attrs = map[string]json.RawMessage{}
	}
	for _, at := range a.types[rec.Type] {
		if at.RequestOnly {
			continue
		}
		if _, ok := rec.Attrs[at.Name]; !ok {
			rec.Attrs[at.Name] = zeroValue(at.Kind)
		}
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

// Stamp sets the created/modified attributes the type has.
func (c *Call) Stamp(rec *Record, created bool) {
	has := map[string]Attr{}
	for _, at := range c.Engine.types[rec.Type] {
		has[at.Name] = at
	}
	set := func(name string, v string) {
		at, ok := has[name]
		if !ok {
			return
		}
		if at.Kind == "object" { // messaging-bookmarks answer created-by as {"id": ...}
			rec.Set(name, IDRef{ID: v})
			return
		}
		rec.Set(name, v)
	}
	if created {
		set("created-at", c.Now)
		set("created-by", c.Caller.UserID)
	}
	set("last-modified-at", c.Now)
	set("last-modified-time", c.Now)
	set("last-modified-by", c.Caller.UserID)
}

// IDRef is the {"id": ...} reference the vendor nests in attributes.
type IDRef struct {
	ID string `json:"id"`
}

// Render answers a record as a resource object in its type's attribute order.
func (c *Call) Render(rec *Record) (ResourceObject, error) {
	attrs := rec.Attrs
	if res := c.Engine.byType[rec.Type]; res != nil && res.Render != nil {
		// The hook computes attributes on a copy: the stored record stays as it is.
		cp := *rec
		cp.Attrs = maps.Clone(rec.Attrs)
		if err := res.Render(c, &cp); err != nil {
			return ResourceObject{}, err
		}
		attrs = cp.Attrs
	}
	types := c.Engine.types[rec.Type]
	out := make(Attributes, 0, len(types))
	for _, at := range types {
		if at.RequestOnly {
			continue
		}
		v, ok := attrs[at.Name]
		if !ok {
			v = zeroValue(at.Kind)
		}
		out = append(out, AttrValue{Name: at.Name, Value: v})
	}
	return ResourceObject{Attributes: out, ID: rec.ID, Type: rec.Type}, nil
}

// Singular names a type in messages: "messaging-channels" → "messaging-channel".
func Singular(typ string) string {
	if n := len(typ); n > 1 && typ[n-1] == 's' {
		return typ[:n-1]
	}
	return typ
}

func LowerID(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// urlID is the {id} of the URL, lower-cased (ids are lowercase UUIDs).
func urlID(r *http.Request) string { return LowerID(chi.URLParam(r, "id")) }

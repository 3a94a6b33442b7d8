package jsonapi

import (
	"context"
	"maps"
	"net/http"

	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/store"
)

// Caller is the authenticated user.
type Caller struct {
	UserID string
	Orgs   []string // organizations the user is a member of
}

type callerKey struct{}

// WithCaller is ctx carrying a caller known before the request (tests that
// drive the engine alone); a vendor's authentication hands the engine a
// Credential instead (WithCredential), which the operation looks up.
func WithCaller(ctx context.Context, c *Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom is the caller ctx's Credential was found to be, once the
// operation has looked it up, or the caller WithCaller put in ctx (an empty
// one without either).
func CallerFrom(ctx context.Context) *Caller {
	if cred := credentialFrom(ctx); cred != nil && cred.done && cred.err == nil {
		return cred.caller
	}
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
	Tx     *store.Tx
	Engine *Engine
	Req    *http.Request
	Caller *Caller
	Op     *Operation
	Query  *Query
	Res    *Resource
	Now    string // the emulated clock at the start of the request

	Cache map[string]any // what hooks read once per request (Prefetch for Render, ...), by key

	body *requestBody // read before the transaction opened

	parent *Record // the parent a create resolved (CreatedParent)

	spliced []byte // the attributes a page's splice wrote (renderAll)

	// loaded remembers what Load read, in a read transaction only (where
	// nothing changes): rendering a list loads the same people for every
	// item. nil in a write transaction.
	loaded map[loadKey]*Record
}

type loadKey struct{ typ, id string }

// Load reads a resource of type typ the caller may see; nil when it does not
// exist or the caller may not see it (both are 404s).
func (c *Call) Load(typ, id string) (*Record, error) {
	rec, err := c.loadRecord(typ, id)
	if err != nil || rec == nil {
		return nil, err
	}
	if !c.Visible(rec) {
		return nil, nil
	}
	return rec, nil
}

// View is Load for a caller that only reads the record: in a read
// transaction it is the record Load remembers, not a copy of it (a channel's
// render reads each of its people, the page of channels the same people
// again), which the caller must not change, with its attributes as stored:
// read them with the accessors (Str, Decode, ...), not Attrs.
func (c *Call) View(typ, id string) (*Record, error) {
	rec, err := c.remembered(typ, id)
	if err != nil || rec == nil || !c.Visible(rec) {
		return nil, err
	}
	return rec, nil
}

// loadRecord is LoadRecord, remembered in a read transaction. Each caller
// gets its own copy of the attributes, decoded, since hooks set attributes
// on what they load.
func (c *Call) loadRecord(typ, id string) (*Record, error) {
	rec, err := c.remembered(typ, id)
	if err != nil || rec == nil {
		return rec, err
	}
	if c.loaded != nil { // remembered: the caller's own copy (a write's is its own already)
		cp := *rec
		if !cp.undecoded {
			cp.Attrs = maps.Clone(rec.Attrs)
		}
		rec = &cp
	}
	if err := rec.decodeStored(); err != nil {
		return nil, err
	}
	return rec, nil
}

// remembered is LoadRecord, remembered in a read transaction: the record
// itself, which loadRecord copies, with its attributes as stored (View
// reads a few of them).
func (c *Call) remembered(typ, id string) (*Record, error) {
	if c.loaded == nil { // a write remembers nothing: it may change what it read
		return c.Engine.LoadStored(c.Ctx, c.Tx, typ, id)
	}
	k := loadKey{typ, id}
	rec, ok := c.loaded[k]
	if !ok {
		var err error
		if rec, err = c.Engine.LoadStored(c.Ctx, c.Tx, typ, id); err != nil {
			return nil, err
		}
		c.loaded[k] = rec
	}
	return rec, nil
}

// Preload reads, in one statement, the records of type typ among ids that
// Load has not read yet in this request, so that the Loads a render makes
// next (the people of a channel, say) find them. Only a read transaction
// remembers (nothing changes during it); in a write transaction it does
// nothing and each Load reads as usual. Like LoadRecord, it adds the
// organization of every record it finds to the request's Reach: a caller
// preloads only what it loads next.
func (c *Call) Preload(typ string, ids []string) error {
	if c.loaded == nil {
		return nil
	}
	var args []any
	for _, id := range ids {
		k := loadKey{typ, id}
		if _, ok := c.loaded[k]; ok {
			continue
		}
		c.loaded[k] = nil // absent unless read below
		args = append(args, id)
	}
	if len(args) == 0 {
		return nil
	}
	// The ids do not repeat (each is marked loaded above).
	recs, err := queryStored(c.Ctx, c.Tx, nil, len(args), c.Engine.PreloadSQL(typ, len(args)), args...)
	if err != nil {
		for _, id := range args {
			delete(c.loaded, loadKey{typ, id.(string)})
		}
		return err
	}
	for _, r := range recs {
		c.loaded[loadKey{typ, r.ID}] = r
	}
	return nil
}

// PreloadSQL is what Preload reads: the records of type typ with n ids,
// which must not repeat (ValuesList). The type is written into the SQL:
// bound, it would make SQLite plan the statement anew at every run (whether
// an index limited to one type serves it depends on the value).
func (e *Engine) PreloadSQL(typ string, n int) string {
	return e.SizedSQL("preload", typ, n, func(n int) string {
		table := e.Table(typ)
		return `SELECT ` + e.RecordColumns(table) + ` FROM ` + ValuesList(n) + ` CROSS JOIN ` + table +
			` WHERE type = ` + quote(typ) + ` AND id = v.column1`
	})
}

// Reading reports whether the call runs in a read transaction, which sees
// only commits: what a schema's catch-up keeps (store.Schema.CatchUp) is
// caught up there, where a write transaction may find it behind.
func (c *Call) Reading() bool { return c.loaded != nil }

// CreatedParent is the parent record a create read for the record it creates
// (nil otherwise), so that its hooks need not read it again. Hooks only read
// it, with the accessors (as View gives it).
func (c *Call) CreatedParent() *Record { return c.parent }

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
	return c.ref(c.Load, pointer, typ, id)
}

// ref is LoadRef reading the record with load (Load, or View for a caller
// that only reads it).
func (c *Call) ref(load func(typ, id string) (*Record, error), pointer, typ, id string) (*Record, error) {
	if !IsUUID(id) {
		return nil, ErrPointer(pointer, "Must be a valid UUID.")
	}
	rec, err := load(typ, LowerID(id))
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
	return c.Engine.updateRecord(c.Ctx, c.Tx, rec, searchText(rec, c.Engine.textOf(rec.Type)))
}

// Insert stores a new record, with the type's defaults for absent attributes.
func (c *Call) Insert(rec *Record) error {
	return c.Engine.Insert(c.Ctx, c.Tx, rec)
}

// Stamp sets the created/modified attributes the type has.
func (c *Call) Stamp(rec *Record, created bool) {
	has := c.Engine.declared[rec.Type] // the model's: a map built per call was 3% of a post's turn
	set := func(name string, v string) {
		at, ok := has[name]
		if !ok {
			return
		}
		if at.Kind == "object" { // an object-kind created-by is answered as {"id": ...}
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
	return c.render(rec, false)
}

// render is Render; owned says the caller read rec for this answer alone and
// drops it after (a page's rows, a GET's record), so the hook may compute on
// it in place instead of on a copy of its attributes.
func (c *Call) render(rec *Record, owned bool) (ResourceObject, error) {
	attrs := rec.Attrs
	if res := c.Engine.byType[rec.Type]; res != nil && res.Render != nil {
		// The hook computes attributes on a copy: the stored record stays as it is.
		cp := *rec
		if !owned {
			cp.Attrs = maps.Clone(rec.Attrs)
		}
		if err := res.Render(c, &cp); err != nil {
			return ResourceObject{}, err
		}
		attrs = cp.Attrs
	}
	types := c.Engine.types[rec.Type]
	// A sparse fieldset (fields[<type>]) keeps only the attributes it names;
	// without one, nothing more is looked up or allocated.
	only, sparse := c.Query.fieldsOf(rec.Type)
	n := len(types)
	if sparse {
		n = len(only)
	}
	out := make(Attributes, 0, n)
	for _, at := range types {
		if at.RequestOnly || sparse && !only[at.Name] {
			continue
		}
		v, ok := attrs[at.Name]
		if !ok {
			v = sharedZeroValue(at.Kind)
		}
		out = append(out, AttrValue{Name: at.Name, Value: v})
	}
	return ResourceObject{Attributes: out, ID: rec.ID, Type: rec.Type}, nil
}

// Singular names a type in messages: "widgets" → "widget".
func Singular(typ string) string {
	if n := len(typ); n > 1 && typ[n-1] == 's' {
		return typ[:n-1]
	}
	return typ
}

// LowerID is s with its ASCII capitals lower-cased: ids are lowercase UUIDs.
func LowerID(s string) string {
	upper := false
	for i := 0; i < len(s) && !upper; i++ {
		upper = s[i] >= 'A' && s[i] <= 'Z'
	}
	if !upper {
		return s // (the usual id: no copy)
	}
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// urlID is the {id} of the URL, decoded and lower-cased (ids are lowercase UUIDs).
func urlID(r *http.Request) string { return LowerID(httpx.PathParam(r, "id")) }

package jsonapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/store"
)

// Answer is what a handler responds once its transaction has committed.
type Answer struct {
	Status      int
	ContentType string
	Body        any
}

// operation wraps one catalog operation of one resource: the content type
// check, the query validation, the body the handler takes, one transaction
// (a write transaction when write, a read one otherwise) that looks the
// request's Credential up first, then the answer.
func (m *Model) operation(res *Resource, opID string, write bool, kind bodyKind, fn func(c *Call) (*Answer, error)) http.HandlerFunc {
	op := m.ops[opID]
	if op == nil {
		panic("jsonapi: unknown catalog operation " + opID) // a table entry names an operation the catalog lacks
	}
	serve := func(w http.ResponseWriter, r *http.Request, e *Engine, cred *Credential) error {
		caller := CallerFrom(r.Context())
		if hasBody(r) {
			if err := checkContentType(r); err != nil {
				return err
			}
		}
		rawQuery := r.URL.RawQuery
		queryArgs := kind == objectBody && takesQueryArgs(op, r)
		var args []queryArg
		if queryArgs {
			rawQuery, args = splitArgs(op, rawQuery)
		}
		q, err := parseQuery(op, e.types, rawQuery)
		if err != nil {
			return err
		}
		// The body is read and decoded whole before the transaction opens: a
		// client that stalls its body must hold only its own connection.
		body, err := readBody(r, kind)
		if err != nil {
			return err
		}
		if queryArgs {
			body.takeArgs(op, args)
		}
		if kind.isDocument() {
			body.checkAttributes(e, res, kind)
		}
		// A read runs on a read connection, beside other reads and the
		// writer; a write takes its turn on the writer.
		run := e.DB.ReadTx
		if write {
			run = e.DB.Tx
		}
		// The transaction runs to its end even if the client leaves: its
		// statements are short, and a cancelable context costs a watcher
		// goroutine per statement (database/sql's and the driver's).
		ctx := context.WithoutCancel(r.Context())
		var ans *Answer
		err = run(ctx, func(tx *store.Tx) error {
			if cred != nil {
				var err error
				if caller, err = cred.resolve(ctx, tx); err != nil {
					return err
				}
			}
			c := &Call{Ctx: ctx, Tx: tx, Engine: e, Req: r, Caller: caller, Op: op, Query: q, Res: res,
				Now: FormatTime(e.Clock.Now()), body: body}
			if !write {
				c.loaded = map[loadKey]*Record{}
			} else if m.BeforeWrite != nil {
				if err := m.BeforeWrite(c); err != nil {
					return err
				}
			}
			var err error
			ans, err = fn(c)
			return err
		})
		if err != nil {
			return err
		}
		if body, ok := ans.Body.(appender); ok {
			writeAnswer(w, ans.Status, ans.ContentType, body)
		} else {
			httpx.WriteJSON(w, ans.Status, ans.ContentType, ans.Body)
		}
		return nil
	}
	return httpx.Adapt(WriteError, func(w http.ResponseWriter, r *http.Request) error {
		e := EngineFrom(r.Context())
		cred := credentialFrom(r.Context())
		err := serve(w, r, e, cred)
		if err != nil && cred != nil && !cred.done {
			// It failed before its transaction (a bad query, content type or
			// body): a caller the vendor does not know hears that first.
			if _, aerr := cred.resolve(context.WithoutCancel(r.Context()), e.DB.Reader()); aerr != nil {
				return aerr
			}
		}
		return err
	})
}

func status(op *Operation, fallback int) int {
	if op.Status != 0 {
		return op.Status
	}
	return fallback
}

// getOne handles GET <path>{id}/ for every resource type.
func (e *Engine) getOne(c *Call) (*Answer, error) {
	if _, sparse := c.Query.fieldsOf(c.Res.Type); !sparse && c.Res.Visible == nil && c.Res.spliceable() {
		return c.getStored()
	}
	rec, err := c.MustLoad(c.Res.Type, urlID(c.Req))
	if err != nil {
		return nil, err
	}
	obj, err := c.render(rec, true) // Load gave this call a copy of its own
	if err != nil {
		return nil, err
	}
	return &Answer{Status: status(c.Op, http.StatusOK), ContentType: ContentTypeAPI, Body: singleDoc{Data: obj}}, nil
}

// getStored is getOne for a type whose answer is its stored attributes, or
// whose Splice hook computes the rest (spliceable), and whose records any
// member of their organization sees: the record is read as text and spliced,
// as a list's records are, instead of being decoded into a map, copied and
// rendered (the hook reads itself what a page's Prefetch reads at once).
func (c *Call) getStored() (*Answer, error) {
	rec, err := c.Engine.LoadStored(c.Ctx, c.Tx, c.Res.Type, urlID(c.Req))
	if err != nil {
		return nil, err
	}
	if rec == nil || !c.Caller.Member(rec.OrgID) {
		return nil, ErrNotFound(Singular(c.Res.Type))
	}
	room := len(rec.stored) + 16
	if c.Engine.byType[c.Res.Type].Splice != nil {
		room += 2048 // and what the hook computes
	}
	c.spliced = make([]byte, 0, room)
	obj, err := c.splice(rec)
	if err != nil {
		return nil, err
	}
	return &Answer{Status: status(c.Op, http.StatusOK), ContentType: ContentTypeAPI, Body: singleDoc{Data: obj}}, nil
}

// single answers one record as a JSON:API document.
func (c *Call) single(rec *Record, st int) (*Answer, error) {
	obj, err := c.Render(rec)
	if err != nil {
		return nil, err
	}
	return &Answer{Status: st, ContentType: ContentTypeAPI, Body: singleDoc{Data: obj}}, nil
}

// Plain answers a plain JSON object.
func Plain(st int, body any) *Answer {
	return &Answer{Status: st, ContentType: ContentTypeJSON, Body: body}
}

// create handles POST <path> for every resource type.
func (e *Engine) create(c *Call) (*Answer, error) {
	data, err := c.body.document(c.Res.Type)
	if err != nil {
		return nil, err
	}
	in, err := c.body.attributes()
	if err != nil {
		return nil, err
	}
	rec := &Record{Type: c.Res.Type, ID: e.IDs.UUID(), CreatedAt: c.Now, Attrs: map[string]json.RawMessage{}}
	if data.ID != nil {
		if !IsUUID(*data.ID) {
			return nil, ErrPointer("/data/id", "data.id must be a UUID.")
		}
		rec.ID = LowerID(*data.ID)
		if old, err := c.Engine.LoadRecord(c.Ctx, c.Tx, rec.Type, rec.ID); err != nil {
			return nil, err
		} else if old != nil {
			return nil, ErrConflict("/data/id", "A %s with id %s already exists.", Singular(rec.Type), rec.ID)
		}
	}
	for k, v := range in {
		rec.Attrs[k] = v
	}
	var errs Errors
	for _, name := range c.Res.Required {
		if v, ok := in[name]; !ok || string(v) == "null" {
			errs = append(errs, ErrPointer("/data/attributes/"+name, "This field is required."))
		}
	}
	if err := errs.OrNil(); err != nil {
		return nil, err
	}
	if err := c.resolveOwner(rec, in); err != nil {
		return nil, err
	}
	c.Stamp(rec, true)
	if c.Res.BeforeCreate != nil {
		if err := c.Res.BeforeCreate(c, rec, in); err != nil {
			return nil, err
		}
	}
	if err := c.Insert(rec); err != nil {
		return nil, err
	}
	if c.Res.AfterCreate != nil {
		if err := c.Res.AfterCreate(c, rec, in); err != nil {
			return nil, err
		}
	}
	if c.Res.CreateAnswer != nil {
		body, err := c.Res.CreateAnswer(c, rec)
		if err != nil {
			return nil, err
		}
		return Plain(status(c.Op, http.StatusCreated), body), nil
	}
	return c.single(rec, status(c.Op, http.StatusCreated))
}

// resolveOwner sets the new record's organization and parent from its
// attributes: the organization must be one of the caller's (403 otherwise),
// the parent must exist and be visible (400 otherwise).
func (c *Call) resolveOwner(rec *Record, in map[string]json.RawMessage) error {
	if p := c.Res.Parent; p != nil {
		if _, ok := in[p.Attr]; ok {
			id := rec.Str(p.Attr)
			// Only read (here and by the hooks, CreatedParent): not decoded.
			parent, err := c.ref(c.View, "/data/attributes/"+p.Attr, p.Type, id)
			if err != nil {
				return err
			}
			rec.ParentID, rec.OrgID = parent.ID, parent.OrgID
			c.parent = parent
			rec.Set(p.Attr, parent.ID)
		} else {
			return ErrPointer("/data/attributes/"+p.Attr, "This field is required.")
		}
	}
	if attr := c.Res.OrgAttr; attr != "" {
		org := LowerID(rec.Str(attr))
		if _, ok := in[attr]; !ok || org == "" {
			if rec.OrgID != "" { // the parent's
				return nil
			}
			return ErrPointer("/data/attributes/"+attr, "This field is required.")
		}
		if !c.Caller.Member(org) {
			return &Error{Status: http.StatusForbidden, Code: CodePermission, Pointer: "/data/attributes/" + attr,
				Detail: "You do not have permission to perform this action in organization " + org + "."}
		}
		if rec.ParentID != "" && rec.OrgID != org {
			return ErrPointer("/data/attributes/"+attr, "The organization is not the one of %s %s.", Singular(c.Res.Parent.Type), rec.ParentID)
		}
		rec.OrgID = org
		rec.Set(attr, org)
	}
	return nil
}

// modify handles PATCH <path>{id}/ for every resource type.
func (e *Engine) modify(c *Call) (*Answer, error) {
	old, err := c.MustLoad(c.Res.Type, urlID(c.Req))
	if err != nil {
		return nil, err
	}
	data, err := c.body.document(c.Res.Type)
	if err != nil {
		return nil, err
	}
	if data.ID == nil {
		return nil, ErrPointer("/data/id", "data.id is required.")
	}
	if LowerID(*data.ID) != old.ID {
		return nil, ErrConflict("/data/id", "data.id %q does not match the id in the URL.", *data.ID)
	}
	in, err := c.body.attributes()
	if err != nil {
		return nil, err
	}
	rec := *old
	rec.Attrs = make(map[string]json.RawMessage, len(old.Attrs))
	for k, v := range old.Attrs {
		rec.Attrs[k] = v
	}
	for k, v := range in {
		rec.Attrs[k] = v
	}
	c.Stamp(&rec, false)
	if c.Res.BeforeModify != nil {
		if err := c.Res.BeforeModify(c, old, &rec, in); err != nil {
			return nil, err
		}
	}
	if err := c.Save(&rec); err != nil {
		return nil, err
	}
	return c.single(&rec, status(c.Op, http.StatusOK))
}

// attributesIn validates data.attributes of a create or modify of res
// (requestBody.checkAttributes runs it before the transaction): unknown
// attributes are 400s naming them; read-only ones (and, on modify, create-only
// ones) are ignored; values are checked against their declared kinds. A modify
// may also send a JSON-Patch-like list of operations, as some vendors
// document ([{"op": "replace", "path": "/name", "value": ...}]).
func (e *Engine) attributesIn(res *Resource, raw json.RawMessage, create bool) (map[string]json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	in := map[string]json.RawMessage{}
	if len(raw) == 0 || string(raw) == "null" {
		return in, nil
	}
	if raw[0] == '[' && !create {
		var ops []struct {
			Op    string          `json:"op"`
			Path  string          `json:"path"`
			Value json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(raw, &ops); err != nil {
			return nil, ErrPointer("/data/attributes", "Must be an object or a list of {op, path, value} operations.")
		}
		for i, o := range ops {
			name := strings.TrimPrefix(o.Path, "/")
			switch o.Op {
			case "replace", "add":
				in[name] = o.Value
			case "remove":
				in[name] = json.RawMessage("null")
			default:
				return nil, ErrPointer(fmt.Sprintf("/data/attributes/%d/op", i), "op must be replace, add or remove.")
			}
			if len(in[name]) == 0 {
				in[name] = json.RawMessage("null")
			}
		}
	} else if err := json.Unmarshal(raw, &in); err != nil || in == nil {
		return nil, ErrPointer("/data/attributes", "Must be an object.")
	}
	decl := e.declared[res.Type]
	var errs Errors
	out := map[string]json.RawMessage{}
	for _, name := range SortedKeys(in) {
		at, ok := decl[name]
		ptr := "/data/attributes/" + name
		if !ok {
			errs = append(errs, ErrPointer(ptr, "%s has no attribute %q.", Singular(res.Type), name))
			continue
		}
		writable := at.Create
		if !create {
			writable = at.Modify || contains(res.Writable, name)
		}
		if !writable {
			continue // read-only: the server sets it
		}
		itemFormat := ""
		if strings.HasSuffix(name, "-ids") {
			itemFormat = "uuid"
		}
		if e := CheckValue(ptr, at.Kind, at.Format, at.Enum, at.MaxLength, itemFormat, in[name]); e != nil {
			errs = append(errs, e)
			continue
		}
		if sh := res.Shapes[name]; sh != nil {
			if bad := sh.Check(ptr, in[name]); len(bad) > 0 {
				errs = append(errs, bad...)
				continue
			}
		}
		v := in[name]
		if at.Format == "uuid" {
			var s string
			if json.Unmarshal(v, &s) == nil {
				v, _ = json.Marshal(LowerID(s))
			}
		}
		out[name] = v
	}
	return out, errs.OrNil()
}

// runAction handles every action route: the body checked against the
// catalog's fields, the resource loaded, the hook run. Whatever the method
// (a DELETE action too), the answer is what the catalog documents: the
// vendor's client decodes every action's answer.
func runAction(act Action) func(c *Call) (*Answer, error) {
	return func(c *Call) (_ *Answer, err error) {
		defer func() {
			if err != nil && c.body.fromQuery {
				err = asParameters(err)
			}
		}()
		var rec *Record
		if act.OnItem {
			var err error
			if rec, err = c.MustLoad(c.Res.Type, urlID(c.Req)); err != nil {
				return nil, err
			}
		}
		body := map[string]json.RawMessage{}
		if c.Op.Body != "" || c.body.sent {
			var err error
			if body, err = c.body.object(); err != nil {
				return nil, err
			}
			if c.Op.Body == "plain" && !act.FreeForm {
				if err := checkFields(c.Op, body); err != nil {
					return nil, err
				}
			}
			if err := checkShapes(act.Shapes, body); err != nil {
				return nil, err
			}
		}
		out, err := act.Handler(c, rec, body)
		if err != nil {
			return nil, err
		}
		st := status(c.Op, http.StatusCreated)
		switch v := out.(type) {
		case *Record:
			return c.single(v, st)
		case nil:
			return &Answer{Status: st, ContentType: ContentTypeJSON, Body: nil}, nil
		case *Answer:
			return v, nil
		default:
			return Plain(st, v), nil
		}
	}
}

func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return SortedCopy(keys)
}

package jsonapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strings"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

const (
	ContentTypeAPI  = "application/vnd.api+json"
	ContentTypeJSON = "application/json"
)

// AttrValue is one attribute of a rendered resource.
type AttrValue struct {
	Name  string
	Value json.RawMessage
}

// Attributes are a resource's attributes in its type's order. They encode as
// one JSON object whose key order is the order of the type's attribute list
// (the docs' sample order), which a Go map could not keep.
type Attributes []AttrValue

// MarshalJSON implements json.Marshaler.
func (as Attributes) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, a := range as {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(a.Name)
		b.Write(k)
		b.WriteByte(':')
		if len(a.Value) == 0 {
			b.WriteString("null")
		} else {
			b.Write(a.Value)
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// ResourceObject is one resource in a document (key order of the docs' samples).
type ResourceObject struct {
	Attributes Attributes `json:"attributes"`
	ID         string     `json:"id,omitempty"` // computed resources may have none
	Type       string     `json:"type"`

	// In place of Attributes, for a page's splice: the attributes object as
	// written (attrsText), or a record whose splice form checked out and
	// the values computed for it, which appendJSON writes in their places
	// (formed).
	attrsText []byte
	formed    *Record
	computed  []AttrValue
}

// MarshalJSON writes a spliced object as appendJSON does; any other as
// encoding/json writes the struct (the caller's encoder escapes HTML or
// not).
func (o ResourceObject) MarshalJSON() ([]byte, error) {
	if o.attrsText != nil || o.formed != nil {
		return o.appendJSON(nil), nil
	}
	type plain ResourceObject
	return httpx.MarshalJSON(plain(o))
}

// singleDoc answers one resource.
type singleDoc struct {
	Data ResourceObject `json:"data"`
	Meta struct{}       `json:"meta"`
}

// listDoc answers a paged list.
type listDoc struct {
	Data  []ResourceObject `json:"data"`
	Meta  pageMeta         `json:"meta"`
	Links *pageLinks       `json:"links,omitempty"`
}

// plainListDoc answers a list the vendor does not page (meta {}).
type plainListDoc struct {
	Data []ResourceObject `json:"data"`
	Meta struct{}         `json:"meta"`
}

type pageMeta struct {
	Limit  int64 `json:"page[limit]"`
	Offset int64 `json:"page[offset]"`
	Total  int64 `json:"page[total]"`
}

type pageLinks struct {
	First string  `json:"first"`
	Prev  *string `json:"prev"`
	Next  *string `json:"next"`
	Last  string  `json:"last"`
}

// requestDoc is the body of a create or modify.
type requestDoc struct {
	Data *requestData   `json:"data"`
	Meta map[string]any `json:"meta"`
}

type requestData struct {
	Type       *string         `json:"type"`
	ID         *string         `json:"id"`
	Attributes json.RawMessage `json:"attributes"`
}

// hasBody reports whether the request carries a body.
func hasBody(r *http.Request) bool {
	return r.ContentLength > 0 || (r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody)
}

// checkContentType accepts JSON and JSON:API request bodies (the vendor's own
// clients send both) and answers 415 for anything else.
func checkContentType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (mt == ContentTypeJSON || mt == ContentTypeAPI) {
		return nil
	}
	if ct == "" {
		ct = "none"
	}
	return &Error{Status: http.StatusUnsupportedMediaType, Code: CodeMediaType,
		Detail: `Unsupported media type "` + ct + `" in request; send application/json or application/vnd.api+json.`}
}

// bodyKind is what a handler takes from the request body.
type bodyKind int

const (
	noBody     bodyKind = iota // lists and gets read no body
	createBody                 // create: {"data": {...}}, its attributes checked as a create's
	modifyBody                 // modify: the same, its attributes checked as a modify's
	objectBody                 // actions: one plain JSON object
)

// isDocument tells the kinds whose body is a JSON:API document.
func (k bodyKind) isDocument() bool { return k == createBody || k == modifyBody }

// requestBody is a request's body, read and decoded before the transaction
// opens. The decoding keeps its error, so the handler reports it exactly where
// it would have read the body (after a 404 of the resource, say).
type requestBody struct {
	sent      bool // the request carries a body
	fromQuery bool // obj holds a DELETE action's arguments, sent in the query string
	obj       map[string]json.RawMessage
	objErr    error
	doc       requestDoc
	docErr    error
	in        map[string]json.RawMessage // the document's attributes, checked
	inErr     error
}

// readBody reads r's body (at most httpx.MaxBodyBytes) and decodes it as kind.
func readBody(r *http.Request, kind bodyKind) (*requestBody, error) {
	b := &requestBody{sent: hasBody(r)}
	if kind == noBody {
		return b, nil
	}
	var raw []byte
	if b.sent {
		var err error
		if raw, err = httpx.ReadBody(r); err != nil {
			return nil, err
		}
	}
	if kind.isDocument() {
		b.docErr = decodeDocument(raw, &b.doc)
	} else {
		b.obj, b.objErr = decodeObject(raw)
	}
	return b, nil
}

// decodeObject decodes an action body: one JSON object, member by member. An
// empty body is an empty object: actions document "{}" bodies.
func decodeObject(raw []byte) (map[string]json.RawMessage, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return map[string]json.RawMessage{}, nil
	}
	var obj map[string]json.RawMessage // null is refused: never nil
	if err := httpx.Unmarshal(raw, &obj, false); err != nil {
		return nil, memberError(err)
	}
	return obj, nil
}

// decodeDocument decodes a create/modify body: {"data": {"type", "id"?, "attributes"}, "meta"}.
// httpx's strict reader matches its members exactly ("DATA" is not data).
func decodeDocument(raw []byte, doc *requestDoc) error {
	if err := httpx.Unmarshal(raw, doc, false); err != nil {
		var be *httpx.BodyError
		if errors.As(err, &be) && be.Kind == httpx.BodyEmpty {
			return ErrPointer("/data", "A request document with a data object is required.")
		}
		return memberError(err)
	}
	return nil
}

// memberError is a body error about one member (a wrong type, a NUL
// character) as a validation error pointing at it; others stay as they are.
func memberError(err error) error {
	var be *httpx.BodyError
	if errors.As(err, &be) && (be.Kind == httpx.BodyWrongType || be.Kind == httpx.BodyBadText) && be.Field != "" {
		return ErrPointer("/"+strings.ReplaceAll(be.Field, ".", "/"), "%s", be.Msg)
	}
	return err
}

// checkAttributes checks the document's attributes (attributesIn), still
// outside the transaction: what needs no state costs no time at the writer.
// The handler reports the outcome where it takes them.
func (b *requestBody) checkAttributes(e *Engine, res *Resource, kind bodyKind) {
	if data, err := b.document(res.Type); err == nil {
		b.in, b.inErr = e.attributesIn(res, data.Attributes, kind == createBody)
	}
}

// attributes are the checked attributes of the document, once document has
// accepted it.
func (b *requestBody) attributes() (map[string]json.RawMessage, error) { return b.in, b.inErr }

// object is the body as an action's JSON object.
func (b *requestBody) object() (map[string]json.RawMessage, error) { return b.obj, b.objErr }

// document is the body as the document of a create or modify of typ.
func (b *requestBody) document(typ string) (*requestData, error) {
	if b.docErr != nil {
		return nil, b.docErr
	}
	doc := b.doc
	if doc.Data == nil {
		return nil, ErrPointer("/data", "A request document with a data object is required.")
	}
	if doc.Data.Type == nil {
		return nil, ErrPointer("/data/type", "data.type is required.")
	}
	if *doc.Data.Type != typ {
		return nil, ErrConflict("/data/type", "data.type %q does not match this endpoint's type %q.", *doc.Data.Type, typ)
	}
	return doc.Data, nil
}

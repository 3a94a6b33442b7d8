package jsonapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

// The documents the engine answers most (one resource, a page of them) are
// written by hand: encoding/json reflected over every resource object and
// then compacted each Attributes' output again, most of a list's cost
// (profiled). The bytes are exactly what httpx.WriteJSON writes for the same
// value: encoding/json with HTML characters as they are, compact, no
// trailing newline. TestDocumentEncoding compares the two.

// appender is an answer body that writes its own JSON.
type appender interface {
	appendJSON(b []byte) []byte
}

// writeAnswer writes an appender's body as httpx.WriteJSON would write it.
func writeAnswer(w http.ResponseWriter, status int, contentType string, body appender) {
	if contentType == "" {
		contentType = ContentTypeJSON
	}
	buf := httpx.Buffer()
	defer httpx.ReleaseBuffer(buf)
	*buf = body.appendJSON(*buf)
	httpx.WriteJSONBody(w, status, contentType, *buf)
}

func (d singleDoc) appendJSON(b []byte) []byte {
	b = append(b, `{"data":`...)
	b = d.Data.appendJSON(b)
	return append(b, `,"meta":{}}`...)
}

func (d plainListDoc) appendJSON(b []byte) []byte {
	b = append(b, `{"data":`...)
	b = appendObjects(b, d.Data)
	return append(b, `,"meta":{}}`...)
}

func (d listDoc) appendJSON(b []byte) []byte {
	b = append(b, `{"data":`...)
	b = appendObjects(b, d.Data)
	b = append(b, `,"meta":{"page[limit]":`...)
	b = strconv.AppendInt(b, d.Meta.Limit, 10)
	b = append(b, `,"page[offset]":`...)
	b = strconv.AppendInt(b, d.Meta.Offset, 10)
	b = append(b, `,"page[total]":`...)
	b = strconv.AppendInt(b, d.Meta.Total, 10)
	b = append(b, '}')
	if l := d.Links; l != nil {
		b = append(b, `,"links":{"first":`...)
		b = appendString(b, l.First)
		b = append(b, `,"prev":`...)
		b = appendOptString(b, l.Prev)
		b = append(b, `,"next":`...)
		b = appendOptString(b, l.Next)
		b = append(b, `,"last":`...)
		b = appendString(b, l.Last)
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendObjects(b []byte, objs []ResourceObject) []byte {
	if objs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, o := range objs {
		if i > 0 {
			b = append(b, ',')
		}
		b = o.appendJSON(b)
	}
	return append(b, ']')
}

func (o ResourceObject) appendJSON(b []byte) []byte {
	b = append(b, `{"attributes":`...)
	switch {
	case o.formed != nil:
		b = o.formed.appendFormAttrs(b, o.computed)
	case o.attrsText != nil:
		b = append(b, o.attrsText...)
	default:
		b = o.Attributes.appendJSON(b)
	}
	if o.ID != "" {
		b = append(b, `,"id":`...)
		b = appendString(b, o.ID)
	}
	b = append(b, `,"type":`...)
	b = appendString(b, o.Type)
	return append(b, '}')
}

// appendJSON is MarshalJSON as encoding/json writes it: compacted.
func (as Attributes) appendJSON(b []byte) []byte {
	b = append(b, '{')
	for i, a := range as {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendKey(b, a.Name)
		if len(a.Value) == 0 {
			b = append(b, "null"...)
		} else {
			b = appendCompact(b, a.Value)
		}
	}
	return append(b, '}')
}

// appendKey appends an object's key and its colon as MarshalJSON writes it.
func appendKey(b []byte, name string) []byte {
	if plainString(name) {
		b = append(append(append(b, '"'), name...), '"')
	} else {
		k, _ := json.Marshal(name)
		b = append(b, k...)
	}
	return append(b, ':')
}

// appendCompact appends a valid JSON value without its insignificant
// whitespace, as encoding/json compacts a Marshaler's output.
func appendCompact[T ~string | ~[]byte](b []byte, v T) []byte {
	// A valid string, number or literal with no space at either end has none
	// outside a string: only a container is walked.
	if c, e := v[0], v[len(v)-1]; c != '{' && c != '[' && !isSpace(c) && !isSpace(e) || compactAsIs(v, false) {
		return append(b, v...)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(v)); err != nil {
		panic("jsonapi: encode attribute: " + err.Error()) // values are valid JSON; encoding/json fails too
	}
	return append(b, buf.Bytes()...)
}

// compactAsIs reports whether encoding/json's compacting leaves the JSON
// value v as it is: no whitespace outside its strings and, with escapeHTML
// (as json.Marshal compacts), nothing in them it escapes (<, >, &, U+2028,
// U+2029). Whether v is JSON at all is the caller's to know.
func compactAsIs[T ~string | ~[]byte](v T, escapeHTML bool) bool {
	if len(v) == 0 {
		return false
	}
	in := false // inside a string
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case in && c == '\\':
			i++ // the escaped byte: nothing compacting changes
		case c == '"':
			in = !in
		case !in && isSpace(c):
			return false
		case !escapeHTML:
		case c == '<' || c == '>' || c == '&':
			return false
		case c == 0xE2 && i+2 < len(v) && v[i+1] == 0x80 && (v[i+2] == 0xA8 || v[i+2] == 0xA9):
			return false // U+2028, U+2029
		}
	}
	return !in
}

// plainString reports a string encoding/json writes as it is between quotes:
// printable ASCII without '"', '\\' or the characters HTML escaping changes.
func plainString(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// appendString appends s as encoding/json writes it without HTML escaping.
func appendString(b []byte, s string) []byte { return httpx.AppendJSONString(b, s, false) }

func appendOptString(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendString(b, *s)
}

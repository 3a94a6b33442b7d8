package jsonapi

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// Shape is the documented shape of a nested value: an object whose members
// the vendor's samples show, an array of such objects, or one member of
// them. The catalog knows such an attribute or body field only as an
// "object" or an "array"; a table entry (Resource.Shapes, Action.Shapes)
// gives its shape, and the engine checks it on create, modify and actions,
// and in fixtures, one error per bad member, pointing at it.
type Shape struct {
	Name     string // a member's name (empty for an attribute or an array's items)
	Required bool   // a member that must be present and not null
	Kind     string // "object", "array", "string", "integer", "number", "boolean", "any"
	// Format and Enum constrain a string: the formats of CheckValue.
	Format string
	Enum   []string
	// Members are an object's documented members, in the samples' order; any
	// other member is unknown (a 400), as an unknown attribute is. Open
	// objects are free-form ("{}" in the samples): any member is accepted.
	Members []Shape
	Open    bool
	// Items is the shape of every item of an array (nil: any items).
	Items *Shape
}

// Check validates a value; pointer names it. A null is accepted (a required
// member is its object's business). Every problem is one error.
func (s *Shape) Check(pointer string, raw json.RawMessage) Errors {
	return s.check(pointer, raw, true)
}

// check is Check; an array's items may not be null (nullOK false).
func (s *Shape) check(pointer string, raw json.RawMessage, nullOK bool) Errors {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		if nullOK || s.Kind == "any" {
			return nil
		}
		return Errors{ErrPointer(pointer, "Must be %s.", kindText(s.Kind))}
	}
	switch s.Kind {
	case "object":
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil || m == nil {
			return Errors{ErrPointer(pointer, "Must be an object.")}
		}
		if s.Open {
			return nil
		}
		var errs Errors
		for _, k := range SortedKeys(m) {
			i := slices.IndexFunc(s.Members, func(mb Shape) bool { return mb.Name == k })
			if i < 0 {
				errs = append(errs, ErrPointer(pointer+"/"+escapePointer(k), "Unknown field %q.", k))
				continue
			}
			errs = append(errs, s.Members[i].check(pointer+"/"+escapePointer(k), m[k], true)...)
		}
		for _, mb := range s.Members {
			if v, ok := m[mb.Name]; mb.Required && (!ok || string(bytes.TrimSpace(v)) == "null") {
				errs = append(errs, ErrPointer(pointer+"/"+escapePointer(mb.Name), "This field is required."))
			}
		}
		return errs
	case "array":
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return Errors{ErrPointer(pointer, "Must be an array.")}
		}
		if s.Items == nil {
			return nil
		}
		var errs Errors
		for i, it := range items {
			errs = append(errs, s.Items.check(pointer+"/"+strconv.Itoa(i), it, false)...)
		}
		return errs
	case "any":
		return nil
	}
	if e := CheckValue(pointer, s.Kind, s.Format, s.Enum, 0, "", raw); e != nil {
		return Errors{e}
	}
	return nil
}

// checkShapes checks the members of a plain body that have a shape.
func checkShapes(shapes map[string]*Shape, body map[string]json.RawMessage) error {
	var errs Errors
	for _, name := range SortedKeys(shapes) {
		if v, ok := body[name]; ok {
			errs = append(errs, shapes[name].Check("/"+escapePointer(name), v)...)
		}
	}
	return errs.OrNil()
}

// kindText names a kind as CheckValue's messages do ("an object").
func kindText(kind string) string {
	switch kind {
	case "object", "array", "integer":
		return "an " + kind
	}
	return "a " + kind
}

// escapePointer escapes a member name for a JSON pointer (RFC 6901).
func escapePointer(name string) string {
	if !strings.ContainsAny(name, "~/") {
		return name // every documented member: no replacer to build
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(name)
}

package jsonapi

import (
	"context"
	"database/sql"
	"encoding/json"
)

// A page of a type with a Splice hook is answered from its records' stored
// attributes as read: each record's attributes object is walked once, in
// the order it was stored (encoding/json's, by name), which for such a type
// is the order an answer lists them (its attribute list is in name order),
// and the few attributes the render computes are written in place of the
// stored values. Decoding every
// record into a map, copying it for the render hook, setting the computed
// values and ordering them again was about half of the cost of a page of
// messages (profiled). A record whose stored object is not exactly the
// type's answered attributes, in order and compact (an attribute added to
// the catalog since it was written, say), is decoded and rendered as any
// other: both ways give the same bytes (TestSplicedPagesAnswerAsRendered).

// SpliceFunc gives the attributes a render would compute for rec, encoded
// as Record.Set encodes them, from rec's stored attributes (StoredStr); ok
// false sends rec to the general render (Render with its decoded attributes).
type SpliceFunc func(c *Call, rec *Record) (computed []AttrValue, ok bool, err error)

// queryStored is QueryRecords without decoding the attributes: the records
// keep the text they were stored as (Attrs nil until decodeStored).
func queryStored(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]*Record, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	reach := ReachFrom(ctx)
	var out []*Record
	for rows.Next() {
		var r Record
		if err := rows.Scan(&r.Type, &r.ID, &r.OrgID, &r.ParentID, &r.CreatedAt, &r.stored); err != nil {
			return nil, err
		}
		r.undecoded = true
		reach.Add(r.OrgID)
		out = append(out, &r)
	}
	return out, rows.Err()
}

// decodeStored decodes the attributes queryStored left as text.
func (r *Record) decodeStored() error {
	if !r.undecoded {
		return nil
	}
	attrs, err := DecodeAttrs(r.stored)
	if err != nil {
		return errStoredAttrs(r, err)
	}
	r.Attrs, r.undecoded = attrs, false
	return nil
}

// StoredStr is Str for a splice hook: it reads the stored text when the
// record's attributes are not decoded.
func (r *Record) StoredStr(name string) string {
	if !r.undecoded {
		return r.Str(name)
	}
	v, ok := storedMember(r.stored, name)
	if !ok {
		return ""
	}
	if s, ok := plainJSONString(v); ok {
		return s
	}
	var s string
	_ = json.Unmarshal(v, &s)
	return s
}

// StoredInt is Int for a splice hook or a Prefetch (see StoredStr).
func (r *Record) StoredInt(name string) int64 {
	if !r.undecoded {
		return r.Int(name)
	}
	var n int64
	if v, ok := storedMember(r.stored, name); ok {
		_ = json.Unmarshal(v, &n)
	}
	return n
}

// storedMember is the raw value of one member of a stored attributes
// object, found by walking its members (false when absent, or when the
// text is not one splitObject reads). The members before it are not
// validated: a splice of a text that is not valid JSON fails in spliceAttrs,
// and the record is then decoded, which fails as any read of it does.
func storedMember(text, name string) (json.RawMessage, bool) {
	var found json.RawMessage
	ok := walkMembers(text, false, func(key string, v json.RawMessage) bool {
		if key == name {
			found = v
			return false
		}
		return true
	})
	return found, ok && found != nil
}

// walkMembers calls fn with each member of a stored object whose keys are
// plain ASCII, in order, until fn returns false; with validate, each value
// must be valid compact JSON. false: the text is not such an object.
func walkMembers(text string, validate bool, fn func(key string, v json.RawMessage) bool) bool {
	data := []byte(text)
	n := len(data)
	if n < 2 || data[0] != '{' || data[n-1] != '}' {
		return false
	}
	i := 1
	if data[i] == '}' {
		return i == n-1
	}
	for {
		if data[i] != '"' {
			return false
		}
		j := i + 1
		for j < n && data[j] != '"' {
			if data[j] == '\\' || data[j] < 0x20 || data[j] >= 0x80 {
				return false
			}
			j++
		}
		if j+1 >= n || data[j+1] != ':' {
			return false
		}
		key := text[i+1 : j]
		start := j + 2
		end, err := skipValue(data, start)
		if err != nil || end >= n || end <= start {
			return false
		}
		v := data[start:end:end]
		if validate && (hasSpaceOutsideStrings(v) || !json.Valid(v)) {
			return false
		}
		if !fn(key, v) {
			return true
		}
		switch data[end] {
		case ',':
			i = end + 1
			if i >= n {
				return false
			}
		case '}':
			return end == n-1
		default:
			return false
		}
	}
}

// spliceAttrs is the answer's attributes of a record stored as text, with
// computed in place of their stored values: false unless the stored members
// are exactly the answered attributes of shown, in its order.
func spliceAttrs(text string, shown []Attr, computed []AttrValue) (Attributes, bool) {
	out := make(Attributes, 0, len(shown))
	next := 0 // the index in shown of the attribute the next member must be
	ok := walkMembers(text, true, func(key string, v json.RawMessage) bool {
		for next < len(shown) && shown[next].RequestOnly {
			next++
		}
		if next == len(shown) || shown[next].Name != key {
			next = -1
			return false
		}
		next++
		a := AttrValue{Name: key, Value: v, compact: true}
		for _, c := range computed {
			if c.Name == key {
				a = c
				break
			}
		}
		out = append(out, a)
		return true
	})
	if !ok || next < 0 {
		return nil, false
	}
	for ; next < len(shown); next++ {
		if !shown[next].RequestOnly {
			return nil, false // an attribute the text does not hold
		}
	}
	return out, true
}

// splice renders a record queryStored read through its type's Splice hook,
// else decodes it and renders it as any other.
func (c *Call) splice(rec *Record) (ResourceObject, error) {
	if hook := c.Engine.byType[rec.Type].Splice; hook != nil && rec.undecoded {
		computed, ok, err := hook(c, rec)
		if err != nil {
			return ResourceObject{}, err
		}
		if ok {
			if attrs, ok := spliceAttrs(rec.stored, c.Engine.types[rec.Type], computed); ok {
				return ResourceObject{Attributes: attrs, ID: rec.ID, Type: rec.Type}, nil
			}
		}
	}
	if err := rec.decodeStored(); err != nil {
		return ResourceObject{}, err
	}
	return c.render(rec, true)
}

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
// type's answered attributes, in order, in the compact form encodeAttrs
// writes (an attribute added to the catalog since it was written, say), is
// decoded and rendered as any other: both ways give the same bytes
// (TestSplicedPagesAnswerAsRendered).

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
	v, ok := r.storedMember(name)
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
	if v, ok := r.storedMember(name); ok {
		_ = json.Unmarshal(v, &n)
	}
	return n
}

// storedMember is the raw value of one member of the stored text (false
// when absent, or when the text is not one indexObject reads).
func (r *Record) storedMember(name string) (json.RawMessage, bool) {
	ms, _ := r.storedMembers()
	for _, m := range ms {
		if m.key == name {
			return r.storedData[m.start:m.end:m.end], true
		}
	}
	return nil, false
}

// storedMembers indexes the stored text once per record (indexObject): a
// page's hooks ask for several members, and spliceAttrs then takes them all.
func (r *Record) storedMembers() ([]member, bool) {
	if r.members == nil {
		members, ok := indexObject(r.stored, make([]member, 0, 24))
		if !ok || len(members) == 0 {
			r.members = []member{} // indexed: not an object a splice takes
			return nil, false
		}
		r.members, r.storedData = members, []byte(r.stored)
	}
	return r.members, len(r.members) > 0
}

// spliceAttrs is the answer's attributes of a record from its stored members
// (storedMembers), with computed in place of their stored values: false
// unless the members are exactly the answered attributes of shown, in its
// order.
func (r *Record) spliceAttrs(members []member, shown []Attr, computed []AttrValue) (Attributes, bool) {
	out := make(Attributes, 0, len(members))
	next := 0 // the index in shown of the attribute the next member must be
	for _, m := range members {
		for next < len(shown) && shown[next].RequestOnly {
			next++
		}
		if next == len(shown) || shown[next].Name != m.key {
			return nil, false
		}
		next++
		a := AttrValue{Name: m.key, Value: r.storedData[m.start:m.end:m.end]}
		for _, c := range computed {
			if c.Name == m.key {
				a = c
				break
			}
		}
		out = append(out, a)
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
		if members, indexed := rec.storedMembers(); ok && indexed {
			if attrs, ok := rec.spliceAttrs(members, c.Engine.types[rec.Type], computed); ok {
				return ResourceObject{Attributes: attrs, ID: rec.ID, Type: rec.Type}, nil
			}
		}
	}
	if err := rec.decodeStored(); err != nil {
		return ResourceObject{}, err
	}
	return c.render(rec, true)
}

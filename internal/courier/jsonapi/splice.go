package jsonapi

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/emulator/vendor-emulator/internal/store"
)

// A page of a type with a Splice hook is answered from its records' stored
// attributes as read: each record's attributes object is walked once, in
// the order it was stored (encoding/json's, by name), which for such a type
// is the order an answer lists them (its attribute list is in name order),
// and the few attributes the render computes are written in place of the
// stored values. Decoding every
// record into a map, copying it for the render hook, setting the computed
// values and ordering them again was about half of the cost of a page of
// messages (profiled). Attributes the text lacks (a record loaded from a
// fixture file, one written before the catalog had them) answer their zero
// value, as the general render answers them. A record whose stored text is
// not in the compact form encodeAttrs writes (spaces between members, keys
// out of order) is decoded and rendered as any other: both ways give the
// same bytes (TestSplicedPagesAnswerAsRendered).

// SpliceFunc gives the attributes a render would compute for rec, encoded
// as Record.Set encodes them, from rec's stored attributes (StoredStr); ok
// false sends rec to the general render (Render with its decoded attributes).
type SpliceFunc func(c *Call, rec *Record) (computed []AttrValue, ok bool, err error)

// queryStored is QueryRecords without decoding the attributes: the records
// keep the text they were stored as (Attrs nil until decodeStored).
func queryStored(ctx context.Context, tx *store.Tx, query string, args ...any) ([]*Record, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	reach := ReachFrom(ctx)
	var out []*Record
	// A page's records mostly share their type, organization and parent:
	// each is copied from the row when it differs from the record before.
	var typ, org, parent sql.RawBytes
	var last Record
	for rows.Next() {
		var r Record
		if err := rows.Scan(&typ, &r.ID, &org, &parent, &r.CreatedAt, &r.stored); err != nil {
			return nil, err
		}
		r.Type, r.OrgID, r.ParentID = sameOr(last.Type, typ), sameOr(last.OrgID, org), sameOr(last.ParentID, parent)
		last = r
		r.undecoded = true
		reach.Add(r.OrgID)
		out = append(out, &r)
	}
	return out, rows.Err()
}

// sameOr is s when b holds the same text, else b's text (a copy).
func sameOr(s string, b []byte) string {
	if string(b) == s {
		return s
	}
	return string(b)
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
	r.Attrs, r.undecoded, r.stored, r.members, r.storedData = attrs, false, "", nil, nil
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
// (storedMembers), as Call.render gives them: each answered attribute of
// shown, in order, computed if the hook computes it, else stored, else its
// kind's zero value; members shown does not answer are left out. Both lists
// are walked side by side, so both must be in name order (false otherwise:
// a type whose attribute list is not, a text with keys out of order or
// repeated).
func (r *Record) spliceAttrs(members []member, shown []Attr, computed []AttrValue) (Attributes, bool) {
	for i := 1; i < len(members); i++ {
		if members[i-1].key >= members[i].key {
			return nil, false
		}
	}
	out := make(Attributes, 0, len(shown))
	prev, i := "", 0 // the last attribute answered; the next member to look at
	for _, at := range shown {
		if at.RequestOnly {
			continue
		}
		if at.Name <= prev {
			return nil, false
		}
		prev = at.Name
		for i < len(members) && members[i].key < at.Name {
			i++ // not answered
		}
		a := AttrValue{Name: at.Name}
		if i < len(members) && members[i].key == at.Name {
			a.Value = r.storedData[members[i].start:members[i].end:members[i].end]
			i++
		} else {
			a.Value = sharedZeroValue(at.Kind)
		}
		for _, c := range computed {
			if c.Name == at.Name {
				a = c
				break
			}
		}
		out = append(out, a)
	}
	return out, true
}

// splice renders a record queryStored read through its type's Splice hook,
// else (decoding it first if queryStored read it) as any other, in place.
func (c *Call) splice(rec *Record) (ResourceObject, error) {
	if res := c.Engine.byType[rec.Type]; res != nil && res.Splice != nil && rec.undecoded {
		computed, ok, err := res.Splice(c, rec)
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

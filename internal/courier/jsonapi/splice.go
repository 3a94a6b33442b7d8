package jsonapi

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

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
// as Record.Set encodes them, from rec's stored attributes (Str); ok
// false sends rec to the general render (Render with its decoded attributes).
type SpliceFunc func(c *Call, rec *Record) (computed []AttrValue, ok bool, err error)

// queryStored is QueryRecords without decoding the attributes: the records
// keep the text they were stored as (Attrs nil until decodeStored). With
// forms, the query selects a seventh column, the rows' splice forms, which
// a record keeps when it checks out. size is how many rows to make room for
// (0: as they come).
func queryStored(ctx context.Context, tx *store.Tx, forms *formSpec, size int, query string, args ...any) ([]*Record, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	reach := ReachFrom(ctx)
	// A page's records are made together, and mostly share their type,
	// organization and parent: each is copied from the row when it differs
	// from the record before. A row's id, time and text are one string.
	recs := make([]Record, 0, size)
	var cols [7]sql.RawBytes // one allocation, not one a column
	typ, id, org, parent, created, stored, form := &cols[0], &cols[1], &cols[2], &cols[3], &cols[4], &cols[5], &cols[6]
	dest := []any{typ, id, org, parent, created, stored, form}[:6]
	if forms != nil {
		dest = dest[:7]
	}
	var last Record
	var kept []byte           // the page's forms that checked out, one block as it grows
	var block strings.Builder // the rows' texts (appendTexts)
	if forms != nil {
		kept = make([]byte, 0, size*(4+8*len(forms.names)))
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		all := appendTexts(&block, size-len(recs), *id, *created, *stored)
		r := Record{ID: all[:len(*id)], CreatedAt: all[len(*id) : len(*id)+len(*created)], stored: all[len(*id)+len(*created):], undecoded: true}
		if len(*form) > 0 && forms.check(*stored, *form) {
			n := len(kept)
			kept = append(kept, *form...)
			r.form, r.formSpec = kept[n:len(kept):len(kept)], forms
		}
		r.Type, r.OrgID, r.ParentID = sameOr(last.Type, *typ), sameOr(last.OrgID, *org), sameOr(last.ParentID, *parent)
		last = r
		reach.Add(r.OrgID)
		recs = append(recs, r)
	}
	if err := rows.Err(); err != nil || len(recs) == 0 {
		return nil, err
	}
	out := make([]*Record, len(recs))
	for i := range recs {
		out[i] = &recs[i]
	}
	return out, nil
}

// appendTexts appends the three texts of a row to block and returns them as
// one string, a view of the block (a strings.Builder never writes where a
// string it gave points). A page's rows share blocks, each made for as many
// of the rows still to come (left) as the last would fill, up to textBlock
// bytes: a page of 100 messages is three allocations instead of 100 (a
// string made for each row was a tenth of the page, profiled; the blocks
// took 11% off it). A Builder's memory is not zeroed first, as a []byte's
// is: the rows overwrite it at once.
func appendTexts(block *strings.Builder, left int, a, b, c []byte) string {
	n := len(a) + len(b) + len(c)
	if block.Cap()-block.Len() < n {
		*block = strings.Builder{}
		block.Grow(max(n, min(left*n+left*n/4, textBlock)))
	}
	start := block.Len()
	block.Write(a)
	block.Write(b)
	block.Write(c)
	return block.String()[start:]
}

// textBlock is the most a block of row texts holds but for one row larger.
const textBlock = 32 << 10

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
	r.Attrs, r.undecoded, r.stored, r.members, r.form, r.formSpec = attrs, false, "", nil, nil, nil
	return nil
}

// storedMember is the raw value of one member of the stored text; known is
// false when the text is not one indexObject reads (the attributes must then
// be decoded to tell).
func (r *Record) storedMember(name string) (v string, present, known bool) {
	if r.form != nil {
		if v, present, known := r.formMember(name); known {
			return v, present, true
		}
	}
	ms, indexed := r.storedMembers()
	for _, m := range ms {
		if m.key == name {
			return r.stored[m.start:m.end], true, true
		}
	}
	return "", false, indexed
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
		r.members = members
	}
	return r.members, len(r.members) > 0
}

// appendSplicedAttrs appends the answer's attributes object of a record
// from its stored members (storedMembers), as Call.render gives them and
// Attributes.appendJSON writes them: each answered attribute of shown, in
// order, computed if the hook computes it, else stored, else its kind's zero
// value; members shown does not answer are left out. Both lists are walked
// side by side, so both must be in name order: members out of order (the
// attributes a table keeps in columns follow the stored object's members,
// Engine.RecordColumns) are put in order first; false for a type whose
// attribute list is not in order or a text with a key repeated (what it
// appended is then the caller's to drop). Writing the text here, rather than
// a list of values for the answer to write, saves a copy of every value and
// a list per record (a page of 100 messages is 2,200 values).
func (r *Record) appendSplicedAttrs(b []byte, members []member, shown []Attr, computed []AttrValue) ([]byte, bool) {
	// An insertion sort: the members are in order but for a few at the end.
	for i := 1; i < len(members); i++ {
		for j := i; j > 0 && members[j-1].key >= members[j].key; j-- {
			if members[j-1].key == members[j].key {
				return b, false
			}
			members[j-1], members[j] = members[j], members[j-1]
		}
	}
	b = append(b, '{')
	prev, i := "", 0 // the last attribute answered; the next member to look at
	for _, at := range shown {
		if at.RequestOnly {
			continue
		}
		if at.Name <= prev {
			return b, false
		}
		if prev != "" {
			b = append(b, ',')
		}
		prev = at.Name
		b = appendKey(b, at.Name)
		for i < len(members) && members[i].key < at.Name {
			i++ // not answered
		}
		stored := i < len(members) && members[i].key == at.Name
		var v string
		if stored {
			v = r.stored[members[i].start:members[i].end]
			i++
		}
		if c := computedValue(computed, at.Name); c != nil {
			b = append(b, c...) // compact, as Record.Set encodes
		} else if stored {
			b = appendCompact(b, v)
		} else {
			b = append(b, sharedZeroValue(at.Kind)...)
		}
	}
	return append(b, '}'), true
}

// computedValue is the value computed holds for name (nil: none, or a null
// to write as null).
func computedValue(computed []AttrValue, name string) json.RawMessage {
	for _, c := range computed {
		if c.Name == name {
			if len(c.Value) == 0 {
				return rawNull
			}
			return c.Value
		}
	}
	return nil
}

// spliceable reports whether a type's records are answered from their
// stored text (splice): it has a Splice hook, or no render hook at all, and
// then answers its stored attributes as they are (Call.render), which is
// what appendSplicedAttrs writes with nothing computed.
func (res *Resource) spliceable() bool {
	return res != nil && (res.Splice != nil || res.Render == nil && res.Prefetch == nil)
}

// splice renders a record queryStored read through its type's Splice hook
// (or with nothing computed, for a type without render hooks), else
// (decoding it first if queryStored read it) as any other, in place.
func (c *Call) splice(rec *Record) (ResourceObject, error) {
	if res := c.Engine.byType[rec.Type]; res.spliceable() && rec.undecoded {
		var computed []AttrValue
		ok := true
		if res.Splice != nil {
			var err error
			if computed, ok, err = res.Splice(c, rec); err != nil {
				return ResourceObject{}, err
			}
		}
		if ok && rec.form != nil && rec.formPlaces(computed) {
			return ResourceObject{formed: rec, computed: computed, ID: rec.ID, Type: rec.Type}, nil
		}
		if members, indexed := rec.storedMembers(); ok && indexed {
			start := len(c.spliced)
			if b, ok := rec.appendSplicedAttrs(c.spliced, members, c.Engine.types[rec.Type], computed); ok {
				c.spliced = b
				return ResourceObject{attrsText: b[start:len(b):len(b)], ID: rec.ID, Type: rec.Type}, nil
			}
		}
	}
	if err := rec.decodeStored(); err != nil {
		return ResourceObject{}, err
	}
	return c.render(rec, true)
}

package jsonapi

import (
	"encoding/binary"
	"hash/crc32"
	"slices"
	"strings"
)

// A splice form lets a page skip finding the members of a record's stored
// attributes. When the engine writes a record whose stored text is already
// its answer's attributes (every attribute the type answers, in order,
// compact: what appendSplicedAttrs writes of it with nothing computed), it
// keeps beside the text, in the row's splice_form column, where the values
// of a few named attributes lie (Resource.SpliceForm: those the Splice hook
// computes or reads) and a checksum of the text, those places and the
// type's attribute list. A page that reads a row whose form checks out
// answers its attributes by copying the text with the computed values in
// their places, and its hook reads the named values from where the form says
// they are. Finding and checking every member of every record (indexObject,
// then appendSplicedAttrs) was about a third of a page of messages
// (profiled).
//
// Whatever changes the text without the engine (a hand, an older build, a
// count the triggers set back into the text, a catalog with other
// attributes) fails the checksum, and the row is spliced or rendered as any
// other; a row without a form (written before the column existed, or not in
// its answer's form) likewise.
//
// The form is the CRC-32C of the type's list, the text and the places (4
// bytes), then the start and end of each named value in the text (4 bytes
// each), little-endian.

// formColumn is the column of a table that keeps its rows' splice forms.
const formColumn = "splice_form"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// formSpec is what the forms of one type record, and check against.
type formSpec struct {
	names   []string // Resource.SpliceForm, in name order (the text's)
	shown   []Attr   // the type's attributes
	answers map[string]bool
	seed    uint32 // the checksum of the type's list and the names
}

func newFormSpec(typ string, names []string, shown []Attr) *formSpec {
	if !slices.IsSorted(names) {
		panic("jsonapi: " + typ + ": SpliceForm must list its attributes in name order")
	}
	f := &formSpec{names: names, shown: shown, answers: map[string]bool{}}
	var list []string
	for _, at := range shown {
		if !at.RequestOnly {
			f.answers[at.Name] = true
			list = append(list, at.Name)
		}
	}
	for _, n := range names {
		if !f.answers[n] {
			panic("jsonapi: " + typ + ": SpliceForm names " + n + ", which the type does not answer")
		}
	}
	f.seed = crc32.Checksum([]byte(typ+"\x00"+strings.Join(list, "\x00")+"\x00\x00"+strings.Join(names, "\x00")), castagnoli)
	return f
}

// form is the splice form of a record's stored text, or nil when the text
// is not its answer's attributes.
func (f *formSpec) form(text string) []byte {
	var buf [32]member
	members, ok := indexObject(text, buf[:0])
	if !ok {
		return nil
	}
	r := Record{stored: text}
	if b, ok := r.appendSplicedAttrs(make([]byte, 0, len(text)), members, f.shown, nil); !ok || string(b) != text {
		return nil
	}
	form := make([]byte, 4, 4+8*len(f.names))
	i := 0
	for _, n := range f.names {
		for i < len(members) && members[i].key != n {
			i++
		}
		if i == len(members) {
			return nil // not there: the text answers every attribute, so never
		}
		form = binary.LittleEndian.AppendUint32(form, uint32(members[i].start))
		form = binary.LittleEndian.AppendUint32(form, uint32(members[i].end))
	}
	binary.LittleEndian.PutUint32(form, f.sum([]byte(text), form[4:]))
	return form
}

func (f *formSpec) sum(text, places []byte) uint32 {
	return crc32.Update(crc32.Update(f.seed, castagnoli, text), castagnoli, places)
}

// check reports whether form is the splice form of text.
func (f *formSpec) check(text, form []byte) bool {
	if len(form) != 4+8*len(f.names) || binary.LittleEndian.Uint32(form) != f.sum(text, form[4:]) {
		return false
	}
	for i := range f.names {
		if start, end := f.place(form, i); start >= end || end > len(text) {
			return false // a checksum that matched by chance
		}
	}
	return true
}

// place is where the value of names[i] lies in the text of form.
func (f *formSpec) place(form []byte, i int) (start, end int) {
	return int(binary.LittleEndian.Uint32(form[4+8*i:])), int(binary.LittleEndian.Uint32(form[8+8*i:]))
}

// formMember is the stored value of name in a record whose form checked out;
// known is false when the form does not place it (an attribute of the type
// the form does not name).
func (r *Record) formMember(name string) (value string, present, known bool) {
	f := r.formSpec
	if i := slices.Index(f.names, name); i >= 0 {
		start, end := f.place(r.form, i)
		return r.stored[start:end], true, true
	}
	if !f.answers[name] {
		return "", false, true // the text holds nothing the type does not answer
	}
	return "", false, false
}

// formPlaces reports whether the form of a record whose form checked out
// places every computed value.
func (r *Record) formPlaces(computed []AttrValue) bool {
	for _, c := range computed {
		if !slices.Contains(r.formSpec.names, c.Name) {
			return false
		}
	}
	return true
}

// appendFormAttrs is appendSplicedAttrs for a record whose form checked out
// and places every computed value (formPlaces): its text, with each
// computed value in its place.
func (r *Record) appendFormAttrs(b []byte, computed []AttrValue) []byte {
	f, pos := r.formSpec, 0
	for i, n := range f.names {
		if v := computedValue(computed, n); v != nil {
			start, end := f.place(r.form, i)
			b = appendCompact(append(b, r.stored[pos:start]...), v)
			pos = end
		}
	}
	return append(b, r.stored[pos:]...)
}

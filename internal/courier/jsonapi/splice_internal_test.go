package jsonapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendSplicedAttrs(t *testing.T) {
	t.Parallel()
	shown := []Attr{{Name: "a", Kind: "string"}, {Name: "b", Kind: "boolean"}, {Name: "c", Kind: "integer"}, {Name: "pw", RequestOnly: true}}
	computed := []AttrValue{{Name: "b", Value: json.RawMessage(`true`)}}
	splice := func(text string) (string, bool) {
		r := &Record{stored: text, undecoded: true}
		members, ok := r.storedMembers()
		if !ok {
			return "", false
		}
		b, ok := r.appendSplicedAttrs([]byte("before"), members, shown, computed)
		require.True(t, strings.HasPrefix(string(b), "before"), "appends")
		return strings.TrimPrefix(string(b), "before"), ok
	}
	got, ok := splice(`{"a":"x<y","b":false,"c":{"d":[1,"}"]}}`)
	require.True(t, ok)
	assert.Equal(t, `{"a":"x<y","b":true,"c":{"d":[1,"}"]}}`, got)

	// Spaces inside a value are compacted as the general render compacts them.
	got, ok = splice(`{"a":[1, {"x" : 2}],"b":false,"c":" s p "}`)
	require.True(t, ok)
	assert.Equal(t, `{"a":[1,{"x":2}],"b":true,"c":" s p "}`, got)

	// As Call.render: a missing attribute is its kind's zero value (computed
	// if the hook computes it), members the type does not answer are left out.
	for text, want := range map[string]string{
		`{"c":3}`:                      `{"a":null,"b":true,"c":3}`,
		`{"_hidden":1,"a":1,"c":3}`:    `{"a":1,"b":true,"c":3}`,
		`{"a":1,"b":2,"c":3,"d":4}`:    `{"a":1,"b":true,"c":3}`,
		`{"a":1,"b":2,"c":3,"pw":"s"}`: `{"a":1,"b":true,"c":3}`,
		// Members out of order (a table's columns follow the object's
		// members, Engine.RecordColumns) answer in name order, as decoded.
		`{"b":1,"c":3,"a":2}`: `{"a":2,"b":true,"c":3}`,
		`{"c":3,"a":2}`:       `{"a":2,"b":true,"c":3}`,
	} {
		got, ok := splice(text)
		require.True(t, ok, text)
		assert.Equal(t, want, got, text)
	}

	for name, text := range map[string]string{
		"a duplicate":              `{"a":1,"a":1,"b":2,"c":3}`,
		"a duplicate out of order": `{"a":1,"c":3,"a":1}`,
		"spaces between members":   `{"a":1, "b":2,"c":3}`,
		"an escaped key":           `{"\u0061":1,"b":2,"c":3}`,
		"an invalid value":         `{"a":tru,"b":2,"c":3}`,
		"trailing text":            `{"a":1,"b":2,"c":3}}`,
		"not an object":            `[1]`,
		"an empty object":          `{}`,
	} {
		_, ok := splice(text)
		assert.False(t, ok, name)
	}
	r := &Record{stored: `{"a":1,"b":2}`, undecoded: true}
	members, ok := r.storedMembers()
	require.True(t, ok)
	_, ok = r.appendSplicedAttrs(nil, members, []Attr{{Name: "b"}, {Name: "a"}}, nil)
	assert.False(t, ok, "a type whose attributes are not in name order")
}

// A record's accessors read its attributes as stored just as decoded.
func TestAccessorsOfStoredText(t *testing.T) {
	t.Parallel()
	text := `{"id":"x","name":"Zo\u00eb \"Z\"","n":12,"ok":true,"tags":["a","b"],"refs":[{"id":"r1"},{"id":"r2"}],` +
		`"maybe":null,"obj":{"k":"v"}}`
	read := func(r *Record) map[string]any {
		var refs []IDRef
		r.Decode("refs", &refs)
		var maybe *string
		r.Decode("maybe", &maybe)
		var obj map[string]string
		r.Decode("obj", &obj)
		var absent = "kept"
		r.Decode("absent", &absent)
		return map[string]any{"id": r.Str("id"), "name": r.Str("name"), "n as string": r.Str("n"), "absent": r.Str("absent"),
			"n": r.Int("n"), "ok": r.Bool("ok"), "no ok": r.Bool("absent"), "tags": r.Strs("tags"), "refs": refs,
			"maybe": maybe, "obj": obj, "absent decoded": absent}
	}
	r := &Record{stored: text, undecoded: true}
	got := read(r)
	assert.True(t, r.undecoded, "read without decoding")
	assert.Equal(t, map[string]any{"id": "x", "name": `Zoë "Z"`, "n as string": "", "absent": "", "n": int64(12), "ok": true,
		"no ok": false, "tags": []string{"a", "b"}, "refs": []IDRef{{ID: "r1"}, {ID: "r2"}}, "maybe": (*string)(nil),
		"obj": map[string]string{"k": "v"}, "absent decoded": "kept"}, got)
	require.NoError(t, r.decodeStored())
	assert.False(t, r.undecoded)
	assert.Equal(t, got, read(r), "decoded, the same")

	empty := &Record{stored: `{}`, undecoded: true}
	assert.Equal(t, "", empty.Str("a"))
	notIndexed := &Record{stored: `{"a" : "x"}`, undecoded: true}
	assert.Equal(t, "x", notIndexed.Str("a"), "a text indexObject does not read is decoded")

	bad := &Record{Type: "widgets", ID: "w1", stored: `{"a":`, undecoded: true}
	assert.EqualError(t, bad.decodeStored(), "jsonapi: widgets w1: stored attributes: unexpected end of JSON input")
}

// A splice form is kept only for text already in its answer's form, places
// the named values, and checks out only for the text, places and attribute
// list it was made for.
func TestSpliceForms(t *testing.T) {
	t.Parallel()
	shown := []Attr{{Name: "a", Kind: "string"}, {Name: "b", Kind: "boolean"}, {Name: "c", Kind: "array"}, {Name: "pw", RequestOnly: true}}
	f := newFormSpec("widgets", []string{"a", "c"}, shown)
	text := `{"a":"x\"y","b":false,"c":[1,{"d":"]"}]}`
	form := f.form(text)
	require.NotNil(t, form)
	require.True(t, f.check([]byte(text), form))
	r := &Record{stored: text, undecoded: true, form: form, formSpec: f}
	for name, want := range map[string]string{"a": `"x\"y"`, "c": `[1,{"d":"]"}]`} {
		v, present, known := r.formMember(name)
		assert.True(t, present && known, name)
		assert.Equal(t, want, v, name)
	}
	_, present, known := r.formMember("b")
	assert.False(t, present || known, "an attribute the form does not place is looked for in the text")
	_, present, known = r.formMember("_hidden")
	assert.True(t, !present && known, "the text holds nothing the type does not answer")
	assert.Equal(t, "x\"y", r.Str("a"))

	computed := []AttrValue{{Name: "c", Value: json.RawMessage(`[ ]`)}, {Name: "a", Value: nil}}
	require.True(t, r.formPlaces(computed))
	assert.Equal(t, `{"a":null,"b":false,"c":[]}`, string(r.appendFormAttrs(nil, computed)))
	assert.Equal(t, text, string(r.appendFormAttrs(nil, nil)))
	assert.False(t, r.formPlaces([]AttrValue{{Name: "b", Value: json.RawMessage(`true`)}}), "b has no place")

	// As the splice would write it, or no form.
	for name, text := range map[string]string{
		"an attribute missing":   `{"a":"x","c":[]}`,
		"a member not answered":  `{"a":"x","b":false,"c":[],"d":1}`,
		"a request-only member":  `{"a":"x","b":false,"c":[],"pw":"s"}`,
		"spaces between members": `{"a":"x", "b":false,"c":[]}`,
		"spaces in a value":      `{"a":"x","b":false,"c":[ ]}`,
		"keys out of order":      `{"b":false,"a":"x","c":[]}`,
		"not JSON":               `{"a":"x","b":fals,"c":[]}`,
	} {
		assert.Nil(t, f.form(text), name)
	}

	// Whatever changed since, the form does not check out.
	assert.False(t, f.check([]byte(`{"a":"x\"y","b":true,"c":[1,{"d":"]"}]}`), form), "other text")
	moved := append([]byte(nil), form...)
	moved[4]++
	assert.False(t, f.check([]byte(text), moved), "other places")
	assert.False(t, f.check([]byte(text), form[:len(form)-1]), "cut short")
	for name, other := range map[string]*formSpec{
		"another type":            newFormSpec("gadgets", []string{"a", "c"}, shown),
		"other attributes":        newFormSpec("widgets", []string{"a", "c"}, append(shown[:3:3], Attr{Name: "e"})),
		"other places named":      newFormSpec("widgets", []string{"a", "b"}, shown),
		"an attribute less named": newFormSpec("widgets", []string{"a"}, shown),
	} {
		assert.False(t, other.check([]byte(text), form), name)
	}
	assert.Panics(t, func() { newFormSpec("widgets", []string{"c", "a"}, shown) }, "out of order")
	assert.Panics(t, func() { newFormSpec("widgets", []string{"pw"}, shown) }, "not answered")
}

// The rows' texts share blocks: each stays what it was as later rows are
// appended, in the same block and past it, and a page of rows takes a few
// blocks, not one a row.
func TestAppendTexts(t *testing.T) {
	t.Parallel()
	var block strings.Builder
	var got, want []string
	blocks := 0
	for i := range 300 {
		id, created := fmt.Sprintf("id-%d", i), "2026-12-04T00:00:00Z"
		text := fmt.Sprintf(`{"message":%q}`, strings.Repeat("x", i%7*40))
		before := block.Cap() - block.Len()
		s := appendTexts(&block, 100-i, []byte(id), []byte(created), []byte(text))
		if block.Cap()-block.Len() > before && i < 100 {
			blocks++
		}
		got, want = append(got, s), append(want, id+created+text)
	}
	assert.Equal(t, want, got)
	assert.LessOrEqual(t, blocks, 8, "the page's 100 rows share a few blocks")

	var empty strings.Builder
	assert.Empty(t, appendTexts(&empty, 1, nil, nil, nil))
}

package jsonapi

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSpliceAttrs(t *testing.T) {
	t.Parallel()
	shown := []Attr{{Name: "a", Kind: "string"}, {Name: "b", Kind: "boolean"}, {Name: "c", Kind: "integer"}, {Name: "pw", RequestOnly: true}}
	computed := []AttrValue{{Name: "b", Value: json.RawMessage(`true`)}}
	splice := func(text string) (Attributes, bool) {
		r := &Record{stored: text, undecoded: true}
		members, ok := r.storedMembers()
		if !ok {
			return nil, false
		}
		return r.spliceAttrs(members, shown, computed)
	}
	got, ok := splice(`{"a":"x<y","b":false,"c":{"d":[1,"}"]}}`)
	require.True(t, ok)
	assert.Equal(t, `{"a":"x<y","b":true,"c":{"d":[1,"}"]}}`, string(got.appendJSON(nil)))

	// Spaces inside a value are compacted as the general render compacts them.
	got, ok = splice(`{"a":[1, {"x" : 2}],"b":false,"c":" s p "}`)
	require.True(t, ok)
	assert.Equal(t, `{"a":[1,{"x":2}],"b":true,"c":" s p "}`, string(got.appendJSON(nil)))

	// As Call.render: a missing attribute is its kind's zero value (computed
	// if the hook computes it), members the type does not answer are left out.
	for text, want := range map[string]string{
		`{"c":3}`:                      `{"a":null,"b":true,"c":3}`,
		`{"_hidden":1,"a":1,"c":3}`:    `{"a":1,"b":true,"c":3}`,
		`{"a":1,"b":2,"c":3,"d":4}`:    `{"a":1,"b":true,"c":3}`,
		`{"a":1,"b":2,"c":3,"pw":"s"}`: `{"a":1,"b":true,"c":3}`,
	} {
		got, ok := splice(text)
		require.True(t, ok, text)
		assert.Equal(t, want, string(got.appendJSON(nil)), text)
	}

	for name, text := range map[string]string{
		"out of order":           `{"b":1,"a":2,"c":3}`,
		"a duplicate":            `{"a":1,"a":1,"b":2,"c":3}`,
		"spaces between members": `{"a":1, "b":2,"c":3}`,
		"an escaped key":         `{"\u0061":1,"b":2,"c":3}`,
		"an invalid value":       `{"a":tru,"b":2,"c":3}`,
		"trailing text":          `{"a":1,"b":2,"c":3}}`,
		"not an object":          `[1]`,
		"an empty object":        `{}`,
	} {
		_, ok := splice(text)
		assert.False(t, ok, name)
	}
	r := &Record{stored: `{"a":1,"b":2}`, undecoded: true}
	members, ok := r.storedMembers()
	require.True(t, ok)
	_, ok = r.spliceAttrs(members, []Attr{{Name: "b"}, {Name: "a"}}, nil)
	assert.False(t, ok, "a type whose attributes are not in name order")
}

func TestStoredStr(t *testing.T) {
	t.Parallel()
	r := &Record{stored: `{"id":"x","name":"Zo\u00eb \"Z\"","n":1}`, undecoded: true}
	assert.Equal(t, "x", r.StoredStr("id"))
	assert.Equal(t, `Zoë "Z"`, r.StoredStr("name"))
	assert.Equal(t, "", r.StoredStr("n"), "not a string")
	assert.Equal(t, "", r.StoredStr("absent"))
	require.NoError(t, r.decodeStored())
	assert.False(t, r.undecoded)
	assert.Equal(t, `Zoë "Z"`, r.StoredStr("name"), "decoded, as Str")

	bad := &Record{Type: "widgets", ID: "w1", stored: `{"a":`, undecoded: true}
	assert.EqualError(t, bad.decodeStored(), "jsonapi: widgets w1: stored attributes: unexpected end of JSON input")
}

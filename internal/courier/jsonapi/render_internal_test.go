package jsonapi

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/server"
)

// TestRenderAllocations: rendering a record allocates its attribute list and
// nothing more, without a sparse fieldset (the hot path of every list page)
// as with one.
func TestRenderAllocations(t *testing.T) {
	types := map[string][]Attr{"widgets": {
		{Name: "color", Kind: "string"}, {Name: "name", Kind: "string"}, {Name: "secret", Kind: "string", RequestOnly: true},
	}}
	e := NewEngine(server.Deps{}, nil, types, nil)
	rec := &Record{Type: "widgets", ID: "w1", Attrs: map[string]json.RawMessage{"color": json.RawMessage(`"red"`), "name": json.RawMessage(`"gear"`)}}
	op := &Operation{Method: "GET", Response: "jsonapi list"}
	for query, want := range map[string]Attributes{
		"":                              {{Name: "color", Value: json.RawMessage(`"red"`)}, {Name: "name", Value: json.RawMessage(`"gear"`)}},
		"fields[widgets]=name":          {{Name: "name", Value: json.RawMessage(`"gear"`)}},
		"fields[widgets]=":              {},
		"fields[widgets]=name,color,":   {{Name: "color", Value: json.RawMessage(`"red"`)}, {Name: "name", Value: json.RawMessage(`"gear"`)}},
		"fields[parts]=x&fields[a]=b":   nil, // refused below
		"fields[widgets]=secret":        nil,
		"fields[widgets]=name&include=": nil,
	} {
		q, err := parseQuery(op, types, query)
		if want == nil {
			assert.Error(t, err, query)
			continue
		}
		require.NoError(t, err, query)
		c := &Call{Engine: e, Query: q}
		obj, err := c.Render(rec)
		require.NoError(t, err)
		assert.Equal(t, want, obj.Attributes, query)
		allocs := testing.AllocsPerRun(100, func() { _, _ = c.Render(rec) })
		assert.LessOrEqual(t, allocs, 1.0, "%q: the attribute list only", query)
	}
}

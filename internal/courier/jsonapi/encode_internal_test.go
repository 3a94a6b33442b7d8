package jsonapi

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

// TestDocumentEncoding: the hand-written documents are byte for byte what
// httpx.WriteJSON writes for them through encoding/json, whatever their
// strings and stored values hold.
func TestDocumentEncoding(t *testing.T) {
	odd := []string{"", "plain", `quo"te`, `back\slash`, "<b>&amp;</b>", "tab\tnew\nline\r\b\f\x01\x1f", "caf\u00e9 \u2028 \u2029 \U0001F600",
		"bad \xff utf8 \xe2\x80", "\x7f del"}
	var attrs Attributes
	for i, s := range odd {
		v, err := json.Marshal(s)
		require.NoError(t, err)
		attrs = append(attrs, AttrValue{Name: s, Value: v}, AttrValue{Name: "n" + s, Value: json.RawMessage(`"` + string(rune('a'+i)) + `"`)})
	}
	for _, raw := range []string{"", "null", "true", "12.50", `{"a": [1, 2, {"b" : "x y"}], "c":"\" }"}`, " [ ] ", `"\u003c\u2028"`, `"sp ace"`} {
		attrs = append(attrs, AttrValue{Name: "raw", Value: json.RawMessage(raw)})
	}
	objs := []ResourceObject{{Attributes: attrs, ID: "id-1", Type: "widgets"}, {Type: "computed"}, {ID: `i"d`, Type: "t<>&"}}
	prev, next := "/v1/x/?a=1&page[offset]=0", "/v1/x/?q=\u00e9"
	docs := []appender{
		singleDoc{Data: objs[0]},
		singleDoc{},
		plainListDoc{Data: objs},
		plainListDoc{},
		plainListDoc{Data: []ResourceObject{}},
		listDoc{Data: objs, Meta: pageMeta{Limit: 100, Offset: -1, Total: 1 << 40}},
		listDoc{Data: objs[:1], Meta: pageMeta{Limit: 1}, Links: &pageLinks{First: "/v1/x/?a=<b>", Prev: &prev, Next: &next, Last: ""}},
		listDoc{Links: &pageLinks{}},
	}
	for _, d := range docs {
		want, err := httpx.MarshalJSON(d)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(d.appendJSON(nil)))
	}

	// A page's spliced objects carry their attributes as text, which
	// encoding/json writes as appendJSON does.
	shown := []Attr{{Name: "a", Kind: "string"}, {Name: "b", Kind: "boolean"}}
	text := `{"a":"<x>","b":false}`
	formed := &Record{stored: text, undecoded: true, formSpec: newFormSpec("widgets", []string{"b"}, shown)}
	formed.form = formed.formSpec.form(text)
	require.NotNil(t, formed.form)
	for _, o := range []ResourceObject{{attrsText: []byte(text), ID: "w1", Type: "widgets"},
		{formed: formed, computed: []AttrValue{{Name: "b", Value: json.RawMessage(`true`)}}, ID: "w2", Type: "widgets"}} {
		want := string(o.appendJSON(nil))
		got, err := httpx.MarshalJSON(o)
		require.NoError(t, err)
		assert.Equal(t, want, string(got))
		assert.Contains(t, want, `"attributes":{"a":"<x>","b":`)
	}
}

// TestRecordValues: Set, Str and Bool give what encoding/json gives, on the
// fast paths and off them.
func TestRecordValues(t *testing.T) {
	var r Record
	for _, s := range []string{"", "plain", `quo"te`, `back\slash`, "<b>&amp;</b>", "tab\t\x01", "caf\u00e9 \u2028", "bad \xff", "\x7f"} {
		r.Set("s", s)
		want, err := json.Marshal(s)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(r.Attrs["s"]))
		var got string
		require.NoError(t, json.Unmarshal(want, &got))
		assert.Equal(t, got, r.Str("s"))
	}
	for _, v := range []any{nil, true, false, 3, 0, -17, int64(-9223372036854775808), int64(42), int32(7), uint(5), 2.5,
		[]string{}, map[string]string{}, (*string)(nil)} {
		r.Set("v", v)
		want, err := json.Marshal(v)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(r.Attrs["v"]))
	}
	for _, raw := range []string{`"a"b"`, `"\u0041"`, `"é"`, `"x`, `5`, `null`, `true`, `false`, ` true`, `"true"`, `{}`} {
		r.Attrs["x"] = json.RawMessage(raw)
		var s string
		_ = json.Unmarshal([]byte(raw), &s)
		var b bool
		_ = json.Unmarshal([]byte(raw), &b)
		assert.Equal(t, s, r.Str("x"), raw)
		assert.Equal(t, b, r.Bool("x"), raw)
	}
}

// TestAppendCompact: a value is written as encoding/json compacts it, the
// scalars appendCompact does not walk included.
func TestAppendCompact(t *testing.T) {
	t.Parallel()
	for _, v := range []string{`"a b"`, ` "a b"`, `"a b" `, "\t1\n", `-1.5e3`, `true`, ` null`, `"say \" { [ "`,
		`{"a": [1, 2], "b": "c d"}`, `[ ]`, `{}`, `[{"x":" "}, 2 ]`} {
		var want bytes.Buffer
		require.NoError(t, json.Compact(&want, []byte(v)), v)
		assert.Equal(t, want.String(), string(appendCompact([]byte("x"), []byte(v))[1:]), v)
	}
}

package httpx_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

// optional is a wrapper like the vendors' optional fields: it decodes into V.
type optional[T any] struct {
	Set bool
	V   T
}

func (o *optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	return json.Unmarshal(b, &o.V)
}

func (o *optional[T]) JSONTarget() any { return &o.V }

type inner struct {
	Count int    `json:"count"`
	Name  string `json:"name"`
}

type embedded struct {
	Deep string `json:"deep"`
}

type outer struct {
	embedded
	Name     string            `json:"name"`
	Kelvin   int               `json:"k"`
	Untagged string            // matched by its Go name, exactly
	Skipped  string            `json:"-"`
	Inner    inner             `json:"inner"`
	Ptr      *inner            `json:"ptr"`
	List     []inner           `json:"list"`
	ByKey    map[string]inner  `json:"by_key"`
	Opt      optional[inner]   `json:"opt"`
	Raw      json.RawMessage   `json:"raw"`
	Free     map[string]any    `json:"free"`
	Any      any               `json:"any"`
	Strs     map[string]string `json:"strs"`
}

// TestUnmarshalMatchesKeysExactly: a key that differs from a field only by
// case (encoding/json's folding, the Kelvin sign included) never fills the
// field, at any depth and through wrappers: ignored when lenient, refused when
// strict. Keys of maps and of raw values are the client's own.
func TestUnmarshalMatchesKeysExactly(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body  string
		field string // the strict refusal's field
	}{
		{`{"NAME": "x"}`, "NAME"},
		{`{"Name": "x"}`, "Name"},
		{`{"\u004eame": "x"}`, "Name"}, // escaped, still "Name"
		{`{"K": 1}`, "K"},
		{`{"\u212a": 1}`, "\u212a"}, // the Kelvin sign folds to k
		{`{"untagged": "x"}`, "untagged"},
		{`{"skipped": "x"}`, "skipped"},
		{`{"DEEP": "x"}`, "DEEP"},
		{`{"inner": {"COUNT": 1}}`, "inner.COUNT"},
		{`{"ptr": {"Count": 1}}`, "ptr.Count"},
		{`{"list": [{"count": 1}, {"NAME": "x"}]}`, "list.1.NAME"},
		{`{"by_key": {"a": {"Name": "x"}}}`, "by_key.a.Name"},
		{`{"opt": {"COUNT": 2}}`, "opt.COUNT"},
		{`{"INNER": {"count": 1}}`, "INNER"},
	}
	for _, tc := range tests {
		var v outer
		require.NoError(t, httpx.Unmarshal([]byte(tc.body), &v, false), tc.body)
		assert.Equal(t, outer{Opt: v.Opt, ByKey: v.ByKey, List: v.List, Ptr: v.Ptr}, v, "%s fills nothing", tc.body)
		if v.Ptr != nil {
			assert.Zero(t, *v.Ptr, tc.body)
		}
		for _, it := range v.List {
			assert.Zero(t, it.Name, tc.body)
		}
		assert.Zero(t, v.ByKey["a"], tc.body)
		assert.Zero(t, v.Opt.V, tc.body)

		err := httpx.Unmarshal([]byte(tc.body), &v, true)
		var be *httpx.BodyError
		require.ErrorAs(t, err, &be, tc.body)
		assert.Equal(t, httpx.BodyUnknown, be.Kind, tc.body)
		assert.Equal(t, tc.field, be.Field, tc.body)
		assert.Equal(t, `unknown field "`+tc.field+`"`, be.Msg, tc.body)
	}

	// Exact keys fill their fields, beside a case variant that is ignored
	// (before or after it); map keys and raw values stay as sent.
	body := `{"NAME": "no", "name": "yes", "k": 2, "Untagged": "u", "deep": "d", "inner": {"count": 3, "Count": 9},
		"ptr": {"name": "p"}, "list": [{"count": 4}], "by_key": {"A": {"count": 5}}, "opt": {"name": "o", "NAME": "x"},
		"raw": {"ANY": 1}, "free": {"Key": "v"}, "any": {"K": 1}, "strs": {"MiXed": "s"}, "Name": "no"}`
	for _, strict := range []bool{false, true} {
		var v outer
		err := httpx.Unmarshal([]byte(body), &v, strict)
		if strict {
			require.Error(t, err)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, "yes", v.Name)
		assert.Equal(t, 2, v.Kelvin)
		assert.Equal(t, "u", v.Untagged)
		assert.Equal(t, "d", v.Deep)
		assert.Equal(t, inner{Count: 3}, v.Inner)
		assert.Equal(t, &inner{Name: "p"}, v.Ptr)
		assert.Equal(t, []inner{{Count: 4}}, v.List)
		assert.Equal(t, map[string]inner{"A": {Count: 5}}, v.ByKey)
		assert.Equal(t, optional[inner]{Set: true, V: inner{Name: "o"}}, v.Opt)
		assert.JSONEq(t, `{"ANY": 1}`, string(v.Raw))
		assert.Equal(t, map[string]any{"Key": "v"}, v.Free)
		assert.Equal(t, map[string]any{"K": 1.0}, v.Any)
		assert.Equal(t, map[string]string{"MiXed": "s"}, v.Strs)
	}
	var m map[string]int
	require.NoError(t, httpx.Unmarshal([]byte(`{"A": 1, "a": 2}`), &m, true), "a map's keys are free")
	assert.Equal(t, map[string]int{"A": 1, "a": 2}, m)
}

// TestUnmarshalRefusesWhatNoVendorReads: data after the value, null for an
// object, invalid UTF-8, NUL characters and lone surrogates are refused with
// the kind each vendor's adapter maps; whitespace around the value is fine.
func TestUnmarshalRefusesWhatNoVendorReads(t *testing.T) {
	t.Parallel()
	type target struct {
		Name string         `json:"name"`
		Tags []string       `json:"tags"`
		Meta map[string]any `json:"meta"`
		Free any            `json:"free"`
	}
	after := "request body has data after the JSON value"
	tests := []struct {
		body  string
		kind  httpx.BodyErrorKind
		field string
		msg   string
	}{
		{`{"name":"x"}}`, httpx.BodyMalformed, "", after},
		{`{"name":"x"}]`, httpx.BodyMalformed, "", after},
		{`{"name":"x"}{"name":"y"}`, httpx.BodyMalformed, "", after},
		{`{"name":"x"} {"name":"y"}`, httpx.BodyMalformed, "", after},
		{`{"name":"x"} 1`, httpx.BodyMalformed, "", after},
		{`{"name":"x"},`, httpx.BodyMalformed, "", after},
		{"{\"name\":\"x\"}\x00", httpx.BodyMalformed, "", after},
		{`null`, httpx.BodyWrongType, "", "request body must be an object, not null"},
		{" null \n", httpx.BodyWrongType, "", "request body must be an object, not null"},
		{"{\"name\":\"\xff\"}", httpx.BodyMalformed, "", "request body is not valid UTF-8"},
		{"{\"name\":\"\xc3\"}", httpx.BodyMalformed, "", "request body is not valid UTF-8"},
		{"{\"\xed\xa0\x80\":1}", httpx.BodyMalformed, "", "request body is not valid UTF-8"}, // an encoded surrogate
		{`{"name":"a\u0000b"}`, httpx.BodyBadText, "name", `name must not contain a NUL character (\u0000)`},
		{`{"tags":["ok","\u0000"]}`, httpx.BodyBadText, "tags.1", `tags.1 must not contain a NUL character (\u0000)`},
		{`{"meta":{"deep":{"x":"\u0000"}}}`, httpx.BodyBadText, "meta.deep.x", `meta.deep.x must not contain a NUL character (\u0000)`},
		{`{"meta":{"a\u0000":1}}`, httpx.BodyBadText, "meta", `a member name must not contain a NUL character (\u0000)`},
		{`{"name":"\ud800"}`, httpx.BodyBadText, "name", "name must not contain a lone UTF-16 surrogate"},
		{`{"name":"\udc00\ud800"}`, httpx.BodyBadText, "name", "name must not contain a lone UTF-16 surrogate"},
		{`{"name":"\ud800\u0041"}`, httpx.BodyBadText, "name", "name must not contain a lone UTF-16 surrogate"},
		{`{"name":"x`, httpx.BodyMalformed, "", "request body is not valid JSON"},
		{`{"name":01}`, httpx.BodyMalformed, "", "request body is not valid JSON"},
		{`{"name":-}`, httpx.BodyMalformed, "", "request body is not valid JSON"},
		{`{"name":1.}`, httpx.BodyMalformed, "", "request body is not valid JSON"},
		{`{"name":1e}`, httpx.BodyMalformed, "", "request body is not valid JSON"},
		{`{"name":tru}`, httpx.BodyMalformed, "", "request body is not valid JSON"},
		{`{"name":"\x"}`, httpx.BodyMalformed, "", "request body is not valid JSON"},
		{`{"name":"\u12"}`, httpx.BodyMalformed, "", "request body is not valid JSON"},
		{"{\"name\":\"a\tb\"}", httpx.BodyMalformed, "", "request body is not valid JSON"},
		{`{"name":"x",}`, httpx.BodyMalformed, "", "request body is not valid JSON"},
		{`{,}`, httpx.BodyMalformed, "", "request body is not valid JSON"},
		{`{"tags":[1,]}`, httpx.BodyMalformed, "", "request body is not valid JSON"},
		{`{"name" "x"}`, httpx.BodyMalformed, "", "request body is not valid JSON"},
		{"\xef\xbb\xbf{}", httpx.BodyMalformed, "", "request body is not valid JSON"}, // a byte-order mark
		{`{"free":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`, httpx.BodyMalformed, "",
			"request body is nested too deeply"},
	}
	for _, tc := range tests {
		for _, strict := range []bool{false, true} {
			var v target
			err := httpx.Unmarshal([]byte(tc.body), &v, strict)
			var be *httpx.BodyError
			require.ErrorAs(t, err, &be, "%q", tc.body)
			assert.Equal(t, tc.kind, be.Kind, "%q", tc.body)
			assert.Equal(t, tc.field, be.Field, "%q", tc.body)
			assert.Equal(t, tc.msg, be.Msg, "%q", tc.body)
			assert.Zero(t, v, "%q: nothing is decoded", tc.body)
		}
	}

	// What stays accepted.
	for _, body := range []string{" {\"name\":\"x\"} \n\t\r", `{"name":"\ud83d\ude00 \u00e9 \/ \" \\ \b\f\n\r\t"}`,
		`{"name":"x","tags":[],"meta":{"n":-0.5e+10,"m":[true,false,null,{}]}}`, `{"meta":null,"tags":null}`,
		`{"free":` + strings.Repeat("[", 9000) + strings.Repeat("]", 9000) + `}`} {
		var v target
		assert.NoError(t, httpx.Unmarshal([]byte(body), &v, true), "%.80q", body)
	}
	var v target
	require.NoError(t, httpx.Unmarshal([]byte(`{"name":"\ud83d\ude00"}`), &v, true))
	assert.Equal(t, "😀", v.Name)
	// null is a value where the target is not an object.
	var anything any = 1
	require.NoError(t, httpx.Unmarshal([]byte(`null`), &anything, false))
	assert.Nil(t, anything)
	var raw json.RawMessage
	require.NoError(t, httpx.Unmarshal([]byte(` null `), &raw, false))
	var list []string
	require.NoError(t, httpx.Unmarshal([]byte(`null`), &list, false))
	var m map[string]string
	require.Error(t, httpx.Unmarshal([]byte(`null`), &m, false), "a map is an object")
}

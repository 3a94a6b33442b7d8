package jsonapi

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeAttrs must give exactly what json.Unmarshal gives, for what
// encodeAttrs writes and for anything else a database could hold.
func TestDecodeAttrsAgreesWithEncodingJSON(t *testing.T) {
	t.Parallel()
	cases := []string{
		`{}`,
		`{"a":1}`,
		`{"a":"x","b":null,"c":true,"d":false,"e":-1.5e3}`,
		`{"nested":{"x":[1,{"y":"}"}],"z":"]"},"list":[[],{}],"s":"a\"b\\c\u00e9,}"}`,
		`{"message":"He said \"hi\", then left}","n":0}`,
		`{ "spaced" : 1 }`,
		`{"esc\"key":1}`,
		`{"a":1,}`,
		`{"a":}`,
		`{"a" 1}`,
		`{"a":1}}`,
		`{"a":[1,2}`,
		`{"a":tru}`,
		`[1]`,
		`null`,
		`{"a":"unterminated}`,
		`{"dup":1,"dup":2}`,
	}
	for _, in := range cases {
		var want map[string]json.RawMessage
		wantErr := json.Unmarshal([]byte(in), &want)
		got, err := decodeAttrs([]byte(in))
		if wantErr != nil {
			assert.Error(t, err, in)
			continue
		}
		require.NoError(t, err, in)
		if want == nil {
			want = map[string]json.RawMessage{}
		}
		if got == nil {
			got = map[string]json.RawMessage{}
		}
		assert.Equal(t, len(want), len(got), in)
		for k, v := range want {
			assert.JSONEq(t, string(v), string(got[k]), "%s: %s", in, k)
		}
	}
	// What the engine writes round-trips.
	attrs := map[string]json.RawMessage{"b": json.RawMessage(`{"x":[1,2,"3"]}`), "a": json.RawMessage(`"é\n"`), "c": json.RawMessage(`null`)}
	got, err := decodeAttrs([]byte(encodeAttrs(attrs)))
	require.NoError(t, err)
	assert.Equal(t, len(attrs), len(got))
	for k, v := range attrs {
		assert.JSONEq(t, string(v), string(got[k]))
	}
}

func FuzzDecodeAttrs(f *testing.F) {
	f.Add(`{"a":1,"b":{"c":[1,"]"]}}`)
	f.Add(`{"s":"x\"y"}`)
	f.Fuzz(func(t *testing.T, in string) {
		var want map[string]json.RawMessage
		wantErr := json.Unmarshal([]byte(in), &want)
		got, err := decodeAttrs([]byte(in))
		if (wantErr != nil) != (err != nil) {
			t.Fatalf("%q: json %v, decodeAttrs %v", in, wantErr, err)
		}
		if wantErr == nil && len(want) != len(got) {
			t.Fatalf("%q: %d members, want %d", in, len(got), len(want))
		}
		for k, v := range want {
			if string(got[k]) != string(v) {
				t.Fatalf("%q: %s = %s, want %s", in, k, got[k], v)
			}
		}
	})
}

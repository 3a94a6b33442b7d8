package jsonapi

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeAttrsText must give exactly what json.Unmarshal gives, for what
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
		// Numbers by JSON's grammar.
		`{"n":0,"m":-0,"o":0.5,"p":-12.25e+3,"q":1E-7,"r":10}`,
		`{"n":01}`, `{"n":-01}`, `{"n":-}`, `{"n":1.}`, `{"n":.5}`, `{"n":1e}`, `{"n":1e+}`,
		`{"n":1.5.2}`, `{"n":1e5e5}`, `{"n":+1}`, `{"n":0x10}`, `{"n":NaN}`, `{"n":[-]}`, `{"n":[1.e3]}`,
		// Strings: escapes, control characters, any other byte.
		`{"s":"\/\b\f\n\r\t\"\\\u00E9\uD800"}`,
		`{"s":"\x"}`, `{"s":"\u12G4"}`, `{"s":"\u123"}`, `{"s":"\"}`,
		"{\"s\":\"a\tb\"}", "{\"s\":\"a\nb\"}", "{\"s\":\"\x00\"}", "{\"s\":\"\x7f\x80\xff\xc3\"}",
		"{\"s\":\"caf\xc3\xa9 \xe2\x82\"}",
		// Literals.
		`{"t":true,"f":false,"z":null}`, `{"t":tru}`, `{"t":truee}`, `{"f":falsey}`, `{"z":nul}`, `{"z":Null}`,
		// Whitespace inside a value is JSON's; around a member it takes the slow path.
		`{"a":[1, 2 ,3 ],"b":{ "c" : [ ] , "d":{ } }}`, "{\"a\":[\t1\r\n]}", `{"a": 1}`, `{"a":1 }`,
		`{"a":1 ,"b":2}`, `{"a":1, "b":2}`, ` {"a":1}`, `{"a":1} `, `{ }`,
		// Malformed containers inside a value.
		`{"a":[1,]}`, `{"a":[,1]}`, `{"a":{"b":1,}}`, `{"a":{"b"}}`, `{"a":{"b":}}`, `{"a":{b:1}}`,
		`{"a":{"b" 1}}`, `{"a":[1}`, `{"a":{"b":1]}`, `{"a":[[[]]}`, `{"a":[]]}`, `{"a":{}}}`, `{"a":{"b":1}`,
		`{"a":{"\u0062":1,"b\"":2}}`, `{"a":{"b":1,"b":2}}`,
		// Keys splitObject leaves to encoding/json.
		`{"":1}`, `{"caf\u00e9":1}`, "{\"caf\xc3\xa9\":1}", "{\"\xff\":1}", "{\"a\tb\":1}",
		// Nesting past what scanValue follows, and at its limit.
		`{"deep":` + strings.Repeat("[", 64) + strings.Repeat("]", 64) + `}`,
		`{"deep":` + strings.Repeat("[", 65) + strings.Repeat("]", 65) + `}`,
		`{"deep":` + strings.Repeat(`{"a":`, 100) + `1` + strings.Repeat("}", 100) + `}`,
		`{"deep":` + strings.Repeat("[", 65) + strings.Repeat("]", 64) + `}`,
		// More members than splitObject keeps on its stack.
		manyMembers(40),
		benchMessageAttrs, benchPersonAttrs,
		``, `{`, `}`, `{}`, `{}}`, `{"a":1,"b":2,}`, `{,"a":1}`, `{"a":1,,"b":2}`,
	}
	for _, in := range cases {
		var want map[string]json.RawMessage
		wantErr := json.Unmarshal([]byte(in), &want)
		got, err := decodeAttrsText(in)
		// SomeAttrs decodes the members it is asked for as decoding them all does.
		names := append([]string{"absent", "dup", "k39", "message"}, slices.Sorted(maps.Keys(want))...)
		some, someErr := SomeAttrs(in, names...)
		assert.Equal(t, wantErr == nil, someErr == nil, "SomeAttrs %s: %v", in, someErr)
		for _, k := range names {
			v, ok := want[k]
			if someErr == nil && ok {
				assert.Equal(t, string(v), string(some[k]), "SomeAttrs %s: %s", in, k)
			} else if someErr == nil {
				assert.NotContains(t, some, k, "SomeAttrs %s", in)
			}
		}
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
			assert.Equal(t, string(v), string(got[k]), "%s: %s", in, k)
		}
	}
	// The engine's compact text, whatever its values hold, takes the quick path.
	for _, in := range []string{
		`{}`, benchMessageAttrs, benchPersonAttrs, manyMembers(40), `{"a":[1, 2 ,3 ],"b":{ "c" : [ ] , "d":{ } }}`,
		"{\"s\":\"\x7f\x80\xff\xc3\"}", `{"s":"\/\b\f\n\r\t\"\\\u00E9\uD800"}`, `{"dup":1,"dup":2}`,
		`{"deep":` + strings.Repeat("[", 64) + strings.Repeat("]", 64) + `}`,
	} {
		_, ok := splitObject(in)
		assert.True(t, ok, in)
	}
	// What the engine writes round-trips.
	attrs := map[string]json.RawMessage{"b": json.RawMessage(`{"x":[1,2,"3"]}`), "a": json.RawMessage(`"é\n"`), "c": json.RawMessage(`null`)}
	got, err := decodeAttrsText(encodeAttrs(attrs))
	require.NoError(t, err)
	assert.Equal(t, len(attrs), len(got))
	for k, v := range attrs {
		assert.JSONEq(t, string(v), string(got[k]))
	}
}

// manyMembers is an object of n members of different kinds.
func manyMembers(n int) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"k%d":[%d,"v%d",{"x":null}]`, i, i, i)
	}
	b.WriteByte('}')
	return b.String()
}

// The values share one buffer: each one's capacity ends with it, so that an
// append to one copies it rather than writing over the next.
func TestDecodeAttrsValuesEndWhereTheyEnd(t *testing.T) {
	t.Parallel()
	got, err := decodeAttrsText(`{"a":"first","b":[1,2]}`)
	require.NoError(t, err)
	assert.Equal(t, len(got["a"]), cap(got["a"]))
	_ = append(got["a"], 'x')
	assert.Equal(t, `[1,2]`, string(got["b"]))
}

// FuzzDecodeAttrs checks each input as attributes, and as the value of a
// member among others, where splitObject's own scanner reads it (a mutated
// object is seldom still one).
func FuzzDecodeAttrs(f *testing.F) {
	f.Add(`{"a":1,"b":{"c":[1,"]"]}}`)
	f.Add(`{"s":"x\"y"}`)
	f.Add(benchMessageAttrs)
	f.Add(benchPersonAttrs)
	f.Add(`{"n":-0.5e+10,"a":[ 1 , {"b" : "\u00e9\n"} ],"t":true,"z":null}`)
	f.Add("{\"s\":\"\xff\x7f\",\"n\":01}")
	f.Add(`[-0.5e+10,"\u00e9\n\/",{"b":[true,false,null,{}]},[]]`)
	f.Add(`"2026-01-05T09:00:00.000000+00:00"`)
	f.Add(`0E00000`) // inputs the fuzzer found
	f.Add(`"\b\"笍"`)
	f.Add(`{"":0 } `)
	f.Add("\n\r[[[[]]]]\t")
	f.Fuzz(func(t *testing.T, in string) {
		agreesWithEncodingJSON(t, in)
		agreesWithEncodingJSON(t, `{"a":`+in+`,"b":1}`)
	})
}

func agreesWithEncodingJSON(t *testing.T, in string) {
	var want map[string]json.RawMessage
	wantErr := json.Unmarshal([]byte(in), &want)
	got, err := decodeAttrsText(in)
	if (wantErr != nil) != (err != nil) {
		t.Fatalf("%q: json %v, decodeAttrsText %v", in, wantErr, err)
	}
	if wantErr == nil && len(want) != len(got) {
		t.Fatalf("%q: %d members, want %d", in, len(got), len(want))
	}
	for k, v := range want {
		if string(got[k]) != string(v) {
			t.Fatalf("%q: %s = %s, want %s", in, k, got[k], v)
		}
	}
}

// Stored attributes as the fixtures keep them: a message (21 members) and
// a person (8).
const (
	benchMessageAttrs = `{"ack":false,"attachments":[],"channel-id":"50000000-0000-4000-8000-000000000001","destination":{},"draft":false,"first-name":"Pat","individual-id":"30000000-0000-4000-8000-000000000003","last-modified-time":"2026-01-05T09:00:00.000000+00:00","last-name":"Jones","message":"Good morning, I have a question about my new prescription.","phrases":{},"posted-time":"2026-01-05T09:00:00.000000+00:00","preferred-name":null,"reactions":[],"read-receipts":[],"removed":false,"sentiment":null,"source":"user","user-id":null,"user-name":null,"user-type":"participant"}`
	benchPersonAttrs  = `{"_photo":"https://example.com/photos/30000000-0000-4000-8000-000000000001.png","account-type":"provider","birth-date":"1980-04-12","first-name":"Alice","last-modified-time":"2026-01-02T09:01:00.000000+00:00","last-name":"Admin","owner-id":"10000000-0000-4000-8000-000000000001","preferred-name":null}`
)

func BenchmarkDecodeAttrs(b *testing.B) {
	for _, bc := range []struct{ name, attrs string }{{"message", benchMessageAttrs}, {"person", benchPersonAttrs}} {
		b.Run(bc.name, func(b *testing.B) {
			// A fresh string each time, as the driver gives one per row.
			texts := make([]string, 64)
			for i := range texts {
				texts[i] = string([]byte(bc.attrs))
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.attrs)))
			for i := 0; b.Loop(); i++ {
				if _, err := decodeAttrsText(texts[i%len(texts)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// encodeAttrs must write exactly what json.Marshal writes of the attributes
// left after omit, whatever their values hold: copied values and Marshal's
// alike.
func TestEncodeAttrsAgreesWithEncodingJSON(t *testing.T) {
	t.Parallel()
	values := []string{
		`1`, `-0.5e3`, `true`, `false`, `null`, `""`, `"plain"`, `"with spaces and, commas: {}[]"`,
		`"esc \" \\ \/ \n \u003c \u2028"`, `"<b>&amp;</b>"`, `"a>b"`, `"ok & so"`,
		"\"line\u2028sep\"", "\"para\u2029sep\"", "\"curly ’quotes’ — dash €\"", "\"caf\xc3\xa9\"", "\"\xff bad utf-8\"",
		`[]`, `{}`, `[1,"2",{"x":null}]`, `{"a":{"b":[true,false]}}`, `[1, 2]`, `{ "a" : 1 }`, "[\n1\n]", "{\"a\":\t1}",
		`{"html":"<script>"}`, `["&"]`, `{"k<":1}`, `{"k\u00e9":"v"}`,
	}
	// Plain keys, which the copying path takes, and keys it leaves to Marshal.
	plain := []string{"a", "b", "message", "z", "read-receipts"}
	odd := []string{"", "caf\u00e9", "k<>&", `q"uote`, "tab\tkey", "\u2028"}
	var cases []map[string]json.RawMessage
	for i, v := range values {
		cases = append(cases, map[string]json.RawMessage{"a": json.RawMessage(v)})
		cases = append(cases, map[string]json.RawMessage{odd[i%len(odd)]: json.RawMessage(v)})
		for _, keys := range [][]string{plain, append(slices.Clone(plain), odd...)} {
			m := map[string]json.RawMessage{}
			for j, k := range keys {
				m[k] = json.RawMessage(values[(i+j)%len(values)])
			}
			cases = append(cases, m)
		}
	}
	for _, text := range []string{benchMessageAttrs, benchPersonAttrs, manyMembers(40), `{}`} {
		m, err := decodeAttrsText(text)
		require.NoError(t, err)
		cases = append(cases, m)
	}
	cases = append(cases, nil, map[string]json.RawMessage{}, map[string]json.RawMessage{"nil": nil, "a": json.RawMessage(`1`)})
	omits := [][]string{nil, {"a"}, {"message", "z", "absent"}, {"nil"}}
	for _, attrs := range cases {
		for _, omit := range omits {
			rest := map[string]json.RawMessage{}
			for k, v := range attrs {
				if !slices.Contains(omit, k) {
					rest[k] = v
				}
			}
			want, err := json.Marshal(rest)
			require.NoError(t, err)
			assert.Equal(t, string(want), encodeAttrs(attrs, omit...), "%v less %v", attrs, omit)
		}
	}
	// What json.Marshal refuses, encodeAttrs refuses alike (a panic: the
	// engine validates every value it keeps).
	for _, bad := range []string{``, `{`, `"open`, `[1,]`, `tru`, `1 2`, `"a"b`} {
		assert.Panics(t, func() { encodeAttrs(map[string]json.RawMessage{"a": json.RawMessage(bad)}) }, bad)
	}
	// The engine's own values take the copying path.
	for _, v := range []string{`"Good morning, I have a question."`, `[]`, `{"x":[1,"2"]}`, "\"curly ’ — €\""} {
		assert.True(t, compactAsIs(json.RawMessage(v), true), v)
	}
}

func BenchmarkEncodeAttrs(b *testing.B) {
	for _, bc := range []struct{ name, attrs string }{{"message", benchMessageAttrs}, {"person", benchPersonAttrs}} {
		b.Run(bc.name, func(b *testing.B) {
			attrs, err := decodeAttrsText(bc.attrs)
			require.NoError(b, err)
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.attrs)))
			for b.Loop() {
				if encodeAttrs(attrs) != bc.attrs {
					b.Fatal("not the stored text")
				}
			}
		})
	}
}

// Record.Decode's quick forms decode what json.Unmarshal decodes, into
// fresh and into filled targets alike; any other form is Unmarshal's.
func TestDecodeAgreesWithEncodingJSON(t *testing.T) {
	t.Parallel()
	values := []string{
		`"plain"`, `""`, `"with \"escapes\""`, `"caf\u00e9"`, "\"caf\xc3\xa9\"", `"a\nb"`, `"<&>"`, `1`, `true`, `{}`, `[]`,
		`[{"id":"a"}]`, `[{"id":"a"},{"id":"b"}]`, `[{"id":""}]`, `[{"id":"a","type":"x"}]`, `[{"type":"x","id":"a"}]`,
		`[{"id":1}]`, `[{"id":null}]`, `[{"id":"a"},]`, `[,{"id":"a"}]`, `[{"id":"a"}{"id":"b"}]`, `[{"id":"a"} ]`,
		`[ {"id":"a"}]`, `[{"id" :"a"}]`, `[{"id":"a\"b"}]`, `[{"id":"é"}]`, `[{"id":"a"`, `[{"id":"a}]`, `[{"id":"a"}`,
		`[{"id":"`, `[{"id":`, `[{`, `[`, `]`, `[{"id":"a"},{"id":"b"},{"id":"c"}]`, `[{}]`, `[null]`, `["a"]`,
	}
	for _, raw := range values {
		for _, target := range []struct {
			name string
			new  func() any
		}{
			{"string", func() any { return new(string) }},
			{"filled string", func() any { s := "old"; return &s }},
			{"nullable string", func() any { return new(*string) }},
			{"filled nullable string", func() any { s := "old"; p := &s; return &p }},
			{"refs", func() any { return new([]IDRef) }},
			{"filled refs", func() any { r := []IDRef{{"x"}, {"y"}, {"z"}}; return &r }},
		} {
			want, got := target.new(), target.new()
			wantErr := json.Unmarshal([]byte(raw), want)
			rec := &Record{Attrs: map[string]json.RawMessage{"v": json.RawMessage(raw)}}
			rec.Decode("v", got)
			assert.Equal(t, want, got, "%s into %s", raw, target.name) // Decode ignores Unmarshal's error
			if decodeQuick(json.RawMessage(raw), target.new()) {
				assert.NoError(t, wantErr, "%s into %s: taken quickly, refused by Unmarshal", raw, target.name)
			}
		}
	}
	// Into a pointer that points somewhere already, Unmarshal writes there.
	for _, raw := range values {
		ws, gs := "old", "old"
		wp, gp := &ws, &gs
		_ = json.Unmarshal([]byte(raw), &wp)
		rec := &Record{Attrs: map[string]json.RawMessage{"v": json.RawMessage(raw)}}
		rec.Decode("v", &gp)
		assert.Equal(t, wp == &ws, gp == &gs, raw)
		assert.Equal(t, ws, gs, raw)
	}
	// The stored forms renders read take the quick path.
	for _, raw := range []string{`"Pat"`, `[{"id":"30000000-0000-4000-8000-000000000003"}]`, `[]`} {
		assert.True(t, decodeQuick(json.RawMessage(raw), new(string)) || decodeQuick(json.RawMessage(raw), new([]IDRef)), raw)
	}
}

// DecodeStrings gives what json.Unmarshal gives into a []string.
func TestDecodeStringsAgreesWithEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, text := range []string{
		`[]`, `["a"]`, `["a","b","c"]`, `["10000000-0000-4000-8000-000000000001","10000000-0000-4000-8000-000000000002"]`,
		`[""]`, `["",""]`, `["a,b"]`, `["a","b,c"]`, `["a\"b"]`, `["é"]`, `["\u00e9"]`, `[ "a"]`, `["a" ]`, `["a", "b"]`,
		`["a",]`, `[,"a"]`, `["a",,"b"]`, `[1]`, `[null]`, `null`, `["a"`, `"a"]`, `[`, `]`, ``, `[["a"]]`, `["<&>"]`,
		"[\"a\tb\"]", `["a"]x`, `{}`, `["a"b"]`, `["a""b"]`,
	} {
		var want []string
		wantErr := json.Unmarshal([]byte(text), &want)
		got, err := DecodeStrings(text)
		assert.Equal(t, wantErr == nil, err == nil, text)
		assert.Equal(t, want, got, text)
	}
}

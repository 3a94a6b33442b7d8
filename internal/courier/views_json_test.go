package courier

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
)

// Every view a channel embeds writes exactly what json.Marshal writes of it:
// empty, and with every field set (a field added to a view and not to its
// AppendJSON fails here), strings holding what Marshal escapes.
func TestViewsEncodeAsEncodingJSON(t *testing.T) {
	t.Parallel()
	views := []jsonapi.JSONAppender{
		subscriberList(nil), subscriberList{}, &subscriberList{{}}, new(subscriberList),
		lastMessageView{}, new(lastMessageView), bookmarkView{}, new(bookmarkView),
		(*groupView)(nil), new(groupView), groupIndividual{}, new(groupIndividual), groupLeader{}, new(groupLeader),
	}
	for _, s := range []string{"plain", `<b>"Pat" & \ Jones</b>` + "\n\t\u2028\u00e9\x01", "\xff"} {
		for _, v := range []jsonapi.JSONAppender{new(subscriberList), new(lastMessageView), new(bookmarkView), new(groupView),
			new(groupIndividual), new(groupLeader)} {
			fill(reflect.ValueOf(v).Elem(), s)
			views = append(views, v)
		}
	}
	for _, v := range views {
		want, err := json.Marshal(v)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(v.AppendJSON(nil)), "%T %+v", v, v)
		assert.Equal(t, string(want), string(v.AppendJSON([]byte("x")))[1:], "appends")
	}
}

// fill sets every field of v, recursively, to a value other than its zero:
// strings to s, booleans to true, numbers to 7, pointers to a filled value,
// slices to two filled elements, maps to two filled entries.
func fill(v reflect.Value, s string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(7)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), s)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), s)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for _, k := range []string{s, "a" + s} {
			e := reflect.New(v.Type().Elem()).Elem()
			fill(e, s)
			v.SetMapIndex(reflect.ValueOf(k), e)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i), s)
		}
	default:
		panic("fill: " + v.Kind().String())
	}
}

// TestDecodePrefsAsUnmarshal: decodePrefs reads every subscriber link's
// attributes as json.Unmarshal does, its own forms and the others alike.
func TestDecodePrefsAsUnmarshal(t *testing.T) {
	for _, text := range []string{
		`{"admin":false,"pinned":false,"communication-preferences":null}`,
		`{"admin":true,"pinned":false,"communication-preferences":{}}`,
		`{"admin":false,"pinned":true,"communication-preferences":{"sms":"off"}}`,
		`{"admin":true,"pinned":true,"communication-preferences":null}`,
		"{\n \"admin\": true,\n \"pinned\": false,\n \"communication-preferences\": {}\n}",
		`{"pinned":true,"admin":true}`,
		`{"admin":null,"pinned":false,"communication-preferences":{}}`,
		`{"admin":"yes","pinned":false,"communication-preferences":{}}`,
		`{"admin":false,"pinned":false,"communication-preferences":{}} `,
		`{"admin":false,"pinned":false,"communication-preferences":{}}x`,
		`{"admin":truex,"pinned":false,"communication-preferences":{}}`,
		`{}`, `null`, ``,
	} {
		var want subscriberPrefs
		wantErr := json.Unmarshal([]byte(text), &want)
		got, err := decodePrefs(text)
		assert.Equal(t, wantErr == nil, err == nil, "%s: error %v, Unmarshal's %v", text, err, wantErr)
		if wantErr == nil {
			assert.Equal(t, want, got, text)
		}
	}
}

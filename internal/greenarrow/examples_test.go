package greenarrow_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDocsListExamples pins the docs' "Get a List of Organizations" examples 1-4
// against the default fixtures, key order included.
func TestDocsListExamples(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	for _, tc := range []struct{ path, example string }{
		{base + "/organizations", "list_example1.json"},
		{base + "/organizations?minimal=true", "list_example2.json"},
		{base + "/organizations?minimal=true&name=Third+Org", "list_example3.json"},
		{base + "/organizations?minimal=true&name_contains=third", "list_example4.json"},
	} {
		t.Run(tc.example, func(t *testing.T) {
			res := env.Do(t, "GET", tc.path, "", sysAdmin)
			require.Equal(t, 200, res.Status, res.Body)
			assert.JSONEq(t, doc(t, tc.example), res.Body)
			assert.Equal(t, "application/json; charset=utf-8", res.Header.Get("Content-Type"))
			assert.Equal(t, compact(t, doc(t, tc.example)), res.Body, "key order as in the docs")
		})
	}
}

// compact is the docs' pretty-printed example the way the API sends it ("the
// JSON response will not be pretty formatted"): one line, with <, > and &
// escaped as Rails' JSON encoder escapes them (so does Go's).
func compact(tb testing.TB, s string) string {
	tb.Helper()
	var c, e bytes.Buffer
	require.NoError(tb, json.Compact(&c, []byte(s)))
	json.HTMLEscape(&e, c.Bytes())
	return e.String()
}

// obfuscated is what the published page shows where an e-mail address stood
// (with a no-break space).
const obfuscated = "[email\u00a0protected]"

// deobfuscate puts back the fixture bounce email the page hides: the id
// first, then the address.
func deobfuscate(s string) string {
	s = strings.Replace(s, obfuscated, "1@1", 1)
	return strings.Replace(s, obfuscated, "bounce@example.com", 1)
}

// withID replaces the first "id" of an example's data with the id the emulator gave.
func withID(example string, from, to int64) string {
	return strings.Replace(example, fmt.Sprintf(`"id": %d,`, from), fmt.Sprintf(`"id": %d,`, to), 1)
}

func TestDocsCreateExample(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	res := env.Do(t, "POST", base+"/organizations", deobfuscate(doc(t, "create_request.json")), sysAdmin)
	e := requireOK(t, res)
	id := field[int64](t, e.Data, "id")
	assert.Equal(t, int64(5), id, "the next id after the four fixture organizations")
	want := withID(deobfuscate(doc(t, "create_response.json")), 14, id)
	assert.JSONEq(t, want, res.Body)
	assert.Equal(t, compact(t, want), res.Body, "key order as in the docs")

	got := env.Do(t, "GET", fmt.Sprintf("%s/organizations/%d", base, id), "", sysAdmin)
	assert.JSONEq(t, want, got.Body, "a read returns what the create returned")
}

func TestDocsUpdateExample(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	res := env.Do(t, "PUT", base+"/organizations/1", doc(t, "update_request.json"), sysAdmin)
	require.Equal(t, 200, res.Status, res.Body)
	assert.JSONEq(t, doc(t, "update_response.json"), res.Body)
	assert.Equal(t, compact(t, doc(t, "update_response.json")), res.Body)
	got := env.Do(t, "GET", base+"/organizations/1", "", sysAdmin)
	assert.JSONEq(t, doc(t, "update_response.json"), got.Body)
}

// TestDocsGetExample creates the docs' "Daily News Co." (id 6 there) and reads it back.
func TestDocsGetExample(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	res := env.Do(t, "POST", base+"/organizations",
		`{"organization": {"name": "Daily News Co.", "permissions": {"special_sending_rule": {"mode": "select_any"}}}}`, sysAdmin)
	id := field[int64](t, requireOK(t, res).Data, "id")
	got := env.Do(t, "GET", fmt.Sprintf("%s/organizations/%d", base, id), "", sysAdmin)
	assert.JSONEq(t, withID(doc(t, "get_example.json"), 6, id), got.Body)
	assert.Equal(t, compact(t, withID(doc(t, "get_example.json"), 6, id)), got.Body)
}

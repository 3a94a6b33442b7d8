package httpx

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAppendJSONStringMatchesEncodingJSON: AppendJSONString quotes every
// string as encoding/json does, with HTML escaping (WriteJSONHTMLEscaped) and
// without (WriteJSON).
func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	check := func(s string) {
		for _, html := range []bool{false, true} {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(html)
			require.NoError(t, enc.Encode(s))
			want := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
			require.Equal(t, string(want), string(AppendJSONString([]byte("x"), s, html))[1:], "%q html=%v", s, html)
		}
	}
	for _, s := range []string{
		"", "plain", `"quoted" \back\slash/`, "<b>Tom & Jerry</b>", "\b\f\n\r\t\x00\x01\x1f\x7f",
		"é 日本 \U0001F600", "\u2028 line \u2029 paragraph", "bad \xff \xc3 \xed\xa0\x80 \xf4\x90\x80\x80 end\xe2\x80",
		"X-Tag: a\r\nX-Other: <b>",
	} {
		check(s)
	}
	for c := range 256 {
		check(string([]byte{byte(c)}))
		check("a" + string([]byte{byte(c)}) + "z")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "<", ">", "&", `"`, `\`, "\n", "\x01", "é", "\u2028", "\u2029", "\xff", "\xe2\x80", "日"}
	for range 5000 {
		var s string
		for range rng.IntN(12) {
			s += alphabet[rng.IntN(len(alphabet))]
		}
		check(s)
	}
	assert.Equal(t, `"a&b"`, JSONString("a&b"))
}

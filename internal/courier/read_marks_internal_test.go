package courier

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadMarkAttrsAsMarshal: a read link's attributes are written by hand
// (readMarkAttrs) byte for byte as json.Marshal writes readMark, whatever the
// strings hold (a client's posted-time is its own text).
func TestReadMarkAttrsAsMarshal(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "2031-01-01T00:00:00.000000+00:00", `"quoted" \ back\slash`, "<b>&amp;</b>",
		"tab\tnew\nline\x01\x1f", "ünï€ode \u2028\u2029", "bad \xff utf-8", "\x00"} {
		want, err := json.Marshal(readMark{MessageID: s, PostedTime: s + "p", AckTime: "a" + s})
		require.NoError(t, err)
		assert.Equal(t, string(want), readMarkAttrs(s, s+"p", "a"+s), "%q", s)
	}
}

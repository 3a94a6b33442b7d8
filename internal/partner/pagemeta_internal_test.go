package partner

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

// TestPageMetaEncodesAsMarshalJSON: the list envelope written by hand is the
// bytes httpx.MarshalJSON writes, whatever filters and sort were echoed.
func TestPageMetaEncodesAsMarshalJSON(t *testing.T) {
	t.Parallel()
	for _, m := range []pageMeta{
		{},
		{Count: 2, Filters: json.RawMessage(`{}`), Sort: []string{"id"}, Limit: 10, Offset: 20, Total: 22},
		{Filters: json.RawMessage(` { "name" : "a <b> & \u00e9" ,"status":["x", "y"] } `), Sort: []string{}},
		{Filters: json.RawMessage(`{"id":"\u2028"}`), Sort: []string{"-name", "<&>", "é\u2028\x01", "\xff"}, Total: -1},
	} {
		want, err := httpx.MarshalJSON(m)
		require.NoError(t, err)
		got, err := m.appendJSON([]byte("prefix"))
		require.NoError(t, err)
		assert.Equal(t, "prefix"+string(want), string(got))
	}
	_, err := pageMeta{Filters: json.RawMessage(`{`)}.appendJSON(nil)
	assert.Error(t, err, "filters that are not JSON")
}

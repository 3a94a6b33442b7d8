package partner

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
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

// TestChannelsPageEncodesAsWriteJSON: a page of channels written by hand
// is the bytes httpx.WriteJSON writes for a channelsPage, whatever the
// channels hold.
func TestChannelsPageEncodesAsWriteJSON(t *testing.T) {
	t.Parallel()
	hostile := []string{"", "plain", `"q" \b/`, "<b>Tom & Jerry</b>", "\b\f\n\r\t\x00\x1f\x7f", "é 日本 \U0001F600",
		"\u2028\u2029", "bad \xff \xc3 end\xe2\x80"}
	var channels []Channel
	for i, s := range hostile {
		channels = append(channels, Channel{ID: s, ClientID: s + "c", PartnerID: "p" + s, Status: hostile[(i+1)%len(hostile)],
			AccountMode: s, SetupInfo: SetupInfo{PhoneNumber: s, PhoneName: s + "n"}, WabaAccount: WabaAccount{ID: "w" + s, Name: s},
			CreatedAt: s, ModifiedAt: s + "m"})
	}
	meta := pageMeta{Count: 2, Filters: json.RawMessage(`{"status":"<x>"}`), Sort: []string{"-id"}, Limit: 10, Total: 8}
	for _, page := range [][]Channel{nil, {}, channels[:1], channels} {
		want := httptest.NewRecorder()
		httpx.WriteJSON(want, http.StatusOK, "", channelsPage{meta, page})
		got := httptest.NewRecorder()
		require.NoError(t, writeChannelsPage(got, meta, page))
		assert.Equal(t, want.Code, got.Code)
		assert.Equal(t, want.Header(), got.Header())
		assert.Equal(t, want.Body.String(), got.Body.String())
	}
}

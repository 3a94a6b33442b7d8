package courier_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSnifferRecordsTheUsersRequests: a sniffer on a user records that user's
// requests (with the answers) while it is valid, and nobody else's.
func TestSnifferRecordsTheUsersRequests(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	const org1User = "20000000-0000-4000-8000-000000000002"
	admin := "Authorization: Bearer courier-admin-token"
	res := env.Do(t, "POST", "/courier/v1/sniffers/",
		`{"data":{"type":"sniffers","attributes":{"user-id":"`+org1User+`"}},"meta":{}}`, admin)
	require.Equal(t, http.StatusCreated, res.Status, res.Body)
	var created struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(res.Body), &created))
	logsPath := "/courier/v1/sniffers/" + created.Data.ID + "/get-logs/"

	type logs struct {
		Data []struct {
			Attributes struct {
				Method     string `json:"method"`
				Path       string `json:"path"`
				Query      string `json:"query-string"`
				Status     int    `json:"status-code"`
				Response   string `json:"response"`
				RequestID  string `json:"request-id"`
				UserAgent  string `json:"user-agent"`
				Body       string `json:"body"`
				CreatedAt  string `json:"created-time"`
				ContentTyp string `json:"content_type"`
			} `json:"attributes"`
		} `json:"data"`
	}
	read := func() logs {
		res := env.Do(t, "GET", logsPath, "", admin)
		require.Equal(t, http.StatusOK, res.Status, res.Body)
		var l logs
		require.NoError(t, json.Unmarshal([]byte(res.Body), &l))
		return l
	}
	require.Empty(t, read().Data, "the admin's own requests are not the sniffed user's")

	user := "Authorization: Bearer courier-org1-token"
	got := env.Do(t, "GET", "/courier/v1/organizations/?page[limit]=1", "", user, "User-Agent: carium-ios/4.2.0")
	require.Equal(t, http.StatusOK, got.Status)
	env.Deps.Clock.Advance(time.Second) // logs list oldest first
	bad := env.Do(t, "GET", "/courier/v1/organizations/?page[limit]=0", "", user)
	require.Equal(t, http.StatusBadRequest, bad.Status)

	l := read()
	require.Len(t, l.Data, 2)
	first := l.Data[0].Attributes
	assert.Equal(t, "GET", first.Method)
	assert.Equal(t, "/courier/v1/organizations/", first.Path)
	assert.Equal(t, "page[limit]=1", first.Query)
	assert.Equal(t, 200, first.Status)
	assert.JSONEq(t, got.Body, first.Response)
	assert.Equal(t, got.Header.Get("X-Request-Id"), first.RequestID)
	assert.Equal(t, "carium-ios/4.2.0", first.UserAgent)
	assert.Equal(t, 400, l.Data[1].Attributes.Status)
	assert.JSONEq(t, bad.Body, l.Data[1].Attributes.Response)

	// Past valid-until (an hour by default) nothing more is recorded.
	env.Deps.Clock.Advance(time.Hour - time.Second)
	env.Do(t, "GET", "/courier/v1/organizations/", "", user)
	assert.Len(t, read().Data, 2)
}

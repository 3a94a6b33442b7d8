package server_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAnyMethodReachesItsPrefix: the root routes by prefix alone, so a
// method chi does not know (PROPFIND, a lower-case get) is answered under a
// vendor's prefix by that vendor (its 405 with Allow, its 404) and journaled
// as sent, under the control plane by the control plane, and outside every
// prefix with the plain 404; the mount still routes by the request's own
// method, and its guard still answers panics in its envelope.
func TestAnyMethodReachesItsPrefix(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	for _, m := range []string{"PROPFIND", "get", "TRACE", "DELETE"} {
		res := env.Do(t, m, "/360dialog/api/v2/partners/examplePA", "", "X-API-Key: examplePA-api-key")
		assert.Equal(t, 405, res.Status, m)
		assert.Equal(t, "GET, HEAD, PATCH", res.Header.Get("Allow"), m)
		assert.JSONEq(t, fmt.Sprintf(`{"meta":{"success":false,"http_code":405,
			"developer_message":"The method %s is not allowed for the requested URL. Allowed: GET, HEAD, PATCH.","details":[]}}`, m), res.Body)

		res = env.Do(t, m, "/360dialog/api/v2/nothing", "")
		assert.Equal(t, 404, res.Status, m)
		assert.Contains(t, res.Body, `"http_code":404`)

		res = env.Do(t, m, "/_emulator/health", "")
		assert.Equal(t, 405, res.Status, m)
		assert.Equal(t, "GET, HEAD", res.Header.Get("Allow"))
		assert.JSONEq(t, fmt.Sprintf(`{"error":"method %s not allowed on /_emulator/health; it serves GET, HEAD"}`, m), res.Body)

		res = env.Do(t, m, "/nothing", "")
		assert.Equal(t, 404, res.Status, m)
		assert.JSONEq(t, `{"error":"not found: no vendor is served at /nothing; GET / lists what is served where"}`, res.Body)
	}
	j := readJournal(t, env, "?vendor=360dialog")
	require.Len(t, j.Requests, 8)
	assert.Equal(t, "PROPFIND", j.Requests[7].Method)
	assert.Equal(t, 405, j.Requests[7].Status)
	assert.Equal(t, "get", j.Requests[5].Method)

	res := env.Do(t, "GET", "/360dialog/api/v2/partners/examplePA", "", "X-API-Key: examplePA-api-key")
	assert.Equal(t, 200, res.Status)
	head := env.Do(t, "HEAD", "/360dialog/api/v2/partners/examplePA", "", "X-API-Key: examplePA-api-key")
	assert.Equal(t, 200, head.Status)
	assert.Empty(t, head.Body)
	assert.Equal(t, res.Header.Get("Content-Length"), head.Header.Get("Content-Length"))
	j = readJournal(t, env, "?vendor=360dialog&limit=1")
	assert.Equal(t, "HEAD", j.Requests[0].Method)
	assert.Empty(t, j.Requests[0].ResponseBody, "the journal records what was sent")
	assert.JSONEq(t, `{"fake_error":500}`, env.Do(t, "GET", "/fake/panic", "").Body)
}

package courier_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestResetRestoresFixtures: the control plane's reset puts courier back to its
// fixtures, counts included.
func TestResetRestoresFixtures(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	before := snapshot(t, env)
	mustCall(t, env, 201, "POST", "/v1/announcers/", resourceDoc("announcers", "", `{"name": "n", "event": "e", "organization-id": "`+org1+`"}`))
	mustCall(t, env, 201, "POST", "/v1/messaging-channels/"+chanGroup1+"/archive/", `{}`)
	r := env.Do(t, "POST", "/_emulator/reset?vendor=courier", "")
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	assertSameState(t, before, snapshot(t, env))
	r = mustCall(t, env, 200, "GET", "/v1/announcers/", "")
	assert.EqualValues(t, 1, decode(t, r).Meta["page[total]"])
}

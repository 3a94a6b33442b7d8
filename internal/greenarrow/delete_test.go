package greenarrow_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
)

type codeData struct {
	Code      string `json:"delete_confirmation_code"`
	ExpiresAt string `json:"delete_confirmation_expires_at"`
}

func deleteCode(t *testing.T, env *emutest.Env, id int) codeData {
	t.Helper()
	e := requireOK(t, env.Do(t, "GET", fmt.Sprintf("%s/organizations/%d/delete_confirmation_code", base, id), "", sysAdmin))
	return codeData{field[string](t, e.Data, "delete_confirmation_code"), field[string](t, e.Data, "delete_confirmation_expires_at")}
}

func TestTwoStepDelete(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	exec(t, env, `INSERT INTO ga_api_keys (id, name, secret, role, organization_id, active) VALUES (9, 'k', 's', 'organization_admin', 4, 1)`)
	c := deleteCode(t, env, 4)

	// The documented format: 40 lowercase hex, a colon, the expiry as unix time;
	// the expiry is two minutes ahead on the emulated clock.
	require.Regexp(t, regexp.MustCompile(`^[0-9a-f]{40}:[0-9]+$`), c.Code)
	expires := emutest.Start.Add(2 * time.Minute)
	assert.Equal(t, strconv.FormatInt(expires.Unix(), 10), strings.Split(c.Code, ":")[1])
	assert.Equal(t, expires.Format(time.RFC3339), c.ExpiresAt)
	assert.Equal(t, "2026-01-15T12:02:00Z", c.ExpiresAt)
	res := env.Do(t, "GET", base+"/organizations/4/delete_confirmation_code", "", sysAdmin)
	assert.JSONEq(t, `{"success":true,"data":{"delete_confirmation_code":"x","delete_confirmation_expires_at":"2026-01-15T12:02:00Z"},
		"error_code":null,"error_message":null}`, regexp.MustCompile(`"[0-9a-f]{40}:\d+"`).ReplaceAllString(res.Body, `"x"`))

	env.Deps.Clock.Advance(time.Minute + 59*time.Second)
	res = env.Do(t, "DELETE", base+"/organizations/4/confirmed/"+c.Code, "", sysAdmin)
	require.Equal(t, 200, res.Status, res.Body)
	assert.JSONEq(t, doc(t, "delete_example.json"), res.Body)

	requireError(t, env.Do(t, "GET", base+"/organizations/4", "", sysAdmin), 404, "not_found")
	ids, _ := list(t, env.Do(t, "GET", base+"/organizations", "", sysAdmin).Body)
	assert.Equal(t, []float64{1, 2, 3}, ids)
	requireError(t, env.Do(t, "GET", base+"/organizations/4/messages_sent/daily", "", sysAdmin), 404, "not_found")
	requireError(t, env.Do(t, "GET", base+"/organizations", "", basic("9", "s")), 401, "not_authorized")
	requireError(t, env.Do(t, "DELETE", base+"/organizations/4/confirmed/"+c.Code, "", sysAdmin), 404, "not_found")
	// Its name is free again.
	create(t, env, `{"organization":{"name":"Third Org"}}`)
}

func TestDeleteCodesThatMustFail(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	for3 := deleteCode(t, env, 3)
	for4 := deleteCode(t, env, 4)
	before := snapshot(t, env)
	hex, expiry, _ := strings.Cut(for4.Code, ":")
	for _, tc := range []struct {
		name, path string
		status     int
		code       string
	}{
		{"another organization's code", "/organizations/4/confirmed/" + for3.Code, 400, "invalid_request"},
		{"a made-up code", "/organizations/4/confirmed/" + strings.Repeat("a", 40) + ":" + expiry, 400, "invalid_request"},
		{"the right hex with another expiry", "/organizations/4/confirmed/" + hex + ":1", 400, "invalid_request"},
		{"malformed", "/organizations/4/confirmed/not-a-code", 400, "invalid_request"},
		{"uppercase hex", "/organizations/4/confirmed/" + strings.ToUpper(hex) + ":" + expiry, 400, "invalid_request"},
		{"unknown organization", "/organizations/77/confirmed/" + for4.Code, 404, "not_found"},
		{"the System Organization", "/organizations/1/confirmed/" + for4.Code, 422, "validation_failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireError(t, env.Do(t, "DELETE", base+tc.path, "", sysAdmin), tc.status, tc.code)
		})
	}
	t.Run("an organization admin", func(t *testing.T) {
		requireError(t, env.Do(t, "GET", base+"/organizations/2/delete_confirmation_code", "", orgAdmin), 403, "invalid_request")
		requireError(t, env.Do(t, "DELETE", base+"/organizations/4/confirmed/"+for4.Code, "", orgAdmin), 403, "invalid_request")
	})
	t.Run("expired", func(t *testing.T) {
		env.Deps.Clock.Advance(2 * time.Minute) // exactly at the expiry: no longer valid
		requireError(t, env.Do(t, "DELETE", base+"/organizations/4/confirmed/"+for4.Code, "", sysAdmin), 400, "invalid_request")
	})
	assert.Equal(t, before, snapshot(t, env), "nothing was deleted")
	requireError(t, env.Do(t, "GET", base+"/organizations/1/delete_confirmation_code", "", sysAdmin), 422, "validation_failed")
	requireError(t, env.Do(t, "GET", base+"/organizations/99/delete_confirmation_code", "", sysAdmin), 404, "not_found")

	// A fresh code still works after the expired one failed.
	requireOK(t, env.Do(t, "DELETE", base+"/organizations/4/confirmed/"+deleteCode(t, env, 4).Code, "", sysAdmin))
}

package greenarrow_test

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/greenarrow"
)

func TestAuthentication(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	exec(t, env, `INSERT INTO ga_api_keys (id, name, secret, role, organization_id, active)
		VALUES (7, 'off', 'off-secret', 'organization_admin', 3, 0), (8, 'org3', 'org3-secret', 'organization_admin', 3, 1)`)
	for _, tc := range []struct {
		name   string
		header []string
	}{
		{"no credentials", nil},
		{"bearer instead of basic", []string{"Authorization: Bearer ga-system-admin-secret"}},
		{"not base64", []string{"Authorization: Basic !!!"}},
		{"wrong secret", []string{basic("1", "ga-org2-admin-secret")}},
		{"unknown key", []string{basic("99", "ga-system-admin-secret")}},
		{"non-numeric key id", []string{basic("admin", "ga-system-admin-secret")}},
		{"empty secret", []string{basic("1", "")}},
		{"inactive key", []string{basic("7", "off-secret")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := env.Do(t, "GET", base+"/organizations", "", tc.header...)
			requireError(t, res, 401, "not_authorized")
			assert.Equal(t, "application/json; charset=utf-8", res.Header.Get("Content-Type"))
		})
	}
	t.Run("an inactive organization's admin cannot log in", func(t *testing.T) {
		requireOK(t, env.Do(t, "GET", base+"/organizations/3", "", basic("8", "org3-secret")))
		requireOK(t, env.Do(t, "PUT", base+"/organizations/3", `{"organization":{"active":false}}`, sysAdmin))
		requireError(t, env.Do(t, "GET", base+"/organizations/3", "", basic("8", "org3-secret")), 401, "not_authorized")
	})
	t.Run("a system admin keeps access to an inactive System Organization", func(t *testing.T) {
		requireOK(t, env.Do(t, "PUT", base+"/organizations/1", `{"organization":{"active":false}}`, sysAdmin))
		requireOK(t, env.Do(t, "PUT", base+"/organizations/1", `{"organization":{"active":true}}`, sysAdmin))
	})
}

// TestEnvelopeOnUnknownRoutes: every answer under the prefix is the envelope,
// unauthenticated ones and unknown routes included; a wrong method is a 405.
func TestEnvelopeOnUnknownRoutes(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	for _, method := range []string{"PATCH", "DELETE"} {
		res := env.Do(t, method, "/greenarrow/ga/api/v2/organizations/1", "", sysAdmin)
		requireError(t, res, 405, "invalid_request")
		assert.Equal(t, "GET, HEAD, PUT", res.Header.Get("Allow"))
	}
	for _, tc := range []struct{ method, path string }{
		{"GET", "/greenarrow/nope"},
		{"GET", "/greenarrow/ga/api/v2/campaigns"},
		{"PROPFIND", "/greenarrow/ga/api/v2/campaigns"},
		{"GET", "/greenarrow/ga/api/v2/organizations/1/messages_sent/weekly"},
		{"GET", "/greenarrow/ga/api/v2/organizations/1/messages_sent/daily.xml"},
		{"GET", "/greenarrow/ga/api/v2/organizations/1/messages_sent/daily.csv.csv"},
		{"GET", "/greenarrow"},
	} {
		res := env.Do(t, tc.method, tc.path, "", sysAdmin)
		requireError(t, res, 404, "not_found")
	}
}

// TestTrailingSlashAndReset: Rails tolerates a trailing slash; the control
// plane's reset restores the fixtures (and the ids a fresh start gives).
func TestTrailingSlashAndReset(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	res := env.Do(t, "GET", base+"/organizations/?minimal=true", "", sysAdmin)
	assert.JSONEq(t, doc(t, "list_example2.json"), res.Body)
	requireOK(t, env.Do(t, "GET", base+"/organizations/3/", "", sysAdmin))

	create(t, env, `{"organization":{"name":"Temporary"}}`)
	requireOK(t, env.Do(t, "PUT", base+"/organizations/1", `{"name":"Renamed"}`, sysAdmin))
	res = env.Do(t, "POST", "/_emulator/reset?vendor=greenarrow", "")
	assert.Equal(t, 200, res.Status, res.Body)
	assert.JSONEq(t, doc(t, "list_example1.json"), env.Do(t, "GET", base+"/organizations", "", sysAdmin).Body)
	assert.Equal(t, int64(5), create(t, env, `{"organization":{"name":"Again"}}`))
}

// TestErrorAdapter: a body over 1 MiB is 413 in the envelope; an unexpected
// error is 500 internal_error and its details stay in the log.
func TestErrorAdapter(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	big := `{"organization":{"name":"` + strings.Repeat("x", 1<<20) + `"}}`
	requireError(t, env.Do(t, "POST", base+"/organizations", big, sysAdmin), 413, "invalid_request")

	rec := httptest.NewRecorder()
	greenarrow.New(env.Deps).WriteError(rec, httptest.NewRequest("GET", "/ga/api/v2/organizations", nil),
		errors.New("sqlite: disk I/O error at secret/path"))
	requireError(t, emutest.Response{Status: rec.Code, Body: rec.Body.String()}, 500, "internal_error")
	assert.NotContains(t, rec.Body.String(), "secret/path")
}

package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/app"
)

// TestErrorsNameTheVendorsPath: a message that names a path names it as the
// vendor's own service sees it, below the emulator's prefix and a world's
// /w/{id} (a real service never shows either); the control plane's paths
// are its own and stay whole.
func TestErrorsNameTheVendorsPath(t *testing.T) {
	t.Parallel()
	e := start(t, app.Options{})
	e.create(`{"id": "suite-1"}`)
	cases := []struct {
		method, path, header string
		status               int
		body                 string
	}{
		// an unknown path
		{"GET", "/loopmessage/api/v1/nothing/", loopKey, 404,
			`{"success":false,"code":100,"message":"Not found: /api/v1/nothing/."}`},
		{"PATCH", "/greenarrow/ga/api/v2/nothing", gaAdmin, 404,
			`{"success":false,"data":null,"error_code":"not_found","error_message":"no route matches PATCH /ga/api/v2/nothing."}`},
		// a route the handler itself does not have
		{"GET", "/greenarrow/ga/api/v2/organizations/1/messages_sent/weekly", gaAdmin, 404,
			`{"success":false,"data":null,"error_code":"not_found","error_message":"no route matches GET /ga/api/v2/organizations/1/messages_sent/weekly"}`},
		// a close route, with or without the trailing slash
		{"GET", "/loopmessage/api/v1/organizations/list", loopKey, 404,
			`{"success":false,"code":100,"message":"Not found: /api/v1/organizations/list. Did you mean /api/v1/organizations/list/ (with a trailing slash)?"}`},
		{"GET", "/360dialog/api/v2/partners/examplePA/", partnerKey, 404,
			`{"meta":{"success":false,"http_code":404,"developer_message":"The requested URL was not found on this server. Did you mean /api/v2/partners/examplePA (without the trailing slash)?","details":[]}}`},
		{"GET", "/courier/v1/messaging-channels", courierTok, 404,
			`{"errors":[{"status":404,"code":"NotFound","detail":"Not found. Did you mean /v1/messaging-channels/ (with a trailing slash)?","meta":{}}]}`},
		{"DELETE", "/loopmessage/api/v1/organizations/list", loopKey, 404,
			`{"success":false,"code":100,"message":"Not found: /api/v1/organizations/list. /api/v1/organizations/list/ (with a trailing slash) serves GET, HEAD."}`},
		// a method the path does not serve
		{"PATCH", "/loopmessage/api/v1/organizations/list/", loopKey, 405,
			`{"success":false,"code":100,"message":"Method PATCH is not allowed on /api/v1/organizations/list/ (allowed: GET, HEAD)"}`},
		{"PATCH", "/greenarrow/ga/api/v2/organizations", gaAdmin, 405,
			`{"success":false,"data":null,"error_code":"invalid_request","error_message":"method PATCH is not allowed on /ga/api/v2/organizations (allowed: GET, HEAD, POST)"}`},
	}
	for _, base := range []string{"", "/w/suite-1"} {
		for _, c := range cases {
			res := e.do(c.method, base+c.path, "", c.header)
			require.Equal(t, c.status, res.status, "%s %s%s: %s", c.method, base, c.path, res.body)
			if c.body != "" {
				assert.JSONEq(t, c.body, res.body, "%s %s%s", c.method, base, c.path)
			}
			for _, shown := range []string{"/loopmessage", "/greenarrow", "/360dialog", "/courier", "/w/"} {
				assert.NotContains(t, res.body, shown, "%s %s%s", c.method, base, c.path)
			}
		}
		// The control plane names its own paths, the vendors' control calls included.
		res := e.do(http.MethodGet, base+"/_emulator/greenarrow/nothing", "")
		assert.Equal(t, http.StatusNotFound, res.status)
		assert.True(t, strings.Contains(res.body, "GET /_emulator/greenarrow/nothing"), res.body)
	}
}

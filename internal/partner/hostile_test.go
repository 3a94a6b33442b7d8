package partner_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/partner"
)

func newTestEnv(t *testing.T) *emutest.Env { return newEnv(t) }

// metaEnvelope asserts 360dialog's error envelope with status.
func metaEnvelope(t *testing.T, res emutest.Response, status int) {
	t.Helper()
	require.Equal(t, status, res.Status, res.Body)
	var e struct {
		Meta struct {
			Success          *bool            `json:"success"`
			HTTPCode         int              `json:"http_code"`
			DeveloperMessage string           `json:"developer_message"`
			Details          []partner.Detail `json:"details"`
		} `json:"meta"`
	}
	require.NoError(t, json.Unmarshal([]byte(res.Body), &e), res.Body)
	require.NotNil(t, e.Meta.Success, res.Body)
	assert.False(t, *e.Meta.Success)
	assert.Equal(t, status, e.Meta.HTTPCode)
	assert.NotEmpty(t, e.Meta.DeveloperMessage)
	assert.NotNil(t, e.Meta.Details, res.Body)
	if status == http.StatusMethodNotAllowed {
		assert.True(t, strings.HasPrefix(e.Meta.DeveloperMessage, "The method "), res.Body)
	}
}

// TestStrictJSONOnEveryWriteRoute: data after the JSON value, null, invalid
// UTF-8 and NUL characters are refused (400 in the meta envelope; the token
// route's OAuth invalid_request), changing nothing; members that differ from
// 360dialog's only by case are unknown members, ignored like any other.
func TestStrictJSONOnEveryWriteRoute(t *testing.T) {
	t.Parallel()
	routes := []emutest.WriteRoute{
		{Method: "PATCH", Path: base + "/partners/examplePA", Headers: []string{exampleK}, Status: 200,
			Template: `{"webhook_url": "https://company.com/webhook@1@", "partner_redirect_url": "https://company.com/r@2@",
				"allow_client_to_add_phone_no": false}`},
		{Method: "POST", Path: base + "/partners/examplePA/webhook_url", Headers: []string{exampleK}, Status: 200,
			Template: `{"webhook_url": "https://company.com/w@1@"}`},
		{Method: "POST", Path: base + "/token", Status: 200,
			Template: `{"username": "partner@example.com@1@", "password": "partner-password@2@"}`},
	}
	var listed, walked []string
	for _, rt := range routes {
		listed = append(listed, rt.Method+" "+strings.Replace(rt.Path, "examplePA", "{partner_id}", 1))
	}
	for pattern, methods := range emutest.RouteTable(t, partner.New(newEnv(t).Deps).Routes()) {
		for _, m := range methods {
			if m == "POST" || m == "PUT" || m == "PATCH" {
				walked = append(walked, m+" /360dialog"+pattern)
			}
		}
	}
	assert.ElementsMatch(t, walked, listed)

	emutest.CheckBodies(t, emutest.BodyRules{
		New:      newTestEnv,
		Snapshot: func(t *testing.T, e *emutest.Env) string { return e.Tables(t, "dlg_") },
		Refused: func(t *testing.T, res emutest.Response) {
			if strings.HasPrefix(res.Body, `{"error"`) { // the token route
				require.Equal(t, 400, res.Status, res.Body)
				assert.Contains(t, res.Body, `"error":"invalid_request"`)
				return
			}
			metaEnvelope(t, res, 400)
		},
		Routes: routes,
	})
}

// TestMethodsOnEveryRoute: on every route (chi.Walk), a method the path does
// not serve is a 405 in the meta envelope with Allow, HEAD answers like GET,
// and a path no route has is a 404.
func TestMethodsOnEveryRoute(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	env.CheckMethods(t, emutest.MethodRules{Prefix: "/360dialog", Routes: partner.New(env.Deps).Routes(),
		Fill: emutest.FillParams(map[string]string{"partner_id": "examplePA"}), Headers: []string{exampleK},
		Error: metaEnvelope})
}

// TestPercentEncodedPartnerID: a partner id sent percent-encoded is the same
// id on every route; an invalid escape names no partner (403, like any id
// that is not the caller's).
func TestPercentEncodedPartnerID(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	enc := emutest.EscapeAll("examplePA")
	for _, p := range []string{"", "/webhook_url", "/clients", "/channels"} {
		plain := env.Do(t, "GET", base+"/partners/examplePA"+p, "", exampleK)
		require.Equal(t, 200, plain.Status, plain.Body)
		got := env.Do(t, "GET", base+"/partners/"+enc+p, "", exampleK)
		assert.Equal(t, plain.Status, got.Status, p)
		assert.Equal(t, plain.Body, got.Body, p)
	}
	res := env.Do(t, "PATCH", base+"/partners/"+enc, `{"webhook_url": "https://company.com/encoded"}`, exampleK)
	require.Equal(t, 200, res.Status, res.Body)
	res = env.Do(t, "POST", base+"/partners/exa%6DplePA/webhook_url", `{"webhook_url": "https://company.com/again"}`, exampleK)
	assert.JSONEq(t, `{"webhook_url": "https://company.com/again"}`, res.Body)

	req := httptest.NewRequest("GET", base+"/partners/examplePA", nil)
	req.URL.RawPath = base + "/partners/example%zz"
	req.Header.Set("X-API-Key", "examplePA-api-key")
	w := httptest.NewRecorder()
	env.Server.Config.Handler.ServeHTTP(w, req)
	metaEnvelope(t, emutest.Response{Status: w.Code, Body: w.Body.String()}, 403)
}

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
// route's OAuth invalid_request; the control routes' {"error"}), changing
// nothing, the webhook outbox included; members that differ from 360dialog's
// only by case are unknown members, ignored like any other (refused by the
// strict control routes).
func TestStrictJSONOnEveryWriteRoute(t *testing.T) {
	t.Parallel()
	// One receiver for every environment: their states differ only by what the requests did.
	rc := emutest.NewReceiver(t, emutest.Answering(http.StatusOK))
	routes := []emutest.WriteRoute{
		{Method: "PATCH", Path: base + "/partners/examplePA", Headers: []string{exampleK}, Status: 200,
			Template: `{"webhook_url": "https://company.com/webhook@1@", "partner_redirect_url": "https://company.com/r@2@",
				"allow_client_to_add_phone_no": false}`},
		{Method: "POST", Path: base + "/partners/examplePA/webhook_url", Headers: []string{exampleK}, Status: 200,
			Template: `{"webhook_url": "https://company.com/w@1@"}`},
		{Method: "POST", Path: base + "/token", Status: 200,
			Template: `{"username": "partner@example.com@1@", "password": "partner-password@2@"}`},
		{Method: "POST", Path: ctl + "/partners/examplePA/clients", Strict: true, Status: 201,
			Template: `{"name": "Zeta@1@ Zoo", "phone_number": "+4915112345678"}`},
		{Method: "POST", Path: ctl + "/channels/ch00000001/violation", Strict: true, Status: 200,
			Template: `{"violation_type": "SCAM@1@"}`},
	}
	var listed, walked []string
	params := strings.NewReplacer("examplePA", "{partner_id}", "ch00000001", "{channel_id}")
	for _, rt := range routes {
		listed = append(listed, rt.Method+" "+params.Replace(rt.Path))
	}
	api := partner.New(newEnv(t).Deps)
	for prefix, h := range map[string]http.Handler{"/360dialog": api.Routes(), ctl: api.ControlRoutes()} {
		for pattern, methods := range emutest.RouteTable(t, h) {
			for _, m := range methods {
				if m == "POST" || m == "PUT" || m == "PATCH" {
					walked = append(walked, m+" "+prefix+pattern)
				}
			}
		}
	}
	assert.ElementsMatch(t, walked, listed)

	emutest.CheckBodies(t, emutest.BodyRules{
		New: func(t *testing.T) *emutest.Env { return hookEnv(t, rc, rc) },
		Snapshot: func(t *testing.T, e *emutest.Env) string {
			return e.Tables(t, "dlg_") + e.Tables(t, "wh_")
		},
		Refused: func(t *testing.T, res emutest.Response) {
			switch {
			case strings.Contains(res.Body, `"error_description"`): // the token route
				require.Equal(t, 400, res.Status, res.Body)
				assert.Contains(t, res.Body, `"error":"invalid_request"`)
			case strings.HasPrefix(res.Body, `{"error"`): // the control routes
				require.Equal(t, 400, res.Status, res.Body)
			default:
				metaEnvelope(t, res, 400)
			}
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
	env.CheckMethods(t, emutest.MethodRules{Prefix: ctl, Routes: partner.New(env.Deps).ControlRoutes(),
		Fill: emutest.FillParams(map[string]string{"partner_id": "examplePA", "channel_id": "ch00000001"}),
		Error: func(t *testing.T, res emutest.Response, status int) {
			require.Equal(t, status, res.Status, res.Body)
			var e struct {
				Error string `json:"error"`
			}
			require.NoError(t, json.Unmarshal([]byte(res.Body), &e), res.Body)
			assert.NotEmpty(t, e.Error)
		}})
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

package partner_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/partner"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

const (
	base     = "/360dialog/api/v2"
	exampleK = "X-API-Key: examplePA-api-key"
	otherK   = "X-API-Key: otherPA-api-key"
)

// docExample is the partner object of the docs' "Retrieve partner" response,
// with the fixture's values for the fields the docs give no example of.
const docExample = `{
  "id": "examplePA",
  "brand_name": "360dialog",
  "payment_required": true,
  "logo_url": "https://storage.com/logo.png",
  "onboarding_deeplink_add_params": false,
  "webhook_url": "https://yourwebsite.com/webhook",
  "partner_redirect_url": "https://yourwebsite.com/redirect",
  "country": "US",
  "blocked_new_submission": false,
  "allow_client_to_add_phone_no": true,
  "settings": null,
  "billing_system": "stripe",
  "publishable_key": null
}`

func newEnv(t testing.TB) *emutest.Env {
	return emutest.New(t, []store.Schema{partner.Schema()}, func(d server.Deps) []server.Vendor {
		return []server.Vendor{partner.New(d)}
	})
}

func TestGetPartnerMatchesDocs(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	res := env.Do(t, "GET", base+"/partners/examplePA", "", exampleK)
	require.Equal(t, http.StatusOK, res.Status)
	assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
	assert.JSONEq(t, docExample, res.Body)
	// Key order is the docs' order.
	assert.True(t, strings.HasPrefix(res.Body, `{"id":"examplePA","brand_name":"360dialog","payment_required":true,"logo_url"`), res.Body)
	assert.NotEmpty(t, res.Header.Get("X-Request-Id"))
}

func TestAPIKeyHeaderAnyCase(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	res := env.Do(t, "GET", base+"/partners/examplePA", "", "x-api-key: examplePA-api-key")
	assert.Equal(t, http.StatusOK, res.Status)
}

func errorBody(status int, msg string) string {
	return fmt.Sprintf(`{"meta":{"success":false,"http_code":%d,"developer_message":%q,"details":[]}}`, status, msg)
}

func TestAuthErrors(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	tests := []struct {
		name    string
		path    string
		headers []string
		status  int
		msg     string
	}{
		{"no credentials", "/partners/examplePA", nil, 401, "Missing authentication: send X-API-Key or Authorization: Bearer <token>."},
		{"unknown key", "/partners/examplePA", []string{"X-API-Key: nope"}, 401, "Invalid API key."},
		{"basic auth", "/partners/examplePA", []string{"Authorization: Basic Zm9vOmJhcg=="}, 401, `Authorization must be "Bearer <access_token>".`},
		{"garbage token", "/partners/examplePA", []string{"Authorization: Bearer abc.def.ghi"}, 401, "Invalid access token."},
		{"other partner's id", "/partners/otherPA", []string{exampleK}, 403, "You do not have permission to access this partner."},
		{"unknown partner id", "/partners/nobody", []string{exampleK}, 403, "You do not have permission to access this partner."},
		{"other partner's webhook", "/partners/examplePA/webhook_url", []string{otherK}, 403, "You do not have permission to access this partner."},
		// Credentials are checked before the partner, the partner before the query.
		{"unknown key, bad query", "/partners/examplePA/clients?limit=0", []string{"X-API-Key: nope"}, 401, "Invalid API key."},
		{"garbage token, channels", "/partners/examplePA/channels", []string{"Authorization: Bearer abc.def.ghi"}, 401, "Invalid access token."},
		{"other partner's clients, bad query", "/partners/otherPA/clients?limit=0", []string{exampleK}, 403, "You do not have permission to access this partner."},
		{"other partner's channels", "/partners/otherPA/channels", []string{exampleK}, 403, "You do not have permission to access this partner."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := env.Do(t, "GET", base+tc.path, "", tc.headers...)
			assert.Equal(t, tc.status, res.Status)
			assert.JSONEq(t, errorBody(tc.status, tc.msg), res.Body)
		})
	}
}

func TestPatchPartner(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	res := env.Do(t, "PATCH", base+"/partners/examplePA",
		`{"webhook_url":"https://company.com/webhook","partner_redirect_url":"https://company.com/onboarding-redirect",
		  "allow_client_to_add_phone_no":false,"brand_name":"ignored","country":"DE","surprise":1}`, exampleK)
	require.Equal(t, http.StatusOK, res.Status, res.Body)
	want := strings.NewReplacer(
		`"https://yourwebsite.com/webhook"`, `"https://company.com/webhook"`,
		`"https://yourwebsite.com/redirect"`, `"https://company.com/onboarding-redirect"`,
		`"allow_client_to_add_phone_no": true`, `"allow_client_to_add_phone_no": false`).Replace(docExample)
	assert.JSONEq(t, want, res.Body)
	// "&" is written as it is, in the encoded GET as in the PATCH answer.
	res = env.Do(t, "PATCH", base+"/partners/examplePA", `{"webhook_url":"https://company.com/webhook"}`, exampleK)
	assert.Contains(t, res.Body, `"partner_redirect_url":"https://company.com/onboarding-redirect"`)
	// The change is visible in later reads; read-only and unknown fields were ignored.
	res = env.Do(t, "GET", base+"/partners/examplePA", "", exampleK)
	assert.JSONEq(t, want, res.Body)
	// The other partner is untouched.
	res = env.Do(t, "GET", base+"/partners/otherPA", "", otherK)
	assert.Contains(t, res.Body, `"webhook_url":"https://other.example.com/webhook"`)
}

func TestQueryStringURLsAreNotEscaped(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	res := env.Do(t, "PATCH", base+"/partners/examplePA", `{"webhook_url":"https://h.example.com/hook?a=1&b=2"}`, exampleK)
	require.Equal(t, http.StatusOK, res.Status)
	assert.Contains(t, res.Body, `"webhook_url":"https://h.example.com/hook?a=1&b=2"`)
	res = env.Do(t, "GET", base+"/partners/examplePA", "", exampleK)
	assert.Contains(t, res.Body, `"webhook_url":"https://h.example.com/hook?a=1&b=2"`)
}

func TestPatchEmptyObjectChangesNothing(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	res := env.Do(t, "PATCH", base+"/partners/examplePA", `{}`, exampleK)
	require.Equal(t, http.StatusOK, res.Status)
	assert.JSONEq(t, docExample, res.Body)
}

func TestPatchValidationIsAtomic(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	tests := []struct {
		name, body, details string
	}{
		{"bad url and good bool", `{"webhook_url":"ftp://x.com/h","allow_client_to_add_phone_no":false}`,
			`[{"field":"webhook_url","message":"Enter a valid URL: an absolute http or https URL with a host."}]`},
		{"relative url", `{"partner_redirect_url":"/redirect","webhook_url":"https://ok.example.com"}`,
			`[{"field":"partner_redirect_url","message":"Enter a valid URL: an absolute http or https URL with a host."}]`},
		{"no host", `{"webhook_url":"https://"}`,
			`[{"field":"webhook_url","message":"Enter a valid URL: an absolute http or https URL with a host."}]`},
		{"url not a string", `{"webhook_url":42}`, `[{"field":"webhook_url","message":"Must be a string."}]`},
		{"bool as string", `{"allow_client_to_add_phone_no":"true"}`,
			`[{"field":"allow_client_to_add_phone_no","message":"Must be a valid boolean."}]`},
		{"nulls", `{"webhook_url":null,"partner_redirect_url":null,"allow_client_to_add_phone_no":null}`,
			`[{"field":"webhook_url","message":"This field may not be null."},
			  {"field":"partner_redirect_url","message":"This field may not be null."},
			  {"field":"allow_client_to_add_phone_no","message":"This field may not be null."}]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := env.Do(t, "PATCH", base+"/partners/examplePA", tc.body, exampleK)
			assert.Equal(t, http.StatusBadRequest, res.Status)
			assert.JSONEq(t, `{"meta":{"success":false,"http_code":400,"developer_message":"Invalid request body.","details":`+tc.details+`}}`, res.Body)
		})
	}
	res := env.Do(t, "GET", base+"/partners/examplePA", "", exampleK)
	assert.JSONEq(t, docExample, res.Body, "a rejected update changed nothing")
}

func TestMalformedBodies(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	res := env.Do(t, "PATCH", base+"/partners/examplePA", "", exampleK)
	assert.Equal(t, http.StatusBadRequest, res.Status, "no body at all")
	assert.JSONEq(t, `{"meta":{"success":false,"http_code":400,"developer_message":"Invalid request body: request body is empty","details":[]}}`, res.Body)
	for _, body := range []string{`{`, `[]`, `"x"`, `{"webhook_url":"https://a.com"} trailing`, `nul`} {
		res := env.Do(t, "PATCH", base+"/partners/examplePA", body, exampleK)
		assert.Equal(t, http.StatusBadRequest, res.Status, body)
		assert.Contains(t, res.Body, `"http_code":400`, body)
	}
	big := `{"webhook_url":"https://a.com/` + strings.Repeat("a", 2<<20) + `"}`
	res = env.Do(t, "PATCH", base+"/partners/examplePA", big, exampleK)
	assert.Equal(t, http.StatusRequestEntityTooLarge, res.Status)
	assert.JSONEq(t, errorBody(413, "Request body is larger than 1048576 bytes."), res.Body)
	res = env.Do(t, "GET", base+"/partners/examplePA", "", exampleK)
	assert.JSONEq(t, docExample, res.Body)
}

// TestPatchErrorOrder: the credential is checked before the partner, the
// partner before the body, whatever the body holds.
func TestPatchErrorOrder(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	forbidden := errorBody(403, "You do not have permission to access this partner.")
	for _, tc := range []struct {
		name, path, body, header string
		status                   int
		want                     string
	}{
		{"unknown key, malformed body", "/partners/examplePA", `{`, "X-API-Key: nope", 401, errorBody(401, "Invalid API key.")},
		{"no credentials, bad field", "/partners/examplePA", `{"webhook_url":42}`, "", 401,
			errorBody(401, "Missing authentication: send X-API-Key or Authorization: Bearer <token>.")},
		{"other partner, bad field", "/partners/otherPA", `{"webhook_url":42}`, exampleK, 403, forbidden},
		{"other partner, good body", "/partners/otherPA", `{"webhook_url":"https://a.com"}`, exampleK, 403, forbidden},
		{"unknown partner, empty body", "/partners/nobody", ``, exampleK, 403, forbidden},
		{"own partner, malformed body", "/partners/examplePA", `{`, exampleK, 400,
			`{"meta":{"success":false,"http_code":400,"developer_message":"Invalid request body: request body is not valid JSON","details":[]}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var headers []string
			if tc.header != "" {
				headers = append(headers, tc.header)
			}
			res := env.Do(t, "PATCH", base+tc.path, tc.body, headers...)
			assert.Equal(t, tc.status, res.Status)
			assert.JSONEq(t, tc.want, res.Body)
		})
	}
	res := env.Do(t, "GET", base+"/partners/otherPA", "", otherK)
	assert.NotContains(t, res.Body, "https://a.com", "a refused update changed nothing")
}

func TestUnknownRouteAndMethod(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	res := env.Do(t, "GET", "/360dialog/api/v2/nothing", "", exampleK)
	assert.Equal(t, http.StatusNotFound, res.Status)
	assert.JSONEq(t, errorBody(404, "The requested URL was not found on this server."), res.Body)
	res = env.Do(t, "DELETE", base+"/partners/examplePA", "", exampleK)
	assert.Equal(t, http.StatusMethodNotAllowed, res.Status)
	assert.JSONEq(t, errorBody(405, "The method DELETE is not allowed for the requested URL. Allowed: GET, HEAD, PATCH."), res.Body)
}

func token(t *testing.T, env *emutest.Env, user, password string) string {
	t.Helper()
	res := env.Do(t, "POST", base+"/token", fmt.Sprintf(`{"username":%q,"password":%q}`, user, password))
	require.Equal(t, http.StatusOK, res.Status, res.Body)
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	require.NoError(t, json.Unmarshal([]byte(res.Body), &tok))
	assert.Equal(t, "Bearer", tok.TokenType)
	assert.Equal(t, 86400, tok.ExpiresIn)
	return tok.AccessToken
}

func TestBearerToken(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	tok := token(t, env, "partner@example.com", "partner-password")

	// A real HS256 JWT whose claims name the partner and expire in a day of emulated time.
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	require.NoError(t, err)
	assert.JSONEq(t, `{"alg":"HS256","typ":"JWT"}`, string(header))
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	now := emutest.Start.Unix()
	assert.JSONEq(t, fmt.Sprintf(`{"sub":"partner@example.com","partner_id":"examplePA","iat":%d,"exp":%d}`, now, now+86400), string(payload))

	bearer := "Authorization: Bearer " + tok
	res := env.Do(t, "GET", base+"/partners/examplePA", "", bearer)
	require.Equal(t, http.StatusOK, res.Status)
	assert.JSONEq(t, docExample, res.Body)
	res = env.Do(t, "GET", base+"/partners/otherPA", "", bearer)
	assert.Equal(t, http.StatusForbidden, res.Status)

	// A tampered signature or payload is refused.
	forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"x","partner_id":"otherPA","exp":9999999999}`)) + "." + parts[2]
	res = env.Do(t, "GET", base+"/partners/otherPA", "", "Authorization: Bearer "+forged)
	assert.Equal(t, http.StatusUnauthorized, res.Status)

	// The API key wins over the token when both are sent.
	res = env.Do(t, "GET", base+"/partners/examplePA", "", bearer, otherK)
	assert.Equal(t, http.StatusForbidden, res.Status)
	res = env.Do(t, "GET", base+"/partners/examplePA", "", bearer, "X-API-Key: wrong")
	assert.Equal(t, http.StatusUnauthorized, res.Status)

	// It expires on the emulated clock.
	env.Deps.Clock.Advance(24*time.Hour - time.Second)
	res = env.Do(t, "GET", base+"/partners/examplePA", "", bearer)
	assert.Equal(t, http.StatusOK, res.Status)
	env.Deps.Clock.Advance(time.Second)
	res = env.Do(t, "GET", base+"/partners/examplePA", "", bearer)
	assert.Equal(t, http.StatusUnauthorized, res.Status)
	assert.JSONEq(t, errorBody(401, "Access token has expired."), res.Body)
}

func TestTokenErrors(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	tests := []struct {
		body   string
		status int
		want   string
	}{
		{`{"username":"partner@example.com","password":"wrong"}`, 401, `{"error":"invalid_grant","error_description":"Wrong email or password."}`},
		{`{"username":"nobody@example.com","password":"partner-password"}`, 401, `{"error":"invalid_grant","error_description":"Wrong email or password."}`},
		{`{"username":"partner@example.com"}`, 400, `{"error":"invalid_request","error_description":"username and password are required"}`},
		{`{"username":1,"password":"x"}`, 400, `{"error":"invalid_request","error_description":"username must be a string, not number"}`},
		{`not json`, 400, `{"error":"invalid_request","error_description":"request body is not valid JSON"}`},
	}
	for _, tc := range tests {
		res := env.Do(t, "POST", base+"/token", tc.body)
		assert.Equal(t, tc.status, res.Status, tc.body)
		assert.JSONEq(t, tc.want, res.Body, tc.body)
	}
	// The other partner's hub user gets the other partner.
	tok := token(t, env, "other@example.com", "other-password")
	res := env.Do(t, "GET", base+"/partners/otherPA", "", "Authorization: Bearer "+tok)
	assert.Equal(t, http.StatusOK, res.Status)
}

func TestWebhookURL(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	res := env.Do(t, "GET", base+"/partners/examplePA/webhook_url", "", exampleK)
	require.Equal(t, http.StatusOK, res.Status)
	assert.JSONEq(t, `{"webhook_url":"https://yourwebsite.com/webhook"}`, res.Body)

	res = env.Do(t, "POST", base+"/partners/examplePA/webhook_url", `{"webhook_url":"http://new.example.com/hook"}`, exampleK)
	require.Equal(t, http.StatusOK, res.Status, res.Body)
	assert.JSONEq(t, `{"webhook_url":"http://new.example.com/hook"}`, res.Body)
	res = env.Do(t, "GET", base+"/partners/examplePA", "", exampleK)
	assert.Contains(t, res.Body, `"webhook_url":"http://new.example.com/hook"`)

	res = env.Do(t, "POST", base+"/partners/examplePA/webhook_url", `{}`, exampleK)
	assert.Equal(t, http.StatusBadRequest, res.Status)
	assert.JSONEq(t, `{"meta":{"success":false,"http_code":400,"developer_message":"Invalid request body.","details":[{"field":"webhook_url","message":"This field is required."}]}}`, res.Body)
	res = env.Do(t, "POST", base+"/partners/examplePA/webhook_url", `{"webhook_url":"nope"}`, exampleK)
	assert.Equal(t, http.StatusBadRequest, res.Status)
	res = env.Do(t, "POST", base+"/partners/otherPA/webhook_url", `{"webhook_url":"https://evil.example.com"}`, exampleK)
	assert.Equal(t, http.StatusForbidden, res.Status)
	res = env.Do(t, "GET", base+"/partners/otherPA/webhook_url", "", otherK)
	assert.JSONEq(t, `{"webhook_url":"https://other.example.com/webhook"}`, res.Body)
}

func TestConcurrentPatches(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := env.Do(t, "PATCH", base+"/partners/examplePA", fmt.Sprintf(`{"webhook_url":"https://h%d.example.com"}`, i), exampleK)
			assert.Equal(t, http.StatusOK, res.Status)
		}()
	}
	wg.Wait()
	res := env.Do(t, "GET", base+"/partners/examplePA", "", exampleK)
	assert.Contains(t, res.Body, `.example.com"`)
}

func TestResetRestoresFixtures(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	env.Do(t, "PATCH", base+"/partners/examplePA", `{"webhook_url":"https://changed.example.com"}`, exampleK)
	res := env.Do(t, "POST", "/_emulator/reset?vendor=360dialog", "")
	require.Equal(t, http.StatusOK, res.Status)
	res = env.Do(t, "GET", base+"/partners/examplePA", "", exampleK)
	assert.JSONEq(t, docExample, res.Body)
}

func BenchmarkGetPartner(b *testing.B) {
	env := newEnv(b)
	b.ReportAllocs()
	for b.Loop() {
		if res := env.Do(b, "GET", base+"/partners/examplePA", "", exampleK); res.Status != http.StatusOK {
			b.Fatalf("status %d: %s", res.Status, res.Body)
		}
	}
}

func BenchmarkPatchPartner(b *testing.B) {
	env := newEnv(b)
	body := `{"webhook_url":"https://bench.example.com/hook","allow_client_to_add_phone_no":true}`
	b.ReportAllocs()
	for b.Loop() {
		if res := env.Do(b, "PATCH", base+"/partners/examplePA", body, exampleK); res.Status != http.StatusOK {
			b.Fatalf("status %d: %s", res.Status, res.Body)
		}
	}
}

func BenchmarkClientsList(b *testing.B) {
	env := newEnv(b)
	b.ReportAllocs()
	for b.Loop() {
		if res := env.Do(b, "GET", base+"/partners/examplePA/clients", "", exampleK); res.Status != http.StatusOK {
			b.Fatalf("status %d: %s", res.Status, res.Body)
		}
	}
}

// TestKeptJSONIsTheEncodersBytes: GET and PATCH answer the partner's kept
// JSON byte for byte as encoding it from its columns does (the general path,
// taken for a row whose JSON is not kept), with strings that JSON escapes.
func TestKeptJSONIsTheEncodersBytes(t *testing.T) {
	t.Parallel()
	const doc = `{"partners": [{"id": "p\"1\u2028", "api_key": "k1",
		"brand_name": "A \"q\" <b>&amp; \\ \u2028\u2029 é 😀 ,\"webhook_url\": \t\u0001\u007f",
		"payment_required": true, "logo_url": "https://x.com/?a=1&b=<2>",
		"webhook_url": "https://x.com/h?a=\",\"country\":", "partner_redirect_url": "https://x.com/\u2028",
		"country": "ÜS", "blocked_new_submission": true, "allow_client_to_add_phone_no": false,
		"settings": { "a" : [1, 2.50, 1e3, "x\u2028<>&"], "country": {"allow_client_to_add_phone_no": true} },
		"billing_system": "", "publishable_key": "pk_<&>"}]}`
	newVendor := func(d server.Deps) []server.Vendor { return []server.Vendor{partner.New(d)} }
	kept := emutest.Seeded(t, partner.Schema(), "360dialog.json", []byte(doc), nil, newVendor)
	encoded := emutest.Seeded(t, partner.Schema(), "360dialog.json", []byte(doc), nil, newVendor)
	_, err := encoded.Deps.DB.Write().Exec(`UPDATE dlg_partners SET json_head = NULL`)
	require.NoError(t, err)
	path := base + "/partners/" + url.PathEscape("p\"1\u2028")
	for _, step := range []struct{ method, body string }{
		{"GET", ""},
		{"PATCH", `{"webhook_url": "https://y.com/p\u2028q?x=<1>&y=\"z\"", "allow_client_to_add_phone_no": true}`},
		{"GET", ""},
		{"PATCH", `{"partner_redirect_url": "https://z.com/é"}`},
		{"GET", ""},
	} {
		want := encoded.Do(t, step.method, path, step.body, "X-API-Key: k1")
		got := kept.Do(t, step.method, path, step.body, "X-API-Key: k1")
		require.Equal(t, http.StatusOK, want.Status, want.Body)
		assert.Equal(t, want.Body, got.Body, "%s %s", step.method, step.body)
		assert.Equal(t, want.Header.Get("Content-Type"), got.Header.Get("Content-Type"))
		assert.Equal(t, want.Header.Get("Content-Length"), got.Header.Get("Content-Length"))
	}
	var got, want string
	require.NoError(t, kept.Deps.DB.Read().QueryRow(`SELECT `+`json_head IS NOT NULL FROM dlg_partners`).Scan(&got))
	require.NoError(t, encoded.Deps.DB.Read().QueryRow(`SELECT `+`json_head IS NOT NULL FROM dlg_partners`).Scan(&want))
	assert.Equal(t, []string{"1", "0"}, []string{got, want}, "one store keeps the JSON, the other does not")
}

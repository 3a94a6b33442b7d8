package greenarrow_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/greenarrow"
	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

func newSeqEnv(t *testing.T) *emutest.Env {
	return emutest.New(t, []store.Schema{greenarrow.Schema()}, func(d server.Deps) []server.Vendor {
		return []server.Vendor{greenarrow.New(d)}
	}, emutest.WithSequentialIDs())
}

// fixedCredits puts organization 3 on fixed credits (10), so that its
// credits can be adjusted.
func fixedCredits(t *testing.T, env *emutest.Env) string {
	requireOK(t, env.Do(t, "PUT", base+"/organizations/3", `{"organization":{"sending_quota":{"mode":"fixed_credits","limit":10}}}`, sysAdmin))
	return "3"
}

// gaWriteRoutes are every JSON write route of GreenArrow and of its control
// routes, each with a valid body whose names, URLs and codes are marked.
func gaWriteRoutes() []emutest.WriteRoute {
	admin := []string{sysAdmin}
	routes := []emutest.WriteRoute{
		{Method: "POST", Path: base + "/organizations", Headers: admin, Status: 200,
			Template: `{"organization": {"name": "New@1@ Org", "time_zone_name": "Central Time (US & Canada)@2@",
				"custom_headers": "X-Tag: a@3@", "sending_quota": {"mode": "fixed_credits@4@", "limit": 10},
				"permissions": {"virtual_mta": {"mode": "select_some", "virtual_mtas": [{"name": "ipaddr-1@5@"}]}}}}`},
		{Method: "POST", Path: base + "/organizations", Headers: admin, Status: 200,
			Template: `{"name": "Unwrapped@1@", "auto_subscriber_management": {"unsub_suppression_list": {"name": "Unsubscribes@2@"}}}`},
		{Method: "PUT", Path: base + "/organizations/3", Headers: admin, Status: 200,
			Template: `{"organization": {"name": "Renamed@1@", "html_header": "<b>@2@</b>",
				"sending_quota": {"mode": "hidden_limit@3@", "limit": 5}, "permissions": {"speed": 10}}}`},
		{Method: "PUT", Path: base + "/organizations/2", Headers: []string{orgAdmin}, Status: 200,
			Template: `{"time_zone_name": "(GMT+00:00) UTC@1@", "text_footer": "bye@2@"}`},
		{Method: "POST", Path: "/_emulator/greenarrow/organizations/3/sends", Strict: true, Status: 200,
			Template: `{"count": 2, "campaign_id": 7, "campaign_name": "Welcome@1@"}`},
	}
	for _, b := range []string{"/greenarrow/ga/api/v2", "/greenarrow/api/v2"} {
		for _, op := range []string{"add", "remove", "set"} {
			routes = append(routes, emutest.WriteRoute{Method: "PUT", Path: b + "/organizations/%s/" + op + "_sending_credits",
				Headers: admin, Status: 200, Template: `{"credits": 5}`, Setup: fixedCredits})
		}
	}
	return routes
}

// TestStrictJSONOnEveryWriteRoute: data after the JSON value, null, invalid
// UTF-8 and NUL characters are refused (400 invalid_request; the control
// route's {"error"}), changing nothing; members that differ from GreenArrow's
// only by case are unknown members (ignored, as GreenArrow ignores unknown
// members; refused by the strict control route).
func TestStrictJSONOnEveryWriteRoute(t *testing.T) {
	t.Parallel()
	routes := gaWriteRoutes()
	var listed, walked []string
	for _, rt := range routes {
		p := strings.NewReplacer("/3/", "/{id}/", "/2", "/{id}", "/3", "/{id}", "%s", "{id}").Replace(rt.Path)
		listed = append(listed, rt.Method+" "+p)
	}
	api := greenarrow.New(newSeqEnv(t).Deps)
	for prefix, h := range map[string]http.Handler{"/greenarrow": api.Routes(), "/_emulator/greenarrow": api.ControlRoutes()} {
		for pattern, methods := range emutest.RouteTable(t, h) {
			for _, m := range methods {
				if m == "POST" || m == "PUT" || m == "PATCH" {
					walked = append(walked, m+" "+prefix+pattern)
				}
			}
		}
	}
	assert.ElementsMatch(t, walked, slices.Compact(slices.Sorted(slices.Values(listed))))

	emutest.CheckBodies(t, emutest.BodyRules{
		New:      newSeqEnv,
		Snapshot: func(t *testing.T, e *emutest.Env) string { return snapshot(t, e) },
		Refused: func(t *testing.T, res emutest.Response) {
			if strings.HasPrefix(res.Body, `{"error"`) { // the control route
				assert.Equal(t, 400, res.Status, res.Body)
				return
			}
			requireError(t, res, 400, "invalid_request")
		},
		Routes: routes,
	})
}

// TestMethodsOnEveryRoute: on every route (chi.Walk), a method the path does
// not serve is a 405 invalid_request with Allow, HEAD answers like GET, and a
// path no route has is a 404 not_found; the same for the control routes, in
// the control plane's format.
func TestMethodsOnEveryRoute(t *testing.T) {
	t.Parallel()
	env := newSeqEnv(t)
	api := greenarrow.New(env.Deps)
	env.CheckMethods(t, emutest.MethodRules{Prefix: "/greenarrow", Routes: api.Routes(),
		Fill: emutest.FillParams(map[string]string{"id": "2", "report": "daily", "code": "c"}), Headers: []string{sysAdmin},
		Error: func(t *testing.T, res emutest.Response, status int) {
			code := "not_found"
			if status == http.StatusMethodNotAllowed {
				code = "invalid_request"
			}
			requireError(t, res, status, code)
		}, EitherSlash: true})
	env.CheckMethods(t, emutest.MethodRules{Prefix: "/_emulator/greenarrow", Routes: api.ControlRoutes(),
		Fill: emutest.FillParams(map[string]string{"id": "2"}), Error: func(t *testing.T, res emutest.Response, status int) {
			assert.Equal(t, status, res.Status)
			assert.Contains(t, res.Body, `{"error":`)
		}})
}

// TestPercentEncodedPathParameters: a delete code sent as encodeURIComponent
// and Python's quote send it (":" as %3A) deletes, end to end, and so does a
// code whose every byte is escaped; ids and report names are decoded on every
// route that takes them; an invalid escape names nothing.
func TestPercentEncodedPathParameters(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	code := deleteCode(t, env, 4).Code
	require.Contains(t, code, ":")
	res := env.Do(t, "DELETE", base+"/organizations/4/confirmed/"+strings.Replace(code, ":", "%3A", 1), "", sysAdmin)
	requireOK(t, res)
	assert.JSONEq(t, `{"success":true,"data":null,"error_code":null,"error_message":null}`, res.Body)
	requireError(t, env.Do(t, "GET", base+"/organizations/4", "", sysAdmin), 404, "not_found")

	code = deleteCode(t, env, 3).Code
	requireOK(t, env.Do(t, "DELETE", base+"/organizations/"+emutest.EscapeAll("3")+"/confirmed/"+emutest.EscapeAll(code), "", sysAdmin))
	requireError(t, env.Do(t, "GET", base+"/organizations/3", "", sysAdmin), 404, "not_found")

	requireOK(t, env.Do(t, "PUT", base+"/organizations/2", `{"organization":{"sending_quota":{"mode":"fixed_credits","limit":10}}}`, sysAdmin))
	// Every GET route with parameters; {...} is a parameter, sent escaped.
	param := regexp.MustCompile(`\{([^}]*)\}`)
	for _, path := range []string{
		"/ga/api/v2/organizations/{1}", "/ga/api/v2/organizations/{1}/messages_sent/{daily}",
		"/ga/api/organizations/{1}/messages_sent/{monthly.csv}", "/ga/api/v2/organizations/{2}/delete_confirmation_code",
		"/ga/api/v2/organizations/{2}/sending_credits", "/api/v2/organizations/{2}/sending_credits",
		"/ga/api/v2/virtual_mtas/{41}", "/ga/api/v2/bounce_emails/{1@1}", "/ga/api/v2/url_domains/{31}",
		"/ga/api/v2/suppression_lists/{2}",
	} {
		plainPath := "/greenarrow" + param.ReplaceAllString(path, "$1")
		encPath := "/greenarrow" + param.ReplaceAllStringFunc(path, func(p string) string { return emutest.EscapeAll(strings.Trim(p, "{}")) })
		plain := env.Do(t, "GET", plainPath, "", sysAdmin)
		enc := env.Do(t, "GET", encPath, "", sysAdmin)
		assert.Equal(t, 200, plain.Status, plainPath)
		assert.Equal(t, plain.Status, enc.Status, encPath)
		if !strings.HasSuffix(path, "delete_confirmation_code") { // a new code each time
			assert.Equal(t, plain.Body, enc.Body, encPath)
		}
	}
	res = env.Do(t, "PUT", "/greenarrow/api/v2/organizations/"+emutest.EscapeAll("2")+"/add_sending_credits", `{"credits": 1}`, sysAdmin)
	assert.Contains(t, string(requireOK(t, res).Data), `"current_credits_available":11`)
	res = env.Do(t, "POST", "/_emulator/greenarrow/organizations/"+emutest.EscapeAll("2")+"/sends", `{"count": 1, "campaign_id": 1, "campaign_name": "c"}`)
	assert.Equal(t, 200, res.Status, res.Body)

	req := httptest.NewRequest("GET", base+"/organizations/1", nil)
	req.URL.RawPath = base + "/organizations/%zz"
	name, value, _ := strings.Cut(sysAdmin, ": ")
	req.Header.Set(name, value)
	w := httptest.NewRecorder()
	env.Server.Config.Handler.ServeHTTP(w, req)
	requireError(t, emutest.Response{Status: w.Code, Header: w.Header(), Body: w.Body.String()}, 404, "not_found")
}

// TestStatusErrorsInGreenArrowsWords: an answer the emulator gives in
// GreenArrow's name (an unknown world, say) is GreenArrow's envelope, with
// the error_code GreenArrow uses for that status.
func TestStatusErrorsInGreenArrowsWords(t *testing.T) {
	t.Parallel()
	api := greenarrow.New(server.Deps{})
	for status, code := range map[int]string{400: "invalid_request", 401: "not_authorized", 403: "not_authorized",
		404: "not_found", 409: "invalid_request", 422: "validation_failed", 429: "invalid_request",
		500: "internal_error", 502: "internal_error", 503: "internal_error", 504: "internal_error"} {
		rec := httptest.NewRecorder()
		api.WriteError(rec, httptest.NewRequest(http.MethodGet, "/ga/api/v2/organizations", nil), &httpx.StatusError{Status: status, Message: "said"})
		assert.Equal(t, status, rec.Code)
		assert.JSONEq(t, `{"success":false,"data":null,"error_code":"`+code+`","error_message":"said"}`, rec.Body.String(), "%d", status)
	}
	rec := httptest.NewRecorder()
	api.WriteError(rec, httptest.NewRequest(http.MethodGet, "/ga/api/v2/organizations", nil), &httpx.StatusError{Status: 503})
	assert.JSONEq(t, `{"success":false,"data":null,"error_code":"internal_error","error_message":"Service Unavailable"}`, rec.Body.String(),
		"a fault rule without a message: the status's own words")
}

package courier_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/courier"
	"github.com/emulator/vendor-emulator/internal/courier/catalog"
	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/emutest"
)

func TestAuthentication(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	for name, header := range map[string]string{
		"missing":   "",
		"malformed": "Authorization: Token courier-admin-token",
		"empty":     "Authorization: Bearer ",
		"unknown":   "Authorization: Bearer nope",
	} {
		t.Run(name, func(t *testing.T) {
			var hs []string
			if header != "" {
				hs = append(hs, header)
			}
			r := env.Do(t, "GET", "/courier/v1/organizations/", "", hs...)
			require.Equal(t, http.StatusUnauthorized, r.Status)
			assert.Equal(t, ContentTypeAPI, r.Header.Get("Content-Type"))
			e := decode(t, r).Errors
			require.Len(t, e, 1)
			assert.Equal(t, 401, e[0].Status)
			assert.Equal(t, "NotAuthenticated", e[0].Code)
		})
	}
}

// TestUnknownTokenIsAnsweredFirst: a token nobody has is a 401 whatever else
// is wrong with the request, on every kind of operation, and a write with it
// changes nothing. The token is looked up in the operation's transaction, or,
// when the request fails before its transaction opens, before that failure
// is answered (jsonapi.Credential).
func TestUnknownTokenIsAnsweredFirst(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	message := resourceDoc("messaging-messages", "", `{"channel-id": "`+chanGroup1+`", "individual-id": "`+indAlice+`", "message": "hi"}`)
	before, changes := storeState(t, env), totalChanges(t, env)
	for _, tc := range []struct{ name, method, path, body, ctype string }{
		{"a valid post", "POST", "/v1/messaging-messages/", message, ""},
		{"malformed json", "POST", "/v1/messaging-messages/", `{"data": `, ""},
		{"trailing data", "POST", "/v1/messaging-messages/", message + "x", ""},
		{"unsupported media type", "POST", "/v1/messaging-messages/", message, "text/plain"},
		{"a bad query", "GET", "/v1/organizations/?page[limit]=0", "", ""},
		{"a missing filter", "GET", "/v1/messaging-messages/", "", ""},
		{"an unknown id", "GET", "/v1/messaging-channels/59999999-0000-4000-8000-000000000000/", "", ""},
		{"a patch", "PATCH", "/v1/messaging-channels/" + chanGroup1 + "/",
			resourceDoc("messaging-channels", chanGroup1, `{"name": "renamed"}`), ""},
		{"a delete", "DELETE", "/v1/messaging-messages/" + msg1 + "/reactions/", `{"reaction": "like"}`, ""},
		{"an action", "POST", "/v1/messaging-channels/" + chanGroup1 + "/archive/", `{}`, ""},
		{"a read", "GET", "/v1/messaging-channels/" + chanGroup1 + "/", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hs := []string{"Authorization: Bearer nobody-has-this"}
			if tc.ctype != "" {
				hs = append(hs, "Content-Type: "+tc.ctype)
			}
			r := env.Do(t, tc.method, "/courier"+tc.path, tc.body, hs...)
			require.Equal(t, http.StatusUnauthorized, r.Status, r.Body)
			assert.JSONEq(t, `{"errors": [{"status": 401, "code": "NotAuthenticated",
				"detail": "Invalid or expired access token.", "meta": {}}]}`, r.Body)
		})
	}
	assert.Equal(t, changes, totalChanges(t, env), "rows written")
	assert.Equal(t, before, storeState(t, env))
}

// TestErrorDocument pins the vendor's error sample shape: numeric status,
// code, detail, source, meta.
func TestErrorDocument(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	r := call(t, env, adminToken, "GET", "/v1/messaging-messages/", "")
	require.Equal(t, http.StatusBadRequest, r.Status)
	assert.JSONEq(t, `{"errors": [{"status": 400, "code": "ValidationError",
		"detail": "Query parameter \"channel-id\" is required.", "source": {"parameter": "channel-id"}, "meta": {}}]}`, r.Body)
}

func TestStatusRules(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	tests := []struct {
		name, token, method, path, body, ctype string
		status                                 int
		code, param, pointer                   string
	}{
		{"unknown route without credentials", "", "GET", "/v1/nothing-here/", "", "", 404, "NotFound", "", ""},
		{"wrong method without credentials", "", "DELETE", "/v1/organizations/", "", "", 405, "MethodNotAllowed", "", ""},
		{"unknown route", adminToken, "GET", "/v1/nothing-here/", "", "", 404, "NotFound", "", ""},
		{"no trailing slash", adminToken, "GET", "/v1/organizations", "", "", 404, "NotFound", "", ""},
		{"unknown id", adminToken, "GET", "/v1/messaging-channels/" + "59999999-0000-4000-8000-000000000000/", "", "", 404, "NotFound", "", ""},
		{"malformed id", adminToken, "GET", "/v1/messaging-channels/abc/", "", "", 404, "NotFound", "", ""},
		{"other organization is not found", org1Token, "GET", "/v1/messaging-channels/" + chanGroup2 + "/", "", "", 404, "NotFound", "", ""},
		{"other organization's message", org1Token, "GET", "/v1/messaging-messages/" + msg6 + "/", "", "", 404, "NotFound", "", ""},
		{"wrong method", adminToken, "DELETE", "/v1/organizations/", "", "", 405, "MethodNotAllowed", "", ""},
		{"wrong method on item", adminToken, "PUT", "/v1/announcers/" + announcer1 + "/", "{}", "", 405, "MethodNotAllowed", "", ""},
		{"unsupported media type", adminToken, "POST", "/v1/announcers/", `{}`, "text/plain", 415, "UnsupportedMediaType", "", ""},
		{"vnd.api+json accepted", adminToken, "POST", "/v1/announcers/", resourceDoc("announcers", "", `{"event": "e", "name": "n", "organization-id": "`+org1+`"}`),
			"application/vnd.api+json", 201, "", "", ""},
		{"type mismatch", adminToken, "POST", "/v1/announcers/", resourceDoc("plugins", "", `{}`), "", 409, "Conflict", "", "/data/type"},
		{"id mismatch", adminToken, "PATCH", "/v1/announcers/" + announcer1 + "/", resourceDoc("announcers", plugin1, `{}`), "", 409, "Conflict", "", "/data/id"},
		{"missing data", adminToken, "POST", "/v1/announcers/", `{"meta": {}}`, "", 400, "ValidationError", "", "/data"},
		{"malformed json", adminToken, "POST", "/v1/announcers/", `{"data": `, "", 400, "ParseError", "", ""},
		{"unknown attribute", adminToken, "POST", "/v1/announcers/", resourceDoc("announcers", "", `{"colour": "red", "name": "n", "event": "e", "organization-id": "`+org1+`"}`),
			"", 400, "ValidationError", "", "/data/attributes/colour"},
		{"wrong attribute type", adminToken, "POST", "/v1/announcers/", resourceDoc("announcers", "", `{"name": 5, "event": "e", "organization-id": "`+org1+`"}`),
			"", 400, "ValidationError", "", "/data/attributes/name"},
		{"required attribute", adminToken, "POST", "/v1/announcers/", resourceDoc("announcers", "", `{"event": "e", "organization-id": "`+org1+`"}`),
			"", 400, "ValidationError", "", "/data/attributes/name"},
		{"organization attribute not a member", org1Token, "POST", "/v1/announcers/", resourceDoc("announcers", "", `{"name": "n", "event": "e", "organization-id": "`+org2+`"}`),
			"", 403, "PermissionDenied", "", "/data/attributes/organization-id"},
		{"organization parameter not a member", org1Token, "GET", "/v1/announcers/?organization-id=" + org2, "", "", 403, "PermissionDenied", "organization-id", ""},
		{"unknown parameter", adminToken, "GET", "/v1/announcers/?colour=red", "", "", 400, "ValidationError", "colour", ""},
		{"page limit above maximum is clamped", adminToken, "GET", "/v1/announcers/?page[limit]=1001", "", "", 200, "", "", ""},
		{"page limit negative", adminToken, "GET", "/v1/announcers/?page[limit]=-1", "", "", 400, "ValidationError", "page[limit]", ""},
		{"page limit zero", adminToken, "GET", "/v1/announcers/?page[limit]=0", "", "", 400, "ValidationError", "page[limit]", ""},
		{"page limit not an integer", adminToken, "GET", "/v1/announcers/?page[limit]=ten", "", "", 400, "ValidationError", "page[limit]", ""},
		{"channels page limit above 50 is clamped", adminToken, "GET", "/v1/messaging-channels/?page[limit]=100", "", "", 200, "", "", ""},
		{"negative offset", adminToken, "GET", "/v1/announcers/?page[offset]=-1", "", "", 400, "ValidationError", "page[offset]", ""},
		{"huge offset", adminToken, "GET", "/v1/announcers/?page[offset]=99999999999999999999", "", "", 400, "ValidationError", "page[offset]", ""},
		{"uuid parameter", adminToken, "GET", "/v1/announcers/?organization-id=nope", "", "", 400, "ValidationError", "organization-id", ""},
		{"boolean parameter", adminToken, "GET", "/v1/messaging-channels/?filter[archived]=maybe", "", "", 400, "ValidationError", "filter[archived]", ""},
		{"enum parameter", adminToken, "GET", "/v1/app-credentials/?filter[type]=sms", "", "", 400, "ValidationError", "filter[type]", ""},
		{"maximum length", adminToken, "GET", "/v1/organizations/?filter[name]=" + strings.Repeat("x", 256), "", "", 400, "ValidationError", "filter[name]", ""},
		{"pattern", adminToken, "GET", "/v1/messaging-plugins/?organization-id=" + org1 + "&filter[name]=Hours!", "", "", 400, "ValidationError", "filter[name]", ""},
		{"email format", adminToken, "GET", "/v1/users/?filter[email]=not-an-email", "", "", 400, "ValidationError", "filter[email]", ""},
		{"repeated scalar", adminToken, "GET", "/v1/announcers/?page[limit]=1&page[limit]=2", "", "", 400, "ValidationError", "page[limit]", ""},
		{"undocumented sort", adminToken, "GET", "/v1/announcers/?sort=name", "", "", 400, "ValidationError", "sort", ""},
		{"sort value", adminToken, "GET", "/v1/messaging-responders/?organization-id=" + org1 + "&sort=name", "", "", 400, "ValidationError", "sort", ""},
		{"comparator", adminToken, "GET", "/v1/multicasts/?filter[cmp-created-at]=2026-01-01", "", "", 400, "ValidationError", "filter[cmp-created-at]", ""},
		{"comparison datetime", adminToken, "GET", "/v1/multicasts/?filter[cmp-created-at]=%3Eyesterday", "", "", 400, "ValidationError", "filter[cmp-created-at]", ""},
		{"three comparisons", adminToken, "GET", "/v1/multicasts/?filter[cmp-created-at]=%3E2026-01-01T00:00:00Z&filter[cmp-created-at]=%3C2026-02-01T00:00:00Z&filter[cmp-created-at]=%3C2026-03-01T00:00:00Z",
			"", "", 400, "ValidationError", "filter[cmp-created-at]", ""},
		{"required parameter", adminToken, "GET", "/v1/badge-counts/", "", "", 400, "ValidationError", "individual-id", ""},
		{"action body field", adminToken, "POST", "/v1/messaging-messages/" + msg3 + "/reactions/", `{"reaction-type": "meh"}`, "", 400, "ValidationError", "", "/reaction-type"},
		{"action unknown field", adminToken, "POST", "/v1/messaging-channels/" + chanGroup1 + "/archive/", `{"why": 1}`, "", 400, "ValidationError", "", "/why"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var hs []string
			if tc.token != "" {
				hs = append(hs, "Authorization: Bearer "+tc.token)
			}
			if tc.ctype != "" {
				hs = append(hs, "Content-Type: "+tc.ctype)
			}
			r := env.Do(t, tc.method, "/courier"+tc.path, tc.body, hs...)
			require.Equal(t, tc.status, r.Status, r.Body)
			if tc.code == "" {
				return
			}
			e := decode(t, r).Errors
			require.NotEmpty(t, e, r.Body)
			assert.Equal(t, tc.status, e[0].Status)
			assert.Equal(t, tc.code, e[0].Code)
			if tc.param != "" {
				assert.Equal(t, tc.param, e[0].Source["parameter"], r.Body)
			}
			if tc.pointer != "" {
				assert.Equal(t, tc.pointer, e[0].Source["pointer"], r.Body)
			}
		})
	}
}

// TestOneErrorPerProblem reports every bad parameter and attribute at once.
func TestOneErrorPerProblem(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	r := call(t, env, adminToken, "GET", "/v1/announcers/?page[limit]=0&page[offset]=x&organization-id=y", "")
	require.Equal(t, http.StatusBadRequest, r.Status)
	var params []string
	for _, e := range decode(t, r).Errors {
		params = append(params, e.Source["parameter"])
	}
	assert.ElementsMatch(t, []string{"page[limit]", "page[offset]", "organization-id"}, params)

	r = call(t, env, adminToken, "POST", "/v1/announcers/", resourceDoc("announcers", "", `{"a": 1, "b": 2, "name": true, "organization-id": "`+org1+`", "event": "e"}`))
	require.Equal(t, http.StatusBadRequest, r.Status)
	var ptrs []string
	for _, e := range decode(t, r).Errors {
		ptrs = append(ptrs, e.Source["pointer"])
	}
	assert.ElementsMatch(t, []string{"/data/attributes/a", "/data/attributes/b", "/data/attributes/name"}, ptrs)
}

// TestReadOnlyAndStamps: read-only attributes are ignored; the server stamps
// created/modified with the emulated clock and the caller.
func TestReadOnlyAndStamps(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	r := call(t, env, org1Token, "POST", "/v1/announcers/", resourceDoc("announcers", "",
		`{"name": "n", "event": "individual-shared", "organization-id": "`+org1+`", "created-at": "1999-01-01T00:00:00Z", "created-by": "`+adminUser+`"}`))
	require.Equal(t, http.StatusCreated, r.Status, r.Body)
	o := one(t, r)
	assert.Equal(t, "2026-01-15T12:00:00.000000+00:00", o.Attributes["created-at"])
	assert.Equal(t, org1User, o.Attributes["created-by"])
	assert.Equal(t, org1User, o.Attributes["last-modified-by"])
	assert.Equal(t, org1, o.Attributes["organization-id"])

	env.Deps.Clock.Advance(90 * time.Minute)
	r = call(t, env, adminToken, "PATCH", "/v1/announcers/"+o.ID+"/", resourceDoc("announcers", o.ID, `{"name": "m", "organization-id": "`+org2+`"}`))
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	m := one(t, r)
	assert.Equal(t, "m", m.Attributes["name"])
	assert.Equal(t, org1, m.Attributes["organization-id"], "create-only attributes are read-only on modify")
	assert.Equal(t, "2026-01-15T12:00:00.000000+00:00", m.Attributes["created-at"])
	assert.Equal(t, "2026-01-15T13:30:00.000000+00:00", m.Attributes["last-modified-at"])
	assert.Equal(t, adminUser, m.Attributes["last-modified-by"])
	assert.Equal(t, m, one(t, call(t, env, adminToken, "GET", "/v1/announcers/"+o.ID+"/", "")))
}

// TestPagingWalksEveryItemOnce follows the next links from first to the end.
func TestPagingWalksEveryItemOnce(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	var created []string
	for i := range 9 {
		env.Deps.Clock.Advance(time.Second)
		r := call(t, env, adminToken, "POST", "/v1/announcers/", resourceDoc("announcers", "",
			fmt.Sprintf(`{"name": "a%d", "event": "e", "organization-id": %q}`, i, []string{org1, org2}[i%2])))
		require.Equal(t, http.StatusCreated, r.Status, r.Body)
		created = append(created, one(t, r).ID)
	}
	r := call(t, env, adminToken, "GET", "/v1/announcers/?page[limit]=4&filter[name]=", "")
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	assert.Empty(t, many(t, r), "filter[name]= matches the empty name only")

	var got []string
	next := env.URL + "/courier/v1/announcers/?page[limit]=4"
	pages := 0
	for next != "" {
		u, err := url.Parse(next)
		require.NoError(t, err)
		r := call(t, env, adminToken, "GET", strings.TrimPrefix(u.RequestURI(), "/courier"), "")
		require.Equal(t, http.StatusOK, r.Status, r.Body)
		d := decode(t, r)
		assert.EqualValues(t, 10, d.Meta["page[total]"])
		assert.EqualValues(t, 4, d.Meta["page[limit]"])
		assert.EqualValues(t, pages*4, d.Meta["page[offset]"])
		assert.Equal(t, env.URL+"/courier/v1/announcers/?page[limit]=4&page[offset]=0", d.Links["first"])
		assert.Equal(t, env.URL+"/courier/v1/announcers/?page[limit]=4&page[offset]=8", d.Links["last"])
		if pages == 0 {
			assert.Nil(t, d.Links["prev"])
		} else {
			assert.Equal(t, fmt.Sprintf("%s/courier/v1/announcers/?page[limit]=4&page[offset]=%d", env.URL, (pages-1)*4), d.Links["prev"])
		}
		got = append(got, ids(many(t, r))...)
		next, _ = d.Links["next"].(string)
		pages++
	}
	assert.Equal(t, 3, pages)
	assert.Equal(t, append([]string{announcer1}, created...), got, "oldest first, each exactly once")

	// Other parameters survive in the links.
	r = call(t, env, adminToken, "GET", "/v1/announcers/?organization-id="+org1+"&page[limit]=2", "")
	d := decode(t, r)
	assert.EqualValues(t, 6, d.Meta["page[total]"])
	assert.Equal(t, env.URL+"/courier/v1/announcers/?organization-id="+org1+"&page[limit]=2&page[offset]=2", d.Links["next"])
	// Past the end: an empty page, still with links.
	r = call(t, env, adminToken, "GET", "/v1/announcers/?page[offset]=50", "")
	require.Equal(t, http.StatusOK, r.Status)
	assert.Empty(t, many(t, r))
	assert.Equal(t, env.URL+"/courier/v1/announcers/?page[limit]=100&page[offset]=0", decode(t, r).Links["prev"])
}

func TestFilters(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	list := func(path string) []string {
		t.Helper()
		r := call(t, env, adminToken, "GET", path, "")
		require.Equal(t, http.StatusOK, r.Status, r.Body)
		return ids(many(t, r))
	}
	// filter[text]: case-insensitive substring.
	assert.Equal(t, []string{msg3}, list("/v1/messaging-messages/?channel-id="+chanGroup1+"&filter[text]=BLOOD%20pressure"))
	assert.Empty(t, list("/v1/messaging-messages/?channel-id="+chanGroup1+"&filter[text]=100%25"))
	// filter[cmp-*]: a bounded window, and one bound.
	assert.Equal(t, []string{"60000000-0000-4000-8000-000000000002"}, list("/v1/messaging-messages/?channel-id="+chanGroup1+
		"&filter[cmp-posted-time]=%3E2026-01-05T09:00:00Z&filter[cmp-posted-time]=%3C2026-01-05T11:00:00%2B00:00"))
	assert.Equal(t, []string{"60000000-0000-4000-8000-000000000002", msg3}, list("/v1/messaging-messages/?channel-id="+chanGroup1+
		"&filter[cmp-posted-time]=%3E=2026-01-05T10:00:00.000000Z"))
	// Booleans and UUIDs (case-insensitive).
	assert.Equal(t, []string{chanGroup1}, list("/v1/messaging-channels/?filter[individual-group-id]="+strings.ToUpper(group1)))
	assert.Len(t, list("/v1/messaging-channels/?filter[floating]=false"), 3)
	assert.Empty(t, list("/v1/messaging-channels/?filter[floating]=true"))
	// Documented sort.
	r := call(t, env, adminToken, "POST", "/v1/messaging-responders/", resourceDoc("messaging-responders", "",
		`{"name": "Early", "organization-id": "`+org1+`", "type": "t", "start-at": "2025-06-01T00:00:00Z", "end-at": "2025-06-02T00:00:00Z"}`))
	require.Equal(t, http.StatusCreated, r.Status, r.Body)
	early := one(t, r).ID
	assert.Equal(t, []string{responder1, early}, list("/v1/messaging-responders/?organization-id="+org1))
	assert.Equal(t, []string{early, responder1}, list("/v1/messaging-responders/?organization-id="+org1+"&sort=start-at"))
	assert.Equal(t, []string{responder1, early}, list("/v1/messaging-responders/?organization-id="+org1+"&sort=-end-at"))
	assert.Equal(t, []string{early}, list("/v1/messaging-responders/?organization-id="+org1+"&filter[cmp-end-at]=%3C2026-01-01T00:00:00Z"))
	// Users by e-mail and individual.
	assert.Equal(t, []string{org1User}, list("/v1/users/?filter[individual-id]="+indOlivia))
	assert.Equal(t, []string{adminUser}, list("/v1/users/?filter[email]=ALICE.ADMIN@example.com"))
	// Inbox kinds.
	assert.Equal(t, []string{chanDirect}, list("/v1/communication-messages/?filter[type]=direct-message"))
	assert.Equal(t, []string{chanGroup1, chanGroup2}, list("/v1/communication-messages/?filter[type]=group-message"))
	assert.Equal(t, []string{chanGroup1}, list("/v1/communication-messages/?filter[bookmarked]=true"))
	assert.Equal(t, []string{chanDirect, chanGroup2, chanGroup1}, list("/v1/communication-messages/?sort=-last-timestamp"))
}

// TestScoping: a caller sees only its organizations' records.
func TestScoping(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	list := func(token, path string) []string {
		t.Helper()
		r := call(t, env, token, "GET", path, "")
		require.Equal(t, http.StatusOK, r.Status, r.Body)
		return ids(many(t, r))
	}
	assert.Equal(t, []string{org1, org2}, list(adminToken, "/v1/organizations/"))
	assert.Equal(t, []string{org1}, list(org1Token, "/v1/organizations/"))
	assert.Equal(t, []string{chanGroup1, chanDirect}, list(org1Token, "/v1/messaging-channels/"))
	assert.Empty(t, list(org1Token, "/v1/messaging-messages/?channel-id="+chanGroup2))
	assert.Equal(t, []string{"71000000-0000-4000-8000-000000000001"}, list(org1Token, "/v1/app-credentials/"))
	// Notifications are the caller's own.
	assert.Equal(t, []string{"73000000-0000-4000-8000-000000000004"}, list(org1Token, "/v1/user-notifications/"))
	assert.Len(t, list(adminToken, "/v1/user-notifications/"), 3)
	assert.Len(t, list(adminToken, "/v1/user-notifications/?organization-id="+org2), 1)

	for _, p := range []string{
		"/v1/organizations/" + org2 + "/", "/v1/individuals/" + indRalph + "/", "/v1/individual-groups/" + group2 + "/",
		"/v1/user-notifications/" + notification2 + "/", "/v1/messaging-channels/" + chanGroup2 + "/get-profile/?individual-id=" + indGrace + "&profile-individual-id=" + indRalph,
	} {
		r := call(t, env, org1Token, "GET", p, "")
		assert.Equal(t, http.StatusNotFound, r.Status, p)
	}
	for _, p := range []string{"/v1/messaging-bookmarks/?organization-id=" + org2, "/v1/org-preferences/?organization-id=" + org2,
		"/v1/messaging-channels/?organization-id=" + org2, "/v1/user-notifications/?organization-id=" + org2} {
		r := call(t, env, org1Token, "GET", p, "")
		assert.Equal(t, http.StatusForbidden, r.Status, p)
		assert.Equal(t, "organization-id", decode(t, r).Errors[0].Source["parameter"])
	}
	// Writes into another organization: 404 for its records, 403 for its id.
	r := call(t, env, org1Token, "POST", "/v1/messaging-channels/"+chanGroup2+"/archive/", `{}`)
	assert.Equal(t, http.StatusNotFound, r.Status)
	r = call(t, env, org1Token, "POST", "/v1/messaging-messages/", resourceDoc("messaging-messages", "", `{"channel-id": "`+chanGroup2+`", "message": "x"}`))
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Equal(t, "/data/attributes/channel-id", decode(t, r).Errors[0].Source["pointer"])
	r = call(t, env, org1Token, "PATCH", "/v1/users/"+adminUser+"/", resourceDoc("users", adminUser, `{"notifications": []}`))
	assert.Equal(t, http.StatusForbidden, r.Status)
	r = call(t, env, org1Token, "PATCH", "/v1/app-credentials/"+credential1+"/", resourceDoc("app-credentials", credential1, `{"organization-id": "`+org2+`"}`))
	assert.Equal(t, http.StatusForbidden, r.Status)
}

// TestBadInputChangesNothing throws malformed bodies, wrong types, huge
// numbers, unknown ids and bad credentials at every route: never a 5xx, and
// the stored state is unchanged.
func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	before := snapshot(t, env)
	bodies := []string{`{`, `[]`, `"x"`, `null`, `{"data": []}`, `{"data": {"type": 5}}`,
		`{"data": {"type": "x", "attributes": []}}`, `{"individual-ids": "x", "values": 5, "reaction-type": 1, "channel-id": 1e400}`,
		`{"data": {"attributes": {"count": 1e300, "name": {"a": 1}}}}`, strings.Repeat("[", 10000)}
	for id, req := range freshWalk {
		method := "GET"
		for _, op := range catalogOps() {
			if op.ID == id {
				method = op.Method
			}
		}
		path := strings.ReplaceAll(req.path, ">", "%3E")
		base, _, _ := strings.Cut(path, "?")
		unknown := strings.ReplaceAll(path, "-4000-8000-", "-4000-9000-") // every fixture id, unknown
		// Bad credentials.
		r := call(t, env, "wrong", method, path, req.body)
		assert.Equal(t, http.StatusUnauthorized, r.Status, id)
		// Unknown ids and huge numbers in the query.
		for _, p := range []string{unknown, base + "?page[limit]=99999999999999999999999", base + "?page[offset]=1e9"} {
			r = call(t, env, adminToken, method, p, "")
			assert.Less(t, r.Status, 500, "%s %s: %s", method, p, r.Body)
		}
		if method == "GET" {
			continue
		}
		for _, b := range bodies {
			r = call(t, env, adminToken, method, path, b)
			assert.Less(t, r.Status, 500, "%s %s %s: %s", method, path, b, r.Body)
			assert.GreaterOrEqual(t, r.Status, 400, "%s %s %s: %s", method, path, b, r.Body)
		}
	}
	assertSameState(t, before, snapshot(t, env))
}

// assertSameState compares two snapshots and names only the rows that differ.
func assertSameState(t *testing.T, before, after string) {
	t.Helper()
	if before == after {
		return
	}
	b, a := map[string]bool{}, map[string]bool{}
	for _, l := range strings.Split(before, "\n") {
		b[l] = true
	}
	for _, l := range strings.Split(after, "\n") {
		a[l] = true
		if !b[l] {
			t.Errorf("state changed, new row: %.300s", l)
		}
	}
	for l := range b {
		if !a[l] {
			t.Errorf("state changed, row gone: %.300s", l)
		}
	}
}

// snapshot reads every courier row, to compare state.
func snapshot(t *testing.T, env *emutest.Env) string {
	t.Helper()
	var out strings.Builder
	for _, q := range []string{
		`SELECT type || '|' || id || '|' || org_id || '|' || parent_id || '|' || created_at || '|' || text || '|' || attrs FROM ` + courier.AllResources + ` ORDER BY type, id`,
		`SELECT rel || '|' || from_id || '|' || to_id || '|' || attrs FROM cr_links ORDER BY rel, from_id, to_id`,
		`SELECT type || '|' || org_id || '|' || parent_id || '|' || n FROM cr_counts ORDER BY type, org_id, parent_id`,
	} {
		rows, err := env.Deps.DB.Read().Query(q)
		require.NoError(t, err)
		for rows.Next() {
			var s string
			require.NoError(t, rows.Scan(&s))
			out.WriteString(s + "\n")
		}
		require.NoError(t, rows.Err())
		rows.Close()
	}
	return out.String()
}

func catalogOps() []jsonapi.Operation { return catalog.Operations() }

// TestBodyTooLarge: a body over 1 MiB is a 413 errors document.
func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	big := resourceDoc("announcers", "", `{"name": "`+strings.Repeat("x", 1<<20)+`", "event": "e", "organization-id": "`+org1+`"}`)
	r := call(t, env, adminToken, "POST", "/v1/announcers/", big)
	require.Equal(t, http.StatusRequestEntityTooLarge, r.Status)
	assert.Equal(t, "RequestEntityTooLarge", decode(t, r).Errors[0].Code)
}

// TestOtherOrganizationsRecords: what the admin creates in the second
// organization is invisible (404) and untouchable for the first
// organization's user, family by family.
func TestOtherOrganizationsRecords(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	tests := []struct {
		typ, attrs, action string
	}{
		{"announcers", `{"name": "n", "event": "e", "organization-id": "` + org2 + `"}`, ""},
		{"app-credentials", `{"app-name": "a", "type": "apn", "organization-id": "` + org2 + `"}`, ""},
		{"messaging-plugins", `{"name": "plug", "type": "t", "organization-id": "` + org2 + `"}`, "enable"},
		{"messaging-responders", `{"name": "r", "type": "t", "organization-id": "` + org2 + `"}`, "disable"},
		{"multicasts", `{"filter-type": "all-participants", "template-id": "t", "organization-id": "` + org2 + `"}`, ""},
		{"messaging-operations", `{"args": {}, "type": "move-group", "organization-id": "` + org2 + `"}`, ""},
		{"badge-counts", `{"count": 1, "type": "t", "individual-id": "` + indRalph + `", "organization-id": "` + org2 + `"}`, ""},
		{"messaging-messages", `{"channel-id": "` + chanGroup2 + `", "individual-id": "` + indGrace + `", "message": "m"}`, "ack"},
		{"messaging-channels", `{"individual-ids": ["` + indRalph + `", "` + indGrace + `"], "organization-id": "` + org2 + `"}`, "archive"},
		{"messaging-bulk-messages", `{"message": "m", "draft": true, "sender-individual-id": "` + indGrace + `"}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			r := call(t, env, adminToken, "POST", "/v1/"+tc.typ+"/", resourceDoc(tc.typ, "", tc.attrs))
			require.Equal(t, http.StatusCreated, r.Status, r.Body)
			id := one(t, r).ID
			assert.Equal(t, http.StatusOK, call(t, env, adminToken, "GET", "/v1/"+tc.typ+"/"+id+"/", "").Status)
			assert.Equal(t, http.StatusNotFound, call(t, env, org1Token, "GET", "/v1/"+tc.typ+"/"+id+"/", "").Status)
			if tc.typ != "multicasts" && tc.typ != "messaging-operations" && tc.typ != "badge-counts" {
				r = call(t, env, org1Token, "PATCH", "/v1/"+tc.typ+"/"+id+"/", resourceDoc(tc.typ, id, `{}`))
				assert.Equal(t, http.StatusNotFound, r.Status, r.Body)
			}
			if tc.action != "" {
				r = call(t, env, org1Token, "POST", "/v1/"+tc.typ+"/"+id+"/"+tc.action+"/", `{}`)
				assert.Equal(t, http.StatusNotFound, r.Status, r.Body)
			}
		})
	}
}

// TestHugeOffset pages past the end without overflowing.
func TestHugeOffset(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	r := mustCall(t, env, 200, "GET", "/v1/announcers/?page[offset]=9223372036854775807&page[limit]=1000", "")
	d := decode(t, r)
	assert.Nil(t, d.Links["next"])
	assert.Empty(t, many(t, r))
}

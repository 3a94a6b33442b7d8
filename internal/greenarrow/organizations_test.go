package greenarrow_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	before := snapshot(t, env)
	for _, tc := range []struct {
		name, body, message string
	}{
		{"no name", `{"organization":{}}`, "name cannot be blank"},
		{"blank name", `{"organization":{"name":"  "}}`, "name cannot be blank"},
		{"null name", `{"organization":{"name":null}}`, "name cannot be blank"},
		{"long name", `{"organization":{"name":"` + strings.Repeat("n", 256) + `"}}`, "name is too long"},
		{"duplicate name", `{"organization":{"name":"second org"}}`, "name has already been taken"},
		{"anniversary 0", `{"organization":{"name":"N","anniversary_day":0}}`, "anniversary_day"},
		{"anniversary 32", `{"organization":{"name":"N","anniversary_day":32}}`, "anniversary_day"},
		{"anniversary null", `{"organization":{"name":"N","anniversary_day":null}}`, "anniversary_day"},
		{"unknown zone", `{"organization":{"name":"N","time_zone_name":"(GMT+01:00) Atlantis"}}`, "time_zone_name"},
		{"iana zone", `{"organization":{"name":"N","time_zone_name":"America/Chicago"}}`, "time_zone_name"},
		{"active null", `{"organization":{"name":"N","active":null}}`, "active"},
		{"header not X-", `{"organization":{"name":"N","custom_headers":"Subject: hi"}}`, "custom_headers line 1"},
		{"header no colon", `{"organization":{"name":"N","custom_headers":"X-Fine: 1\nnot a header"}}`, "custom_headers line 2"},
		{"sending mode", `{"organization":{"name":"N","sending_quota":{"mode":"unlimited"}}}`, "sending_quota.mode"},
		{"sending no mode", `{"organization":{"name":"N","sending_quota":{"mode":null}}}`, "sending_quota.mode"},
		{"hidden without limit", `{"organization":{"name":"N","sending_quota":{"mode":"hidden_limit"}}}`, "sending_quota.limit"},
		{"advisory without limit", `{"organization":{"name":"N","sending_quota":{"mode":"advisory_message"}}}`, "sending_quota.limit"},
		{"credits without limit", `{"organization":{"name":"N","sending_quota":{"mode":"fixed_credits"}}}`, "sending_quota.limit"},
		{"negative limit", `{"organization":{"name":"N","sending_quota":{"mode":"hidden_limit","limit":-1}}}`, "sending_quota.limit"},
		{"visible without overage", `{"organization":{"name":"N","sending_quota":{"mode":"visible_limit","limit":5}}}`, "sending_quota.overage"},
		{"negative overage", `{"organization":{"name":"N","sending_quota":{"mode":"visible_limit","limit":5,"overage":-1}}}`, "sending_quota.overage"},
		{"sending null", `{"organization":{"name":"N","sending_quota":null}}`, "sending_quota must be an object"},
		{"subscriber mode", `{"organization":{"name":"N","subscriber_quota":{"mode":"hidden_limit","limit":1}}}`, "subscriber_quota.mode"},
		{"subscriber no limit", `{"organization":{"name":"N","subscriber_quota":{"mode":"visible_limit","overage":1}}}`, "subscriber_quota.limit"},
		{"subscriber limit too big", `{"organization":{"name":"N","subscriber_quota":{"mode":"visible_limit","limit":1000000001,"overage":1}}}`, "subscriber_quota.limit"},
		{"subscriber overage too big", `{"organization":{"name":"N","subscriber_quota":{"mode":"visible_limit","limit":1,"overage":10001}}}`, "subscriber_quota.overage"},
		{"subscriber no overage", `{"organization":{"name":"N","subscriber_quota":{"mode":"visible_limit","limit":1}}}`, "subscriber_quota.overage"},
		{"unsub tag", `{"organization":{"name":"N","permissions":{"forced_unsub_tag_mode":"always"}}}`, "forced_unsub_tag_mode"},
		{"vmta mode", `{"organization":{"name":"N","permissions":{"virtual_mta":{"mode":"all"}}}}`, "permissions.virtual_mta.mode"},
		{"select_some without list", `{"organization":{"name":"N","permissions":{"virtual_mta":{"mode":"select_some"}}}}`, "virtual_mtas must list"},
		{"select_some empty list", `{"organization":{"name":"N","permissions":{"url_domain":{"mode":"select_some","url_domains":[]}}}}`, "url_domains must list"},
		{"hide_one without object", `{"organization":{"name":"N","permissions":{"bounce_email":{"mode":"hide_one"}}}}`, "bounce_email must name"},
		{"unknown vmta id", `{"organization":{"name":"N","permissions":{"virtual_mta":{"mode":"hide_one","virtual_mta":{"id":43}}}}}`, "no virtual MTA with id 43"},
		{"unknown vmta name", `{"organization":{"name":"N","permissions":{"virtual_mta":{"mode":"select_some","virtual_mtas":[{"id":41},{"name":"nope"}]}}}}`, `virtual_mtas[1]: there is no virtual MTA with name "nope"`},
		{"id wins over name", `{"organization":{"name":"N","permissions":{"virtual_mta":{"mode":"hide_one","virtual_mta":{"id":99,"name":"ipaddr-1"}}}}}`, "id 99"},
		{"reference naming nothing", `{"organization":{"name":"N","permissions":{"url_domain":{"mode":"hide_one","url_domain":{"type":"x"}}}}}`, "must name a URL domain by id or domain"},
		{"reference id wrong type", `{"organization":{"name":"N","permissions":{"url_domain":{"mode":"hide_one","url_domain":{"id":true}}}}}`, "must be an integer"},
		{"unknown bounce email", `{"organization":{"name":"N","permissions":{"bounce_email":{"mode":"hide_one","bounce_email":{"email":"x@example.com"}}}}}`, "no bounce email"},
		{"email mode", `{"organization":{"name":"N","permissions":{"email_address":{"mode":"hide_one"}}}}`, "email_address.mode"},
		{"email select_some without addresses", `{"organization":{"name":"N","permissions":{"email_address":{"mode":"select_some"}}}}`, "addresses must list"},
		{"bad address", `{"organization":{"name":"N","permissions":{"email_address":{"mode":"select_some","addresses":["example.com"]}}}}`, `"example.com"`},
		{"special rule", `{"organization":{"name":"N","permissions":{"special_sending_rule":{"mode":"hide_one"}}}}`, "special_sending_rule.mode"},
		{"special rule no mode", `{"organization":{"name":"N","permissions":{"special_sending_rule":{}}}}`, "special_sending_rule.mode"},
		{"negative speed", `{"organization":{"name":"N","permissions":{"speed":-5}}}`, "permissions.speed"},
		{"fractional speed", `{"organization":{"name":"N","permissions":{"speed":1.5}}}`, "permissions.speed"},
		{"string speed", `{"organization":{"name":"N","permissions":{"speed":"fast"}}}`, "permissions.speed"},
		{"null speed", `{"organization":{"name":"N","permissions":{"speed":null}}}`, "permissions.speed"},
		{"can edit null", `{"organization":{"name":"N","permissions":{"can_edit_header_and_footer":null}}}`, "can_edit_header_and_footer"},
		{"permissions null", `{"organization":{"name":"N","permissions":null}}`, "permissions must be an object"},
		{"unknown suppression list", `{"organization":{"name":"N","auto_subscriber_management":{"unsub_suppression_list":{"id":77}}}}`, "no suppression list with id 77"},
		{"distribute null", `{"organization":{"name":"N","auto_subscriber_management":{"distribute_removals":null}}}`, "distribute_removals"},
		{"several problems", `{"organization":{"name":"","anniversary_day":40}}`, "name cannot be blank; anniversary_day"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := requireError(t, env.Do(t, "POST", base+"/organizations", tc.body, sysAdmin), 422, "validation_failed")
			assert.Contains(t, *e.ErrorMessage, tc.message)
		})
	}
	assert.Equal(t, before, snapshot(t, env), "a refused create changes nothing")
}

func TestMalformedBodies(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	before := snapshot(t, env)
	for _, body := range []string{
		`{`, `[]`, `"x"`, `{"organization": 5}`, `{"organization": []}`, `{"name": 5}`,
		`{"organization":{"name":"N","anniversary_day":"1"}}`, `{"organization":{"name":"N","anniversary_day":1e30}}`,
		`{"organization":{"name":"N","sending_quota":{"mode":"hidden_limit","limit":"10"}}}`,
		`{"organization":{"name":"N","sending_quota":{"mode":"hidden_limit","limit":10.5}}}`,
		`{"organization":{"name":"N","permissions":{"virtual_mta":{"mode":"select_some","virtual_mtas":{"id":41}}}}}`,
		`{"organization":{"name":"N","permissions":{"email_address":{"mode":"select_some","addresses":"@x.com"}}}}`,
		`{"organization":{"name":"N","active":"yes"}}`, `{"organization":{"name":"N"}} trailing`,
	} {
		for _, path := range []string{base + "/organizations", base + "/organizations/3"} {
			method := map[bool]string{true: "POST", false: "PUT"}[path == base+"/organizations"]
			requireError(t, env.Do(t, method, path, body, sysAdmin), 400, "invalid_request")
		}
	}
	requireError(t, env.Do(t, "POST", base+"/organizations", "", sysAdmin), 400, "invalid_request")
	e := requireError(t, env.Do(t, "POST", base+"/organizations", `{"organization":{"name":"N","anniversary_day":"1"}}`, sysAdmin), 400, "invalid_request")
	assert.Contains(t, *e.ErrorMessage, "anniversary_day")
	assert.Equal(t, before, snapshot(t, env))
}

func TestCreateDefaultsAndReferences(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	res := env.Do(t, "POST", base+"/organizations", `{
		"name": "Unwrapped", "id": 99, "time_zone_utc_offset": 7, "time_zone_name": "Tokyo",
		"custom_headers": "X-A: 1\r\nList-Help: <mailto:help@example.com>\ncfbl-address: fbl@example.com\n\nBIMI-Selector: v=BIMI1\n",
		"permissions": {
			"virtual_mta": {"mode": "hide_one", "virtual_mta": {"name": "route-1", "type": "ip_address"}},
			"bounce_email": {"mode": "select_some", "bounce_emails": [{"email": "bounce@example.com"}, {"id": "1@1"}]},
			"url_domain": {"mode": "select_some", "url_domains": [{"domain": "website.example.com"}]},
			"email_address": {"mode": "select_some", "addresses": ["user@example.com", "@example.org"]},
			"speed": 0, "forced_unsub_tag_mode": "link_or_token", "can_edit_header_and_footer": false
		},
		"auto_subscriber_management": {"distribute_removals": true, "unsub_suppression_list": {"name": "Unsubscribes"},
			"bounce_suppression_list": {"id": 2}},
		"sending_quota": {"mode": "hidden_limit", "limit": 10, "overage": 50},
		"subscriber_quota": {"mode": "no_limit", "limit": 5}
	}`, sysAdmin)
	e := requireOK(t, res)
	assert.JSONEq(t, `{"id":5,"name":"Unwrapped","anniversary_day":1,"time_zone_name":"(GMT+09:00) Tokyo",
		"time_zone_utc_offset":32400,"active":true,"html_header":"","html_footer":"","text_header":"","text_footer":"",
		"custom_headers":"X-A: 1\r\nList-Help: <mailto:help@example.com>\ncfbl-address: fbl@example.com\n\nBIMI-Selector: v=BIMI1\n",
		"permissions":{"forced_unsub_tag_mode":"link_or_token",
			"virtual_mta":{"mode":"hide_one","virtual_mta":{"id":46,"name":"route-1","type":"routing_rule"}},
			"bounce_email":{"mode":"select_some","bounce_emails":[{"id":"1@1","email":"bounce@example.com"}]},
			"url_domain":{"mode":"select_some","url_domains":[{"id":31,"domain":"website.example.com"}]},
			"email_address":{"mode":"select_some","addresses":["user@example.com","@example.org"]},
			"special_sending_rule":{"mode":"none"},"speed":0,"can_edit_header_and_footer":false},
		"auto_subscriber_management":{"distribute_removals":true,"unsub_suppression_list":{"id":1,"name":"Unsubscribes"},
			"bounce_suppression_list":{"id":2,"name":"Bounces"},"scomp_suppression_list":null},
		"sending_quota":{"mode":"hidden_limit","limit":10,"notify_organization_admins":false},
		"subscriber_quota":{"mode":"no_limit"}}`, string(e.Data))
}

func TestTimeZoneOffsetsAreDerived(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	for _, tc := range []struct {
		in, name string
		offset   int
	}{
		{"(GMT-11:00) American Samoa", "(GMT-11:00) American Samoa", -39600},
		{"Eastern Time (US & Canada)", "(GMT-05:00) Eastern Time (US & Canada)", -18000},
		{"UTC", "(GMT+00:00) UTC", 0},
		{"Kathmandu", "(GMT+05:45) Kathmandu", 20700},
		{"Newfoundland", "(GMT-03:30) Newfoundland", -12600},
		{"Sydney", "(GMT+10:00) Sydney", 36000},
		{"London", "(GMT+00:00) London", 0},
	} {
		res := env.Do(t, "PUT", base+"/organizations/3", fmt.Sprintf(`{"organization":{"time_zone_name":%q,"time_zone_utc_offset":1}}`, tc.in), sysAdmin)
		e := requireOK(t, res)
		assert.Equal(t, tc.name, field[string](t, e.Data, "time_zone_name"))
		assert.Equal(t, tc.offset, field[int](t, e.Data, "time_zone_utc_offset"))
	}
}

// TestUpdateIsPartial: what a PUT does not send keeps its value, nested hashes included.
func TestUpdateIsPartial(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id := create(t, env, deobfuscate(doc(t, "create_request.json")))
	path := fmt.Sprintf("%s/organizations/%d", base, id)
	before := requireOK(t, env.Do(t, "GET", path, "", sysAdmin)).Data

	res := env.Do(t, "PUT", path, `{"organization":{"html_footer":"F","sending_quota":{"limit":6000},
		"permissions":{"url_domain":{"mode":"select_any"}}}}`, sysAdmin)
	after := requireOK(t, res).Data
	var want map[string]any
	require.NoError(t, json.Unmarshal(before, &want))
	want["html_footer"] = "F"
	want["sending_quota"].(map[string]any)["limit"] = 6000
	want["permissions"].(map[string]any)["url_domain"] = map[string]any{"mode": "select_any"}
	assert.JSONEq(t, string(mustJSON(t, want)), string(after))

	// Switching a reference permission's mode keeps only what the new mode uses.
	res = env.Do(t, "PUT", path, `{"permissions":{"virtual_mta":{"mode":"hide_one","virtual_mta":{"id":42}}}}`, sysAdmin)
	assert.JSONEq(t, `{"mode":"hide_one","virtual_mta":{"id":42,"name":"ipaddr-2","type":"ip_address"}}`,
		string(mustJSON(t, field[map[string]any](t, field[json.RawMessage](t, requireOK(t, res).Data, "permissions"), "virtual_mta"))))

	// Quotas drop what their mode does not use; a suppression list set to null is none.
	res = env.Do(t, "PUT", path, `{"sending_quota":{"mode":"no_limit"},"subscriber_quota":{"mode":"no_limit"},
		"auto_subscriber_management":{"scomp_suppression_list":{"id":3}}}`, sysAdmin)
	e := requireOK(t, res)
	assert.JSONEq(t, `{"mode":"no_limit"}`, string(field[json.RawMessage](t, e.Data, "sending_quota")))
	assert.JSONEq(t, `{"distribute_removals":true,"unsub_suppression_list":null,"bounce_suppression_list":null,
		"scomp_suppression_list":{"id":3,"name":"Spam complaints"}}`, string(field[json.RawMessage](t, e.Data, "auto_subscriber_management")))
	res = env.Do(t, "PUT", path, `{"auto_subscriber_management":{"scomp_suppression_list":null}}`, sysAdmin)
	requireOK(t, res)
	assert.Contains(t, res.Body, `"scomp_suppression_list":null`)

	// A mode that needs a limit again needs it sent again.
	requireError(t, env.Do(t, "PUT", path, `{"sending_quota":{"mode":"hidden_limit"}}`, sysAdmin), 422, "validation_failed")

	// Renaming to its own name, in another case, is no conflict; to another's is.
	requireOK(t, env.Do(t, "PUT", path, `{"name":"ORG"}`, sysAdmin))
	requireError(t, env.Do(t, "PUT", path, `{"name":"third org"}`, sysAdmin), 422, "validation_failed")
	requireError(t, env.Do(t, "PUT", base+"/organizations/999", `{"name":"x"}`, sysAdmin), 404, "not_found")
	requireError(t, env.Do(t, "PUT", base+"/organizations/abc", `{"name":"x"}`, sysAdmin), 404, "not_found")
}

func TestUpdateValidationChangesNothing(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	before := snapshot(t, env)
	for _, body := range []string{
		`{"organization":{"html_header":"changed","anniversary_day":0}}`,
		`{"organization":{"name":"changed","permissions":{"virtual_mta":{"mode":"hide_one","virtual_mta":{"id":1}}}}}`,
		`{"organization":{"name":"System Organization"}}`,
		`{"organization":{"sending_quota":{"mode":"fixed_credits"}}}`,
	} {
		requireError(t, env.Do(t, "PUT", base+"/organizations/3", body, sysAdmin), 422, "validation_failed")
	}
	assert.Equal(t, before, snapshot(t, env))
}

// TestOrganizationAdminEdits: an organization admin edits what it may; what
// it may not edit is ignored, the rest applies; it creates nothing.
func TestOrganizationAdminEdits(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	before := snapshot(t, env)
	requireError(t, env.Do(t, "POST", base+"/organizations", `{"organization":{"name":"Mine"}}`, orgAdmin), 403, "invalid_request")
	assert.Equal(t, before, snapshot(t, env))

	res := env.Do(t, "PUT", base+"/organizations/2", `{"organization":{"name":"Hijacked","active":false,"anniversary_day":9,
		"custom_headers":"X-Evil: 1","sending_quota":{"mode":"fixed_credits","limit":1},"permissions":{"speed":5},
		"subscriber_quota":{"mode":"visible_limit","limit":1,"overage":1},
		"html_header":"<b>hi</b>","time_zone_name":"(GMT+01:00) Paris",
		"auto_subscriber_management":{"distribute_removals":true}}}`, orgAdmin)
	e := requireOK(t, res)
	assert.JSONEq(t, `{"id":2,"name":"An Organization","anniversary_day":1,"time_zone_name":"(GMT+01:00) Paris",
		"time_zone_utc_offset":3600,"html_header":"<b>hi</b>","html_footer":"","text_header":"","text_footer":"",
		"auto_subscriber_management":{"distribute_removals":true,"unsub_suppression_list":null,
		"bounce_suppression_list":null,"scomp_suppression_list":null}}`, string(e.Data))
	sys := requireOK(t, env.Do(t, "GET", base+"/organizations/2", "", sysAdmin)).Data
	assert.True(t, field[bool](t, sys, "active"))
	assert.Equal(t, "", field[string](t, sys, "custom_headers"))
	assert.JSONEq(t, `{"mode":"no_limit"}`, string(field[json.RawMessage](t, sys, "sending_quota")))

	// Without can_edit_header_and_footer, its headers and footers are not its to edit.
	requireOK(t, env.Do(t, "PUT", base+"/organizations/2", `{"permissions":{"can_edit_header_and_footer":false}}`, sysAdmin))
	e = requireOK(t, env.Do(t, "PUT", base+"/organizations/2", `{"html_header":"again","text_footer":"tf"}`, orgAdmin))
	assert.Equal(t, "<b>hi</b>", field[string](t, e.Data, "html_header"))
	assert.Equal(t, "", field[string](t, e.Data, "text_footer"))
}

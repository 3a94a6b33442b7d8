package greenarrow_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/greenarrow"
	"github.com/emulator/vendor-emulator/internal/store"
)

// openFixture seeds a store from doc as greenarrow.json.
func openFixture(t *testing.T, doc string) (*store.DB, error) {
	t.Helper()
	db, err := store.Open(context.Background(), store.Memory, fstest.MapFS{"greenarrow.json": {Data: []byte(doc)}}, greenarrow.Schema())
	if err == nil {
		t.Cleanup(func() { db.Close() })
	}
	return db, err
}

// An organization needs only an id and a name; the rest is what a create fills in.
func TestFixtureMinimalFileTakesDefaults(t *testing.T) {
	t.Parallel()
	db, err := openFixture(t, `{"organizations": [{"id": 5, "name": "Five"}],
		"api_keys": [{"id": 1, "secret": "s", "role": "system_admin", "organization_id": 5, "active": true}]}`)
	require.NoError(t, err)
	var active bool
	var day int
	var zone, perms, quota string
	require.NoError(t, db.Read().QueryRow(`SELECT active, anniversary_day, time_zone, permissions, sending_quota FROM ga_organizations WHERE id = 5`).
		Scan(&active, &day, &zone, &perms, &quota))
	assert.True(t, active)
	assert.Equal(t, 1, day)
	assert.Equal(t, "Central Time (US & Canada)", zone)
	assert.JSONEq(t, `{"forced_unsub_tag_mode":"default","virtual_mta":{"mode":"select_any"},"bounce_email":{"mode":"select_any"},
		"url_domain":{"mode":"select_any"},"email_address":{"mode":"select_any"},"special_sending_rule":{"mode":"none"},
		"speed":"select_any","can_edit_header_and_footer":true}`, perms)
	assert.JSONEq(t, `{"mode":"no_limit"}`, quota)
}

// A fixture's quotas are stored as the API's own check leaves them: a
// no_limit quota is its mode alone, whatever else the file writes, so no
// rule reads a limit it does not have (autoresponders at a limit of 1).
func TestFixtureQuotasAsTheAPIKeepsThem(t *testing.T) {
	t.Parallel()
	db, err := openFixture(t, `{"organizations": [{"id": 5, "name": "Five",
		"sending_quota": {"mode": "no_limit", "limit": 1, "notify_organization_admins": true},
		"subscriber_quota": {"mode": "no_limit", "limit": 1, "overage": 3}},
		{"id": 6, "name": "Six", "sending_quota": {"mode": "hidden_limit", "limit": 1}}]}`)
	require.NoError(t, err)
	quotas := func(id int) (string, string) {
		var sq, subq string
		require.NoError(t, db.Read().QueryRow(`SELECT sending_quota, subscriber_quota FROM ga_organizations WHERE id = ?`, id).
			Scan(&sq, &subq))
		return sq, subq
	}
	sq, subq := quotas(5)
	assert.JSONEq(t, `{"mode":"no_limit"}`, sq)
	assert.JSONEq(t, `{"mode":"no_limit"}`, subq)
	sq, _ = quotas(6)
	assert.JSONEq(t, `{"mode":"hidden_limit","limit":1,"notify_organization_admins":false}`, sq)
}

func TestFixtureErrors(t *testing.T) {
	t.Parallel()
	const mta = `{"id": 41, "name": "ipaddr-1", "type": "ip_address"}`
	const perms = `"forced_unsub_tag_mode": "default", "bounce_email": {"mode": "select_any"}, "url_domain": {"mode": "select_any"},
		"email_address": {"mode": "select_any"}, "special_sending_rule": {"mode": "none"}, "speed": "select_any", "can_edit_header_and_footer": true`
	withMTA := func(vm string) string {
		return `{"virtual_mtas": [` + mta + `], "organizations": [{"id": 1, "name": "One", "permissions": {` + perms + `, "virtual_mta": ` + vm + `}}]}`
	}
	key := `"secret": "s", "role": "system_admin", "active": true`
	tests := []struct{ name, doc, want string }{
		{"not JSON", `{"organizations": [{"id": 1,}]}`,
			`fixtures: greenarrow.json: not JSON: line 1, column 29: invalid character '}' looking for beginning of object key string`},
		{"trailing data", "{}\n,", `fixtures: greenarrow.json: line 2, column 1: more data after the top-level object`},
		{"wrong type", `{"organizations": [{"id": 1, "name": "One"}, {"id": 2, "name": "Two"}, {"id": 3, "name": 3}]}`,
			`fixtures: greenarrow.json: organizations[2] (id 3): field "name": must be a string, not number`},
		{"unknown field", `{"organizations": [{"id": 3, "nmae": "Three"}]}`,
			`fixtures: greenarrow.json: organizations[0] (id 3): unknown field "nmae"`},
		{"unknown nested field", `{"organizations": [{"id": 3, "name": "Three", "sending_quota": {"mode": "no_limit", "limt": 5}}]}`,
			`fixtures: greenarrow.json: organizations[0] (id 3): unknown field "sending_quota.limt"`},
		{"missing required field", `{"organizations": [{"id": 3}]}`,
			`fixtures: greenarrow.json: organizations[0] (id 3): field "name": is required`},
		{"incomplete permissions", `{"organizations": [{"id": 3, "name": "Three", "permissions": {"speed": 5}}]}`,
			`fixtures: greenarrow.json: organizations[0] (id 3): field "permissions.forced_unsub_tag_mode": is required`},
		{"bad speed", `{"organizations": [{"id": 3, "name": "Three", "permissions": {` +
			strings.Replace(perms, `"speed": "select_any"`, `"speed": "fast"`, 1) + `, "virtual_mta": {"mode": "select_any"}}}]}`,
			`fixtures: greenarrow.json: organizations[0] (id 3): field "permissions.speed": must be a non-negative integer or "select_any", not "fast"`},
		{"bad permission mode", withMTA(`{"mode": "all"}`),
			`fixtures: greenarrow.json: organizations[0] (id 1): field "permissions.virtual_mta.mode": must be one of select_any, select_some, hide_one, not "all"`},
		{"id below 1", `{"organizations": [{"id": 0, "name": "Zero"}]}`,
			`fixtures: greenarrow.json: organizations[0] (id 0): field "id": must be at least 1, not 0`},
		{"duplicate id", `{"organizations": [{"id": 1, "name": "One"}, {"id": 1, "name": "Uno"}]}`,
			`fixtures: greenarrow.json: organizations[1] (id 1): field "id": "1" is already used by organizations[0]`},
		{"names differ in case only", `{"organizations": [{"id": 1, "name": "One"}, {"id": 2, "name": "ONE "}]}`,
			`fixtures: greenarrow.json: organizations[1] (id 2): field "name": "ONE" is already used by organizations[0]`},
		{"unknown time zone", `{"organizations": [{"id": 1, "name": "One", "time_zone_name": "Mars"}]}`,
			`fixtures: greenarrow.json: organizations[0] (id 1): field "time_zone_name": unknown time zone "Mars" (write it as the API shows it, "(GMT-06:00) Central Time (US & Canada)", or bare)`},
		{"quota the API refuses", `{"organizations": [{"id": 1, "name": "One", "sending_quota": {"mode": "hidden_limit"}}]}`,
			`fixtures: greenarrow.json: organizations[0] (id 1): field "sending_quota.limit": must be set to an integer greater than or equal to 0 when mode is hidden_limit`},
		{"unknown quota mode", `{"organizations": [{"id": 1, "name": "One", "subscriber_quota": {"mode": "fixed_credits"}}]}`,
			`fixtures: greenarrow.json: organizations[0] (id 1): field "subscriber_quota.mode": must be one of no_limit, visible_limit`},
		{"negative credits", `{"organizations": [{"id": 1, "name": "One", "credits_available": -1}]}`,
			`fixtures: greenarrow.json: organizations[0] (id 1): field "credits_available": must be at least 0, not -1`},
		{"send with neither campaign nor autoresponder", `{"organizations": [{"id": 1, "name": "One", "sends": [{"sent_at": "2015-09-04T12:00:00-05:00", "messages": 4}]}]}`,
			`fixtures: greenarrow.json: organizations[0] (id 1): sends[0]: field "campaign_id": a send has a campaign_id or an autoresponder_id: one of them`},
		{"send time", `{"organizations": [{"id": 1, "name": "One", "sends": [{"sent_at": "2015-09-04", "campaign_id": 1, "messages": 4}]}]}`,
			`fixtures: greenarrow.json: organizations[0] (id 1): sends[0]: field "sent_at": must be an RFC 3339 time like "2025-01-06T09:00:00Z", not "2015-09-04"`},
		{"send larger than a simulated one may be", `{"organizations": [{"id": 1, "name": "One", "sends": [{"sent_at": "2015-09-04T12:00:00-05:00", "campaign_id": 1, "messages": 1000000001}]}]}`,
			`fixtures: greenarrow.json: organizations[0] (id 1): sends[0]: field "messages": must be at most 1000000000, not 1000000001`},
		{"lifetime count unlike the sends", `{"organizations": [{"id": 1, "name": "One", "lifetime_messages_sent": 2, "sends": [
			{"sent_at": "2015-09-04T12:00:00-05:00", "campaign_id": 1, "messages": 4}, {"sent_at": "2015-09-05T12:00:00-05:00", "autoresponder_id": 1, "messages": 3}]}]}`,
			`fixtures: greenarrow.json: organizations[0] (id 1): field "lifetime_messages_sent": must be the sum of the organization's sends' messages, 7, not 2 (it is counted from them: leave it out)`},
		{"lifetime count without sends", `{"organizations": [{"id": 1, "name": "One", "lifetime_messages_sent": 5}]}`,
			`fixtures: greenarrow.json: organizations[0] (id 1): field "lifetime_messages_sent": must be the sum of the organization's sends' messages, 0, not 5 (it is counted from them: leave it out)`},
		{"unknown virtual MTA", withMTA(`{"mode": "hide_one", "virtual_mta": {"id": 99, "name": "x", "type": "ip_address"}}`),
			`fixtures: greenarrow.json: organizations[0] (id 1): field "permissions.virtual_mta.virtual_mta": unknown virtual MTA {"id":99,"name":"x","type":"ip_address"}`},
		{"virtual MTA unlike the listed one", withMTA(`{"mode": "select_some", "virtual_mtas": [{"id": 41, "name": "other", "type": "ip_address"}]}`),
			`fixtures: greenarrow.json: organizations[0] (id 1): field "permissions.virtual_mta.virtual_mtas[0]": {"id":41,"name":"other","type":"ip_address"} differs from the listed virtual MTA {"id":41,"name":"ipaddr-1","type":"ip_address"}`},
		{"hide_one without its object", withMTA(`{"mode": "hide_one"}`),
			`fixtures: greenarrow.json: organizations[0] (id 1): field "permissions.virtual_mta.virtual_mta": is required when mode is hide_one`},
		{"unknown suppression list", `{"organizations": [{"id": 1, "name": "One", "auto_subscriber_management": {"unsub_suppression_list": {"id": 7, "name": "U"}}}]}`,
			`fixtures: greenarrow.json: organizations[0] (id 1): field "auto_subscriber_management.unsub_suppression_list": unknown suppression list {"id":7,"name":"U"}`},
		{"unknown virtual MTA type", `{"virtual_mtas": [{"id": 41, "name": "x", "type": "ip"}]}`,
			`fixtures: greenarrow.json: virtual_mtas[0] (id 41): field "type": must be one of ip_address, relay_server, routing_rule, not "ip"`},
		{"duplicate bounce email address", `{"bounce_emails": [{"id": "1@1", "email": "b@example.com"}, {"id": "2@1", "email": "b@example.com"}]}`,
			`fixtures: greenarrow.json: bounce_emails[1] (id 2@1): field "email": "b@example.com" is already used by bounce_emails[0]`},
		{"API key of an unknown organization", `{"organizations": [{"id": 1, "name": "One"}], "api_keys": [{"id": 1, ` + key + `, "organization_id": 2}]}`,
			`fixtures: greenarrow.json: api_keys[0] (id 1): field "organization_id": unknown organization 2`},
		{"API key role", `{"organizations": [{"id": 1, "name": "One"}], "api_keys": [{"id": 1, "secret": "s", "role": "admin", "organization_id": 1, "active": true}]}`,
			`fixtures: greenarrow.json: api_keys[0] (id 1): field "role": must be one of system_admin, organization_admin, not "admin"`},
		{"API key without active", `{"organizations": [{"id": 1, "name": "One"}], "api_keys": [{"id": 1, "secret": "s", "role": "system_admin", "organization_id": 1}]}`,
			`fixtures: greenarrow.json: api_keys[0] (id 1): field "active": is required`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := openFixture(t, tt.doc)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

// An organization's lifetime_messages_sent is counted from its sends, at
// the seed and at every reset; a file may still give it, as older exports
// did, if it agrees.
func TestFixtureLifetimeIsCountedFromSends(t *testing.T) {
	t.Parallel()
	const sends = `"sends": [{"sent_at": "2015-09-04T12:00:00-05:00", "campaign_id": 1, "messages": 4},
		{"sent_at": "2015-09-05T12:00:00-05:00", "autoresponder_id": 2, "messages": 6}]`
	for _, doc := range []string{
		`{"organizations": [{"id": 1, "name": "One", "credits_available": 3, ` + sends + `}, {"id": 2, "name": "Two"}]}`,
		`{"organizations": [{"id": 1, "name": "One", "credits_available": 3, "lifetime_messages_sent": 10, ` + sends + `},
			{"id": 2, "name": "Two", "lifetime_messages_sent": 0}]}`,
	} {
		db, err := openFixture(t, doc)
		require.NoError(t, err)
		const counts = `SELECT id, lifetime_messages_sent, credits_available FROM ga_organizations ORDER BY id`
		assert.Equal(t, "1 10 3\n2 0 0\n", rows(t, db, counts), doc)
		require.NoError(t, db.Reset(context.Background(), greenarrow.Name))
		assert.Equal(t, "1 10 3\n2 0 0\n", rows(t, db, counts), "after a reset")
	}
}

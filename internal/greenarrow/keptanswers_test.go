package greenarrow

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/clock"
	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

const keptSysAdmin = "Authorization: Basic MTpnYS1zeXN0ZW0tYWRtaW4tc2VjcmV0" // 1:ga-system-admin-secret

func keptEnv(t *testing.T) *emutest.Env {
	t.Helper()
	return emutest.New(t, []store.Schema{Schema()}, func(d server.Deps) []server.Vendor { return []server.Vendor{New(d)} })
}

// requireKeptAgree checks that every organization has kept answers and that
// they are its answers, for both roles: as encoding/json writes its view and
// as the general path encodes them from its columns.
func requireKeptAgree(t *testing.T, db *store.DB, step string) {
	t.Helper()
	ctx := context.Background()
	rows, err := db.Read().Query(`SELECT ` + orgColumns + `, json_system, json_org FROM ga_organizations ORDER BY id`)
	require.NoError(t, err)
	defer rows.Close()
	n := 0
	for ; rows.Next(); n++ {
		var s storedOrg
		var system, own sql.NullString
		require.NoError(t, rows.Scan(append(s.dest(), &system, &own)...))
		o, err := s.decode(docSet{true, true, true, true}, docSet{})
		require.NoError(t, err)
		require.True(t, system.Valid && own.Valid, "%s: organization %d has no kept answers", step, o.ID)
		for _, tc := range []struct {
			system bool
			kept   string
		}{{true, system.String}, {false, own.String}} {
			got := string(appendOrgID(nil, o.ID)) + tc.kept
			want, err := json.Marshal(o.view(tc.system))
			require.NoError(t, err)
			require.Equal(t, string(want), got, "%s: organization %d, system %v", step, o.ID, tc.system)
			sc := newAnswerScan(tc.system)
			require.NoError(t, sc.scan(db.Reader().QueryRowContext(ctx,
				`SELECT `+answerColumns(tc.system)+` FROM ga_organizations WHERE id = ?`, o.ID)))
			require.Equal(t, string(appendOrg(nil, &sc.a, tc.system)), got, "%s: organization %d, system %v", step, o.ID, tc.system)
		}
	}
	require.NoError(t, rows.Err())
	require.Positive(t, n, step)
}

// TestKeptAnswersAgreeAfterEveryWrite: the fixtures, a create, an update of
// each attribute (by a system administrator and by an organization admin),
// sends and credits, a reset and a copy of the state seeded anew all leave
// every organization's kept answers what its answers are.
func TestKeptAnswersAgreeAfterEveryWrite(t *testing.T) {
	t.Parallel()
	env := keptEnv(t)
	db := env.Deps.DB
	requireKeptAgree(t, db, "fixtures")
	do := func(method, path, body string, headers ...string) {
		t.Helper()
		res := env.Do(t, method, path, body, headers...)
		require.Equal(t, 200, res.Status, "%s %s %s: %s", method, path, body, res.Body)
		requireKeptAgree(t, db, method+" "+path+" "+body)
	}
	const orgs = "/greenarrow/ga/api/v2/organizations"
	do("POST", orgs, `{"organization": {"name": "Defaults"}}`, keptSysAdmin) // 5
	do("POST", orgs, `{"organization": {"name": "Everything", "active": false, "anniversary_day": 9,
		"time_zone_name": "(GMT-11:00) American Samoa", "html_header": "<h>", "html_footer": "&f", "text_header": "t",
		"text_footer": "\u2029", "custom_headers": "X-A: 1\nList-Help: <x>",
		"permissions": {"forced_unsub_tag_mode": "link_or_token",
			"virtual_mta": {"mode": "select_some", "virtual_mtas": [{"id": 41}, {"name": "ipaddr-2"}, {"id": 46}]},
			"bounce_email": {"mode": "hide_one", "bounce_email": {"id": "1@1"}},
			"url_domain": {"mode": "hide_one", "url_domain": {"id": 31}},
			"email_address": {"mode": "select_some", "addresses": ["@example.com"]},
			"special_sending_rule": {"mode": "select_any"}, "speed": 300, "can_edit_header_and_footer": false},
		"sending_quota": {"mode": "visible_limit", "limit": 5000, "overage": 20, "notify_organization_admins": false},
		"subscriber_quota": {"mode": "visible_limit", "limit": 5000, "overage": 20, "notify_organization_admins": true},
		"auto_subscriber_management": {"distribute_removals": true, "bounce_suppression_list": {"id": 2},
			"scomp_suppression_list": null, "unsub_suppression_list": {"name": "Unsubscribes"}}}}`, keptSysAdmin) // 6
	hostile, err := json.Marshal(strings.ReplaceAll(strings.Join(hostileStrings, " | "), "\x00", "")) // no NUL is taken
	require.NoError(t, err)
	for i, body := range []string{
		`{"name": ` + string(hostile) + `}`, `{"text_header": ` + string(hostile) + `}`,
		`{"name": "Renamed <&>"}`,
		`{"active": false}`, `{"active": true}`,
		`{"anniversary_day": 17}`,
		`{"time_zone_name": "Chatham Is."}`, `{"time_zone_name": "(GMT-11:00) American Samoa"}`,
		`{"html_header": "<b>h & \u2028</b>"}`, `{"html_footer": "f\u0001\t"}`, `{"text_header": "é 日本"}`,
		`{"text_footer": "\"q\" \\b"}`, `{"custom_headers": "X-Tag: <b>"}`, `{"custom_headers": null}`,
		`{"permissions": {"forced_unsub_tag_mode": "link"}}`,
		`{"permissions": {"virtual_mta": {"mode": "select_some", "virtual_mtas": [{"id": 41}, {"name": "relay-1"}]}}}`,
		`{"permissions": {"virtual_mta": {"mode": "hide_one", "virtual_mta": {"id": 46}}}}`,
		`{"permissions": {"bounce_email": {"mode": "hide_one", "bounce_email": {"id": "1@1"}}}}`,
		`{"permissions": {"url_domain": {"mode": "select_some", "url_domains": [{"id": 31}]}}}`,
		`{"permissions": {"email_address": {"mode": "select_some", "addresses": ["@example.com", "a@example.com"]}}}`,
		`{"permissions": {"special_sending_rule": {"mode": "select_any"}}}`,
		`{"permissions": {"speed": 5000}}`, `{"permissions": {"speed": "select_any"}}`,
		`{"permissions": {"can_edit_header_and_footer": false}}`, `{"permissions": {"can_edit_header_and_footer": true}}`,
		`{"auto_subscriber_management": {"distribute_removals": true, "unsub_suppression_list": {"id": 1}}}`,
		`{"auto_subscriber_management": {"bounce_suppression_list": {"id": 2}, "scomp_suppression_list": {"id": 3}}}`,
		`{"sending_quota": {"mode": "visible_limit", "limit": 100, "overage": 5, "notify_organization_admins": true}}`,
		`{"sending_quota": {"mode": "fixed_credits", "limit": 70}}`,
		`{"subscriber_quota": {"mode": "visible_limit", "limit": 10, "overage": 1}}`,
		`{"subscriber_quota": {"mode": "no_limit"}}`,
		`{"organization": {}}`,
	} {
		do("PUT", orgs+"/"+strconv.Itoa(2+i%5), body, keptSysAdmin) // the fixtures' 2 to 4 and the two created
	}
	// An organization admin edits what it may.
	const orgAdmin = "Authorization: Basic MjpnYS1vcmcyLWFkbWluLXNlY3JldA==" // 2:ga-org2-admin-secret
	for _, body := range []string{`{"html_header": "own <h>"}`, `{"text_footer": "own"}`,
		`{"auto_subscriber_management": {"distribute_removals": false, "unsub_suppression_list": null}}`,
		`{"name": "ignored", "active": false, "permissions": {"speed": 1}}`} {
		do("PUT", orgs+"/2", body, orgAdmin)
	}
	// Credits and sends change no answer.
	do("PUT", orgs+"/6", `{"sending_quota": {"mode": "fixed_credits", "limit": 70}}`, keptSysAdmin)
	do("PUT", orgs+"/6/set_sending_credits", `{"credits": 9}`, keptSysAdmin)
	do("POST", "/_emulator/greenarrow/organizations/6/sends", `{"count": 3, "campaign_id": 1, "campaign_name": "c"}`)

	// A copy of the state, seeded anew.
	clk := clock.New(nil)
	clk.Set(time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC))
	copied := emutest.Seeded(t, Schema(), fixtureFile, emutest.State(t, New(server.Deps{DB: db})), clk,
		func(d server.Deps) []server.Vendor { return []server.Vendor{New(d)} })
	requireKeptAgree(t, copied.Deps.DB, "state copy")
	require.Equal(t, env.Tables(t, "ga_organizations"), copied.Tables(t, "ga_organizations"), "the copy keeps the same answers")

	require.NoError(t, db.Reset(context.Background(), Name))
	requireKeptAgree(t, db, "reset")
}

package greenarrow_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/fixtures"
	"github.com/emulator/vendor-emulator/internal/clock"
	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/greenarrow"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// exportState is State as the control plane serves it.
func exportState(t *testing.T, db *store.DB) []byte {
	t.Helper()
	return emutest.State(t, greenarrow.New(server.Deps{DB: db}))
}

// seeded is a running emulator on a fresh store seeded from doc, its clock
// frozen at now.
func seeded(t *testing.T, doc []byte, now time.Time) *emutest.Env {
	t.Helper()
	clk := clock.New(nil)
	clk.Set(now)
	clk.Freeze(true)
	clk.Set(now)
	return emutest.Seeded(t, greenarrow.Schema(), "greenarrow.json", doc, clk, func(d server.Deps) []server.Vendor {
		return []server.Vendor{greenarrow.New(d)}
	})
}

// rows dumps what a query returns, one line a row.
func rows(t *testing.T, db *store.DB, query string) string {
	t.Helper()
	_, rs := emutest.Rows(t, db.Read(), query)
	var b strings.Builder
	for _, vals := range rs {
		fmt.Fprintln(&b, vals...)
	}
	return b.String()
}

// stateQueries read every GreenArrow table as a copy must reproduce it:
// all of it, but for the sends' ids (renumbered, each organization's order
// kept: every reading of sends is one organization's) and the
// delete confirmation codes (left out by decision). ga_counts, kept by
// triggers, is compared too: seeding must rebuild it.
var stateQueries = map[string]string{
	"ga_organizations":     `SELECT * FROM ga_organizations ORDER BY id`,
	"ga_api_keys":          `SELECT * FROM ga_api_keys ORDER BY id`,
	"ga_virtual_mtas":      `SELECT * FROM ga_virtual_mtas ORDER BY id`,
	"ga_url_domains":       `SELECT * FROM ga_url_domains ORDER BY id`,
	"ga_bounce_emails":     `SELECT * FROM ga_bounce_emails ORDER BY id`,
	"ga_suppression_lists": `SELECT * FROM ga_suppression_lists ORDER BY id`,
	"ga_sends": `SELECT organization_id, sent_at, campaign_id, campaign_name, autoresponder_id, autoresponder_name,
		messages FROM ga_sends ORDER BY organization_id, id`,
	"ga_counts":       `SELECT * FROM ga_counts ORDER BY what`,
	"ga_delete_codes": ``,
	"sqlite_sequence": `SELECT seq FROM sqlite_sequence WHERE name = 'ga_organizations'`,
}

// The untouched default state exports as the embedded file.
func TestStateDefaultIsTheFixtureFile(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	want, err := fs.ReadFile(fixtures.FS, "greenarrow.json")
	require.NoError(t, err)
	got := exportState(t, env.Deps.DB)
	assert.JSONEq(t, string(want), string(got))
	assert.Equal(t, string(got), string(exportState(t, env.Deps.DB)), "two exports of one state are the same bytes")
	// The strict reader takes the export as it is: no field it refuses.
	db, err := openFixture(t, string(got))
	require.NoError(t, err)
	assert.Equal(t, string(got), string(exportState(t, db)))
}

// Every table is accounted for: a table added later must be added to
// stateQueries (and to State) or this fails.
func TestStateCoversEveryTable(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	tables := strings.Fields(rows(t, env.Deps.DB,
		`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'ga\_%' ESCAPE '\' ORDER BY name`))
	want := []string{}
	for name := range stateQueries {
		if name != "sqlite_sequence" {
			want = append(want, name)
		}
	}
	assert.ElementsMatch(t, want, tables)
}

// A broad set of changes through the API survives export and seeding: the
// copy exports the same bytes, holds the same rows and answers alike.
func TestStateRoundTrip(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	ok := func(method, path, body string, auth ...string) json.RawMessage {
		t.Helper()
		return requireOK(t, env.Do(t, method, path, body, auth...)).Data
	}
	loc := chicago(t)

	// Creates: the docs' example (another zone, select_some and hide_one
	// references, visible limits, distribute_removals), one on fixed credits,
	// one with suppression lists and an autoresponder history, and two to delete.
	docs := create(t, env, deobfuscate(doc(t, "create_request.json")))
	credit := create(t, env, `{"organization":{"name":"Credits","anniversary_day":31,"sending_quota":{"mode":"fixed_credits","limit":100}}}`)
	lists := create(t, env, `{"organization":{"name":"Lists","time_zone_name":"Tokyo","auto_subscriber_management":{
		"unsub_suppression_list":{"id":1},"bounce_suppression_list":{"name":"Bounces"},"scomp_suppression_list":null},
		"sending_quota":{"mode":"hidden_limit","limit":50},"subscriber_quota":{"mode":"visible_limit","limit":10,"overage":5}}}`)
	doomed := create(t, env, `{"organization":{"name":"Doomed"}}`)
	require.Equal(t, []int64{5, 6, 7, 8}, []int64{docs, credit, lists, doomed})

	// Updates: an organization admin first (headers, while allowed), then the
	// system administrator everything else.
	ok("PUT", base+"/organizations/2", `{"organization":{"html_header":"<b>hi</b>","text_footer":"bye"}}`, orgAdmin)
	ok("PUT", base+"/organizations/2", `{"organization":{"name":"Renamed Org","active":false,"anniversary_day":20,
		"time_zone_name":"(GMT+01:00) Amsterdam","custom_headers":"X-Campaign: one\nList-Help: <mailto:help@example.com>",
		"permissions":{"forced_unsub_tag_mode":"link_or_token","email_address":{"mode":"select_some","addresses":["a@example.com","@example.org"]},
		"special_sending_rule":{"mode":"none"},"speed":500,"can_edit_header_and_footer":false,
		"virtual_mta":{"mode":"hide_one","virtual_mta":{"name":"route-1"}},"url_domain":{"mode":"select_some","url_domains":[{"id":31}]}},
		"sending_quota":{"mode":"advisory_message","limit":3,"notify_organization_admins":true}}}`, sysAdmin)
	ok("PUT", base+"/organizations/3", `{"organization":{"sending_quota":{"mode":"fixed_credits","limit":40}}}`, sysAdmin)
	ok("PUT", base+"/organizations/3", `{"organization":{"sending_quota":{"mode":"no_limit"}}}`, sysAdmin) // credits stay behind

	// Credits and sends at several instants, on the emulated clock.
	ok("PUT", fmt.Sprintf("%s/organizations/%d/add_sending_credits", base, credit), `{"credits":25}`, sysAdmin)
	ok("PUT", fmt.Sprintf("/greenarrow/api/v2/organizations/%d/remove_sending_credits", credit), `{"credits":5}`, sysAdmin)
	send(t, env, credit, time.Date(2025, 12, 31, 23, 30, 0, 0, loc), `{"count":30,"campaign_id":7,"campaign_name":"Year end"}`)
	send(t, env, lists, time.Date(2026, 1, 2, 8, 0, 0, 0, loc), `{"count":20,"autoresponder_id":3,"autoresponder_name":"Welcome"}`)
	send(t, env, lists, time.Date(2026, 1, 9, 8, 0, 0, 0, loc), `{"count":25,"campaign_id":9,"campaign_name":"News"}`)
	send(t, env, 2, time.Date(2026, 1, 12, 9, 0, 0, 0, loc), `{"count":7,"campaign_id":1,"campaign_name":"Mail"}`)
	send(t, env, 1, time.Date(2026, 1, 14, 9, 0, 0, 0, loc), `{"count":2,"campaign_id":11,"campaign_name":"Default Campaign (Duplicate #10)"}`)
	send(t, env, doomed, time.Date(2026, 1, 14, 10, 0, 0, 0, loc), `{"count":1,"campaign_id":1,"campaign_name":"x"}`)
	now := emutest.Start.Add(3 * time.Hour)
	env.Deps.Clock.Set(now)

	// Deletes: the newest organization (its id is not handed out again) and
	// a fixture one; a code left pending for another.
	for _, id := range []int64{doomed, 4} {
		c := field[string](t, ok("GET", fmt.Sprintf("%s/organizations/%d/delete_confirmation_code", base, id), "", sysAdmin),
			"delete_confirmation_code")
		ok("DELETE", fmt.Sprintf("%s/organizations/%d/confirmed/%s", base, id, c), "", sysAdmin)
	}
	pending := field[string](t, ok("GET", base+"/organizations/3/delete_confirmation_code", "", sysAdmin), "delete_confirmation_code")

	doc1 := exportState(t, env.Deps.DB)
	assert.Equal(t, 9, field[int](t, doc1, "next_organization_id"), string(doc1))
	assert.NotContains(t, string(doc1), "lifetime_messages_sent", "counted from the sends, not written")
	assert.NotContains(t, string(doc1), strings.Split(pending, ":")[0], "delete confirmation codes are not exported")

	cp := seeded(t, doc1, now)
	doc2 := exportState(t, cp.Deps.DB)
	require.Equal(t, string(doc1), string(doc2), "the copy exports the same bytes")

	for table, query := range stateQueries {
		if query != "" {
			assert.Equal(t, rows(t, env.Deps.DB, query), rows(t, cp.Deps.DB, query), table)
		}
	}
	assert.Equal(t, "", rows(t, cp.Deps.DB, `SELECT * FROM ga_delete_codes`))

	// Representative answers, the same from both.
	same := func(method, path, body string, auth ...string) {
		t.Helper()
		want := env.Do(t, method, path, body, auth...)
		got := cp.Do(t, method, path, body, auth...)
		assert.Equal(t, want.Status, got.Status, "%s %s: %s", method, path, got.Body)
		assert.Equal(t, want.Body, got.Body, "%s %s", method, path)
	}
	for _, path := range []string{
		"/organizations", "/organizations?per_page=2&page=2", "/organizations?name=Lists",
		"/organizations/1", "/organizations/2", "/organizations/3", fmt.Sprintf("/organizations/%d", docs),
		fmt.Sprintf("/organizations/%d", lists), "/organizations/4", fmt.Sprintf("/organizations/%d", doomed),
		fmt.Sprintf("/organizations/%d/sending_credits", credit), "/organizations/3/sending_credits",
		"/organizations/1/messages_sent/daily?start_date=2015-09-01&end_date=2026-01-31",
		fmt.Sprintf("/organizations/%d/messages_sent/monthly?start_date=2025-12-01&end_date=2026-01-31", lists),
		fmt.Sprintf("/organizations/%d/messages_sent/daily.csv?start_date=2025-12-01&end_date=2026-01-31", credit),
		"/virtual_mtas", "/bounce_emails", "/suppression_lists", "/url_domains/31",
	} {
		same("GET", base+path, "", sysAdmin)
	}
	same("GET", base+"/organizations/2", "", orgAdmin) // its organization is inactive now: the key is refused alike
	same("GET", base+"/organizations", "", basic("9", "no-such-key"))

	// What comes next is the same too: quota enforcement over the history,
	// spending credits, the next id.
	same("POST", fmt.Sprintf(sendsPath, lists), `{"count":6,"campaign_id":9,"campaign_name":"News"}`)
	same("POST", fmt.Sprintf(sendsPath, lists), `{"count":5,"campaign_id":9,"campaign_name":"News"}`)
	same("POST", fmt.Sprintf(sendsPath, credit), `{"count":91,"campaign_id":7,"campaign_name":"Year end"}`)
	same("POST", fmt.Sprintf(sendsPath, credit), `{"count":90,"campaign_id":7,"campaign_name":"Year end"}`)
	same("POST", base+"/organizations", `{"organization":{"name":"Next"}}`, sysAdmin)
	assert.Equal(t, 9, field[int](t, requireOK(t, cp.Do(t, "GET", base+"/organizations/9", "", sysAdmin)).Data, "id"))
	same("GET", base+"/organizations", "", sysAdmin) // the counted total, after a create

	// A code issued before the export is unknown to the copy, which keeps the organization.
	requireError(t, cp.Do(t, "DELETE", base+"/organizations/3/confirmed/"+pending, "", sysAdmin), 400, "invalid_request")
	requireOK(t, cp.Do(t, "GET", base+"/organizations/3", "", sysAdmin))
}

// next_organization_id is the id the next create takes; it must be above
// every listed id, and without organizations it still applies.
func TestStateNextOrganizationID(t *testing.T) {
	t.Parallel()
	env := seeded(t, []byte(`{"organizations": [{"id": 1, "name": "One"}, {"id": 3, "name": "Three"}],
		"api_keys": [{"id": 1, "secret": "ga-system-admin-secret", "role": "system_admin", "organization_id": 1, "active": true}],
		"next_organization_id": 10}`), emutest.Start)
	assert.Equal(t, int64(10), create(t, env, `{"organization":{"name":"Ten"}}`))
	assert.Equal(t, int64(11), create(t, env, `{"organization":{"name":"Eleven"}}`))

	// The default (one more than the largest id) is not written.
	env = seeded(t, []byte(`{"organizations": [{"id": 1, "name": "One"}], "next_organization_id": 2}`), emutest.Start)
	assert.NotContains(t, string(exportState(t, env.Deps.DB)), "next_organization_id")

	db, err := openFixture(t, `{"next_organization_id": 5}`)
	require.NoError(t, err)
	assert.JSONEq(t, `{"api_keys": [], "virtual_mtas": [], "url_domains": [], "bounce_emails": [], "suppression_lists": [],
		"organizations": [], "next_organization_id": 5}`, string(exportState(t, db)))

	for _, tt := range []struct{ name, doc, want string }{
		{"not above the largest id", `{"organizations": [{"id": 4, "name": "Four"}], "next_organization_id": 4}`,
			`fixtures: greenarrow.json: field "next_organization_id": must be greater than every organization's id, so at least 5, not 4`},
		{"zero", `{"next_organization_id": 0}`, `fixtures: greenarrow.json: field "next_organization_id": must be at least 1, not 0`},
		{"string", `{"next_organization_id": "9"}`, `fixtures: greenarrow.json: field "next_organization_id": must be an integer, not string`},
		{"null", `{"next_organization_id": null}`, `fixtures: greenarrow.json: field "next_organization_id": must be an integer, not null`},
		{"misspelt", `{"next_organization_ids": 9}`, `fixtures: greenarrow.json: unknown field "next_organization_ids"`},
		// What older files may hold, which an export leaves out, still reads.
		{"explicit nulls and defaults", `{"organizations": [{"id": 1, "name": "One", "credits_available": 0, "lifetime_messages_sent": 1,
			"sends": [{"sent_at": "2015-09-04T12:00:00-05:00", "campaign_id": 1, "messages": 1, "autoresponder_id": null}]}],
			"next_organization_id": 2}`, ``},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := openFixture(t, tt.doc)
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

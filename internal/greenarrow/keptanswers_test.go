package greenarrow

import (
	"context"
	"database/sql"
	"encoding/base64"
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
	// Every row is read before the checks read more: a read that waits on a
	// read still open could wait behind a writer that waits on the first.
	type kept struct {
		s           storedOrg
		system, own sql.NullString
	}
	var all []*kept
	rows, err := db.Read().Query(`SELECT ` + orgColumns + `, json_system, json_org FROM ga_organizations ORDER BY id`)
	require.NoError(t, err)
	for rows.Next() {
		k := &kept{}
		require.NoError(t, rows.Scan(append(k.s.dest(), &k.system, &k.own)...))
		all = append(all, k)
	}
	require.NoError(t, rows.Err())
	require.NoError(t, rows.Close())
	for _, k := range all {
		system, own := k.system, k.own
		o, err := k.s.decode(docSet{true, true, true, true}, docSet{})
		require.NoError(t, err)
		require.True(t, system.Valid && own.Valid, "%s: organization %d has no kept answers", step, o.ID)
		for _, tc := range []struct {
			system bool
			kept   string
		}{{true, system.String}, {false, own.String}} {
			got := tc.kept
			want, err := json.Marshal(o.view(tc.system))
			require.NoError(t, err)
			require.Equal(t, string(want), got, "%s: organization %d, system %v", step, o.ID, tc.system)
			sc := newAnswerScan(tc.system)
			require.NoError(t, sc.scan(db.Reader().QueryRowContext(ctx,
				`SELECT `+answerColumns(tc.system)+` FROM ga_organizations WHERE id = ?`, o.ID)))
			require.Equal(t, string(appendOrg(nil, &sc.a, tc.system)), got, "%s: organization %d, system %v", step, o.ID, tc.system)
		}
	}
	require.Positive(t, len(all), step)
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
	// A create takes the id AUTOINCREMENT gives, which its answers show.
	do("POST", orgs, `{"organization": {"name": "After the reset"}}`, keptSysAdmin)
	var id int64
	require.NoError(t, db.Read().QueryRow(`SELECT id FROM ga_organizations WHERE name = 'After the reset'`).Scan(&id))
	require.Equal(t, int64(5), id)
}

// keptTestRequests are GET organization and list requests, by a system
// administrator and by each organization's own admin (keys 5000 + id),
// over every filter, order and paging the list has.
func keptTestRequests(ids []int64) [][2]string {
	var out [][2]string
	const orgs = "/greenarrow/ga/api/v2/organizations"
	for _, id := range append(ids, 999) {
		own := "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(strconv.FormatInt(5000+id, 10)+":secret"))
		path := orgs + "/" + strconv.FormatInt(id, 10)
		out = append(out, [2]string{path, keptSysAdmin}, [2]string{path, own}, [2]string{orgs, own},
			[2]string{orgs + "?order_by=name&per_page=1", own}, [2]string{orgs + "/1", own})
	}
	for _, q := range []string{"", "?order_by=name", "?order_by=id", "?name=second+org", "?name=SECOND%20ORG&order_by=name",
		"?name=nothing", "?name_contains=org", "?name_contains=ORG&order_by=name", "?name_contains=%25", "?minimal=true",
		"?minimal=true&order_by=name&per_page=3&page=1"} {
		for _, pages := range []string{"", "per_page=1&page=0", "per_page=1&page=3", "per_page=2&page=1", "per_page=3&page=2",
			"per_page=7&page=1", "per_page=2000", "per_page=5&page=99", "per_page=2000&page=9223372036854775807"} {
			sep := "?"
			if q != "" {
				sep = "&"
			}
			if pages == "" {
				sep = ""
			}
			out = append(out, [2]string{orgs + q + sep + pages, keptSysAdmin})
		}
	}
	return out
}

// TestAnswersWithoutKeptJSON: rows written before migration 004 (no kept
// answers) are answered through the general path with the very bytes the
// kept answers give: every organization to either role, every list filter,
// order and page, whether none, some or all of a page's rows have them; and
// an update that changes something writes them again.
func TestAnswersWithoutKeptJSON(t *testing.T) {
	t.Parallel()
	env := keptEnv(t)
	db := env.Deps.DB
	ctx := context.Background()
	// Names whose order differs from the ids', in mixed case; each
	// organization with an admin key of its own.
	require.NoError(t, db.Tx(ctx, func(tx *store.Tx) error {
		for i, o := range answerTestOrgs() {
			o.ID, o.Name = int64(10+i), []string{"zeta org", "Alpha Org", "beta", "ORG Gamma", "delta"}[i%5]+strconv.Itoa(i)+o.Name
			o.CustomHeaders = "X-Tag: " + strings.ReplaceAll(o.CustomHeaders, "\n", " ") // valid, for the updates below
			if _, err := insertOrganization(ctx, tx, o, o.documents()); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(context.Background(), `INSERT INTO ga_api_keys (id, name, secret, role, organization_id, active)
			SELECT 5000 + id, '', 'secret', 'organization_admin', id, 1 FROM ga_organizations`)
		return err
	}))
	requireKeptAgree(t, db, "inserted")
	var ids []int64
	rows, err := db.Read().Query(`SELECT id FROM ga_organizations ORDER BY id`)
	require.NoError(t, err)
	for rows.Next() {
		var id int64
		require.NoError(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	require.NoError(t, rows.Err())
	requests := keptTestRequests(ids)
	answers := func() []string {
		var out []string
		for _, rq := range requests {
			res := env.Do(t, "GET", rq[0], "", rq[1])
			out = append(out, strconv.Itoa(res.Status)+" "+res.Body)
		}
		return out
	}
	kept := answers()
	exec := func(query string) {
		t.Helper()
		_, err := db.Write().Exec(query)
		require.NoError(t, err)
	}
	for _, tc := range []struct{ name, where string }{
		{"every row", "1"}, {"every other row", "id % 2 = 0"}, {"one row", "id = 12"}, {"the system organization's", "id = 1"},
	} {
		exec(`UPDATE ga_organizations SET json_system = json_system, json_org = json_org`) // no-op: as kept
		require.Equal(t, kept, answers(), "kept")
		exec(`UPDATE ga_organizations SET json_system = NULL, json_org = NULL WHERE ` + tc.where)
		got := answers()
		for i := range requests {
			require.Equal(t, kept[i], got[i], "%s without kept answers: GET %s (%s)", tc.name, requests[i][0], requests[i][1])
		}
		// An update that changes nothing writes nothing; one that changes
		// something writes them again (here: active, and back).
		for _, id := range ids {
			path := "/greenarrow/ga/api/v2/organizations/" + strconv.FormatInt(id, 10)
			var active bool
			require.NoError(t, db.Read().QueryRow(`SELECT active FROM ga_organizations WHERE id = ?`, id).Scan(&active))
			for _, body := range []string{`{"organization": {}}`, `{"active": ` + strconv.FormatBool(!active) + `}`,
				`{"active": ` + strconv.FormatBool(active) + `}`} {
				res := env.Do(t, "PUT", path, body, keptSysAdmin)
				require.Equal(t, 200, res.Status, res.Body)
			}
		}
		requireKeptAgree(t, db, tc.name+" updated")
		require.Equal(t, kept, answers(), tc.name+" updated")
	}
}

// TestOrganizationKeptPagePlans: the list read as kept answers reads the
// page as orgListSQL does: in the list's order, with no sort, and no full
// read but the unfiltered page's walk, which stops at the page, and
// name_contains'.
func TestOrganizationKeptPagePlans(t *testing.T) {
	t.Parallel()
	env := keptEnv(t)
	for who, c := range map[string]caller{
		"system": {KeyID: 1, Role: roleSystemAdmin, OrganizationID: 1},
		"org":    {KeyID: 2, Role: roleOrganizationAdmin, OrganizationID: 2},
	} {
		for _, filter := range [][2]string{{"", ""}, {"Third Org", ""}, {"", "third"}} {
			for _, order := range []string{"id", "name_key, id"} {
				st := keptPageSQL(c, filter[0], filter[1], order, page{PerPage: 100})
				name := who + " name=" + filter[0] + " name_contains=" + filter[1] + " order " + order
				for _, s := range explain(t, env, st) {
					switch {
					case strings.HasPrefix(s, "USE TEMP B-TREE"):
						t.Errorf("%s: sorts what it read: %s\n%s", name, s, st.sql)
					case strings.HasPrefix(s, "SCAN ga_") && filter[1] == "" && !(c.system() && filter[0] == ""):
						t.Errorf("%s: reads every organization: %s\n%s", name, s, st.sql)
					}
				}
			}
		}
	}
}

// TestCreatePlan: a create finds its id and whether its name is taken by
// index, not by reading the organizations (sqlite_sequence is a row a table).
func TestCreatePlan(t *testing.T) {
	t.Parallel()
	steps := explain(t, keptEnv(t), statement{createOrgSQL, []any{"third org"}})
	require.Equal(t, []string{"SCAN CONSTANT ROW", "SCALAR SUBQUERY 1", "SCAN sqlite_sequence", "SCALAR SUBQUERY 2",
		"SEARCH ga_organizations", "SCALAR SUBQUERY 3",
		"SEARCH ga_organizations USING COVERING INDEX sqlite_autoindex_ga_organizations_1 (name_key=?)"}, steps)
}

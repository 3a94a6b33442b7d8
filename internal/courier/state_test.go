package courier_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/fixtures"
	"github.com/emulator/vendor-emulator/internal/courier"
	"github.com/emulator/vendor-emulator/internal/courier/catalog"
	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// TestStateDefaultIsTheFixtureFile: the untouched default state exports as
// fixtures/courier.json, once the file's resources are given what seeding
// gives them (CompleteFixture): the file leaves out some attributes at their
// type's empty value (a channel's subscribers, a message's read-receipts,
// ...), the store holds every one, and State writes what is stored.
func TestStateDefaultIsTheFixtureFile(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	raw, err := fixtures.FS.ReadFile("courier.json")
	require.NoError(t, err)
	want, err := courier.CompleteFixture(raw)
	require.NoError(t, err)
	got := emutest.State(t, courier.New(env.Deps))
	assert.JSONEq(t, string(want), string(got))
	assert.Equal(t, got, emutest.State(t, courier.New(env.Deps)), "two exports of one state are the same bytes")
}

// walkOrder is every catalog operation with its walk request, in the golden
// walk's order: the grouped families, each in catalog order, then the fresh
// ones.
func walkOrder() (ops []jsonapi.Operation, reqs []walkRequest) {
	grouped := groupedWalk()
	for _, g := range []string{"text", "voice", "video", "other"} {
		for _, op := range catalog.Operations() {
			if walkGrouped(op) && walkGroup(op) == g {
				ops, reqs = append(ops, op), append(reqs, grouped[op.ID])
			}
		}
	}
	for _, op := range catalog.Operations() {
		if !walkGrouped(op) {
			ops, reqs = append(ops, op), append(reqs, freshWalk[op.ID])
		}
	}
	return ops, reqs
}

// TestStateRoundTrip writes through the API with every operation of the
// catalog (the walks' valid requests: creates, modifies, deletes, actions,
// status changes, reactions, read marks, purges), the clock moving between
// them, and more that the walks do not do; exports; seeds a new store from
// the export; and requires the copy to export the same bytes, to hold the
// same rows in every cr_ table (counters at zero aside: see tablesOf), and
// to answer every read of the walks as the original does.
func TestStateRoundTrip(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	ops, reqs := walkOrder()
	failed := map[string]int{}
	for i, op := range ops {
		env.Deps.Clock.Advance(1500 * time.Millisecond)
		if r := call(t, env, adminToken, op.Method, reqs[i].path, reqs[i].body); r.Status >= 300 {
			failed[op.ID] = r.Status
		}
	}
	// The one request that needs what an earlier one removed (bulk badge
	// counts replace the organization's counts).
	assert.Equal(t, map[string]int{"badge-counts.get": 404}, failed)
	// A draft posted later, a read mark moved back, an individual purged
	// (its links and children go), a subscriber removed.
	draft := one(t, mustCall(t, env, 201, "POST", "/v1/messaging-messages/", resourceDoc("messaging-messages", "",
		`{"channel-id": "`+chanDirect+`", "individual-id": "`+indPat+`", "message": "draft", "draft": true}`))).ID
	env.Deps.Clock.Advance(time.Minute)
	mustCall(t, env, 200, "PATCH", "/v1/messaging-messages/"+draft+"/", resourceDoc("messaging-messages", draft, `{"draft": false}`))
	mustCall(t, env, 201, "POST", "/v1/messaging-messages/"+msg1+"/ack/", `{"individual-id": "`+indAlice+`", "allow-past": true}`)
	mustCall(t, env, 201, "POST", "/v1/purge-data/", resourceDoc("system-purges", "", `{"archive": false, "entity-id": "`+indQuinn+`",
		"entity-type": "individual", "reference-id": "ticket-2", "request-id": "req-2"}`))

	doc := emutest.State(t, courier.New(env.Deps))
	assert.NotContains(t, string(doc), `"_message-count"`, "derived attributes are left to seeding")
	cp := emutest.Seeded(t, courier.Schema(), "courier.json", doc, env.Deps.Clock, func(d server.Deps) []server.Vendor {
		return []server.Vendor{courier.New(d)}
	})
	db := cp.Deps.DB
	assert.Equal(t, string(doc), string(emutest.State(t, courier.New(cp.Deps))), "the copy exports the same document")
	emutest.SameState(t, tablesOf(t, env.Deps.DB), tablesOf(t, db), "the copy's tables")

	for i, op := range ops {
		if op.Method != "GET" || op.ID == "video-channels.get-credentials" || op.ID == "voice-conferences.get-credentials" {
			continue // get-credentials joins the caller: a write, answered with new tokens
		}
		want := call(t, env, adminToken, op.Method, reqs[i].path, reqs[i].body)
		got := call(t, cp, adminToken, op.Method, reqs[i].path, reqs[i].body)
		assert.Equal(t, want.Status, got.Status, op.ID)
		// Links name the server the request reached.
		assert.Equal(t, strings.ReplaceAll(want.Body, env.URL, ""), strings.ReplaceAll(got.Body, cp.URL, ""), op.ID)
	}
}

// derivedRows says, for every cr_ table, which of its rows a copy must hold
// too: all of them, but for counters a delete left at zero, which seeding
// does not make. A new table fails the test until it is accounted for here
// and in State.
var derivedRows = map[string]string{
	"cr_resources":                    "",
	"cr_messaging_messages":           "",
	"cr_messaging_channels":           "",
	"cr_links":                        "",
	"cr_tokens":                       "",
	"cr_counts":                       "n != 0",
	"cr_channel_authors":              "messages != 0",
	"cr_read_marks":                   "",
	"cr_group_members":                "",
	"cr_notification_counts":          "n != 0",
	"cr_notification_days":            "n != 0",
	"cr_notification_minutes":         "n != 0",
	"cr_individual_org_notifications": "n != 0",
	"cr_channel_catchup":              "",
}

// tablesOf is every row of every cr_ table, one a line, JSON columns (attrs)
// compared as values: a seeded store writes the same JSON with other spacing
// and key order.
func tablesOf(t *testing.T, db *store.DB) string {
	t.Helper()
	_, tables := emutest.Rows(t, db.Read(), `SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'cr\_%' ESCAPE '\' ORDER BY name`)
	var b strings.Builder
	for _, name := range tables {
		table := name[0].(string)
		where, ok := derivedRows[table]
		if !assert.True(t, ok, "table %s is not accounted for", table) {
			continue
		}
		if where != "" {
			where = " WHERE " + where
		}
		cols, rows := emutest.Rows(t, db.Read(), `SELECT * FROM `+table+where)
		var lines []string
		for _, vals := range rows {
			for i, c := range cols {
				if c == "attrs" {
					var v any
					require.NoError(t, json.Unmarshal([]byte(fmt.Sprint(vals[i])), &v))
					canon, err := json.Marshal(v)
					require.NoError(t, err)
					vals[i] = string(canon)
				}
			}
			lines = append(lines, fmt.Sprint(table, vals))
		}
		b.WriteString(strings.Join(lines, "\n") + "\n")
	}
	return b.String()
}

// TestStateIsWhatTheFixtureReaderTakes: the export is one document in the
// fixture format, whatever files the store was seeded from (two here), with
// no field the strict reader refuses: it seeds a store that exports it again,
// and the same document with one more field is refused, so the reader
// checked every field.
func TestStateIsWhatTheFixtureReaderTakes(t *testing.T) {
	t.Parallel()
	db, err := openFixtures(t, map[string]string{"courier.json": minimal,
		"courier-more.json": `{"resources": [` + resource("individuals", "i2", ``) + `], "tokens": [{"token": "t2", "user-id": "u1"}]}`})
	require.NoError(t, err)
	doc := emutest.State(t, courier.New(server.Deps{DB: db}))
	var got struct {
		Tokens    []map[string]any `json:"tokens"`
		Resources []map[string]any `json:"resources"`
	}
	require.NoError(t, json.Unmarshal(doc, &got))
	assert.Len(t, got.Tokens, 2, "both files' tokens: no token is issued at run time, so every one is a seed's")
	assert.Len(t, got.Resources, 5, "both files' resources")

	again, err := openFixtures(t, map[string]string{"courier.json": string(doc)})
	require.NoError(t, err)
	assert.Equal(t, string(doc), string(emutest.State(t, courier.New(server.Deps{DB: again}))))
	_, err = openFixtures(t, map[string]string{"courier.json": strings.Replace(string(doc), `"token": "t1"`, `"token": "t1", "expires": 1`, 1)})
	require.ErrorContains(t, err, `unknown field "expires"`)
}

// TestStateRefusesWhatTheFormatCannotHold: a link of a rel the format has no
// place for fails the export rather than being left out.
func TestStateRefusesWhatTheFormatCannotHold(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, err := env.Deps.DB.Write().Exec(`INSERT INTO cr_links (rel, from_id, to_id, created_at) VALUES ('follows', 'a', 'b', '')`)
	require.NoError(t, err)
	_, err = courier.New(env.Deps).State(context.Background())
	require.ErrorContains(t, err, `the fixture format has no rel "follows"`)
}

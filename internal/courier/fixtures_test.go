package courier_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/courier"
	"github.com/emulator/vendor-emulator/internal/store"
)

// openFixtures seeds a store from files, name → content.
func openFixtures(t *testing.T, files map[string]string) (*store.DB, error) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, doc := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(doc)}
	}
	db, err := store.Open(context.Background(), store.Memory, fsys, courier.Schema())
	if err == nil {
		t.Cleanup(func() { db.Close() })
	}
	return db, err
}

const at = `"created-at": "2026-01-01T08:00:00.000000+00:00"`

// resource is one record of type typ in organization o1.
func resource(typ, id, more string) string {
	return `{"type": "` + typ + `", "id": "` + id + `", "org": "o1", ` + at + more + `}`
}

// minimal is a small valid file: an organization, a user with a token and a
// membership, an individual subscribed to a channel.
var minimal = `{"resources": [` + strings.Join([]string{
	resource("organizations", "o1", `, "attributes": {"name": "one", "display-name": "One"}`),
	resource("users", "u1", `, "attributes": {"username": "u"}`),
	resource("individuals", "i1", ``),
	resource("messaging-channels", "c1", ``),
}, ", ") + `],
	"tokens": [{"token": "t1", "user-id": "u1"}],
	"memberships": [{"user-id": "u1", "organization-id": "o1"}],
	"links": [{"rel": "subscriber", "from": "c1", "to": "i1", ` + at + `}]}`

func TestFixtureMinimalFilesLoad(t *testing.T) {
	t.Parallel()
	// A second file may refer to the records of the first.
	db, err := openFixtures(t, map[string]string{"courier.json": minimal,
		"courier-more.json": `{"resources": [` + resource("individuals", "i2", ``) + `], "tokens": [{"token": "t2", "user-id": "u1"}]}`})
	require.NoError(t, err)
	var n int
	require.NoError(t, db.Read().QueryRow(`SELECT count(*) FROM `+courier.AllResources).Scan(&n))
	assert.Equal(t, 5, n)
	var attrs string
	require.NoError(t, db.Read().QueryRow(`SELECT attrs FROM cr_links WHERE rel = 'subscriber'`).Scan(&attrs))
	assert.Equal(t, `{}`, attrs, "a link's attributes default to {}")
}

func TestFixtureErrors(t *testing.T) {
	t.Parallel()
	with := func(key, value string) string { // minimal with one more top-level member
		return strings.TrimSuffix(minimal, "}") + `, "` + key + `": ` + value + `}`
	}
	withResource := func(r string) string {
		return strings.Replace(minimal, `"resources": [`, `"resources": [`+r+`, `, 1)
	}
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"not JSON", map[string]string{"courier.json": `{"resources": [` + "\n" + `{type: 1}]}`},
			`fixtures: courier.json: not JSON: line 2, column 2: invalid character 't' looking for beginning of object key string`},
		{"trailing data", map[string]string{"courier.json": `{"resources": []} x`},
			`fixtures: courier.json: line 1, column 19: more data after the top-level object`},
		{"wrong type", map[string]string{"courier.json": `{"resources": [{"type": "individuals", "id": 5}]}`},
			`fixtures: courier.json: resources[0] (id 5): field "id": must be a string, not number`},
		{"unknown field", map[string]string{"courier.json": `{"resources": [{"type": "individuals", "id": "i1", "orgg": "o1"}]}`},
			`fixtures: courier.json: resources[0] (id i1): unknown field "orgg"`},
		{"missing required field", map[string]string{"courier.json": `{"resources": [{"type": "individuals", "id": "i1"}]}`},
			`fixtures: courier.json: resources[0] (id i1): field "created-at": is required`},
		{"time layout", map[string]string{"courier.json": `{"resources": [{"type": "individuals", "id": "i1", "created-at": "2026-01-01T08:00:00Z"}]}`},
			`fixtures: courier.json: resources[0] (id i1): field "created-at": must be a time like "2025-01-06T09:00:00.000000+00:00", not "2026-01-01T08:00:00Z"`},
		{"unknown type", map[string]string{"courier.json": withResource(resource("widgets", "w1", ``))},
			`fixtures: courier.json: resources[0] (id w1): field "type": unknown type "widgets"`},
		{"duplicate id", map[string]string{"courier.json": withResource(resource("individuals", "i1", ``))},
			`fixtures: courier.json: resources[3] (id i1): field "id": "i1" is already used by resources[0]`},
		{"duplicate id in another file", map[string]string{"courier.json": minimal,
			"courier-more.json": `{"resources": [` + resource("individuals", "i1", ``) + `]}`},
			`fixtures: courier.json: resources[2] (id i1): field "id": "i1" is already used by courier-more.json: resources[0]`},
		{"unknown attribute", map[string]string{"courier.json": withResource(resource("individuals", "i9", `, "attributes": {"frist-name": "A"}`))},
			`fixtures: courier.json: resources[0] (id i9): unknown field "attributes.frist-name" (individuals has no attribute "frist-name")`},
		{"attribute of the wrong type", map[string]string{"courier.json": withResource(resource("individuals", "i9", `, "attributes": {"first-name": 5}`))},
			`fixtures: courier.json: resources[0] (id i9): field "attributes.first-name": must be a string`},
		{"nested attribute off its documented shape", map[string]string{"courier.json": withResource(resource("messaging-responders", "r1",
			`, "attributes": {"calendar-args": {"rules": [{"day": "everyday", "start": "17:00", "end": "08:00"}]}}`))},
			`fixtures: courier.json: resources[0] (id r1): field "attributes.calendar-args.rules.0.end": unknown field "end"`},
		{"nested member of the wrong value", map[string]string{"courier.json": withResource(resource("messaging-responders", "r1",
			`, "attributes": {"calendar-args": {"rules": [], "timezone": "Pacific Time"}}`))},
			`fixtures: courier.json: resources[0] (id r1): field "attributes.calendar-args.timezone": must be an IANA time zone such as America/Los_Angeles`},
		{"read-only nested attribute off its documented shape", map[string]string{"courier.json": withResource(resource("individual-groups", "g1",
			`, "attributes": {"leaders": ["30000000-0000-4000-8000-000000000001"]}`))},
			`fixtures: courier.json: resources[0] (id g1): field "attributes.leaders.0": must be an object`},
		{"read-only nested member unknown", map[string]string{"courier.json": withResource(resource("user-notifications", "n1",
			`, "attributes": {"data": {"apn": {"body": "Hi", "badge": 1}}}`))},
			`fixtures: courier.json: resources[0] (id n1): field "attributes.data.apn.badge": unknown field "badge"`},
		{"read-only nested member missing", map[string]string{"courier.json": withResource(resource("messaging-messages", "m1",
			`, "attributes": {"reactions": [{"individual-id": "30000000-0000-4000-8000-000000000001"}]}`))},
			`fixtures: courier.json: resources[0] (id m1): field "attributes.reactions.0.reaction-type": this field is required`},
		{"read-only reference not a UUID", map[string]string{"courier.json": withResource(resource("voice-queue-agents", "q1",
			`, "attributes": {"user": {"id": "u1"}}`))},
			`fixtures: courier.json: resources[0] (id q1): field "attributes.user.id": must be a valid UUID`},
		{"unknown organization", map[string]string{"courier.json": withResource(`{"type": "individuals", "id": "i9", "org": "o9", ` + at + `}`)},
			`fixtures: courier.json: resources[0] (id i9): field "org": unknown organization "o9"`},
		{"unknown parent", map[string]string{"courier.json": withResource(resource("messaging-messages", "m1", `, "parent": "i1"`))},
			`fixtures: courier.json: resources[0] (id m1): field "parent": no record of type messaging-channels has the id "i1"`},
		{"token of an unknown user", map[string]string{"courier.json": strings.Replace(minimal, `"token": "t1", "user-id": "u1"`, `"token": "t1", "user-id": "i1"`, 1)},
			`fixtures: courier.json: tokens[0]: field "user-id": unknown user "i1"`},
		{"a member given twice", map[string]string{"courier.json": with("tokens", `[]`)},
			`fixtures: courier.json: field "tokens": given twice`},
		{"duplicate token", map[string]string{"courier.json": strings.Replace(minimal, `{"token": "t1", "user-id": "u1"}`,
			`{"token": "t1", "user-id": "u1"}, {"token": "t1", "user-id": "u1"}`, 1)},
			`fixtures: courier.json: tokens[1]: field "token": "t1" is already used by tokens[0]`},
		{"membership of an unknown organization", map[string]string{"courier.json": strings.Replace(minimal, `"organization-id": "o1"`, `"organization-id": "u1"`, 1)},
			`fixtures: courier.json: memberships[0]: field "organization-id": unknown organization "u1"`},
		{"link from an unknown channel", map[string]string{"courier.json": strings.Replace(minimal, `"from": "c1"`, `"from": "i1"`, 1)},
			`fixtures: courier.json: links[0]: field "from": unknown messaging channel "i1"`},
		{"link of an unknown rel", map[string]string{"courier.json": strings.Replace(minimal, `"rel": "subscriber"`, `"rel": "member"`, 1)},
			`fixtures: courier.json: links[0]: field "rel": must be one of subscriber, read, not "member"`},
		{"link attributes not an object", map[string]string{"courier.json": strings.Replace(minimal, `"to": "i1",`, `"to": "i1", "attributes": [],`, 1)},
			`fixtures: courier.json: links[0]: field "attributes": must be an object`},
		{"duplicate link", map[string]string{"courier.json": strings.Replace(minimal, `"links": [`,
			`"links": [{"rel": "subscriber", "from": "c1", "to": "i1", `+at+`}, `, 1)},
			`fixtures: courier.json: links[1]: field "to": "i1" is already used by links[0]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := openFixtures(t, tt.files)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

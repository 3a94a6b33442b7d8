package loop_test

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/loop"
	"github.com/emulator/vendor-emulator/internal/store"
)

// openFixture seeds a store from doc as loopmessage.json.
func openFixture(t *testing.T, doc string) (*store.DB, error) {
	t.Helper()
	db, err := store.Open(context.Background(), store.Memory, fstest.MapFS{"loopmessage.json": {Data: []byte(doc)}}, loop.Schema())
	if err == nil {
		t.Cleanup(func() { db.Close() })
	}
	return db, err
}

func TestFixtureMinimalFileTakesDefaults(t *testing.T) {
	t.Parallel()
	db, err := openFixture(t, `{"accounts": [{"id": "a", "name": "A", "organizations": [
		{"id": "o1", "name": "O1", "api_key": "k1", "create_date": "2025-01-06T09:00:00Z"},
		{"id": "o2", "name": "O2", "api_key": "k2", "create_date": "2025-01-07T09:00:00Z"}]}]}`)
	require.NoError(t, err)
	var isDefault bool
	var website string
	var webhook *string
	require.NoError(t, db.Read().QueryRow(`SELECT is_default, website, webhook_url FROM lm_organizations WHERE id = 'o1'`).
		Scan(&isDefault, &website, &webhook))
	assert.True(t, isDefault, "the first organization is the Default")
	assert.Equal(t, "", website)
	assert.Nil(t, webhook)
}

func TestFixtureErrors(t *testing.T) {
	t.Parallel()
	org := func(id, key string) string {
		return `{"id": "` + id + `", "name": "O", "api_key": "` + key + `", "create_date": "2025-01-06T09:00:00Z"}`
	}
	acc := func(id string, orgs string) string {
		return `{"id": "` + id + `", "name": "A", "organizations": [` + orgs + `]}`
	}
	const plan = `"id": "p1", "name": "Starter", "daily_contacts": 50, "monthly_contacts": 1000, "currency": "USD"`
	sender := func(status string) string {
		return `{"id": "o1", "name": "O", "api_key": "k1", "create_date": "2025-01-06T09:00:00Z", "senders": [` +
			`{"id": "s1", "name": "+15550100001", "status": "` + status + `", "create_date": "2025-01-06T09:30:00Z"}]}`
	}
	senderWith := func(fields string) string {
		return `{"id": "o1", "name": "O", "api_key": "k1", "create_date": "2025-01-06T09:00:00Z", "senders": [` +
			`{"id": "s1", "name": "+15550100001", "create_date": "2025-01-06T09:30:00Z", ` + fields + `}]}`
	}
	accPools := func(id, orgs, pools string) string {
		return `{"id": "` + id + `", "name": "A", "organizations": [` + orgs + `], "pools": [` + pools + `]}`
	}
	pool := func(id, orgID, senders string) string {
		return `{"id": "` + id + `", "organization_id": "` + orgID + `", "create_date": "2025-01-06T10:00:00Z", "senders": [` + senders + `]}`
	}
	tests := []struct{ name, doc, want string }{
		{"not JSON", `accounts`, `fixtures: loopmessage.json: not JSON: line 1, column 1: invalid character 'a' looking for beginning of value`},
		{"trailing data", `{"accounts": []}}`, `fixtures: loopmessage.json: line 1, column 17: more data after the top-level object`},
		{"field given twice", `{"plans": [{` + plan + `, "monthly_fee": "100.00", "daily_contacts": "50"}]}`,
			`fixtures: loopmessage.json: plans[0] (id p1): field "daily_contacts": given twice`},
		{"wrong type", `{"plans": [{"id": "p1", "name": "Starter", "daily_contacts": "50", "monthly_contacts": 1000, "monthly_fee": "1", "currency": "USD"}]}`,
			`fixtures: loopmessage.json: plans[0] (id p1): field "daily_contacts": must be an integer, not string`},
		{"fee that is no amount", `{"plans": [{` + plan + `, "monthly_fee": "1.005"}]}`,
			`fixtures: loopmessage.json: plans[0] (id p1): field "monthly_fee": must be an amount with at most two decimals, like "100.00", not "1.005"`},
		{"fee of the wrong type", `{"plans": [{` + plan + `, "monthly_fee": true}]}`,
			`fixtures: loopmessage.json: plans[0] (id p1): field "monthly_fee": must be a number, not true`},
		{"missing required field", `{"plans": [{` + plan + `}]}`,
			`fixtures: loopmessage.json: plans[0] (id p1): field "monthly_fee": is required`},
		{"unknown field in a nested record", `{"accounts": [` + acc("a", `{"id": "o1", "name": "O", "apikey": "k1"}`) + `]}`,
			`fixtures: loopmessage.json: accounts[0] (id a): organizations[0] (id o1): unknown field "apikey"`},
		{"webhook of the wrong type", `{"accounts": [` + acc("a", `{"id": "o1", "name": "O", "api_key": "k1", "create_date": "2025-01-06T09:00:00Z", "webhook_url": 5}`) + `]}`,
			`fixtures: loopmessage.json: accounts[0] (id a): organizations[0] (id o1): field "webhook_url": must be a string or null, not number`},
		{"date layout", `{"accounts": [` + acc("a", `{"id": "o1", "name": "O", "api_key": "k1", "create_date": "2025-01-06T09:00:00+00:00"}`) + `]}`,
			`fixtures: loopmessage.json: accounts[0] (id a): organizations[0] (id o1): field "create_date": must be a time like "2025-01-06T09:00:00Z", not "2025-01-06T09:00:00+00:00"`},
		{"unknown sender status", `{"accounts": [` + acc("a", sender("paused")) + `]}`,
			`fixtures: loopmessage.json: accounts[0] (id a): organizations[0] (id o1): senders[0] (id s1): field "status": must be one of active, pending, canceled, suspended, not "paused"`},
		{"account without organizations", `{"accounts": [` + acc("a", ``) + `]}`,
			`fixtures: loopmessage.json: accounts[0] (id a): field "organizations": must hold at least one organization, the account's Default`},
		{"duplicate account id", `{"accounts": [` + acc("a", org("o1", "k1")) + `, ` + acc("a", org("o2", "k2")) + `]}`,
			`fixtures: loopmessage.json: accounts[1] (id a): field "id": "a" is already used by accounts[0]`},
		{"duplicate organization id across accounts", `{"accounts": [` + acc("a", org("o1", "k1")) + `, ` + acc("b", org("o1", "k2")) + `]}`,
			`fixtures: loopmessage.json: accounts[1] (id b): organizations[0] (id o1): field "id": "o1" is already used by accounts[0].organizations[0]`},
		{"duplicate API key", `{"accounts": [` + acc("a", org("o1", "k1")+`, `+org("o2", "k1")) + `]}`,
			`fixtures: loopmessage.json: accounts[0] (id a): organizations[1] (id o2): field "api_key": "k1" is already used by accounts[0].organizations[0]`},
		{"sender on an unknown plan", `{"accounts": [` + acc("a", senderWith(`"status": "pending", "plan_id": "p9"`)) + `]}`,
			`fixtures: loopmessage.json: accounts[0] (id a): organizations[0] (id o1): senders[0] (id s1): field "plan_id": unknown plan "p9"`},
		{"activation of a sender that is not pending", `{"accounts": [` + acc("a", senderWith(`"status": "active", "activate_at": "2025-01-06T09:32:00Z"`)) + `]}`,
			`fixtures: loopmessage.json: accounts[0] (id a): organizations[0] (id o1): senders[0] (id s1): field "activate_at": is only for a pending sender; this one is active`},
		{"activation in another layout", `{"accounts": [` + acc("a", senderWith(`"status": "pending", "activate_at": "2025-01-06 09:32"`)) + `]}`,
			`fixtures: loopmessage.json: accounts[0] (id a): organizations[0] (id o1): senders[0] (id s1): field "activate_at": must be a time like "2025-01-06T09:00:00Z", not "2025-01-06 09:32"`},
		{"sender seq below 1", `{"accounts": [` + acc("a", senderWith(`"status": "active", "seq": 0`)) + `]}`,
			`fixtures: loopmessage.json: accounts[0] (id a): organizations[0] (id o1): senders[0] (id s1): field "seq": must be at least 1, not 0`},
		{"last order in another layout", `{"accounts": [{"id": "a", "name": "A", "last_order_at": "yesterday", "organizations": [` + org("o1", "k1") + `]}]}`,
			`fixtures: loopmessage.json: accounts[0] (id a): field "last_order_at": must be a time like "2025-01-06T09:00:00Z", not "yesterday"`},
		{"pool of another account's organization", `{"accounts": [` + acc("a", org("o1", "k1")) + `, ` +
			accPools("b", org("o2", "k2"), pool("p1", "o1", "")) + `]}`,
			`fixtures: loopmessage.json: accounts[1] (id b): pools[0] (id p1): field "organization_id": "o1" is no organization of account "b"`},
		{"pool without a date", `{"accounts": [` + accPools("a", org("o1", "k1"), `{"id": "p1", "organization_id": "o1"}`) + `]}`,
			`fixtures: loopmessage.json: accounts[0] (id a): pools[0] (id p1): field "create_date": is required`},
		{"pool holding another account's sender", `{"accounts": [` + acc("a", senderWith(`"status": "active"`)) + `, ` +
			accPools("b", org("o2", "k2"), pool("p1", "o2", `"s1"`)) + `]}`,
			`fixtures: loopmessage.json: accounts[1] (id b): pools[0] (id p1): senders[0]: "s1" is no sender of account "b"`},
		{"pool holding a sender twice", `{"accounts": [` + accPools("a", senderWith(`"status": "active"`), pool("p1", "o1", `"s1", "s1"`)) + `]}`,
			`fixtures: loopmessage.json: accounts[0] (id a): pools[0] (id p1): senders[1]: "s1" is already used by accounts[0].pools[0].senders[0]`},
		{"duplicate pool id", `{"accounts": [` + accPools("a", org("o1", "k1"), pool("p1", "o1", "")+`, `+pool("p1", "o1", "")) + `]}`,
			`fixtures: loopmessage.json: accounts[0] (id a): pools[1] (id p1): field "id": "p1" is already used by accounts[0].pools[0]`},
		{"duplicate plan id", `{"plans": [{` + plan + `, "monthly_fee": "1"}, {` + plan + `, "monthly_fee": 2}]}`,
			`fixtures: loopmessage.json: plans[1] (id p1): field "id": "p1" is already used by plans[0]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := openFixture(t, tt.doc)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

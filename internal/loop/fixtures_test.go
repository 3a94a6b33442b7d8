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

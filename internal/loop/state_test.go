package loop_test

import (
	"encoding/json"
	"io/fs"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/fixtures"
	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/loop"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// seededCopy starts a second emulator on a store seeded from doc (as
// loopmessage.json, through the strict fixture reader), sharing e's clock.
func seededCopy(t *testing.T, e *lm, doc []byte) *lm {
	t.Helper()
	var api *loop.API
	env := emutest.Seeded(t, loop.Schema(), "loopmessage.json", doc, e.Deps.Clock, func(d server.Deps) []server.Vendor {
		api = loop.New(d)
		return []server.Vendor{api}
	})
	return &lm{Env: env, API: api}
}

func TestStateOfTheDefaultsIsTheFixtureFile(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	want, err := fs.ReadFile(fixtures.FS, "loopmessage.json")
	require.NoError(t, err)
	doc := emutest.State(t, e.API)
	assert.JSONEq(t, string(want), string(doc))
	assert.Equal(t, doc, emutest.State(t, e.API), "two exports of one state are the same bytes")
}

// counts is lm_counts without its zero rows: deletes leave those behind, and
// a missing row reads as 0 (countSQL), so they answer alike.
func counts(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	rows, err := db.Read().Query(`SELECT what || ' ' || owner, n FROM lm_counts WHERE n <> 0`)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		require.NoError(t, rows.Scan(&k, &n))
		out[k] = n
	}
	require.NoError(t, rows.Err())
	return out
}

func TestStateRoundTripAfterWrites(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	clk := e.Deps.Clock

	// Organizations: two created (their keys come back with a webhook_url), one changed, one deleted.
	var ops, temp orgItem
	ok(t, e.call(t, "POST", "organizations/new/", `{"name": "Acme Ops", "website": "https://ops.acme.example.com",
		"support_url": "https://ops.acme.example.com/help", "country": "fr", "webhook_url": "https://ops.acme.example.com/hook",
		"webhook_header": "Bearer ops"}`, keyAcmeDefault), &ops)
	ok(t, e.call(t, "POST", "organizations/new/", `{"name": "Acme Temp", "website": "https://t.example.com",
		"support_url": "https://t.example.com", "country": "US", "webhook_url": "https://t.example.com/hook"}`, keyAcmeDefault), &temp)
	ok(t, e.call(t, "PATCH", "organizations/details/"+orgAcmeSupport+"/", `{"name": "Acme Care", "webhook_header": "X"}`,
		keyAcmeDefault), nil)

	// A bulk test order (pending until two minutes on), one of which moves to
	// another organization: the two share a second, and the export keeps their order.
	var order struct {
		Items []struct{ ID string } `json:"items"`
	}
	ok(t, e.call(t, "POST", "sender/new/", `{"test": true, "senders": [{"plan_id": "`+planStarter+`"},
		{"plan_id": "`+planStarter+`", "name": "team", "domain": "acme.example.com"}]}`, keyAcmeDefault), &order)
	require.Len(t, order.Items, 2)
	moved, stayed := order.Items[0].ID, order.Items[1].ID
	ok(t, e.call(t, "PATCH", "sender/"+moved+"/", `{"organization_id": "`+orgAcmeSupport+`"}`, keyAcmeDefault), nil)
	ok(t, e.call(t, "DELETE", "sender/"+senderSupportActive+"/cancel/", "", keyAcmeSupport), nil)
	ok(t, e.Do(t, "POST", "/_emulator/loopmessage/senders/"+senderGlobexActive+"/status", `{"status": "suspended"}`), nil)

	// Pools in two organizations in the same second, one renamed and refilled, one deleted, one gone with its organization.
	var care, all, gone, tmp struct{ ID string }
	ok(t, e.call(t, "POST", "pool/new/", `{"name": "Care", "ids": ["`+moved+`", "`+senderSupportCancel+`"]}`, keyAcmeSupport), &care)
	ok(t, e.call(t, "POST", "pool/new/", `{"ids": ["`+senderAcmeDefault+`"]}`, keyAcmeDefault), &all)
	ok(t, e.call(t, "POST", "pool/new/", `{"name": "Gone"}`, keyAcmeDefault), &gone)
	ok(t, e.call(t, "POST", "pool/new/", `{"name": "Temp"}`, temp.APIKey), &tmp)
	ok(t, e.call(t, "PATCH", "pool/"+all.ID+"/", `{"name": "Everyone", "ids": ["`+stayed+`", "`+senderAcmeDefault+`", "`+moved+`"]}`,
		keyAcmeDefault), nil)
	ok(t, e.call(t, "DELETE", "pool/"+gone.ID+"/", "", keyAcmeDefault), nil)
	ok(t, e.call(t, "DELETE", "organizations/details/"+temp.ID+"/", "", keyAcmeDefault), nil)

	// Globex orders later (a real order: pending, no activation): its last order is recent at export.
	clk.Advance(45 * time.Second)
	ok(t, e.call(t, "POST", "sender/new/", `{"plan_id": "9b2d4e6f-8a0c-4e1b-b3d5-7f9a1c3e5b62", "phone_region": "GB"}`,
		keyGlobexDefault), nil)
	clk.Advance(10 * time.Second)

	doc := emutest.State(t, e.API)
	var generic struct {
		Accounts []struct {
			LastOrderAt   string `json:"last_order_at"`
			Organizations []struct {
				Senders []map[string]any `json:"senders"`
			} `json:"organizations"`
			Pools []json.RawMessage `json:"pools"`
		} `json:"accounts"`
	}
	require.NoError(t, json.Unmarshal(doc, &generic))
	require.Len(t, generic.Accounts, 2)
	assert.Equal(t, "2026-01-15T12:00:00Z", generic.Accounts[0].LastOrderAt)
	assert.Equal(t, "2026-01-15T12:00:45Z", generic.Accounts[1].LastOrderAt)
	assert.Len(t, generic.Accounts[0].Pools, 2, "Care and Everyone; Gone and Temp are deleted")
	assert.Contains(t, generic.Accounts[0].Organizations[0].Senders[0], "seq",
		"the moved sender breaks file order, so the account's senders carry seq")
	assert.NotContains(t, generic.Accounts[1].Organizations[0].Senders[0], "seq", "Globex's file order holds")

	c := seededCopy(t, e, doc)
	assert.Equal(t, string(doc), string(emutest.State(t, c.API)), "export, seed, export: the same bytes")
	assert.Equal(t, counts(t, e.Deps.DB), counts(t, c.Deps.DB), "the seed rebuilds the kept counts")

	same := func(method, path, body, key string) {
		t.Helper()
		want := e.call(t, method, path, body, key)
		got := c.call(t, method, path, body, key)
		assert.Equal(t, want.Status, got.Status, "%s %s", method, path)
		assert.Equal(t, want.Body, got.Body, "%s %s", method, path)
	}
	for _, key := range []string{keyAcmeDefault, keyAcmeSupport, keyGlobexDefault, ops.APIKey} {
		same("GET", "sender/list/?per_page=1000", "", key)
		same("GET", "sender/list/?per_page=1000&sort_by=asc", "", key)
		same("GET", "pool/list/?per_page=1000", "", key)
		same("GET", "organizations/details/"+ops.ID+"/", "", key)
	}
	same("GET", "organizations/list/?per_page=1000", "", keyAcmeDefault)
	same("GET", "organizations/list/?search=acme&sort_by=asc", "", keyAcmeDefault)
	same("GET", "organizations/details/"+orgAcmeSupport+"/", "", keyAcmeDefault)
	same("GET", "sender/"+moved+"/", "", keyAcmeSupport)
	same("GET", "pool/"+all.ID+"/", "", keyAcmeDefault)
	same("GET", "pool/"+tmp.ID+"/", "", keyAcmeDefault)
	same("GET", "sender/plans/", "", keyAcmeLabs)
	same("GET", "organizations/list/", "", temp.APIKey) // the deleted organization's key is unknown to both
	// The 30-second rule remembers Globex's order; Acme's Labs has no active sender, so both may delete it.
	same("POST", "sender/new/", `{"plan_id": "`+planStarter+`"}`, keyGlobexDefault)
	same("DELETE", "organizations/details/"+orgAcmeLabs+"/", "", keyAcmeDefault)

	// The test order's activation is due on both at once.
	clk.Advance(2 * time.Minute)
	same("GET", "sender/list/?per_page=1000&sort_by=asc", "", keyAcmeDefault)
	var s senderItem
	ok(t, c.call(t, "GET", "sender/"+stayed+"/", "", keyAcmeDefault), &s)
	assert.Equal(t, "active", s.Status)
	assert.Equal(t, string(emutest.State(t, e.API)), string(emutest.State(t, c.API)))
}

func TestStateWithoutMovesNeedsNoSeq(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	// Two senders of one second in one organization: file order is their order.
	ok(t, e.call(t, "POST", "sender/new/", `{"senders": [{"plan_id": "`+planStarter+`"}, {"plan_id": "`+planStarter+`"}]}`,
		keyAcmeLabs), nil)
	doc := emutest.State(t, e.API)
	assert.NotContains(t, string(doc), `"seq"`)
	c := seededCopy(t, e, doc)
	assert.Equal(t, string(doc), string(emutest.State(t, c.API)))
	assert.Equal(t, e.call(t, "GET", "sender/list/", "", keyAcmeDefault).Body, c.call(t, "GET", "sender/list/", "", keyAcmeDefault).Body)
}

package partner_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/partner"
	"github.com/emulator/vendor-emulator/internal/server"
)

type page struct {
	Count   int             `json:"count"`
	Filters json.RawMessage `json:"filters"`
	Sort    []string        `json:"sort"`
	Limit   int             `json:"limit"`
	Offset  int             `json:"offset"`
	Total   int             `json:"total"`
	Clients []struct {
		ID        string `json:"id"`
		PartnerID string `json:"partner_id"`
	} `json:"clients"`
	Channels []struct {
		ID string `json:"id"`
	} `json:"partner_channels"`
}

func list(t *testing.T, path string, query url.Values, headers ...string) page {
	t.Helper()
	env := newEnv(t)
	res := env.Do(t, "GET", base+path+"?"+query.Encode(), "", headers...)
	require.Equal(t, http.StatusOK, res.Status, res.Body)
	var p page
	require.NoError(t, json.Unmarshal([]byte(res.Body), &p))
	return p
}

func TestClientsList(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	res := env.Do(t, "GET", base+"/partners/examplePA/clients?limit=1&offset=1&sort=-name", "", exampleK)
	require.Equal(t, http.StatusOK, res.Status, res.Body)
	assert.JSONEq(t, `{"count":1,"filters":{},"sort":["-name"],"limit":1,"offset":1,"total":3,"clients":[
	  {"id":"cl00000002","name":"Blue Bakery","status":"active","partner_id":"examplePA",
	   "created_at":"2025-04-12T08:30:00Z","modified_at":"2025-04-12T08:30:00Z",
	   "contact_info":{"email":"hello@bluebakery.example.com","full_name":"Ben Baker"},
	   "max_channels":1,"partner_payload":null}]}`, res.Body)
	assert.Contains(t, res.Body, `{"count":1,"filters":{},"sort":["-name"],"limit":1,"offset":1,"total":3,"clients":[{"id"`,
		"the envelope's key order")

	p := list(t, "/partners/examplePA/clients", url.Values{"filters": {`{"status":"active"}`}}, exampleK)
	assert.Equal(t, 2, p.Total)
	assert.JSONEq(t, `{"status":"active"}`, string(p.Filters))
	assert.Equal(t, []string{"id"}, p.Sort, "the default order")
	assert.Equal(t, 20, p.Limit)

	// Only the caller's own clients, whoever asks.
	p = list(t, "/partners/otherPA/clients", nil, otherK)
	require.Len(t, p.Clients, 1)
	assert.Equal(t, "otherPA", p.Clients[0].PartnerID)
	res = env.Do(t, "GET", base+"/partners/otherPA/clients", "", exampleK)
	assert.Equal(t, http.StatusForbidden, res.Status)

	// Past the end: an empty page with the true total.
	p = list(t, "/partners/examplePA/clients", url.Values{"offset": {"10"}}, exampleK)
	assert.Equal(t, 0, p.Count)
	assert.Equal(t, 3, p.Total)
	assert.NotNil(t, p.Clients)
}

func TestChannelsListPagesEveryChannelOnce(t *testing.T) {
	t.Parallel()
	seen := map[string]int{}
	for offset := 0; offset < 4; offset++ {
		p := list(t, "/partners/examplePA/channels", url.Values{"limit": {"1"}, "offset": {strconv.Itoa(offset)}, "sort": {"-created_at"}}, exampleK)
		assert.Equal(t, 3, p.Total)
		for _, c := range p.Channels {
			seen[c.ID]++
		}
	}
	assert.Equal(t, map[string]int{"ch00000001": 1, "ch00000002": 1, "ch00000003": 1}, seen)

	p := list(t, "/partners/examplePA/channels", url.Values{"filters": {`{"client_id":"cl00000001","status":"pending"}`}}, exampleK)
	require.Len(t, p.Channels, 1)
	assert.Equal(t, "ch00000002", p.Channels[0].ID)
}

func TestListBadQueries(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	tests := []struct{ query, details string }{
		{"limit=0", `[{"field":"limit","message":"Must be an integer from 1 to 1000."}]`},
		{"limit=1001", `[{"field":"limit","message":"Must be an integer from 1 to 1000."}]`},
		{"offset=-1", `[{"field":"offset","message":"Must be an integer of at least 0."}]`},
		{"sort=phone", `[{"field":"sort","message":"Cannot sort by \"phone\"; one of client_id, created_at, id, modified_at, status, with - for descending."}]`},
		{"filters=nope", `[{"field":"filters","message":"Must be a JSON object of fields and their expected values."}]`},
		{"filters=" + url.QueryEscape(`{"waba":"x"}`), `[{"field":"filters","message":"Cannot filter by \"waba\"; one of account_mode, client_id, id, phone_number, status."}]`},
		{"filters=" + url.QueryEscape(`{"status":1}`), `[{"field":"filters","message":"The value of \"status\" must be a string."}]`},
	}
	for _, tc := range tests {
		res := env.Do(t, "GET", base+"/partners/examplePA/channels?"+tc.query, "", exampleK)
		assert.Equal(t, http.StatusBadRequest, res.Status, tc.query)
		assert.JSONEq(t, `{"meta":{"success":false,"http_code":400,"developer_message":"Invalid query parameters.","details":`+tc.details+`}}`, res.Body, tc.query)
	}
	res := env.Do(t, "GET", base+"/partners/examplePA/clients", "")
	assert.Equal(t, http.StatusUnauthorized, res.Status)
}

// TestKeptClientJSONIsTheEncodersBytes: the clients list answers each
// client's kept JSON byte for byte as encoding it from its columns does (the
// general path, taken when a client's JSON is not kept), for clients of the
// fixtures with strings JSON escapes and one signed up through the control
// plane.
func TestKeptClientJSONIsTheEncodersBytes(t *testing.T) {
	t.Parallel()
	const doc = `{"partners": [{"id": "p1", "api_key": "k1"}],
		"clients": [
			{"id": "c\"1", "partner_id": "p1", "name": "A \"q\" <b>&amp; \\ \u2028\u2029 é 😀 \t\u0001", "status": "active",
			 "created_at": "2025-01-02T03:04:05Z", "contact_email": "a+<x>@b.c", "contact_name": "Ü", "max_channels": 3,
			 "partner_payload": "{\"k\": [1, 2]}"},
			{"id": "c2", "partner_id": "p1", "name": "B", "status": "inactive", "created_at": "2025-01-03T03:04:05Z",
			 "modified_at": "2025-02-03T03:04:05Z"}]}`
	env := emutest.Seeded(t, partner.Schema(), "360dialog.json", []byte(doc), nil, func(d server.Deps) []server.Vendor {
		return []server.Vendor{partner.New(d)}
	})
	res := env.Do(t, "POST", "/_emulator/360dialog/partners/p1/clients", `{"name": "Zeta <&> \u2028", "phone_number": "+4915112345678"}`)
	require.Equal(t, http.StatusCreated, res.Status, res.Body)
	queries := []string{"", "?sort=-name", "?limit=1&offset=1", `?filters={"status":"active"}`, "?sort=created_at"}
	kept := map[string]emutest.Response{}
	for _, q := range queries {
		kept[q] = env.Do(t, "GET", base+"/partners/p1/clients"+q, "", "X-API-Key: k1")
		require.Equal(t, http.StatusOK, kept[q].Status, kept[q].Body)
	}
	var notKept int
	require.NoError(t, env.Deps.DB.Read().QueryRow(`SELECT count(*) FROM dlg_clients WHERE json IS NULL`).Scan(&notKept))
	require.Zero(t, notKept, "every client's JSON is kept")
	_, err := env.Deps.DB.Write().Exec(`UPDATE dlg_clients SET json = NULL`)
	require.NoError(t, err)
	for _, q := range queries {
		encoded := env.Do(t, "GET", base+"/partners/p1/clients"+q, "", "X-API-Key: k1")
		assert.Equal(t, encoded.Body, kept[q].Body, q)
		assert.Equal(t, encoded.Header.Get("Content-Length"), kept[q].Header.Get("Content-Length"), q)
	}
}

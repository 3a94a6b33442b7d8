package loop_test

import (
	"encoding/json"

	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestControlSetSenderStatus(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	var out struct{ Items []phoneOrdered }
	ok(t, e.call(t, "POST", "sender/new/", `{"plan_id": "`+planStarter+`"}`, keyAcmeLabs), &out)
	id := out.Items[0].ID

	res := e.Do(t, "POST", "/_emulator/loopmessage/senders/"+id+"/status", `{"status": "active"}`)
	require.Equal(t, 200, res.Status, res.Body)
	var s senderItem
	ok(t, e.call(t, "GET", "sender/"+id+"/", "", keyAcmeLabs), &s)
	assert.Equal(t, "active", s.Status)
	assert.JSONEq(t, `{"id": "`+id+`", "name": "`+s.Name+`", "status": "active", "create_date": "2026-01-15T12:00:00Z",
		"imessage_link": "imessage://`+s.Name+`"}`, res.Body)
	// Active, it blocks the delete; suspended is not active, and the delete goes through.
	fails(t, e.call(t, "DELETE", "organizations/details/"+orgAcmeLabs+"/", "", keyAcmeDefault), 400, 100)
	ok(t, e.Do(t, "POST", "/_emulator/loopmessage/senders/"+id+"/status", `{"status": "suspended"}`), nil)
	ok(t, e.call(t, "DELETE", "organizations/details/"+orgAcmeLabs+"/", "", keyAcmeDefault), nil)

	for _, tc := range []struct {
		id, body string
		status   int
	}{
		{id, `{"status": "active"}`, 404}, // gone with its organization
		{senderGlobexActive, `{"status": "paused"}`, 400},
		{senderGlobexActive, `{"status": 1}`, 400},
		{senderGlobexActive, `{"status": "active", "x": 1}`, 400},
		{senderGlobexActive, `{`, 400},
		{senderGlobexActive, ``, 400},
	} {
		res := e.Do(t, "POST", "/_emulator/loopmessage/senders/"+tc.id+"/status", tc.body)
		assert.Equal(t, tc.status, res.Status, res.Body)
		assert.Contains(t, res.Body, `"error":`)
	}
	ok(t, e.call(t, "GET", "sender/"+senderGlobexActive+"/", "", keyGlobexDefault), &s)
	assert.Equal(t, "active", s.Status)
}

func TestJournalNamesLoopMessage(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	e.call(t, "GET", "organizations/details/"+orgAcmeLabs+"/", "", keyAcmeLabs)
	res := e.Do(t, "GET", "/_emulator/requests?vendor=loopmessage&limit=1", "")
	require.Equal(t, 200, res.Status, res.Body)
	var j struct {
		Requests []struct {
			Vendor, Method, Path string
			Status               int
		} `json:"requests"`
	}
	require.NoError(t, json.Unmarshal([]byte(res.Body), &j))
	require.Len(t, j.Requests, 1)
	assert.Equal(t, "loopmessage", j.Requests[0].Vendor)
	assert.Equal(t, "/loopmessage/api/v1/organizations/details/"+orgAcmeLabs+"/", j.Requests[0].Path)
	assert.Equal(t, 200, j.Requests[0].Status)
}

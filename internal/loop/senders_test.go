package loop_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListSendersScoping(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	for _, tc := range []struct {
		key  string
		want []string // ascending creation
	}{
		{keyAcmeDefault, []string{senderAcmeDefault, senderSupportActive, senderSupportCancel}},
		{keyAcmeSupport, []string{senderSupportActive, senderSupportCancel}},
		{keyAcmeLabs, []string{}},
		{keyGlobexDefault, []string{senderGlobexActive}},
	} {
		t.Run(tc.key, func(t *testing.T) {
			assert.Equal(t, tc.want, senderIDs(e.listSenders(t, tc.key)))
		})
	}

	res := e.call(t, "GET", "sender/list/", "", keyAcmeSupport)
	require.Equal(t, 200, res.Status, res.Body)
	assert.JSONEq(t, `{"page": 1, "num_pages": 1, "per_page": 20, "count": 2, "items": [
		{"id": "`+senderSupportCancel+`", "name": "+15550100003", "status": "canceled",
		 "create_date": "2025-01-29T11:15:00Z", "imessage_link": "imessage://+15550100003"},
		{"id": "`+senderSupportActive+`", "name": "support@acme.example.com", "status": "active",
		 "create_date": "2025-01-28T10:00:00Z", "imessage_link": "imessage://support@acme.example.com"}
	]}`, res.Body)

	// An empty list still has its first page.
	res = e.call(t, "GET", "sender/list/", "", keyAcmeLabs)
	assert.JSONEq(t, `{"page": 1, "num_pages": 1, "per_page": 20, "count": 0, "items": []}`, res.Body)

	var p page[senderItem]
	ok(t, e.call(t, "GET", "sender/list/?per_page=2&page=2&sort_by=asc", "", keyAcmeDefault), &p)
	assert.Equal(t, 2, p.NumPages)
	assert.Equal(t, 3, p.Count)
	assert.Equal(t, []string{senderSupportCancel}, senderIDs(p.Items))
	fails(t, e.call(t, "GET", "sender/list/?per_page=1001", "", keyAcmeDefault), 400, 125)
	fails(t, e.call(t, "GET", "sender/list/?page=zero", "", keyAcmeDefault), 400, 125)
}

func TestSenderDetailsScoping(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	reach := map[string][]string{
		keyAcmeDefault:   {senderAcmeDefault, senderSupportActive, senderSupportCancel},
		keyAcmeSupport:   {senderSupportActive, senderSupportCancel},
		keyAcmeLabs:      {},
		keyGlobexDefault: {senderGlobexActive},
	}
	all := []string{senderAcmeDefault, senderSupportActive, senderSupportCancel, senderGlobexActive, unknownID}
	for key, reached := range reach {
		for _, id := range all {
			t.Run(key+"/"+id, func(t *testing.T) {
				res := e.call(t, "GET", "sender/"+id+"/", "", key)
				if contains(reached, id) {
					var s senderItem
					ok(t, res, &s)
					assert.Equal(t, id, s.ID)
					return
				}
				fails(t, res, 400, 100)
				assert.JSONEq(t, notFoundSenderBody, res.Body)
			})
		}
	}
	res := e.call(t, "GET", "sender/"+senderAcmeDefault+"/", "", keyAcmeDefault)
	assert.JSONEq(t, `{"id": "`+senderAcmeDefault+`", "name": "hello@acme.example.com", "status": "active",
		"create_date": "2025-01-06T09:30:00Z", "imessage_link": "imessage://hello@acme.example.com"}`, res.Body)
}

func TestMoveSender(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	path := "sender/" + senderSupportActive + "/"
	res := e.call(t, "PATCH", path, `{"organization_id": "`+orgAcmeLabs+`"}`, keyAcmeDefault)
	ok(t, res, nil)
	assert.JSONEq(t, `{"id": "`+senderSupportActive+`", "name": "support@acme.example.com", "status": "active",
		"create_date": "2025-01-28T10:00:00Z", "imessage_link": "imessage://support@acme.example.com"}`, res.Body)
	assert.Equal(t, []string{senderSupportCancel}, senderIDs(e.listSenders(t, keyAcmeSupport)))
	assert.Equal(t, []string{senderSupportActive}, senderIDs(e.listSenders(t, keyAcmeLabs)))
	// Moving it to the Default organization works as well.
	ok(t, e.call(t, "PATCH", path, `{"organization_id": "`+orgAcmeDefault+`"}`, keyAcmeDefault), nil)
	assert.Equal(t, []string{senderAcmeDefault, senderSupportActive}, senderIDs(e.listSenders(t, keyAcmeDefault))[:2])
}

func TestMoveSenderRefusals(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	for _, tc := range []struct {
		name, key, sender, body string
		code                    int
		wantBody                string
	}{
		{"support key", keyAcmeSupport, senderSupportActive, `{"organization_id": "` + orgAcmeLabs + `"}`, 100, ""},
		{"labs key", keyAcmeLabs, senderSupportActive, `{"organization_id": "` + orgAcmeLabs + `"}`, 100, ""},
		{"to another account", keyAcmeDefault, senderSupportActive, `{"organization_id": "` + orgGlobexDefault + `"}`, 100, notFoundOrgBody},
		{"to an unknown org", keyAcmeDefault, senderSupportActive, `{"organization_id": "` + unknownID + `"}`, 100, notFoundOrgBody},
		{"another account's sender", keyAcmeDefault, senderGlobexActive, `{"organization_id": "` + orgAcmeLabs + `"}`, 100, notFoundSenderBody},
		{"into another account", keyGlobexDefault, senderSupportActive, `{"organization_id": "` + orgGlobexDefault + `"}`, 100, notFoundSenderBody},
		{"unknown sender", keyAcmeDefault, unknownID, `{"organization_id": "` + orgAcmeLabs + `"}`, 100, notFoundSenderBody},
		{"no organization_id", keyAcmeDefault, senderSupportActive, `{}`, 120, ""},
		{"empty body", keyAcmeDefault, senderSupportActive, ``, 120, ""},
		{"null organization_id", keyAcmeDefault, senderSupportActive, `{"organization_id": null}`, 120, ""},
		{"numeric organization_id", keyAcmeDefault, senderSupportActive, `{"organization_id": 7}`, 125, ""},
		{"malformed", keyAcmeDefault, senderSupportActive, `{"organization_id"`, 125, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := e.call(t, "PATCH", "sender/"+tc.sender+"/", tc.body, tc.key)
			msg := fails(t, res, 400, tc.code)
			if tc.wantBody != "" {
				assert.JSONEq(t, tc.wantBody, res.Body)
			}
			if tc.name == "support key" {
				assert.Equal(t, notDefaultKeyMessage, msg)
			}
		})
	}
	assert.Equal(t, []string{senderSupportActive, senderSupportCancel}, senderIDs(e.listSenders(t, keyAcmeSupport)))
	assert.Equal(t, []string{senderGlobexActive}, senderIDs(e.listSenders(t, keyGlobexDefault)))
}

func TestCancelSender(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	// Other organizations and accounts cannot cancel it, and learn nothing.
	for _, key := range []string{keyAcmeLabs, keyGlobexDefault} {
		res := e.call(t, "DELETE", "sender/"+senderSupportActive+"/cancel/", "", key)
		assert.JSONEq(t, notFoundSenderBody, res.Body)
	}
	res := e.call(t, "DELETE", "sender/"+senderSupportActive+"/cancel/", "", keyAcmeSupport)
	ok(t, res, nil)
	assert.JSONEq(t, `{"success": true}`, res.Body)
	var s senderItem
	ok(t, e.call(t, "GET", "sender/"+senderSupportActive+"/", "", keyAcmeSupport), &s)
	assert.Equal(t, "canceled", s.Status)

	res = e.call(t, "DELETE", "sender/"+senderSupportActive+"/cancel/", "", keyAcmeSupport)
	assert.JSONEq(t, `{"success": false, "code": 100, "message": "The sender name is already canceled"}`, res.Body)
	fails(t, e.call(t, "DELETE", "sender/"+senderSupportCancel+"/cancel/", "", keyAcmeDefault), 400, 100)

	// The Default key cancels any sender of its account.
	ok(t, e.call(t, "DELETE", "sender/"+senderAcmeDefault+"/cancel/", "", keyAcmeDefault), nil)
	fails(t, e.call(t, "DELETE", "sender/"+unknownID+"/cancel/", "", keyAcmeDefault), 400, 100)
	fails(t, e.call(t, "GET", "sender/"+senderGlobexActive+"/cancel/", "", keyGlobexDefault), 405, 100)

	var g senderItem
	ok(t, e.call(t, "GET", "sender/"+senderGlobexActive+"/", "", keyGlobexDefault), &g)
	assert.Equal(t, "active", g.Status)
}

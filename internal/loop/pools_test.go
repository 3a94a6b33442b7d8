package loop_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type poolItem struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Count      int    `json:"count"`
	CreateDate string `json:"create_date"`
}

func TestPools(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	res := e.call(t, "POST", "pool/new/", `{"name": "Support pool", "ids": ["`+senderSupportActive+`", "`+
		senderSupportCancel+`", "`+senderSupportActive+`"]}`, keyAcmeSupport)
	var p poolItem
	ok(t, res, &p)
	assert.JSONEq(t, `{"id": "`+p.ID+`", "name": "Support pool", "count": 2, "create_date": "2026-01-15T12:00:00Z"}`, res.Body)

	res = e.call(t, "GET", "pool/"+p.ID+"/", "", keyAcmeSupport)
	require.Equal(t, 200, res.Status, res.Body)
	assert.JSONEq(t, `{"id": "`+p.ID+`", "name": "Support pool", "status": "active", "create_date": "2026-01-15T12:00:00Z"}`, res.Body)

	res = e.call(t, "GET", "pool/list/", "", keyAcmeDefault)
	assert.JSONEq(t, `{"page": 1, "num_pages": 1, "per_page": 20, "count": 1, "items": [
		{"id": "`+p.ID+`", "name": "Support pool", "count": 2, "create_date": "2026-01-15T12:00:00Z"}]}`, res.Body)
	for _, key := range []string{keyAcmeLabs, keyGlobexDefault} {
		res = e.call(t, "GET", "pool/list/", "", key)
		assert.JSONEq(t, `{"page": 1, "num_pages": 1, "per_page": 20, "count": 0, "items": []}`, res.Body)
		res = e.call(t, "GET", "pool/"+p.ID+"/", "", key)
		assert.JSONEq(t, `{"success": false, "code": 100, "message": "Sender pool not found"}`, res.Body)
		fails(t, e.call(t, "PATCH", "pool/"+p.ID+"/", `{"name": "x"}`, key), 400, 100)
		fails(t, e.call(t, "DELETE", "pool/"+p.ID+"/", "", key), 400, 100)
	}

	res = e.call(t, "PATCH", "pool/"+p.ID+"/", `{"name": "Renamed", "ids": ["`+senderSupportActive+`"]}`, keyAcmeSupport)
	ok(t, res, nil)
	assert.JSONEq(t, `{"success": true}`, res.Body)
	var list page[poolItem]
	ok(t, e.call(t, "GET", "pool/list/", "", keyAcmeSupport), &list)
	require.Len(t, list.Items, 1)
	assert.Equal(t, "Renamed", list.Items[0].Name)
	assert.Equal(t, 1, list.Items[0].Count)

	// Only name: the senders stay.
	ok(t, e.call(t, "PATCH", "pool/"+p.ID+"/", `{"name": "Again"}`, keyAcmeDefault), nil)
	ok(t, e.call(t, "GET", "pool/list/", "", keyAcmeSupport), &list)
	assert.Equal(t, 1, list.Items[0].Count)

	res = e.call(t, "DELETE", "pool/"+p.ID+"/", "", keyAcmeSupport)
	ok(t, res, nil)
	assert.JSONEq(t, `{"success": true}`, res.Body)
	fails(t, e.call(t, "GET", "pool/"+p.ID+"/", "", keyAcmeSupport), 400, 100)
	assert.Len(t, e.listSenders(t, keyAcmeSupport), 2, "deleting a pool keeps its senders")
}

func TestPoolRefusals(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	// Senders outside the caller's reach cannot be pooled, and are "not found".
	for _, tc := range []struct {
		key, sender string
	}{
		{keyAcmeLabs, senderSupportActive},
		{keyAcmeSupport, senderAcmeDefault},
		{keyAcmeDefault, senderGlobexActive},
		{keyAcmeDefault, unknownID},
	} {
		res := e.call(t, "POST", "pool/new/", `{"name": "p", "ids": ["`+tc.sender+`"]}`, tc.key)
		assert.JSONEq(t, notFoundSenderBody, res.Body)
	}
	for _, body := range []string{`{"name": 1}`, `{"ids": "x"}`, `{"ids": [1]}`, `{"name": null}`, `[`} {
		fails(t, e.call(t, "POST", "pool/new/", body, keyAcmeDefault), 400, 125)
	}
	var list page[poolItem]
	ok(t, e.call(t, "GET", "pool/list/", "", keyAcmeDefault), &list)
	assert.Equal(t, 0, list.Count, "no pool was created")

	// Both fields are optional.
	res := e.call(t, "POST", "pool/new/", ``, keyAcmeDefault)
	var p poolItem
	ok(t, res, &p)
	assert.Equal(t, poolItem{ID: p.ID, Name: "", Count: 0, CreateDate: "2026-01-15T12:00:00Z"}, p)
	// The Default key pools senders of any organization of its account.
	ok(t, e.call(t, "PATCH", "pool/"+p.ID+"/", `{"ids": ["`+senderAcmeDefault+`", "`+senderSupportActive+`"]}`, keyAcmeDefault), nil)
	// A failed PATCH changes nothing.
	fails(t, e.call(t, "PATCH", "pool/"+p.ID+"/", `{"name": "x", "ids": ["`+senderGlobexActive+`"]}`, keyAcmeDefault), 400, 100)
	ok(t, e.call(t, "GET", "pool/list/", "", keyAcmeDefault), &list)
	assert.Equal(t, []poolItem{{ID: p.ID, Name: "", Count: 2, CreateDate: "2026-01-15T12:00:00Z"}}, list.Items)
	// A pool of the Default organization is not the Support key's.
	fails(t, e.call(t, "GET", "pool/"+p.ID+"/", "", keyAcmeSupport), 400, 100)
}

package loop_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/loop"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// The fixture keys (contract.md) and ids (fixtures/loopmessage.json).
const (
	keyAcmeDefault   = "lm-acme-default"
	keyAcmeSupport   = "lm-acme-support"
	keyAcmeLabs      = "lm-acme-labs"
	keyGlobexDefault = "lm-globex-default"

	orgAcmeDefault   = "0b7e3f52-6d1a-4c8e-9f20-3a5b7c9d1e01"
	orgAcmeSupport   = "1c8f4a63-7e2b-4d9f-a031-4b6c8d0e2f02"
	orgAcmeLabs      = "2d9a5b74-8f3c-4ea0-b142-5c7d9e1f3a03"
	orgGlobexDefault = "3e0b6c85-9a4d-4fb1-8253-6d8e0f2a4b04"

	senderAcmeDefault    = "5a0c1e2f-7b3d-4e5f-8a9b-0c1d2e3f4a01" // active
	senderSupportActive  = "6b1d2f30-8c4e-4f60-9bac-1d2e3f4a5b02" // active
	senderSupportCancel  = "7c2e3041-9d5f-4071-acbd-2e3f4a5b6c03" // canceled
	senderGlobexActive   = "8d3f4152-ae60-4182-bdce-3f4a5b6c7d04" // active
	planStarter          = "6f1c2a9e-3b7d-4c52-9a1e-0d8b7c6f5a41"
	unknownID            = "00000000-0000-4000-8000-000000000000"
	notFoundOrgBody      = `{"success": false, "code": 100, "message": "Organization not found"}`
	notFoundSenderBody   = `{"success": false, "code": 100, "message": "Sender name not found"}`
	notDefaultKeyMessage = "This request requires an API key of the Default organization (the first organization in your account)"
)

// lm is one test's emulator, with LoopMessage alone mounted.
type lm struct {
	*emutest.Env
	API *loop.API
}

func newLM(tb testing.TB) *lm {
	tb.Helper()
	var api *loop.API
	env := emutest.New(tb, []store.Schema{loop.Schema()}, func(d server.Deps) []server.Vendor {
		api = loop.New(d)
		return []server.Vendor{api}
	})
	return &lm{Env: env, API: api}
}

// call sends method to /loopmessage/api/v1/<path> with key as the raw
// Authorization header ("" sends none).
func (e *lm) call(tb testing.TB, method, path, body, key string) emutest.Response {
	tb.Helper()
	var headers []string
	if key != "" {
		headers = append(headers, "Authorization: "+key)
	}
	return e.Do(tb, method, "/loopmessage/api/v1/"+path, body, headers...)
}

// ok asserts a 200 and decodes the body into v (when v is not nil).
func ok(tb testing.TB, res emutest.Response, v any) {
	tb.Helper()
	require.Equal(tb, 200, res.Status, res.Body)
	if v != nil {
		require.NoError(tb, json.Unmarshal([]byte(res.Body), v), res.Body)
	}
}

// lmError is the error body.
type lmError struct {
	Success *bool  `json:"success"`
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// fails asserts a LoopMessage error with the given status and code, and returns its message.
func fails(tb testing.TB, res emutest.Response, status, code int) string {
	tb.Helper()
	require.Equal(tb, status, res.Status, res.Body)
	var e lmError
	require.NoError(tb, json.Unmarshal([]byte(res.Body), &e), res.Body)
	require.NotNil(tb, e.Success, res.Body)
	assert.False(tb, *e.Success, res.Body)
	assert.Equal(tb, code, e.Code, res.Body)
	assert.NotEmpty(tb, e.Message)
	assert.Equal(tb, "application/json", res.Header.Get("Content-Type"))
	return e.Message
}

type page[T any] struct {
	Page     int `json:"page"`
	NumPages int `json:"num_pages"`
	PerPage  int `json:"per_page"`
	Count    int `json:"count"`
	Items    []T `json:"items"`
}

type orgItem struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Status     string `json:"status"`
	CreateDate string `json:"create_date"`
	APIKey     string `json:"api_key"`
}

type senderItem struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Status       string `json:"status"`
	CreateDate   string `json:"create_date"`
	ImessageLink string `json:"imessage_link"`
}

func idsOf[T any](items []T, id func(T) string) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, id(it))
	}
	return out
}

func orgIDs(items []orgItem) []string { return idsOf(items, func(o orgItem) string { return o.ID }) }
func senderIDs(items []senderItem) []string {
	return idsOf(items, func(s senderItem) string { return s.ID })
}

// listOrgs is the whole organization list the key's account has (per_page 1000).
func (e *lm) listOrgs(tb testing.TB, key string) []orgItem {
	tb.Helper()
	var p page[orgItem]
	ok(tb, e.call(tb, "GET", "organizations/list/?per_page=1000&sort_by=asc", "", key), &p)
	return p.Items
}

// listSenders is every sender name the key reaches.
func (e *lm) listSenders(tb testing.TB, key string) []senderItem {
	tb.Helper()
	var p page[senderItem]
	ok(tb, e.call(tb, "GET", "sender/list/?per_page=1000&sort_by=asc", "", key), &p)
	return p.Items
}

package loop_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/webhook"
)

// hookTo points organization org's webhook at rc (header "" sets none), with key.
func (e *lm) hookTo(t *testing.T, key, org string, rc *emutest.Receiver, header string) {
	t.Helper()
	h := "null"
	if header != "" {
		h = `"` + header + `"`
	}
	ok(t, e.call(t, "PATCH", "organizations/details/"+org+"/",
		`{"webhook_url": "`+rc.URL+`/hooks", "webhook_header": `+h+`}`, key), nil)
}

// deliveries are the outbox's LoopMessage attempts, newest first.
func (e *lm) deliveries(t *testing.T, status string) []webhook.Delivery {
	t.Helper()
	out, err := e.Deps.Webhooks.Deliveries(context.Background(),
		webhook.Filter{Vendor: "loopmessage", Status: status, Limit: 1000})
	require.NoError(t, err)
	return out
}

// queued tells whether attempt n is queued, not yet sent (an attempt in
// flight is pending too, until its answer is recorded: a retry's number
// tells them apart).
func (e *lm) queued(t *testing.T, n int) func() bool {
	return func() bool {
		p := e.deliveries(t, "pending")
		return len(p) == 1 && p[0].Attempt == n && p[0].SentAt == nil
	}
}

// senderUpdated is the payload, keys in the documented order ("" phone: none).
func senderUpdated(org, phone, sender, status, webhookID string) string {
	p := ""
	if phone != "" {
		p = `"phone_number":"` + phone + `",`
	}
	return `{"event":"sender_name_updated","organization_id":"` + org + `",` + p + `"sender":"` + sender +
		`","status":"` + status + `","webhook_id":"` + webhookID + `"}`
}

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// webhookID is the webhook_id of a call's body, checked to be a UUID.
func webhookID(t *testing.T, body string) string {
	t.Helper()
	var p struct {
		WebhookID string `json:"webhook_id"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &p), body)
	require.Regexp(t, uuidRe, p.WebhookID)
	return p.WebhookID
}

// checkCall asserts one call's headers (authorization "" : none) and its
// body, byte for byte (so the key order too), and returns its webhook_id.
func checkCall(t *testing.T, c emutest.Call, authorization, org, phone, sender, status string) string {
	t.Helper()
	id := webhookID(t, c.Body)
	assert.JSONEq(t, senderUpdated(org, phone, sender, status, id), c.Body)
	assert.Equal(t, senderUpdated(org, phone, sender, status, id), c.Body, "the documented key order")
	assert.Equal(t, "application/json", c.Header.Get("Content-Type"))
	assert.Equal(t, "LoopMessage", c.Header.Get("User-Agent"))
	assert.True(t, c.Close, "Connection: close")
	if authorization == "" {
		assert.NotContains(t, c.Header, "Authorization")
	} else {
		assert.Equal(t, authorization, c.Header.Get("Authorization"))
	}
	return id
}

// orderTest orders one test sender as key and returns its id and number.
func (e *lm) orderTest(t *testing.T, key string) (id, number string) {
	t.Helper()
	var out struct{ Items []phoneOrdered }
	ok(t, e.call(t, "POST", "sender/new/", `{"plan_id": "`+planStarter+`", "test": true}`, key), &out)
	require.Len(t, out.Items, 1)
	var s senderItem
	ok(t, e.call(t, "GET", "sender/"+out.Items[0].ID+"/", "", key), &s)
	require.Equal(t, "pending", s.Status)
	return s.ID, s.Name
}

func TestWebhookOnTestActivationWithoutARequest(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	rc := emutest.NewReceiver(t, emutest.Answering(200))
	e.hookTo(t, keyAcmeDefault, orgAcmeLabs, rc, "Bearer labs-secret")
	id, number := e.orderTest(t, keyAcmeLabs)
	assert.Empty(t, e.deliveries(t, ""), "an order is no change of status")

	// Only the clock moves: the outbox's timer activates the sender and sends its webhook.
	e.Deps.Clock.Advance(e.API.TestActivationDelay)
	emutest.Eventually(t, func() bool { return len(e.deliveries(t, "delivered")) == 1 }, "the activation's webhook")
	require.Equal(t, 1, rc.Count())
	wid := checkCall(t, rc.Call(0), "Bearer labs-secret", orgAcmeLabs, number, id, "active")
	d := e.deliveries(t, "")[0]
	assert.Equal(t, wid, d.EventID, "webhook_id is the event's id")
	assert.Equal(t, "sender_name_updated", d.Event)
	assert.Equal(t, rc.URL+"/hooks", d.URL)
	assert.Equal(t, emutest.Start.Add(e.API.TestActivationDelay), *d.SentAt)
	// The sender was activated before anyone looked at it.
	var s senderItem
	ok(t, e.call(t, "GET", "sender/"+id+"/", "", keyAcmeLabs), &s)
	assert.Equal(t, "active", s.Status)
	assert.Len(t, e.deliveries(t, ""), 1)
}

func TestWebhookOnTestActivationOnceWhenARequestSeesItFirst(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	rc := emutest.NewReceiver(t, emutest.Answering(200))
	e.hookTo(t, keyAcmeDefault, orgAcmeLabs, rc, "")
	id, number := e.orderTest(t, keyAcmeLabs)
	e.Deps.Clock.Advance(time.Hour)
	// The request and the timer race to activate: whichever wins, one event.
	assert.Equal(t, "active", e.listSenders(t, keyAcmeLabs)[0].Status)
	emutest.Eventually(t, func() bool { return len(e.deliveries(t, "delivered")) == 1 }, "the activation's webhook")
	checkCall(t, rc.Call(0), "", orgAcmeLabs, number, id, "active")
	e.Deps.Clock.Advance(time.Hour)
	assert.Equal(t, "active", e.listSenders(t, keyAcmeLabs)[0].Status)
	assert.Len(t, e.deliveries(t, ""), 1)
	assert.Equal(t, 1, rc.Count())
}

func TestWebhookOnCancel(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, key, org, header, sender, phone string
	}{
		// An email sender has no phone_number; the fixture's header is kept.
		{"email sender, header", keyAcmeDefault, orgAcmeDefault, "Bearer acme-webhook-secret", senderAcmeDefault, ""},
		{"phone sender, no header", keyGlobexDefault, orgGlobexDefault, "", senderGlobexActive, "+15550100004"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newLM(t)
			rc := emutest.NewReceiver(t, emutest.Answering(200))
			e.hookTo(t, tc.key, tc.org, rc, tc.header)
			ok(t, e.call(t, "DELETE", "sender/"+tc.sender+"/cancel/", "", tc.key), nil)
			emutest.Eventually(t, func() bool { return rc.Count() == 1 }, "the cancel's webhook")
			wid := checkCall(t, rc.Call(0), tc.header, tc.org, tc.phone, tc.sender, "canceled")
			emutest.Eventually(t, func() bool { return len(e.deliveries(t, "delivered")) == 1 }, "delivered")
			assert.Equal(t, wid, e.deliveries(t, "")[0].EventID)
		})
	}
}

func TestWebhookOnControlStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, sender, body string
		status             int
		event              string // the status sent; "" when no event
	}{
		{"active to suspended", senderSupportActive, `{"status": "suspended"}`, 200, "suspended"},
		{"active to pending", senderSupportActive, `{"status": "pending"}`, 200, "pending"},
		{"canceled to active", senderSupportCancel, `{"status": "active"}`, 200, "active"},
		{"active again", senderSupportActive, `{"status": "active"}`, 200, ""},
		{"canceled again", senderSupportCancel, `{"status": "canceled"}`, 200, ""},
		{"unknown sender", unknownID, `{"status": "active"}`, 404, ""},
		{"bad status", senderSupportActive, `{"status": "paused"}`, 400, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newLM(t)
			rc := emutest.NewReceiver(t, emutest.Answering(200))
			e.hookTo(t, keyAcmeDefault, orgAcmeSupport, rc, "s3cret")
			res := e.Do(t, "POST", "/_emulator/loopmessage/senders/"+tc.sender+"/status", tc.body)
			require.Equal(t, tc.status, res.Status, res.Body)
			if tc.event == "" {
				// Recorded in the change's transaction: none now is none ever.
				assert.Empty(t, e.deliveries(t, ""))
				return
			}
			phone := ""
			if tc.sender == senderSupportCancel {
				phone = "+15550100003"
			}
			emutest.Eventually(t, func() bool { return rc.Count() == 1 }, "the control route's webhook")
			checkCall(t, rc.Call(0), "s3cret", orgAcmeSupport, phone, tc.sender, tc.event)
		})
	}
}

func TestWebhookControlStatusOnATestSender(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	rc := emutest.NewReceiver(t, emutest.Answering(200))
	e.hookTo(t, keyAcmeDefault, orgAcmeLabs, rc, "")
	id, number := e.orderTest(t, keyAcmeLabs)
	// Pending again is no change (the activation is dropped): no event, then or later.
	ok(t, e.Do(t, "POST", "/_emulator/loopmessage/senders/"+id+"/status", `{"status": "pending"}`), nil)
	e.Deps.Clock.Advance(time.Hour)
	assert.Equal(t, "pending", e.listSenders(t, keyAcmeLabs)[0].Status)
	assert.Empty(t, e.deliveries(t, ""))
	ok(t, e.Do(t, "POST", "/_emulator/loopmessage/senders/"+id+"/status", `{"status": "active"}`), nil)
	emutest.Eventually(t, func() bool { return rc.Count() == 1 }, "the control route's webhook")
	checkCall(t, rc.Call(0), "", orgAcmeLabs, number, id, "active")
}

func TestNoWebhookWithoutAChangeOrAURL(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	support := emutest.NewReceiver(t, emutest.Answering(200))
	e.hookTo(t, keyAcmeDefault, orgAcmeSupport, support, "")
	// Refused changes emit nothing: a second cancel, a sender out of the key's scope.
	fails(t, e.call(t, "DELETE", "sender/"+senderSupportCancel+"/cancel/", "", keyAcmeSupport), 400, 100)
	fails(t, e.call(t, "DELETE", "sender/"+senderSupportActive+"/cancel/", "", keyAcmeLabs), 400, 100)
	fails(t, e.call(t, "DELETE", "sender/"+senderSupportActive+"/cancel/", "", keyGlobexDefault), 400, 100)
	// A move changes no status.
	ok(t, e.call(t, "PATCH", "sender/"+senderSupportActive+"/", `{"organization_id": "`+orgAcmeLabs+`"}`, keyAcmeDefault), nil)
	// Acme Labs has no webhook_url: its sender's cancel sends nothing.
	ok(t, e.call(t, "DELETE", "sender/"+senderSupportActive+"/cancel/", "", keyAcmeDefault), nil)
	ok(t, e.Do(t, "POST", "/_emulator/loopmessage/senders/"+senderSupportActive+"/status", `{"status": "active"}`), nil)
	// Removing the URL stops the deliveries.
	ok(t, e.call(t, "PATCH", "organizations/details/"+orgAcmeSupport+"/", `{"webhook_url": null}`, keyAcmeDefault), nil)
	ok(t, e.Do(t, "POST", "/_emulator/loopmessage/senders/"+senderSupportCancel+"/status", `{"status": "active"}`), nil)
	assert.Empty(t, e.deliveries(t, ""))
	assert.Zero(t, support.Count())
}

func TestWebhookGoesToTheSendersOrganizationOfTheMoment(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	support, def := emutest.NewReceiver(t, emutest.Answering(200)), emutest.NewReceiver(t, emutest.Answering(200))
	e.hookTo(t, keyAcmeDefault, orgAcmeSupport, support, "support")
	e.hookTo(t, keyAcmeDefault, orgAcmeDefault, def, "default")
	ok(t, e.call(t, "PATCH", "sender/"+senderSupportActive+"/", `{"organization_id": "`+orgAcmeDefault+`"}`, keyAcmeDefault), nil)
	ok(t, e.call(t, "DELETE", "sender/"+senderSupportActive+"/cancel/", "", keyAcmeDefault), nil)
	emutest.Eventually(t, func() bool { return def.Count() == 1 }, "the new organization's webhook")
	checkCall(t, def.Call(0), "default", orgAcmeDefault, "", senderSupportActive, "canceled")
	assert.Zero(t, support.Count())
	// Its history is the new organization's too.
	var p page[json.RawMessage]
	ok(t, e.call(t, "GET", "webhooks/history/", "", keyAcmeSupport), &p)
	assert.Zero(t, p.Count)
}

func TestWebhookOnly200IsDelivered(t *testing.T) {
	t.Parallel()
	for _, first := range []int{201, 204, 302, 404, 500} {
		t.Run(fmt.Sprint(first), func(t *testing.T) {
			t.Parallel()
			e := newLM(t)
			rc := emutest.NewReceiver(t, func(n int) int {
				if n == 1 {
					return first
				}
				return 200
			})
			e.hookTo(t, keyAcmeDefault, orgAcmeSupport, rc, "")
			ok(t, e.call(t, "DELETE", "sender/"+senderSupportActive+"/cancel/", "", keyAcmeSupport), nil)
			emutest.Eventually(t, e.queued(t, 2), "a retry after %d", first)
			failed := e.deliveries(t, "failed")
			require.Len(t, failed, 1)
			assert.Equal(t, first, *failed[0].ResponseStatus)
			assert.Equal(t, emutest.Start.Add(30*time.Second), e.deliveries(t, "pending")[0].ScheduledAt)
			e.Deps.Clock.Advance(30 * time.Second)
			emutest.Eventually(t, func() bool { return len(e.deliveries(t, "delivered")) == 1 }, "the retry delivered")
			require.Equal(t, 2, rc.Count())
			assert.Equal(t, rc.Call(0).Body, rc.Call(1).Body, "a retry is the same call, webhook_id included")
			assert.Empty(t, e.deliveries(t, "pending"))
		})
	}
}

func TestWebhookWholeRetrySchedule(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	rc := emutest.NewReceiver(t, emutest.Answering(503))
	e.hookTo(t, keyAcmeDefault, orgAcmeSupport, rc, "")
	ok(t, e.call(t, "DELETE", "sender/"+senderSupportActive+"/cancel/", "", keyAcmeSupport), nil)

	// 10 retries 30 s apart, 10 at 3 min, 10 at 15 min: 31 attempts.
	var gaps []time.Duration
	for _, d := range []time.Duration{30 * time.Second, 3 * time.Minute, 15 * time.Minute} {
		for range 10 {
			gaps = append(gaps, d)
		}
	}
	at := emutest.Start
	for n := 1; n <= 31; n++ {
		emutest.Eventually(t, func() bool { return rc.Count() == n }, "attempt %d", n)
		if n == 31 {
			break
		}
		emutest.Eventually(t, e.queued(t, n+1), "retry %d queued", n)
		at = at.Add(gaps[n-1])
		next := e.deliveries(t, "pending")[0]
		require.Equal(t, n+1, next.Attempt)
		require.Equal(t, at, next.ScheduledAt, "retry %d", n)
		e.Deps.Clock.Advance(gaps[n-1])
	}
	emutest.Eventually(t, func() bool { return len(e.deliveries(t, "failed")) == 31 }, "every attempt failed")
	assert.Empty(t, e.deliveries(t, "pending"), "nothing more is due")
	e.Deps.Clock.Advance(48 * time.Hour)
	assert.Empty(t, e.deliveries(t, "pending"))

	all := e.deliveries(t, "")
	require.Len(t, all, 31)
	wid := webhookID(t, rc.Call(0).Body)
	for i, d := range all { // newest first
		assert.Equal(t, 31-i, d.Attempt)
		assert.Equal(t, wid, d.EventID)
	}
	for i := range 31 {
		assert.Equal(t, rc.Call(0).Body, rc.Call(i).Body, "attempt %d", i+1)
	}
	assert.Equal(t, emutest.Start.Add(10*30*time.Second+10*3*time.Minute+10*15*time.Minute), *all[0].SentAt)
	assert.Equal(t, 31, rc.Count())

	var p page[struct {
		Attempt int `json:"attempt"`
	}]
	ok(t, e.call(t, "GET", "webhooks/history/?per_page=1000&sort_by=asc", "", keyAcmeSupport), &p)
	assert.Equal(t, 31, p.Count)
	require.Len(t, p.Items, 31)
	for i, it := range p.Items {
		assert.Equal(t, i+1, it.Attempt)
	}
}

// historyEnv has webhooks delivered for three organizations of two accounts:
// Acme Support's cancel takes three attempts (at +0, +30 s, +60 s), Acme
// Default's (+120 s) and Globex Default's (+120 s) one each. It returns the
// three payloads.
func historyEnv(t *testing.T) (e *lm, support, def, globex string) {
	t.Helper()
	e = newLM(t)
	supportRC := emutest.NewReceiver(t, func(n int) int {
		if n < 3 {
			return 500
		}
		return 200
	})
	defRC, globexRC := emutest.NewReceiver(t, emutest.Answering(200)), emutest.NewReceiver(t, emutest.Answering(200))
	e.hookTo(t, keyAcmeDefault, orgAcmeSupport, supportRC, "")
	e.hookTo(t, keyAcmeDefault, orgAcmeDefault, defRC, "")
	e.hookTo(t, keyGlobexDefault, orgGlobexDefault, globexRC, "")

	ok(t, e.call(t, "DELETE", "sender/"+senderSupportActive+"/cancel/", "", keyAcmeSupport), nil)
	for n := 1; n < 3; n++ {
		emutest.Eventually(t, e.queued(t, n+1), "retry %d", n)
		e.Deps.Clock.Advance(30 * time.Second)
	}
	emutest.Eventually(t, func() bool { return len(e.deliveries(t, "delivered")) == 1 }, "support's third attempt")
	e.Deps.Clock.Advance(time.Minute)
	ok(t, e.call(t, "DELETE", "sender/"+senderAcmeDefault+"/cancel/", "", keyAcmeDefault), nil)
	ok(t, e.call(t, "DELETE", "sender/"+senderGlobexActive+"/cancel/", "", keyGlobexDefault), nil)
	emutest.Eventually(t, func() bool { return len(e.deliveries(t, "delivered")) == 3 }, "every webhook delivered")
	return e, supportRC.Call(0).Body, defRC.Call(0).Body, globexRC.Call(0).Body
}

// TestWebhookHistoryOfALargeAccount: a Default key's history covers its
// account's organizations however many there are (40,000 here: more than a
// statement can list one by one, which once made it a 500).
func TestWebhookHistoryOfALargeAccount(t *testing.T) {
	t.Parallel()
	e, support, def, _ := historyEnv(t)
	_, err := e.Deps.DB.Write().Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40000)
		INSERT INTO lm_organizations (id, account_id, name, website, support_url, country, api_key, create_date)
		SELECT 'bulk-' || i, 'acme', 'Bulk ' || i, 'https://w', 'https://s', 'US', 'bulk-key-' || i, '2026-01-01T00:00:00Z' FROM n`)
	require.NoError(t, err)
	var p page[historyItem]
	ok(t, e.call(t, "GET", "webhooks/history/", "", keyAcmeDefault), &p)
	require.Equal(t, 4, p.Count)
	require.Len(t, p.Items, 4)
	for i, want := range []string{def, support, support, support} {
		assert.JSONEq(t, want, string(p.Items[i].JSON), "item %d", i)
	}
	ok(t, e.call(t, "GET", "webhooks/history/", "", "bulk-key-7"), &p)
	assert.Zero(t, p.Count, "an organization of the account sees its own webhooks only")
}

type historyItem struct {
	Attempt    int             `json:"attempt"`
	CreateDate string          `json:"create_date"`
	EventType  string          `json:"event_type"`
	JSON       json.RawMessage `json:"json"`
}

func TestWebhookHistory(t *testing.T) {
	t.Parallel()
	e, support, def, globex := historyEnv(t)

	// The whole answer once, newest first by default.
	res := e.call(t, "GET", "webhooks/history/", "", keyAcmeSupport)
	require.Equal(t, 200, res.Status, res.Body)
	assert.JSONEq(t, `{"page": 1, "num_pages": 1, "per_page": 20, "count": 3, "items": [
		{"attempt": 3, "create_date": "2026-01-15T12:01:00Z", "event_type": "sender_name_updated", "json": `+support+`},
		{"attempt": 2, "create_date": "2026-01-15T12:00:30Z", "event_type": "sender_name_updated", "json": `+support+`},
		{"attempt": 1, "create_date": "2026-01-15T12:00:00Z", "event_type": "sender_name_updated", "json": `+support+`}]}`,
		res.Body)
	assert.True(t, strings.HasPrefix(res.Body, `{"page":1,"num_pages":1,"per_page":20,"count":3,"items":[{"attempt":3,"create_date":`),
		res.Body)

	type row struct {
		attempt int
		date    string
		body    string
	}
	s1, s2, s3 := row{1, "2026-01-15T12:00:00Z", support}, row{2, "2026-01-15T12:00:30Z", support}, row{3, "2026-01-15T12:01:00Z", support}
	d1, g1 := row{1, "2026-01-15T12:02:00Z", def}, row{1, "2026-01-15T12:02:00Z", globex}
	for _, tc := range []struct {
		name, key, query        string
		page, numPages, perPage int
		count                   int
		want                    []row
	}{
		{"org key, asc", keyAcmeSupport, "sort_by=asc", 1, 1, 20, 3, []row{s1, s2, s3}},
		{"sort_by any case", keyAcmeSupport, "sort_by=ASC", 1, 1, 20, 3, []row{s1, s2, s3}},
		{"first page", keyAcmeSupport, "per_page=2", 1, 2, 2, 3, []row{s3, s2}},
		{"last page", keyAcmeSupport, "per_page=2&page=2", 2, 2, 2, 3, []row{s1}},
		{"past the end", keyAcmeSupport, "per_page=2&page=3", 3, 2, 2, 3, nil},
		{"far past the end", keyAcmeSupport, "per_page=1000&page=9223372036854775807", 9223372036854775807, 1, 1000, 3, nil},
		{"empty values are the defaults", keyAcmeSupport, "page=&per_page=&sort_by=", 1, 1, 20, 3, []row{s3, s2, s1}},
		{"Default key sees its account", keyAcmeDefault, "", 1, 1, 20, 4, []row{d1, s3, s2, s1}},
		{"Default key, asc", keyAcmeDefault, "sort_by=asc&per_page=3", 1, 2, 3, 4, []row{s1, s2, s3}},
		{"an organization without a webhook", keyAcmeLabs, "", 1, 1, 20, 0, nil},
		{"another account", keyGlobexDefault, "", 1, 1, 20, 1, []row{g1}},
		{"the day", keyAcmeSupport, "from_date=2026-01-15&to_date=2026-01-15", 1, 1, 20, 3, []row{s3, s2, s1}},
		{"from the day", keyAcmeSupport, "from_date=2026-01-15", 1, 1, 20, 3, []row{s3, s2, s1}},
		{"until the day", keyAcmeSupport, "to_date=2026-01-15", 1, 1, 20, 3, []row{s3, s2, s1}},
		{"from the next day", keyAcmeSupport, "from_date=2026-01-16", 1, 1, 20, 0, nil},
		{"until the day before", keyAcmeDefault, "to_date=2026-01-14", 1, 1, 20, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p page[historyItem]
			ok(t, e.call(t, "GET", "webhooks/history/?"+tc.query, "", tc.key), &p)
			assert.Equal(t, tc.page, p.Page)
			assert.Equal(t, tc.numPages, p.NumPages)
			assert.Equal(t, tc.perPage, p.PerPage)
			assert.Equal(t, tc.count, p.Count)
			require.NotNil(t, p.Items, "items is [] when empty")
			require.Len(t, p.Items, len(tc.want))
			for i, w := range tc.want {
				assert.Equal(t, w.attempt, p.Items[i].Attempt, "item %d", i)
				assert.Equal(t, w.date, p.Items[i].CreateDate, "item %d", i)
				assert.Equal(t, "sender_name_updated", p.Items[i].EventType)
				assert.JSONEq(t, w.body, string(p.Items[i].JSON), "item %d", i)
			}
		})
	}
}

func TestWebhookHistoryErrors(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	for _, tc := range []struct {
		name, key, query string
		status, code     int
		message          string
	}{
		{"no key", "", "", 400, 110, "Missing credentials in request"},
		{"unknown key", "lm-nobody", "", 400, 130, "API key is invalid or doesn't exist"},
		{"Bearer key", "Bearer " + keyAcmeSupport, "", 400, 130, "API key is invalid or doesn't exist"},
		{"page 0", keyAcmeSupport, "page=0", 400, 125, "Parameter(s) invalid: page must be an integer from 1"},
		{"page not a number", keyAcmeSupport, "page=x", 400, 125, "Parameter(s) invalid: page must be an integer from 1"},
		{"per_page over 1000", keyAcmeSupport, "per_page=1001", 400, 125,
			"Parameter(s) invalid: per_page must be an integer from 1 to 1000"},
		{"sort_by", keyAcmeSupport, "sort_by=newest", 400, 125, "Parameter(s) invalid: sort_by must be asc or desc"},
		{"from_date", keyAcmeSupport, "from_date=15-01-2026", 400, 125,
			"Parameter(s) invalid: from_date must be a date YYYY-MM-DD"},
		{"to_date", keyAcmeSupport, "to_date=2026-02-30", 400, 125,
			"Parameter(s) invalid: to_date must be a date YYYY-MM-DD"},
		{"from after to", keyAcmeSupport, "from_date=2026-01-16&to_date=2026-01-15", 400, 125,
			"Parameter(s) invalid: from_date must not be after to_date"},
		{"every problem at once", keyAcmeSupport, "page=0&per_page=0&sort_by=x&from_date=x&to_date=y", 400, 125,
			"Parameter(s) invalid: page must be an integer from 1; per_page must be an integer from 1 to 1000; " +
				"sort_by must be asc or desc; from_date must be a date YYYY-MM-DD; to_date must be a date YYYY-MM-DD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := fails(t, e.call(t, "GET", "webhooks/history/?"+tc.query, "", tc.key), tc.status, tc.code)
			assert.Equal(t, tc.message, msg)
		})
	}
	// Without the trailing slash the path is not LoopMessage's; nor is a write.
	res := e.call(t, "GET", "webhooks/history", "", keyAcmeSupport)
	assert.Contains(t, fails(t, res, 404, 100), "with a trailing slash")
	fails(t, e.call(t, "POST", "webhooks/history/", `{}`, keyAcmeSupport), 405, 100)
}

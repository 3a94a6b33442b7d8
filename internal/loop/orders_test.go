package loop_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPlans(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	for _, key := range []string{keyAcmeDefault, keyAcmeLabs, keyGlobexDefault} {
		res := e.call(t, "GET", "sender/plans/", "", key)
		require.Equal(t, 200, res.Status, res.Body)
		assert.JSONEq(t, `{"count": 3, "items": [
			{"id": "`+planStarter+`", "name": "Starter", "daily_contacts": 50, "monthly_contacts": 1000, "monthly_fee": 100.00, "currency": "USD"},
			{"id": "9b2d4e6f-8a0c-4e1b-b3d5-7f9a1c3e5b62", "name": "Growth", "daily_contacts": 200, "monthly_contacts": 5000, "monthly_fee": 300.00, "currency": "USD"},
			{"id": "c4e6a8b0-d2f4-4a6c-8e0b-2d4f6a8c0e83", "name": "Scale", "daily_contacts": 1000, "monthly_contacts": 25000, "monthly_fee": 900.00, "currency": "USD"}
		]}`, res.Body)
		// The fee is written as the docs write it, with two decimals.
		assert.Contains(t, res.Body, `"monthly_fee":100.00,`)
	}
}

type phoneOrdered struct {
	ID                      string  `json:"id"`
	PhoneRegion             string  `json:"phone_region"`
	ZipCode                 *string `json:"zip_code"`
	SMSAndCall              bool    `json:"sms_and_call"`
	ForwardingToPhoneNumber *string `json:"forwarding_to_phone_number"`
	RCS                     bool    `json:"rcs"`
}

func TestOrderPhoneSender(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	res := e.call(t, "POST", "sender/new/", `{"plan_id": "`+planStarter+`", "phone_region": "US", "zip_code": "94103",
		"sms_and_call": true, "forwarding_to_phone_number": "+14155550123", "rcs": true, "whatsapp": false,
		"contact": {"first_name": "Ada", "last_name": "L", "photo_url": "https://img.example.com/a.png"}}`, keyAcmeLabs)
	var out struct {
		Count int            `json:"count"`
		Items []phoneOrdered `json:"items"`
	}
	ok(t, res, &out)
	require.Len(t, out.Items, 1)
	id := out.Items[0].ID
	assert.JSONEq(t, `{"count": 1, "items": [{"id": "`+id+`", "phone_region": "US", "zip_code": "94103",
		"sms_and_call": true, "forwarding_to_phone_number": "+14155550123", "rcs": true}]}`, res.Body)
	assert.Regexp(t, `^\{"count":1,"items":\[\{"id":"[0-9a-f-]{36}","phone_region":"US","zip_code":"94103","sms_and_call":true,"forwarding_to_phone_number":"\+14155550123","rcs":true\}\]\}$`, res.Body)

	// The sender is the caller's organization's, pending, with a made-up US number.
	var s senderItem
	ok(t, e.call(t, "GET", "sender/"+id+"/", "", keyAcmeLabs), &s)
	assert.Equal(t, "pending", s.Status)
	assert.Equal(t, "2026-01-15T12:00:00Z", s.CreateDate)
	assert.Regexp(t, `^\+1[2-9][0-9]{2}55501[0-9]{2}$`, s.Name)
	assert.Equal(t, "imessage://"+s.Name, s.ImessageLink)
	assert.Equal(t, []string{id}, senderIDs(e.listSenders(t, keyAcmeLabs)))
	fails(t, e.call(t, "GET", "sender/"+id+"/", "", keyAcmeSupport), 400, 100)

	// Without the test flag, it stays pending however long we wait.
	e.Deps.Clock.Advance(48 * time.Hour)
	ok(t, e.call(t, "GET", "sender/"+id+"/", "", keyAcmeLabs), &s)
	assert.Equal(t, "pending", s.Status)

	// Defaults: US, nulls for zip and forwarding, false flags. A ported sender keeps its number.
	res = e.call(t, "POST", "sender/new/", `{"plan_id": "`+planStarter+`",
		"port": {"phone_number": "+447700900123", "account_number": "1", "pin": "0000", "carrier": "EE"}}`, keyAcmeLabs)
	ok(t, res, &out)
	id = out.Items[0].ID
	assert.JSONEq(t, `{"count": 1, "items": [{"id": "`+id+`", "phone_region": "US", "zip_code": null,
		"sms_and_call": false, "forwarding_to_phone_number": null, "rcs": false}]}`, res.Body)
	ok(t, e.call(t, "GET", "sender/"+id+"/", "", keyAcmeDefault), &s)
	assert.Equal(t, "+447700900123", s.Name)
}

func TestOrderEmailAndBulk(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	res := e.call(t, "POST", "sender/new/", `{"name": "Sales", "domain": "acme.example.com", "plan_id": "`+planStarter+`"}`, keyAcmeSupport)
	var out struct {
		Count int               `json:"count"`
		Items []json.RawMessage `json:"items"`
	}
	ok(t, res, &out)
	var first struct{ ID string }
	require.NoError(t, json.Unmarshal(out.Items[0], &first))
	assert.JSONEq(t, `{"count": 1, "items": [{"id": "`+first.ID+`", "name": "sales@acme.example.com"}]}`, res.Body)

	e.Deps.Clock.Advance(30 * time.Second)
	res = e.call(t, "POST", "sender/new/", `{"senders": [
		{"plan_id": "`+planStarter+`", "phone_region": "GB"},
		{"plan_id": "`+planStarter+`", "name": "a", "domain": "acme.example.com"},
		{"plan_id": "`+planStarter+`", "zip_code": "10001"}]}`, keyAcmeSupport)
	ok(t, res, &out)
	assert.Equal(t, 3, out.Count)
	require.Len(t, out.Items, 3)
	var gb phoneOrdered
	require.NoError(t, json.Unmarshal(out.Items[0], &gb))
	assert.Equal(t, "GB", gb.PhoneRegion)
	assert.Contains(t, string(out.Items[1]), `"name":"a@acme.example.com"`)
	senders := e.listSenders(t, keyAcmeSupport)
	assert.Len(t, senders, 6)
	for _, s := range senders {
		if s.ID == gb.ID {
			assert.Regexp(t, `^\+447700900[0-9]{3}$`, s.Name)
		}
	}
}

func TestOrderRateLimit(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	order := `{"plan_id": "` + planStarter + `"}`
	ok(t, e.call(t, "POST", "sender/new/", order, keyAcmeLabs), nil)
	// Within 30 emulated seconds, no key of the same account may order again.
	e.Deps.Clock.Advance(29 * time.Second)
	for _, key := range []string{keyAcmeLabs, keyAcmeDefault} {
		res := e.call(t, "POST", "sender/new/", order, key)
		assert.JSONEq(t, `{"success": false, "code": 100, "message": "Only one order request per 30 seconds is allowed"}`, res.Body)
	}
	// Another account is not affected.
	ok(t, e.call(t, "POST", "sender/new/", order, keyGlobexDefault), nil)
	// An invalid order is refused for what it is, and does not count as an order.
	fails(t, e.call(t, "POST", "sender/new/", `{}`, keyAcmeLabs), 400, 120)
	e.Deps.Clock.Advance(time.Second)
	ok(t, e.call(t, "POST", "sender/new/", order, keyAcmeLabs), nil)
	assert.Len(t, e.listSenders(t, keyAcmeLabs), 2)
}

func TestOrderTestFlagActivatesLater(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	var out struct{ Items []phoneOrdered }
	ok(t, e.call(t, "POST", "sender/new/", `{"plan_id": "`+planStarter+`", "test": true}`, keyAcmeLabs), &out)
	id := out.Items[0].ID
	status := func() string {
		var s senderItem
		ok(t, e.call(t, "GET", "sender/"+id+"/", "", keyAcmeLabs), &s)
		return s.Status
	}
	assert.Equal(t, "pending", status())
	e.Deps.Clock.Advance(e.API.TestActivationDelay - time.Second)
	assert.Equal(t, "pending", status())
	e.Deps.Clock.Advance(time.Second)
	assert.Equal(t, "active", status())
	assert.Equal(t, "active", e.listSenders(t, keyAcmeLabs)[0].Status)
	fails(t, e.call(t, "DELETE", "organizations/details/"+orgAcmeLabs+"/", "", keyAcmeDefault), 400, 100)
}

func TestOrderTestFlagCountsForDeleteWithoutARead(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	ok(t, e.call(t, "POST", "sender/new/", `{"senders": [{"plan_id": "`+planStarter+`"}], "test": true}`, keyAcmeLabs), nil)
	e.Deps.Clock.Advance(time.Hour)
	// Nobody has read the sender since it became active: the delete still sees it.
	fails(t, e.call(t, "DELETE", "organizations/details/"+orgAcmeLabs+"/", "", keyAcmeDefault), 400, 100)
}

func TestPendingSenderDoesNotBlockDelete(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	ok(t, e.call(t, "POST", "sender/new/", `{"plan_id": "`+planStarter+`", "test": true}`, keyAcmeLabs), nil)
	// Only active sender names block the delete; the pending one goes with the organization.
	ok(t, e.call(t, "DELETE", "organizations/details/"+orgAcmeLabs+"/", "", keyAcmeDefault), nil)
	e.Deps.Clock.Advance(time.Hour)
	assert.Len(t, e.listSenders(t, keyAcmeDefault), 3)
}

func TestOrderCanceledBeforeActivationStaysCanceled(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	var out struct{ Items []phoneOrdered }
	ok(t, e.call(t, "POST", "sender/new/", `{"plan_id": "`+planStarter+`", "test": true}`, keyAcmeLabs), &out)
	ok(t, e.call(t, "DELETE", "sender/"+out.Items[0].ID+"/cancel/", "", keyAcmeLabs), nil)
	e.Deps.Clock.Advance(time.Hour)
	assert.Equal(t, "canceled", e.listSenders(t, keyAcmeLabs)[0].Status)
	ok(t, e.call(t, "DELETE", "organizations/details/"+orgAcmeLabs+"/", "", keyAcmeDefault), nil)
}

func TestOrderValidation(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	plan := `"plan_id": "` + planStarter + `"`
	many := strings.Repeat(`{`+plan+`},`, 101)
	for _, tc := range []struct {
		name, body string
		code       int
		mention    string
	}{
		{"empty body", ``, 120, "plan_id"},
		{"no plan", `{"phone_region": "US"}`, 120, "plan_id"},
		{"unknown plan", `{"plan_id": "nope"}`, 125, "plan_id"},
		{"plan number", `{"plan_id": 1}`, 125, "plan_id"},
		{"region", `{` + plan + `, "phone_region": "FR"}`, 125, "phone_region"},
		{"zip letters", `{` + plan + `, "zip_code": "ABCDE"}`, 125, "zip_code"},
		{"zip 4 digits", `{` + plan + `, "zip_code": "1234"}`, 125, "zip_code"},
		{"zip outside US", `{` + plan + `, "phone_region": "GB", "zip_code": "12345"}`, 125, "zip_code"},
		{"bool as string", `{` + plan + `, "rcs": "yes"}`, 125, "rcs"},
		{"test as string", `{` + plan + `, "test": "true"}`, 125, "test"},
		{"forwarding without sms", `{` + plan + `, "forwarding_to_phone_number": "+14155550123"}`, 125, "forwarding_to_phone_number"},
		{"forwarding not E.164", `{` + plan + `, "sms_and_call": true, "forwarding_to_phone_number": "4155550123"}`, 125, "forwarding_to_phone_number"},
		{"contact without first_name", `{` + plan + `, "contact": {"last_name": "L"}}`, 120, "contact.first_name"},
		{"contact not an object", `{` + plan + `, "contact": "Ada"}`, 125, "contact"},
		{"contact photo", `{` + plan + `, "contact": {"first_name": "A", "photo_url": "pic"}}`, 125, "contact.photo_url"},
		{"port incomplete", `{` + plan + `, "port": {"phone_number": "+14155550123"}}`, 120, "port.account_number"},
		{"port number", `{` + plan + `, "port": {"phone_number": "0123", "account_number": "1", "pin": "1", "carrier": "c"}}`, 125, "port.phone_number"},
		{"email without domain", `{` + plan + `, "name": "sales"}`, 120, "domain"},
		{"email bad domain", `{` + plan + `, "name": "sales", "domain": "localhost"}`, 125, "domain"},
		{"email bad name", `{` + plan + `, "name": "a b", "domain": "example.com"}`, 125, "name"},
		{"senders empty", `{"senders": []}`, 120, "senders"},
		{"senders not array", `{"senders": {}}`, 125, "senders"},
		{"senders item not object", `{"senders": [1]}`, 125, "senders[0]"},
		{"senders second bad", `{"senders": [{` + plan + `}, {"plan_id": "x"}]}`, 125, "senders[1].plan_id"},
		{"senders too many", `{"senders": [` + strings.TrimSuffix(many, ",") + `]}`, 125, "senders"},
		{"malformed", `{"plan_id": `, 125, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := fails(t, e.call(t, "POST", "sender/new/", tc.body, keyAcmeLabs), 400, tc.code)
			assert.Contains(t, msg, tc.mention)
		})
	}
	// Nothing was ordered, and the 30-second window was never opened.
	assert.Empty(t, e.listSenders(t, keyAcmeLabs))
	ok(t, e.call(t, "POST", "sender/new/", fmt.Sprintf(`{"plan_id": %q}`, planStarter), keyAcmeLabs), nil)
}

func TestConcurrentOrdersOnlyOneWins(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	const n = 8
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- e.call(t, "POST", "sender/new/", `{"plan_id": "`+planStarter+`"}`, keyAcmeLabs).Status
		}()
	}
	wg.Wait()
	close(statuses)
	won := 0
	for s := range statuses {
		if s == 200 {
			won++
		} else {
			assert.Equal(t, 400, s)
		}
	}
	assert.Equal(t, 1, won)
	assert.Len(t, e.listSenders(t, keyAcmeLabs), 1)
}

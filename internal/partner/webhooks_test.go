package partner_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/webhook"
)

const (
	ctl          = "/_emulator/360dialog"
	exampleHMAC  = "examplePA-webhook-secret"
	otherHMAC    = "otherPA-webhook-secret"
	signatureKey = "X-360dialog-Signature"
)

// wait waits (in real time, for the worker's promise of 100 ms; never for a
// schedule, which the clock walks) until the receiver has n calls.
func wait(t *testing.T, rc *emutest.Receiver, n int) []emutest.Call {
	t.Helper()
	emutest.Eventually(t, func() bool { return rc.Count() >= n }, "the receiver has %d calls, not %d", rc.Count(), n)
	calls := rc.Calls()
	require.Len(t, calls, n)
	return calls
}

// byEvent finds the call of one event type.
func byEvent(t *testing.T, calls []emutest.Call, event string) emutest.Call {
	t.Helper()
	for _, c := range calls {
		var b struct{ Event string }
		require.NoError(t, json.Unmarshal([]byte(c.Body), &b), c.Body)
		if b.Event == event {
			return c
		}
	}
	require.Failf(t, "no such event", "no %s among %d calls", event, len(calls))
	return emutest.Call{}
}

// hookEnv is an emulator whose partners send their webhooks to receivers.
func hookEnv(t *testing.T, examplePA, otherPA *emutest.Receiver) *emutest.Env {
	t.Helper()
	env := newEnv(t)
	for _, p := range []struct {
		id, key string
		rc      *emutest.Receiver
	}{{"examplePA", exampleK, examplePA}, {"otherPA", otherK, otherPA}} {
		if p.rc != nil {
			res := env.Do(t, "POST", base+"/partners/"+p.id+"/webhook_url", `{"webhook_url": "`+p.rc.URL+`/hook"}`, p.key)
			require.Equal(t, http.StatusOK, res.Status, res.Body)
		}
	}
	return env
}

// checkSigned asserts a call's headers, and its signature computed here,
// independently, from the raw body.
func checkSigned(t *testing.T, c emutest.Call, secret string) {
	t.Helper()
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(c.Body))
	want := hex.EncodeToString(mac.Sum(nil))
	got := c.Header.Get(signatureKey)
	assert.Equal(t, want, got, "x-360dialog-signature")
	assert.Regexp(t, `^[0-9a-f]{64}$`, got, "lowercase hex")
	assert.Equal(t, "application/json", c.Header.Get("Content-Type"))
}

func deliveries(t *testing.T, env *emutest.Env, status string) []webhook.Delivery {
	t.Helper()
	out, err := env.Deps.Webhooks.Deliveries(context.Background(), webhook.Filter{Vendor: "360dialog", Status: status, Limit: 1000})
	require.NoError(t, err)
	return out
}

// settled waits until the outbox holds n attempts of status (an attempt is
// settled just after its receiver has answered).
func settled(t *testing.T, env *emutest.Env, status string, n int) []webhook.Delivery {
	t.Helper()
	emutest.Eventually(t, func() bool { return len(deliveries(t, env, status)) == n },
		"%d attempts %s, not %d", len(deliveries(t, env, status)), status, n)
	return deliveries(t, env, status)
}

// listOn is list on env.
func listOn(t *testing.T, env *emutest.Env, path string, query url.Values, headers ...string) page {
	t.Helper()
	res := env.Do(t, "GET", base+path+"?"+query.Encode(), "", headers...)
	require.Equal(t, http.StatusOK, res.Status, res.Body)
	var p page
	require.NoError(t, json.Unmarshal([]byte(res.Body), &p))
	return p
}

type signedUp struct {
	Client struct {
		ID string `json:"id"`
	} `json:"client"`
	Channel struct {
		ID          string `json:"id"`
		WabaAccount struct {
			ID string `json:"id"`
		} `json:"waba_account"`
	} `json:"channel"`
}

func signUp(t *testing.T, env *emutest.Env, partnerID, name, phone string) signedUp {
	t.Helper()
	res := env.Do(t, "POST", ctl+"/partners/"+partnerID+"/clients", fmt.Sprintf(`{"name": %q, "phone_number": %q}`, name, phone))
	require.Equal(t, http.StatusCreated, res.Status, res.Body)
	var s signedUp
	require.NoError(t, json.Unmarshal([]byte(res.Body), &s))
	return s
}

// channelObject is a signed-up channel as the list shows it.
func channelObject(s signedUp, status, modified string) string {
	return fmt.Sprintf(`{"id": %q, "client_id": %q, "partner_id": "examplePA", "status": %q, "account_mode": "live",
		"setup_info": {"phone_number": "+4915112345678", "phone_name": "Zeta Zoo"},
		"waba_account": {"id": %q, "name": "Zeta Zoo"}, "created_at": "2026-01-15T12:00:00Z", "modified_at": %q}`,
		s.Channel.ID, s.Client.ID, status, s.Channel.WabaAccount.ID, modified)
}

func eventJSON(id, event, data string) string {
	return fmt.Sprintf(`{"id": %q, "event": %q, "data": %s}`, id, event, data)
}

func eventID(t *testing.T, c emutest.Call) string {
	t.Helper()
	var b struct{ ID string }
	require.NoError(t, json.Unmarshal([]byte(c.Body), &b))
	return b.ID
}

// channelInList is the partner's list's page of the one channel.
func channelInList(t *testing.T, env *emutest.Env, id string) string {
	t.Helper()
	res := env.Do(t, "GET", base+"/partners/examplePA/channels?filters="+url.QueryEscape(`{"id":"`+id+`"}`), "", exampleK)
	require.Equal(t, http.StatusOK, res.Status, res.Body)
	var p struct {
		Channels []json.RawMessage `json:"partner_channels"`
	}
	require.NoError(t, json.Unmarshal([]byte(res.Body), &p))
	require.Len(t, p.Channels, 1)
	return string(p.Channels[0])
}

// TestSignUpSendsEveryEventOnTheClock: a sign-up answers the new client and
// channel, shows both in the lists at once, and sends client_created and
// channel_created at once; channel_submitted, channel_ready and
// channel_running are due at +1, +5 and +10 minutes and sent when the clock
// reaches them, as the channel's status in the list moves with it. Each body
// is {"id","event","data"} with the list's object, signed with the partner's
// secret.
func TestSignUpSendsEveryEventOnTheClock(t *testing.T) {
	t.Parallel()
	rc := emutest.NewReceiver(t, emutest.Answering(http.StatusOK))
	env := hookEnv(t, rc, nil)
	res := env.Do(t, "POST", ctl+"/partners/examplePA/clients", `{"name": "Zeta Zoo", "phone_number": "+4915112345678"}`)
	require.Equal(t, http.StatusCreated, res.Status, res.Body)
	var s signedUp
	require.NoError(t, json.Unmarshal([]byte(res.Body), &s))
	assert.Regexp(t, `^[0-9a-f]{12}CL$`, s.Client.ID)
	assert.Regexp(t, `^[0-9a-f]{12}CH$`, s.Channel.ID)
	client := fmt.Sprintf(`{"id": %q, "name": "Zeta Zoo", "status": "active", "partner_id": "examplePA",
		"created_at": "2026-01-15T12:00:00Z", "modified_at": "2026-01-15T12:00:00Z",
		"contact_info": {"email": "", "full_name": ""}, "max_channels": 1, "partner_payload": null}`, s.Client.ID)
	created := channelObject(s, "created", "2026-01-15T12:00:00Z")
	assert.JSONEq(t, `{"client": `+client+`, "channel": `+created+`}`, res.Body)

	// Both in the lists at once, as answered.
	cl := env.Do(t, "GET", base+"/partners/examplePA/clients?filters="+url.QueryEscape(`{"id":"`+s.Client.ID+`"}`), "", exampleK)
	assert.JSONEq(t, `{"count": 1, "filters": {"id": "`+s.Client.ID+`"}, "sort": ["id"], "limit": 20, "offset": 0, "total": 1,
		"clients": [`+client+`]}`, cl.Body)
	assert.JSONEq(t, created, channelInList(t, env, s.Channel.ID))

	calls := wait(t, rc, 2)
	for _, want := range []struct{ event, data string }{{"client_created", client}, {"channel_created", created}} {
		c := byEvent(t, calls, want.event)
		assert.JSONEq(t, eventJSON(eventID(t, c), want.event, want.data), c.Body)
		checkSigned(t, c, exampleHMAC)
		assert.Regexp(t, regexp.MustCompile(`^\{"id":"[0-9a-f-]{36}","event":"`+want.event+`","data":\{"id":"`), c.Body, "key order")
		assert.Equal(t, "/hook", c.Path, "sent to the webhook_url")
	}
	assert.NotEqual(t, eventID(t, calls[0]), eventID(t, calls[1]))

	// The three later events wait for their instant on the emulated clock.
	due := map[string]time.Time{}
	for _, d := range settled(t, env, "pending", 3) {
		assert.Nil(t, d.SentAt, d.Event)
		due[d.Event] = d.ScheduledAt
	}
	assert.Equal(t, map[string]time.Time{
		"channel_submitted": emutest.Start.Add(time.Minute),
		"channel_ready":     emutest.Start.Add(5 * time.Minute),
		"channel_running":   emutest.Start.Add(10 * time.Minute),
	}, due)

	steps := []struct {
		advance       time.Duration
		status, event string // event: "" when none is due
		modified      string
		calls         int
		// The partner's channels by status, through the list's filter (the
		// fixtures have two ready and one pending).
		statusTotals map[string]int
	}{
		{59 * time.Second, "created", "", "2026-01-15T12:00:00Z", 2, map[string]int{"created": 1, "submitted": 0}},
		{time.Second, "submitted", "channel_submitted", "2026-01-15T12:01:00Z", 3, map[string]int{"created": 0, "submitted": 1, "ready": 2}},
		{4 * time.Minute, "ready", "channel_ready", "2026-01-15T12:05:00Z", 4, map[string]int{"submitted": 0, "ready": 3, "running": 0}},
		{5*time.Minute - time.Second, "ready", "", "2026-01-15T12:05:00Z", 4, map[string]int{"ready": 3, "running": 0}},
		{time.Second, "running", "channel_running", "2026-01-15T12:10:00Z", 5, map[string]int{"ready": 2, "running": 1}},
	}
	for _, st := range steps {
		env.Deps.Clock.Advance(st.advance)
		now := env.Deps.Clock.Now().Format(time.RFC3339)
		shown := channelObject(s, st.status, st.modified)
		assert.JSONEq(t, shown, channelInList(t, env, s.Channel.ID), now)
		for status, n := range st.statusTotals {
			p := listOn(t, env, "/partners/examplePA/channels", url.Values{"filters": {`{"status":"` + status + `"}`}}, exampleK)
			assert.Equal(t, n, p.Total, "%s: status %s", now, status)
		}
		if st.event == "" {
			continue
		}
		calls := wait(t, rc, st.calls)
		c := byEvent(t, calls, st.event)
		assert.JSONEq(t, eventJSON(eventID(t, c), st.event, shown), c.Body, "%s: the channel as the list shows it", now)
		checkSigned(t, c, exampleHMAC)
	}
	// Sorted by status, the computed one: created < ready < running.
	p := listOn(t, env, "/partners/examplePA/channels", url.Values{"sort": {"-status"}, "limit": {"1"}}, exampleK)
	require.Len(t, p.Channels, 1)
	assert.Equal(t, s.Channel.ID, p.Channels[0].ID)
	settled(t, env, "delivered", 5)
	assert.Empty(t, deliveries(t, env, "pending"))
}

// TestAny2xxIsDelivered: a 204 (or any 2xx) ends the event at its first
// attempt; a 3xx is no 2xx and is retried.
func TestAny2xxIsDelivered(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status    int
		delivered bool
	}{{200, true}, {201, true}, {202, true}, {204, true}, {299, true}, {301, false}, {400, false}, {500, false}} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			t.Parallel()
			rc := emutest.NewReceiver(t, emutest.Answering(tc.status))
			env := hookEnv(t, rc, nil)
			res := env.Do(t, "POST", ctl+"/channels/ch00000001/violation", `{"violation_type": "SCAM"}`)
			require.Equal(t, http.StatusOK, res.Status, res.Body)
			wait(t, rc, 1)
			if tc.delivered {
				settled(t, env, "delivered", 1)
				all := deliveries(t, env, "")
				require.Len(t, all, 1, "no retry")
				assert.Equal(t, tc.status, *all[0].ResponseStatus)
				return
			}
			failed := settled(t, env, "failed", 1)
			assert.Equal(t, tc.status, *failed[0].ResponseStatus)
			pending := deliveries(t, env, "pending")
			require.Len(t, pending, 1, "a retry is queued")
			assert.Equal(t, emutest.Start.Add(30*time.Second), pending[0].ScheduledAt)
		})
	}
}

// TestFailingReceiverWalksTheRetrySchedule: a receiver that answers 500 gets
// the same event (same id, same body, same signature) at 30 s, 5 min, 30 min,
// 2 h and 6 h of emulated time after each failure, then the event is failed.
func TestFailingReceiverWalksTheRetrySchedule(t *testing.T) {
	t.Parallel()
	rc := emutest.NewReceiver(t, emutest.Answering(http.StatusInternalServerError))
	env := hookEnv(t, rc, nil)
	res := env.Do(t, "POST", ctl+"/channels/ch00000001/violation", `{"violation_type": "SCAM"}`)
	require.Equal(t, http.StatusOK, res.Status, res.Body)
	first := wait(t, rc, 1)[0]
	at := emutest.Start
	for i, delay := range []time.Duration{30 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour} {
		// The retry is queued once the failed attempt is settled.
		settled(t, env, "failed", i+1)
		pending := deliveries(t, env, "pending")
		require.Len(t, pending, 1, "retry %d queued", i+1)
		next := pending[0]
		at = at.Add(delay)
		assert.Equal(t, at, next.ScheduledAt, "retry %d", i+1)
		assert.Equal(t, i+2, next.Attempt)
		env.Deps.Clock.Advance(delay - time.Second)
		assert.Len(t, rc.Calls(), i+1, "retry %d is not due yet", i+1) // nothing due: no call can be under way
		env.Deps.Clock.Advance(time.Second)
		c := wait(t, rc, i+2)[i+1]
		assert.Equal(t, first.Body, c.Body, "the same event")
		assert.Equal(t, first.Header.Get(signatureKey), c.Header.Get(signatureKey))
	}
	settled(t, env, "failed", 6)
	assert.Empty(t, deliveries(t, env, "pending"), "no seventh attempt")
	env.Deps.Clock.Advance(24 * time.Hour)
	assert.Len(t, rc.Calls(), 6)
	ids := map[string]bool{}
	for _, d := range deliveries(t, env, "") {
		ids[d.EventID] = true
		assert.Equal(t, "account_violation", d.Event)
	}
	assert.Equal(t, map[string]bool{eventID(t, first): true}, ids)
}

// TestViolationEvent: account_violation carries the channel as the list
// shows it and Meta's violation_info; it goes to the channel's partner,
// signed with that partner's secret, and the answer is the event as sent.
func TestViolationEvent(t *testing.T) {
	t.Parallel()
	example, other := emutest.NewReceiver(t, emutest.Answering(http.StatusOK)), emutest.NewReceiver(t, emutest.Answering(http.StatusOK))
	env := hookEnv(t, example, other)
	tests := []struct {
		channel, violation, data, secret string
		rc                               *emutest.Receiver
	}{
		{"ch00000001", "SCAM", `{"id": "ch00000001", "client_id": "cl00000001", "partner_id": "examplePA", "status": "ready",
			"account_mode": "live", "setup_info": {"phone_number": "+14155550101", "phone_name": "Acme Retail"},
			"waba_account": {"id": "waba0001", "name": "Acme Retail WABA"}, "created_at": "2025-03-01T09:30:00Z",
			"modified_at": "2025-03-03T09:00:00Z", "violation_info": {"violation_type": "SCAM"}}`, exampleHMAC, example},
		{"ch00000004", "ADULT & <tobacco>", `{"id": "ch00000004", "client_id": "cl00000004", "partner_id": "otherPA", "status": "ready",
			"account_mode": "live", "setup_info": {"phone_number": "+4930901820", "phone_name": "Delta Deli"},
			"waba_account": {"id": "waba0004", "name": "Delta Deli"}, "created_at": "2025-02-02T12:30:00Z",
			"modified_at": "2025-02-02T12:30:00Z", "violation_info": {"violation_type": "ADULT & <tobacco>"}}`, otherHMAC, other},
	}
	for _, tc := range tests {
		before := env.Tables(t, "dlg_")
		res := env.Do(t, "POST", ctl+"/channels/"+tc.channel+"/violation", fmt.Sprintf(`{"violation_type": %q}`, tc.violation))
		require.Equal(t, http.StatusOK, res.Status, res.Body)
		c := wait(t, tc.rc, 1)[0]
		assert.JSONEq(t, eventJSON(eventID(t, c), "account_violation", tc.data), c.Body)
		assert.Equal(t, res.Body, c.Body, "the answer is the event as sent")
		assert.NotContains(t, c.Body, `\u0026`, "not HTML-escaped")
		checkSigned(t, c, tc.secret)
		assert.Equal(t, "/hook", c.Path, "sent to the webhook_url")
		emutest.SameState(t, before, env.Tables(t, "dlg_"), "a violation changes no channel")
	}
}

// TestRefusedControlCallsEmitNothing: every refused sign-up or violation is
// its status in the control plane's {"error"} envelope and changes nothing,
// the outbox included.
func TestRefusedControlCallsEmitNothing(t *testing.T) {
	t.Parallel()
	rc := emutest.NewReceiver(t, emutest.Answering(http.StatusOK))
	env := hookEnv(t, rc, rc)
	long := strings.Repeat("é", 256)
	tests := []struct {
		name, path, body string
		status           int
		msg              string
	}{
		{"unknown partner", "/partners/nopePA/clients", `{"name": "Z", "phone_number": "+4915112345678"}`, 404, `no 360dialog partner with id "nopePA"`},
		{"partner id differs in case", "/partners/EXAMPLEPA/clients", `{"name": "Z", "phone_number": "+4915112345678"}`, 404, `no 360dialog partner with id "EXAMPLEPA"`},
		{"no body", "/partners/examplePA/clients", ``, 400, "request body is empty"},
		{"name missing", "/partners/examplePA/clients", `{"phone_number": "+4915112345678"}`, 400, "name is required: a non-empty string"},
		{"name blank", "/partners/examplePA/clients", `{"name": " \t", "phone_number": "+4915112345678"}`, 400, "name is required: a non-empty string"},
		{"name too long", "/partners/examplePA/clients", `{"name": "` + long + `", "phone_number": "+4915112345678"}`, 400, "name must be at most 255 characters"},
		{"name not a string", "/partners/examplePA/clients", `{"name": 5, "phone_number": "+4915112345678"}`, 400, ""},
		{"name null", "/partners/examplePA/clients", `{"name": null, "phone_number": "+4915112345678"}`, 400, "name is required: a non-empty string"},
		{"unknown member", "/partners/examplePA/clients", `{"name": "Z", "phone_number": "+4915112345678", "email": "a@b.c"}`, 400, ""},
		{"phone missing", "/partners/examplePA/clients", `{"name": "Z"}`, 400, "phone_number must be a phone number in E.164 format, like +15551234567"},
		{"phone without +", "/partners/examplePA/clients", `{"name": "Z", "phone_number": "4915112345678"}`, 400, "phone_number must be a phone number in E.164 format, like +15551234567"},
		{"phone too short", "/partners/examplePA/clients", `{"name": "Z", "phone_number": "+1234567"}`, 400, "phone_number must be a phone number in E.164 format, like +15551234567"},
		{"phone with spaces", "/partners/examplePA/clients", `{"name": "Z", "phone_number": "+49 151 12345678"}`, 400, "phone_number must be a phone number in E.164 format, like +15551234567"},
		{"phone a number", "/partners/examplePA/clients", `{"name": "Z", "phone_number": 4915112345678}`, 400, ""},
		{"phone already a channel's", "/partners/examplePA/clients", `{"name": "Z", "phone_number": "+4930901820"}`, 409, "phone_number +4930901820 is already the number of channel ch00000004"},
		{"unknown channel", "/channels/nopeCH/violation", `{"violation_type": "SCAM"}`, 404, `no 360dialog channel with id "nopeCH"`},
		{"violation_type missing", "/channels/ch00000001/violation", `{}`, 400, "violation_type is required: a non-empty string"},
		{"violation_type blank", "/channels/ch00000001/violation", `{"violation_type": ""}`, 400, "violation_type is required: a non-empty string"},
		{"violation_type too long", "/channels/ch00000001/violation", `{"violation_type": "` + long + `"}`, 400, "violation_type must be at most 255 characters"},
		{"violation_type not a string", "/channels/ch00000001/violation", `{"violation_type": ["SCAM"]}`, 400, ""},
		{"violation unknown member", "/channels/ch00000001/violation", `{"violation_type": "SCAM", "channel": "x"}`, 400, ""},
		{"unknown control path", "/channels/ch00000001/restriction", `{}`, 404, ""},
	}
	before := env.Tables(t, "dlg_") + env.Tables(t, "wh_")
	for _, tc := range tests {
		res := env.Do(t, "POST", ctl+tc.path, tc.body)
		assert.Equal(t, tc.status, res.Status, "%s: %s", tc.name, res.Body)
		var e struct {
			Error *string `json:"error"`
		}
		if assert.NoError(t, json.Unmarshal([]byte(res.Body), &e), tc.name) && assert.NotNil(t, e.Error, "%s: %s", tc.name, res.Body) {
			if tc.msg != "" {
				assert.Equal(t, tc.msg, *e.Error, tc.name)
			} else {
				assert.NotEmpty(t, *e.Error, tc.name)
			}
		}
	}
	emutest.SameState(t, before, env.Tables(t, "dlg_")+env.Tables(t, "wh_"), "a refused call changed the state")
	assert.Empty(t, rc.Calls())
}

// TestNoWebhookURLNoEvent: a partner without a webhook_url still signs
// clients up, and nothing is recorded to send.
func TestNoWebhookURLNoEvent(t *testing.T) {
	t.Parallel()
	env, _ := seededCopy(t, newEnv(t), []byte(`{"partners": [{"id": "quietPA", "api_key": "quiet-key"}]}`))
	res := env.Do(t, "POST", ctl+"/partners/quietPA/clients", `{"name": "Q", "phone_number": "+4915112345678"}`)
	require.Equal(t, http.StatusCreated, res.Status, res.Body)
	var s signedUp
	require.NoError(t, json.Unmarshal([]byte(res.Body), &s))
	res = env.Do(t, "POST", ctl+"/channels/"+s.Channel.ID+"/violation", `{"violation_type": "SCAM"}`)
	require.Equal(t, http.StatusOK, res.Status, res.Body)
	env.Deps.Clock.Advance(time.Hour)
	assert.Empty(t, deliveries(t, env, ""))
	p := listOn(t, env, "/partners/quietPA/channels", nil, "X-API-Key: quiet-key")
	require.Len(t, p.Channels, 1)
}

// TestWebhookSecretNeverInThePartnerAPI: no answer of the Partner API, of
// any route, success or error, shows a partner's webhook secret.
func TestWebhookSecretNeverInThePartnerAPI(t *testing.T) {
	t.Parallel()
	env := hookEnv(t, emutest.NewReceiver(t, emutest.Answering(http.StatusOK)), nil)
	tok := token(t, env, "partner@example.com", "partner-password")
	signUp(t, env, "examplePA", "Zeta Zoo", "+4915112345678")
	calls := []struct{ method, path, body, auth string }{
		{"GET", "/partners/examplePA", "", exampleK},
		{"GET", "/partners/otherPA", "", otherK},
		{"GET", "/partners/examplePA", "", "Authorization: Bearer " + tok},
		{"PATCH", "/partners/examplePA", `{"allow_client_to_add_phone_no": false}`, exampleK},
		{"PATCH", "/partners/examplePA", `{"webhook_secret": "mine"}`, exampleK}, // ignored as any unknown field
		{"PATCH", "/partners/examplePA", `{"webhook_url": "nope"}`, exampleK},
		{"GET", "/partners/examplePA/webhook_url", "", exampleK},
		{"POST", "/partners/examplePA/webhook_url", `{"webhook_url": "https://company.com/hook"}`, exampleK},
		{"GET", "/partners/examplePA/clients?limit=1000", "", exampleK},
		{"GET", "/partners/examplePA/channels?limit=1000", "", exampleK},
		{"GET", "/partners/otherPA/clients", "", otherK},
		{"GET", "/partners/otherPA/channels", "", otherK},
		{"GET", "/partners/otherPA", "", exampleK},
		{"DELETE", "/partners/examplePA", "", exampleK},
		{"GET", "/nope", "", exampleK},
	}
	for _, c := range calls {
		res := env.Do(t, c.method, base+c.path, c.body, c.auth)
		assert.NotContains(t, res.Body, "webhook-secret", "%s %s", c.method, c.path)
		assert.NotContains(t, res.Body, "webhook_secret", "%s %s", c.method, c.path)
		assert.NotContains(t, res.Body, "mine", "%s %s", c.method, c.path)
	}
	res := env.Do(t, "GET", "/_emulator/state?vendor=360dialog", "")
	assert.Contains(t, res.Body, exampleHMAC, "the control plane's state export has it")
}

// TestStateRoundTripWithWebhooks: the export holds the partners' secrets and
// a signed-up channel's steps; a world seeded from it signs its events with
// the same secrets and moves the channel on at the same instants.
func TestStateRoundTripWithWebhooks(t *testing.T) {
	t.Parallel()
	env, api := newEnvAPI(t)
	rc := emutest.NewReceiver(t, emutest.Answering(http.StatusOK))
	res := env.Do(t, "POST", base+"/partners/examplePA/webhook_url", `{"webhook_url": "`+rc.URL+`"}`, exampleK)
	require.Equal(t, http.StatusOK, res.Status, res.Body)
	s := signUp(t, env, "examplePA", "Zeta Zoo", "+4915112345678")
	env.Deps.Clock.Advance(2 * time.Minute) // submitted; ready and running ahead

	doc := emutest.State(t, api)
	var exported struct {
		Partners []struct {
			ID            string `json:"id"`
			WebhookSecret string `json:"webhook_secret"`
		} `json:"partners"`
		Channels []json.RawMessage `json:"channels"`
	}
	require.NoError(t, json.Unmarshal(doc, &exported))
	require.Len(t, exported.Partners, 2)
	assert.Equal(t, exampleHMAC, exported.Partners[0].WebhookSecret)
	assert.Equal(t, otherHMAC, exported.Partners[1].WebhookSecret)
	require.Len(t, exported.Channels, 5)
	assert.JSONEq(t, fmt.Sprintf(`{"id": %q, "partner_id": "examplePA", "client_id": %q, "status": "submitted",
		"account_mode": "live", "phone_number": "+4915112345678", "phone_name": "Zeta Zoo", "waba_id": %q,
		"waba_name": "Zeta Zoo", "created_at": "2026-01-15T12:00:00Z", "modified_at": "2026-01-15T12:01:00Z",
		"submitted_at": "2026-01-15T12:01:00Z", "ready_at": "2026-01-15T12:05:00Z", "running_at": "2026-01-15T12:10:00Z"}`,
		s.Channel.ID, s.Client.ID, s.Channel.WabaAccount.ID), string(exported.Channels[4]))

	copyEnv, copyAPI := seededCopy(t, env, doc)
	assert.Equal(t, string(doc), string(emutest.State(t, copyAPI)), "export, seed, export: the same bytes")
	for _, advance := range []time.Duration{0, 3 * time.Minute, 5 * time.Minute} {
		env.Deps.Clock.Advance(advance) // the clock both share
		for _, path := range []string{"/partners/examplePA/channels?sort=-modified_at", "/partners/examplePA/clients",
			"/partners/examplePA/channels?filters=" + url.QueryEscape(`{"status":"ready"}`)} {
			want := env.Do(t, "GET", base+path, "", exampleK)
			got := copyEnv.Do(t, "GET", base+path, "", exampleK)
			assert.Equal(t, want.Body, got.Body, "%s at +%s", path, advance)
		}
	}
	assert.Contains(t, channelInList(t, copyEnv, s.Channel.ID), `"status":"running"`)

	// The copy signs with the exported secret.
	copyRC := emutest.NewReceiver(t, emutest.Answering(http.StatusOK))
	res = copyEnv.Do(t, "POST", base+"/partners/examplePA/webhook_url", `{"webhook_url": "`+copyRC.URL+`"}`, exampleK)
	require.Equal(t, http.StatusOK, res.Status, res.Body)
	res = copyEnv.Do(t, "POST", ctl+"/channels/"+s.Channel.ID+"/violation", `{"violation_type": "SCAM"}`)
	require.Equal(t, http.StatusOK, res.Status, res.Body)
	checkSigned(t, wait(t, copyRC, 1)[0], exampleHMAC)
}

// TestFixtureWebhookFields: a partner's webhook_secret is a string; a
// channel's steps are times in the one layout, in their order.
func TestFixtureWebhookFields(t *testing.T) {
	t.Parallel()
	const head = `{"partners": [{"id": "p1", "api_key": "k1", "webhook_secret": "s1"}],
		"clients": [{"id": "c1", "partner_id": "p1", "name": "C", "status": "active", "created_at": "2025-01-02T03:04:05Z"}],
		"channels": [{"id": "h1", "partner_id": "p1", "client_id": "c1", "status": "created", "account_mode": "live",
		"phone_number": "+14155550199", "created_at": "2025-01-02T03:04:05Z"`
	tests := []struct{ name, doc, want string }{
		{"all steps", head + `, "submitted_at": "2025-01-02T03:05:05Z", "ready_at": "2025-01-02T03:09:05Z", "running_at": "2025-01-02T03:14:05Z"}]}`, ""},
		{"some steps", head + `, "running_at": "2025-01-02T03:14:05Z"}]}`, ""},
		{"a step at the sign-up", head + `, "submitted_at": "2025-01-02T03:04:05Z"}]}`, ""},
		{"a step before the sign-up", head + `, "submitted_at": "2025-01-02T03:04:04Z"}]}`,
			`fixtures: 360dialog.json: channels[0] (id h1): field "submitted_at": 2025-01-02T03:04:04Z is before created_at 2025-01-02T03:04:05Z`},
		{"steps out of order", head + `, "submitted_at": "2025-01-02T03:09:05Z", "ready_at": "2025-01-02T03:05:05Z"}]}`,
			`fixtures: 360dialog.json: channels[0] (id h1): field "ready_at": 2025-01-02T03:05:05Z is before submitted_at 2025-01-02T03:09:05Z`},
		{"a step's layout", head + `, "ready_at": "2025-01-02 03:05:05"}]}`,
			`fixtures: 360dialog.json: channels[0] (id h1): field "ready_at": must be a time like "2025-01-06T09:00:00Z", not "2025-01-02 03:05:05"`},
		{"secret not a string", `{"partners": [{"id": "p1", "api_key": "k1", "webhook_secret": 1}]}`,
			`fixtures: 360dialog.json: partners[0] (id p1): field "webhook_secret": must be a string, not number`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := openFixture(t, tc.doc)
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

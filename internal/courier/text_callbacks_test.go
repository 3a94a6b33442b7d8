package courier_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/webhook"
)

// deliveries is courier's outbox log, newest first.
func deliveries(t *testing.T, env *emutest.Env, status string) []webhook.Delivery {
	t.Helper()
	out, err := env.Deps.Webhooks.Deliveries(context.Background(), webhook.Filter{Vendor: "courier", Status: status, Limit: 1000})
	require.NoError(t, err)
	return out
}

// settled waits (in real time, within the worker's promise) until no
// courier attempt is pending and the receiver has seen n calls.
func settled(t *testing.T, env *emutest.Env, rc *emutest.Receiver, n int) {
	t.Helper()
	emutest.Eventually(t, func() bool {
		return len(deliveries(t, env, "pending")) == 0 && rc.Count() == n
	}, "%d callbacks sent", n)
}

// sendText creates a text to +14155550177 from number 1 with extra attributes.
func sendText(t *testing.T, env *emutest.Env, extra string) string {
	t.Helper()
	attrs := `{"account-id": "` + account1 + `", "message": "Reply YES to confirm.", "target": "+14155550177"` + extra + `}`
	return mustOne(t, env, adminToken, "POST", "/v1/texts/", resourceDoc("texts", "", attrs), 201).ID
}

// TestTextStatusCallbacks: every move of a text's status, and only a move,
// posts the status payload to its callback-status-url; the creation does not.
func TestTextStatusCallbacks(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	rc := emutest.NewReceiver(t, emutest.Answering(http.StatusNoContent))
	id := sendText(t, env, `, "callback-status-url": "`+rc.URL+`/status?k=1", "callback-json": {"ride": 7, "tags": ["a"]}`)
	assert.Empty(t, deliveries(t, env, ""), "no callback for the initial status")
	sid := get(t, env, adminToken, "/v1/texts/"+id+"/").Attributes["twilio-sid"].(string)

	for i, tc := range []struct {
		name, body string
		want       string // the payload posted; "" for none
	}{
		{"a move", `{"MessageStatus": "sent"}`,
			`{"text-id": "` + id + `", "status": "sent", "twilio-sid": "` + sid + `", "error": null, "callback-json": {"ride": 7, "tags": ["a"]}}`},
		{"the same status again", `{"MessageStatus": "sent"}`, ""},
		{"a reply without a status", `{"Body": "hello", "From": "+14155550177", "MessageSid": "SMs1"}`, ""},
		{"SmsStatus", `{"SmsStatus": "delivered"}`,
			`{"text-id": "` + id + `", "status": "delivered", "twilio-sid": "` + sid + `", "error": null, "callback-json": {"ride": 7, "tags": ["a"]}}`},
		{"a failure with its error", `{"MessageStatus": "undelivered", "ErrorCode": 30003}`,
			`{"text-id": "` + id + `", "status": "undelivered", "twilio-sid": "` + sid + `", "error": "Twilio error 30003", "callback-json": {"ride": 7, "tags": ["a"]}}`},
	} {
		before, n := len(deliveries(t, env, "")), rc.Count()
		mustOne(t, env, adminToken, "POST", "/v1/texts/"+id+"/callback/", tc.body, 201)
		got := deliveries(t, env, "")
		if tc.want == "" {
			assert.Len(t, got, before, tc.name)
			continue
		}
		require.Len(t, got, before+1, tc.name)
		d := got[0]
		assert.Equal(t, "courier", d.Vendor, tc.name)
		assert.Equal(t, "text_status", d.Event, tc.name)
		assert.Equal(t, rc.URL+"/status?k=1", d.URL, tc.name)
		assert.JSONEq(t, tc.want, string(d.RequestBody), tc.name)
		settled(t, env, rc, n+1)
		call := rc.Call(n)
		assert.JSONEq(t, tc.want, call.Body, tc.name)
		assert.True(t, strings.HasPrefix(call.Body, `{"text-id":`), "the documented order: %s", call.Body)
		assert.Equal(t, "application/json", call.Header.Get("Content-Type"), tc.name)
		assert.Equal(t, "delivered", deliveries(t, env, "")[0].Status, "%s (step %d): any 2xx is delivered", tc.name, i)
	}
	assert.Len(t, rc.Calls(), 3)

	// A text without a callback-status-url (the fixture's) moves silently.
	mustOne(t, env, adminToken, "POST", "/v1/texts/"+text1+"/callback/", `{"MessageStatus": "read"}`, 201)
	noURL := sendText(t, env, `, "callback-url": "`+rc.URL+`/reply"`)
	mustOne(t, env, adminToken, "POST", "/v1/texts/"+noURL+"/callback/", `{"MessageStatus": "failed"}`, 201)
	assert.Len(t, deliveries(t, env, ""), 3)
}

// TestTextStatusCallbackNullJSON: a text without callback-json posts null.
func TestTextStatusCallbackNullJSON(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	rc := emutest.NewReceiver(t, emutest.Answering(http.StatusOK))
	for _, extra := range []string{``, `, "callback-json": null`} {
		id := sendText(t, env, `, "callback-status-url": "`+rc.URL+`"`+extra)
		n := rc.Count() // every earlier callback has settled
		mustOne(t, env, adminToken, "POST", "/v1/texts/"+id+"/callback/", `{"MessageStatus": "failed", "ErrorMessage": "Carrier rejected."}`, 201)
		settled(t, env, rc, n+1)
		sid := get(t, env, adminToken, "/v1/texts/"+id+"/").Attributes["twilio-sid"].(string)
		assert.JSONEq(t, `{"text-id": "`+id+`", "status": "failed", "twilio-sid": "`+sid+`", "error": "Carrier rejected.", "callback-json": null}`,
			rc.Call(n).Body, extra)
	}
}

// TestTextResponseCallbacks: a reply from the text's target matching one of
// its expected-responses posts the response payload to its callback-url.
func TestTextResponseCallbacks(t *testing.T) {
	t.Parallel()
	const target = "+14155550177"
	type reply struct{ body, from string }
	for _, tc := range []struct {
		name    string
		extra   string // attributes of the text besides its callback-url (none when noURL)
		noURL   bool
		replies []reply
		want    []string // the payloads posted, in order ({{id}}: the text's id)
	}{
		{name: "trimmed and case-insensitive, answered as written", extra: `, "expected-responses": ["YES", " No "]`,
			replies: []reply{{"  yes ", target}},
			want:    []string{`{"text-id": "{{id}}", "response": "YES", "message": "  yes ", "from": "` + target + `", "callback-json": null}`}},
		{name: "the second expected response", extra: `, "expected-responses": ["YES", " No "], "callback-json": {"appointment": "a1"}`,
			replies: []reply{{"NO", target}},
			want:    []string{`{"text-id": "{{id}}", "response": " No ", "message": "NO", "from": "` + target + `", "callback-json": {"appointment": "a1"}}`}},
		{name: "a reply without From is the target's", extra: `, "expected-responses": ["Y"]`,
			replies: []reply{{"y", ""}},
			want:    []string{`{"text-id": "{{id}}", "response": "Y", "message": "y", "from": "` + target + `", "callback-json": null}`}},
		{name: "sent as received, unescaped", extra: `, "expected-responses": ["<3 & more"]`,
			replies: []reply{{"<3 & MORE ", target}},
			want:    []string{`{"text-id": "{{id}}", "response": "<3 & more", "message": "<3 & MORE ", "from": "` + target + `", "callback-json": null}`}},
		{name: "a reply that matches nothing", extra: `, "expected-responses": ["YES"]`,
			replies: []reply{{"yes please", target}, {"YE", target}, {"", target}}},
		{name: "a reply from another number", extra: `, "expected-responses": ["YES"]`,
			replies: []reply{{"YES", "+14155550178"}}},
		{name: "no expected responses", replies: []reply{{"YES", target}}},
		{name: "a blank expected response matches no blank reply", extra: `, "expected-responses": ["  "]`,
			replies: []reply{{" ", target}}},
		{name: "no callback-url", noURL: true, extra: `, "expected-responses": ["YES"], "callback-status-url": "https://example.invalid/s"`,
			replies: []reply{{"YES", target}}},
		{name: "callback-one-off: only the first match", extra: `, "expected-responses": ["YES", "NO"], "callback-one-off": true`,
			replies: []reply{{"maybe", target}, {"no", target}, {"yes", target}, {"NO", target}},
			want:    []string{`{"text-id": "{{id}}", "response": "NO", "message": "no", "from": "` + target + `", "callback-json": null}`}},
		{name: "not one-off: every match", extra: `, "expected-responses": ["YES", "NO"], "callback-one-off": false`,
			replies: []reply{{"no", target}, {"maybe", target}, {"yes", target}, {"NO", target}},
			want: []string{
				`{"text-id": "{{id}}", "response": "NO", "message": "no", "from": "` + target + `", "callback-json": null}`,
				`{"text-id": "{{id}}", "response": "YES", "message": "yes", "from": "` + target + `", "callback-json": null}`,
				`{"text-id": "{{id}}", "response": "NO", "message": "NO", "from": "` + target + `", "callback-json": null}`,
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newEnv(t)
			rc := emutest.NewReceiver(t, emutest.Answering(http.StatusOK))
			extra := tc.extra
			if !tc.noURL {
				extra = `, "callback-url": "` + rc.URL + `/reply"` + extra
			}
			id := sendText(t, env, extra)
			for i, r := range tc.replies {
				body := `{"Body": "` + r.body + `", "MessageSid": "SMr` + strconv.Itoa(i) + `"`
				if r.from != "" {
					body += `, "From": "` + r.from + `"`
				}
				mustOne(t, env, adminToken, "POST", "/v1/texts/"+id+"/callback/", body+"}", 201)
			}
			got := deliveries(t, env, "")
			require.Len(t, got, len(tc.want), "events recorded")
			if len(tc.want) == 0 {
				return
			}
			settled(t, env, rc, len(tc.want))
			// The outbox sends what is due at once side by side: the
			// callbacks may arrive in any order (the log keeps the replies').
			var bodies []any
			for _, c := range rc.Calls() {
				assert.True(t, strings.HasPrefix(c.Body, `{"text-id":`), "the documented order: %s", c.Body)
				assert.NotContains(t, c.Body, `\u00`, "nothing HTML-escaped")
				assert.False(t, strings.HasSuffix(c.Body, "\n"))
				assert.Equal(t, "application/json", c.Header.Get("Content-Type"))
				var b any
				require.NoError(t, json.Unmarshal([]byte(c.Body), &b))
				bodies = append(bodies, b)
			}
			var wants []any
			for i, want := range tc.want {
				var w any
				require.NoError(t, json.Unmarshal([]byte(strings.ReplaceAll(want, "{{id}}", id)), &w))
				wants = append(wants, w)
				d := got[len(got)-1-i] // the log is newest first
				assert.Equal(t, "text_response", d.Event)
				assert.Equal(t, rc.URL+"/reply", d.URL)
			}
			assert.ElementsMatch(t, wants, bodies)
			// The reply is still recorded as a receive log, and the answer
			// shows nothing of the hidden one-off mark.
			mustOne(t, env, adminToken, "GET", "/v1/text-receive-logs/SMr0/", "", 200)
			assert.NotContains(t, get(t, env, adminToken, "/v1/texts/"+id+"/").Attributes, "_callback-replied")
		})
	}
}

// TestTextCallbackFailureIsNotRetried: a receiver's 500 fails the one
// attempt, and no retry follows however far the clock moves.
func TestTextCallbackFailureIsNotRetried(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	rc := emutest.NewReceiver(t, emutest.Answering(http.StatusInternalServerError))
	id := sendText(t, env, `, "callback-status-url": "`+rc.URL+`", "callback-url": "`+rc.URL+`", "expected-responses": ["YES"]`)
	mustOne(t, env, adminToken, "POST", "/v1/texts/"+id+"/callback/", `{"MessageStatus": "delivered", "Body": "yes", "MessageSid": "SMf1"}`, 201)
	settled(t, env, rc, 2)
	for _, d := range deliveries(t, env, "") {
		assert.Equal(t, "failed", d.Status, d.Event)
		assert.Equal(t, 1, d.Attempt)
		require.NotNil(t, d.ResponseStatus)
		assert.Equal(t, http.StatusInternalServerError, *d.ResponseStatus)
	}
	for range 4 {
		env.Deps.Clock.Advance(6 * time.Hour)
	}
	// A retry is queued (pending) in the transaction that records the
	// failure: none is, so nothing more can be sent.
	assert.Empty(t, deliveries(t, env, "pending"))
	assert.Len(t, rc.Calls(), 2)
	assert.Len(t, deliveries(t, env, ""), 2)
	assert.Len(t, deliveries(t, env, "failed"), 2)
}

// TestTextCallbackRefusedEmitsNothing: a callback request the API refuses
// changes nothing and posts nothing, even when it would have moved the
// status or matched an expected response.
func TestTextCallbackRefusedEmitsNothing(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	rc := emutest.NewReceiver(t, emutest.Answering(http.StatusOK))
	id := sendText(t, env, `, "callback-status-url": "`+rc.URL+`", "callback-url": "`+rc.URL+`", "expected-responses": ["YES"], "callback-one-off": true`)
	mustOne(t, env, adminToken, "POST", "/v1/texts/"+id+"/callback/", `{"Body": "hi", "MessageSid": "SMdup"}`, 201)
	before := storeState(t, env)
	for _, tc := range []struct {
		body    string
		status  int
		pointer string
	}{
		{`{"MessageStatus": "exploded"}`, 400, "/MessageStatus"},
		{`{"MessageStatus": "exploded", "Body": "YES"}`, 400, "/MessageStatus"},
		{`{"MessageStatus": "sent", "Body": "YES", "From": "me"}`, 400, "/From"},
		{`{"MessageStatus": "sent", "ErrorCode": {"code": 1}}`, 400, "/ErrorCode"},
		{`{"MessageStatus": "sent", "Body": "YES", "MessageSid": "SMDUP"}`, 409, "/MessageSid"},
	} {
		_, ptr, _ := mustFail(t, env, adminToken, "POST", "/v1/texts/"+id+"/callback/", tc.body, tc.status)
		assert.Equal(t, tc.pointer, ptr, tc.body)
	}
	assert.Equal(t, before, storeState(t, env))
	assert.Empty(t, deliveries(t, env, ""))
	// The one-off text still answers its first match.
	mustOne(t, env, adminToken, "POST", "/v1/texts/"+id+"/callback/", `{"Body": "YES", "MessageSid": "SMok"}`, 201)
	settled(t, env, rc, 1)
}

// TestTextCallbackAttributes: the callback URLs must be absolute http(s)
// URLs, callback-json an object and callback-one-off a boolean; a refused
// text is not stored.
func TestTextCallbackAttributes(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	before := storeState(t, env)
	for _, tc := range []struct{ attrs, pointer string }{
		{`"callback-url": "example.com/cb"`, "/data/attributes/callback-url"},
		{`"callback-url": "/cb"`, "/data/attributes/callback-url"},
		{`"callback-url": ""`, "/data/attributes/callback-url"},
		{`"callback-url": "ftp://example.com/cb"`, "/data/attributes/callback-url"},
		{`"callback-url": "https://"`, "/data/attributes/callback-url"},
		{`"callback-url": "https:example.com"`, "/data/attributes/callback-url"},
		{`"callback-url": "http://exa mple.com/"`, "/data/attributes/callback-url"},
		{`"callback-url": 5`, "/data/attributes/callback-url"},
		{`"callback-status-url": "mailto:ops@example.com"`, "/data/attributes/callback-status-url"},
		{`"callback-status-url": "https://example.com:99999999/s"`, "/data/attributes/callback-status-url"},
		{`"callback-status-url": ["https://example.com"]`, "/data/attributes/callback-status-url"},
		{`"callback-json": []`, "/data/attributes/callback-json"},
		{`"callback-json": "{}"`, "/data/attributes/callback-json"},
		{`"callback-one-off": "yes"`, "/data/attributes/callback-one-off"},
		{`"callback-one-off": 1`, "/data/attributes/callback-one-off"},
	} {
		attrs := `{"account-id": "` + account1 + `", "message": "x", "target": "+14155550177", ` + tc.attrs + `}`
		_, ptr, _ := mustFail(t, env, adminToken, "POST", "/v1/texts/", resourceDoc("texts", "", attrs), 400)
		assert.Equal(t, tc.pointer, ptr, tc.attrs)
	}
	assert.Equal(t, before, storeState(t, env))
	for _, ok := range []string{
		`"callback-url": "HTTPS://Example.com:8443/cb?x=1#f", "callback-status-url": "http://127.0.0.1:9/s"`,
		`"callback-url": null, "callback-status-url": null, "callback-json": null, "callback-one-off": null`,
	} {
		attrs := `{"account-id": "` + account1 + `", "message": "x", "target": "+14155550177", ` + ok + `}`
		mustOne(t, env, adminToken, "POST", "/v1/texts/", resourceDoc("texts", "", attrs), 201)
	}
	assert.Empty(t, deliveries(t, env, ""))
}

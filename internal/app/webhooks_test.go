package app_test

// End-to-end tests of the webhook outbox and its control plane
// (/_emulator/webhooks): a real server, a real receiver, LoopMessage's
// sender_name_updated as the event (the vendors' own events are tested in
// their packages).

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/app"
	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/store"
)

const (
	acmeDefaultOrg = "0b7e3f52-6d1a-4c8e-9f20-3a5b7c9d1e01"
	acmeSender     = "5a0c1e2f-7b3d-4e5f-8a9b-0c1d2e3f4a01" // active, of Acme's Default organization
)

// hookTo points Acme's Default organization's webhook at url, in the world at base.
func (e *emu) hookTo(base, url string) {
	e.t.Helper()
	res := e.do(http.MethodPatch, base+"/loopmessage/api/v1/organizations/details/"+acmeDefaultOrg+"/",
		`{"webhook_url": "`+url+`"}`, loopKey)
	require.Equal(e.t, http.StatusOK, res.status, res.body)
}

// suspend changes the fixture sender's status through the control plane: a
// sender_name_updated event.
func (e *emu) suspend(base string) {
	e.t.Helper()
	res := e.do(http.MethodPost, base+"/_emulator/loopmessage/senders/"+acmeSender+"/status", `{"status": "suspended"}`)
	require.Equal(e.t, http.StatusOK, res.status, res.body)
}

type delivery struct {
	ID             int64             `json:"id"`
	EventID        string            `json:"event_id"`
	Vendor         string            `json:"vendor"`
	Event          string            `json:"event"`
	URL            string            `json:"url"`
	Attempt        int               `json:"attempt"`
	ScheduledAt    time.Time         `json:"scheduled_at"`
	SentAt         *time.Time        `json:"sent_at"`
	Status         string            `json:"status"`
	ResponseStatus *int              `json:"response_status"`
	Error          *string           `json:"error"`
	RequestHeaders map[string]string `json:"request_headers"`
	RequestBody    json.RawMessage   `json:"request_body"`
}

func (e *emu) deliveries(base, query string) []delivery {
	e.t.Helper()
	res := e.do(http.MethodGet, base+"/_emulator/webhooks"+query, "")
	require.Equal(e.t, http.StatusOK, res.status, res.body)
	var out struct {
		Deliveries []delivery `json:"deliveries"`
	}
	require.NoError(e.t, json.Unmarshal([]byte(res.body), &out))
	return out.Deliveries
}

func (e *emu) waitDeliveries(base, query string, n int) []delivery {
	e.t.Helper()
	var got []delivery
	emutest.Eventually(e.t, func() bool {
		got = e.deliveries(base, query)
		return len(got) == n
	}, "%d deliveries for %q", n, query)
	return got
}

func TestWebhookLogShowsEveryAttempt(t *testing.T) {
	t.Parallel()
	e := start(t, app.Options{})
	rc := emutest.NewReceiver(t, emutest.Answering(http.StatusServiceUnavailable))
	e.do(http.MethodPost, "/_emulator/clock", `{"freeze": true}`)
	e.hookTo("", rc.URL+"/hooks")
	e.suspend("")

	got := e.waitDeliveries("", "?status=failed", 1)
	d := got[0]
	assert.Equal(t, "loopmessage", d.Vendor)
	assert.Equal(t, "sender_name_updated", d.Event)
	assert.Equal(t, rc.URL+"/hooks", d.URL)
	assert.Equal(t, 1, d.Attempt)
	require.NotNil(t, d.ResponseStatus)
	assert.Equal(t, 503, *d.ResponseStatus)
	require.NotNil(t, d.Error)
	assert.Equal(t, "the receiver answered 503 Service Unavailable", *d.Error)
	assert.Equal(t, "LoopMessage", d.RequestHeaders["User-Agent"])
	assert.Equal(t, "application/json", d.RequestHeaders["Content-Type"])
	var body map[string]any
	require.NoError(t, json.Unmarshal(d.RequestBody, &body))
	assert.Equal(t, "suspended", body["status"])
	assert.Equal(t, d.EventID, body["webhook_id"])

	// The retry is pending, 30 s later on the emulated clock.
	pending := e.waitDeliveries("", "?status=pending", 1)[0]
	assert.Equal(t, 2, pending.Attempt)
	assert.Nil(t, pending.SentAt)
	assert.Equal(t, d.SentAt.Add(30*time.Second), pending.ScheduledAt)
	assert.Equal(t, d.EventID, pending.EventID)
	assert.Equal(t, "LoopMessage", pending.RequestHeaders["User-Agent"], "a pending attempt shows what it will send")

	all := e.deliveries("", "")
	require.Len(t, all, 2)
	assert.Equal(t, 2, all[0].Attempt, "newest first")
	assert.Len(t, e.deliveries("", "?vendor=loopmessage&limit=1"), 1)
	assert.Empty(t, e.deliveries("", "?vendor=courier"))

	// Redeliver: a new attempt now, same event id; the receiver now accepts it.
	rc.SetAnswer(emutest.Answering(http.StatusOK))
	res := e.do(http.MethodPost, "/_emulator/webhooks/"+d.EventID+"/redeliver", "")
	require.Equal(t, http.StatusAccepted, res.status, res.body)
	delivered := e.waitDeliveries("", "?status=delivered", 1)[0]
	assert.Equal(t, d.EventID, delivered.EventID)
	assert.Equal(t, 3, delivered.Attempt)
	assert.Empty(t, e.deliveries("", "?status=pending"), "a delivered event has nothing left to send")
	assert.Equal(t, 2, rc.Count())

	res = e.do(http.MethodDelete, "/_emulator/webhooks", "")
	require.Equal(t, http.StatusNoContent, res.status, res.body)
	assert.Empty(t, e.deliveries("", ""))
}

func TestWebhookControlPlaneErrors(t *testing.T) {
	t.Parallel()
	e := start(t, app.Options{})
	for _, tc := range []struct {
		method, path, want string
		status             int
	}{
		{http.MethodGet, "/_emulator/webhooks?vendor=stripe", `{"error":"unknown vendor \"stripe\"; one of greenarrow, 360dialog, loopmessage, courier"}`, 400},
		{http.MethodGet, "/_emulator/webhooks?status=sent", `{"error":"status must be one of pending, delivered, failed, skipped"}`, 400},
		{http.MethodGet, "/_emulator/webhooks?limit=0", `{"error":"limit must be an integer from 1 to 1000"}`, 400},
		{http.MethodGet, "/_emulator/webhooks?limit=1001", `{"error":"limit must be an integer from 1 to 1000"}`, 400},
		{http.MethodGet, "/_emulator/webhooks?limit=x", `{"error":"limit must be an integer from 1 to 1000"}`, 400},
		{http.MethodPost, "/_emulator/webhooks/nope/redeliver", `{"error":"no webhook event \"nope\" in this world; GET /_emulator/webhooks lists them"}`, 404},
		{http.MethodGet, "/_emulator/webhooks", `{"deliveries":[]}`, 200},
	} {
		res := e.do(tc.method, tc.path, "")
		assert.Equal(t, tc.status, res.status, "%s %s", tc.method, tc.path)
		assert.JSONEq(t, tc.want, res.body, "%s %s", tc.method, tc.path)
	}

	guarded := start(t, app.Options{ControlToken: "s3cret"})
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "/_emulator/webhooks"}, {http.MethodDelete, "/_emulator/webhooks"},
		{http.MethodPost, "/_emulator/webhooks/x/redeliver"},
	} {
		assert.Equal(t, http.StatusUnauthorized, guarded.do(c.method, c.path, "").status, "%s %s", c.method, c.path)
	}
	assert.Equal(t, http.StatusOK, guarded.do(http.MethodGet, "/_emulator/webhooks", "", "Authorization: Bearer s3cret").status)
}

// Each world sends its own events to the URLs of its own state, and sees
// only its own log; a reset cancels what the world had pending.
func TestWebhooksAreAWorlds(t *testing.T) {
	t.Parallel()
	e := start(t, app.Options{})
	inDefault := emutest.NewReceiver(t, emutest.Answering(http.StatusOK))
	inWorld := emutest.NewReceiver(t, emutest.Answering(http.StatusInternalServerError))
	w := "/w/" + e.create(`{"id": "hooks"}`)
	e.hookTo("", inDefault.URL)
	e.hookTo(w, inWorld.URL)
	e.do(http.MethodPost, w+"/_emulator/clock", `{"freeze": true}`)

	e.suspend(w)
	e.waitDeliveries(w, "?status=failed", 1)
	assert.Zero(t, inDefault.Count())
	assert.Empty(t, e.deliveries("", ""), "the default world saw nothing")
	e.waitDeliveries(w, "?status=pending", 1)

	// Another world's event id is unknown here.
	id := e.deliveries(w, "")[0].EventID
	assert.Equal(t, http.StatusNotFound, e.do(http.MethodPost, "/_emulator/webhooks/"+id+"/redeliver", "").status)

	// A copy of the world starts with an empty log and sends nothing of the source's.
	c := "/w/" + e.create(`{"id": "copy", "from": "hooks"}`)
	assert.Empty(t, e.deliveries(c, ""))

	// A reset of another vendor keeps LoopMessage's events.
	require.Equal(t, http.StatusOK, e.do(http.MethodPost, w+"/_emulator/reset?vendor=courier", "").status)
	assert.Len(t, e.deliveries(w, ""), 2, "the failed attempt and its pending retry")

	// A reset cancels the pending retry: after it, the clock moved past the
	// retry, and a new event, the receiver has seen the new event only.
	require.Equal(t, http.StatusOK, e.do(http.MethodPost, w+"/_emulator/reset?vendor=loopmessage", "").status)
	assert.Empty(t, e.deliveries(w, ""))
	e.do(http.MethodPost, w+"/_emulator/clock", `{"advance": "1h"}`)
	e.hookTo(w, inWorld.URL) // the reset restored the fixture's URL
	e.suspend(w)
	e.waitDeliveries(w, "?status=failed", 1)
	assert.Equal(t, 2, inWorld.Count())

	e.suspend("")
	e.waitDeliveries("", "?status=delivered", 1)
	assert.Equal(t, 1, inDefault.Count())
}

// -webhooks off: every attempt is recorded as skipped, none is sent.
func TestWebhooksOff(t *testing.T) {
	t.Parallel()
	e := start(t, app.Options{WebhooksOff: true})
	rc := emutest.NewReceiver(t, emutest.Answering(http.StatusOK))
	e.hookTo("", rc.URL)
	e.suspend("")
	d := e.waitDeliveries("", "?status=skipped", 1)[0]
	assert.NotNil(t, d.SentAt, "a skipped attempt carries the time it would have been sent")
	assert.Zero(t, rc.Count())
}

// On a file, a retry still pending when the emulator stops is sent after
// the next start, in the default world and in another, once the clock
// reaches it.
func TestPendingWebhooksSurviveARestart(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "emulator.db")
	rc := emutest.NewReceiver(t, emutest.Answering(http.StatusServiceUnavailable))
	run := func(fn func(e *emu)) {
		a, err := app.New(context.Background(), app.Options{DB: db, MaxWorlds: 10})
		require.NoError(t, err)
		srv := httptest.NewServer(a.Handler)
		defer func() { srv.Close(); a.Close() }()
		fn(&emu{t, srv.URL})
	}
	run(func(e *emu) {
		w := "/w/" + e.create(`{"id": "filed"}`)
		for _, base := range []string{"", w} {
			e.do(http.MethodPost, base+"/_emulator/clock", `{"freeze": true}`)
			e.hookTo(base, rc.URL)
			e.suspend(base)
			e.waitDeliveries(base, "?status=failed", 1)
			e.waitDeliveries(base, "?status=pending", 1) // the retry
		}
	})
	require.Equal(t, 2, rc.Count())
	rc.SetAnswer(emutest.Answering(http.StatusOK))
	run(func(e *emu) {
		for _, base := range []string{"", "/w/filed"} {
			require.Len(t, e.deliveries(base, "?status=pending"), 1, "the retry is still there")
			e.do(http.MethodPost, base+"/_emulator/clock", `{"advance": "1m"}`)
			d := e.waitDeliveries(base, "?status=delivered", 1)[0]
			assert.Equal(t, 2, d.Attempt)
		}
	})
	assert.Equal(t, 4, rc.Count())
}

// A receiver that never answers holds neither the API nor the shutdown.
func TestAHangingReceiverHoldsNothing(t *testing.T) {
	t.Parallel()
	a, err := app.New(context.Background(), app.Options{DB: store.Memory, MaxWorlds: 10})
	require.NoError(t, err)
	srv := httptest.NewServer(a.Handler)
	e := &emu{t, srv.URL}
	hang := emutest.NewHangingReceiver(t)
	e.hookTo("", hang.URL)
	e.suspend("")
	// The attempt is in flight, and will not end by itself within this test.
	emutest.Eventually(t, func() bool { return hang.Count() > 0 }, "the attempt reaches the receiver")

	for range 20 {
		res := e.do(http.MethodGet, "/loopmessage/api/v1/sender/"+acmeSender+"/", "", loopKey)
		require.Equal(t, http.StatusOK, res.status, res.body)
	}
	e.suspend("") // no change of status: nothing more is sent
	assert.Len(t, e.deliveries("", "?status=pending"), 1, "the hanging attempt, pending until it ends")

	closed := make(chan struct{})
	go func() {
		srv.Close()
		a.Close() // cancels the attempt in flight
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("closing the emulator waited for the hanging receiver")
	}
}

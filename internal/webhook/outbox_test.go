package webhook_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/clock"
	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/store"
	"github.com/emulator/vendor-emulator/internal/webhook"
)

var start = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// env is an outbox over a fresh store, with a frozen clock.
type env struct {
	db    *store.DB
	clock *clock.Clock
	box   *webhook.Outbox
	once  sync.Once
}

// newEnv is an outbox over the store at path (new, or as a previous env left
// it), its clock frozen at start. adjust, when not nil, changes its Config;
// timers are added before its worker starts. It is closed when the test
// ends, or before by close.
func newEnv(t *testing.T, path string, adjust func(*webhook.Config), timers ...webhook.Timer) *env {
	t.Helper()
	db, err := store.Open(context.Background(), path, nil, webhook.Schema())
	require.NoError(t, err)
	clk := clock.New(nil)
	clk.Freeze(true)
	clk.Set(start)
	cfg := webhook.Config{DB: db, Clock: clk}
	if adjust != nil {
		adjust(&cfg)
	}
	e := &env{db: db, clock: clk, box: webhook.New(cfg)}
	for _, tm := range timers {
		e.box.AddTimer(tm)
	}
	e.box.Start()
	t.Cleanup(e.close)
	return e
}

func (e *env) close() {
	e.once.Do(func() {
		e.box.Close()
		e.db.Close()
	})
}

func (e *env) record(t *testing.T, ev webhook.Event) {
	t.Helper()
	require.NoError(t, e.db.Tx(context.Background(), func(tx *store.Tx) error {
		return e.box.Record(context.Background(), tx, ev)
	}))
}

func (e *env) deliveries(t *testing.T, f webhook.Filter) []webhook.Delivery {
	t.Helper()
	if f.Limit == 0 {
		f.Limit = 1000
	}
	out, err := e.box.Deliveries(context.Background(), f)
	require.NoError(t, err)
	return out
}

func TestDeliversOnceWithHeadersAndBody(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.Memory, nil)
	rc := emutest.NewReceiver(t, emutest.Answering(http.StatusOK))
	e.record(t, webhook.Event{ID: "ev-1", Vendor: "loopmessage", Type: "sender_name_updated", URL: rc.URL,
		Headers: map[string]string{"User-Agent": "LoopMessage", "Authorization": "secret", "Connection": "close"},
		Body:    []byte(`{"event":"sender_name_updated"}`), Rules: webhook.Rules{Only200: true}})
	emutest.Eventually(t, func() bool { return len(e.deliveries(t, webhook.Filter{Status: "delivered"})) == 1 }, "delivered")
	require.Equal(t, 1, rc.Count())
	c := rc.Call(0)
	assert.Equal(t, `{"event":"sender_name_updated"}`, c.Body)
	assert.Equal(t, "application/json", c.Header.Get("Content-Type"))
	assert.Equal(t, "LoopMessage", c.Header.Get("User-Agent"))
	assert.Equal(t, "secret", c.Header.Get("Authorization"))
	d := e.deliveries(t, webhook.Filter{})[0]
	assert.Equal(t, "ev-1", d.EventID)
	assert.Equal(t, 1, d.Attempt)
	assert.Equal(t, start, d.ScheduledAt)
	require.NotNil(t, d.SentAt)
	assert.Equal(t, start, *d.SentAt)
	require.NotNil(t, d.ResponseStatus)
	assert.Equal(t, 200, *d.ResponseStatus)
	assert.Nil(t, d.Error)
	assert.Equal(t, "close", d.RequestHeaders["Connection"])
	assert.JSONEq(t, `{"event":"sender_name_updated"}`, string(d.RequestBody))
}

// Every attempt is one log line, with what a user looks for.
func TestAttemptsAreLogged(t *testing.T) {
	t.Parallel()
	logs := &emutest.LogBuffer{}
	e := newEnv(t, store.Memory, func(c *webhook.Config) { c.Log = slog.New(slog.NewTextHandler(logs, nil)) })
	rc := emutest.NewReceiver(t, emutest.Answering(http.StatusTeapot))
	e.record(t, webhook.Event{ID: "ev-1", Vendor: "courier", Type: "t", URL: rc.URL, Body: []byte(`{}`)})
	emutest.Eventually(t, func() bool { return strings.Contains(logs.String(), "webhook attempt") }, "logged")
	line := logs.String()
	for _, want := range []string{"vendor=courier", "event=ev-1", "attempt=1", "url=" + rc.URL, "status=failed",
		"response_status=418", `error="the receiver answered 418 I'm a teapot"`} {
		assert.Contains(t, line, want)
	}
}

func TestRetriesWalkTheScheduleOnTheClock(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.Memory, nil)
	rc := emutest.NewReceiver(t, func(n int) int {
		if n < 3 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	e.record(t, webhook.Event{ID: "ev", Vendor: "360dialog", Type: "t", URL: rc.URL, Body: []byte(`{}`),
		Rules: webhook.Rules{Retries: []time.Duration{30 * time.Second, 5 * time.Minute}}})
	// An attempt in flight is pending until its answer is recorded.
	emutest.Eventually(t, func() bool { return len(e.deliveries(t, webhook.Filter{Status: "failed"})) == 1 }, "first attempt")
	emutest.Eventually(t, func() bool { return len(e.deliveries(t, webhook.Filter{Status: "pending"})) == 1 }, "retry queued")
	retry := e.deliveries(t, webhook.Filter{Status: "pending"})[0]
	assert.Equal(t, 2, retry.Attempt)
	assert.Equal(t, start.Add(30*time.Second), retry.ScheduledAt)

	e.clock.Advance(30 * time.Second)
	emutest.Eventually(t, func() bool { return len(e.deliveries(t, webhook.Filter{Status: "failed"})) == 2 },
		"the first retry, when the clock reaches it")
	emutest.Eventually(t, func() bool { return len(e.deliveries(t, webhook.Filter{Status: "pending"})) == 1 }, "second retry queued")
	e.clock.Advance(5 * time.Minute)
	emutest.Eventually(t, func() bool { return len(e.deliveries(t, webhook.Filter{Status: "delivered"})) == 1 }, "delivered")
	all := e.deliveries(t, webhook.Filter{})
	require.Len(t, all, 3)
	for i, d := range all { // newest first
		assert.Equal(t, 3-i, d.Attempt)
		assert.Equal(t, "ev", d.EventID)
	}
	assert.Equal(t, "failed", all[2].Status)
	require.NotNil(t, all[2].Error)
	assert.Contains(t, *all[2].Error, "503")
}

func TestOnly200AndAny2xx(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		only200 bool
		status  int
		want    string
	}{
		{true, 200, "delivered"}, {true, 201, "failed"}, {true, 204, "failed"}, {true, 302, "failed"},
		{false, 200, "delivered"}, {false, 202, "delivered"}, {false, 299, "delivered"}, {false, 301, "failed"},
		{false, 404, "failed"}, {false, 500, "failed"},
	} {
		e := newEnv(t, store.Memory, nil)
		rc := emutest.NewReceiver(t, emutest.Answering(tc.status))
		e.record(t, webhook.Event{Vendor: "v", Type: "t", URL: rc.URL, Body: []byte(`{}`), Rules: webhook.Rules{Only200: tc.only200}})
		emutest.Eventually(t, func() bool { return len(e.deliveries(t, webhook.Filter{Status: tc.want})) == 1 },
			"only200 %v status %d", tc.only200, tc.status)
	}
}

func TestRefusedChangeEmitsNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.Memory, nil)
	rc := emutest.NewReceiver(t, emutest.Answering(200))
	refused := errors.New("refused")
	err := e.db.Tx(context.Background(), func(tx *store.Tx) error {
		require.NoError(t, e.box.Record(context.Background(), tx, webhook.Event{Vendor: "v", Type: "t", URL: rc.URL, Body: []byte(`{}`)}))
		return refused
	})
	require.ErrorIs(t, err, refused)
	e.box.Wake()
	assert.Empty(t, e.deliveries(t, webhook.Filter{}))
	assert.Zero(t, rc.Count())
}

func TestRedeliverSendsAgainWithTheSameEventID(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.Memory, nil)
	rc := emutest.NewReceiver(t, func(n int) int { return []int{500, 200, 500}[n-1] })
	e.record(t, webhook.Event{ID: "ev", Vendor: "v", Type: "t", URL: rc.URL, Body: []byte(`{"a":1}`)})
	emutest.Eventually(t, func() bool { return len(e.deliveries(t, webhook.Filter{Status: "failed"})) == 1 }, "failed, no retries")

	require.NoError(t, e.box.Redeliver(context.Background(), "ev"))
	emutest.Eventually(t, func() bool { return len(e.deliveries(t, webhook.Filter{Status: "delivered"})) == 1 }, "redelivered")
	// A redelivery is one attempt: its failure is not retried.
	require.NoError(t, e.box.Redeliver(context.Background(), "ev"))
	emutest.Eventually(t, func() bool { return len(e.deliveries(t, webhook.Filter{Status: "failed"})) == 2 }, "second redelivery failed")
	e.clock.Advance(24 * time.Hour)
	e.box.Wake()
	all := e.deliveries(t, webhook.Filter{})
	require.Len(t, all, 3)
	assert.Equal(t, []int{3, 2, 1}, []int{all[0].Attempt, all[1].Attempt, all[2].Attempt})
	assert.Equal(t, 3, rc.Count())
	for i := range 3 {
		assert.Equal(t, `{"a":1}`, rc.Call(i).Body)
	}

	err := e.box.Redeliver(context.Background(), "nope")
	assert.True(t, webhook.IsUnknownEvent(err), "%v", err)
}

func TestClearCancelsPendingAttempts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.Memory, nil)
	rc := emutest.NewReceiver(t, emutest.Answering(200))
	e.record(t, webhook.Event{ID: "later", Vendor: "a", Type: "t", URL: rc.URL, Body: []byte(`{}`), At: start.Add(time.Minute)})
	e.record(t, webhook.Event{ID: "other", Vendor: "b", Type: "t", URL: rc.URL, Body: []byte(`{}`), At: start.Add(time.Minute)})
	require.Len(t, e.deliveries(t, webhook.Filter{Status: "pending"}), 2)

	require.NoError(t, e.box.Clear(context.Background(), "a"))
	d := e.deliveries(t, webhook.Filter{})
	require.Len(t, d, 1)
	assert.Equal(t, "other", d[0].EventID)
	require.NoError(t, e.box.Clear(context.Background(), ""))
	assert.Empty(t, e.deliveries(t, webhook.Filter{}))

	// A later event is the only one the receiver sees once the time comes.
	e.record(t, webhook.Event{ID: "after", Vendor: "a", Type: "t", URL: rc.URL, Body: []byte(`{}`), At: start.Add(time.Minute)})
	e.clock.Advance(time.Hour)
	emutest.Eventually(t, func() bool { return rc.Count() == 1 }, "the event recorded after the clear")
	assert.Len(t, e.deliveries(t, webhook.Filter{Vendor: "a"}), 1)
}

func TestOffRecordsSkippedWithoutSending(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.Memory, func(c *webhook.Config) { c.Off = true })
	rc := emutest.NewReceiver(t, emutest.Answering(200))
	e.record(t, webhook.Event{ID: "ev", Vendor: "v", Type: "t", URL: rc.URL, Body: []byte(`{}`),
		Rules: webhook.Rules{Retries: []time.Duration{time.Second}}})
	emutest.Eventually(t, func() bool { return len(e.deliveries(t, webhook.Filter{Status: "skipped"})) == 1 }, "skipped")
	e.clock.Advance(time.Hour)
	d := e.deliveries(t, webhook.Filter{})
	require.Len(t, d, 1, "no retry follows a skipped attempt")
	assert.Nil(t, d[0].ResponseStatus)
	assert.Zero(t, rc.Count())
}

// A receiver that never answers costs only its own attempt: it ends at the
// client's timeout, and other events are delivered meanwhile.
func TestHangingReceiverTimesOutAndHoldsNobody(t *testing.T) {
	t.Parallel()
	client := webhook.NewClient()
	client.Timeout = 300 * time.Millisecond
	e := newEnv(t, store.Memory, func(c *webhook.Config) { c.Client = client })
	hang := emutest.NewHangingReceiver(t)
	good := emutest.NewReceiver(t, emutest.Answering(200))
	e.record(t, webhook.Event{ID: "hang", Vendor: "v", Type: "t", URL: hang.URL, Body: []byte(`{}`)})
	e.record(t, webhook.Event{ID: "good", Vendor: "v", Type: "t", URL: good.URL, Body: []byte(`{}`)})
	emutest.Eventually(t, func() bool { return good.Count() == 1 }, "the good receiver is served while the other hangs")
	emutest.Eventually(t, func() bool { return len(e.deliveries(t, webhook.Filter{Status: "failed"})) == 1 }, "the hang times out")
	d := e.deliveries(t, webhook.Filter{Status: "failed"})[0]
	assert.Equal(t, "hang", d.EventID)
	require.NotNil(t, d.Error)
	assert.Equal(t, "timeout: no answer within 300ms", *d.Error)
	assert.Nil(t, d.ResponseStatus)
}

func TestUnreachableReceiverIsAFailure(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.Memory, nil)
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	e.record(t, webhook.Event{ID: "ev", Vendor: "v", Type: "t", URL: dead.URL, Body: []byte(`{}`)})
	emutest.Eventually(t, func() bool { return len(e.deliveries(t, webhook.Filter{Status: "failed"})) == 1 }, "failed")
	d := e.deliveries(t, webhook.Filter{})[0]
	require.NotNil(t, d.Error)
	assert.Contains(t, *d.Error, "connection refused")
}

// On a file, an event still pending when the emulator stops is sent after
// the next start, when its time comes.
func TestPendingEventSurvivesARestart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "emulator.db")
	rc := emutest.NewReceiver(t, emutest.Answering(200))
	e := newEnv(t, path, nil)
	e.record(t, webhook.Event{ID: "ev", Vendor: "v", Type: "t", URL: rc.URL, Body: []byte(`{"x":true}`), At: start.Add(time.Minute)})
	e.close()
	assert.Zero(t, rc.Count())

	e = newEnv(t, path, nil)
	require.Len(t, e.deliveries(t, webhook.Filter{Status: "pending"}), 1)
	e.clock.Advance(time.Minute)
	emutest.Eventually(t, func() bool { return rc.Count() == 1 }, "sent after the restart")
	assert.Equal(t, `{"x":true}`, rc.Call(0).Body)
}

// A copy of a store (a new world "from" another) starts with no webhook
// history and nothing pending: the source's receivers are not called twice.
func TestACopyStartsWithoutEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.Memory, nil)
	e.record(t, webhook.Event{ID: "ev", Vendor: "v", Type: "t", URL: "http://127.0.0.1:1/", Body: []byte(`{}`), At: start.Add(time.Hour)})
	c, err := e.db.Clone(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	var n int
	require.NoError(t, c.QueryRow(context.Background(), `SELECT count(*) FROM wh_events`).Scan(&n))
	assert.Zero(t, n)
	assert.Empty(t, c.Vendors(), "the outbox is not a vendor")
}

func TestTimerRunsWhenTheClockReachesIt(t *testing.T) {
	t.Parallel()
	rc := emutest.NewReceiver(t, emutest.Answering(200))
	at := start.Add(10 * time.Minute)
	var mu sync.Mutex
	fired := false
	var e *env
	e = newEnv(t, store.Memory, nil, func(ctx context.Context, tx *store.Tx, now time.Time) (time.Time, error) {
		mu.Lock()
		defer mu.Unlock()
		if fired {
			return time.Time{}, nil
		}
		if now.Before(at) {
			return at, nil
		}
		fired = true
		return time.Time{}, e.box.Record(ctx, tx, webhook.Event{Vendor: "v", Type: "activated", URL: rc.URL, Body: []byte(`{}`)})
	})
	e.clock.Advance(9 * time.Minute)
	e.clock.Advance(time.Minute)
	emutest.Eventually(t, func() bool { return rc.Count() == 1 }, "the timer's event, with no request")
}

// TestTheWorkerReadsOnTheWriter: the worker's looks (timers, due attempts)
// and sends run on the writer, so a world nobody reads opens no read
// connection (each costs its own parsed schema).
func TestTheWorkerReadsOnTheWriter(t *testing.T) {
	t.Parallel()
	rc := emutest.NewReceiver(t, emutest.Answering(200))
	looks := make(chan struct{}, 100)
	e := newEnv(t, store.Memory, nil, func(ctx context.Context, tx *store.Tx, now time.Time) (time.Time, error) {
		looks <- struct{}{}
		return time.Time{}, nil
	})
	select {
	case <-looks:
	case <-time.After(10 * time.Second):
		t.Fatal("the worker did not look at the outbox")
	}
	e.record(t, webhook.Event{Vendor: "v", Type: "sent", URL: rc.URL, Body: []byte(`{}`)})
	e.box.Wake()
	emutest.Eventually(t, func() bool { return rc.Count() == 1 }, "the event is sent")
	e.box.Close() // waits for the worker and the attempt's record
	assert.Zero(t, e.db.Read().Stats().OpenConnections, "no read connection was opened")
}

// An attempt read as pending while its send settles is not sent again: the
// worker claims what it sends in the same turn at the writer as it reads it.
// Each event here is recorded as the one before it settles: the moment when
// the worker, while it claimed after its read, could take the settled
// attempt for one still to send. Eight worlds at once make it likelier; the
// test still only caught that double send in 4 of 30 runs (and the test
// below in about 1 in 100), so a failure here is never noise.
func TestAnAttemptIsSentOnce(t *testing.T) {
	t.Parallel()
	const worlds, n = 8, 100
	for w := range worlds {
		t.Run(strconv.Itoa(w), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, store.Memory, nil)
			rc := emutest.NewReceiver(t, emutest.Answering(200))
			for i := range n {
				e.record(t, webhook.Event{Vendor: "v", Type: "t", URL: rc.URL, Body: []byte(strconv.Itoa(i))})
				emutest.Eventually(t, func() bool { return rc.Count() >= i+1 }, "sent")
			}
			emutest.Eventually(t, func() bool { return len(e.deliveries(t, webhook.Filter{Status: "delivered"})) == n },
				"settled")
			e.close() // waits for the sends in flight
			seen := map[string]int{}
			for _, c := range rc.Calls() {
				seen[c.Body]++
			}
			for body, times := range seen {
				assert.Equal(t, 1, times, "event %s was sent %d times", body, times)
			}
			assert.Equal(t, n, rc.Count())
		})
	}
}

func TestHistoryIsScopedAndPaged(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.Memory, nil)
	rc := emutest.NewReceiver(t, emutest.Answering(200))
	for i, scope := range []string{"org-a", "org-b", "org-a"} {
		e.record(t, webhook.Event{Vendor: "loopmessage", Type: "t", URL: rc.URL, Scope: scope, Body: []byte(`{}`)})
		emutest.Eventually(t, func() bool { return rc.Count() == i+1 }, "sent")
		e.clock.Advance(time.Second)
	}
	e.record(t, webhook.Event{Vendor: "loopmessage", Type: "t", URL: rc.URL, Scope: "org-a", Body: []byte(`{}`), At: start.Add(time.Hour)})
	emutest.Eventually(t, func() bool { return len(e.deliveries(t, webhook.Filter{Status: "delivered"})) == 3 }, "settled")
	ctx := context.Background()
	got, total, err := e.box.History(ctx, webhook.HistoryQuery{Vendor: "loopmessage", Scopes: []string{"org-a"}, Limit: 10})
	require.NoError(t, err)
	assert.Equal(t, 2, total, "the pending attempt is not history")
	require.Len(t, got, 2)
	assert.Equal(t, start.Add(2*time.Second), got[0].SentAt, "newest first")
	got, total, err = e.box.History(ctx, webhook.HistoryQuery{Vendor: "loopmessage", Scopes: []string{"org-a", "org-b"}, Asc: true, Offset: 1, Limit: 1})
	require.NoError(t, err)
	assert.Equal(t, 3, total)
	require.Len(t, got, 1)
	assert.Equal(t, start.Add(time.Second), got[0].SentAt)
	got, total, err = e.box.History(ctx, webhook.HistoryQuery{Vendor: "courier", Scopes: []string{"org-a"}, Limit: 10})
	require.NoError(t, err)
	assert.Zero(t, total)
	assert.Empty(t, got)
}

// On a running clock, an attempt due later is sent when real time brings
// the clock there, with no move and no request.
func TestRunningClockReachesADueAttempt(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.Memory, nil)
	e.clock.Freeze(false)
	rc := emutest.NewReceiver(t, emutest.Answering(200))
	e.record(t, webhook.Event{ID: "soon", Vendor: "v", Type: "t", URL: rc.URL, Body: []byte(`{}`),
		At: e.clock.Now().Add(50 * time.Millisecond)})
	emutest.Eventually(t, func() bool { return len(e.deliveries(t, webhook.Filter{Status: "delivered"})) == 1 },
		"sent when its time came")
	assert.Equal(t, 1, rc.Count())
	d := e.deliveries(t, webhook.Filter{})[0]
	require.NotNil(t, d.SentAt)
	assert.False(t, d.SentAt.Before(d.ScheduledAt), "not before its time")
}

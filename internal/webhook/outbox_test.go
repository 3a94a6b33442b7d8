package webhook_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/clock"
	"github.com/emulator/vendor-emulator/internal/store"
	"github.com/emulator/vendor-emulator/internal/webhook"
)

var start = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// receiver records every call and answers with the status next returns.
type receiver struct {
	*httptest.Server
	mu    sync.Mutex
	calls []call
	next  func(n int) int // n counts from 1
}

type call struct {
	header http.Header
	body   string
}

func newReceiver(t *testing.T, next func(n int) int) *receiver {
	rc := &receiver{next: next}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.calls = append(rc.calls, call{r.Header.Clone(), string(b)})
		n := len(rc.calls)
		rc.mu.Unlock()
		w.WriteHeader(rc.next(n))
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.calls)
}

func (rc *receiver) call(i int) call {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.calls[i]
}

// env is an outbox over a fresh store, with a frozen clock.
type env struct {
	db    *store.DB
	clock *clock.Clock
	box   *webhook.Outbox
}

func newEnv(t *testing.T, path string, off bool) *env {
	t.Helper()
	db, err := store.Open(context.Background(), path, nil, webhook.Schema())
	require.NoError(t, err)
	clk := clock.New(nil)
	clk.Freeze(true)
	clk.Set(start)
	box := webhook.New(webhook.Config{DB: db, Clock: clk, Off: off})
	box.Start()
	t.Cleanup(func() {
		box.Close()
		db.Close()
	})
	return &env{db: db, clock: clk, box: box}
}

func (e *env) record(t *testing.T, ev webhook.Event) {
	t.Helper()
	require.NoError(t, e.db.Tx(context.Background(), func(tx *sql.Tx) error {
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

// eventually waits (in real time) for what the worker does within its
// promise of 100 ms; it never waits for the schedule, which the clock walks.
func eventually(t *testing.T, cond func() bool, msgAndArgs ...any) {
	t.Helper()
	require.Eventually(t, cond, 5*time.Second, 2*time.Millisecond, msgAndArgs...)
}

func TestDeliversOnceWithHeadersAndBody(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.Memory, false)
	rc := newReceiver(t, func(int) int { return http.StatusOK })
	e.record(t, webhook.Event{ID: "ev-1", Vendor: "loopmessage", Type: "sender_name_updated", URL: rc.URL,
		Headers: map[string]string{"User-Agent": "LoopMessage", "Authorization": "secret", "Connection": "close"},
		Body:    []byte(`{"event":"sender_name_updated"}`), Rules: webhook.Rules{Only200: true}})
	eventually(t, func() bool { return len(e.deliveries(t, webhook.Filter{Status: "delivered"})) == 1 }, "delivered")
	require.Equal(t, 1, rc.count())
	c := rc.call(0)
	assert.Equal(t, `{"event":"sender_name_updated"}`, c.body)
	assert.Equal(t, "application/json", c.header.Get("Content-Type"))
	assert.Equal(t, "LoopMessage", c.header.Get("User-Agent"))
	assert.Equal(t, "secret", c.header.Get("Authorization"))
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

func TestRetriesWalkTheScheduleOnTheClock(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.Memory, false)
	rc := newReceiver(t, func(n int) int {
		if n < 3 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	e.record(t, webhook.Event{ID: "ev", Vendor: "360dialog", Type: "t", URL: rc.URL, Body: []byte(`{}`),
		Rules: webhook.Rules{Retries: []time.Duration{30 * time.Second, 5 * time.Minute}}})
	eventually(t, func() bool { return rc.count() == 1 }, "first attempt")
	eventually(t, func() bool { return len(e.deliveries(t, webhook.Filter{Status: "pending"})) == 1 }, "retry queued")
	retry := e.deliveries(t, webhook.Filter{Status: "pending"})[0]
	assert.Equal(t, 2, retry.Attempt)
	assert.Equal(t, start.Add(30*time.Second), retry.ScheduledAt)

	e.clock.Advance(30 * time.Second)
	eventually(t, func() bool { return rc.count() == 2 }, "the first retry, when the clock reaches it")
	eventually(t, func() bool { return len(e.deliveries(t, webhook.Filter{Status: "pending"})) == 1 }, "second retry queued")
	e.clock.Advance(5 * time.Minute)
	eventually(t, func() bool { return len(e.deliveries(t, webhook.Filter{Status: "delivered"})) == 1 }, "delivered")
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
		e := newEnv(t, store.Memory, false)
		rc := newReceiver(t, func(int) int { return tc.status })
		e.record(t, webhook.Event{Vendor: "v", Type: "t", URL: rc.URL, Body: []byte(`{}`), Rules: webhook.Rules{Only200: tc.only200}})
		eventually(t, func() bool { return len(e.deliveries(t, webhook.Filter{Status: tc.want})) == 1 },
			"only200 %v status %d", tc.only200, tc.status)
	}
}

func TestRefusedChangeEmitsNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, store.Memory, false)
	rc := newReceiver(t, func(int) int { return 200 })
	refused := errors.New("refused")
	err := e.db.Tx(context.Background(), func(tx *sql.Tx) error {
		require.NoError(t, e.box.Record(context.Background(), tx, webhook.Event{Vendor: "v", Type: "t", URL: rc.URL, Body: []byte(`{}`)}))
		return refused
	})
	require.ErrorIs(t, err, refused)
	e.box.Wake()
	assert.Empty(t, e.deliveries(t, webhook.Filter{}))
	assert.Zero(t, rc.count())
}

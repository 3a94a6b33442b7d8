package emutest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Receiver is a customer's webhook endpoint, for tests: it records every
// call and answers the status its answer gives the n-th call (from 1).
type Receiver struct {
	*httptest.Server

	mu     sync.Mutex
	answer func(n int) int // nil: hold every call (NewHangingReceiver)
	calls  []Call
}

// Call is one request a Receiver got.
type Call struct {
	Method string
	Path   string // with the query, as sent
	Header http.Header
	Close  bool // the request asked to close the connection (Go takes "Connection: close" out of Header)
	Body   string
}

// NewReceiver starts a receiver that answers the n-th call answer(n); it is
// closed when the test ends.
func NewReceiver(tb testing.TB, answer func(n int) int) *Receiver {
	tb.Helper()
	rc := &Receiver{answer: answer}
	rc.Server = httptest.NewServer(rc.handler(nil))
	tb.Cleanup(rc.Close)
	return rc
}

// NewHangingReceiver starts a receiver that records every call and never
// answers: it holds each until the caller gives up or the test ends.
func NewHangingReceiver(tb testing.TB) *Receiver {
	tb.Helper()
	release := make(chan struct{})
	rc := &Receiver{}
	rc.Server = httptest.NewServer(rc.handler(release))
	// Close waits for the calls in flight: release them first.
	tb.Cleanup(func() {
		close(release)
		rc.Close()
	})
	return rc
}

// Answering is the answer of a receiver that answers every call status.
func Answering(status int) func(n int) int { return func(int) int { return status } }

func (rc *Receiver) handler(release <-chan struct{}) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.calls = append(rc.calls, Call{Method: r.Method, Path: r.URL.RequestURI(), Header: r.Header.Clone(),
			Close: r.Close, Body: string(b)})
		n, answer := len(rc.calls), rc.answer
		rc.mu.Unlock()
		if release != nil {
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		w.WriteHeader(answer(n))
	})
}

// SetAnswer changes the answer of the calls to come (n still counts every call).
func (rc *Receiver) SetAnswer(answer func(n int) int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.answer = answer
}

// Count is the number of calls so far.
func (rc *Receiver) Count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.calls)
}

// Call is the i-th call, from 0.
func (rc *Receiver) Call(i int) Call {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.calls[i]
}

// Calls are the calls so far, in the order they came.
func (rc *Receiver) Calls() []Call {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]Call(nil), rc.calls...)
}

// Eventually waits, in real time, until cond holds: for what the webhook
// outbox's worker does within its promise of 100 ms. It is never a wait for
// a schedule, which the test walks by moving the emulated clock.
func Eventually(tb testing.TB, cond func() bool, msgAndArgs ...any) {
	tb.Helper()
	require.Eventually(tb, cond, 5*time.Second, 2*time.Millisecond, msgAndArgs...)
}

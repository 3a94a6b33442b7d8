package fault_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/fault"
	"github.com/emulator/vendor-emulator/internal/httpx"
)

// adapter stands for a vendor's error adapter: it writes its own envelope
// and headers, and keeps what it was given.
type adapter struct {
	calls      int
	err        error
	retryAfter string // the Retry-After already set when it was called
}

func (a *adapter) write(w http.ResponseWriter, r *http.Request, err error) {
	a.calls++
	a.err = err
	a.retryAfter = w.Header().Get("Retry-After")
	status := http.StatusInternalServerError
	var se *httpx.StatusError
	if errors.As(err, &se) {
		status = se.Status
	}
	w.Header().Set("Content-Type", "application/vnd.api+json")
	w.Header().Set("X-Vendor", "fake")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"errors":[{"status":"%d","detail":%q}]}`, status, err.Error())
}

// handler stands for the vendor's handler: it answers 200 with the body
// it was sent, and counts its calls.
type handler struct{ calls int }

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.calls++
	b, _ := io.ReadAll(r.Body)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// TestServeStatus: a status rule is answered by the vendor's adapter with
// an *httpx.StatusError; a 429 gets Retry-After: 1 unless the rule sets its
// own, and the rule's headers win over the adapter's, which sees them
// first. The vendor's handler is never called, and the body is read.
func TestServeStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		hit        fault.Hit
		wantHeader http.Header // besides X-Vendor: fake
		wantErr    *httpx.StatusError
		retryAfter string // what the adapter saw
	}{
		{"status and message", fault.Hit{Rule: "f1", Status: 503, Message: "down for maintenance"},
			http.Header{"Content-Type": {"application/vnd.api+json"}}, &httpx.StatusError{Status: 503, Message: "down for maintenance"}, ""},
		{"no message", fault.Hit{Rule: "f1", Status: 500},
			http.Header{"Content-Type": {"application/vnd.api+json"}}, &httpx.StatusError{Status: 500}, ""},
		{"429", fault.Hit{Rule: "f1", Status: 429},
			http.Header{"Content-Type": {"application/vnd.api+json"}, "Retry-After": {"1"}}, &httpx.StatusError{Status: 429}, "1"},
		{"429 with the rule's Retry-After", fault.Hit{Rule: "f1", Status: 429, Headers: map[string]string{"Retry-After": "7"}},
			http.Header{"Content-Type": {"application/vnd.api+json"}, "Retry-After": {"7"}}, &httpx.StatusError{Status: 429}, "7"},
		{"Retry-After on a 503", fault.Hit{Rule: "f1", Status: 503, Headers: map[string]string{"Retry-After": "3"}},
			http.Header{"Content-Type": {"application/vnd.api+json"}, "Retry-After": {"3"}}, &httpx.StatusError{Status: 503}, "3"},
		{"the rule's headers win", fault.Hit{Rule: "f1", Status: 502,
			Headers: map[string]string{"Content-Type": "text/html", "X-Vendor": "rule", "X-Extra": "1"}},
			http.Header{"Content-Type": {"text/html"}, "X-Vendor": {"rule"}, "X-Extra": {"1"}}, &httpx.StatusError{Status: 502}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := strings.NewReader(`{"to":"+15550000000"}`)
			req := httptest.NewRequest("POST", "/courier/v1/messaging-messages", body)
			rec := httptest.NewRecorder()
			var a adapter
			var next handler
			abort := fault.Serve(rec, req, tt.hit, time.Second, a.write, &next)

			assert.False(t, abort)
			assert.Equal(t, 0, next.calls, "a faulted request never reaches the vendor")
			assert.Equal(t, 1, a.calls)
			var se *httpx.StatusError
			require.ErrorAs(t, a.err, &se)
			assert.Equal(t, tt.wantErr, se)
			assert.Equal(t, tt.retryAfter, a.retryAfter)
			assert.Equal(t, tt.hit.Status, rec.Code)
			want := tt.wantHeader.Clone()
			if want.Get("X-Vendor") == "" {
				want.Set("X-Vendor", "fake")
			}
			assert.Equal(t, want, rec.Header())
			assert.JSONEq(t, fmt.Sprintf(`{"errors":[{"status":"%d","detail":%q}]}`, tt.hit.Status, se.Text()), rec.Body.String())
			assert.Zero(t, body.Len(), "the body is read, for the journal")
		})
	}
}

// TestServeHeadersWithoutWriteHeader: an adapter that writes its body
// without a WriteHeader still answers with the rule's headers.
func TestServeHeadersWithoutWriteHeader(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	onErr := func(w http.ResponseWriter, r *http.Request, err error) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"error":"x"}`)
	}
	fault.Serve(rec, httptest.NewRequest("GET", "/x", nil), fault.Hit{Status: 500, Headers: map[string]string{"Content-Type": "text/plain"}},
		time.Second, onErr, http.NotFoundHandler())
	assert.Equal(t, "text/plain", rec.Header().Get("Content-Type"))
	assert.Equal(t, `{"error":"x"}`, rec.Body.String())
}

// TestServeDelay: a delay-only rule waits, then hands the request, body
// unread, to the vendor's handler; a delay before an error waits, then
// answers without it.
func TestServeDelay(t *testing.T) {
	t.Parallel()
	const delay = 30 * time.Millisecond
	t.Run("delay only", func(t *testing.T) {
		t.Parallel()
		rec := httptest.NewRecorder()
		var a adapter
		var next handler
		start := time.Now()
		abort := fault.Serve(rec, httptest.NewRequest("POST", "/x", strings.NewReader("hello")), fault.Hit{Rule: "f1", Delay: delay},
			time.Second, a.write, &next)
		assert.GreaterOrEqual(t, time.Since(start), delay)
		assert.False(t, abort)
		assert.Equal(t, 1, next.calls)
		assert.Equal(t, 0, a.calls)
		assert.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, "hello", rec.Body.String(), "the handler gets the whole body")
	})
	t.Run("no delay at all", func(t *testing.T) {
		t.Parallel()
		rec := httptest.NewRecorder()
		var next handler
		fault.Serve(rec, httptest.NewRequest("GET", "/x", nil), fault.Hit{Rule: "f1"}, time.Second, (&adapter{}).write, &next)
		assert.Equal(t, 1, next.calls, "a jitter drawn down to zero serves at once")
	})
	t.Run("delay then status", func(t *testing.T) {
		t.Parallel()
		rec := httptest.NewRecorder()
		var a adapter
		var next handler
		start := time.Now()
		fault.Serve(rec, httptest.NewRequest("GET", "/x", nil), fault.Hit{Rule: "f1", Status: 504, Delay: delay}, time.Second, a.write, &next)
		assert.GreaterOrEqual(t, time.Since(start), delay)
		assert.Equal(t, 0, next.calls)
		assert.Equal(t, 1, a.calls)
		assert.Equal(t, 504, rec.Code)
	})
}

// TestServeClientGone: a client that gives up during the delay gets
// nothing, and the request goes no further.
func TestServeClientGone(t *testing.T) {
	t.Parallel()
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	for _, hit := range []fault.Hit{
		{Rule: "f1", Delay: 300 * time.Millisecond},
		{Rule: "f1", Status: 503, Delay: 300 * time.Millisecond},
		{Rule: "f1", Network: fault.Reset, Delay: 300 * time.Millisecond},
		{Rule: "f1", Network: fault.Timeout}, // held with no bound but the client (DefaultHold)
	} {
		t.Run(fmt.Sprintf("%+v", hit), func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			var a adapter
			var next handler
			start := time.Now()
			abort := fault.Serve(rec, httptest.NewRequest("GET", "/x", nil).WithContext(gone), hit, 0, a.write, &next)
			assert.Less(t, time.Since(start), 300*time.Millisecond)
			assert.False(t, abort, "nobody to answer, nothing to abort")
			assert.Equal(t, 0, next.calls)
			assert.Equal(t, 0, a.calls)
			assert.Empty(t, rec.Header())
			assert.Zero(t, rec.Body.Len())
		})
	}

	t.Run("during the delay", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		var next handler
		start := time.Now()
		fault.Serve(httptest.NewRecorder(), httptest.NewRequest("GET", "/x", nil).WithContext(ctx),
			fault.Hit{Rule: "f1", Delay: 300 * time.Millisecond}, 0, (&adapter{}).write, &next)
		assert.Less(t, time.Since(start), 300*time.Millisecond)
		assert.Equal(t, 0, next.calls)
	})
}

// TestServeNetworkCannotHijack: a network fault on a connection that
// cannot be taken over (a recorder, as HTTP/2) reports abort, so that the
// caller fails the stream; nothing is written and the handler not called.
func TestServeNetworkCannotHijack(t *testing.T) {
	t.Parallel()
	for _, network := range []string{fault.Reset, fault.Empty, fault.Timeout} {
		t.Run(network, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			var a adapter
			var next handler
			body := strings.NewReader("hello")
			abort := fault.Serve(rec, httptest.NewRequest("POST", "/x", body), fault.Hit{Rule: "f1", Network: network},
				time.Millisecond, a.write, &next)
			assert.True(t, abort)
			assert.Equal(t, 0, next.calls)
			assert.Equal(t, 0, a.calls)
			assert.Empty(t, rec.Header())
			assert.Zero(t, rec.Body.Len())
			assert.Zero(t, body.Len(), "the body is read, for the journal")
		})
	}
}

// TestServeNetwork: on a real connection, reset is a TCP reset, empty an
// orderly close without an answer, and timeout holds the request until the
// hold passes or the client gives up.
func TestServeNetwork(t *testing.T) {
	t.Parallel()
	// serve starts a server that faults every request with hit, and
	// reports what Serve returned.
	serve := func(t *testing.T, hit fault.Hit, hold time.Duration) (*httptest.Server, <-chan bool) {
		done := make(chan bool, 1)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			done <- fault.Serve(w, r, hit, hold, (&adapter{}).write, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
				t.Error("the handler is called")
			}))
		}))
		t.Cleanup(srv.Close)
		return srv, done
	}
	client := func(timeout time.Duration) *http.Client {
		return &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
	}
	served := func(t *testing.T, done <-chan bool) bool {
		t.Helper()
		select {
		case abort := <-done:
			return abort
		case <-time.After(time.Second):
			require.FailNow(t, "Serve did not return")
			return false
		}
	}

	t.Run("reset", func(t *testing.T) {
		t.Parallel()
		srv, done := serve(t, fault.Hit{Rule: "f1", Network: fault.Reset}, time.Second)
		_, err := client(time.Second).Post(srv.URL, "application/json", strings.NewReader(`{}`))
		assert.ErrorIs(t, err, syscall.ECONNRESET)
		assert.False(t, served(t, done))
	})
	t.Run("empty", func(t *testing.T) {
		t.Parallel()
		srv, done := serve(t, fault.Hit{Rule: "f1", Network: fault.Empty}, time.Second)
		_, err := client(time.Second).Get(srv.URL)
		assert.ErrorIs(t, err, io.EOF)
		assert.False(t, served(t, done))
	})
	t.Run("timeout, held until the hold passes", func(t *testing.T) {
		t.Parallel()
		const hold = 50 * time.Millisecond
		srv, done := serve(t, fault.Hit{Rule: "f1", Network: fault.Timeout}, hold)
		start := time.Now()
		_, err := client(time.Second).Get(srv.URL)
		assert.GreaterOrEqual(t, time.Since(start), hold)
		assert.ErrorIs(t, err, io.EOF, "closed as the server closes on its write timeout")
		assert.False(t, served(t, done))
	})
	t.Run("timeout, until the client gives up", func(t *testing.T) {
		t.Parallel()
		srv, done := serve(t, fault.Hit{Rule: "f1", Network: fault.Timeout}, time.Minute)
		start := time.Now()
		_, err := client(100*time.Millisecond).Post(srv.URL, "application/json", strings.NewReader(`{}`))
		var ne interface{ Timeout() bool }
		require.ErrorAs(t, err, &ne)
		assert.True(t, ne.Timeout())
		assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)
		assert.False(t, served(t, done), "the held request ends with the client")
	})
}

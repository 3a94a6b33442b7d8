package fault

import (
	"io"
	"net"
	"net/http"
	"time"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

// DefaultHold is how long a "timeout" fault holds a request when the server
// has no write timeout to bound it.
const DefaultHold = 2 * time.Minute

// RetryAfter is the Retry-After of a 429 whose rule sets none (seconds).
const RetryAfter = "1"

// Serve carries out hit: it waits out the delay, then fails the
// connection, or answers the rule's error through onErr (the vendor's own
// error adapter), or, for a rule that only delays, serves the request with
// next. A faulted request never reaches next, so it changes nothing. hold
// bounds a "timeout" fault (the server's write timeout). Serve reports
// abort when the connection cannot be taken over (HTTP/2): the caller
// panics with http.ErrAbortHandler once it has recorded the request.
func Serve(w http.ResponseWriter, r *http.Request, hit Hit, hold time.Duration, onErr httpx.ErrorWriter, next http.Handler) (abort bool) {
	delayOnly := hit.Status == 0 && hit.Network == ""
	if !delayOnly {
		// Read the body: the journal keeps what was sent, and only once a
		// body is read does the server notice a client that goes away.
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, httpx.MaxBodyBytes))
	}
	if hit.Delay > 0 {
		t := time.NewTimer(hit.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return false // the client gave up: nobody to answer
		}
	}
	switch {
	case delayOnly:
		next.ServeHTTP(w, r)
	case hit.Network == Timeout:
		if hold <= 0 {
			hold = DefaultHold
		}
		t := time.NewTimer(hold)
		defer t.Stop()
		select {
		case <-t.C: // the server would now give up writing: close, as it does
			return !drop(w, false)
		case <-r.Context().Done():
		}
	case hit.Network != "":
		return !drop(w, hit.Network == Reset)
	default:
		if hit.Status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", RetryAfter)
		}
		for k, v := range hit.Headers {
			w.Header().Set(k, v) // the adapter may word its message by them (courier's Retry-After)
		}
		onErr(&withHeaders{ResponseWriter: w, headers: hit.Headers}, r, &httpx.StatusError{Status: hit.Status, Message: hit.Message})
	}
	return false
}

// drop closes the request's connection without an answer; with reset, the
// peer sees a TCP reset instead of an orderly close. It reports false when
// the connection cannot be taken over.
func drop(w http.ResponseWriter, reset bool) bool {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return false
	}
	if tc, ok := conn.(*net.TCPConn); ok && reset {
		_ = tc.SetLinger(0) // close sends RST
	}
	_ = conn.Close()
	return true
}

// withHeaders sets the rule's headers again when the answer's header is
// written, so that they win over what the vendor's adapter set.
type withHeaders struct {
	http.ResponseWriter
	headers map[string]string
	wrote   bool
}

func (w *withHeaders) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		for k, v := range w.headers {
			w.Header().Set(k, v)
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *withHeaders) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

func (w *withHeaders) Unwrap() http.ResponseWriter { return w.ResponseWriter }

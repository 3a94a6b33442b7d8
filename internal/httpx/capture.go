package httpx

import (
	"io"
	"net/http"
	"strings"
)

// Capped keeps the first Limit bytes written to it and accepts the rest: the
// journal and courier's sniffers record bodies with it. It keeps them in a
// strings.Builder, so that String hands them over without a copy.
type Capped struct {
	Limit int
	b     strings.Builder
}

// Write implements io.Writer; it never fails.
func (c *Capped) Write(p []byte) (int, error) {
	if room := c.Limit - c.b.Len(); room > 0 {
		if c.b.Cap() == 0 {
			// Most bodies arrive in one write: size the buffer once.
			c.b.Grow(min(c.Limit, max(len(p), 512)))
		}
		c.b.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// String returns what was kept.
func (c *Capped) String() string { return c.b.String() }

// TeeBody makes r's body copy what the handler reads of it into into.
func TeeBody(r *http.Request, into *Capped) {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.TeeReader(r.Body, into), r.Body}
	}
}

// Recorder passes a response through while keeping its status and the first
// Body.Limit bytes of its body.
type Recorder struct {
	http.ResponseWriter
	Status      int
	Body        Capped
	wroteHeader bool
}

// NewRecorder records what is written to w, keeping up to limit body bytes.
func NewRecorder(w http.ResponseWriter, limit int) *Recorder {
	return &Recorder{ResponseWriter: w, Status: http.StatusOK, Body: Capped{Limit: limit}}
}

// WriteHeader implements http.ResponseWriter.
func (r *Recorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.Status, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

// Write implements http.ResponseWriter.
func (r *Recorder) Write(p []byte) (int, error) {
	r.wroteHeader = true
	_, _ = r.Body.Write(p)
	return r.ResponseWriter.Write(p)
}

// Wrote reports whether anything was written: a status or body bytes.
func (r *Recorder) Wrote() bool { return r.wroteHeader }

// Unwrap lets http.ResponseController reach the real writer.
func (r *Recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

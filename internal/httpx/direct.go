package httpx

import (
	"bytes"
	"io"
	"net/http"
)

// A vendor's hottest routes may resolve the caller's credential inside the
// route's own statement (one statement instead of the credential's lookup
// and then the work). Such a direct handler answers only what it is sure of
// and hands every other request to the general path (the vendor's
// authentication, then the route's handler), which answers as always, so
// errors keep their order and their text.

// Direct serves a route with serve, which answers the request or returns it
// (possibly with a replayed body) for general.
func Direct(serve func(w http.ResponseWriter, r *http.Request) *http.Request, general http.Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if next := serve(w, r); next != nil {
			general.ServeHTTP(w, next)
		}
	}
}

// ReadAheadMax bounds the body a direct write reads before it knows the
// caller. The server drains an unread body of up to 256 KiB after the
// handler to keep the connection, so reading one this small first changes
// nothing a client sees, whatever the general path then answers.
const ReadAheadMax = 64 << 10

// ReadAhead reads r's body for a direct write. read is false, and nothing is
// read, when the length is unknown or over ReadAheadMax, or the client waits
// for "100 Continue" (reading would send it where the general path may not).
func ReadAhead(r *http.Request) (body []byte, read bool, err error) {
	if r.ContentLength < 0 || r.ContentLength > ReadAheadMax || r.Header.Get("Expect") != "" {
		return nil, false, nil
	}
	body, err = io.ReadAll(r.Body)
	return body, true, err
}

// ReadAheadOrGeneral is ReadAhead for a direct write that hands over what
// it cannot read: general is the request the general path must answer
// instead (unread, or with the body read so far and its error replayed),
// nil when body is ready.
func ReadAheadOrGeneral(r *http.Request) (body []byte, general *http.Request) {
	body, read, err := ReadAhead(r)
	switch {
	case !read:
		return nil, r
	case err != nil:
		return nil, Replay(r, body, err)
	}
	return body, nil
}

// Replay is r for the general path after ReadAhead: its body reads the same
// bytes and ends the same way (err, or EOF).
func Replay(r *http.Request, body []byte, err error) *http.Request {
	r = r.WithContext(r.Context())
	var rd io.Reader = bytes.NewReader(body)
	if err != nil {
		rd = io.MultiReader(rd, errReader{err})
	}
	r.Body = io.NopCloser(rd)
	return r
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

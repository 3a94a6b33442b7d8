package partner

import (
	"bytes"
	"io"
	"net/http"
)

// readAheadMax bounds the body a direct write reads before it knows the
// caller. The server drains an unread body of up to 256 KiB after the
// handler to keep the connection, so reading one this small first changes
// nothing a client sees, whatever the general path then answers.
const readAheadMax = 64 << 10

// readAhead reads r's body for a direct write. read is false, and nothing is
// read, when the length is unknown or over readAheadMax, or the client waits
// for "100 Continue" (reading would send it where the general path may not).
func readAhead(r *http.Request) (body []byte, read bool, err error) {
	if r.ContentLength < 0 || r.ContentLength > readAheadMax || r.Header.Get("Expect") != "" {
		return nil, false, nil
	}
	body, err = io.ReadAll(r.Body)
	return body, true, err
}

// replay is r for the general path after readAhead: its body reads the same
// bytes and ends the same way (err, or EOF).
func replay(r *http.Request, body []byte, err error) *http.Request {
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

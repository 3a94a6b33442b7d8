package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTimeoutFaultEndsAtTheWriteTimeout: a "timeout" fault holds a client
// that never gives up only as long as the server's -write-timeout, then
// closes the connection without an answer, as the server would; meanwhile
// the emulator serves everyone else. (The timeout is long enough for the
// other request to be served on a loaded machine under -race.)
func TestTimeoutFaultEndsAtTheWriteTimeout(t *testing.T) {
	t.Parallel()
	base, stop := start(t, "-write-timeout", "2s", "-shutdown-timeout", "200ms")
	res, err := http.Post(base+"/_emulator/faults", "application/json",
		strings.NewReader(`{"vendor":"360dialog","path":"/api/v2/partners/*/channels","network":"timeout"}`))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusCreated, res.StatusCode)

	held := make(chan error, 1)
	go func() {
		// No client timeout: only the server ends this request.
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		req, _ := http.NewRequest(http.MethodGet, base+"/360dialog/api/v2/partners/examplePA/channels", nil)
		req.Header.Set("X-API-Key", "examplePA-api-key")
		res, err := client.Do(req)
		if err == nil {
			res.Body.Close()
		}
		held <- err
	}()
	status, _ := get(t, base+"/360dialog/api/v2/partners/examplePA", "X-API-Key: examplePA-api-key")
	assert.Equal(t, http.StatusOK, status, "another route answers while one is held")

	select {
	case err := <-held:
		require.Error(t, err, "no answer: the connection was closed")
		assert.ErrorIs(t, err, io.EOF)
	case <-time.After(10 * time.Second):
		t.Fatal("the held request outlived the write timeout")
	}
	require.NoError(t, stop(), "a clean exit")
}

// TestShutdownEndsAHeldRequest: a request a "timeout" fault holds does not
// keep the emulator from stopping.
func TestShutdownEndsAHeldRequest(t *testing.T) {
	t.Parallel()
	base, stop := start(t, "-shutdown-timeout", "200ms")
	res, err := http.Post(base+"/_emulator/faults", "application/json", strings.NewReader(`{"network":"timeout"}`))
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusCreated, res.StatusCode)

	held := make(chan error, 1)
	go func() {
		res, err := http.Post(base+"/courier/v1/messaging-messages/", "application/vnd.api+json", strings.NewReader(`{"data":{}}`))
		if err == nil {
			res.Body.Close()
		}
		held <- err
	}()
	// The journal shows a request only once it ends: the rule's hit says
	// the request has reached it.
	require.Eventually(t, func() bool {
		_, body := get(t, base+"/_emulator/faults")
		return strings.Contains(body, `"hits":1`)
	}, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, stop(), "the exit is clean although a request was held")
	select {
	case err := <-held:
		assert.Error(t, err, "the held request's connection was closed")
	case <-time.After(10 * time.Second):
		t.Fatal("the held request outlived the shutdown")
	}
}

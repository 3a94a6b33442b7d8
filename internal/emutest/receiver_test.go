package emutest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
)

func post(t *testing.T, url, body string, header ...string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	return res.StatusCode
}

func TestReceiverAnswersAndRecordsEveryCall(t *testing.T) {
	t.Parallel()
	rc := emutest.NewReceiver(t, func(n int) int { return []int{503, 201}[n-1] })
	assert.Zero(t, rc.Count())
	assert.Equal(t, 503, post(t, rc.URL+"/hook?k=1", `{"a":1}`, "Authorization", "s3cret"))
	assert.Equal(t, 201, post(t, rc.URL+"/other", ``, "Connection", "close"))
	rc.SetAnswer(emutest.Answering(http.StatusNoContent))
	assert.Equal(t, 204, post(t, rc.URL, `x`))

	require.Equal(t, 3, rc.Count())
	first := rc.Call(0)
	assert.Equal(t, http.MethodPost, first.Method)
	assert.Equal(t, "/hook?k=1", first.Path)
	assert.Equal(t, "s3cret", first.Header.Get("Authorization"))
	assert.False(t, first.Close)
	assert.Equal(t, `{"a":1}`, first.Body)
	assert.True(t, rc.Call(1).Close, "Connection: close")
	assert.Equal(t, "/other", rc.Call(1).Path)
	calls := rc.Calls()
	require.Len(t, calls, 3)
	assert.Equal(t, []string{`{"a":1}`, ``, `x`}, []string{calls[0].Body, calls[1].Body, calls[2].Body})
}

// A hanging receiver holds a call until the test ends: its cleanup releases
// the call before it closes the server, so the cleanup itself never hangs.
func TestHangingReceiverHoldsACallUntilTheTestEnds(t *testing.T) {
	t.Parallel()
	answered := make(chan int, 1)
	t.Run("hang", func(t *testing.T) {
		hang := emutest.NewHangingReceiver(t)
		go func() {
			res, err := http.Post(hang.URL, "application/json", strings.NewReader(`{}`))
			if err != nil {
				answered <- 0
				return
			}
			res.Body.Close()
			answered <- res.StatusCode
		}()
		emutest.Eventually(t, func() bool { return hang.Count() == 1 }, "the call arrives")
	})
	// The subtest's cleanup released the call: it ends, with no status written.
	assert.Equal(t, http.StatusOK, <-answered)
}

package httpx

import (
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReplayReadsTheSame: the general path reads from a replayed body the
// bytes the direct path read, and the same error at their end.
func TestReplayReadsTheSame(t *testing.T) {
	t.Parallel()
	broken := errors.New("connection reset")
	r := httptest.NewRequest("PATCH", "/x", io.MultiReader(strings.NewReader(`{"webhook_url":`), errReader{broken}))
	r.ContentLength = 100
	body, read, err := ReadAhead(r)
	require.True(t, read)
	assert.Equal(t, `{"webhook_url":`, string(body))
	assert.Same(t, broken, err)
	again, err := io.ReadAll(Replay(r, body, err).Body)
	assert.Equal(t, `{"webhook_url":`, string(again))
	assert.Same(t, broken, err)

	for _, tc := range []struct {
		name   string
		length int64
		expect string
	}{{"unknown length", -1, ""}, {"over the bound", ReadAheadMax + 1, ""}, {"100-continue", 10, "100-continue"}} {
		r := httptest.NewRequest("PATCH", "/x", strings.NewReader(`{}`))
		r.ContentLength = tc.length
		if tc.expect != "" {
			r.Header.Set("Expect", tc.expect)
		}
		_, read, _ := ReadAhead(r)
		assert.False(t, read, tc.name)
		rest, _ := io.ReadAll(r.Body)
		assert.Equal(t, `{}`, string(rest), "%s: nothing is read", tc.name)
	}
}

// TestReadAheadOrGeneral: a body read whole is ready; one that cannot be
// read ahead goes to the general path unread; a failed read goes there with
// what was read and the same error.
func TestReadAheadOrGeneral(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("PATCH", "/x", strings.NewReader(`{"a":1}`))
	body, general := ReadAheadOrGeneral(r)
	assert.Nil(t, general)
	assert.Equal(t, `{"a":1}`, string(body))

	r = httptest.NewRequest("PATCH", "/x", strings.NewReader(`{}`))
	r.ContentLength = -1
	body, general = ReadAheadOrGeneral(r)
	assert.Nil(t, body)
	assert.Same(t, r, general)

	broken := errors.New("connection reset")
	r = httptest.NewRequest("PATCH", "/x", io.MultiReader(strings.NewReader(`{"a"`), errReader{broken}))
	r.ContentLength = 10
	body, general = ReadAheadOrGeneral(r)
	assert.Nil(t, body)
	require.NotNil(t, general)
	again, err := io.ReadAll(general.Body)
	assert.Equal(t, `{"a"`, string(again))
	assert.Same(t, broken, err)
}

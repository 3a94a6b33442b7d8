package control_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/control"
	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/partner"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

func newEnv(t *testing.T) *emutest.Env {
	return emutest.New(t, []store.Schema{partner.Schema()}, func(d server.Deps) []server.Vendor {
		return []server.Vendor{partner.New(d)}
	})
}

func TestHealth(t *testing.T) {
	t.Parallel()
	res := newEnv(t).Do(t, "GET", "/_emulator/health", "")
	assert.Equal(t, 200, res.Status)
	assert.JSONEq(t, `{"status":"ok","version":"test"}`, res.Body)
}

func TestReset(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	patch := func() {
		res := env.Do(t, "PATCH", "/360dialog/api/v2/partners/examplePA", `{"webhook_url":"https://x.example.com"}`, "X-API-Key: examplePA-api-key")
		require.Equal(t, 200, res.Status)
	}
	webhook := func() string {
		return env.Do(t, "GET", "/360dialog/api/v2/partners/examplePA/webhook_url", "", "X-API-Key: examplePA-api-key").Body
	}
	const seeded = `{"webhook_url":"https://yourwebsite.com/webhook"}`
	for _, q := range []string{"", "?vendor=360dialog"} {
		patch()
		res := env.Do(t, "POST", "/_emulator/reset"+q, "")
		assert.Equal(t, 200, res.Status)
		assert.JSONEq(t, `{"status":"ok"}`, res.Body)
		assert.JSONEq(t, seeded, webhook())
	}
	patch()
	res := env.Do(t, "POST", "/_emulator/reset?vendor=nobody", "")
	assert.Equal(t, 400, res.Status)
	assert.JSONEq(t, `{"error":"unknown vendor \"nobody\"; one of 360dialog"}`, res.Body)
	assert.NotEqual(t, seeded, webhook(), "a refused reset changes nothing")
	assert.Equal(t, 405, env.Do(t, "GET", "/_emulator/reset", "").Status)
}

type clockBody struct {
	Now    time.Time `json:"now"`
	Frozen bool      `json:"frozen"`
}

func readClock(t *testing.T, body string) clockBody {
	t.Helper()
	var c clockBody
	require.NoError(t, json.Unmarshal([]byte(body), &c), body)
	return c
}

func TestClock(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	c := readClock(t, env.Do(t, "GET", "/_emulator/clock", "").Body)
	assert.Equal(t, clockBody{emutest.Start, true}, c)

	c = readClock(t, env.Do(t, "POST", "/_emulator/clock", `{"advance":"2m1s"}`).Body)
	assert.Equal(t, clockBody{emutest.Start.Add(121 * time.Second), true}, c)

	c = readClock(t, env.Do(t, "POST", "/_emulator/clock", `{"set":"2026-01-01T00:00:00Z"}`).Body)
	assert.Equal(t, clockBody{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), true}, c)

	c = readClock(t, env.Do(t, "POST", "/_emulator/clock", `{"freeze":false}`).Body)
	assert.False(t, c.Frozen)
	assert.WithinDuration(t, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), c.Now, time.Minute)
	c = readClock(t, env.Do(t, "POST", "/_emulator/clock", `{"freeze":true}`).Body)
	assert.True(t, c.Frozen)

	// Combined: the freeze comes first, so the clock stops exactly at the instant set.
	env.Do(t, "POST", "/_emulator/clock", `{"freeze":false}`)
	c = readClock(t, env.Do(t, "POST", "/_emulator/clock", `{"set":"2027-03-01T08:00:00Z","advance":"1h","freeze":true}`).Body)
	assert.Equal(t, clockBody{time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC), true}, c)

	res := env.Do(t, "DELETE", "/_emulator/clock", "")
	c = readClock(t, res.Body)
	assert.False(t, c.Frozen)
	assert.WithinDuration(t, time.Now(), c.Now, time.Minute)
	assert.Equal(t, time.UTC, c.Now.Location())
}

func TestClockBadInput(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	tests := map[string]string{
		`{"advance":"soon"}`:         `{"error":"advance must be a Go duration such as \"2m1s\": \"soon\""}`,
		`{"advance":"-1m"}`:          `{"error":"advance must not be negative: use \"set\" to move back"}`,
		`{"set":"yesterday"}`:        `{"error":"set must be an RFC 3339 time such as \"2026-01-01T00:00:00Z\": \"yesterday\""}`,
		`{"freeze":"yes"}`:           `{"error":"freeze must be a boolean, not string"}`,
		`{}`:                         `{"error":"body needs one of \"advance\", \"set\" or \"freeze\""}`,
		`{"speed":2}`:                `{"error":"unknown field \"speed\""}`,
		`{`:                          `{"error":"request body is not valid JSON"}`,
		`{"advance":"1m","set":"x"}`: `{"error":"set must be an RFC 3339 time such as \"2026-01-01T00:00:00Z\": \"x\""}`,
	}
	for body, want := range tests {
		res := env.Do(t, "POST", "/_emulator/clock", body)
		assert.Equal(t, 400, res.Status, body)
		assert.JSONEq(t, want, res.Body, body)
	}
	c := readClock(t, env.Do(t, "GET", "/_emulator/clock", "").Body)
	assert.Equal(t, emutest.Start, c.Now, "bad input moved nothing")
}

func TestUnknownControlCall(t *testing.T) {
	t.Parallel()
	res := newEnv(t).Do(t, "GET", "/_emulator/nothing", "")
	assert.Equal(t, 404, res.Status)
	assert.JSONEq(t, `{"error":"no such control-plane call: GET /_emulator/nothing."}`, res.Body)
}

func TestRequestsOfAnUnknownVendor(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	res := env.Do(t, "GET", "/_emulator/requests?vendor=nobody", "")
	assert.Equal(t, 400, res.Status)
	assert.JSONEq(t, `{"error":"unknown vendor \"nobody\"; one of 360dialog"}`, res.Body, "as on reset")
	res = env.Do(t, "GET", "/_emulator/requests?vendor=360dialog", "")
	assert.Equal(t, 200, res.Status)
	assert.Equal(t, 405, env.Do(t, "PUT", "/_emulator/requests", "").Status)
}

func TestJournalRing(t *testing.T) {
	t.Parallel()
	j := control.NewJournal(3, 10)
	for i := range 5 {
		j.Add(control.Entry{Path: string(rune('a' + i)), Vendor: []string{"x", "y"}[i%2]})
	}
	got := j.List("", 10)
	require.Len(t, got, 3)
	assert.Equal(t, []string{"e", "d", "c"}, []string{got[0].Path, got[1].Path, got[2].Path})
	got = j.List("y", 10)
	require.Len(t, got, 1)
	assert.Equal(t, "d", got[0].Path)
	j.Clear()
	assert.Empty(t, j.List("", 10))
}

func TestJournalKeepsEveryFieldWithinItsCap(t *testing.T) {
	t.Parallel()
	j := control.NewJournal(4, 100)
	huge := strings.Repeat("x", 1<<20)
	for range 10 {
		j.Add(control.Entry{ID: huge, Method: huge, Path: "/" + huge, Query: "q=" + huge, RequestBody: huge, ResponseBody: huge})
	}
	held := 0
	for _, e := range j.List("", 100) {
		assert.Len(t, e.Path, control.FieldLimit)
		assert.Len(t, e.Query, control.FieldLimit)
		assert.Len(t, e.RequestBody, 100)
		assert.Len(t, e.ResponseBody, 100)
		assert.LessOrEqual(t, len(e.ID), 200)
		held += len(e.ID) + len(e.Method) + len(e.Path) + len(e.Query) + len(e.RequestBody) + len(e.ResponseBody)
	}
	assert.LessOrEqual(t, held, j.WorstCaseBytes())
	// The journal the server keeps by default: 1,000 entries of 4 KiB bodies.
	assert.Equal(t, 1000*(2*4096+2*control.FieldLimit+512), control.NewJournal(1000, 4096).WorstCaseBytes())
}

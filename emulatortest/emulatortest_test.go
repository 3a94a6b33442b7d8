package emulatortest_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/emulatortest"
)

// A test gets its own world: what it changes, no other test sees.
func Example() {
	t := new(testing.T) // in a test, the test's own t
	w := emulatortest.New(t)

	// Point the client under test at the world instead of the vendor.
	req, _ := http.NewRequest(http.MethodPatch, w.BaseURL("360dialog")+"/api/v2/partners/examplePA",
		strings.NewReader(`{"webhook_url":"https://example.com/hook"}`))
	req.Header.Set("X-API-Key", "examplePA-api-key")
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	res.Body.Close()
	fmt.Println("PATCH", res.StatusCode)

	w.Freeze()
	before := w.Now()
	w.Advance(2 * time.Minute)
	fmt.Println("emulated time moved", w.Now().Sub(before))
	// Output:
	// PATCH 200
	// emulated time moved 2m0s
}

func webhookURL(t *testing.T, base string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/api/v2/partners/examplePA", nil)
	require.NoError(t, err)
	req.Header.Set("X-API-Key", "examplePA-api-key")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	_, after, _ := strings.Cut(string(body), `"webhook_url":"`)
	name, _, _ := strings.Cut(after, `"`)
	return name
}

func TestParallelTestsEachGetTheirOwnWorld(t *testing.T) {
	t.Parallel()
	for i := range 8 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			w := emulatortest.New(t)
			base := w.BaseURL("360dialog")
			assert.Equal(t, "https://yourwebsite.com/webhook", webhookURL(t, base), "every world starts from the fixtures")
			req, err := http.NewRequest(http.MethodPatch, base+"/api/v2/partners/examplePA",
				strings.NewReader(fmt.Sprintf(`{"webhook_url":"https://example.com/%d"}`, i)))
			require.NoError(t, err)
			req.Header.Set("X-API-Key", "examplePA-api-key")
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			res.Body.Close()
			require.Equal(t, http.StatusOK, res.StatusCode)
			assert.Equal(t, fmt.Sprintf("https://example.com/%d", i), webhookURL(t, base), "and keeps its own writes")

			w.Freeze()
			at := w.Now()
			w.Advance(time.Hour)
			assert.Equal(t, at.Add(time.Hour), w.Now(), "the clock is the world's: no other test moves it")
		})
	}
}

func TestWorldsComeAndGo(t *testing.T) {
	t.Parallel()
	var id, url string
	t.Run("one", func(t *testing.T) {
		w := emulatortest.New(t)
		id, url = w.ID, w.URL
		w.Set(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
		w.Reset()
		copyOf := emulatortest.New(t, emulatortest.From(w.ID))
		assert.Equal(t, 2030, copyOf.Now().Year(), "a copy takes the clock of its source")
		assert.JSONEq(t, string(w.State("360dialog")), string(copyOf.State("360dialog")))
		copyOf.Unfreeze()
		assert.False(t, copyOf.Now().Before(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)), "an unfrozen clock runs on from where it stood")

		doc := []byte(strings.Replace(string(w.State("360dialog")), "https://yourwebsite.com/webhook", "https://seeded.example/hook", 1))
		seeded := emulatortest.New(t, emulatortest.WithFixtures("360dialog", doc))
		assert.Equal(t, "https://seeded.example/hook", webhookURL(t, seeded.BaseURL("360dialog")), "a world seeded from a document of one's own")
		assert.Equal(t, "https://yourwebsite.com/webhook", webhookURL(t, w.BaseURL("360dialog")))
	})
	res, err := http.Get(url + "/w/" + id + "/_emulator/clock")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusNotFound, res.StatusCode, "the world is deleted when its test ends")
}

// TestFaults: a test scripts "fail twice, then succeed" with one call, and
// its faults stay in its own world.
func TestFaults(t *testing.T) {
	t.Parallel()
	w := emulatortest.New(t)
	other := emulatortest.New(t)
	status := func(base string) int {
		req, err := http.NewRequest(http.MethodGet, base+"/api/v2/partners/examplePA", nil)
		require.NoError(t, err)
		req.Header.Set("X-API-Key", "examplePA-api-key")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		return res.StatusCode
	}
	id := w.AddFault(emulatortest.Fault{Vendor: "360dialog", Method: "GET", Path: "/api/v2/partners/*", Status: 503, Times: 2})
	assert.Equal(t, "f1", id)
	assert.Equal(t, http.StatusOK, status(other.BaseURL("360dialog")), "another world's requests are not faulted")
	for _, want := range []int{503, 503, 200, 200} {
		assert.Equal(t, want, status(w.BaseURL("360dialog")))
	}
	w.AddFault(emulatortest.Fault{Vendor: "360dialog", Status: 429})
	assert.Equal(t, http.StatusTooManyRequests, status(w.BaseURL("360dialog")))
	w.ClearFaults()
	assert.Equal(t, http.StatusOK, status(w.BaseURL("360dialog")))
}

// TestWebhooks: a test receives a vendor's webhook, walks its retry by
// moving its world's clock, sees every attempt, and redelivers.
func TestWebhooks(t *testing.T) {
	t.Parallel()
	w := emulatortest.New(t)
	var calls atomic.Int32
	receiver := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			rw.WriteHeader(http.StatusServiceUnavailable) // the first attempt fails
		}
	}))
	t.Cleanup(receiver.Close)
	call := func(method, url, body string, header ...string) {
		req, err := http.NewRequest(method, url, strings.NewReader(body))
		require.NoError(t, err)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode, "%s %s", method, url)
	}
	w.Freeze()
	call(http.MethodPatch, w.BaseURL("loopmessage")+"/api/v1/organizations/details/0b7e3f52-6d1a-4c8e-9f20-3a5b7c9d1e01/",
		`{"webhook_url": "`+receiver.URL+`"}`, "Authorization", "lm-acme-default")
	call(http.MethodPost, w.URL+"/w/"+w.ID+"/_emulator/loopmessage/senders/5a0c1e2f-7b3d-4e5f-8a9b-0c1d2e3f4a01/status",
		`{"status": "suspended"}`)

	require.Eventually(t, func() bool { return len(w.Webhooks("loopmessage")) == 2 }, 5*time.Second, 2*time.Millisecond,
		"the failed attempt and its pending retry")
	w.Advance(30 * time.Second)
	var got []emulatortest.Delivery
	require.Eventually(t, func() bool {
		got = w.Webhooks("")
		return len(got) == 2 && got[0].Status == "delivered"
	}, 5*time.Second, 2*time.Millisecond, "the retry, once the clock reaches it")
	assert.Equal(t, 2, got[0].Attempt)
	assert.Equal(t, "failed", got[1].Status)
	assert.Equal(t, got[0].EventID, got[1].EventID)

	w.Redeliver(got[0].EventID)
	require.Eventually(t, func() bool { return calls.Load() == 3 }, 5*time.Second, 2*time.Millisecond)
	w.ClearWebhooks()
	assert.Empty(t, w.Webhooks(""))
}

package app_test

// End-to-end tests of fault rules (/_emulator/faults): a real server, real
// http.Clients, every vendor. What a client of the vendor sees is the point:
// the error envelope, the failed connection, the latency; and that nothing
// else (state, other worlds, the control plane) is touched.
//
// A note for clients of network faults: Go's http.Transport silently sends a
// request it deems replayable (GET, HEAD, OPTIONS, TRACE, or any request with
// an Idempotency-Key header) again when a reused keep-alive connection fails
// before any answer, so a "reset" or "empty" rule on a GET may look like it
// did nothing but count twice. Fault a POST, or use a Transport with
// DisableKeepAlives, to see the failure (see TestNetworkFaultsAsAClientSeesThem).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/app"
	"github.com/emulator/vendor-emulator/internal/control"
	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/fault"
)

// faultEmu is a running emulator that also tells when it has finished
// serving a request, by the X-Request-Id the test gave it: a network fault
// fails the client's connection before the emulator journals and logs the
// request, and the tests read the journal and the log without sleeping.
type faultEmu struct {
	*emu
	mu     sync.Mutex
	served map[string]chan struct{}
}

func startFaults(t *testing.T, o app.Options) *faultEmu {
	t.Helper()
	e := &faultEmu{served: map[string]chan struct{}{}}
	e.emu = serve(t, o, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if id := r.Header.Get("X-Request-Id"); id != "" {
				defer e.finish(id)
			}
			h.ServeHTTP(w, r)
		})
	})
	return e
}

func (e *faultEmu) done(id string) chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, ok := e.served[id]
	if !ok {
		c = make(chan struct{})
		e.served[id] = c
	}
	return c
}

func (e *faultEmu) finish(id string) {
	c := e.done(id)
	e.mu.Lock()
	defer e.mu.Unlock()
	select {
	case <-c: // an id sent twice
	default:
		close(c)
	}
}

// waitServed waits until the emulator has finished the request with that
// X-Request-Id (journaled and logged it). The timer only bounds a hang.
func (e *faultEmu) waitServed(id string) {
	e.t.Helper()
	select {
	case <-e.done(id):
	case <-time.After(10 * time.Second):
		e.t.Fatalf("the emulator never finished request %s", id)
	}
}

// send is do through client, with the error back instead of a failed test:
// a network fault's error is what the tests look at, and goroutines may
// call it.
func (e *emu) send(client *http.Client, method, path, body string, headers ...string) (answer, error) {
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	res, err := client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return answer{res.StatusCode, res.Header, string(b)}, err
}

// oneShot is a client that opens a new connection for every request, so
// that Go's transport never retries a failed one (see the note on top).
func oneShot(timeout time.Duration) *http.Client {
	tr := &http.Transport{DisableKeepAlives: true}
	return &http.Client{Timeout: timeout, Transport: tr}
}

// reusing is a client of one keep-alive connection: a request waits for
// the one before to hand it back, so that it is reused for sure.
func reusing() *http.Client {
	return &http.Client{Timeout: time.Second, Transport: &http.Transport{MaxConnsPerHost: 1}}
}

// addFault adds a rule in the world at base ("" the default world,
// "/w/{id}" another) and returns its id.
func (e *emu) addFault(base, spec string, headers ...string) string {
	e.t.Helper()
	res := e.do(http.MethodPost, base+"/_emulator/faults", spec, headers...)
	require.Equal(e.t, http.StatusCreated, res.status, spec+": "+res.body)
	var r fault.Rule
	require.NoError(e.t, json.Unmarshal([]byte(res.body), &r))
	return r.ID
}

func (e *emu) faults(base string, headers ...string) []fault.Rule {
	e.t.Helper()
	res := e.do(http.MethodGet, base+"/_emulator/faults", "", headers...)
	require.Equal(e.t, http.StatusOK, res.status, res.body)
	var list struct {
		Faults []fault.Rule `json:"faults"`
	}
	require.NoError(e.t, json.Unmarshal([]byte(res.body), &list))
	require.NotNil(e.t, list.Faults, "an empty list is [], not null: %s", res.body)
	return list.Faults
}

func (e *emu) clearFaults(base string) {
	e.t.Helper()
	require.Equal(e.t, http.StatusNoContent, e.do(http.MethodDelete, base+"/_emulator/faults", "").status)
}

// journaled is the journal entry of the request with that X-Request-Id.
func (e *emu) journaled(base, id string) control.Entry {
	e.t.Helper()
	res := e.do(http.MethodGet, base+"/_emulator/requests?limit=1000", "")
	require.Equal(e.t, http.StatusOK, res.status, res.body)
	var j struct {
		Requests []control.Entry `json:"requests"`
	}
	require.NoError(e.t, json.Unmarshal([]byte(res.body), &j))
	for _, en := range j.Requests {
		if en.ID == id {
			return en
		}
	}
	e.t.Fatalf("no journal entry %s in %s", id, res.body)
	return control.Entry{}
}

func (e *emu) state(base, vendor string) string {
	e.t.Helper()
	res := e.do(http.MethodGet, base+"/_emulator/state?vendor="+vendor, "")
	require.Equal(e.t, http.StatusOK, res.status, res.body)
	return res.body
}

func ids(rules []fault.Rule) []string {
	out := make([]string, len(rules))
	for i, r := range rules {
		out[i] = r.ID
	}
	return out
}

// call is one vendor request that answers 2xx on the default fixtures.
type call struct {
	vendor, method, path, body string
	headers                    []string
}

// reads are one read per vendor.
func reads() []call {
	return []call{
		{"loopmessage", http.MethodGet, "/loopmessage/api/v1/organizations/list/", "", []string{loopKey}},
		{"360dialog", http.MethodGet, "/360dialog/api/v2/partners/examplePA", "", []string{partnerKey}},
		{"greenarrow", http.MethodGet, "/greenarrow/ga/api/v2/organizations/1", "", []string{gaAdmin}},
		{"courier", http.MethodGet, "/courier/v1/messaging-channels/", "", []string{courierTok}},
	}
}

// writes are one write per vendor, each of which changes the vendor's state.
func writes() []call {
	return []call{
		{"loopmessage", http.MethodPost, "/loopmessage/api/v1/organizations/new/",
			`{"name": "Faulted", "website": "https://f.example.com", "support_url": "https://f.example.com/help", "country": "US"}`,
			[]string{loopKey, "Content-Type: application/json"}},
		{"360dialog", http.MethodPatch, "/360dialog/api/v2/partners/examplePA", `{"webhook_url": "https://faulted.example/hook"}`,
			[]string{partnerKey, "Content-Type: application/json"}},
		{"greenarrow", http.MethodPost, "/greenarrow/ga/api/v2/organizations", `{"organization": {"name": "Faulted"}}`,
			[]string{gaAdmin, "Content-Type: application/json"}},
		{"courier", http.MethodPost, "/courier/v1/messaging-messages/",
			`{"data": {"type": "messaging-messages", "attributes": {"channel-id": "50000000-0000-4000-8000-000000000001", "individual-id": "30000000-0000-4000-8000-000000000001", "message": "faulted message"}}}`,
			[]string{courierTok, "Content-Type: application/vnd.api+json"}},
	}
}

// --- Error answers: each vendor's own envelope ---

func TestFaultAnswersInEachVendorsEnvelope(t *testing.T) {
	t.Parallel()
	e := startFaults(t, app.Options{})
	contentTypes := map[string]string{
		"loopmessage": "application/json",
		"360dialog":   "application/json",
		"greenarrow":  "application/json; charset=utf-8",
		"courier":     "application/vnd.api+json",
	}
	// text is what LoopMessage, 360dialog and GreenArrow say: the rule's
	// message, else the status's words. Courier words an error without a
	// message as Django REST framework does.
	for _, c := range []struct {
		name          string
		rule          string
		status        int
		retryAfter    string
		text          string
		gaCode        string
		courierCode   string
		courierDetail string
	}{
		{"429 gets Retry-After: 1", `{"status": 429}`, 429, "1",
			"Too Many Requests", "invalid_request", "Throttled", "Request was throttled. Expected available in 1 second."},
		{"429 with the rule's Retry-After", `{"status": 429, "headers": {"retry-after": "3"}}`, 429, "3",
			"Too Many Requests", "invalid_request", "Throttled", "Request was throttled. Expected available in 3 seconds."},
		{"429 with the rule's message", `{"status": 429, "message": "Slow down.", "headers": {"Retry-After": "7"}}`, 429, "7",
			"Slow down.", "invalid_request", "Throttled", "Slow down."},
		{"503", `{"status": 503}`, 503, "",
			"Service Unavailable", "internal_error", "ServiceUnavailable", "Service temporarily unavailable, try again later."},
		{"503 with the rule's message", `{"status": 503, "message": "Down for \"maintenance\"."}`, 503, "",
			`Down for "maintenance".`, "internal_error", "ServiceUnavailable", `Down for "maintenance".`},
		{"503 with the rule's Retry-After", `{"status": 503, "headers": {"Retry-After": "30"}}`, 503, "30",
			"Service Unavailable", "internal_error", "ServiceUnavailable", "Service temporarily unavailable, try again later."},
		{"500", `{"status": 500}`, 500, "",
			"Internal Server Error", "internal_error", "InternalServerError", "A server error occurred."},
		{"502", `{"status": 502}`, 502, "", "Bad Gateway", "internal_error", "BadGateway", "Bad Gateway"},
		{"504", `{"status": 504}`, 504, "", "Gateway Timeout", "internal_error", "GatewayTimeout", "Gateway Timeout"},
	} {
		want := map[string]string{
			"loopmessage": fmt.Sprintf(`{"success": false, "code": 100, "message": %q}`, c.text),
			"360dialog":   fmt.Sprintf(`{"meta": {"success": false, "http_code": %d, "developer_message": %q, "details": []}}`, c.status, c.text),
			"greenarrow":  fmt.Sprintf(`{"success": false, "data": null, "error_code": %q, "error_message": %q}`, c.gaCode, c.text),
			"courier":     fmt.Sprintf(`{"errors": [{"status": %d, "code": %q, "detail": %q, "meta": {}}]}`, c.status, c.courierCode, c.courierDetail),
		}
		// A rule without a vendor fails every vendor, each in its own words.
		e.addFault("", c.rule)
		for _, v := range reads() {
			res := e.do(v.method, v.path, v.body, v.headers...)
			assert.Equal(t, c.status, res.status, "%s: %s", c.name, v.vendor)
			assert.JSONEq(t, want[v.vendor], res.body, "%s: %s", c.name, v.vendor)
			assert.Equal(t, contentTypes[v.vendor], res.header.Get("Content-Type"), "%s: %s", c.name, v.vendor)
			assert.Equal(t, c.retryAfter, res.header.Get("Retry-After"), "%s: %s", c.name, v.vendor)
			assert.NotEmpty(t, res.header.Get("X-Request-Id"), "%s: %s", c.name, v.vendor)
		}
		e.clearFaults("")
	}

	// Without a rule every read answers again.
	for _, v := range reads() {
		assert.Equal(t, http.StatusOK, e.do(v.method, v.path, v.body, v.headers...).status, v.vendor)
	}

	// Any other header of the rule reaches the client too, beside the vendor's own.
	e.addFault("", `{"vendor": "courier", "status": 503, "headers": {"x-fault": "yes", "Cache-Control": "no-store"}}`)
	res := e.do(http.MethodGet, "/courier/v1/messaging-channels/", "", courierTok)
	assert.Equal(t, http.StatusServiceUnavailable, res.status)
	assert.Equal(t, "yes", res.header.Get("X-Fault"))
	assert.Equal(t, "no-store", res.header.Get("Cache-Control"))
	assert.Equal(t, "application/vnd.api+json", res.header.Get("Content-Type"))
}

// --- Which requests a rule reaches ---

func TestFaultsNeverReachTheControlPlane(t *testing.T) {
	t.Parallel()
	e := startFaults(t, app.Options{})
	w := e.create(`{"id": "w"}`)
	// The widest rules there are: no vendor, no method, every path, in both worlds.
	for _, base := range []string{"", "/w/" + w} {
		e.addFault(base, `{"network": "reset"}`)
		e.addFault(base, `{"path": "/**", "status": 503}`)
	}
	for _, base := range []string{"", "/w/" + w} {
		for _, c := range []struct{ method, path, body string }{
			{http.MethodGet, "/_emulator/health", ""},
			{http.MethodGet, "/_emulator/faults", ""},
			{http.MethodGet, "/_emulator/requests", ""},
			{http.MethodGet, "/_emulator/state?vendor=loopmessage", ""},
			{http.MethodGet, "/_emulator/clock", ""},
			{http.MethodPost, "/_emulator/clock", `{"advance": "1s"}`},
		} {
			res := e.do(c.method, base+c.path, c.body)
			assert.Equal(t, http.StatusOK, res.status, base+c.path+": "+res.body)
		}
		assert.Equal(t, http.StatusOK, e.do(http.MethodGet, base+"/", "", "Accept: application/json").status, base+"/")
	}
	res := e.do(http.MethodGet, "/elsewhere", "")
	assert.Equal(t, http.StatusNotFound, res.status)
	assert.JSONEq(t, `{"error": "not found: no vendor is served at /elsewhere; GET / lists what is served where"}`, res.body)
	assert.Equal(t, http.StatusOK, e.do(http.MethodGet, "/_emulator/worlds", "").status)

	// Every vendor request is reset, in both worlds.
	for _, base := range []string{"", "/w/" + w} {
		for _, v := range reads() {
			_, err := e.send(oneShot(time.Second), v.method, base+v.path, v.body, v.headers...)
			assert.ErrorIs(t, err, syscall.ECONNRESET, base+v.path)
		}
	}
}

func TestFaultRulesMatchVendorMethodAndPath(t *testing.T) {
	t.Parallel()
	e := startFaults(t, app.Options{})
	for _, c := range []struct {
		rule    string
		faulted []string // "METHOD path" of the requests the rule fails
		through []string // and of those it lets through
	}{
		{`{"vendor": "loopmessage", "status": 503}`,
			[]string{"GET /loopmessage/api/v1/organizations/list/", "POST /loopmessage/api/v1/organizations/new/"},
			[]string{"GET /360dialog/api/v2/partners/examplePA", "GET /courier/v1/messaging-channels/"}},
		{`{"method": "post", "status": 503}`,
			[]string{"POST /loopmessage/api/v1/organizations/new/", "POST /greenarrow/ga/api/v2/organizations"},
			[]string{"GET /loopmessage/api/v1/organizations/list/", "GET /greenarrow/ga/api/v2/organizations"}},
		// Trailing slashes do not matter, on the pattern or the path.
		{`{"vendor": "courier", "path": "/v1/messaging-channels", "status": 503}`,
			[]string{"GET /courier/v1/messaging-channels/", "GET /courier/v1/messaging-channels"},
			[]string{"GET /courier/v1/messaging-channels/50000000-0000-4000-8000-000000000001/"}},
		// * is one segment.
		{`{"vendor": "greenarrow", "path": "/ga/api/v2/organizations/*", "status": 503}`,
			[]string{"GET /greenarrow/ga/api/v2/organizations/1", "GET /greenarrow/ga/api/v2/organizations/2/"},
			[]string{"GET /greenarrow/ga/api/v2/organizations", "GET /greenarrow/ga/api/v2/organizations/1/delete_confirmation_code"}},
		// ** is any number of segments, none included, anywhere.
		{`{"vendor": "greenarrow", "path": "/ga/**/delete_confirmation_code", "status": 503}`,
			[]string{"GET /greenarrow/ga/api/v2/organizations/1/delete_confirmation_code", "GET /greenarrow/ga/delete_confirmation_code"},
			[]string{"GET /greenarrow/ga/api/v2/organizations/1"}},
		// A path without a vendor applies below every vendor's prefix.
		{`{"path": "/api/**", "status": 503}`,
			[]string{"GET /loopmessage/api/v1/organizations/list/", "GET /360dialog/api/v2/partners/examplePA"},
			[]string{"GET /greenarrow/ga/api/v2/organizations/1", "GET /courier/v1/messaging-channels/"}},
	} {
		e.addFault("", c.rule)
		for _, mp := range c.faulted {
			method, path, _ := strings.Cut(mp, " ")
			assert.Equal(t, http.StatusServiceUnavailable, e.do(method, path, "").status, c.rule+": "+mp)
		}
		for _, mp := range c.through {
			method, path, _ := strings.Cut(mp, " ")
			assert.NotEqual(t, http.StatusServiceUnavailable, e.do(method, path, "").status, c.rule+": "+mp)
		}
		e.clearFaults("")
	}
}

// --- Network faults, as a real http.Client sees them ---

func TestNetworkFaultsAsAClientSeesThem(t *testing.T) {
	t.Parallel()
	e := startFaults(t, app.Options{})
	const list = "/loopmessage/api/v1/organizations/list/"

	// fails sends one request through client under the rule spec in a world
	// of its own, and returns the client's error once the emulator has
	// journaled the request, which it checks: no answer, the rule's id.
	fails := func(t *testing.T, spec string, client *http.Client, method string) error {
		w := e.create("")
		base := "/w/" + w
		require.Equal(t, "f1", e.addFault(base, spec))
		reqID := "net-" + w
		_, err := e.send(client, method, base+list, `{"name": "x"}`, loopKey, "X-Request-Id: "+reqID)
		require.Error(t, err)
		e.waitServed(reqID)
		en := e.journaled(base, reqID)
		assert.Equal(t, 0, en.Status, "no answer was sent")
		assert.Equal(t, "f1", en.Fault)
		assert.Equal(t, "loopmessage", en.Vendor)
		assert.Equal(t, 1, e.faults(base)[0].Hits)
		return err
	}

	t.Run("reset", func(t *testing.T) {
		t.Parallel()
		err := fails(t, `{"network": "reset"}`, oneShot(time.Second), http.MethodGet)
		assert.ErrorIs(t, err, syscall.ECONNRESET)
		assert.Contains(t, err.Error(), "connection reset")
	})
	t.Run("empty", func(t *testing.T) {
		t.Parallel()
		err := fails(t, `{"network": "empty"}`, oneShot(time.Second), http.MethodGet)
		assert.True(t, errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF), "%v", err)
	})
	t.Run("empty, a POST on a reused connection", func(t *testing.T) {
		t.Parallel()
		client := reusing()
		t.Cleanup(client.CloseIdleConnections)
		_, err := e.send(client, http.MethodGet, "/_emulator/health", "")
		require.NoError(t, err)
		err = fails(t, `{"network": "empty"}`, client, http.MethodPost)
		assert.True(t, errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF), "%v", err)
	})
	t.Run("empty, a GET on a reused connection is sent again by Go", func(t *testing.T) {
		t.Parallel()
		// Why the note on top: the client never sees the fault, the
		// journal does.
		w := e.create("")
		base := "/w/" + w
		e.addFault(base, `{"network": "empty", "times": 1}`)
		client := reusing()
		t.Cleanup(client.CloseIdleConnections)
		_, err := e.send(client, http.MethodGet, base+"/_emulator/health", "")
		require.NoError(t, err)
		res, err := e.send(client, http.MethodGet, base+list, "", loopKey, "X-Request-Id: retried-"+w)
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, res.status)
		e.waitServed("retried-" + w)
		rules := e.faults(base)
		assert.Equal(t, 1, rules[0].Hits)
		assert.Equal(t, 2, rules[0].Matched, "the request came twice")
	})
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		w := e.create("")
		base := "/w/" + w
		e.addFault(base, `{"network": "timeout"}`)
		start := time.Now()
		_, err := e.send(oneShot(300*time.Millisecond), http.MethodGet, base+list, "", loopKey, "X-Request-Id: held-"+w)
		took := time.Since(start)
		var ne net.Error
		require.ErrorAs(t, err, &ne)
		assert.True(t, ne.Timeout(), "the client's own timeout fired: %v", err)
		assert.Contains(t, err.Error(), "Client.Timeout exceeded")
		assert.GreaterOrEqual(t, took, 300*time.Millisecond)
		e.waitServed("held-" + w)
		en := e.journaled(base, "held-"+w)
		assert.Equal(t, 0, en.Status)
		assert.Equal(t, "f1", en.Fault)
	})
	t.Run("a held request holds no other", func(t *testing.T) {
		t.Parallel()
		w := e.create("")
		base := "/w/" + w
		e.addFault(base, `{"vendor": "loopmessage", "path": "/api/v1/organizations/list/", "network": "timeout"}`)
		// The held request ends when the test gives up on it, not by a
		// timer, so that "held while another is served" holds on a slow machine.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		sent := make(chan struct{})
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { close(sent) }})
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.url+base+list, nil)
		require.NoError(t, err)
		k, v, _ := strings.Cut(loopKey, ": ")
		req.Header.Set(k, v)
		req.Header.Set("X-Request-Id", "held-"+w)
		out := make(chan error, 1)
		go func() {
			res, err := oneShot(0).Do(req)
			if err == nil {
				res.Body.Close()
			}
			out <- err
		}()
		<-sent

		res := e.do(http.MethodGet, base+"/loopmessage/api/v1/organizations/details/2d9a5b74-8f3c-4ea0-b142-5c7d9e1f3a03/", "", loopKey)
		assert.Equal(t, http.StatusOK, res.status, res.body)
		select {
		case <-e.done("held-" + w):
			t.Error("the held request ended before the test gave up on it")
		default:
		}

		cancel()
		assert.ErrorIs(t, <-out, context.Canceled)
		e.waitServed("held-" + w)
		en := e.journaled(base, "held-"+w)
		assert.Equal(t, 0, en.Status)
		assert.Equal(t, "f1", en.Fault)
	})
}

func TestTimeoutFaultIsHeldNoLongerThanTheWriteTimeout(t *testing.T) {
	t.Parallel()
	// The server would give up writing then, and close: so does the fault.
	e := startFaults(t, app.Options{WriteTimeout: 100 * time.Millisecond})
	e.addFault("", `{"network": "timeout"}`)
	start := time.Now()
	_, err := e.send(oneShot(time.Second), http.MethodPost, "/loopmessage/api/v1/organizations/new/", "{}", loopKey, "X-Request-Id: held")
	took := time.Since(start)
	require.Error(t, err)
	assert.True(t, errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF), "the connection was closed, not timed out: %v", err)
	assert.GreaterOrEqual(t, took, 100*time.Millisecond)
	assert.Less(t, took, time.Second)
	e.waitServed("held")
	assert.Equal(t, 0, e.journaled("", "held").Status)
}

// --- Latency ---

func TestFaultDelays(t *testing.T) {
	t.Parallel()
	e := startFaults(t, app.Options{})
	const partner = "/360dialog/api/v2/partners/examplePA"
	plain := e.do(http.MethodGet, partner, "", partnerKey)
	require.Equal(t, http.StatusOK, plain.status)

	t.Run("a delay alone delays the normal answer", func(t *testing.T) {
		t.Parallel()
		w := e.create("")
		base := "/w/" + w
		e.addFault(base, `{"vendor": "360dialog", "method": "GET", "delay_ms": 150}`)
		start := time.Now()
		res := e.do(http.MethodGet, base+partner, "", partnerKey, "X-Request-Id: slow-"+w)
		assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)
		assert.Equal(t, http.StatusOK, res.status)
		assert.JSONEq(t, plain.body, res.body)
		e.waitServed("slow-" + w)
		en := e.journaled(base, "slow-"+w)
		assert.Equal(t, http.StatusOK, en.Status)
		assert.Equal(t, "f1", en.Fault, "a delayed request names its rule")
		assert.GreaterOrEqual(t, en.DurationMS, 150.0)
	})
	t.Run("a delayed write changes state as any write", func(t *testing.T) {
		t.Parallel()
		w := e.create("")
		base := "/w/" + w
		e.addFault(base, `{"vendor": "360dialog", "method": "PATCH", "delay_ms": 50}`)
		start := time.Now()
		res := e.do(http.MethodPatch, base+partner, `{"webhook_url": "https://delayed.example/hook"}`, partnerKey, "Content-Type: application/json")
		assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)
		assert.Equal(t, http.StatusOK, res.status, res.body)
		assert.Contains(t, e.state(base, "360dialog"), "delayed.example")
	})
	t.Run("a delay before an error", func(t *testing.T) {
		t.Parallel()
		w := e.create("")
		base := "/w/" + w
		e.addFault(base, `{"vendor": "courier", "status": 503, "delay_ms": 100}`)
		start := time.Now()
		res := e.do(http.MethodGet, base+"/courier/v1/messaging-channels/", "", courierTok)
		assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)
		assert.Equal(t, http.StatusServiceUnavailable, res.status)
		assert.Contains(t, res.body, `"ServiceUnavailable"`)
	})
	t.Run("a delay before a reset", func(t *testing.T) {
		t.Parallel()
		w := e.create("")
		base := "/w/" + w
		e.addFault(base, `{"vendor": "greenarrow", "network": "reset", "delay_ms": 100}`)
		start := time.Now()
		_, err := e.send(oneShot(time.Second), http.MethodGet, base+"/greenarrow/ga/api/v2/organizations/1", "", gaAdmin)
		assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)
		assert.ErrorIs(t, err, syscall.ECONNRESET)
	})
}

// --- Which matches fire: times, after, probability ---

func TestFaultTimesAndAfter(t *testing.T) {
	t.Parallel()
	e := startFaults(t, app.Options{})
	for _, c := range []struct {
		name   string
		rules  []string
		want   []int    // the statuses of consecutive GETs
		counts [][3]int // per rule: matched, hits, remaining (-1: null)
	}{
		{"fail twice then succeed", []string{`{"status": 503, "times": 2}`},
			[]int{503, 503, 200, 200}, [][3]int{{4, 2, 0}}},
		{"let the first through", []string{`{"status": 503, "after": 1}`},
			[]int{200, 503, 503, 503}, [][3]int{{4, 3, -1}}},
		{"after then times", []string{`{"status": 503, "after": 2, "times": 1}`},
			[]int{200, 200, 503, 200}, [][3]int{{4, 1, 0}}},
		{"a spent rule lets the next one try", []string{`{"status": 503, "times": 1}`, `{"status": 429}`},
			[]int{503, 429, 429}, [][3]int{{3, 1, 0}, {2, 2, -1}}},
		{"a rule within after lets the next one try", []string{`{"status": 503, "after": 1}`, `{"status": 502, "times": 1}`},
			[]int{502, 503, 503}, [][3]int{{3, 2, -1}, {1, 1, 0}}},
		{"the first that fires wins", []string{`{"status": 503}`, `{"status": 429}`},
			[]int{503, 503}, [][3]int{{2, 2, -1}, {0, 0, -1}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			base := "/w/" + e.create("")
			for _, r := range c.rules {
				e.addFault(base, strings.Replace(r, "{", `{"vendor": "loopmessage", `, 1))
			}
			got := make([]int, len(c.want))
			for i := range got {
				got[i] = e.do(http.MethodGet, base+"/loopmessage/api/v1/organizations/list/", "", loopKey).status
			}
			assert.Equal(t, c.want, got)
			rules := e.faults(base)
			require.Len(t, rules, len(c.counts))
			for i, r := range rules {
				assert.Equal(t, c.counts[i][0], r.Matched, "%s matched", r.ID)
				assert.Equal(t, c.counts[i][1], r.Hits, "%s hits", r.ID)
				if c.counts[i][2] < 0 {
					assert.Nil(t, r.Remaining, "%s remaining", r.ID)
				} else if assert.NotNil(t, r.Remaining, "%s remaining", r.ID) {
					assert.Equal(t, c.counts[i][2], *r.Remaining, "%s remaining", r.ID)
				}
			}
		})
	}
}

func TestFaultProbabilityIsReproducibleBySeed(t *testing.T) {
	t.Parallel()
	e := startFaults(t, app.Options{})
	// run adds spec in a fresh world and gives the statuses of 40 requests,
	// and the rule as listed after them.
	run := func(spec string) ([]int, fault.Rule) {
		base := "/w/" + e.create("")
		e.addFault(base, spec)
		got := make([]int, 40)
		for i := range got {
			got[i] = e.do(http.MethodGet, base+"/courier/v1/messaging-channels/", "", courierTok).status
		}
		return got, e.faults(base)[0]
	}
	count := func(statuses []int, status int) int {
		n := 0
		for _, s := range statuses {
			if s == status {
				n++
			}
		}
		return n
	}

	first, rule := run(`{"vendor": "courier", "status": 503, "probability": 0.5, "seed": 7}`)
	require.NotNil(t, rule.Seed)
	assert.EqualValues(t, 7, *rule.Seed)
	assert.Equal(t, 40, rule.Matched)
	assert.Equal(t, count(first, 503), rule.Hits)
	assert.Nil(t, rule.Remaining)
	assert.Positive(t, count(first, 503), "%v", first)
	assert.Positive(t, count(first, 200), "%v", first)
	assert.Equal(t, 40, count(first, 503)+count(first, 200), "%v", first)

	again, _ := run(`{"vendor": "courier", "status": 503, "probability": 0.5, "seed": 7}`)
	assert.Equal(t, first, again, "the same seed in another world draws the same")
	jittered, _ := run(`{"vendor": "courier", "status": 503, "probability": 0.5, "seed": 7, "jitter_ms": 1}`)
	assert.Equal(t, first, jittered, "jitter is drawn apart: it does not shift which requests fail")
	other, _ := run(`{"vendor": "courier", "status": 503, "probability": 0.5, "seed": 8}`)
	assert.NotEqual(t, first, other, "another seed draws otherwise")

	// Deleting the rule and adding it again starts the draws over.
	base := "/w/" + e.create("")
	for range 2 {
		id := e.addFault(base, `{"vendor": "courier", "status": 503, "probability": 0.5, "seed": 7}`)
		got := make([]int, 40)
		for i := range got {
			got[i] = e.do(http.MethodGet, base+"/courier/v1/messaging-channels/", "", courierTok).status
		}
		assert.Equal(t, first, got)
		require.Equal(t, http.StatusNoContent, e.do(http.MethodDelete, base+"/_emulator/faults/"+id, "").status)
	}

	// Without a seed one is drawn and shown, and replays the run.
	drawn, rule := run(`{"vendor": "courier", "status": 503, "probability": 0.3}`)
	require.NotNil(t, rule.Seed, "the drawn seed is shown")
	assert.GreaterOrEqual(t, *rule.Seed, int64(0))
	assert.Less(t, *rule.Seed, int64(1)<<31)
	replayed, _ := run(`{"vendor": "courier", "status": 503, "probability": 0.3, "seed": ` + strconv.FormatInt(*rule.Seed, 10) + `}`)
	assert.Equal(t, drawn, replayed)
}

// --- A faulted request changes nothing ---

func TestFaultedWritesChangeNothing(t *testing.T) {
	t.Parallel()
	e := startFaults(t, app.Options{})
	for _, v := range writes() {
		t.Run(v.vendor, func(t *testing.T) {
			t.Parallel()
			w := e.create("")
			base := "/w/" + w
			before := e.state(base, v.vendor)
			for i, c := range []struct {
				spec   string
				status int // 0: the connection fails
			}{
				{`{"status": 503}`, 503},
				{`{"status": 429, "delay_ms": 20}`, 429},
				{`{"network": "reset"}`, 0},
				{`{"network": "empty"}`, 0},
			} {
				e.addFault(base, fmt.Sprintf(`{"vendor": %q, "method": %q, %s`, v.vendor, v.method, c.spec[1:]))
				reqID := fmt.Sprintf("write-%s-%d", w, i)
				res, err := e.send(oneShot(time.Second), v.method, base+v.path, v.body, append(v.headers, "X-Request-Id: "+reqID)...)
				if c.status == 0 {
					assert.Error(t, err, c.spec)
				} else if assert.NoError(t, err, c.spec) {
					assert.Equal(t, c.status, res.status, c.spec)
				}
				e.waitServed(reqID)
				assert.Equal(t, before, e.state(base, v.vendor), "%s: the state is as it was", c.spec)
				en := e.journaled(base, reqID)
				assert.Equal(t, c.status, en.Status, c.spec)
				assert.Equal(t, "f"+strconv.Itoa(i+1), en.Fault, c.spec)
				assert.JSONEq(t, v.body, en.RequestBody, "%s: the journal keeps what was sent", c.spec)
				e.clearFaults(base)
			}

			// The same write without a rule does change the state.
			res := e.do(v.method, base+v.path, v.body, v.headers...)
			assert.Less(t, res.status, 300, res.body)
			assert.NotEqual(t, before, e.state(base, v.vendor))
		})
	}
}

// --- Rules belong to a world ---

func TestFaultRulesAreAWorlds(t *testing.T) {
	t.Parallel()
	e := startFaults(t, app.Options{})
	a, b := e.create(`{"id": "a"}`), e.create(`{"id": "b"}`)
	const list = "/loopmessage/api/v1/organizations/list/"

	// Three ways to name a world on the control plane; ids count per world.
	assert.Equal(t, "f1", e.addFault("/w/"+a, `{"vendor": "loopmessage", "status": 503}`))
	assert.Equal(t, "f2", e.addFault("", `{"vendor": "loopmessage", "status": 502}`, "X-Emulator-World: "+a))
	res := e.do(http.MethodPost, "/_emulator/faults?world="+a, `{"vendor": "loopmessage", "status": 500}`)
	require.Equal(t, http.StatusCreated, res.status, res.body)
	assert.Contains(t, res.body, `"id":"f3"`)
	inA := e.do(http.MethodGet, "/w/"+a+"/_emulator/faults", "").body
	assert.Equal(t, inA, e.do(http.MethodGet, "/_emulator/faults", "", "X-Emulator-World: "+a).body)
	assert.Equal(t, inA, e.do(http.MethodGet, "/_emulator/faults?world="+a, "").body)
	assert.Equal(t, []string{"f1", "f2", "f3"}, ids(e.faults("/w/"+a)))
	assert.Empty(t, e.faults("/w/"+b))
	assert.Empty(t, e.faults(""))
	assert.Equal(t, "f1", e.addFault("/w/"+b, `{"vendor": "360dialog", "status": 503}`))

	// A rule of a fails a's requests only.
	assert.Equal(t, http.StatusServiceUnavailable, e.do(http.MethodGet, "/w/"+a+list, "", loopKey).status)
	assert.Equal(t, http.StatusServiceUnavailable, e.do(http.MethodGet, list, "", loopKey, "X-Emulator-World: "+a).status)
	assert.Equal(t, http.StatusOK, e.do(http.MethodGet, "/w/"+b+list, "", loopKey).status)
	assert.Equal(t, http.StatusOK, e.do(http.MethodGet, list, "", loopKey).status)

	// A reset of the default world leaves a's rules.
	require.Equal(t, http.StatusOK, e.do(http.MethodPost, "/_emulator/reset", "").status)
	assert.Len(t, e.faults("/w/"+a), 3)

	// A vendor's reset clears that vendor's rules, not those for every vendor.
	courierRule := e.addFault("/w/"+a, `{"vendor": "courier", "status": 503}`)
	everyVendor := e.addFault("/w/"+a, `{"status": 504}`)
	require.Equal(t, http.StatusOK, e.do(http.MethodPost, "/w/"+a+"/_emulator/reset?vendor=courier", "").status)
	assert.Equal(t, []string{"f1", "f2", "f3", everyVendor}, ids(e.faults("/w/"+a)))
	assert.NotContains(t, ids(e.faults("/w/"+a)), courierRule)
	assert.Equal(t, http.StatusGatewayTimeout, e.do(http.MethodGet, "/w/"+a+"/courier/v1/messaging-channels/", "", courierTok).status)

	// A world's reset clears every rule of it.
	require.Equal(t, http.StatusOK, e.do(http.MethodPost, "/_emulator/reset?world="+a, "").status)
	assert.Empty(t, e.faults("/w/"+a))
	assert.Equal(t, http.StatusOK, e.do(http.MethodGet, "/w/"+a+list, "", loopKey).status)

	// A deleted world's rules go with it: a new world of the same id has none.
	require.Equal(t, http.StatusNoContent, e.do(http.MethodDelete, "/_emulator/worlds/"+b, "").status)
	e.create(`{"id": "b"}`)
	assert.Empty(t, e.faults("/w/"+b))
	assert.Equal(t, http.StatusOK, e.do(http.MethodGet, "/w/"+b+"/360dialog/api/v2/partners/examplePA", "", partnerKey).status)
	assert.Equal(t, "f1", e.addFault("/w/"+b, `{"status": 503}`), "ids start over")
}

// --- The control plane ---

func TestFaultControlPlaneAnswers(t *testing.T) {
	t.Parallel()
	e := startFaults(t, app.Options{})

	// The answer to an add is the rule as listed.
	res := e.do(http.MethodPost, "/_emulator/faults", `{"vendor": "loopmessage", "method": "get", "path": "/api/v1/organizations/list/", "status": 503, "times": 2}`)
	require.Equal(t, http.StatusCreated, res.status, res.body)
	assert.JSONEq(t, `{"id": "f1", "vendor": "loopmessage", "method": "GET", "path": "/api/v1/organizations/list/",
		"status": 503, "times": 2, "hits": 0, "matched": 0, "remaining": 2}`, res.body)
	res = e.do(http.MethodPost, "/_emulator/faults", `{"network": "empty", "probability": 0.25, "seed": 9, "delay_ms": 5, "jitter_ms": 2, "after": 3}`)
	require.Equal(t, http.StatusCreated, res.status, res.body)
	assert.JSONEq(t, `{"id": "f2", "network": "empty", "probability": 0.25, "seed": 9, "delay_ms": 5, "jitter_ms": 2, "after": 3,
		"hits": 0, "matched": 0, "remaining": null}`, res.body)
	list := e.do(http.MethodGet, "/_emulator/faults", "")
	assert.JSONEq(t, `{"faults": [
		{"id": "f1", "vendor": "loopmessage", "method": "GET", "path": "/api/v1/organizations/list/", "status": 503, "times": 2, "hits": 0, "matched": 0, "remaining": 2},
		{"id": "f2", "network": "empty", "probability": 0.25, "seed": 9, "delay_ms": 5, "jitter_ms": 2, "after": 3, "hits": 0, "matched": 0, "remaining": null}
	]}`, list.body)

	// Refused rules: a 400 in the control plane's envelope, and nothing added.
	for _, c := range []struct{ body, msg string }{
		{``, "empty"},
		{`{`, ""},
		{`[]`, ""},
		{`{"status": 503, "nope": 1}`, "nope"},
		{`{"status": 503} {}`, ""},
		{`{"status": "503"}`, "status"},
		{`{"status": 200}`, "status must be an HTTP error status"},
		{`{"status": 503, "network": "reset"}`, "not both"},
		{`{"network": "boom"}`, "network must be"},
		{`{}`, "needs something to do"},
		{`{"message": "x", "delay_ms": 5}`, "go with a status"},
		{`{"vendor": "nope", "status": 503}`, `unknown vendor \"nope\"`},
		{`{"vendor": "loopmessage", "path": "/loopmessage/api/v1/organizations/list/", "status": 503}`, "below its prefix"},
		{`{"path": "api/v1", "status": 503}`, "starting with"},
		{`{"path": "/api/v1?x=1", "status": 503}`, "without a query"},
		{`{"path": "/api/v*", "status": 503}`, "whole segments"},
		{`{"method": "GE T", "status": 503}`, "method"},
		{`{"status": 503, "headers": {"Bad Name": "x"}}`, "header name"},
		{`{"status": 503, "times": 0}`, "times"},
		{`{"status": 503, "after": -1}`, "after"},
		{`{"status": 503, "probability": 0}`, "probability"},
		{`{"status": 503, "probability": 1.5}`, "probability"},
		{`{"delay_ms": 600001}`, "delay_ms"},
		{`{"delay_ms": -1}`, "delay_ms"},
	} {
		res := e.do(http.MethodPost, "/_emulator/faults", c.body)
		assert.Equal(t, http.StatusBadRequest, res.status, c.body+": "+res.body)
		var body map[string]string
		if assert.NoError(t, json.Unmarshal([]byte(res.body), &body), c.body+": "+res.body) {
			assert.Len(t, body, 1, res.body)
			assert.Contains(t, body["error"], strings.ReplaceAll(c.msg, `\"`, `"`), c.body)
		}
	}
	assert.JSONEq(t, list.body, e.do(http.MethodGet, "/_emulator/faults", "").body, "nothing was added")

	// Deletes.
	res = e.do(http.MethodDelete, "/_emulator/faults/f9", "")
	assert.Equal(t, http.StatusNotFound, res.status)
	assert.JSONEq(t, `{"error": "no fault rule \"f9\" in this world; GET /_emulator/faults lists them"}`, res.body)
	res = e.do(http.MethodDelete, "/_emulator/faults/f1", "")
	assert.Equal(t, http.StatusNoContent, res.status)
	assert.Empty(t, res.body)
	assert.Equal(t, []string{"f2"}, ids(e.faults("")))
	assert.Equal(t, http.StatusNotFound, e.do(http.MethodDelete, "/_emulator/faults/f1", "").status)
	res = e.do(http.MethodDelete, "/_emulator/faults", "")
	assert.Equal(t, http.StatusNoContent, res.status)
	assert.Empty(t, res.body)
	assert.JSONEq(t, `{"faults": []}`, e.do(http.MethodGet, "/_emulator/faults", "").body)
	assert.Equal(t, "f3", e.addFault("", `{"status": 503}`), "ids are not handed out again")
}

func TestFaultControlPlaneNeedsTheToken(t *testing.T) {
	t.Parallel()
	e := startFaults(t, app.Options{ControlToken: "s3cret"})
	const token = "Authorization: Bearer s3cret"
	for _, c := range []struct{ method, path, body string }{
		{http.MethodPost, "/_emulator/faults", `{"status": 503}`},
		{http.MethodGet, "/_emulator/faults", ""},
		{http.MethodDelete, "/_emulator/faults", ""},
		{http.MethodDelete, "/_emulator/faults/f1", ""},
	} {
		res := e.do(c.method, c.path, c.body)
		assert.Equal(t, http.StatusUnauthorized, res.status, c.method+" "+c.path)
		assert.NotEmpty(t, res.header.Get("WWW-Authenticate"))
		res = e.do(c.method, c.path, c.body, "Authorization: Bearer wrong")
		assert.Equal(t, http.StatusUnauthorized, res.status, c.method+" "+c.path)
	}
	assert.Empty(t, e.faults("", token), "nothing was added without the token")

	e.addFault("", `{"vendor": "loopmessage", "status": 503}`, token)
	assert.Len(t, e.faults("", token), 1)
	// The vendor's requests need only the vendor's credentials, as ever.
	assert.Equal(t, http.StatusServiceUnavailable, e.do(http.MethodGet, "/loopmessage/api/v1/organizations/list/", "", loopKey).status)
	assert.Equal(t, http.StatusNoContent, e.do(http.MethodDelete, "/_emulator/faults/f1", "", token).status)
	assert.Equal(t, http.StatusOK, e.do(http.MethodGet, "/loopmessage/api/v1/organizations/list/", "", loopKey).status)
}

// --- Concurrency ---

func TestTimesOneFiresOnceUnderConcurrency(t *testing.T) {
	t.Parallel()
	e := startFaults(t, app.Options{})
	e.addFault("", `{"vendor": "360dialog", "status": 503, "times": 1}`)
	const n = 64
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			res, err := e.send(http.DefaultClient, http.MethodGet, "/360dialog/api/v2/partners/examplePA", "", partnerKey)
			if assert.NoError(t, err) {
				statuses[i] = res.status
			}
		})
	}
	wg.Wait()
	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	assert.Equal(t, map[int]int{http.StatusServiceUnavailable: 1, http.StatusOK: n - 1}, count)
	rules := e.faults("")
	require.Len(t, rules, 1)
	assert.Equal(t, 1, rules[0].Hits)
	assert.Equal(t, n, rules[0].Matched)
	require.NotNil(t, rules[0].Remaining)
	assert.Equal(t, 0, *rules[0].Remaining)
}

// --- The log ---

func TestFaultedRequestsAreLogged(t *testing.T) {
	t.Parallel()
	logs := &emutest.LogBuffer{}
	e := startFaults(t, app.Options{Log: slog.New(slog.NewJSONHandler(logs, nil))})
	e.addFault("", `{"vendor": "loopmessage", "method": "GET", "status": 503}`)
	e.addFault("", `{"vendor": "loopmessage", "method": "POST", "network": "reset"}`)
	const list = "/loopmessage/api/v1/organizations/list/"
	e.do(http.MethodGet, list, "", loopKey, "X-Request-Id: log-status")
	_, err := e.send(oneShot(time.Second), http.MethodPost, "/loopmessage/api/v1/organizations/new/", "{}", loopKey, "X-Request-Id: log-reset")
	require.Error(t, err)
	e.do(http.MethodGet, "/360dialog/api/v2/partners/examplePA", "", partnerKey, "X-Request-Id: log-plain")
	for _, id := range []string{"log-status", "log-reset", "log-plain"} {
		e.waitServed(id)
	}

	lines := map[string]map[string]any{}
	for _, l := range logs.Lines() {
		var line map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &line), l)
		if id, ok := line["request_id"].(string); ok {
			lines[id] = line
		}
	}
	for _, c := range []struct {
		id, msg, fault string
		status         float64
	}{
		{"log-status", "request faulted", "f1", 503},
		{"log-reset", "request faulted", "f2", 0},
		{"log-plain", "request", "", 200},
	} {
		line := lines[c.id]
		require.NotNil(t, line, "a line for %s in %s", c.id, logs.String())
		assert.Equal(t, c.msg, line["msg"], c.id)
		assert.Equal(t, "INFO", line["level"], c.id)
		assert.Equal(t, c.status, line["status"], c.id)
		if c.fault == "" {
			assert.NotContains(t, line, "fault", c.id)
		} else {
			assert.Equal(t, c.fault, line["fault"], c.id)
		}
	}
}

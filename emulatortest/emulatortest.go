// Package emulatortest gives each Go test its own world of the vendor
// emulator: an isolated copy of every vendor's state, clock and request
// journal, created in about a millisecond and deleted when the test ends.
//
//	func TestSignup(t *testing.T) {
//		t.Parallel()
//		w := emulatortest.New(t)
//		client := myapp.NewClient(w.BaseURL("loopmessage"), "lm-acme-default")
//		...
//		w.Advance(2 * time.Minute) // emulated time: codes and tokens expire
//	}
//
// The emulator runs inside the test binary, started once by the first New;
// when EMULATOR_URL is set (http://localhost:8080, say), the emulator
// running there is used instead, with EMULATOR_CONTROL_TOKEN if it needs one.
package emulatortest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emulator/vendor-emulator/docs"
	"github.com/emulator/vendor-emulator/internal/app"
	"github.com/emulator/vendor-emulator/internal/config"
	"github.com/emulator/vendor-emulator/internal/store"
	"github.com/emulator/vendor-emulator/internal/webhook"
)

// World is one test's world.
type World struct {
	// ID is the world's id; URL the emulator's base URL (without the world).
	ID, URL string
	// BaseURLs maps each vendor ("loopmessage", "greenarrow", "360dialog",
	// "courier") to the world's base URL for it: what a client is given in
	// place of the vendor's real one.
	BaseURLs map[string]string

	tb     testing.TB
	token  string
	client *http.Client
}

// Option changes the world New creates.
type Option func(*request)

type request struct {
	ID       string                     `json:"id,omitempty"`
	From     string                     `json:"from,omitempty"`
	Fixtures map[string]json.RawMessage `json:"fixtures,omitempty"`
}

// WithFixtures seeds vendor from doc, a fixture document of that vendor's
// format (what GET /_emulator/state?vendor= answers), instead of the default
// fixtures. The other vendors keep theirs.
func WithFixtures(vendor string, doc []byte) Option {
	return func(r *request) {
		if r.Fixtures == nil {
			r.Fixtures = map[string]json.RawMessage{}
		}
		r.Fixtures[vendor] = doc
	}
}

// From starts the world as a copy of another world's current state and clock.
func From(id string) Option {
	return func(r *request) { r.From = id }
}

// New creates a world for the test and deletes it when the test ends.
func New(tb testing.TB, opts ...Option) *World {
	tb.Helper()
	url, token, err := emulator()
	if err != nil {
		tb.Fatalf("emulatortest: %v", err)
	}
	var req request
	for _, o := range opts {
		o(&req)
	}
	body, _ := json.Marshal(req)
	w := &World{URL: url, tb: tb, token: token, client: &http.Client{Timeout: 30 * time.Second}}
	var created struct {
		ID       string            `json:"id"`
		BaseURLs map[string]string `json:"base_urls"`
	}
	if err := w.call(http.MethodPost, "/_emulator/worlds", body, http.StatusCreated, &created); err != nil {
		tb.Fatalf("emulatortest: create a world: %v", err)
	}
	w.ID, w.BaseURLs = created.ID, created.BaseURLs
	tb.Cleanup(func() {
		// A world that is gone already (expired, deleted by the test) is fine.
		_ = w.call(http.MethodDelete, "/_emulator/worlds/"+w.ID, nil, http.StatusNoContent, nil)
	})
	return w
}

// BaseURL is the world's base URL for vendor ("loopmessage", "greenarrow",
// "360dialog" or "courier").
func (w *World) BaseURL(vendor string) string {
	w.tb.Helper()
	u, ok := w.BaseURLs[vendor]
	if !ok {
		w.tb.Fatalf("emulatortest: no vendor %q; one of loopmessage, greenarrow, 360dialog, courier", vendor)
	}
	return u
}

// Now is the world's emulated time.
func (w *World) Now() time.Time {
	w.tb.Helper()
	return w.clock(nil)
}

// Advance moves the world's emulated time forward by d.
func (w *World) Advance(d time.Duration) {
	w.tb.Helper()
	w.clock(map[string]any{"advance": d.String()})
}

// Set moves the world's emulated time to t (a frozen clock stays frozen).
func (w *World) Set(t time.Time) {
	w.tb.Helper()
	w.clock(map[string]any{"set": t.UTC().Format(time.RFC3339Nano)})
}

// Freeze stops the world's clock where it is, until Unfreeze.
func (w *World) Freeze() {
	w.tb.Helper()
	w.clock(map[string]any{"freeze": true})
}

// Unfreeze lets the world's clock run again from where it stands.
func (w *World) Unfreeze() {
	w.tb.Helper()
	w.clock(map[string]any{"freeze": false})
}

// Reset restores every vendor of the world to its fixtures.
func (w *World) Reset() {
	w.tb.Helper()
	if err := w.call(http.MethodPost, w.path("/_emulator/reset"), nil, http.StatusOK, nil); err != nil {
		w.tb.Fatalf("emulatortest: reset: %v", err)
	}
}

// State is vendor's current state in its fixture format (see WithFixtures).
func (w *World) State(vendor string) []byte {
	w.tb.Helper()
	var raw json.RawMessage
	if err := w.call(http.MethodGet, w.path("/_emulator/state?vendor="+vendor), nil, http.StatusOK, &raw); err != nil {
		w.tb.Fatalf("emulatortest: state of %s: %v", vendor, err)
	}
	return raw
}

// Fault is a fault rule: which of the world's requests fail, and how (every
// field is described in the emulator's docs/faults.md). Zero fields are left
// out: a rule with no Vendor, Method and Path matches every vendor request.
type Fault struct {
	Vendor  string `json:"vendor,omitempty"` // "courier"
	Method  string `json:"method,omitempty"` // "POST"
	Path    string `json:"path,omitempty"`   // the vendor's own path: "/v1/messaging-messages/*"
	Status  int    `json:"status,omitempty"` // an error answer in the vendor's envelope
	Message string `json:"message,omitempty"`
	// Headers go on the error answer (a 429 has "Retry-After: 1" unless set).
	Headers map[string]string `json:"headers,omitempty"`
	Network string            `json:"network,omitempty"` // "reset", "empty" or "timeout"
	// DelayMS (± JitterMS) of real time pass before the answer.
	DelayMS  int `json:"delay_ms,omitempty"`
	JitterMS int `json:"jitter_ms,omitempty"`
	Times    int `json:"times,omitempty"` // fires on the next Times matches only
	After    int `json:"after,omitempty"` // lets the first After matches through
	// Probability is the share of matches it fires on, drawn from Seed.
	Probability float64 `json:"probability,omitempty"`
	Seed        *int64  `json:"seed,omitempty"`
}

// AddFault adds a fault rule to the world (after those it has) and returns
// its id.
func (w *World) AddFault(f Fault) string {
	w.tb.Helper()
	var rule struct {
		ID string `json:"id"`
	}
	if err := w.call(http.MethodPost, w.path("/_emulator/faults"), mustJSON(f), http.StatusCreated, &rule); err != nil {
		w.tb.Fatalf("emulatortest: add fault: %v", err)
	}
	return rule.ID
}

// ClearFaults removes every fault rule of the world.
func (w *World) ClearFaults() {
	w.tb.Helper()
	if err := w.call(http.MethodDelete, w.path("/_emulator/faults"), nil, http.StatusNoContent, nil); err != nil {
		w.tb.Fatalf("emulatortest: clear faults: %v", err)
	}
}

// Delivery is one webhook delivery attempt the world made (or will make), as
// GET /_emulator/webhooks shows it (docs/webhooks.md).
type Delivery = webhook.Delivery

// Webhooks lists the world's webhook delivery attempts of vendor (every
// vendor's when ""), newest first, at most 1,000.
func (w *World) Webhooks(vendor string) []Delivery {
	w.tb.Helper()
	var out struct {
		Deliveries []Delivery `json:"deliveries"`
	}
	q := "/_emulator/webhooks?limit=1000"
	if vendor != "" {
		q += "&vendor=" + url.QueryEscape(vendor)
	}
	if err := w.call(http.MethodGet, w.path(q), nil, http.StatusOK, &out); err != nil {
		w.tb.Fatalf("emulatortest: webhooks: %v", err)
	}
	return out.Deliveries
}

// Redeliver sends a webhook event again now (a new attempt, same event id).
func (w *World) Redeliver(eventID string) {
	w.tb.Helper()
	if err := w.call(http.MethodPost, w.path("/_emulator/webhooks/"+url.PathEscape(eventID)+"/redeliver"), nil,
		http.StatusAccepted, nil); err != nil {
		w.tb.Fatalf("emulatortest: redeliver: %v", err)
	}
}

// ClearWebhooks clears the world's delivery log and cancels pending attempts.
func (w *World) ClearWebhooks() {
	w.tb.Helper()
	if err := w.call(http.MethodDelete, w.path("/_emulator/webhooks"), nil, http.StatusNoContent, nil); err != nil {
		w.tb.Fatalf("emulatortest: clear webhooks: %v", err)
	}
}

func (w *World) path(p string) string { return "/w/" + w.ID + p }

func (w *World) clock(change map[string]any) time.Time {
	w.tb.Helper()
	method, body := http.MethodGet, []byte(nil)
	if change != nil {
		method, body = http.MethodPost, mustJSON(change)
	}
	var c struct {
		Now time.Time `json:"now"`
	}
	if err := w.call(method, w.path("/_emulator/clock"), body, http.StatusOK, &c); err != nil {
		w.tb.Fatalf("emulatortest: clock: %v", err)
	}
	return c.Now
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// call sends one control-plane request and decodes the answer into out.
func (w *World) call(method, path string, body []byte, want int, out any) error {
	req, err := http.NewRequest(method, w.URL+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if w.token != "" {
		req.Header.Set("Authorization", "Bearer "+w.token)
	}
	res, err := w.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, strings.TrimSpace(string(got)))
	}
	if out != nil {
		return json.Unmarshal(got, out)
	}
	return nil
}

// shared is the emulator of this test binary, started by the first New.
var shared struct {
	once  sync.Once
	url   string
	token string
	err   error
}

// emulator is the emulator's base URL and control token: EMULATOR_URL's,
// or one started in this process.
func emulator() (string, string, error) {
	shared.once.Do(func() {
		if u := os.Getenv("EMULATOR_URL"); u != "" {
			shared.url, shared.token = strings.TrimSuffix(u, "/"), os.Getenv("EMULATOR_CONTROL_TOKEN")
			return
		}
		// It lives as long as the test binary: tests of one package share it.
		emu, err := app.New(context.Background(), app.Options{DB: store.Memory, Version: "emulatortest",
			Docs: docs.FS, WorldTTL: config.DefaultWorldTTL, MaxWorlds: config.DefaultMaxWorlds})
		if err != nil {
			shared.err = err
			return
		}
		go emu.Run(context.Background())
		shared.url = httptest.NewServer(emu.Handler).URL
	})
	return shared.url, shared.token, shared.err
}

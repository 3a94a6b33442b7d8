// Package webhook is each world's outbox: the calls the emulated vendors make
// to their customers' receivers, delivered with each vendor's own rules on
// the world's emulated clock.
//
// A vendor records an Event in the same transaction as the change that
// causes it (Record), so a refused change emits nothing and an accepted one
// cannot lose its event. A worker per world (Start) sends each attempt when
// the emulated clock reaches it: it sleeps until the next attempt is due,
// and wakes when an event is recorded, when an attempt ends and whenever the
// clock is moved, so advancing the clock walks a retry schedule at once.
// Attempts run in their own goroutines with a real-time timeout, so a slow
// or dead receiver never holds the API nor another receiver.
package webhook

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/emulator/vendor-emulator/internal/clock"
	"github.com/emulator/vendor-emulator/internal/ids"
	"github.com/emulator/vendor-emulator/internal/store"
)

// Timeout is how long one attempt may take, in real time: what the vendors
// document (LoopMessage "15 seconds"), and what the others are given too.
const Timeout = 15 * time.Second

// maxInFlight bounds the attempts one world sends at once.
const maxInFlight = 16

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the outbox's tables, for store.Open.
func Schema() store.Schema {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embedded directory exists: a build error
	}
	return store.Schema{Vendor: "webhooks", TablePrefix: "wh_", Migrations: sub, Internal: true}
}

// Rules are a vendor's delivery rules.
type Rules struct {
	// Only200: only HTTP 200 counts as delivered (LoopMessage). Otherwise any 2xx does.
	Only200 bool
	// Retries are the emulated delays before each retry, counted from the
	// failed attempt; after the last the event is failed.
	Retries []time.Duration
}

// Event is one call a vendor makes.
type Event struct {
	// ID is the event's id, the same on every attempt (a new UUID when empty).
	ID     string
	Vendor string // "loopmessage", "360dialog", "courier"
	Type   string // "sender_name_updated", "channel_ready", ...
	URL    string
	// Headers are sent as they are, besides Content-Type: application/json.
	// "Connection: close" closes the connection after the attempt.
	Headers map[string]string
	// Body is sent byte for byte.
	Body []byte
	// Scope is who may see the event through the vendor's own API (for
	// LoopMessage's webhook history, the organization id).
	Scope string
	// At is when the first attempt is due (emulated); the present when zero.
	At    time.Time
	Rules Rules
}

// Timer is a vendor's state change that waits on the emulated clock (a
// LoopMessage test activation). The worker calls it whenever it wakes, in
// its transaction tx; it makes every change due by now, recording their
// events, and returns when the next one is due (zero when none is).
type Timer func(ctx context.Context, tx *store.Tx, now time.Time) (next time.Time, err error)

// Config is what an Outbox needs.
type Config struct {
	DB    *store.DB
	Clock *clock.Clock
	Log   *slog.Logger
	// Client sends the attempts (one shared by every world): NewClient when nil.
	Client *http.Client
	// Off records every attempt as "skipped" instead of sending it (-webhooks off).
	Off bool
	IDs ids.Generator
}

// Outbox is one world's outbox. A nil *Outbox records nothing (vendor unit
// tests build their APIs without one).
type Outbox struct {
	cfg    Config
	wake   chan struct{}
	timers []Timer

	mu       sync.Mutex
	inFlight map[int64]bool // attempt ids being sent

	stop    context.CancelFunc
	stopped chan struct{}
	sends   sync.WaitGroup
}

// New returns an outbox over cfg.DB; Start starts its worker.
func New(cfg Config) *Outbox {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.IDs == nil {
		cfg.IDs = ids.Random{}
	}
	if cfg.Client == nil {
		cfg.Client = NewClient()
	}
	return &Outbox{cfg: cfg, wake: make(chan struct{}, 1), inFlight: map[int64]bool{}}
}

// NewClient is the client attempts are sent with: the attempt's timeout, and
// no redirects followed (a 3xx is an answer, and not a 2xx).
func NewClient() *http.Client {
	return &http.Client{
		Timeout: Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// AddTimer registers a vendor's Timer; call it before Start.
func (o *Outbox) AddTimer(t Timer) {
	if o != nil {
		o.timers = append(o.timers, t)
	}
}

// Record adds ev to the outbox inside tx, the transaction of the change that
// causes it. Its first attempt is due at ev.At (now when zero); the worker
// learns of it when the request ends (Track), or at once outside a request.
func (o *Outbox) Record(ctx context.Context, tx *store.Tx, ev Event) error {
	if o == nil {
		return nil
	}
	if ev.ID == "" {
		ev.ID = o.cfg.IDs.UUID()
	}
	if ev.Headers == nil {
		ev.Headers = map[string]string{}
	}
	headers, err := json.Marshal(ev.Headers)
	if err != nil {
		return err
	}
	retries := make([]float64, len(ev.Rules.Retries))
	for i, d := range ev.Rules.Retries {
		retries[i] = d.Seconds()
	}
	retriesJSON, err := json.Marshal(retries)
	if err != nil {
		return err
	}
	now := o.cfg.Clock.Now()
	at := ev.At
	if at.IsZero() {
		at = now
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO wh_events (id, vendor, type, url, headers, body, scope, only_200,
		retries, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
		ev.ID, ev.Vendor, ev.Type, ev.URL, string(headers), ev.Body, ev.Scope, ev.Rules.Only200,
		string(retriesJSON), now.UnixNano()); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO wh_attempts (event_id, attempt, scheduled_at, status)
		VALUES (?, 1, ?, 'pending')`, ev.ID, at.UnixNano()); err != nil {
		return err
	}
	if t, ok := ctx.Value(trackKey{}).(*tracked); ok {
		t.recorded = true
	} else {
		o.Wake()
	}
	return nil
}

type trackKey struct{}

type tracked struct{ recorded bool }

// Track wraps a world's handler: when a request has recorded an event, the
// worker is woken after the handler returns, that is once the transaction
// that recorded it has committed (a worker woken earlier would not see it).
func (o *Outbox) Track(next http.Handler) http.Handler {
	if o == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := &tracked{}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), trackKey{}, t)))
		if t.recorded {
			o.Wake()
		}
	})
}

// Wake makes the worker look for due attempts now.
func (o *Outbox) Wake() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// Start starts the worker; Close stops it.
func (o *Outbox) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	o.stop = cancel
	o.stopped = make(chan struct{})
	go o.run(ctx)
}

// Close stops the worker and waits for the attempts in flight, which are
// cancelled (and stay pending, to be sent again at the next start on a file).
func (o *Outbox) Close() {
	if o == nil || o.stop == nil {
		return
	}
	o.stop()
	<-o.stopped
	o.sends.Wait()
}

// errUnknownEvent is Redeliver's answer for an id the outbox does not hold.
var errUnknownEvent = errors.New("webhook: no such event")

// IsUnknownEvent tells whether err is Redeliver's "no such event".
func IsUnknownEvent(err error) bool { return errors.Is(err, errUnknownEvent) }

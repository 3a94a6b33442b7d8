package webhook

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/emulator/vendor-emulator/internal/store"
)

// Delivery is one attempt as the control plane shows it.
type Delivery struct {
	ID      int64  `json:"id"`       // the attempt's, in the order attempts are queued
	EventID string `json:"event_id"` // the same on every attempt of an event
	Vendor  string `json:"vendor"`
	Event   string `json:"event"` // the event's type: "sender_name_updated", "channel_ready", ...
	URL     string `json:"url"`
	Attempt int    `json:"attempt"` // 1 for the first, one more per retry or redelivery
	// ScheduledAt is when the attempt is due, SentAt when it was made (nil
	// while pending); both emulated.
	ScheduledAt time.Time  `json:"scheduled_at"`
	SentAt      *time.Time `json:"sent_at"`
	Status      string     `json:"status"` // pending, delivered, failed or skipped
	// ResponseStatus is the receiver's answer (nil without one); Error says
	// why a failed attempt failed.
	ResponseStatus *int              `json:"response_status"`
	Error          *string           `json:"error"`
	RequestHeaders map[string]string `json:"request_headers"`
	RequestBody    json.RawMessage   `json:"request_body"` // the JSON sent
}

// Filter selects deliveries; zero values select all.
type Filter struct {
	Vendor string
	Status string // pending, delivered, failed, skipped
	Limit  int
}

// Statuses are the statuses an attempt can have.
func Statuses() []string { return []string{"pending", "delivered", "failed", "skipped"} }

// Deliveries lists attempts, newest first. A pending attempt shows the
// headers it will be sent with.
func (o *Outbox) Deliveries(ctx context.Context, f Filter) ([]Delivery, error) {
	if o == nil {
		return []Delivery{}, nil
	}
	where, args := []string{"1 = 1"}, []any{}
	if f.Vendor != "" {
		where, args = append(where, "e.vendor = ?"), append(args, f.Vendor)
	}
	if f.Status != "" {
		where, args = append(where, "a.status = ?"), append(args, f.Status)
	}
	rows, err := o.cfg.DB.Query(ctx, `SELECT a.id, e.id, e.vendor, e.type, e.url, a.attempt, a.scheduled_at, a.sent_at,
		a.status, a.response_status, a.error, coalesce(a.request_headers, ''), e.headers, e.body
		FROM wh_attempts a JOIN wh_events e ON e.id = a.event_id WHERE `+strings.Join(where, " AND ")+`
		ORDER BY a.id DESC LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		var d Delivery
		var scheduled int64
		var sent, code sql.NullInt64
		var msg sql.NullString
		var sentHeaders, eventHeaders string
		var body []byte
		if err := rows.Scan(&d.ID, &d.EventID, &d.Vendor, &d.Event, &d.URL, &d.Attempt, &scheduled, &sent,
			&d.Status, &code, &msg, &sentHeaders, &eventHeaders, &body); err != nil {
			return nil, err
		}
		d.ScheduledAt = time.Unix(0, scheduled).UTC()
		if sent.Valid {
			d.SentAt = new(time.Unix(0, sent.Int64).UTC())
		}
		if code.Valid {
			d.ResponseStatus = new(int(code.Int64))
		}
		if msg.Valid {
			d.Error = &msg.String
		}
		if sentHeaders != "" {
			err = json.Unmarshal([]byte(sentHeaders), &d.RequestHeaders)
		} else {
			d.RequestHeaders, err = pendingHeaders(eventHeaders)
		}
		if err != nil {
			return nil, err
		}
		d.RequestBody = body
		if !json.Valid(body) {
			d.RequestBody, _ = json.Marshal(string(body))
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// pendingHeaders are the headers an attempt not yet sent will carry.
func pendingHeaders(eventHeaders string) (map[string]string, error) {
	var h map[string]string
	if err := json.Unmarshal([]byte(eventHeaders), &h); err != nil {
		return nil, err
	}
	out := map[string]string{"Content-Type": "application/json"}
	for k, v := range h {
		out[http.CanonicalHeaderKey(k)] = v
	}
	return out, nil
}

// Redeliver queues event id again, due now: a new attempt with the same
// event id, after which no retries follow.
func (o *Outbox) Redeliver(ctx context.Context, id string) error {
	if o == nil {
		return fmt.Errorf("%w %q", errUnknownEvent, id)
	}
	err := o.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE wh_events SET status = 'pending' WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w %q", errUnknownEvent, id)
		}
		return o.schedule(ctx, tx, id, o.cfg.Clock.Now(), true)
	})
	if err == nil {
		o.Wake()
	}
	return err
}

// Clear forgets vendor's events (every event when vendor is ""), their
// attempts and their pending retries. An attempt in flight finishes, but
// its end is not recorded.
func (o *Outbox) Clear(ctx context.Context, vendor string) error {
	if o == nil {
		return nil
	}
	return o.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		// Attempts first: the cascade would do it, one row at a time.
		if vendor == "" {
			if _, err := tx.ExecContext(ctx, `DELETE FROM wh_attempts`); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `DELETE FROM wh_events`)
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM wh_attempts WHERE event_id IN
			(SELECT id FROM wh_events WHERE vendor = ?)`, vendor); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM wh_events WHERE vendor = ?`, vendor)
		return err
	})
}

// Sent is one attempt a vendor's own API shows (LoopMessage's webhook history).
type Sent struct {
	Attempt int
	SentAt  time.Time
	Type    string
	Body    []byte
}

// HistoryQuery selects the attempts a vendor's own API shows.
type HistoryQuery struct {
	Vendor string
	Scopes []string // the event scopes the caller may see
	// ScopeIs, when set, replaces Scopes: a condition on an event's scope
	// (e.scope) with its arguments, for a caller who sees more scopes than a
	// statement can list (a LoopMessage account's organizations, of which
	// there may be 100,000): each event is checked, not each scope listed.
	ScopeIs   string
	ScopeArgs []any
	// From and To, when not zero, bound the sending time: From <= sent < To.
	From, To      time.Time
	Asc           bool // oldest first; newest first otherwise
	Offset, Limit int
}

// History lists the attempts made (answered or not; neither pending nor
// skipped) of q.Vendor's events in q.Scopes, by sending time, one page of
// them; and how many there are in all.
func (o *Outbox) History(ctx context.Context, q HistoryQuery) ([]Sent, int, error) {
	if o == nil || len(q.Scopes) == 0 && q.ScopeIs == "" {
		return nil, 0, nil
	}
	args := []any{q.Vendor}
	scope := q.ScopeIs
	if scope != "" {
		args = append(args, q.ScopeArgs...)
	} else {
		scope = `e.scope IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(q.Scopes)), ", ") + `)`
		for _, s := range q.Scopes {
			args = append(args, s)
		}
	}
	from := ` FROM wh_attempts a JOIN wh_events e ON e.id = a.event_id WHERE e.vendor = ? AND ` + scope + `
		AND a.status IN ('delivered', 'failed')`
	if !q.From.IsZero() {
		from, args = from+` AND a.sent_at >= ?`, append(args, q.From.UnixNano())
	}
	if !q.To.IsZero() {
		from, args = from+` AND a.sent_at < ?`, append(args, q.To.UnixNano())
	}
	var total int
	if err := o.cfg.DB.QueryRow(ctx, `SELECT count(*)`+from, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	order := "DESC"
	if q.Asc {
		order = "ASC"
	}
	rows, err := o.cfg.DB.Query(ctx, `SELECT a.attempt, a.sent_at, e.type, e.body`+from+`
		ORDER BY a.sent_at `+order+`, a.id `+order+` LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Sent
	for rows.Next() {
		var s Sent
		var at int64
		if err := rows.Scan(&s.Attempt, &at, &s.Type, &s.Body); err != nil {
			return nil, 0, err
		}
		s.SentAt = time.Unix(0, at).UTC()
		out = append(out, s)
	}
	return out, total, rows.Err()
}

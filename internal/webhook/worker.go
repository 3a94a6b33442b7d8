package webhook

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/emulator/vendor-emulator/internal/store"
)

// run is the worker: it sends what is due, then waits for the next due
// attempt, a new event, an ended attempt or a move of the clock.
func (o *Outbox) run(ctx context.Context) {
	defer close(o.stopped)
	var timer *time.Timer
	for {
		changed := o.cfg.Clock.Changed() // before reading the clock: no move is missed
		next, err := o.dispatch(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			o.cfg.Log.Error("webhooks: dispatch", "error", err)
			next = o.cfg.Clock.Now().Add(time.Second) // try again soon
		}
		var due <-chan time.Time
		if !next.IsZero() && !o.cfg.Clock.Frozen() {
			// A running clock runs at real speed: the wait is the same in both.
			timer = resetTimer(timer, max(next.Sub(o.cfg.Clock.Now()), 0))
			due = timer.C
		}
		select {
		case <-ctx.Done():
			return
		case <-o.wake:
		case <-changed:
		case <-due:
		}
	}
}

func resetTimer(t *time.Timer, d time.Duration) *time.Timer {
	if t == nil {
		return time.NewTimer(d)
	}
	t.Reset(d)
	return t
}

// due is one attempt to send, with its event.
type due struct {
	attemptID int64
	attempt   int
	manual    bool
	eventID   string
	vendor    string
	url       string
	headers   map[string]string
	body      []byte
	only200   bool
	retries   []time.Duration
}

// dispatch runs the vendors' timers, starts every due attempt it has room
// for, and returns when the next attempt or timer is due (zero: none).
func (o *Outbox) dispatch(ctx context.Context) (time.Time, error) {
	now := o.cfg.Clock.Now()
	var next time.Time
	earliest := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	// One transaction on the writer, whose timers may write: on a read
	// connection, the first look of a new world's worker opened one, most of
	// what a world nobody reads costs (0.7 of 2.4 MB, and 1.5 of 6.5 ms to
	// make it; BenchmarkCreateWorld).
	var todo []due
	err := o.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		for _, t := range o.timers {
			at, err := t(ctx, tx, now)
			if err != nil {
				return err
			}
			earliest(at)
		}
		found, err := dueAttempts(ctx, tx, now)
		if err != nil {
			return err
		}
		// Claimed here, in the read's turn at the writer: a send settles its
		// attempt on the writer too, and frees its claim only after that
		// commits, so an attempt read as pending is still claimed or was
		// never sent. Claimed after the turn, one that settled in between
		// was sent a second time.
		todo = o.claim(found)
		var at sql.NullInt64
		err = tx.QueryRowContext(ctx, `SELECT scheduled_at FROM wh_attempts WHERE status = 'pending' AND scheduled_at > ?
			ORDER BY scheduled_at LIMIT 1`, now.UnixNano()).Scan(&at)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if at.Valid {
			earliest(time.Unix(0, at.Int64))
		}
		return nil
	})
	if err != nil {
		o.release(todo)
		return time.Time{}, err
	}
	for _, d := range todo {
		o.sends.Add(1)
		go o.send(ctx, d)
	}
	return next, nil
}

// claim marks the attempts of found that are not in flight as in flight,
// as many as there is room for, and returns them; an ending attempt wakes
// the worker for those left.
func (o *Outbox) claim(found []due) []due {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []due
	for _, d := range found {
		if o.inFlight[d.attemptID] || len(o.inFlight) >= maxInFlight {
			continue
		}
		o.inFlight[d.attemptID] = true
		out = append(out, d)
	}
	return out
}

// release frees the claims of attempts sent and settled, or that will not
// be sent.
func (o *Outbox) release(todo []due) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, d := range todo {
		delete(o.inFlight, d.attemptID)
	}
}

// dueAttempts reads the pending attempts due by now, oldest first.
func dueAttempts(ctx context.Context, tx *store.Tx, now time.Time) ([]due, error) {
	rows, err := tx.QueryContext(ctx, `SELECT a.id, a.attempt, a.manual, e.id, e.vendor, e.url, e.headers, e.body,
		e.only_200, e.retries FROM wh_attempts a JOIN wh_events e ON e.id = a.event_id
		WHERE a.status = 'pending' AND a.scheduled_at <= ? ORDER BY a.scheduled_at, a.id LIMIT ?`,
		now.UnixNano(), 2*maxInFlight)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []due
	for rows.Next() {
		var d due
		var headers, retries string
		if err := rows.Scan(&d.attemptID, &d.attempt, &d.manual, &d.eventID, &d.vendor, &d.url, &headers, &d.body,
			&d.only200, &retries); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(headers), &d.headers); err != nil {
			return nil, err
		}
		var secs []float64
		if err := json.Unmarshal([]byte(retries), &secs); err != nil {
			return nil, err
		}
		for _, s := range secs {
			d.retries = append(d.retries, time.Duration(s*float64(time.Second)))
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// outcome is how one attempt ended.
type outcome struct {
	status   string // delivered, failed, skipped
	code     int    // the receiver's status; 0 when it gave none
	err      string
	headers  http.Header
	sentAt   time.Time
	canceled bool // the outbox is closing: the attempt stays pending
}

// send makes one attempt and records how it ended.
func (o *Outbox) send(ctx context.Context, d due) {
	defer o.sends.Done()
	defer func() {
		o.release([]due{d}) // after settle has committed: see dispatch
		o.Wake()
	}()
	out := o.attempt(ctx, d)
	if out.canceled {
		return
	}
	if err := o.cfg.DB.Tx(ctx, func(tx *store.Tx) error { return o.settle(ctx, tx, d, out) }); err != nil {
		o.cfg.Log.Error("webhooks: record attempt", "event", d.eventID, "error", err)
		return
	}
	o.cfg.Log.Info("webhook attempt", "vendor", d.vendor, "event", d.eventID, "attempt", d.attempt, "url", d.url,
		"status", out.status, "response_status", out.code, "error", out.err)
}

// attempt sends d's request (or skips it when the outbox is off).
func (o *Outbox) attempt(ctx context.Context, d due) outcome {
	out := outcome{sentAt: o.cfg.Clock.Now()}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(d.body))
	if err != nil {
		out.status, out.err = "failed", err.Error()
		return out
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range d.headers {
		if http.CanonicalHeaderKey(k) == "Connection" && v == "close" {
			req.Close = true
		}
		req.Header.Set(k, v)
	}
	out.headers = req.Header.Clone()
	if o.cfg.Off {
		out.status = "skipped"
		return out
	}
	resp, err := o.cfg.Client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			out.canceled = true
			return out
		}
		out.status, out.err = "failed", o.attemptError(err)
		return out
	}
	// Read a little of the answer, so a receiver that answers before reading
	// is not cut off; the rest is not kept.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	out.code = resp.StatusCode
	ok := resp.StatusCode == http.StatusOK || (!d.only200 && resp.StatusCode/100 == 2)
	if ok {
		out.status = "delivered"
	} else {
		out.status = "failed"
		out.err = "the receiver answered " + resp.Status
	}
	return out
}

// attemptError says why an attempt got no answer, in the words a user looks for.
func (o *Outbox) attemptError(err error) string {
	var ue interface{ Timeout() bool }
	if errors.As(err, &ue) && ue.Timeout() {
		return "timeout: no answer within " + o.cfg.Client.Timeout.String()
	}
	return err.Error()
}

// settle records out as d's end, and what follows: the next retry, or the
// event's final status. An attempt cleared meanwhile (DELETE
// /_emulator/webhooks, a reset) is left cleared.
func (o *Outbox) settle(ctx context.Context, tx *store.Tx, d due, out outcome) error {
	headers, err := json.Marshal(flatten(out.headers))
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE wh_attempts SET sent_at = ?, status = ?, response_status = ?, error = ?,
		request_headers = ? WHERE id = ? AND status = 'pending'`, out.sentAt.UnixNano(), out.status,
		sql.NullInt64{Int64: int64(out.code), Valid: out.code != 0}, sql.NullString{String: out.err, Valid: out.err != ""},
		string(headers), d.attemptID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	status := out.status
	switch {
	case status == "delivered":
		// Delivered: nothing else of the event is sent.
		if _, err := tx.ExecContext(ctx, `DELETE FROM wh_attempts WHERE event_id = ? AND status = 'pending'`,
			d.eventID); err != nil {
			return err
		}
	case status == "failed" && !d.manual:
		var made int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM wh_attempts WHERE event_id = ? AND manual = 0
			AND status <> 'pending'`, d.eventID).Scan(&made); err != nil {
			return err
		}
		if made <= len(d.retries) {
			if err := o.schedule(ctx, tx, d.eventID, out.sentAt.Add(d.retries[made-1]), false); err != nil {
				return err
			}
			status = "pending"
		}
	}
	if status != "pending" {
		// A redelivery or a retry still queued keeps the event pending.
		var waiting bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM wh_attempts WHERE event_id = ?
			AND status = 'pending')`, d.eventID).Scan(&waiting); err != nil {
			return err
		}
		if waiting {
			status = "pending"
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE wh_events SET status = ? WHERE id = ?`, status, d.eventID)
	return err
}

// schedule queues the event's next attempt at at.
func (o *Outbox) schedule(ctx context.Context, tx *store.Tx, eventID string, at time.Time, manual bool) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO wh_attempts (event_id, attempt, manual, scheduled_at, status)
		SELECT ?, coalesce(max(attempt), 0) + 1, ?, ?, 'pending' FROM wh_attempts WHERE event_id = ?`,
		eventID, manual, at.UnixNano(), eventID)
	return err
}

// flatten turns a header into the one-value-per-name object the log shows.
func flatten(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		if len(v) > 0 {
			out[k] = v[0]
		}
	}
	return out
}

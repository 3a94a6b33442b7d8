package loop

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/store"
	"github.com/emulator/vendor-emulator/internal/webhook"
)

// eventSenderUpdated is the one event the account-management API fires.
const eventSenderUpdated = "sender_name_updated"

// deliveryRules are LoopMessage's documented delivery rules: only a 200 is
// delivered; 30 retries, 10 at 30 s, 10 at 3 min, then 10 at 15 min.
func deliveryRules() webhook.Rules {
	retries := make([]time.Duration, 0, 30)
	for _, d := range []time.Duration{30 * time.Second, 3 * time.Minute, 15 * time.Minute} {
		for range 10 {
			retries = append(retries, d)
		}
	}
	return webhook.Rules{Only200: true, Retries: retries}
}

// senderUpdated is the sender_name_updated payload: the docs' keys, in their order.
type senderUpdated struct {
	Event          string `json:"event"`
	OrganizationID string `json:"organization_id"`
	PhoneNumber    string `json:"phone_number,omitempty"` // only a phone sender has one
	Sender         string `json:"sender"`
	Status         string `json:"status"`
	WebhookID      string `json:"webhook_id"`
}

// recordSenderUpdated records sender_name_updated for sender id, with its
// status as tx now has it, to the webhook of the organization it belongs to
// now. An organization without a webhook_url gets nothing. Call it in the
// transaction that changed the status, after the change.
func (a *API) recordSenderUpdated(ctx context.Context, tx *store.Tx, id string) error {
	var p senderUpdated
	var name string
	var url, header sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT s.organization_id, s.name, s.status, o.webhook_url, o.webhook_header
		FROM lm_senders s JOIN lm_organizations o ON o.id = s.organization_id WHERE s.id = ?`, id).
		Scan(&p.OrganizationID, &name, &p.Status, &url, &header)
	if err != nil {
		return err
	}
	if url.String == "" {
		return nil
	}
	// A phone sender's name is its number (E.164); an email sender has none.
	if e164Re.MatchString(name) {
		p.PhoneNumber = name
	}
	p.Event, p.Sender, p.WebhookID = eventSenderUpdated, id, a.IDs.UUID()
	body, err := httpx.MarshalJSON(p)
	if err != nil {
		return err
	}
	headers := map[string]string{"User-Agent": "LoopMessage", "Connection": "close"}
	if header.String != "" {
		headers["Authorization"] = header.String
	}
	return a.Webhooks.Record(ctx, tx, webhook.Event{ID: p.WebhookID, Vendor: Name, Type: eventSenderUpdated,
		URL: url.String, Headers: headers, Body: body, Scope: p.OrganizationID, Rules: deliveryRules()})
}

// nextActivationSQL is when the next test activation is due (through lm_senders_activation).
const nextActivationSQL = `SELECT activate_at FROM lm_senders WHERE activate_at IS NOT NULL AND status = 'pending'
	ORDER BY activate_at LIMIT 1`

// activationTimer is the outbox's webhook.Timer: it activates the test
// senders due by now, so their sender_name_updated is sent when the
// emulated clock passes activate_at even if no request looks at them, and
// returns the next activation.
func (a *API) activationTimer(ctx context.Context, tx *store.Tx, now time.Time) (time.Time, error) {
	next, err := nextActivation(ctx, tx)
	if err != nil || next.IsZero() || next.After(now) {
		return next, err
	}
	if err := a.settleAt(ctx, tx, now); err != nil {
		return time.Time{}, err
	}
	return nextActivation(ctx, tx)
}

func nextActivation(ctx context.Context, tx *store.Tx) (time.Time, error) {
	var at string
	err := tx.QueryRowContext(ctx, nextActivationSQL).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	return time.Parse(timeLayout, at)
}

// historyItem is one attempt in webhooks/history/: the docs' keys, in their order.
type historyItem struct {
	Attempt    int             `json:"attempt"`
	CreateDate string          `json:"create_date"`
	EventType  string          `json:"event_type"`
	JSON       json.RawMessage `json:"json"`
}

// dateLayout is from_date's and to_date's format.
const dateLayout = "2006-01-02"

// webhookHistory handles GET /api/v1/webhooks/history/: every attempt made
// to deliver the caller's organization's webhooks (a Default key: every
// organization of its account), by sending time, paged like the other lists.
// from_date and to_date (YYYY-MM-DD, UTC, both included) bound the sending day.
func (a *API) webhookHistory(w http.ResponseWriter, r *http.Request) error {
	c := callerOf(r)
	p, bad := pagingProblems(r)
	q := r.URL.Query()
	var from, to time.Time
	for _, d := range []struct {
		name string
		dst  *time.Time
	}{{"from_date", &from}, {"to_date", &to}} {
		if v := q.Get(d.name); v != "" {
			t, err := time.Parse(dateLayout, v)
			if err != nil {
				bad = append(bad, d.name+" must be a date YYYY-MM-DD")
				continue
			}
			*d.dst = t
		}
	}
	if !from.IsZero() && !to.IsZero() && from.After(to) {
		bad = append(bad, "from_date must not be after to_date")
	}
	if bad != nil {
		return invalid(bad...)
	}
	if !to.IsZero() {
		to = to.AddDate(0, 0, 1) // to_date includes its whole day
	}
	hq := webhook.HistoryQuery{Vendor: Name, Scopes: []string{c.OrgID}, From: from, To: to, Asc: !p.Desc,
		Offset: p.offset(), Limit: p.PerPage}
	if c.IsDefault { // the account's organizations, however many (an event's scope is its organization)
		hq.ScopeIs, hq.ScopeArgs = accountScopeSQL, []any{c.AccountID}
	}
	sent, count, err := a.Webhooks.History(r.Context(), hq)
	if err != nil {
		return err
	}
	items := make([]historyItem, len(sent))
	for i, s := range sent {
		items[i] = historyItem{Attempt: s.Attempt, CreateDate: formatTime(s.SentAt), EventType: s.Type, JSON: s.Body}
	}
	httpx.WriteJSON(w, http.StatusOK, "", newPage(p, count, items))
	return nil
}

// accountScopeSQL is the history's condition for a Default key (argument:
// the account): the event's organization is the account's.
const accountScopeSQL = `EXISTS (SELECT 1 FROM lm_organizations o WHERE o.id = e.scope AND o.account_id = ?)`

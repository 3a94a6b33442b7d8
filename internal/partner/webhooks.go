package partner

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/store"
	"github.com/emulator/vendor-emulator/internal/webhook"
)

// The partner webhooks: 360dialog's "Partners API events (non-messaging)",
// sent to the partner's webhook_url and told apart by "event".
const (
	eventClientCreated    = "client_created"
	eventChannelCreated   = "channel_created"
	eventChannelSubmitted = "channel_submitted"
	eventChannelReady     = "channel_ready"
	eventChannelRunning   = "channel_running"
	eventAccountViolation = "account_violation"
)

// signatureHeader carries the lowercase hex HMAC-SHA256 of the raw body,
// keyed with the partner's webhook secret.
const signatureHeader = "x-360dialog-signature"

// deliveryRules are 360dialog's (decided: the docs give none): any 2xx is
// delivered; retries 30 s, 5 min, 30 min, 2 h and 6 h after each failure.
func deliveryRules() webhook.Rules {
	return webhook.Rules{Retries: []time.Duration{30 * time.Second, 5 * time.Minute, 30 * time.Minute,
		2 * time.Hour, 6 * time.Hour}}
}

// eventBody is an event as sent, keys in this order.
type eventBody struct {
	ID    string `json:"id"`
	Event string `json:"event"`
	Data  any    `json:"data"`
}

// hookTarget is where a partner's events go: read in the transaction that
// records them, so an event is addressed when it is recorded.
type hookTarget struct {
	partnerID string
	url       string // "" when the partner has none: nothing is sent
	secret    string
}

// loadTarget reads partnerID's webhook URL and secret (sql.ErrNoRows: no such partner).
func loadTarget(ctx context.Context, tx *store.Tx, partnerID string) (hookTarget, error) {
	t := hookTarget{partnerID: partnerID}
	err := tx.QueryRowContext(ctx, `SELECT webhook_url, webhook_secret FROM dlg_partners WHERE id = ?`, partnerID).
		Scan(&t.url, &t.secret)
	return t, err
}

// emit records one event of type typ with data for to, in tx, its first
// attempt due at at (now when zero), and returns it as it is sent.
func (a *API) emit(ctx context.Context, tx *store.Tx, to hookTarget, typ string, data any, at time.Time) (eventBody, error) {
	ev := eventBody{ID: a.IDs.UUID(), Event: typ, Data: data}
	if to.url == "" {
		return ev, nil
	}
	body, err := httpx.MarshalJSON(ev) // as the API writes its answers
	if err != nil {
		return ev, err
	}
	return ev, a.Webhooks.Record(ctx, tx, webhook.Event{ID: ev.ID, Vendor: Name, Type: typ, URL: to.url,
		Headers: map[string]string{signatureHeader: sign(to.secret, body)}, Body: body, Scope: to.partnerID,
		At: at, Rules: deliveryRules()})
}

// sign is the x-360dialog-signature of body.
func sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

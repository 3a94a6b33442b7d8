package greenarrow

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"math/bits"
	"net/http"
	"strings"
	"time"

	"github.com/emulator/vendor-emulator/internal/control"
	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/store"
)

// maxSendCount bounds one simulated send, so that counters summed over any
// plausible number of sends stay far from the int64 limit.
const maxSendCount = 1_000_000_000

// sendRequest is the body of the send simulation: count messages from one
// campaign or one autoresponder.
type sendRequest struct {
	Count             *int64  `json:"count"`
	CampaignID        *int64  `json:"campaign_id"`
	CampaignName      *string `json:"campaign_name"`
	AutoresponderID   *int64  `json:"autoresponder_id"`
	AutoresponderName *string `json:"autoresponder_name"`
}

type sendResult struct {
	OrganizationID          int64  `json:"organization_id"`
	Count                   int64  `json:"count"`
	SentAt                  string `json:"sent_at"`
	SendingQuotaMode        string `json:"sending_quota_mode"`
	LifetimeMessagesSent    int64  `json:"lifetime_messages_sent"`
	CurrentCreditsAvailable *int64 `json:"current_credits_available,omitempty"`
	QuotaPeriodStart        string `json:"quota_period_start,omitempty"`
	MessagesSentThisPeriod  *int64 `json:"messages_sent_this_period,omitempty"`
}

// quotaRefusal is a send the organization's sending quota refuses: 402 with
// what is left, written by the control adapter below.
type quotaRefusal struct {
	Msg                     string `json:"error"`
	CurrentCreditsAvailable *int64 `json:"current_credits_available,omitempty"`
	MessagesSentThisPeriod  *int64 `json:"messages_sent_this_period,omitempty"`
	StopAt                  *int64 `json:"stop_at,omitempty"`
}

func (q *quotaRefusal) Error() string { return q.Msg }

// writeControlError is the control plane's adapter (control.WriteError) plus
// the 402 of a refused send, which carries more than {"error"}.
func (a *API) writeControlError(w http.ResponseWriter, r *http.Request, err error) {
	var qr *quotaRefusal
	if errors.As(err, &qr) {
		httpx.WriteJSONHTMLEscaped(w, http.StatusPaymentRequired, "", qr)
		return
	}
	control.WriteError(a.Log)(w, r, err)
}

func badSend(msg string) error { return &control.Error{Status: http.StatusBadRequest, Msg: msg} }

// simulateSend handles POST /_emulator/greenarrow/organizations/{id}/sends:
// it records count messages sent now (emulated clock), if the organization's
// sending quota lets them all go. fixed_credits spends credits; hidden_limit
// and visible_limit count from the latest anniversary day and stop at the
// limit (visible_limit: plus the overage percentage); advisory_message and
// no_limit never stop. A limit of 1 stops autoresponders in every mode that
// has a limit. A send that cannot go whole is refused whole.
func (a *API) simulateSend(w http.ResponseWriter, r *http.Request) error {
	id, err := orgID(r)
	if err != nil {
		return &control.Error{Status: http.StatusNotFound, Msg: "organization not found"}
	}
	var req sendRequest
	if err := httpx.DecodeJSON(r, &req, true); err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	now := a.Clock.Now()
	res := sendResult{OrganizationID: id, Count: *req.Count, SentAt: now.Format(time.RFC3339)}
	err = a.DB.Tx(r.Context(), func(tx *store.Tx) error {
		o, err := loadOrg(r.Context(), tx, id)
		if err != nil {
			var e *Error
			if errors.As(err, &e) {
				return &control.Error{Status: http.StatusNotFound, Msg: e.Message}
			}
			return err
		}
		res.SendingQuotaMode = o.SendingQuota.Mode
		if err := a.spend(r.Context(), tx, o, now, &req, &res); err != nil {
			return err
		}
		// The insert counts the messages in lifetime_messages_sent (trigger ga_sends_counted).
		if _, err = tx.ExecContext(r.Context(), `INSERT INTO ga_sends (organization_id, sent_at, campaign_id, campaign_name,
			autoresponder_id, autoresponder_name, messages) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, now.Unix(), req.CampaignID, req.CampaignName, req.AutoresponderID, req.AutoresponderName, *req.Count); err != nil {
			return err
		}
		return tx.QueryRowContext(r.Context(), `SELECT lifetime_messages_sent FROM ga_organizations WHERE id = ?`, id).
			Scan(&res.LifetimeMessagesSent)
	})
	if err != nil {
		return err
	}
	httpx.WriteJSONHTMLEscaped(w, http.StatusOK, "", res)
	return nil
}

func (req *sendRequest) check() error {
	switch {
	case req.Count == nil || *req.Count < 1 || *req.Count > maxSendCount:
		return badSend("count must be an integer from 1 to 1000000000")
	case (req.CampaignID == nil) == (req.AutoresponderID == nil):
		return badSend("send either campaign_id and campaign_name or autoresponder_id and autoresponder_name")
	case req.CampaignID != nil && (*req.CampaignID < 1 || req.CampaignName == nil || strings.TrimSpace(*req.CampaignName) == ""):
		return badSend("campaign_id must be a positive integer and campaign_name must not be blank")
	case req.AutoresponderID != nil && (*req.AutoresponderID < 1 || req.AutoresponderName == nil || strings.TrimSpace(*req.AutoresponderName) == ""):
		return badSend("autoresponder_id must be a positive integer and autoresponder_name must not be blank")
	case req.CampaignID != nil && req.AutoresponderName != nil, req.AutoresponderID != nil && req.CampaignName != nil:
		return badSend("send either campaign_id and campaign_name or autoresponder_id and autoresponder_name")
	}
	return nil
}

// autoresponderStop is the docs' rule for a sending-quota limit of 1:
// "autoresponders will neither enqueue nor deliver".
const autoresponderStop = "autoresponders neither enqueue nor deliver: the sending quota's limit is 1"

// spend applies the sending quota to the send, or refuses it whole. It does
// not count the messages: recording the send does.
func (a *API) spend(ctx context.Context, tx *store.Tx, o *org, now time.Time, req *sendRequest, res *sendResult) error {
	q, n := o.SendingQuota, *req.Count
	// Every mode but no_limit has a limit, whatever it means there.
	if req.AutoresponderID != nil && q.Limit != nil && *q.Limit == 1 {
		return &quotaRefusal{Msg: autoresponderStop}
	}
	if q.Mode == "fixed_credits" {
		// One conditional UPDATE: credits never go negative, whoever sends at the same time.
		var credits int64
		err := tx.QueryRowContext(ctx, `UPDATE ga_organizations SET credits_available = credits_available - ?
			WHERE id = ? AND credits_available >= ? RETURNING credits_available`, n, o.ID, n).Scan(&credits)
		if errors.Is(err, sql.ErrNoRows) {
			return &quotaRefusal{Msg: "insufficient sending credits", CurrentCreditsAvailable: &o.CreditsAvailable}
		}
		res.CurrentCreditsAvailable = &credits
		return err
	}
	if q.Mode == "hidden_limit" || q.Mode == "visible_limit" || q.Mode == "advisory_message" {
		start := quotaPeriodStart(now.In(o.Zone.Loc), o.AnniversaryDay)
		var sent int64
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(messages), 0) FROM ga_sends WHERE organization_id = ?
			AND sent_at >= ?`, o.ID, start.Unix()).Scan(&sent); err != nil {
			return err
		}
		if stop, enforced := stopAt(q); enforced && sent+n > stop {
			return &quotaRefusal{Msg: "sending quota exceeded", MessagesSentThisPeriod: &sent, StopAt: &stop}
		}
		total := sent + n
		res.QuotaPeriodStart, res.MessagesSentThisPeriod = start.Format(time.RFC3339), &total
	}
	return nil
}

// stopAt is where an enforced limit stops sending: the limit for
// hidden_limit, the limit plus the overage percentage for visible_limit.
func stopAt(q Quota) (int64, bool) {
	switch q.Mode {
	case "hidden_limit":
		return *q.Limit, true
	case "visible_limit":
		// Saturating: limit and overage may each be as large as an int64.
		hi, lo := bits.Mul64(uint64(*q.Limit), uint64(*q.Overage))
		if hi != 0 || lo/100 > math.MaxInt64-uint64(*q.Limit) {
			return math.MaxInt64, true
		}
		return *q.Limit + int64(lo/100), true
	}
	return 0, false
}

// quotaPeriodStart is midnight of the latest anniversary day on or before
// today. In a month without that day (the 31st in April), the month's last
// day stands in for it.
func quotaPeriodStart(today time.Time, anniversary int) time.Time {
	y, m, d := today.Date()
	day := func(y int, m time.Month) int {
		return min(anniversary, time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day())
	}
	if ad := day(y, m); d >= ad {
		return time.Date(y, m, ad, 0, 0, 0, 0, today.Location())
	}
	prev := time.Date(y, m-1, 1, 0, 0, 0, 0, time.UTC)
	return time.Date(prev.Year(), prev.Month(), day(prev.Year(), prev.Month()), 0, 0, 0, 0, today.Location())
}

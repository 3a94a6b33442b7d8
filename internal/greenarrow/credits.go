package greenarrow

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

type sendingCreditsData struct {
	SendingCredits sendingCredits `json:"sending_credits"`
}

type sendingCredits struct {
	LifetimeMessagesSent    int64 `json:"lifetime_messages_sent"`
	CurrentCreditsAvailable int64 `json:"current_credits_available"`
}

const fixedCreditsMode = `json_extract(sending_quota, '$.mode') = 'fixed_credits'`

// creditsOrgID checks what every sending-credits call requires: a system
// administrator and an organization that exists.
func creditsOrgID(r *http.Request) (int64, error) {
	if err := requireSystem(r, "adjust sending credits"); err != nil {
		return 0, err
	}
	return orgID(r)
}

// getSendingCredits handles GET /ga/api/v2/organizations/{id}/sending_credits
// (and the same path without /ga, as the docs list it).
func (a *API) getSendingCredits(w http.ResponseWriter, r *http.Request) error {
	id, err := creditsOrgID(r)
	if err != nil {
		return err
	}
	var c sendingCredits
	err = a.reads().QueryRowContext(r.Context(), `SELECT lifetime_messages_sent, credits_available FROM ga_organizations
		WHERE id = ? AND `+fixedCreditsMode, id).Scan(&c.LifetimeMessagesSent, &c.CurrentCreditsAvailable)
	if errors.Is(err, sql.ErrNoRows) {
		return a.whyNoCredits(r, id)
	}
	if err != nil {
		return err
	}
	writeData(w, sendingCreditsData{c})
	return nil
}

// adjustSendingCredits handles PUT .../add_sending_credits,
// .../remove_sending_credits and .../set_sending_credits (op is "add",
// "remove" or "set"), with or without the /ga at the start of the path.
// Each is one conditional UPDATE, so concurrent adjustments never lose an
// update and credits never go negative.
func (a *API) adjustSendingCredits(op string) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := creditsOrgID(r)
		if err != nil {
			return err
		}
		n, err := decodeCredits(r)
		if err != nil {
			return err
		}
		var stmt string
		var args []any
		switch op {
		case "add":
			stmt, args = `credits_available = credits_available + ? WHERE id = ? AND `+fixedCreditsMode+
				` AND credits_available <= ?`, []any{n, id, math.MaxInt64 - n}
		case "remove":
			stmt, args = `credits_available = credits_available - ? WHERE id = ? AND `+fixedCreditsMode+
				` AND credits_available >= ?`, []any{n, id, n}
		default:
			stmt, args = `credits_available = ? WHERE id = ? AND `+fixedCreditsMode, []any{n, id}
		}
		var c sendingCredits
		err = a.DB.WriteRow(r.Context(), `UPDATE ga_organizations SET `+stmt+
			` RETURNING lifetime_messages_sent, credits_available`, args...).Scan(&c.LifetimeMessagesSent, &c.CurrentCreditsAvailable)
		if errors.Is(err, sql.ErrNoRows) {
			if err := a.whyNoCredits(r, id); err != nil {
				return err
			}
			if op == "remove" {
				return validationFailed("cannot remove %d credits: fewer are available", n)
			}
			return validationFailed("cannot add %d credits: the total would be too large", n)
		}
		if err != nil {
			return err
		}
		writeData(w, sendingCreditsData{c})
		return nil
	}
}

// whyNoCredits explains why an organization has no credits to show or
// adjust; nil when it has (the statement's own condition failed).
func (a *API) whyNoCredits(r *http.Request, id int64) error {
	var mode string
	err := a.reads().QueryRowContext(r.Context(), `SELECT json_extract(sending_quota, '$.mode') FROM ga_organizations
		WHERE id = ?`, id).Scan(&mode)
	if errors.Is(err, sql.ErrNoRows) {
		return orgNotFound(id)
	}
	if err != nil {
		return err
	}
	if mode != "fixed_credits" {
		return invalidRequest("organization %d does not use fixed_credits for its sending quota (its mode is %s)", id, mode)
	}
	return nil
}

// decodeCredits reads {"credits": <integer>}. A missing, non-integer or
// negative value is validation_failed (the payload is well-formed JSON that
// would make the record invalid); malformed JSON stays invalid_request.
func decodeCredits(r *http.Request) (int64, error) {
	var body struct {
		Credits json.RawMessage `json:"credits"`
	}
	if err := httpx.DecodeJSON(r, &body, false); err != nil {
		return 0, err
	}
	raw := bytes.TrimSpace(body.Credits)
	if len(raw) == 0 || string(raw) == "null" {
		return 0, validationFailed("credits is required")
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, validationFailed("credits must be an integer, not %s", truncate(string(raw), 40))
	}
	if n < 0 {
		return 0, validationFailed("credits must be greater than or equal to 0")
	}
	return n, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

package partner

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

// Partner is the partner object, fields in the order of the docs.
type Partner struct {
	ID                          string          `json:"id" fixture:"required"`
	BrandName                   string          `json:"brand_name"`
	PaymentRequired             bool            `json:"payment_required"`
	LogoURL                     *string         `json:"logo_url"`
	OnboardingDeeplinkAddParams bool            `json:"onboarding_deeplink_add_params"`
	WebhookURL                  string          `json:"webhook_url"`
	PartnerRedirectURL          string          `json:"partner_redirect_url"`
	Country                     string          `json:"country"`
	BlockedNewSubmission        bool            `json:"blocked_new_submission"`
	AllowClientToAddPhoneNo     bool            `json:"allow_client_to_add_phone_no"`
	Settings                    json.RawMessage `json:"settings"` // an object, or null
	BillingSystem               string          `json:"billing_system"`
	PublishableKey              *string         `json:"publishable_key"`
}

const partnerColumns = `id, brand_name, payment_required, logo_url, onboarding_deeplink_add_params, webhook_url,
	partner_redirect_url, country, blocked_new_submission, allow_client_to_add_phone_no, settings, billing_system,
	publishable_key`

// partnerQueries read the partner a credential names when it is the partner
// the path names (arguments: the credential, the path's id).
var partnerQueries = map[string]string{
	"id":      `SELECT ` + partnerColumns + ` FROM dlg_partners WHERE id = ? AND id = ?`,
	"api_key": `SELECT ` + partnerColumns + ` FROM dlg_partners WHERE api_key = ? AND id = ?`,
}

// partnerJSONQueries are partnerQueries reading the kept JSON.
var partnerJSONQueries = map[string]string{
	"id":      `SELECT ` + partnerJSONSQL + ` FROM dlg_partners WHERE id = ? AND id = ?`,
	"api_key": `SELECT ` + partnerJSONSQL + ` FROM dlg_partners WHERE api_key = ? AND id = ?`,
}

type scanner interface{ Scan(dest ...any) error }

// scanPartner reads the partnerColumns of a row, then the columns after
// them into extra (the state export's api_key).
func scanPartner(s scanner, extra ...any) (*Partner, error) {
	var p Partner
	var settings sql.NullString
	dest := []any{&p.ID, &p.BrandName, &p.PaymentRequired, &p.LogoURL, &p.OnboardingDeeplinkAddParams,
		&p.WebhookURL, &p.PartnerRedirectURL, &p.Country, &p.BlockedNewSubmission, &p.AllowClientToAddPhoneNo,
		&settings, &p.BillingSystem, &p.PublishableKey}
	if len(extra) > 0 {
		dest = append(dest, extra...)
	}
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	if settings.Valid {
		p.Settings = json.RawMessage(settings.String)
	}
	return &p, nil
}

// getPartnerDirect is GET /api/v2/partners/{partner_id} in one statement:
// the credential and the partner the path names are one lookup. Anything
// else (no or a bad credential, another partner's id, an error) is left to
// the general path, which answers it.
func (a *API) getPartnerDirect(w http.ResponseWriter, r *http.Request) *http.Request {
	column, value, _, err := a.credential(r)
	if err != nil {
		return r
	}
	var body []byte
	err = a.DB.QueryRow(r.Context(), partnerJSONQueries[column], value, httpx.PathParam(r, "partner_id")).Scan(&body)
	if err != nil || body == nil {
		return r
	}
	httpx.WriteJSONBody(w, http.StatusOK, "", body)
	return nil
}

// getPartner handles GET /api/v2/partners/{partner_id} on the general path.
func (a *API) getPartner(w http.ResponseWriter, r *http.Request) error {
	c, err := scoped(r)
	if err != nil {
		return err
	}
	p, err := scanPartner(a.DB.QueryRow(r.Context(), partnerQueries["id"], c.ID, c.ID))
	if errors.Is(err, sql.ErrNoRows) {
		// The partner was removed since authentication (a reset).
		return errForbidden()
	}
	if err != nil {
		return err
	}
	writePartner(w, p)
	return nil
}

func writePartner(w http.ResponseWriter, p *Partner) {
	httpx.WriteJSON(w, http.StatusOK, "", p)
}

// update is a validated partial update; nil fields keep their value.
type update struct {
	webhookURL, redirectURL *string
	allowPhone              *bool
}

// patchPartner handles PATCH /api/v2/partners/{partner_id}.
func (a *API) patchPartner(w http.ResponseWriter, r *http.Request) error {
	c, err := scoped(r)
	if err != nil {
		return err
	}
	u, err := parseUpdate(r, "webhook_url", "partner_redirect_url", "allow_client_to_add_phone_no")
	if err != nil {
		return err
	}
	p, err := a.apply(r.Context(), c.ID, u)
	if err != nil {
		return err
	}
	writePartner(w, p)
	return nil
}

type webhookBody struct {
	WebhookURL string `json:"webhook_url"`
}

// getWebhookURL handles GET /api/v2/partners/{partner_id}/webhook_url.
func (a *API) getWebhookURL(w http.ResponseWriter, r *http.Request) error {
	c, err := scoped(r)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, "", webhookBody{c.WebhookURL})
	return nil
}

// setWebhookURL handles POST /api/v2/partners/{partner_id}/webhook_url.
func (a *API) setWebhookURL(w http.ResponseWriter, r *http.Request) error {
	c, err := scoped(r)
	if err != nil {
		return err
	}
	u, err := parseUpdate(r, "webhook_url")
	if err != nil {
		return err
	}
	if u.webhookURL == nil {
		return &Error{Status: http.StatusBadRequest, Message: "Invalid request body.",
			Details: []Detail{{Field: "webhook_url", Message: "This field is required."}}}
	}
	p, err := a.apply(r.Context(), c.ID, u)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, "", webhookBody{p.WebhookURL})
	return nil
}

// applySQL writes an update in one statement, so an update is atomic, with
// the JSON of the URLs it sets (arguments: the update's three values, the
// two URLs' JSON, then the id).
const applySQL = `UPDATE dlg_partners SET
	webhook_url = COALESCE(?, webhook_url),
	partner_redirect_url = COALESCE(?, partner_redirect_url),
	allow_client_to_add_phone_no = COALESCE(?, allow_client_to_add_phone_no),
	json_webhook_url = COALESCE(?, json_webhook_url),
	json_partner_redirect_url = COALESCE(?, json_partner_redirect_url)
	WHERE id = ?`

// applyArgs are applySQL's arguments.
func (u update) applyArgs(id string) []any {
	return []any{u.webhookURL, u.redirectURL, u.allowPhone, jsonString(u.webhookURL), jsonString(u.redirectURL), id}
}

// applyQueries are applySQL for a credential that must name the partner too
// (one more argument: the credential), returning the partner's kept JSON
// ("" when it is not kept).
var applyQueries = map[string]string{
	"id":      applySQL + ` AND id = ? RETURNING COALESCE(` + partnerJSONSQL + `, '')`,
	"api_key": applySQL + ` AND api_key = ? RETURNING COALESCE(` + partnerJSONSQL + `, '')`,
}

// apply writes u and returns the partner as it now is.
func (a *API) apply(ctx context.Context, id string, u update) (*Partner, error) {
	p, err := scanPartner(a.DB.WriteRow(ctx, applySQL+` RETURNING `+partnerColumns, u.applyArgs(id)...))
	if errors.Is(err, sql.ErrNoRows) {
		// The partner was removed between authentication and now (a reset).
		return nil, errForbidden()
	}
	return p, err
}

// patchPartnerDirect is PATCH /api/v2/partners/{partner_id} in one
// statement: the body is read and checked first (see httpx.ReadAhead), then the
// update applies only if the credential names the partner of the path. The
// general path answers what it leaves (with the body replayed), so the
// order of 401, 403 and 400 stays.
func (a *API) patchPartnerDirect(w http.ResponseWriter, r *http.Request) *http.Request {
	column, value, _, err := a.credential(r)
	if err != nil {
		return r
	}
	body, general := httpx.ReadAheadOrGeneral(r)
	if general != nil {
		return general
	}
	u, err := parseUpdateBody(body, "webhook_url", "partner_redirect_url", "allow_client_to_add_phone_no")
	if err != nil {
		return httpx.Replay(r, body, nil)
	}
	id := httpx.PathParam(r, "partner_id")
	var answer []byte
	if a.DB.WriteRow(r.Context(), applyQueries[column], append(u.applyArgs(id), value)...).Scan(&answer) != nil {
		return httpx.Replay(r, body, nil)
	}
	if len(answer) == 0 {
		// A partner stored before its JSON was kept: encoded from its columns.
		p, err := scanPartner(a.DB.QueryRow(r.Context(), partnerQueries["id"], id, id))
		if errors.Is(err, sql.ErrNoRows) {
			err = errForbidden() // removed since (a reset)
		}
		if err != nil {
			a.WriteError(w, r, err)
			return nil
		}
		writePartner(w, p)
		return nil
	}
	httpx.WriteJSONBody(w, http.StatusOK, "", answer)
	return nil
}

// parseUpdate reads the body's writable fields among fields. Other fields
// (read-only, deprecated, unknown) are ignored; every bad field is reported.
func parseUpdate(r *http.Request, fields ...string) (update, error) {
	raw, err := httpx.ReadBody(r)
	if err != nil {
		return update{}, err
	}
	return parseUpdateBody(raw, fields...)
}

// parseUpdateBody is parseUpdate of a body already read.
func parseUpdateBody(raw []byte, fields ...string) (update, error) {
	var u update
	var body map[string]json.RawMessage
	if err := httpx.Unmarshal(raw, &body, false); err != nil {
		return u, err
	}
	var details []Detail
	bad := func(field, msg string) { details = append(details, Detail{field, msg}) }
	for _, f := range fields {
		raw, ok := body[f]
		if !ok {
			continue
		}
		if string(raw) == "null" {
			bad(f, "This field may not be null.")
			continue
		}
		switch f {
		case "webhook_url", "partner_redirect_url":
			var s string
			if json.Unmarshal(raw, &s) != nil {
				bad(f, "Must be a string.")
				continue
			}
			if !validURL(s) {
				bad(f, "Enter a valid URL: an absolute http or https URL with a host.")
				continue
			}
			if f == "webhook_url" {
				u.webhookURL = &s
			} else {
				u.redirectURL = &s
			}
		case "allow_client_to_add_phone_no":
			var b bool
			if json.Unmarshal(raw, &b) != nil {
				bad(f, "Must be a valid boolean.")
				continue
			}
			u.allowPhone = &b
		}
	}
	if details != nil {
		return update{}, &Error{Status: http.StatusBadRequest, Message: "Invalid request body.", Details: details}
	}
	return u, nil
}

func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Hostname() != "" && len(s) <= 2048
}

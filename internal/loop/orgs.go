package loop

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strings"

	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/store"
)

// orgItem is an organization in the list: the docs' keys, in their order.
type orgItem struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Status     string `json:"status"`
	CreateDate string `json:"create_date"`
}

// orgDetails is GET/PATCH organizations/details/{id}/. api_key is there exactly
// when the organization has a webhook_url: the docs make webhook_url "required
// to receive an API key in the response".
type orgDetails struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Status     string `json:"status"`
	CreateDate string `json:"create_date"`
	APIKey     string `json:"api_key,omitempty"`
}

// orgCreated is POST organizations/new/: the docs put api_key before create_date here.
type orgCreated struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	APIKey     string `json:"api_key,omitempty"`
	CreateDate string `json:"create_date"`
}

type successBody struct {
	Success bool `json:"success"`
}

// org is a stored organization.
type org struct {
	ID, AccountID              string
	IsDefault                  bool
	Name, Website, SupportURL  string
	Country                    string
	WebhookURL, WebhookHeader  sql.NullString
	APIKey, Status, CreateDate string
}

func (o *org) details() orgDetails {
	d := orgDetails{ID: o.ID, Name: o.Name, Status: o.Status, CreateDate: o.CreateDate}
	if o.WebhookURL.Valid {
		d.APIKey = o.APIKey
	}
	return d
}

const orgColumns = `id, account_id, is_default, name, website, support_url, country, webhook_url, webhook_header,
	api_key, status, create_date`

type scanner interface{ Scan(dest ...any) error }

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *store.Row
	QueryContext(ctx context.Context, query string, args ...any) (*store.Rows, error)
}

func scanOrg(s scanner) (*org, error) {
	var o org
	err := s.Scan(&o.ID, &o.AccountID, &o.IsDefault, &o.Name, &o.Website, &o.SupportURL, &o.Country,
		&o.WebhookURL, &o.WebhookHeader, &o.APIKey, &o.Status, &o.CreateDate)
	return &o, err
}

// loadOrg reads organization id if the caller reaches it; otherwise (absent
// or out of scope alike) it is "Organization not found".
func loadOrg(ctx context.Context, q querier, c caller, id string) (*org, error) {
	cond, args := c.scope("account_id", "id")
	o, err := scanOrg(q.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM lm_organizations WHERE id = ? AND `+cond,
		append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errOrgNotFound()
	}
	return o, err
}

// listOrgs handles GET /api/v1/organizations/list/ (Default key).
func (a *API) listOrgs(w http.ResponseWriter, r *http.Request) error {
	c, err := requireDefault(r)
	if err != nil {
		return err
	}
	p, err := parsePaging(r)
	if err != nil {
		return err
	}
	search := strings.ToLower(r.URL.Query().Get("search"))
	if search == "" {
		// Every organization matches: the count is kept (migration 002) and
		// the page read in order through lm_organizations_account.
		return a.orgPage(w, r, c, p)
	}
	// A search reads the account's organizations whole (scoped in the query)
	// and searches them here: strings.ToLower folds every letter's case,
	// where SQLite's lower() folds only ASCII.
	rows, err := a.DB.Reader().QueryContext(r.Context(), `SELECT id, name, status, create_date FROM lm_organizations
		WHERE account_id = ?`+p.order(""), c.AccountID)
	if err != nil {
		return err
	}
	defer rows.Close()
	var matched []orgItem
	for rows.Next() {
		var it orgItem
		if err := rows.Scan(&it.ID, &it.Name, &it.Status, &it.CreateDate); err != nil {
			return err
		}
		if strings.Contains(strings.ToLower(it.Name), search) {
			matched = append(matched, it)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	count := len(matched)
	var items []orgItem
	if limit, offset, ok := p.window(count); ok {
		items = matched[offset:min(offset+limit, count)]
	}
	httpx.WriteJSON(w, http.StatusOK, "", newPage(p, count, items))
	return nil
}

// orgPage answers a page of the account's organizations without a search
// (every key of the account lists them all: the count is the account's).
func (a *API) orgPage(w http.ResponseWriter, r *http.Request, c caller, p pageQuery) error {
	return writeCountedPage(w, r, a.DB.Reader(), p, "organizations", c.AccountID, orgPageSQL(p), []any{c.AccountID},
		func(s scanner) (orgItem, error) {
			var it orgItem
			err := s.Scan(&it.ID, &it.Name, &it.Status, &it.CreateDate)
			return it, err
		})
}

// orgPageSQL is the SQL of a page of an account's organizations (arguments:
// the account, LIMIT, OFFSET).
func orgPageSQL(p pageQuery) string {
	return `SELECT id, name, status, create_date FROM lm_organizations WHERE account_id = ?` + p.order("") + ` LIMIT ? OFFSET ?`
}

// orgRequest is the body of POST organizations/new/ and PATCH organizations/details/{id}/.
type orgRequest struct {
	Name          field[string] `json:"name"`
	Website       field[string] `json:"website"`
	SupportURL    field[string] `json:"support_url"`
	Country       field[string] `json:"country"`
	WebhookURL    field[string] `json:"webhook_url"`
	WebhookHeader field[string] `json:"webhook_header"`
}

// apply validates req onto o. With create, name, website, support_url and
// country are required; otherwise (PATCH) only what is sent changes. o is
// changed only if every field is valid, so one bad field changes nothing.
func (req *orgRequest) apply(o *org, create bool) error {
	var p problems
	next := *o
	text := func(name string, f field[string], dst *string, check func(string) (string, bool), why string) {
		var v string
		if create {
			var ok bool
			if v, ok = p.requiredString(name, f); !ok {
				return
			}
		} else {
			if !f.Set {
				return
			}
			if f.Bad || f.Null || strings.TrimSpace(f.V) == "" {
				p.bad(name, "must be a non-blank string")
				return
			}
			v = f.V
		}
		norm, ok := check(v)
		if !ok {
			p.bad(name, why)
			return
		}
		*dst = norm
	}
	text("name", req.Name, &next.Name, func(s string) (string, bool) {
		s = strings.TrimSpace(s)
		return s, len(s) <= maxText
	}, "must be at most 255 characters")
	urlCheck := func(s string) (string, bool) { return s, validURL(s) }
	text("website", req.Website, &next.Website, urlCheck, "must be an absolute http or https URL")
	text("support_url", req.SupportURL, &next.SupportURL, urlCheck, "must be an absolute http or https URL")
	text("country", req.Country, &next.Country, func(s string) (string, bool) {
		s = strings.ToUpper(strings.TrimSpace(s))
		return s, validCountry(s)
	}, "must be an ISO 3166-1 alpha-2 country code, like US, CA or GB")
	// The webhook fields are optional: null or "" removes them.
	optional := func(name string, f field[string], dst *sql.NullString, check func(string) bool, why string) {
		switch {
		case !f.Set:
		case f.Bad:
			p.bad(name, "must be a string")
		case f.Null || f.V == "":
			*dst = sql.NullString{}
		case !check(f.V):
			p.bad(name, why)
		default:
			*dst = sql.NullString{String: f.V, Valid: true}
		}
	}
	optional("webhook_url", req.WebhookURL, &next.WebhookURL, validURL, "must be an absolute http or https URL")
	optional("webhook_header", req.WebhookHeader, &next.WebhookHeader,
		func(s string) bool { return len(s) <= 1024 }, "must be at most 1024 characters")
	if err := p.err(); err != nil {
		return err
	}
	*o = next
	return nil
}

// createOrg handles POST /api/v1/organizations/new/ (Default key). The new
// organization's key works at once.
func (a *API) createOrg(w http.ResponseWriter, r *http.Request) error {
	c, err := requireDefault(r)
	if err != nil {
		return err
	}
	var req orgRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	o := org{ID: a.IDs.UUID(), AccountID: c.AccountID, APIKey: a.IDs.Hex(20), Status: "active",
		CreateDate: formatTime(a.now())}
	if err := req.apply(&o, true); err != nil {
		return err
	}
	j := newOrgParts(&o)
	if _, err := a.DB.Exec(r.Context(), `INSERT INTO lm_organizations (id, account_id, is_default,
		name, website, support_url, country, webhook_url, webhook_header, api_key, status, create_date,
		json_head, json_item, json_tail, json_api_key)
		VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, o.ID, o.AccountID, o.Name, o.Website, o.SupportURL,
		o.Country, o.WebhookURL, o.WebhookHeader, o.APIKey, o.Status, o.CreateDate, j.head, j.item, j.tail,
		j.apiKey); err != nil {
		return err
	}
	d := o.details()
	httpx.WriteJSON(w, http.StatusOK, "", orgCreated{ID: d.ID, Name: d.Name, APIKey: d.APIKey, CreateDate: d.CreateDate})
	return nil
}

// getOrg handles GET /api/v1/organizations/details/{id}/ (any key, within its scope).
func (a *API) getOrg(w http.ResponseWriter, r *http.Request) error {
	o, err := loadOrg(r.Context(), a.DB.Reader(), callerOf(r), httpx.PathParam(r, "id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, "", o.details())
	return nil
}

// patchOrg handles PATCH /api/v1/organizations/details/{id}/ (Default key).
// What a PATCH sends is valid or not whatever the organization holds, so the
// write is one UPDATE ... RETURNING (atomic on its own); only an invalid body
// reads the organization first, since "not found" comes before its problems.
func (a *API) patchOrg(w http.ResponseWriter, r *http.Request) error {
	c, err := requireDefault(r)
	if err != nil {
		return err
	}
	var req orgRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	id := httpx.PathParam(r, "id")
	var o org
	if err := req.apply(&o, false); err != nil {
		if _, lerr := loadOrg(r.Context(), a.DB.Reader(), c, id); lerr != nil {
			return lerr
		}
		return err
	}
	cond, args := c.scope("account_id", "id")
	var out orgDetails
	err = a.DB.WriteRow(r.Context(), patchOrgSQL+cond+` RETURNING `+orgDetailsColumns,
		append(patchArgs(&req, &o, id), args...)...).Scan(&out.ID, &out.Name, &out.Status, &out.CreateDate, &out.APIKey)
	if errors.Is(err, sql.ErrNoRows) {
		return errOrgNotFound()
	}
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, "", out)
	return nil
}

// orgDetailsColumns are an orgDetails' columns, api_key only when the
// organization has a webhook_url ("" is left out of the answer).
const orgDetailsColumns = `id, name, status, create_date, CASE WHEN webhook_url IS NULL THEN '' ELSE api_key END`

// deleteOrg handles DELETE /api/v1/organizations/details/{id}/ (Default key).
// Refused while an active sender name is assigned, and for the Default
// organization. The organization's key stops working; its remaining
// (non-active) senders and its pools go with it.
func (a *API) deleteOrg(w http.ResponseWriter, r *http.Request) error {
	c, err := requireDefault(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	err = a.DB.Tx(ctx, func(tx *store.Tx) error {
		o, err := loadOrg(ctx, tx, c, httpx.PathParam(r, "id"))
		if err != nil {
			return err
		}
		if o.IsDefault {
			return fail(codeBadRequest, "The Default organization cannot be deleted")
		}
		// A test sender whose activation time has passed is active now.
		if err := a.settle(ctx, tx); err != nil {
			return err
		}
		var active int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM lm_senders WHERE organization_id = ? AND status = 'active'`,
			o.ID).Scan(&active); err != nil {
			return err
		}
		if active > 0 {
			return fail(codeBadRequest,
				"The organization has active sender names assigned to it; cancel them or move them to another organization first")
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM lm_organizations WHERE id = ?`, o.ID)
		return err
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, "", successBody{Success: true})
	return nil
}

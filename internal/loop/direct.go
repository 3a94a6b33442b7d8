package loop

import (
	"database/sql"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/store"
)

// The hottest routes (organization details, list and PATCH) resolve the
// caller's key inside their own statement (httpx.Direct). What they leave
// unanswered (no key, an unknown key, a key that does not reach the row, an
// empty page, a parameter or body to refuse, a row whose JSON is not kept, a
// failing statement) takes the general path: authenticate, then the handler.

// orgDetailsByKeySQL is GET organizations/details/{id}/ for a key (arguments:
// the id, the key): the organization when the key reaches it (its whole
// account for a Default key, its own organization otherwise), as loadOrg's scope.
var orgDetailsByKeySQL = `SELECT ` + orgJSONSQL("o.") + `
	FROM lm_organizations k JOIN lm_organizations o ON o.id = ? AND o.account_id = k.account_id
		AND (k.is_default OR o.id = k.id)
	WHERE k.api_key = ?`

// getOrgDirect is getOrg in one statement.
func (a *API) getOrgDirect(w http.ResponseWriter, r *http.Request) *http.Request {
	key := r.Header.Get("Authorization")
	if key == "" {
		return r
	}
	var body []byte
	if a.DB.QueryRow(r.Context(), orgDetailsByKeySQL, httpx.PathParam(r, "id"), key).Scan(&body) != nil || body == nil {
		return r
	}
	httpx.WriteJSONBody(w, http.StatusOK, "", body)
	return nil
}

// orgPageByKeySQL is orgPageSQL for a Default key, with the items' kept
// JSON (json_item: listOrgsDirect closes each, where SQLite would copy it
// into a string of its own) and the kept count on every row (arguments: the
// key twice, LIMIT, OFFSET).
func orgPageByKeySQL(p pageQuery) string {
	if p.Desc {
		return orgPageByKeyDesc
	}
	return orgPageByKeyAsc
}

var orgPageByKeyDesc, orgPageByKeyAsc = orgPageByKey(pageQuery{Desc: true}), orgPageByKey(pageQuery{})

func orgPageByKey(p pageQuery) string {
	const account = `(SELECT account_id FROM lm_organizations WHERE api_key = ? AND is_default)`
	return `SELECT json_item,
		COALESCE((SELECT n FROM lm_counts WHERE what = 'organizations' AND owner = ` + account + `), 0)
		FROM lm_organizations WHERE account_id = ` + account + p.order("") + ` LIMIT ? OFFSET ?`
}

// listOrgsDirect is listOrgs without a search, in one statement.
func (a *API) listOrgsDirect(w http.ResponseWriter, r *http.Request) *http.Request {
	key := r.Header.Get("Authorization")
	if key == "" || r.URL.RawQuery != "" && r.URL.Query().Has("search") {
		return r
	}
	p, bad := pagingProblems(r)
	if bad != nil {
		return r
	}
	rows, err := a.DB.Query(r.Context(), orgPageByKeySQL(p), key, key, p.PerPage, p.offset())
	if err != nil {
		return r
	}
	defer rows.Close()
	// The items are written as kept (compact, as encoded): encoding/json
	// would validate and compact each one again.
	var count int
	var it sql.RawBytes
	if !writeRowsPage(w, rows, p, &count, func(items []byte) ([]byte, bool) {
		if rows.Scan(&it, &count) != nil || it == nil {
			return items, false
		}
		return append(append(items, it...), '}'), true // json_item is the item without its closing brace (orgjson.go)
	}) {
		return r
	}
	return nil
}

// writePageOf writes a page as WriteJSON writes a pageOf, its items
// (comma-separated objects) as they are.
func writePageOf(w http.ResponseWriter, p pageQuery, count int, items []byte) {
	out := httpx.Buffer()
	defer httpx.ReleaseBuffer(out)
	b := strconv.AppendInt(append(*out, `{"page":`...), int64(p.Page), 10)
	b = strconv.AppendInt(append(b, `,"num_pages":`...), int64(p.numPages(count)), 10)
	b = strconv.AppendInt(append(b, `,"per_page":`...), int64(p.PerPage), 10)
	b = strconv.AppendInt(append(b, `,"count":`...), int64(count), 10)
	b = append(append(append(b, `,"items":[`...), items...), "]}"...)
	*out = b
	httpx.WriteJSONBody(w, http.StatusOK, "", b)
}

// patchOrgSQL is PATCH organizations/details/{id}/'s write: each field is
// kept or set (arguments: keep and value of name, website, support_url,
// country, webhook_url, webhook_header, then the id), scoped by the caller's
// condition that follows it.
const patchOrgSQL = `UPDATE lm_organizations SET
	name = CASE WHEN ? THEN name ELSE ? END,
	json_item = CASE WHEN ? THEN json_item ELSE ` + orgItemOfNameSQL + ` END,
	website = CASE WHEN ? THEN website ELSE ? END,
	support_url = CASE WHEN ? THEN support_url ELSE ? END,
	country = CASE WHEN ? THEN country ELSE ? END,
	webhook_url = CASE WHEN ? THEN webhook_url ELSE ? END,
	webhook_header = CASE WHEN ? THEN webhook_header ELSE ? END
	WHERE id = ? AND `

// patchArgs are patchOrgSQL's arguments for a validated req and its values o.
func patchArgs(req *orgRequest, o *org, id string) []any {
	keep := func(f field[string]) bool { return !f.Set }
	var nameJSON any
	if !keep(req.Name) {
		nameJSON = httpx.JSONString(o.Name)
	}
	return []any{keep(req.Name), o.Name, keep(req.Name), nameJSON, keep(req.Website), o.Website, keep(req.SupportURL), o.SupportURL,
		keep(req.Country), o.Country, keep(req.WebhookURL), o.WebhookURL, keep(req.WebhookHeader), o.WebhookHeader, id}
}

// patchOrgByKeySQL is patchOrgSQL for a Default key (one more argument: the
// key): the organization must be of the key's account.
var patchOrgByKeySQL = patchOrgSQL + `account_id = (SELECT account_id FROM lm_organizations
	WHERE api_key = ? AND is_default) RETURNING COALESCE(` + orgJSONSQL("") + `, '')`

// patchOrgDirect is patchOrg in one statement: the body is read and checked
// first (see httpx.ReadAhead), then the update applies only if the key is a
// Default key of the organization's account. The general path answers what
// it leaves, with the body replayed, so the errors keep their order.
func (a *API) patchOrgDirect(w http.ResponseWriter, r *http.Request) *http.Request {
	key := r.Header.Get("Authorization")
	if key == "" {
		return r
	}
	body, general := httpx.ReadAheadOrGeneral(r)
	if general != nil {
		return general
	}
	var req orgRequest
	var be *httpx.BodyError
	if err := httpx.Unmarshal(body, &req, false); err != nil && !(errors.As(err, &be) && be.Kind == httpx.BodyEmpty) {
		return httpx.Replay(r, body, nil)
	}
	var o org
	if req.apply(&o, false) != nil {
		return httpx.Replay(r, body, nil)
	}
	id := httpx.PathParam(r, "id")
	var answer []byte
	if a.DB.WriteRow(r.Context(), patchOrgByKeySQL, append(patchArgs(&req, &o, id), key)...).Scan(&answer) != nil {
		return httpx.Replay(r, body, nil)
	}
	if len(answer) == 0 {
		// An organization stored before its JSON was kept: encoded from its columns.
		var out orgDetails
		err := a.DB.QueryRow(r.Context(), `SELECT `+orgDetailsColumns+` FROM lm_organizations WHERE id = ?`, id).
			Scan(&out.ID, &out.Name, &out.Status, &out.CreateDate, &out.APIKey)
		if errors.Is(err, sql.ErrNoRows) {
			err = errOrgNotFound() // deleted since
		}
		if err != nil {
			a.WriteError(w, r, err)
			return nil
		}
		httpx.WriteJSON(w, http.StatusOK, "", out)
		return nil
	}
	httpx.WriteJSONBody(w, http.StatusOK, "", answer)
	return nil
}

// senderPageByKeySQL is senderPageSQL for a Default key, with what
// listSenders reads before it (arguments: the emulated time, the key,
// LIMIT, OFFSET): on every row, whether an activation is due (settleDueSQL:
// then the general path settles it first) and the account's kept count.
func senderPageByKeySQL(p pageQuery) string {
	if p.Desc {
		return senderPageByKeyDesc
	}
	return senderPageByKeyAsc
}

var senderPageByKeyDesc, senderPageByKeyAsc = senderPageByKey(pageQuery{Desc: true}), senderPageByKey(pageQuery{})

func senderPageByKey(p pageQuery) string {
	return `SELECT (` + settleDueSQL + `),
		COALESCE((SELECT n FROM lm_counts WHERE what = 'senders' AND owner = k.account_id), 0),
		` + prefixColumns("s.", senderColumns) + `
		FROM lm_organizations k JOIN lm_senders s ON s.account_id = k.account_id
		WHERE k.api_key = ? AND k.is_default` + p.order("s.") + ` LIMIT ? OFFSET ?`
}

// senderByKeySQL is getSender's read for a key (arguments: the emulated
// time, the sender's id, the key): whether an activation is due, and the
// sender when the key reaches it (loadSender's scope).
var senderByKeySQL = `SELECT (` + settleDueSQL + `), ` + prefixColumns("s.", senderColumns) + `
	FROM lm_organizations k JOIN lm_senders s ON s.id = ? AND s.account_id = k.account_id
		AND (k.is_default OR s.organization_id = k.id)
	WHERE k.api_key = ?`

// prefixColumns is a column list with each column qualified by prefix.
func prefixColumns(prefix, columns string) string {
	return prefix + strings.ReplaceAll(columns, ", ", ", "+prefix)
}

// listSendersDirect is listSenders for a Default key in one statement.
func (a *API) listSendersDirect(w http.ResponseWriter, r *http.Request) *http.Request {
	key := r.Header.Get("Authorization")
	if key == "" {
		return r
	}
	p, bad := pagingProblems(r)
	if bad != nil {
		return r
	}
	rows, err := a.DB.Query(r.Context(), senderPageByKeySQL(p), formatTime(a.now()), key, p.PerPage, p.offset())
	if err != nil {
		return r
	}
	defer rows.Close()
	var due bool
	var count int
	var it senderItem
	if !writeRowsPage(w, rows, p, &count, func(items []byte) ([]byte, bool) {
		if rows.Scan(&due, &count, &it.ID, &it.Name, &it.Status, &it.CreateDate) != nil || due {
			return items, false
		}
		return appendSender(items, &it), true
	}) {
		return r
	}
	return nil
}

// writeRowsPage writes a page of the open rows, each appended by item
// (false: the row is not one to answer, and nothing is written); count is
// the list's count, which item reads with each row. false when nothing was
// written (also for an empty page): the general path answers.
func writeRowsPage(w http.ResponseWriter, rows *store.Rows, p pageQuery, count *int, item func(items []byte) ([]byte, bool)) bool {
	itemsBuf := httpx.Buffer()
	defer httpx.ReleaseBuffer(itemsBuf)
	items := *itemsBuf
	for rows.Next() {
		if len(items) > 0 {
			items = append(items, ',')
		}
		var ok bool
		items, ok = item(items)
		*itemsBuf = items
		if !ok {
			return false
		}
	}
	if rows.Err() != nil || len(items) == 0 {
		return false
	}
	writePageOf(w, p, *count, items)
	return true
}

// getSenderDirect is getSender in one statement.
func (a *API) getSenderDirect(w http.ResponseWriter, r *http.Request) *http.Request {
	key := r.Header.Get("Authorization")
	if key == "" {
		return r
	}
	var due bool
	var it senderItem
	if a.DB.QueryRow(r.Context(), senderByKeySQL, formatTime(a.now()), httpx.PathParam(r, "id"), key).
		Scan(&due, &it.ID, &it.Name, &it.Status, &it.CreateDate) != nil || due {
		return r
	}
	out := httpx.Buffer()
	defer httpx.ReleaseBuffer(out)
	*out = appendSender(*out, &it)
	httpx.WriteJSONBody(w, http.StatusOK, "", *out)
	return nil
}

// appendSender appends it as WriteJSON encodes a senderItem.
func appendSender(b []byte, it *senderItem) []byte {
	b = httpx.AppendJSONString(append(b, `{"id":`...), it.ID, false)
	b = httpx.AppendJSONString(append(b, `,"name":`...), it.Name, false)
	b = httpx.AppendJSONString(append(b, `,"status":`...), it.Status, false)
	b = httpx.AppendJSONString(append(b, `,"create_date":`...), it.CreateDate, false)
	b = httpx.AppendJSONString(append(b, `,"imessage_link":`...), imessageLink(it.Name), false)
	return append(b, '}')
}

// poolPageByKeySQL is poolPageSQL for a Default key, with the account's
// kept count on every row (arguments: the key, LIMIT, OFFSET).
func poolPageByKeySQL(p pageQuery) string {
	if p.Desc {
		return poolPageByKeyDesc
	}
	return poolPageByKeyAsc
}

var poolPageByKeyDesc, poolPageByKeyAsc = poolPageByKey(pageQuery{Desc: true}), poolPageByKey(pageQuery{})

func poolPageByKey(p pageQuery) string {
	return `SELECT COALESCE((SELECT n FROM lm_counts WHERE what = 'pools' AND owner = k.account_id), 0), ` + poolItemColumns + `
		FROM lm_organizations k JOIN lm_pools p ON p.account_id = k.account_id
		WHERE k.api_key = ? AND k.is_default` + p.order("p.") + ` LIMIT ? OFFSET ?`
}

// poolByKeySQL is getPool's read for a key (arguments: the pool's id, the
// key): the pool when the key reaches it.
const poolByKeySQL = `SELECT p.id, p.name, p.status, p.create_date
	FROM lm_organizations k JOIN lm_pools p ON p.id = ? AND p.account_id = k.account_id
		AND (k.is_default OR p.organization_id = k.id)
	WHERE k.api_key = ?`

// listPoolsDirect is listPools for a Default key in one statement.
func (a *API) listPoolsDirect(w http.ResponseWriter, r *http.Request) *http.Request {
	key := r.Header.Get("Authorization")
	if key == "" {
		return r
	}
	p, bad := pagingProblems(r)
	if bad != nil {
		return r
	}
	rows, err := a.DB.Query(r.Context(), poolPageByKeySQL(p), key, p.PerPage, p.offset())
	if err != nil {
		return r
	}
	defer rows.Close()
	var count int
	var it poolItem
	if !writeRowsPage(w, rows, p, &count, func(items []byte) ([]byte, bool) {
		if rows.Scan(&count, &it.ID, &it.Name, &it.Count, &it.CreateDate) != nil {
			return items, false
		}
		items = httpx.AppendJSONString(append(items, `{"id":`...), it.ID, false)
		items = httpx.AppendJSONString(append(items, `,"name":`...), it.Name, false)
		items = strconv.AppendInt(append(items, `,"count":`...), int64(it.Count), 10)
		items = httpx.AppendJSONString(append(items, `,"create_date":`...), it.CreateDate, false)
		return append(items, '}'), true
	}) {
		return r
	}
	return nil
}

// getPoolDirect is getPool in one statement.
func (a *API) getPoolDirect(w http.ResponseWriter, r *http.Request) *http.Request {
	key := r.Header.Get("Authorization")
	if key == "" {
		return r
	}
	var d poolDetails
	if a.DB.QueryRow(r.Context(), poolByKeySQL, httpx.PathParam(r, "id"), key).
		Scan(&d.ID, &d.Name, &d.Status, &d.CreateDate) != nil {
		return r
	}
	out := httpx.Buffer()
	defer httpx.ReleaseBuffer(out)
	b := httpx.AppendJSONString(append(*out, `{"id":`...), d.ID, false)
	b = httpx.AppendJSONString(append(b, `,"name":`...), d.Name, false)
	b = httpx.AppendJSONString(append(b, `,"status":`...), d.Status, false)
	b = httpx.AppendJSONString(append(b, `,"create_date":`...), d.CreateDate, false)
	*out = append(b, '}')
	httpx.WriteJSONBody(w, http.StatusOK, "", *out)
	return nil
}

package partner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/store"
)

// Paging of the clients and channels lists. 360dialog documents the parameters
// (limit, offset, sort with "-" for descending, filters as a JSON object) but
// not their bounds; these are ours.
const (
	defaultLimit = 20
	maxLimit     = 1000
)

// listSpec says which fields a list filters and sorts on, and their columns.
type listSpec struct {
	table string
	// source, when set, is the rows the list reads at an instant (a
	// subquery and its arguments) instead of table.
	source  func(now string) (string, []any)
	filters map[string]string // filter key → column
	sorts   map[string]string // sort field → column
}

var (
	clientList = listSpec{table: "dlg_clients",
		filters: map[string]string{"id": "id", "name": "name", "status": "status", "partner_payload": "partner_payload"},
		sorts:   map[string]string{"id": "id", "name": "name", "status": "status", "created_at": "created_at", "modified_at": "modified_at"}}
	channelList = listSpec{table: "dlg_channels", source: channelsAt,
		filters: map[string]string{"id": "id", "client_id": "client_id", "status": "status", "account_mode": "account_mode", "phone_number": "phone_number"},
		sorts:   map[string]string{"id": "id", "client_id": "client_id", "status": "status", "created_at": "created_at", "modified_at": "modified_at"}}
)

// listQuery is a validated list request.
type listQuery struct {
	limit, offset int
	sort          []string        // as asked, "-" kept
	filters       json.RawMessage // echoed as sent ({} when none)
	where         []string
	args          []any
	order         string
}

// parseList validates limit, offset, sort and filters; every bad one is a detail of one 400.
func parseList(q url.Values, spec listSpec) (*listQuery, error) {
	lq := &listQuery{limit: defaultLimit, sort: []string{"id"}, filters: json.RawMessage(`{}`)}
	var details []Detail
	bad := func(field, msg string) { details = append(details, Detail{field, msg}) }
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			bad("limit", fmt.Sprintf("Must be an integer from 1 to %d.", maxLimit))
		} else {
			lq.limit = n
		}
	}
	if s := q.Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			bad("offset", "Must be an integer of at least 0.")
		} else {
			lq.offset = n
		}
	}
	if s := q.Get("sort"); s != "" {
		lq.sort = nil
		for _, f := range strings.Split(s, ",") {
			f = strings.TrimSpace(f)
			if _, ok := spec.sorts[strings.TrimPrefix(f, "-")]; !ok {
				bad("sort", "Cannot sort by "+strconv.Quote(f)+"; one of "+keys(spec.sorts)+", with - for descending.")
				continue
			}
			lq.sort = append(lq.sort, f)
		}
	}
	var order []string
	byID := false
	for _, f := range lq.sort {
		dir := " ASC"
		if strings.HasPrefix(f, "-") {
			dir = " DESC"
		}
		col := spec.sorts[strings.TrimPrefix(f, "-")]
		byID = byID || col == "id"
		order = append(order, col+dir)
	}
	if !byID {
		// id breaks ties: stable pages. (A sort that has id has no ties, and
		// repeating it would keep SQLite from reading the order from an index.)
		order = append(order, "id ASC")
	}
	lq.order = strings.Join(order, ", ")
	if s := q.Get("filters"); s != "" {
		var filters map[string]json.RawMessage
		if err := json.Unmarshal([]byte(s), &filters); err != nil || filters == nil {
			bad("filters", "Must be a JSON object of fields and their expected values.")
		} else {
			names := make([]string, 0, len(filters))
			for k := range filters {
				names = append(names, k)
			}
			sort.Strings(names) // a stable query and stable error order
			for _, k := range names {
				col, ok := spec.filters[k]
				if !ok {
					bad("filters", "Cannot filter by "+strconv.Quote(k)+"; one of "+keys(spec.filters)+".")
					continue
				}
				var v string
				if json.Unmarshal(filters[k], &v) != nil {
					bad("filters", "The value of "+strconv.Quote(k)+" must be a string.")
					continue
				}
				lq.where = append(lq.where, col+" = ?")
				lq.args = append(lq.args, v)
			}
			lq.filters = json.RawMessage(s)
		}
	}
	if details != nil {
		return nil, &Error{Status: http.StatusBadRequest, Message: "Invalid query parameters.", Details: details}
	}
	return lq, nil
}

func keys(m map[string]string) string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// pageMeta is what both lists answer before their items, in 360dialog's key order.
type pageMeta struct {
	Count   int             `json:"count"`
	Filters json.RawMessage `json:"filters"`
	Sort    []string        `json:"sort"`
	Limit   int             `json:"limit"`
	Offset  int             `json:"offset"`
	Total   int             `json:"total"`
}

// appendJSON appends the meta as httpx.MarshalJSON encodes it
// (TestPageMetaEncodesAsMarshalJSON), without its reflection.
func (m pageMeta) appendJSON(b []byte) ([]byte, error) {
	b = strconv.AppendInt(append(b, `{"count":`...), int64(m.Count), 10)
	b = append(b, `,"filters":`...)
	switch {
	case m.Filters == nil:
		b = append(b, "null"...)
	case string(m.Filters) == "{}":
		b = append(b, "{}"...)
	default: // compacted, as encoding/json writes a RawMessage
		var c bytes.Buffer
		if err := json.Compact(&c, m.Filters); err != nil {
			return b, err
		}
		b = append(b, c.Bytes()...)
	}
	b = append(b, `,"sort":`...)
	if m.Sort == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, s := range m.Sort {
			if i > 0 {
				b = append(b, ',')
			}
			b = httpx.AppendJSONString(b, s, false)
		}
		b = append(b, ']')
	}
	b = strconv.AppendInt(append(b, `,"limit":`...), int64(m.Limit), 10)
	b = strconv.AppendInt(append(b, `,"offset":`...), int64(m.Offset), 10)
	b = strconv.AppendInt(append(b, `,"total":`...), int64(m.Total), 10)
	return append(b, '}'), nil
}

// listPage validates the query, then counts the partner's matching rows of
// spec and reads one page of them with cols, scanned by scan.
func listPage[T any](a *API, r *http.Request, spec listSpec, cols string, scan func(scanner) (T, error)) (pageMeta, []T, error) {
	c, err := scoped(r)
	if err != nil {
		return pageMeta{}, nil, err
	}
	lq, err := parseList(r.URL.Query(), spec)
	if err != nil {
		return pageMeta{}, nil, err
	}
	ctx := r.Context()
	from, where, args := lq.rows(a, spec, c.ID)
	meta := lq.meta()
	if err := a.DB.QueryRow(ctx, `SELECT count(*) FROM `+from+` WHERE `+where, args...).Scan(&meta.Total); err != nil {
		return pageMeta{}, nil, err
	}
	rows, err := a.DB.Query(ctx, `SELECT `+cols+` FROM `+from+` WHERE `+where+` ORDER BY `+lq.order+
		` LIMIT ? OFFSET ?`, append(args, lq.limit, lq.offset)...)
	if err != nil {
		return pageMeta{}, nil, err
	}
	defer rows.Close()
	items := []T{} // an empty page is [], not null
	for rows.Next() {
		item, err := scan(rows)
		if err != nil {
			return pageMeta{}, nil, err
		}
		items = append(items, item)
	}
	meta.Count = len(items)
	return meta, items, rows.Err()
}

// rows is what a list reads of spec for partnerID: the rows (a table or a
// subquery), the condition on them, and its arguments (the subquery's first).
func (lq *listQuery) rows(a *API, spec listSpec, partnerID string) (from, where string, args []any) {
	from = spec.table
	if spec.source != nil {
		from, args = spec.source(a.stamp())
	}
	where = "partner_id = ?"
	if len(lq.where) > 0 {
		where += " AND " + strings.Join(lq.where, " AND ")
	}
	return from, where, append(append(args, partnerID), lq.args...)
}

// meta is the page's envelope before the page is read.
func (lq *listQuery) meta() pageMeta {
	return pageMeta{Filters: lq.filters, Sort: lq.sort, Limit: lq.limit, Offset: lq.offset}
}

// listPageDirect is listPage in one statement, for a credential of the
// partner the path names: the credential's lookup and the count are scalar
// subqueries of the page's query (credentials that name another partner, or
// none, read no rows). ok is false when it has no answer: no or a bad
// credential, another partner, invalid parameters, an empty page (which
// cannot tell those apart) or an error; the general path then answers.
func listPageDirect[T any](a *API, r *http.Request, spec listSpec, cols string, scan func(scanner) (T, error)) (pageMeta, []T, bool) {
	column, value, _, err := a.credential(r)
	if err != nil {
		return pageMeta{}, nil, false
	}
	lq, err := parseList(r.URL.Query(), spec)
	if err != nil {
		return pageMeta{}, nil, false
	}
	query, args := lq.directSQL(a, spec, cols, column, value, httpx.PathParam(r, "partner_id"))
	rows, err := a.DB.Query(r.Context(), query, args...)
	if err != nil {
		return pageMeta{}, nil, false
	}
	defer rows.Close()
	meta := lq.meta()
	var items []T
	for rows.Next() {
		item, err := scan(rowWithTotal{rows, &meta.Total})
		if err != nil {
			return pageMeta{}, nil, false
		}
		items = append(items, item)
	}
	if rows.Err() != nil || len(items) == 0 {
		return pageMeta{}, nil, false
	}
	meta.Count = len(items)
	return meta, items, true
}

// directSQL is listPageDirect's statement and its arguments: the page of
// partnerID's rows with cols and the total, if the credential (column,
// value) names partnerID.
func (lq *listQuery) directSQL(a *API, spec listSpec, cols, column, value, partnerID string) (string, []any) {
	from, where, args := lq.rows(a, spec, partnerID)
	query := `SELECT ` + cols + `, (SELECT count(*) FROM ` + from + ` WHERE ` + where + `) FROM ` + from +
		` WHERE ` + where + ` AND partner_id = (SELECT id FROM dlg_partners WHERE ` + column + ` = ?)` +
		` ORDER BY ` + lq.order + ` LIMIT ? OFFSET ?`
	return query, append(append(append(args, args...), value), lq.limit, lq.offset)
}

// rowWithTotal scans a row of listPageDirect: the item's columns, then the total.
type rowWithTotal struct {
	s     scanner
	total *int
}

func (r rowWithTotal) Scan(dest ...any) error {
	return r.s.Scan(append(dest, r.total)...)
}

// Client is a partner's client (a Client Hub account).
type Client struct {
	ID             string      `json:"id"`
	Name           string      `json:"name"`
	Status         string      `json:"status"`
	PartnerID      string      `json:"partner_id"`
	CreatedAt      string      `json:"created_at"`
	ModifiedAt     string      `json:"modified_at"`
	ContactInfo    ContactInfo `json:"contact_info"`
	MaxChannels    int         `json:"max_channels"`
	PartnerPayload *string     `json:"partner_payload"`
}

// ContactInfo is how to reach a client.
type ContactInfo struct {
	Email    string `json:"email"`
	FullName string `json:"full_name"`
}

type clientsPage struct {
	pageMeta
	Clients []Client `json:"clients"`
}

// clientColumns are a Client's columns, in scanClient's order.
const clientColumns = `id, name, status, partner_id, created_at, modified_at, contact_email, contact_name,
	max_channels, partner_payload`

func scanClient(s scanner) (c Client, err error) {
	err = s.Scan(&c.ID, &c.Name, &c.Status, &c.PartnerID, &c.CreatedAt, &c.ModifiedAt,
		&c.ContactInfo.Email, &c.ContactInfo.FullName, &c.MaxChannels, &c.PartnerPayload)
	return c, err
}

// insertClient stores c with its JSON as the list writes it (clients are
// never updated, so it stays what the columns say).
func insertClient(ctx context.Context, tx *store.Tx, c Client) error {
	doc, err := httpx.MarshalJSON(c)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO dlg_clients (id, partner_id, name, status, created_at, modified_at,
		contact_email, contact_name, max_channels, partner_payload, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.PartnerID, c.Name, c.Status, c.CreatedAt, c.ModifiedAt, c.ContactInfo.Email, c.ContactInfo.FullName,
		c.MaxChannels, c.PartnerPayload, string(doc))
	return err
}

// scanKept reads a row's kept JSON; NULL (not kept) is an error, so that
// the general path answers.
func scanKept(s scanner) (json.RawMessage, error) {
	var doc []byte
	if err := s.Scan(&doc); err != nil {
		return nil, err
	}
	if doc == nil {
		return nil, errNotKept
	}
	return doc, nil
}

var errNotKept = errors.New("partner: the row's JSON is not kept")

// listClientsDirect is listClients in one statement (see listPageDirect),
// with the clients' kept JSON.
func (a *API) listClientsDirect(w http.ResponseWriter, r *http.Request) *http.Request {
	meta, clients, ok := listPageDirect(a, r, clientList, "json", scanKept)
	if !ok {
		return r
	}
	// Written as WriteJSON writes a clientsPage, the clients' kept JSON
	// (compact, as encoded) as it is: encoding/json would validate and
	// compact each one again.
	buf := httpx.Buffer()
	defer httpx.ReleaseBuffer(buf)
	b, err := meta.appendJSON(*buf)
	if err != nil {
		return r
	}
	b = append(b[:len(b)-1], `,"clients":[`...)
	for i, c := range clients {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, c...)
	}
	*buf = append(b, "]}"...)
	httpx.WriteJSONBody(w, http.StatusOK, "", *buf)
	return nil
}

// listClients handles GET /api/v2/partners/{partner_id}/clients.
func (a *API) listClients(w http.ResponseWriter, r *http.Request) error {
	meta, clients, err := listPage(a, r, clientList, clientColumns, scanClient)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, "", clientsPage{meta, clients})
	return nil
}

// Channel is one WhatsApp number of a client.
type Channel struct {
	ID          string      `json:"id"`
	ClientID    string      `json:"client_id"`
	PartnerID   string      `json:"partner_id"`
	Status      string      `json:"status"`
	AccountMode string      `json:"account_mode"`
	SetupInfo   SetupInfo   `json:"setup_info"`
	WabaAccount WabaAccount `json:"waba_account"`
	CreatedAt   string      `json:"created_at"`
	ModifiedAt  string      `json:"modified_at"`
}

// SetupInfo is the number a channel was set up with.
type SetupInfo struct {
	PhoneNumber string `json:"phone_number"`
	PhoneName   string `json:"phone_name"`
}

// WabaAccount is the WhatsApp Business Account a channel belongs to.
type WabaAccount struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type channelsPage struct {
	pageMeta
	PartnerChannels []Channel `json:"partner_channels"`
}

// timeLayout is the one layout of the clients' and channels' times: they
// are compared and sorted as text.
const timeLayout = "2006-01-02T15:04:05Z"

// stamp is the emulated present in timeLayout.
func (a *API) stamp() string { return a.Clock.Now().UTC().Format(timeLayout) }

// channelsAt is dlg_channels as it is at now: a channel signed up through the
// control plane has the status (and modified_at) of the latest step it has
// reached, computed on read, so no job has to move it and the list's filters
// and sorts on status agree with what it shows.
func channelsAt(now string) (string, []any) {
	return `(SELECT id, partner_id, client_id, account_mode, phone_number, phone_name, waba_id, waba_name, created_at,
		CASE WHEN running_at <= ? THEN 'running' WHEN ready_at <= ? THEN 'ready'
			WHEN submitted_at <= ? THEN 'submitted' ELSE status END AS status,
		CASE WHEN running_at <= ? THEN running_at WHEN ready_at <= ? THEN ready_at
			WHEN submitted_at <= ? THEN submitted_at ELSE modified_at END AS modified_at,
		submitted_at, ready_at, running_at, rowid AS seq
		FROM dlg_channels)`, []any{now, now, now, now, now, now}
}

// channelColumns are a Channel's columns, in scanChannel's order.
const channelColumns = `id, client_id, partner_id, status, account_mode, phone_number, phone_name, waba_id, waba_name,
	created_at, modified_at`

func scanChannel(s scanner) (c Channel, err error) {
	err = s.Scan(&c.ID, &c.ClientID, &c.PartnerID, &c.Status, &c.AccountMode, &c.SetupInfo.PhoneNumber,
		&c.SetupInfo.PhoneName, &c.WabaAccount.ID, &c.WabaAccount.Name, &c.CreatedAt, &c.ModifiedAt)
	return c, err
}

// listChannelsDirect is listChannels in one statement (see listPageDirect).
func (a *API) listChannelsDirect(w http.ResponseWriter, r *http.Request) *http.Request {
	meta, channels, ok := listPageDirect(a, r, channelList, channelColumns, scanChannel)
	if !ok || writeChannelsPage(w, meta, channels) != nil {
		return r
	}
	return nil
}

// listChannels handles GET /api/v2/partners/{partner_id}/channels.
func (a *API) listChannels(w http.ResponseWriter, r *http.Request) error {
	meta, channels, err := listPage(a, r, channelList, channelColumns, scanChannel)
	if err != nil {
		return err
	}
	return writeChannelsPage(w, meta, channels)
}

// writeChannelsPage writes a page of channels as WriteJSON writes a
// channelsPage (TestChannelsPageEncodesAsWriteJSON), without its reflection;
// nothing when the meta does not encode.
func writeChannelsPage(w http.ResponseWriter, meta pageMeta, channels []Channel) error {
	buf := httpx.Buffer()
	defer httpx.ReleaseBuffer(buf)
	b, err := meta.appendJSON(*buf)
	if err != nil {
		return err
	}
	b = append(b[:len(b)-1], `,"partner_channels":`...)
	if channels == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range channels {
			if i > 0 {
				b = append(b, ',')
			}
			b = channels[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	*buf = append(b, '}')
	httpx.WriteJSONBody(w, http.StatusOK, "", *buf)
	return nil
}

// appendJSON appends the channel as WriteJSON encodes it.
func (c *Channel) appendJSON(b []byte) []byte {
	str := func(b []byte, key, v string) []byte {
		return httpx.AppendJSONString(append(b, key...), v, false)
	}
	b = str(b, `{"id":`, c.ID)
	b = str(b, `,"client_id":`, c.ClientID)
	b = str(b, `,"partner_id":`, c.PartnerID)
	b = str(b, `,"status":`, c.Status)
	b = str(b, `,"account_mode":`, c.AccountMode)
	b = str(b, `,"setup_info":{"phone_number":`, c.SetupInfo.PhoneNumber)
	b = str(b, `,"phone_name":`, c.SetupInfo.PhoneName)
	b = str(b, `},"waba_account":{"id":`, c.WabaAccount.ID)
	b = str(b, `,"name":`, c.WabaAccount.Name)
	b = str(b, `},"created_at":`, c.CreatedAt)
	b = str(b, `,"modified_at":`, c.ModifiedAt)
	return append(b, '}')
}

package courier

import (
	"context"
	"database/sql"
	"encoding/json"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/httpx"
)

// The system family: aggregation requests, data purges, replicators
// and request sniffers.

// systemResources is the table of aggregation requests, data purges,
// replicators and sniffers.
func systemResources() []*jsonapi.Resource {
	return []*jsonapi.Resource{
		{
			Type: "aggregation-requests", Path: "/v1/aggregation-requests/",
			Create:       "aggregation-requests.create",
			Required:     []string{"entries"},
			BeforeCreate: aggregationCreate,
		},
		{
			Type: "system-purges", Path: "/v1/purge-data/",
			Create:       "purge-data.create",
			Required:     []string{"entity-type", "entity-id"},
			BeforeCreate: purgeData,
			CreateAnswer: purgeAnswer,
		},
		{
			Type: "replicators", Path: "/v1/replicators/",
			List: "replicators.list", Get: "replicators.get",
			Scope:   replicatorScope,
			Visible: replicatorVisible,
		},
		{
			Type: "sniffers", Path: "/v1/sniffers/",
			Create: "sniffers.create", Get: "sniffers.get",
			Required:     []string{"user-id"},
			BeforeCreate: snifferCreate,
			Actions:      []jsonapi.Action{{Op: "sniffers.get-logs", OnItem: true, Handler: snifferLogs}},
		},
	}
}

// aggregationCreate checks the entries {column, individual-id} of a request
// to aggregate individuals' data: every individual must be visible.
func aggregationCreate(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) error {
	var entries []map[string]jsonRaw
	rec.Decode("entries", &entries)
	if len(entries) == 0 {
		return jsonapi.ErrPointer("/data/attributes/entries", "This field is required: at least one entry.")
	}
	for i, e := range entries {
		ptr := "/data/attributes/entries/" + strconv.Itoa(i)
		var col, id string
		if json.Unmarshal(e["column"], &col) != nil || strings.TrimSpace(col) == "" {
			return jsonapi.ErrPointer(ptr+"/column", "Must be the name of a column.")
		}
		if json.Unmarshal(e["individual-id"], &id) != nil {
			return jsonapi.ErrPointer(ptr+"/individual-id", "Must be a valid UUID.")
		}
		ind, err := c.LoadRef(ptr+"/individual-id", "individuals", id)
		if err != nil {
			return err
		}
		if rec.OrgID == "" {
			rec.OrgID = ind.OrgID
		}
	}
	return nil
}

// purgeProtected are the types a purge never removes: organizations and
// users belong to other services, purges are the audit trail.
func purgeProtected(typ string) bool {
	switch typ {
	case "organizations", "users", "individuals", "individual-groups", "system-purges", "replicators":
		return true
	}
	return false
}

// purgeData removes what the purge names: for an individual, every courier
// record about them (their messages, e-mails, reminders, multicasts, video
// participations, calls, ...), with the records below those, and their
// channel subscriptions; for any other entity type (messaging-channel,
// video-channel, text-account, ... singular or plural), that record and
// everything below it. The individual record itself stays: courier does not
// own individuals. The purge is kept (hidden) with what it removed.
func purgeData(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) error {
	typ := strings.TrimSpace(rec.Str("entity-type"))
	id := jsonapi.LowerID(strings.TrimSpace(rec.Str("entity-id")))
	if c.Engine.Attrs(typ) == nil {
		typ += "s"
	}
	if c.Engine.Attrs(typ) == nil || (purgeProtected(typ) && typ != "individuals") {
		return jsonapi.ErrPointer("/data/attributes/entity-type", "Cannot purge entity type %q.", rec.Str("entity-type"))
	}
	if !jsonapi.IsUUID(id) {
		return jsonapi.ErrPointer("/data/attributes/entity-id", "Must be a valid UUID.")
	}
	ent, err := c.Load(typ, id)
	if err != nil {
		return err
	}
	if ent == nil {
		return jsonapi.ErrPointer("/data/attributes/entity-id", "%s %s does not exist.", jsonapi.Singular(typ), id)
	}
	rec.OrgID = ent.OrgID
	var roots []*jsonapi.Record
	if typ == "individuals" {
		roots, err = jsonapi.QueryRecords(c.Ctx, c.Tx, `SELECT `+jsonapi.RecordColumns+` FROM cr_resources WHERE org_id = ? AND (parent_id = ?
			OR lower(json_extract(attrs, '$."individual-id"')) = ? OR lower(json_extract(attrs, '$."sender-individual-id"')) = ?)`,
			ent.OrgID, id, id, id)
		if err != nil {
			return err
		}
		if _, err := c.Tx.ExecContext(c.Ctx, `DELETE FROM cr_links WHERE rel != ? AND (from_id = ? OR to_id = ?)`, relMember, id, id); err != nil {
			return err
		}
	} else {
		roots = []*jsonapi.Record{ent}
	}
	removed := 0
	for len(roots) > 0 {
		var next []*jsonapi.Record
		for _, r := range roots {
			if purgeProtected(r.Type) {
				continue
			}
			if err := jsonapi.DeleteRecord(c.Ctx, c.Tx, r.Type, r.ID); err != nil {
				return err
			}
			if _, err := c.Tx.ExecContext(c.Ctx, `DELETE FROM cr_links WHERE rel != ? AND (from_id = ? OR to_id = ?)`, relMember, r.ID, r.ID); err != nil {
				return err
			}
			removed++
			kids, err := jsonapi.QueryRecords(c.Ctx, c.Tx, `SELECT `+jsonapi.RecordColumns+` FROM cr_resources WHERE parent_id = ?`, r.ID)
			if err != nil {
				return err
			}
			next = append(next, kids...)
		}
		roots = next
	}
	rec.Set("_removed", removed)
	return nil
}

// purgeAnswer: the vendor answers a purge with null.
func purgeAnswer(c *jsonapi.Call, rec *jsonapi.Record) (any, error) { return nil, nil }

// Replicators are system processes: every authenticated caller sees them.
func replicatorScope(c *jsonapi.Call) (string, []any) { return "1 = 1", nil }

func replicatorVisible(c *jsonapi.Call, rec *jsonapi.Record) bool { return true }

// snifferCreate captures a user of the caller's organizations until
// valid-until (an hour from now by default, never in the past).
func snifferCreate(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) error {
	user, err := c.LoadRef("/data/attributes/user-id", "users", rec.Str("user-id"))
	if err != nil {
		return err
	}
	orgs, err := jsonapi.LinkedTo(c.Ctx, c.Tx, relMember, user.ID)
	if err != nil {
		return err
	}
	for _, o := range jsonapi.SortedCopy(orgs) {
		if c.Caller.Member(o) {
			rec.OrgID = o
			break
		}
	}
	if rec.OrgID == "" && user.ID == c.Caller.UserID && len(c.Caller.Orgs) > 0 {
		rec.OrgID = c.Caller.Orgs[0]
	}
	now, _ := time.Parse(jsonapi.TimeLayout, c.Now)
	until := jsonapi.FormatTime(now.Add(time.Hour))
	if s := rec.Str("valid-until"); s != "" {
		if until, err = normalTime("/data/attributes/valid-until", s); err != nil {
			return err
		}
		if until <= c.Now {
			return jsonapi.ErrPointer("/data/attributes/valid-until", "Must be in the future.")
		}
	}
	rec.Set("valid-until", until)
	rec.Set("created-time", c.Now)
	return nil
}

// snifferLogs lists what the sniffer captured.
func snifferLogs(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) (any, error) {
	return c.ListChildren("sniffer-logs", rec.ID)
}

// sniffLimit is how much of each request and response body a sniffer keeps.
const sniffLimit = 64 << 10

// sniff records every request of a user who has a sniffer still valid on the
// emulated clock, with its answer, as a sniffer-logs record under each such
// sniffer (GET /v1/sniffers/{id}/get-logs/ lists them). It runs after
// authentication, so only the caller's own requests are recorded.
func (a *API) sniff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caller := jsonapi.CallerFrom(r.Context())
		now := jsonapi.FormatTime(a.Clock.Now())
		sniffers, err := a.activeSniffers(r.Context(), caller.UserID, now)
		if err != nil {
			a.Log.Error("courier: sniffer look-up", "err", err) // never fail the request being recorded
		}
		if len(sniffers) == 0 {
			next.ServeHTTP(w, r)
			return
		}
		reqBody := &httpx.Capped{Limit: sniffLimit}
		httpx.TeeBody(r, reqBody)
		rec := httpx.NewRecorder(w, sniffLimit)
		next.ServeHTTP(rec, r)

		attrs := map[string]any{
			"body":         reqBody.String(),
			"content_type": r.Header.Get("Content-Type"),
			"created-time": now,
			"message":      http.StatusText(rec.Status),
			"method":       r.Method,
			"path":         r.URL.Path, // chi keeps the full path; it routes on its own copy
			"query-string": r.URL.RawQuery,
			"request-id":   w.Header().Get("X-Request-Id"),
			"response":     rec.Body.String(),
			"status-code":  rec.Status,
			"trace-id":     r.Header.Get("X-Trace-Id"),
			"user-agent":   r.UserAgent(),
		}
		raw := make(map[string]json.RawMessage, len(attrs))
		for k, v := range attrs {
			raw[k], _ = json.Marshal(v) // strings and ints
		}
		// A new context: the client may have gone, the record must still be written.
		ctx := context.WithoutCancel(r.Context())
		err = a.DB.Tx(ctx, func(tx *sql.Tx) error {
			for _, s := range sniffers {
				log := &jsonapi.Record{Type: "sniffer-logs", ID: a.IDs.UUID(), OrgID: s.org, ParentID: s.id, CreatedAt: now, Attrs: maps.Clone(raw)}
				if err := a.engine.Insert(ctx, tx, log); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			a.Log.Error("courier: sniffer log", "err", err)
		}
	})
}

type snifferRef struct{ id, org string }

// activeSniffersSQL reads the sniffers of a user valid after a time (every
// request reads it).
const activeSniffersSQL = `SELECT id, org_id FROM cr_resources WHERE type = 'sniffers'
	AND json_extract(attrs, '$."user-id"') = ? AND json_extract(attrs, '$."valid-until"') > ?`

// activeSniffers are the sniffers of user valid at now (stored times are
// fixed-width UTC, so they compare as text).
func (a *API) activeSniffers(ctx context.Context, user, now string) ([]snifferRef, error) {
	if user == "" {
		return nil, nil
	}
	rows, err := a.DB.Query(ctx, activeSniffersSQL, user, now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []snifferRef
	for rows.Next() {
		var s snifferRef
		if err := rows.Scan(&s.id, &s.org); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

package courier

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/store"
)

// The system family: aggregation requests, data purges, replicators
// and request sniffers.

// systemResources is the table of aggregation requests, data purges,
// replicators and sniffers.
func systemResources() []*jsonapi.Resource {
	return []*jsonapi.Resource{
		{
			Type: "aggregation-requests", Path: "/v1/aggregation-requests/",
			Create:   "aggregation-requests.create",
			Required: []string{"entries"},
			Shapes: map[string]*jsonapi.Shape{"entries": {Kind: "array", Items: &jsonapi.Shape{Kind: "object", Members: []jsonapi.Shape{
				{Name: "column", Required: true, Kind: "string"},
				{Name: "individual-id", Required: true, Kind: "string", Format: "uuid"},
			}}}},
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
	var entries []struct {
		Column       string `json:"column"`
		IndividualID string `json:"individual-id"`
	}
	rec.Decode("entries", &entries)
	if len(entries) == 0 {
		return jsonapi.ErrPointer("/data/attributes/entries", "This field is required: at least one entry.")
	}
	for i, e := range entries {
		ptr := "/data/attributes/entries/" + strconv.Itoa(i)
		if strings.TrimSpace(e.Column) == "" {
			return jsonapi.ErrPointer(ptr+"/column", "Must be the name of a column.")
		}
		ind, err := c.LoadRef(ptr+"/individual-id", "individuals", e.IndividualID)
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
		q, args := c.Engine.AcrossTables(func(t string) string {
			return `SELECT ` + c.Engine.RecordColumns(t) + ` FROM ` + t + ` WHERE org_id = ? AND (parent_id = ?
			OR lower(json_extract(attrs, '$."individual-id"')) = ? OR lower(json_extract(attrs, '$."sender-individual-id"')) = ?)`
		}, ent.OrgID, id, id, id)
		roots, err = jsonapi.QueryRecords(c.Ctx, c.Tx, q, args...)
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
			if err := c.Engine.DeleteRecord(c.Ctx, c.Tx, r.Type, r.ID); err != nil {
				return err
			}
			if _, err := c.Tx.ExecContext(c.Ctx, `DELETE FROM cr_links WHERE rel != ? AND (from_id = ? OR to_id = ?)`, relMember, r.ID, r.ID); err != nil {
				return err
			}
			removed++
			q, args := c.Engine.AcrossTables(func(t string) string {
				return `SELECT ` + c.Engine.RecordColumns(t) + ` FROM ` + t + ` WHERE parent_id = ?`
			}, r.ID)
			kids, err := jsonapi.QueryRecords(c.Ctx, c.Tx, q, args...)
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

// snifferCreate captures a user who shares an organization with the caller
// until valid-until (an hour from now by default, never in the past). The
// sniffer belongs to the first organization they share and remembers its
// creator (hidden), whose scope decides what its logs show. A user the caller
// shares no organization with is out of reach, answered as any out-of-scope
// reference: 400 naming user-id.
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
	if rec.OrgID == "" {
		return jsonapi.ErrPointer("/data/attributes/user-id", "user %s does not exist.", rec.Str("user-id"))
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
	rec.Set(snifferCreator, c.Caller.UserID)
	return nil
}

// Hidden attributes of sniffers and their logs: who created the sniffer, and
// the organizations whose data a logged request read, wrote or named.
const (
	snifferCreator = "_creator"
	snifferLogOrgs = "_orgs"
)

// snifferScope is the organizations a sniffer's creator is a member of now;
// a sniffer without a recorded creator (a fixture's) sees its own
// organization only.
func snifferScope(ctx context.Context, tx *store.Tx, creator, org string) ([]string, error) {
	if creator == "" {
		return []string{org}, nil
	}
	return jsonapi.LinkedTo(ctx, tx, relMember, creator)
}

// snifferLogs lists what the sniffer captured that both its creator and the
// caller may see now: a log whose request reached another organization is
// left out (and not counted), since memberships change after it was written.
func snifferLogs(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) (any, error) {
	scope, err := snifferScope(c.Ctx, c.Tx, rec.Str(snifferCreator), rec.OrgID)
	if err != nil {
		return nil, err
	}
	var allowed []string
	for _, o := range scope {
		if c.Caller.Member(o) {
			allowed = append(allowed, o)
		}
	}
	limit, offset := c.PageBounds()
	page, total := snifferLogsSQL(rec.ID, allowed, limit, offset)
	if reach := jsonapi.ReachFrom(c.Ctx); reach != nil {
		// Reading logs is sniffed too: what they hold is their requests'
		// organizations' data, not only the sniffer's organization's.
		st := snifferLogOrgsSQL(rec.ID, allowed)
		orgs, err := jsonapi.StringColumn(c.Ctx, c.Tx, st.SQL, st.Args...)
		if err != nil {
			return nil, err
		}
		reach.Add(orgs...)
	}
	return c.PageOf(page, total, limit, offset)
}

// snifferLogsSQL is one page and the total of a sniffer's logs whose
// organizations are all among allowed (a log without the list, a fixture's,
// is its own organization's). It reads the sniffer's logs through the parent
// index: a sniffer lives an hour by default.
func snifferLogsSQL(sniffer string, allowed []string, limit, offset int64) (page, total jsonapi.Statement) {
	where, args := snifferLogsWhere(sniffer, allowed)
	return jsonapi.Statement{SQL: `SELECT ` + jsonapi.RecordColumns + ` FROM cr_resources INDEXED BY cr_resources_parent WHERE ` +
			where + ` ORDER BY created_at, id LIMIT ? OFFSET ?`, Args: append(append([]any(nil), args...), limit, offset)},
		jsonapi.Statement{SQL: `SELECT count(*) FROM cr_resources INDEXED BY cr_resources_parent WHERE ` + where, Args: args}
}

// snifferLogsWhere is the condition of snifferLogsSQL.
func snifferLogsWhere(sniffer string, allowed []string) (string, []any) {
	args := jsonapi.AppendArgs([]any{sniffer}, allowed...)
	return `type = 'sniffer-logs' AND parent_id = ? AND NOT EXISTS (SELECT 1 FROM json_each(` + snifferLogOrgsExpr +
		`) WHERE value NOT IN (` + jsonapi.Placeholders(len(allowed)) + `))`, args
}

// snifferLogOrgsExpr is the organizations of a log (snifferLogOrgs; its own
// organization for a fixture's).
const snifferLogOrgsExpr = `COALESCE(json_extract(attrs, '$."` + snifferLogOrgs + `"'), json_array(org_id))`

// snifferLogOrgsSQL reads the organizations of the logs snifferLogsSQL
// counts (one row per log and organization: the caller drops repeats).
func snifferLogOrgsSQL(sniffer string, allowed []string) jsonapi.Statement {
	where, args := snifferLogsWhere(sniffer, allowed)
	return jsonapi.Statement{SQL: `SELECT o.value FROM (SELECT attrs, org_id FROM cr_resources INDEXED BY cr_resources_parent WHERE ` +
		where + `), json_each(` + snifferLogOrgsExpr + `) AS o`, Args: args}
}

// sniffLimit is how much of each request and response body a sniffer keeps.
const sniffLimit = 64 << 10

// sniff records every request of a user who has a sniffer still valid on the
// emulated clock, with its answer, as a sniffer-logs record under each such
// sniffer (GET /v1/sniffers/{id}/get-logs/ lists them). It runs after
// authentication, so only the caller's own requests are recorded. A log keeps
// the organizations of the user whose data the request reached (what the
// engine read or wrote, the organizations it listed, the records its path,
// query and body name); a sniffer whose creator may not see all of them does
// not record it.
//
// Whether the user has sniffers is known only once the token has been looked
// up, in the operation's transaction (authenticate), after the body was read:
// so what is read of every body is kept, the engine's reach is woken by the
// look-up, and the answer, written after the transaction, is kept only when
// there are sniffers (sniffWriter).
func sniff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := sessionOf(r)
		var reqBody *httpx.Capped // nil without a body
		if r.Body != nil && r.Body != http.NoBody {
			reqBody = &httpx.Capped{Limit: sniffLimit}
			httpx.TeeBody(r, reqBody)
		}
		sw := &sniffWriter{ResponseWriter: w, s: s}
		next.ServeHTTP(sw, r)
		if len(s.sniffers) == 0 {
			return
		}
		caller, sniffers, reach, rec := jsonapi.CallerFrom(r.Context()), s.sniffers, s.reach, sw.rec
		body := ""
		if reqBody != nil {
			body = reqBody.String()
		}
		if rec == nil { // nothing was written: net/http answered 200 with no body
			rec = httpx.NewRecorder(w, 0)
		}
		a := apiOf(r)
		now := jsonapi.FormatTime(a.Clock.Now())
		// A new context: the client may have gone, the record must still be written.
		ctx := context.WithoutCancel(r.Context())

		attrs := map[string]any{
			"body":         body,
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
		raw := make(map[string]json.RawMessage, len(attrs)+1)
		for k, v := range attrs {
			raw[k], _ = json.Marshal(v) // strings and ints
		}
		err := a.DB.Tx(ctx, func(tx *store.Tx) error {
			query, _ := url.QueryUnescape(r.URL.RawQuery) // best effort: ids are plain ASCII
			named, err := a.namedOrgs(ctx, tx, r.URL.Path, query, body)
			if err != nil {
				return err
			}
			// Only the user's own organizations count: what the engine read of
			// another (a record it then refused) or an id of another the user
			// typed is not in what the user sent or was answered.
			orgs := []string{}
			for _, o := range append(reach.Orgs(), named...) {
				if caller.Member(o) && !slices.Contains(orgs, o) {
					orgs = append(orgs, o)
				}
			}
			slices.Sort(orgs)
			raw[snifferLogOrgs], _ = json.Marshal(orgs)
			for _, s := range sniffers {
				scope, err := snifferScope(ctx, tx, s.creator, s.org)
				if err != nil {
					return err
				}
				if !allIn(orgs, scope) {
					continue // its creator may not see what the request reached
				}
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

// sniffWriter passes an answer through, and keeps it (an httpx.Recorder)
// when the request's user has sniffers: the token's look-up, in the
// operation's transaction, has said so before any of the answer is written.
type sniffWriter struct {
	http.ResponseWriter
	s       *session
	rec     *httpx.Recorder // the kept answer; nil when not kept
	decided bool
}

// to is where the answer goes: decided at its first byte or status.
func (w *sniffWriter) to() http.ResponseWriter {
	if !w.decided {
		w.decided = true
		if len(w.s.sniffers) > 0 {
			w.rec = httpx.NewRecorder(w.ResponseWriter, sniffLimit)
		}
	}
	if w.rec != nil {
		return w.rec
	}
	return w.ResponseWriter
}

// WriteHeader implements http.ResponseWriter.
func (w *sniffWriter) WriteHeader(code int) { w.to().WriteHeader(code) }

// Write implements http.ResponseWriter.
func (w *sniffWriter) Write(p []byte) (int, error) { return w.to().Write(p) }

// Unwrap lets http.ResponseController reach the real writer.
func (w *sniffWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// allIn reports whether every one of orgs is in scope.
func allIn(orgs, scope []string) bool {
	for _, o := range orgs {
		if !slices.Contains(scope, o) {
			return false
		}
	}
	return true
}

// uuidText finds the ids a request names.
var uuidText = regexp.MustCompile(`(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// maxNamedIDs bounds the ids of one request looked up (a 64 KiB body holds
// at most about 1,800).
const maxNamedIDs = 2000

// namedOrgs are the organizations of the records whose ids the texts name:
// a request that names another organization's record and fails before
// reading it (a 400 on another attribute) still carries that organization's
// data in its body. The look-up seeks the primary key of every type.
func (a *API) namedOrgs(ctx context.Context, tx *store.Tx, texts ...string) ([]string, error) {
	seen := map[string]bool{}
	var ids []any
	for _, t := range texts {
		for _, id := range uuidText.FindAllString(t, -1) {
			id = jsonapi.LowerID(id)
			if !seen[id] && len(ids) < maxNamedIDs {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(a.model.types)+len(ids))
	for _, t := range a.model.types {
		args = append(args, t)
	}
	args = append(args, ids...)
	q, all := a.engine.AcrossTables(namedOrgsSQL(len(a.model.types), len(ids)), args...)
	return jsonapi.StringColumn(ctx, tx, q, all...)
}

// namedOrgsSQL reads the organizations of records of a table of any of
// nTypes types by nIDs ids (one row per record found: the caller drops
// repeats).
func namedOrgsSQL(nTypes, nIDs int) func(table string) string {
	return func(table string) string {
		return `SELECT org_id FROM ` + table + ` WHERE type IN (` + jsonapi.Placeholders(nTypes) + `)
		AND id IN (` + jsonapi.Placeholders(nIDs) + `) AND org_id != ''`
	}
}

// snifferRef is an active sniffer: its id, organization and creator.
type snifferRef struct{ id, org, creator string }

// activeSniffersSQL reads the sniffers of a user (t.user_id of callerSQL;
// none without one) valid after a time (stored times are fixed-width UTC, so
// they compare as text), as [id, organization, creator] triples: every
// request reads it.
const activeSniffersSQL = `SELECT json_group_array(json_array(id, org_id, COALESCE(json_extract(attrs, '$."` + snifferCreator + `"'), '')))
	FROM cr_resources WHERE type = 'sniffers' AND json_extract(attrs, '$."user-id"') = +t.user_id AND json_extract(attrs, '$."valid-until"') > ?
	AND t.user_id != ''`

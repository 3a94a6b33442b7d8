package courier

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
)

// Hooks of app credentials, badge counts, multicasts, org preferences, user
// notifications (and their daily counts) and the communication summary.

// unarchivedCredentials: archived credentials are listed only with include[archived]=true.
func unarchivedCredentials(c *jsonapi.Call, q *jsonapi.ListQuery) error {
	if !c.Query.Bool("include[archived]") {
		q.Where(jsonapi.JSONAttr("archived") + " = 0")
	}
	return nil
}

// moveCredentials: credentials may move to another organization of the caller's (403 otherwise).
func moveCredentials(c *jsonapi.Call, old, rec *jsonapi.Record, in map[string]jsonRaw) error {
	if _, ok := in["organization-id"]; !ok {
		return nil
	}
	org := rec.Str("organization-id")
	if org == "" {
		return jsonapi.ErrPointer("/data/attributes/organization-id", "This field may not be null.")
	}
	if !c.Caller.Member(org) {
		return &jsonapi.Error{Status: http.StatusForbidden, Code: jsonapi.CodePermission, Pointer: "/data/attributes/organization-id",
			Detail: "You do not have permission to perform this action in organization " + org + "."}
	}
	rec.OrgID = org
	return nil
}

// replaceBadgeCount: one badge count per organization, individual and type;
// a new one replaces the old.
func replaceBadgeCount(c *jsonapi.Call, rec *jsonapi.Record, in map[string]jsonRaw) error {
	ind, err := individual(c, rec.Str("individual-id"))
	if err != nil {
		return err
	}
	if ind == nil || ind.OrgID != rec.OrgID {
		return jsonapi.ErrPointer("/data/attributes/individual-id", "Individual %s is not in organization %s.", rec.Str("individual-id"), rec.OrgID)
	}
	if rec.Int("count") < 0 {
		return jsonapi.ErrPointer("/data/attributes/count", "Must be at least 0.")
	}
	if rec.Str("timestamp") == "" {
		rec.Set("timestamp", c.Now)
	} else if err := normalizeTimes(rec, "timestamp"); err != nil {
		return err
	}
	_, err = c.Tx.ExecContext(c.Ctx, `DELETE FROM cr_resources WHERE type = 'badge-counts' AND org_id = ?
		AND json_extract(attrs, '$."individual-id"') = ? AND json_extract(attrs, '$.type') IS ?`,
		rec.OrgID, rec.Str("individual-id"), rec.Str("type"))
	return err
}

// bulkBadgeCounts creates one badge count per value: all or none (every
// problem is reported, with its index).
func bulkBadgeCounts(c *jsonapi.Call, _ *jsonapi.Record, body map[string]jsonRaw) (any, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Data *struct {
			Type       *string `json:"type"`
			Attributes *struct {
				Values []map[string]jsonRaw `json:"values"`
			} `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil || doc.Data == nil {
		return nil, jsonapi.ErrPointer("/data", "A request document with a data object is required.")
	}
	if doc.Data.Type == nil || *doc.Data.Type != "bulk-badge-counts" {
		if doc.Data.Type == nil {
			return nil, jsonapi.ErrPointer("/data/type", "data.type is required.")
		}
		return nil, jsonapi.ErrConflict("/data/type", "data.type %q does not match this endpoint's type %q.", *doc.Data.Type, "bulk-badge-counts")
	}
	if doc.Data.Attributes == nil || len(doc.Data.Attributes.Values) == 0 {
		return nil, jsonapi.ErrPointer("/data/attributes/values", "At least one value is required.")
	}
	decl := map[string]jsonapi.Attr{}
	for _, at := range c.Engine.Attrs("badge-counts") {
		decl[at.Name] = at
	}
	var errs jsonapi.Errors
	for i, v := range doc.Data.Attributes.Values {
		base := "/data/attributes/values/" + itoa(i) + "/"
		rec := &jsonapi.Record{Type: "badge-counts", ID: c.Engine.IDs.UUID(), CreatedAt: c.Now, Attrs: map[string]jsonRaw{}}
		bad := false
		for _, k := range jsonapi.SortedKeys(v) {
			at, ok := decl[k]
			if !ok || !at.Create {
				errs = append(errs, jsonapi.ErrPointer(base+k, "badge-count has no attribute %q.", k))
				bad = true
				continue
			}
			if e := jsonapi.CheckValue(base+k, at.Kind, at.Format, at.Enum, at.MaxLength, "", v[k]); e != nil {
				errs = append(errs, e)
				bad = true
				continue
			}
			rec.Attrs[k] = v[k]
		}
		for _, k := range []string{"organization-id", "individual-id", "type", "count"} {
			if x, ok := v[k]; !ok || string(x) == "null" {
				errs = append(errs, jsonapi.ErrPointer(base+k, "This field is required."))
				bad = true
			}
		}
		if bad {
			continue
		}
		org := jsonapi.LowerID(rec.Str("organization-id"))
		if !c.Caller.Member(org) {
			return nil, &jsonapi.Error{Status: http.StatusForbidden, Code: jsonapi.CodePermission, Pointer: base + "organization-id",
				Detail: "You do not have permission to perform this action in organization " + org + "."}
		}
		rec.OrgID = org
		rec.Set("organization-id", org)
		rec.Set("individual-id", jsonapi.LowerID(rec.Str("individual-id")))
		c.Stamp(rec, true)
		if err := replaceBadgeCount(c, rec, nil); err != nil {
			var e *jsonapi.Error
			if !errors.As(err, &e) {
				return nil, err
			}
			if e.Pointer != "" {
				e.Pointer = base + strings.TrimPrefix(e.Pointer, "/data/attributes/")
			}
			errs = append(errs, e)
			continue
		}
		if err := c.Insert(rec); err != nil {
			return nil, err
		}
	}
	if err := errs.OrNil(); err != nil {
		return nil, err // the transaction rolls back: none is kept
	}
	return nil, nil
}

// createMulticast resolves the recipients from filter-type/filter-value:
// all-participants (every patient of the organization), individual-group
// ({"individual-group-id"}) or individuals ({"individual-ids"}).
func createMulticast(c *jsonapi.Call, rec *jsonapi.Record, in map[string]jsonRaw) error {
	var fv struct {
		IndividualGroupID string   `json:"individual-group-id"`
		IndividualIDs     []string `json:"individual-ids"`
		IndividualID      string   `json:"individual-id"`
	}
	rec.Decode("filter-value", &fv)
	var ids []string
	switch ft := rec.Str("filter-type"); ft {
	case "all-participants":
		recs, err := jsonapi.QueryRecords(c.Ctx, c.Tx, `SELECT `+jsonapi.RecordColumns+` FROM cr_resources WHERE type = 'individuals'
			AND org_id = ? AND json_extract(attrs, '$."account-type"') = 'patient' ORDER BY created_at, id`, rec.OrgID)
		if err != nil {
			return err
		}
		for _, r := range recs {
			ids = append(ids, r.ID)
		}
	case "individual-group":
		g, err := c.Load("individual-groups", jsonapi.LowerID(fv.IndividualGroupID))
		if err != nil {
			return err
		}
		if g == nil || g.OrgID != rec.OrgID {
			return jsonapi.ErrPointer("/data/attributes/filter-value", "filter-value.individual-group-id must name a group of the organization.")
		}
		ids, _ = groupMembers(g)
		rec.Set("individual-group-id", g.ID)
	case "individuals", "individual":
		list := fv.IndividualIDs
		if fv.IndividualID != "" {
			list = append(list, fv.IndividualID)
		}
		for _, id := range list {
			ind, err := individual(c, jsonapi.LowerID(id))
			if err != nil {
				return err
			}
			if ind == nil || ind.OrgID != rec.OrgID {
				return jsonapi.ErrPointer("/data/attributes/filter-value", "Individual %s is not in the organization.", id)
			}
			ids = append(ids, ind.ID)
		}
		if len(ids) == 1 {
			rec.Set("individual-id", ids[0])
		}
	default:
		return jsonapi.ErrPointer("/data/attributes/filter-type", "Must be one of all-participants, individual-group, individuals.")
	}
	rec.Set("individual-ids", nonNil(ids))
	rec.Attrs["template-args"] = rec.Attrs["data"]
	rec.Set("status", "completed")
	if u, err := callerUser(c); err != nil {
		return err
	} else if u != nil {
		rec.Set("first-name", u.Str("first-name"))
		rec.Set("last-name", u.Str("last-name"))
		rec.Set("user-name", u.Str("username"))
	}
	return nil
}

// renderMulticast embeds the group and the recipients only when asked.
func renderMulticast(c *jsonapi.Call, rec *jsonapi.Record) error {
	if c.Query.Bool("include-individual-group") {
		g, err := embedGroup(c, rec.Str("individual-group-id"))
		if err != nil {
			return err
		}
		rec.Set("individual-group", g)
	} else {
		rec.Set("individual-group", nil)
	}
	if c.Op.Method == "GET" && !c.Query.Bool("include-individual-ids") {
		rec.Set("individual-ids", nil)
	}
	return nil
}

// replaceOrgPreference: one preference per organization and name; setting it
// again replaces it.
func replaceOrgPreference(c *jsonapi.Call, rec *jsonapi.Record, in map[string]jsonRaw) error {
	rec.Set("explicit", true)
	_, err := c.Tx.ExecContext(c.Ctx, `DELETE FROM cr_resources WHERE type = 'org-preferences' AND org_id = ?
		AND json_extract(attrs, '$.name') = ?`, rec.OrgID, rec.Str("name"))
	return err
}

// scopeOwnNotifications: a user sees their own notifications (parent_id is
// the user), in organizations they are a member of.
func scopeOwnNotifications(c *jsonapi.Call) (string, []any) {
	args := []any{c.Caller.UserID}
	orgs := c.Caller.Orgs
	if c.Query.Has("organization-id") {
		orgs = []string{jsonapi.LowerID(c.Query.Get("organization-id"))}
		if !c.Caller.Member(orgs[0]) {
			orgs = nil
		}
	}
	for _, o := range orgs {
		args = append(args, o)
	}
	if len(orgs) == 0 {
		return "0", nil
	}
	return "parent_id = ? AND org_id IN (" + jsonapi.Placeholders(len(orgs)) + ")", args
}

func visibleOwnNotification(c *jsonapi.Call, rec *jsonapi.Record) bool {
	return rec.ParentID == c.Caller.UserID && c.Caller.Member(rec.OrgID)
}

// activeNotifications: inactive notifications are listed only with include[inactive]=true.
func activeNotifications(c *jsonapi.Call, q *jsonapi.ListQuery) error {
	if c.Query.Has("organization-id") && !c.Caller.Member(jsonapi.LowerID(c.Query.Get("organization-id"))) {
		return &jsonapi.Error{Status: http.StatusForbidden, Code: jsonapi.CodePermission, Parameter: "organization-id",
			Detail: "You do not have permission to perform this action in organization " + jsonapi.LowerID(c.Query.Get("organization-id")) + "."}
	}
	if !c.Query.Bool("include[inactive]") {
		q.Where(jsonapi.JSONAttr("active") + " = 1")
	}
	return nil
}

// ackNotification acknowledges the notification and, with ack-previous, every
// earlier one of the user.
func ackNotification(c *jsonapi.Call, rec *jsonapi.Record, body map[string]jsonRaw) (any, error) {
	var in struct {
		AckPrevious bool `json:"ack-previous"`
	}
	_ = remarshal(body, &in)
	rec.Set("acknowledged", true)
	if err := c.Save(rec); err != nil {
		return nil, err
	}
	if in.AckPrevious {
		earlier, err := jsonapi.QueryRecords(c.Ctx, c.Tx, `SELECT `+jsonapi.RecordColumns+` FROM cr_resources WHERE type = 'user-notifications'
			AND parent_id = ? AND (created_at < ? OR (created_at = ? AND id < ?)) AND json_extract(attrs, '$.acknowledged') = 0`,
			rec.ParentID, rec.CreatedAt, rec.CreatedAt, rec.ID)
		if err != nil {
			return nil, err
		}
		for _, e := range earlier {
			e.Set("acknowledged", true)
			if err := c.Save(e); err != nil {
				return nil, err
			}
		}
	}
	return rec, nil
}

// notificationCounts lists the caller's notifications counted per day (UTC),
// oldest day first; filter[cmp-created-at] bounds the notifications counted.
func notificationCounts(c *jsonapi.Call) (*jsonapi.Answer, error) {
	where := []string{"type = 'user-notifications'", "parent_id = ?"}
	args := []any{c.Caller.UserID}
	for _, v := range c.Query.All("filter[cmp-created-at]") {
		op, t, err := jsonapi.ParseComparison(v)
		if err != nil {
			return nil, jsonapi.ErrParam("filter[cmp-created-at]", "%s", err.Error())
		}
		if op != "<=" && op != ">=" { // this operation documents only these two
			return nil, jsonapi.ErrParam("filter[cmp-created-at]", "Comparators supported: <=, >=.")
		}
		where = append(where, "created_at "+op+" ?")
		args = append(args, t)
	}
	cond := strings.Join(where, " AND ")
	var total int64
	if err := c.Tx.QueryRowContext(c.Ctx, `SELECT count(DISTINCT substr(created_at, 1, 10)) FROM cr_resources WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, err
	}
	limit, offset := c.PageBounds()
	rows, err := c.Tx.QueryContext(c.Ctx, `SELECT substr(created_at, 1, 10) AS day, count(*) FROM cr_resources WHERE `+cond+`
		GROUP BY day ORDER BY day LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	data := []jsonapi.ResourceObject{}
	for rows.Next() {
		var day string
		var n int64
		if err := rows.Scan(&day, &n); err != nil {
			return nil, err
		}
		rec := &jsonapi.Record{Type: "notification-counts", Attrs: map[string]jsonRaw{}}
		rec.Set("count", n)
		rec.Set("daily-for-date", day)
		rec.Set("user-id", c.Caller.UserID)
		obj, err := c.Render(rec)
		if err != nil {
			return nil, err
		}
		data = append(data, obj)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return c.PageAnswer(data, limit, offset, total), nil
}

// summaryAnswer is GET /v1/communication-summaries/.
type summaryAnswer struct {
	Summary summary `json:"summary"`
}

type summary struct {
	MessageSenders   []senderCount `json:"message-senders"`
	MessageTypes     []typeCount   `json:"message-types"`
	Messages         int64         `json:"messages"`
	Notifications    int64         `json:"notifications"`
	ProviderMessages int64         `json:"provider-messages"`
	VideoChannels    int64         `json:"video-channels"`
}

type senderCount struct {
	Count        int64  `json:"count"`
	IndividualID string `json:"individual-id"`
}

type typeCount struct {
	Count       int64  `json:"count"`
	MessageType string `json:"message-type"`
}

// communicationSummary counts, for an individual (the caller's by default),
// the posted messages of the channels they participate in — by channel kind,
// from providers, and per sender with include-senders — their notifications
// and their video channels. It is computed from the records that exist, so it
// always agrees with them.
func communicationSummary(c *jsonapi.Call) (*jsonapi.Answer, error) {
	who := viewer(c)
	if c.Query.Has("individual-id") {
		ind, err := individual(c, who)
		if err != nil {
			return nil, err
		}
		if ind == nil {
			return nil, jsonapi.ErrParam("individual-id", "Individual %s does not exist.", c.Query.Get("individual-id"))
		}
	}
	q := &jsonapi.ListQuery{}
	if err := channelParticipant(c, q, who); err != nil {
		return nil, err
	}
	cond, condArgs := q.Conditions()
	orgs := c.Caller.Orgs
	if len(orgs) == 0 {
		orgs = []string{""}
	}
	chanSQL := `SELECT id FROM cr_resources WHERE type = 'messaging-channels' AND org_id IN (` + jsonapi.Placeholders(len(orgs)) + `) AND ` + cond
	chanArgs := []any{}
	for _, o := range orgs {
		chanArgs = append(chanArgs, o)
	}
	chanArgs = append(chanArgs, condArgs...)
	s := summary{MessageSenders: []senderCount{}, MessageTypes: []typeCount{}}
	msgSQL := `FROM cr_resources m JOIN cr_resources ch ON ch.type = 'messaging-channels' AND ch.id = m.parent_id
		WHERE m.type = 'messaging-messages' AND json_extract(m.attrs, '$.draft') = 0 AND m.parent_id IN (` + chanSQL + `)`
	var group, direct int64
	if err := c.Tx.QueryRowContext(c.Ctx, `SELECT count(*),
		COALESCE(sum(CASE WHEN json_extract(ch.attrs, '$."individual-group-id"') IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(sum(CASE WHEN json_extract(ch.attrs, '$."_direct-key"') IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(sum(CASE WHEN (SELECT json_extract(i.attrs, '$."account-type"') FROM cr_resources i WHERE i.type = 'individuals'
			AND i.id = json_extract(m.attrs, '$."individual-id"')) = 'provider' THEN 1 ELSE 0 END), 0) `+msgSQL, chanArgs...).Scan(
		&s.Messages, &group, &direct, &s.ProviderMessages); err != nil {
		return nil, err
	}
	s.MessageTypes = append(s.MessageTypes, typeCount{Count: group, MessageType: "group-messages"},
		typeCount{Count: direct, MessageType: "direct-messages"})
	if c.Query.Bool("include-senders") {
		rows, err := c.Tx.QueryContext(c.Ctx, `SELECT json_extract(m.attrs, '$."individual-id"') AS sender, count(*) `+msgSQL+`
			GROUP BY sender ORDER BY sender`, chanArgs...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var sc senderCount
			var sender *string
			if err := rows.Scan(&sender, &sc.Count); err != nil {
				return nil, err
			}
			if sender != nil {
				sc.IndividualID = *sender
			}
			s.MessageSenders = append(s.MessageSenders, sc)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		rows.Close()
	}
	if err := c.Tx.QueryRowContext(c.Ctx, `SELECT count(*) FROM cr_resources WHERE type = 'user-notifications'
		AND json_extract(attrs, '$."individual-id"') = ?`, who).Scan(&s.Notifications); err != nil {
		return nil, err
	}
	if err := c.Tx.QueryRowContext(c.Ctx, `SELECT count(*) FROM cr_resources WHERE type = 'video-channels'
		AND instr(attrs, ?) > 0`, `"`+who+`"`).Scan(&s.VideoChannels); err != nil {
		return nil, err
	}
	return jsonapi.Plain(http.StatusOK, summaryAnswer{Summary: s}), nil
}

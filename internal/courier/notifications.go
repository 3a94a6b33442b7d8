package courier

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/httpx"
)

// The notifications family: announcers, app credentials, badge counts (and
// their bulk create), multicasts, org preferences, user notifications and
// their daily counts.

// notificationResources is the table of announcers, app credentials, badge
// counts, multicasts, org preferences and user notifications.
func notificationResources() []*jsonapi.Resource {
	return []*jsonapi.Resource{
		{
			Type: "announcers", Path: "/v1/announcers/",
			List: "announcers.list", Create: "announcers.create", Get: "announcers.get", Modify: "announcers.modify",
			OrgAttr:  "organization-id",
			Text:     []string{"name"},
			Required: []string{"organization-id", "name", "event"},
		},
		{
			Type: "app-credentials", Path: "/v1/app-credentials/",
			List: "app-credentials.list", Create: "app-credentials.create",
			Get: "app-credentials.get", Modify: "app-credentials.modify",
			OrgAttr:      "organization-id",
			Text:         []string{"app-name", "display-name"},
			Required:     []string{"organization-id", "app-name", "type"},
			Params:       map[string]jsonapi.ParamHook{"include[archived]": ignoreParam},
			ListFilter:   unarchivedCredentials,
			BeforeModify: moveCredentials,
		},
		{
			Type: "badge-counts", Path: "/v1/badge-counts/",
			List: "badge-counts.list", Create: "badge-counts.create", Get: "badge-counts.get",
			OrgAttr:      "organization-id",
			Required:     []string{"organization-id", "individual-id", "type", "count"},
			BeforeCreate: replaceBadgeCount,
		},
		{
			Type: "bulk-badge-counts", Path: "/v1/bulk-badge-counts/",
			Actions: []jsonapi.Action{{Op: "bulk-badge-counts.create", Handler: bulkBadgeCounts}},
		},
		{
			Type: "multicasts", Path: "/v1/multicasts/",
			List: "multicasts.list", Create: "multicasts.create", Get: "multicasts.get",
			OrgAttr:      "organization-id",
			Required:     []string{"organization-id", "template-id", "filter-type"},
			BeforeCreate: createMulticast,
			Render:       renderMulticast,
		},
		{
			Type: "org-preferences", Path: "/v1/org-preferences/",
			List: "org-preferences.list", Create: "org-preferences.create",
			OrgAttr:      "organization-id",
			Required:     []string{"organization-id", "name", "type"},
			BeforeCreate: replaceOrgPreference,
		},
		{
			Type: "user-notifications", Path: "/v1/user-notifications/",
			List: "user-notifications.list", Get: "user-notifications.get",
			Visible:    visibleOwnNotification,
			ListFilter: ownActiveNotifications,
			// Read-only: the shape holds fixtures to the sample.
			Shapes: map[string]*jsonapi.Shape{"data": notificationDataShape()},
			Params: map[string]jsonapi.ParamHook{
				"acknowledged":      notificationsAcknowledged,
				"filter[category]":  matchAttr("_category"),
				"include[inactive]": ignoreParam,
			},
			Actions: []jsonapi.Action{{Op: "user-notifications.ack", OnItem: true, Handler: ackNotification}},
		},
		{
			Type: "notification-counts", Path: "/v1/user-notification-counts/",
			List: "user-notification-counts.list", Lister: notificationCounts,
		},
	}
}

// notificationDataShape is what a user notification carries per channel, as
// the sample shows it: a push for each platform, SMS bodies, the web's
// free-form data.
func notificationDataShape() *jsonapi.Shape {
	push := jsonapi.Shape{Kind: "object", Members: []jsonapi.Shape{
		{Name: "body", Kind: "string"},
		{Name: "category", Kind: "string"},
		{Name: "data", Kind: "object", Open: true},
		{Name: "title", Kind: "string"},
	}}
	apn, fcm := push, push
	apn.Name, fcm.Name = "apn", "fcm"
	return &jsonapi.Shape{Kind: "object", Members: []jsonapi.Shape{
		apn,
		fcm,
		{Name: "sms", Kind: "object", Members: []jsonapi.Shape{{Name: "bodies", Kind: "array", Items: &jsonapi.Shape{Kind: "string"}}}},
		{Name: "web", Kind: "object", Open: true},
	}}
}

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
			Type       *string            `json:"type"`
			Attributes map[string]jsonRaw `json:"attributes"`
		} `json:"data"`
	}
	if err := httpx.Unmarshal(raw, &doc, false); err != nil || doc.Data == nil {
		return nil, jsonapi.ErrPointer("/data", "A request document with a data object is required.")
	}
	if doc.Data.Type == nil || *doc.Data.Type != "bulk-badge-counts" {
		if doc.Data.Type == nil {
			return nil, jsonapi.ErrPointer("/data/type", "data.type is required.")
		}
		return nil, jsonapi.ErrConflict("/data/type", "data.type %q does not match this endpoint's type %q.", *doc.Data.Type, "bulk-badge-counts")
	}
	for _, k := range jsonapi.SortedKeys(doc.Data.Attributes) {
		if k != "values" {
			return nil, jsonapi.ErrPointer("/data/attributes/"+k, "bulk-badge-count has no attribute %q.", k)
		}
	}
	var values []jsonRaw
	if raw, ok := doc.Data.Attributes["values"]; ok && string(raw) != "null" && json.Unmarshal(raw, &values) != nil {
		return nil, jsonapi.ErrPointer("/data/attributes/values", "Must be an array.")
	}
	if len(values) == 0 {
		return nil, jsonapi.ErrPointer("/data/attributes/values", "At least one value is required.")
	}
	decl := map[string]jsonapi.Attr{}
	for _, at := range c.Engine.Attrs("badge-counts") {
		decl[at.Name] = at
	}
	var errs jsonapi.Errors
	for i, item := range values {
		base := "/data/attributes/values/" + itoa(i) + "/"
		var v map[string]jsonRaw
		if json.Unmarshal(item, &v) != nil || v == nil {
			errs = append(errs, jsonapi.ErrPointer(strings.TrimSuffix(base, "/"), "Must be an object."))
			continue
		}
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

func visibleOwnNotification(c *jsonapi.Call, rec *jsonapi.Record) bool {
	return rec.ParentID == c.Caller.UserID && c.Caller.Member(rec.OrgID)
}

// ownActiveNotifications: a user sees their own notifications (parent_id is
// the user) in the organizations the list is scoped to; inactive ones only
// with include[inactive]=true. The triggers of migration 101 count them, so
// the total is read.
func ownActiveNotifications(c *jsonapi.Call, q *jsonapi.ListQuery) error {
	q.Parent(c.Caller.UserID)
	if c.Query.Bool("include[inactive]") {
		return nil
	}
	n, err := notificationCount(c, q, nil)
	if err != nil {
		return err
	}
	q.WhereCounted(n, jsonapi.JSONAttr("active")+" = 1")
	return nil
}

// notificationsAcknowledged keeps acknowledged (or unacknowledged) notifications.
func notificationsAcknowledged(c *jsonapi.Call, q *jsonapi.ListQuery, v string) error {
	b, _ := jsonapi.ParseBool(v)
	cond := jsonapi.JSONAttr("acknowledged") + " = ?"
	if !q.Counting() {
		q.Where(cond, b)
		return nil
	}
	n, err := notificationCount(c, q, &b)
	if err != nil {
		return err
	}
	q.WhereCounted(n, cond, b)
	return nil
}

// notificationCount counts the caller's notifications in the list's
// organizations: active ones unless include[inactive]=true, acknowledged or
// not when acknowledged is given.
func notificationCount(c *jsonapi.Call, q *jsonapi.ListQuery, acknowledged *bool) (int64, error) {
	st := notificationCountSQL(c.Caller.UserID, q.Orgs(), !c.Query.Bool("include[inactive]"), acknowledged)
	var n int64
	err := c.Tx.QueryRowContext(c.Ctx, st.SQL, st.Args...).Scan(&n)
	return n, err
}

// notificationCountSQL reads a count of notifications from cr_notification_counts.
func notificationCountSQL(user string, orgs []string, active bool, acknowledged *bool) jsonapi.Statement {
	query := `SELECT COALESCE(sum(n), 0) FROM cr_notification_counts WHERE user_id = ? AND org_id IN (` + jsonapi.Placeholders(len(orgs)) + `)`
	args := jsonapi.AppendArgs([]any{user}, orgs...)
	if active {
		query += ` AND active = 1`
	}
	if acknowledged != nil {
		query += ` AND acknowledged = ?`
		args = append(args, *acknowledged)
	}
	return jsonapi.Statement{SQL: query, Args: args}
}

// ackNotification acknowledges the notification and, with ack-previous, every
// earlier one of the user.
func ackNotification(c *jsonapi.Call, rec *jsonapi.Record, body map[string]jsonRaw) (any, error) {
	var in struct {
		AckPrevious bool `json:"ack-previous"`
	}
	_ = decodeBody(body, &in)
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
			if !c.Caller.Member(e.OrgID) {
				continue // an organization the user left: out of reach
			}
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
	var lo, hi string // the bounds ("" for none): all must hold, so the latest lower and earliest upper
	for _, v := range c.Query.All("filter[cmp-created-at]") {
		op, t, err := jsonapi.ParseComparison(v)
		if err != nil {
			return nil, jsonapi.ErrParam("filter[cmp-created-at]", "%s", err.Error())
		}
		switch {
		case op == ">=" && (lo == "" || t > lo):
			lo = t
		case op == "<=" && (hi == "" || t < hi):
			hi = t
		case op != ">=" && op != "<=": // this operation documents only these two
			return nil, jsonapi.ErrParam("filter[cmp-created-at]", "Comparators supported: <=, >=.")
		}
	}
	limit, offset := c.PageBounds()
	// The day counts are the user's in every organization; while the user
	// has notifications in an organization they are no longer a member of,
	// the days are counted from the notifications of their organizations.
	jsonapi.ReachFrom(c.Ctx).Add(c.Caller.Orgs...)
	outside := notificationsOutsideSQL(c.Caller.UserID, c.Caller.Orgs)
	var n int64
	if err := c.Tx.QueryRowContext(c.Ctx, outside.SQL, outside.Args...).Scan(&n); err != nil {
		return nil, err
	}
	page, count := notificationDaysSQL(c.Caller.UserID, lo, hi, limit, offset)
	if n > 0 {
		page, count = notificationDaysInSQL(c.Caller.UserID, c.Caller.Orgs, lo, hi, limit, offset)
	}
	var total int64
	if err := c.Tx.QueryRowContext(c.Ctx, count.SQL, count.Args...).Scan(&total); err != nil {
		return nil, err
	}
	rows, err := c.Tx.QueryContext(c.Ctx, page.SQL, page.Args...)
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

// notificationsOutsideSQL counts a user's notifications outside some
// organizations (from cr_notification_counts: a few rows per organization).
func notificationsOutsideSQL(user string, orgs []string) jsonapi.Statement {
	args := jsonapi.AppendArgs([]any{user}, orgs...)
	return jsonapi.Statement{SQL: `SELECT COALESCE(sum(n), 0) FROM cr_notification_counts WHERE user_id = ?
		AND org_id NOT IN (` + jsonapi.Placeholders(len(orgs)) + `)`, Args: args}
}

// notificationDaysInSQL is notificationDaysSQL for a user who has
// notifications outside their organizations: it counts the user's
// notifications of the organizations between lo and hi ("" for no bound)
// row by row, since the counters do not keep organizations apart.
func notificationDaysInSQL(user string, orgs []string, lo, hi string, limit, offset int64) (page, total jsonapi.Statement) {
	where := `type = 'user-notifications' AND parent_id = ? AND org_id IN (` + jsonapi.Placeholders(len(orgs)) + `)`
	args := jsonapi.AppendArgs([]any{user}, orgs...)
	if lo != "" {
		where, args = where+` AND created_at >= ?`, append(args, lo)
	}
	if hi != "" {
		where, args = where+` AND created_at <= ?`, append(args, hi)
	}
	days := `SELECT substr(created_at, 1, 10) AS day, count(*) AS n FROM cr_resources INDEXED BY cr_resources_parent
		WHERE ` + where + ` GROUP BY day`
	return jsonapi.Statement{SQL: days + ` ORDER BY day LIMIT ? OFFSET ?`, Args: append(append([]any(nil), args...), limit, offset)},
		jsonapi.Statement{SQL: `SELECT count(*) FROM (` + days + `)`, Args: args}
}

// notificationDaysSQL is the SQL of a user's notifications counted per day
// (substr(created_at, 1, 10)) between lo and hi ("" for no bound): one page
// and the number of days. The days between the bounds' days are whole, read
// from cr_notification_days (migration 104); a bound's own day adds up its
// whole minutes in range from cr_notification_minutes (migration 105) and
// counts the rows of the bound's own minute. Every part reads what a day or
// a minute holds, never the notifications of a range.
func notificationDaysSQL(user, lo, hi string, limit, offset int64) (page, total jsonapi.Statement) {
	inner, args := `SELECT day, n FROM cr_notification_days WHERE user_id = ? AND n > 0`, []any{user}
	var days, minutes []string // the days and the minutes of the bounds
	for _, b := range []struct {
		t, op string
	}{{lo, ">"}, {hi, "<"}} {
		if b.t == "" {
			continue
		}
		inner += ` AND day ` + b.op + ` ?`
		args = append(args, b.t[:10])
		if !slices.Contains(days, b.t[:10]) {
			days = append(days, b.t[:10])
		}
		if !slices.Contains(minutes, b.t[:16]) {
			minutes = append(minutes, b.t[:16])
		}
	}
	lo16, hi16 := lo, hi
	if lo != "" {
		lo16 = lo[:16]
	}
	if hi != "" {
		hi16 = hi[:16]
	}
	// inRange bounds created_at (or a minute, strictly) by lo and hi.
	inRange := func(col, loOp, hiOp string, loV, hiV string) (string, []any) {
		var cond string
		var a []any
		if lo != "" {
			cond, a = cond+` AND `+col+` `+loOp+` ?`, append(a, loV)
		}
		if hi != "" {
			cond, a = cond+` AND `+col+` `+hiOp+` ?`, append(a, hiV)
		}
		return cond, a
	}
	parts := []string{inner}
	for _, day := range days {
		// A prefix's strings lie in [prefix, the next one): the range an index
		// seeks, and substr keeps exactly the prefix's, as they are grouped.
		d, _ := time.Parse("2006-01-02", day)
		part := `SELECT day, n FROM (SELECT ? AS day, (SELECT COALESCE(sum(n), 0) FROM cr_notification_minutes
			WHERE user_id = ? AND minute >= ? AND minute < ? AND substr(minute, 1, 10) = ?`
		args = append(args, day, user, day, d.AddDate(0, 0, 1).Format("2006-01-02"), day)
		cond, a := inRange("minute", ">", "<", lo16, hi16)
		part, args = part+cond+`)`, append(args, a...)
		for _, m := range minutes {
			if m[:10] != day {
				continue
			}
			t, _ := time.Parse("2006-01-02T15:04", m)
			part += ` + (SELECT count(*) FROM cr_resources WHERE type = 'user-notifications' AND parent_id = ?
				AND created_at >= ? AND created_at < ? AND substr(created_at, 1, 16) = ?`
			args = append(args, user, m, t.Add(time.Minute).Format("2006-01-02T15:04"), m)
			cond, a := inRange("created_at", ">=", "<=", lo, hi)
			part, args = part+cond+`)`, append(args, a...)
		}
		parts = append(parts, part+` AS n) WHERE n > 0`)
	}
	all := strings.Join(parts, " UNION ALL ")
	return jsonapi.Statement{SQL: all + ` ORDER BY day LIMIT ? OFFSET ?`, Args: append(append([]any(nil), args...), limit, offset)},
		jsonapi.Statement{SQL: `SELECT count(*) FROM (` + all + `)`, Args: args}
}

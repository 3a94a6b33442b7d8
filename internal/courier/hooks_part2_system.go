package courier

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
)

// Hooks of the system family: aggregation requests, data purges, replicators
// and request sniffers.

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
func replicatorScope(c *jsonapi.Call) (string, []any)             { return "1 = 1", nil }
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
	return c.ListWhere("sniffer-logs", "parent_id = ?", rec.ID)
}

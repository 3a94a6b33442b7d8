package courier

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/httpx"
)

// Helpers the families' hooks share: ids and tokens, list parameters with a
// common meaning, reading records and bodies, times and phone numbers, and
// the refusals several families answer.

func itoa(i int) string { return strconv.Itoa(i) }

// normalizeTimes rewrites datetime strings in the API's format, so that
// filter[cmp-*] compares them; other values (objects) are kept.
func normalizeTimes(rec *jsonapi.Record, names ...string) error {
	for _, n := range names {
		s := rec.Str(n)
		if s == "" {
			continue
		}
		t, ok := jsonapi.ParseTime(s)
		if !ok {
			return jsonapi.ErrPointer("/data/attributes/"+n, "Must be a datetime (RFC 3339).")
		}
		rec.Set(n, jsonapi.FormatTime(t))
	}
	return nil
}

// taskAnswer is what the multicast actions answer.
type taskAnswer struct {
	MessageData jsonRaw `json:"message-data"`
	TaskID      string  `json:"task-id"`
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// newToken is a fresh opaque access token: every call hands out a new one, as
// the vendor's credential endpoints do.
func newToken(c *jsonapi.Call) string { return c.Engine.IDs.Hex(32) }

// newSID is a Twilio-style identifier: a two-letter prefix and 32 hex digits.
func newSID(c *jsonapi.Call, prefix string) string { return prefix + c.Engine.IDs.Hex(16) }

// ignoreParam marks a documented list parameter that selects no rows: a
// ListFilter or Render reads it itself, or it names the acting individual
// (individual-id on message reads is the reader whose read marks "ack" and
// "acknowledged" use; on video participants it changes nothing).
func ignoreParam(c *jsonapi.Call, q *jsonapi.ListQuery, v string) error { return nil }

// orgFilter is a filter[organization-id] that, like the organization-id
// parameter, is a 403 outside the caller's organizations.
func orgFilter(attr string) jsonapi.ParamHook {
	return func(c *jsonapi.Call, q *jsonapi.ListQuery, v string) error {
		org := jsonapi.LowerID(v)
		if !c.Caller.Member(org) {
			return &jsonapi.Error{Status: http.StatusForbidden, Code: jsonapi.CodePermission, Parameter: "filter[" + attr + "]",
				Detail: "You do not have permission to perform this action in organization " + org + "."}
		}
		q.Where("lower("+jsonapi.JSONAttr(attr)+") = ?", org)
		return nil
	}
}

// statesFilter matches filter[states] (repeat the parameter for several states)
// against a state attribute.
func statesFilter(param, attr string) jsonapi.ParamHook {
	return func(c *jsonapi.Call, q *jsonapi.ListQuery, _ string) error {
		vs := c.Query.All(param)
		if len(vs) == 0 {
			return nil
		}
		args := make([]any, len(vs))
		for i, v := range vs {
			args[i] = v
		}
		q.Where(jsonapi.JSONAttr(attr)+" IN ("+jsonapi.Placeholders(len(vs))+")", args...)
		return nil
	}
}

// phoneFilter matches a phone-number parameter (format phonenumberE164,
// which the generic validation does not know) against an attribute.
func phoneFilter(param, attr string) jsonapi.ParamHook {
	return func(c *jsonapi.Call, q *jsonapi.ListQuery, v string) error {
		if !jsonapi.IsE164(v) {
			return jsonapi.ErrParam(param, "Query parameter %q must be a phone number in E.164 format.", param)
		}
		q.Where(jsonapi.JSONAttr(attr)+" = ?", v)
		return nil
	}
}

// orgIndividual reads the individual a body member names: it must exist, be
// visible and belong to org (when org is given); 400 naming the member otherwise.
func orgIndividual(c *jsonapi.Call, pointer, id, org string) (*jsonapi.Record, error) {
	ind, err := c.LoadRef(pointer, "individuals", id)
	if err != nil {
		return nil, err
	}
	if org != "" && ind.OrgID != org {
		return nil, jsonapi.ErrPointer(pointer, "Individual %s is not in organization %s.", ind.ID, org)
	}
	return ind, nil
}

// userOf reads the user whose primary individual is individualID (nil when
// the individual has no user account).
func userOf(c *jsonapi.Call, individualID string) (*jsonapi.Record, error) {
	recs, err := jsonapi.QueryRecords(c.Ctx, c.Tx, userOfSQL, jsonapi.LowerID(individualID))
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	return recs[0], nil
}

// userOfSQL reads the first user whose primary individual is an id, in any case.
const userOfSQL = `SELECT ` + jsonapi.RecordColumns + ` FROM cr_resources WHERE ` + userOfWhere + `? ` + userOfOrder

// userOfWhere and userOfOrder frame the lower-cased individual id a user is
// looked up by (userOfSQL, channelSubscribersSQL): the expression is
// cr_users_individual_lower's, so the lookup seeks.
const (
	userOfWhere = `type = 'users' AND lower(json_extract(attrs, '$."primary-individual-id"')) = `
	userOfOrder = `ORDER BY created_at, id LIMIT 1`
)

// childrenOf reads the records of a type below a parent, oldest first.
func childrenOf(c *jsonapi.Call, typ, parentID string) ([]*jsonapi.Record, error) {
	table := c.Engine.Table(typ)
	return jsonapi.QueryRecords(c.Ctx, c.Tx, `SELECT `+c.Engine.RecordColumns(table)+` FROM `+table+` WHERE type = ? AND parent_id = ?
		ORDER BY created_at, id`, typ, parentID)
}

// newRecord starts a record of typ owned by org below parent, stamped now.
func newRecord(c *jsonapi.Call, typ, org, parent string) *jsonapi.Record {
	rec := &jsonapi.Record{Type: typ, ID: c.Engine.IDs.UUID(), OrgID: org, ParentID: parent, CreatedAt: c.Now,
		Attrs: map[string]json.RawMessage{}}
	c.Stamp(rec, true)
	return rec
}

// idRefShape is a reference to another record as the samples show it: {"id"}.
func idRefShape() *jsonapi.Shape {
	return &jsonapi.Shape{Kind: "object", Members: []jsonapi.Shape{{Name: "id", Required: true, Kind: "string", Format: "uuid"}}}
}

// localizedShape is a text in the languages the vendor documents, as
// message-js and initial-message-js show it: {"en_US", "es_US"}.
func localizedShape() *jsonapi.Shape {
	return &jsonapi.Shape{Kind: "object", Members: []jsonapi.Shape{
		{Name: "en_US", Kind: "string"},
		{Name: "es_US", Kind: "string"},
	}}
}

// decodeBody decodes a plain action body (already checked against the catalog's
// fields) into a typed struct, its nested keys exactly (httpx's strict reader).
func decodeBody(body map[string]json.RawMessage, v any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return httpx.Unmarshal(raw, v, false)
}

// normalTime parses a client datetime (any RFC 3339) into the stored form.
func normalTime(pointer, s string) (string, error) {
	t, ok := jsonapi.ParseTime(s)
	if !ok {
		return "", jsonapi.ErrPointer(pointer, "Must be a datetime (RFC 3339).")
	}
	return jsonapi.FormatTime(t), nil
}

// secondsSince is the whole seconds from the stored datetime from to now.
func secondsSince(c *jsonapi.Call, from string) int64 {
	t0, err1 := time.Parse(jsonapi.TimeLayout, from)
	t1, err2 := time.Parse(jsonapi.TimeLayout, c.Now)
	if err1 != nil || err2 != nil || t1.Before(t0) {
		return 0
	}
	return int64(t1.Sub(t0) / time.Second)
}

// checkPhone checks an optional E.164 phone number attribute.
func checkPhone(rec *jsonapi.Record, name, pointer string) error {
	raw, ok := rec.Attrs[name]
	if !ok || string(raw) == "null" {
		return nil
	}
	if s := rec.Str(name); !jsonapi.IsE164(s) {
		return jsonapi.ErrPointer(pointer, "Must be a phone number in E.164 format.")
	}
	return nil
}

// checkURL refuses an attribute that is not an absolute http or https URL
// (null or absent is fine): courier calls it.
func checkURL(rec *jsonapi.Record, name, pointer string) error {
	raw, ok := rec.Attrs[name]
	if !ok || string(raw) == "null" {
		return nil
	}
	u, err := url.Parse(rec.Str(name))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return jsonapi.ErrPointer(pointer, "Must be an absolute http or https URL.")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return jsonapi.ErrPointer(pointer, "Must be an absolute http or https URL (port %s is out of range).", p)
		}
	}
	return nil
}

// conflictWith is a 409 naming the existing resource in meta.id.
func conflictWith(pointer, id, format string, args ...any) *jsonapi.Error {
	e := jsonapi.ErrConflict(pointer, format, args...)
	e.MetaID = id
	return e
}

// refuse is the 400 of an action the resource's state does not allow.
func refuse(format string, args ...any) *jsonapi.Error {
	return jsonapi.ErrPointer("", format, args...)
}

// isUSNumber reports whether s is a North American number in E.164 form
// (the format phonenumberE164_us of text-number-info).
func isUSNumber(s string) bool {
	return len(s) == 12 && strings.HasPrefix(s, "+1") && jsonapi.IsE164(s) && s[2] >= '2'
}

// orNull keeps a stored value or answers null.
func orNull(v jsonRaw) jsonRaw {
	if len(v) == 0 {
		return jsonRaw("null")
	}
	return v
}

func orEmpty(v jsonRaw) jsonRaw {
	if len(v) == 0 || string(v) == "null" {
		return jsonRaw("{}")
	}
	return v
}

package courier

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// Helpers shared by the part-2 hooks (texting, voice, video, Alexa, user and
// system families). Names start with p2 so they never collide with part 1's.

// newToken is a fresh opaque access token: every call hands out a new one, as
// the vendor's credential endpoints do.
func newToken(c *Call) string { return c.Engine.IDs.Hex(32) }

// newSID is a Twilio-style identifier: a two-letter prefix and 32 hex digits.
func newSID(c *Call, prefix string) string { return prefix + c.Engine.IDs.Hex(16) }

// acceptParam marks a parameter that is validated by the catalog but changes
// nothing in a list (the acting individual of a video participant list).
func acceptParam(c *Call, q *ListQuery, v string) error { return nil }

// orgFilter is a filter[organization-id] that, like the organization-id
// parameter, is a 403 outside the caller's organizations.
func orgFilter(attr string) ParamHook {
	return func(c *Call, q *ListQuery, v string) error {
		org := LowerID(v)
		if !c.Caller.Member(org) {
			return &Error{Status: http.StatusForbidden, Code: CodePermission, Parameter: "filter[" + attr + "]",
				Detail: "You do not have permission to perform this action in organization " + org + "."}
		}
		q.Where("lower("+JSONAttr(attr)+") = ?", org)
		return nil
	}
}

// statesFilter matches filter[states] (repeat the parameter for several states)
// against a state attribute.
func statesFilter(param, attr string) ParamHook {
	return func(c *Call, q *ListQuery, _ string) error {
		vs := c.Query.All(param)
		if len(vs) == 0 {
			return nil
		}
		args := make([]any, len(vs))
		for i, v := range vs {
			args[i] = v
		}
		q.Where(JSONAttr(attr)+" IN ("+Placeholders(len(vs))+")", args...)
		return nil
	}
}

// phoneFilter matches a phone-number parameter (format phonenumberE164,
// which the generic validation does not know) against an attribute.
func phoneFilter(param, attr string) ParamHook {
	return func(c *Call, q *ListQuery, v string) error {
		if !IsE164(v) {
			return ErrParam(param, "Query parameter %q must be a phone number in E.164 format.", param)
		}
		q.Where(JSONAttr(attr)+" = ?", v)
		return nil
	}
}

// orgIndividual reads the individual a body member names: it must exist, be
// visible and belong to org (when org is given); 400 naming the member otherwise.
func orgIndividual(c *Call, pointer, id, org string) (*Record, error) {
	ind, err := c.LoadRef(pointer, "individuals", id)
	if err != nil {
		return nil, err
	}
	if org != "" && ind.OrgID != org {
		return nil, ErrPointer(pointer, "Individual %s is not in organization %s.", ind.ID, org)
	}
	return ind, nil
}

// userOf reads the user whose primary individual is individualID (nil when
// the individual has no user account).
func userOf(c *Call, individualID string) (*Record, error) {
	recs, err := QueryRecords(c.Ctx, c.Tx, `SELECT `+RecordColumns+` FROM cr_resources WHERE type = 'users'
		AND lower(json_extract(attrs, '$."primary-individual-id"')) = ? ORDER BY created_at, id LIMIT 1`, LowerID(individualID))
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	return recs[0], nil
}

// childrenOf reads the records of a type below a parent, oldest first.
func childrenOf(c *Call, typ, parentID string) ([]*Record, error) {
	return QueryRecords(c.Ctx, c.Tx, `SELECT `+RecordColumns+` FROM cr_resources WHERE type = ? AND parent_id = ?
		ORDER BY created_at, id`, typ, parentID)
}

// newRecord starts a record of typ owned by org below parent, stamped now.
func newRecord(c *Call, typ, org, parent string) *Record {
	rec := &Record{Type: typ, ID: c.Engine.IDs.UUID(), OrgID: org, ParentID: parent, CreatedAt: c.Now,
		Attrs: map[string]json.RawMessage{}}
	c.Stamp(rec, true)
	return rec
}

// decodeBody decodes a plain action body (already checked against the catalog's
// fields) into a typed struct.
func decodeBody(body map[string]json.RawMessage, v any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// normalTime parses a client datetime (any RFC 3339) into the stored form.
func normalTime(pointer, s string) (string, error) {
	t, ok := ParseTime(s)
	if !ok {
		return "", ErrPointer(pointer, "Must be a datetime (RFC 3339).")
	}
	return FormatTime(t), nil
}

// secondsSince is the whole seconds from the stored datetime from to now.
func secondsSince(c *Call, from string) int64 {
	t0, err1 := time.Parse(TimeLayout, from)
	t1, err2 := time.Parse(TimeLayout, c.Now)
	if err1 != nil || err2 != nil || t1.Before(t0) {
		return 0
	}
	return int64(t1.Sub(t0) / time.Second)
}

// checkPhone checks an optional E.164 phone number attribute.
func checkPhone(rec *Record, name, pointer string) error {
	raw, ok := rec.Attrs[name]
	if !ok || string(raw) == "null" {
		return nil
	}
	if s := rec.Str(name); !IsE164(s) {
		return ErrPointer(pointer, "Must be a phone number in E.164 format.")
	}
	return nil
}

// conflictWith is a 409 naming the existing resource in meta.id.
func conflictWith(pointer, id, format string, args ...any) *Error {
	e := ErrConflict(pointer, format, args...)
	e.MetaID = id
	return e
}

// refuse is the 400 of an action the resource's state does not allow.
func refuse(format string, args ...any) *Error { return ErrPointer("", format, args...) }

// isUSNumber reports whether s is a North American number in E.164 form
// (the format phonenumberE164_us of text-number-info).
func isUSNumber(s string) bool {
	return len(s) == 12 && strings.HasPrefix(s, "+1") && IsE164(s) && s[2] >= '2'
}

package courier

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// Helpers shared by the part-2 hooks (texting, voice, video, Alexa, user and
// system families). Names start with p2 so they never collide with part 1's.

// p2Token is a fresh opaque access token: every call hands out a new one, as
// the vendor's credential endpoints do.
func (c *Call) p2Token() string { return c.API.IDs.Hex(32) }

// p2SID is a Twilio-style identifier: a two-letter prefix and 32 hex digits.
func (c *Call) p2SID(prefix string) string { return prefix + c.API.IDs.Hex(16) }

// p2Accept marks a parameter that is validated by the catalog but changes
// nothing in a list (the acting individual of a video participant list).
func p2Accept(c *Call, q *ListQuery, v string) error { return nil }

// p2OrgFilter is a filter[organization-id] that, like the organization-id
// parameter, is a 403 outside the caller's organizations.
func p2OrgFilter(attr string) ParamHook {
	return func(c *Call, q *ListQuery, v string) error {
		org := lower(v)
		if !c.Caller.Member(org) {
			return &Error{Status: http.StatusForbidden, Code: codePermission, Parameter: "filter[" + attr + "]",
				Detail: "You do not have permission to perform this action in organization " + org + "."}
		}
		q.Where("lower("+jsonAttr(attr)+") = ?", org)
		return nil
	}
}

// p2States matches filter[states] (repeat the parameter for several states)
// against a state attribute.
func p2States(param, attr string) ParamHook {
	return func(c *Call, q *ListQuery, _ string) error {
		vs := c.Query.All(param)
		if len(vs) == 0 {
			return nil
		}
		args := make([]any, len(vs))
		for i, v := range vs {
			args[i] = v
		}
		q.Where(jsonAttr(attr)+" IN ("+placeholders(len(vs))+")", args...)
		return nil
	}
}

// p2PhoneParam matches a phone-number parameter (format phonenumberE164,
// which the generic validation does not know) against an attribute.
func p2PhoneParam(param, attr string) ParamHook {
	return func(c *Call, q *ListQuery, v string) error {
		if !isE164(v) {
			return errParam(param, "Query parameter %q must be a phone number in E.164 format.", param)
		}
		q.Where(jsonAttr(attr)+" = ?", v)
		return nil
	}
}

// p2Individual reads the individual a body member names: it must exist, be
// visible and belong to org (when org is given); 400 naming the member otherwise.
func (c *Call) p2Individual(pointer, id, org string) (*Record, error) {
	ind, err := c.loadRef(pointer, "individuals", id)
	if err != nil {
		return nil, err
	}
	if org != "" && ind.OrgID != org {
		return nil, errPointer(pointer, "Individual %s is not in organization %s.", ind.ID, org)
	}
	return ind, nil
}

// p2UserOf reads the user whose primary individual is individualID (nil when
// the individual has no user account).
func (c *Call) p2UserOf(individualID string) (*Record, error) {
	recs, err := queryRecords(c.Ctx, c.Tx, `SELECT `+recordCols+` FROM cr_resources WHERE type = 'users'
		AND lower(json_extract(attrs, '$."primary-individual-id"')) = ? ORDER BY created_at, id LIMIT 1`, lower(individualID))
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	return recs[0], nil
}

// p2Children reads the records of a type below a parent, oldest first.
func (c *Call) p2Children(typ, parentID string) ([]*Record, error) {
	return queryRecords(c.Ctx, c.Tx, `SELECT `+recordCols+` FROM cr_resources WHERE type = ? AND parent_id = ?
		ORDER BY created_at, id`, typ, parentID)
}

// p2NewRecord starts a record of typ owned by org below parent, stamped now.
func (c *Call) p2NewRecord(typ, org, parent string) *Record {
	rec := &Record{Type: typ, ID: c.API.IDs.UUID(), OrgID: org, ParentID: parent, CreatedAt: c.Now,
		Attrs: map[string]json.RawMessage{}}
	c.stamp(rec, true)
	return rec
}

// p2Body decodes a plain action body (already checked against the catalog's
// fields) into a typed struct.
func p2Body(body map[string]json.RawMessage, v any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// p2Time parses a client datetime (any RFC 3339) into the stored form.
func p2Time(pointer, s string) (string, error) {
	t, ok := parseTime(s)
	if !ok {
		return "", errPointer(pointer, "Must be a datetime (RFC 3339).")
	}
	return formatTime(t), nil
}

// p2Since is the whole seconds from the stored datetime from to now.
func (c *Call) p2Since(from string) int64 {
	t0, err1 := time.Parse(timeLayout, from)
	t1, err2 := time.Parse(timeLayout, c.Now)
	if err1 != nil || err2 != nil || t1.Before(t0) {
		return 0
	}
	return int64(t1.Sub(t0) / time.Second)
}

// p2Phone checks an optional E.164 phone number attribute.
func p2Phone(rec *Record, name, pointer string) error {
	raw, ok := rec.Attrs[name]
	if !ok || string(raw) == "null" {
		return nil
	}
	if s := rec.Str(name); !isE164(s) {
		return errPointer(pointer, "Must be a phone number in E.164 format.")
	}
	return nil
}

// p2Conflict is a 409 naming the existing resource in meta.id.
func p2Conflict(pointer, id, format string, args ...any) *Error {
	e := errConflict(pointer, format, args...)
	e.MetaID = id
	return e
}

// p2Refuse is the 400 of an action the resource's state does not allow.
func p2Refuse(format string, args ...any) *Error { return errPointer("", format, args...) }

// p2USNumber reports whether s is a North American number in E.164 form
// (the format phonenumberE164_us of text-number-info).
func p2USNumber(s string) bool {
	return len(s) == 12 && strings.HasPrefix(s, "+1") && isE164(s) && s[2] >= '2'
}

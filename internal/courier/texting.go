package courier

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/httpx"
)

// The texting family: Twilio-backed text accounts, their numbers,
// number look-ups and logs, user↔number maps, texts and their callbacks.
//
// A text account is an organization's Twilio account; claim-number (or a
// create of text-account-numbers) provisions a phone number below it. Texts
// are sent from one of the account's numbers; a number with logging on keeps
// a log of what it sends and receives (reset-logs empties it). The Twilio
// callback moves a text's status, and an inbound reply becomes a
// text-receive-log.

// textingResources is the table of text accounts, numbers, look-ups, logs, maps
// and texts.
func textingResources() []*jsonapi.Resource {
	return []*jsonapi.Resource{
		{
			Type: "text-accounts", Path: "/v1/text-accounts/",
			List: "text-accounts.list", Create: "text-accounts.create",
			Get: "text-accounts.get", Modify: "text-accounts.modify",
			OrgAttr:      "organization-id",
			Text:         []string{"phone-number"},
			Required:     []string{"organization-id"},
			BeforeCreate: textAccountCreate,
			BeforeModify: textAccountModify,
			Actions: []jsonapi.Action{
				{Op: "text-accounts.claim-number", OnItem: true, Handler: textClaimNumber},
			},
		},
		{
			Type: "text-account-numbers", Path: "/v1/text-account-numbers/",
			List: "text-account-numbers.list", Create: "text-account-numbers.create",
			Get: "text-account-numbers.get", Modify: "text-account-numbers.modify",
			Parent:   &jsonapi.Parent{Attr: "account-id", Type: "text-accounts"},
			Text:     []string{"phone-number", "notes"},
			Required: []string{"account-id"},
			// What the number does on an event; "unknown-number" (a text from
			// a number it does not know) is the one documented, its settings free-form.
			Shapes: map[string]*jsonapi.Shape{"events": {Kind: "object", Members: []jsonapi.Shape{
				{Name: "unknown-number", Kind: "object", Open: true},
			}}},
			Params: map[string]jsonapi.ParamHook{
				"phone-number":         phoneFilter("phone-number", "phone-number"),
				"filter[phone-number]": phoneFilter("filter[phone-number]", "phone-number"),
			},
			BeforeCreate: textNumberCreate,
			AfterCreate:  textNumberCreated,
			BeforeModify: textNumberModify,
			Actions: []jsonapi.Action{
				{Op: "text-account-numbers.reset-logs", OnItem: true, Handler: textResetLogs},
			},
		},
		{
			Type: "text-number-info", Path: "/v1/text-number-info/",
			List: "text-number-info.list", Create: "text-number-info.create", Get: "text-number-info.get",
			Required:     []string{"number"},
			Scope:        textInfoScope,
			Visible:      textInfoVisible,
			Params:       map[string]jsonapi.ParamHook{"number": textInfoNumberParam},
			BeforeCreate: textInfoCreate,
		},
		{
			Type: "text-number-logs", Path: "/v1/text-number-logs/",
			List:   "text-number-logs.list",
			Parent: &jsonapi.Parent{Attr: "number-id", Type: "text-account-numbers"},
			Text:   []string{"log"},
		},
		{
			// Receive logs have Twilio ids (SM...), not UUIDs: the get is an
			// action that reads the id as it is. The catalog's alternative
			// path (under text-number-logs) answers the same.
			Type: "text-receive-logs", Path: "/v1/text-receive-logs/",
			Actions: []jsonapi.Action{
				{Op: "text-receive-logs.get", Handler: textReceiveLog, Alts: []string{"GET /v1/text-number-logs/{id}/"}},
			},
		},
		{
			Type: "text-user-number-maps", Path: "/v1/text-user-number-maps/",
			List: "text-user-number-maps.list", Create: "text-user-number-maps.create", Get: "text-user-number-maps.get",
			OrgAttr:      "organization-id",
			Required:     []string{"number-id", "organization-id", "user-id"},
			Params:       map[string]jsonapi.ParamHook{"filter[organization-id]": orgFilter("organization-id")},
			BeforeCreate: textMapCreate,
		},
		{
			Type: "texts", Path: "/v1/texts/",
			List: "texts.list", Create: "texts.create", Get: "texts.get",
			Parent:       &jsonapi.Parent{Attr: "account-id", Type: "text-accounts"},
			OrgAttr:      "organization-id",
			Text:         []string{"message", "target"},
			Required:     []string{"account-id", "message", "target"},
			Params:       map[string]jsonapi.ParamHook{"filter[target]": phoneFilter("filter[target]", "target")},
			BeforeCreate: textCreate,
			Actions: []jsonapi.Action{
				{Op: "texts.callback", OnItem: true, FreeForm: true, Handler: textCallback},
			},
		},
	}
}

// textDefaultAreaCode is the area code numbers get when none is asked for.
const textDefaultAreaCode = "415"

// textAccountCreate gives a new account its Twilio id; its phone number comes
// with its first claimed number.
func textAccountCreate(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) error {
	rec.Set("twilio-id", newSID(c, "AC"))
	if _, ok := rec.Attrs["allow-custom-number"]; !ok {
		rec.Set("allow-custom-number", false)
	}
	return nil
}

// textAccountModify: the account's phone number is one of its numbers unless
// the account allows custom numbers.
func textAccountModify(c *jsonapi.Call, old, rec *jsonapi.Record, in map[string]jsonRaw) error {
	if err := checkPhone(rec, "phone-number", "/data/attributes/phone-number"); err != nil {
		return err
	}
	if _, ok := in["phone-number"]; !ok || rec.Bool("allow-custom-number") || rec.Str("phone-number") == "" {
		return nil
	}
	nums, err := childrenOf(c, "text-account-numbers", rec.ID)
	if err != nil {
		return err
	}
	for _, n := range nums {
		if n.Str("phone-number") == rec.Str("phone-number") {
			return nil
		}
	}
	return jsonapi.ErrPointer("/data/attributes/phone-number", "%s is not a number of text account %s (and it does not allow custom numbers).",
		rec.Str("phone-number"), rec.ID)
}

// textProvision gives a number record its phone number and Twilio details:
// the next free number of the area code.
func textProvision(c *jsonapi.Call, num *jsonapi.Record, areaCode string) error {
	if areaCode == "" {
		areaCode = textDefaultAreaCode
	}
	for i := 0; i < 10000; i++ {
		candidate := fmt.Sprintf("+1%s555%04d", areaCode, 1000+i)
		var n int
		if err := c.Tx.QueryRowContext(c.Ctx, `SELECT count(*) FROM cr_resources WHERE type = 'text-account-numbers'
			AND json_extract(attrs, '$."phone-number"') = ?`, candidate).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			num.Set("phone-number", candidate)
			break
		}
	}
	if num.Str("phone-number") == "" {
		return jsonapi.ErrPointer("/data/attributes/area-code", "No number is free in area code %s.", areaCode)
	}
	num.Set("capability-mms", true)
	num.Set("capability-sms", true)
	num.Set("capability-voice", true)
	if raw, ok := num.Attrs["events"]; !ok || string(raw) == "null" {
		num.Attrs["events"] = jsonRaw(`{"unknown-number": {}}`)
	}
	num.Set("lata", "722")
	num.Set("latitude", "37.774900")
	num.Set("longitude", "-122.419400")
	num.Set("postal-code", "94103")
	num.Set("rate-center", "SNFC CNTRL")
	num.Set("region", "CA")
	num.Set("twilio-id", newSID(c, "PN"))
	for _, b := range []string{"alert", "logging"} {
		if _, ok := num.Attrs[b]; !ok {
			num.Set(b, false)
		}
	}
	return nil
}

// textAdoptNumber makes a newly provisioned number the account's phone
// number when it has none yet.
func textAdoptNumber(c *jsonapi.Call, acct *jsonapi.Record, num *jsonapi.Record) error {
	if acct.Str("phone-number") != "" {
		return nil
	}
	acct.Set("phone-number", num.Str("phone-number"))
	return c.Save(acct)
}

// textNumberCreate provisions a number in the requested area code.
func textNumberCreate(c *jsonapi.Call, rec *jsonapi.Record, in map[string]jsonRaw) error {
	area := rec.Str("area-code")
	if _, ok := in["area-code"]; ok && area != "" && (len(area) != 3 || strings.Trim(area, "0123456789") != "" || area[0] < '2') {
		return jsonapi.ErrPointer("/data/attributes/area-code", "Must be a three-digit North American area code.")
	}
	if err := checkPhone(rec, "forward-to", "/data/attributes/forward-to"); err != nil {
		return err
	}
	return textProvision(c, rec, area)
}

func textNumberCreated(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) error {
	acct, err := c.Engine.LoadRecord(c.Ctx, c.Tx, "text-accounts", rec.ParentID)
	if err != nil || acct == nil {
		return err
	}
	return textAdoptNumber(c, acct, rec)
}

func textNumberModify(c *jsonapi.Call, old, rec *jsonapi.Record, in map[string]jsonRaw) error {
	return checkPhone(rec, "forward-to", "/data/attributes/forward-to")
}

// textClaimNumber provisions a new number for the account: it is answered
// and listed among the account's numbers (GET /v1/text-account-numbers/?account-id=).
func textClaimNumber(c *jsonapi.Call, acct *jsonapi.Record, body map[string]jsonRaw) (any, error) {
	var in struct {
		Notes string `json:"notes"`
	}
	_ = decodeBody(body, &in)
	num := newRecord(c, "text-account-numbers", acct.OrgID, acct.ID)
	num.Set("account-id", acct.ID)
	num.Set("notes", in.Notes)
	if err := textProvision(c, num, ""); err != nil {
		return nil, err
	}
	if err := c.Insert(num); err != nil {
		return nil, err
	}
	return num, textAdoptNumber(c, acct, num)
}

// textResetLogs empties the number's log.
func textResetLogs(c *jsonapi.Call, num *jsonapi.Record, _ map[string]jsonRaw) (any, error) {
	if _, err := c.Tx.ExecContext(c.Ctx, `DELETE FROM cr_resources WHERE type = 'text-number-logs' AND parent_id = ?`, num.ID); err != nil {
		return nil, err
	}
	return num, nil
}

// textLog appends a line to a number's log when the number logs.
func textLog(c *jsonapi.Call, num *jsonapi.Record, line string) error {
	if num == nil || !num.Bool("logging") {
		return nil
	}
	l := newRecord(c, "text-number-logs", num.OrgID, num.ID)
	l.Set("log", line)
	return c.Insert(l)
}

// Number look-ups are shared reference data: every authenticated caller sees them.
func textInfoScope(c *jsonapi.Call) (string, []any) { return "1 = 1", nil }

func textInfoVisible(c *jsonapi.Call, rec *jsonapi.Record) bool { return true }

func textInfoNumberParam(c *jsonapi.Call, q *jsonapi.ListQuery, v string) error {
	if !isUSNumber(v) {
		return jsonapi.ErrParam("number", "Query parameter \"number\" must be a US phone number in E.164 format (+1NXXNXXXXXX).")
	}
	q.Where(jsonapi.JSONAttr("number")+" = ?", v)
	return nil
}

// textInfoCreate looks a number up: the emulated carrier answers at once.
// Numbers of the emulator's own text accounts are VoIP numbers; others are
// mobile when they end with an even digit, landlines otherwise.
func textInfoCreate(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) error {
	number := rec.Str("number")
	if !isUSNumber(number) {
		return jsonapi.ErrPointer("/data/attributes/number", "Must be a US phone number in E.164 format (+1NXXNXXXXXX).")
	}
	var own int
	if err := c.Tx.QueryRowContext(c.Ctx, `SELECT count(*) FROM cr_resources WHERE type = 'text-account-numbers'
		AND json_extract(attrs, '$."phone-number"') = ?`, number).Scan(&own); err != nil {
		return err
	}
	rec.OrgID = ""
	rec.Set("status", "completed")
	rec.Set("error", nil)
	switch last := number[len(number)-1]; {
	case own > 0:
		rec.Set("type", "voip")
		rec.Set("carrier-name", "Twilio - SMS/MMS-SVR")
		rec.Set("mobile-country-code", nil)
		rec.Set("mobile-network-code", nil)
	case (last-'0')%2 == 0:
		rec.Set("type", "mobile")
		rec.Set("carrier-name", "Emulated Wireless")
		rec.Set("mobile-country-code", "310")
		rec.Set("mobile-network-code", "260")
	default:
		rec.Set("type", "landline")
		rec.Set("carrier-name", "Emulated Telephone Company")
		rec.Set("mobile-country-code", nil)
		rec.Set("mobile-network-code", nil)
	}
	return nil
}

// textReceiveLog reads a receive log by its Twilio message id (a string, not
// a UUID, matched without regard to case).
func textReceiveLog(c *jsonapi.Call, _ *jsonapi.Record, _ map[string]jsonRaw) (any, error) {
	id := httpx.PathParam(c.Req, "id")
	recs, err := jsonapi.QueryRecords(c.Ctx, c.Tx, `SELECT `+jsonapi.RecordColumns+` FROM cr_resources WHERE type = 'text-receive-logs'
		AND lower(id) = ?`, strings.ToLower(id))
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 || !c.Visible(recs[0]) {
		return nil, jsonapi.ErrNotFound("text-receive-log")
	}
	return recs[0], nil
}

// textMapCreate maps a user of the organization to one of its numbers, once.
func textMapCreate(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) error {
	num, err := c.LoadRef("/data/attributes/number-id", "text-account-numbers", rec.Str("number-id"))
	if err != nil {
		return err
	}
	if num.OrgID != rec.OrgID {
		return jsonapi.ErrPointer("/data/attributes/number-id", "Number %s is not in organization %s.", num.ID, rec.OrgID)
	}
	user, err := memberOf(c, rec)
	if err != nil {
		return err
	}
	existing, err := jsonapi.QueryRecords(c.Ctx, c.Tx, `SELECT `+jsonapi.RecordColumns+` FROM cr_resources WHERE type = 'text-user-number-maps'
		AND json_extract(attrs, '$."number-id"') = ? AND json_extract(attrs, '$."user-id"') = ? LIMIT 1`, num.ID, user.ID)
	if err != nil {
		return err
	}
	if len(existing) > 0 {
		return conflictWith("/data/attributes/user-id", existing[0].ID, "User %s is already mapped to number %s.", user.ID, num.ID)
	}
	return nil
}

// textCreate sends a text from one of the account's numbers (its first
// number when number-id is absent). Its callback URLs must be absolute
// http(s) URLs: courier calls them (text_callbacks.go).
func textCreate(c *jsonapi.Call, rec *jsonapi.Record, in map[string]jsonRaw) error {
	if !jsonapi.IsE164(rec.Str("target")) {
		return jsonapi.ErrPointer("/data/attributes/target", "Must be a phone number in E.164 format.")
	}
	var num *jsonapi.Record
	if id := rec.Str("number-id"); id != "" {
		n, err := c.LoadRef("/data/attributes/number-id", "text-account-numbers", id)
		if err != nil {
			return err
		}
		if n.ParentID != rec.ParentID {
			return jsonapi.ErrPointer("/data/attributes/number-id", "Number %s is not a number of text account %s.", n.ID, rec.ParentID)
		}
		num = n
	} else {
		nums, err := childrenOf(c, "text-account-numbers", rec.ParentID)
		if err != nil {
			return err
		}
		if len(nums) == 0 {
			return jsonapi.ErrPointer("/data/attributes/account-id", "Text account %s has no number: claim one first.", rec.ParentID)
		}
		num = nums[0]
		rec.Set("number-id", num.ID)
	}
	for _, name := range []string{"callback-url", "callback-status-url"} {
		if err := checkURL(rec, name, "/data/attributes/"+name); err != nil {
			return err
		}
	}
	var expected []jsonRaw
	rec.Decode("expected-responses", &expected)
	for i, e := range expected {
		var s string
		if json.Unmarshal(e, &s) != nil {
			return jsonapi.ErrPointer(fmt.Sprintf("/data/attributes/expected-responses/%d", i), "Must be a string.")
		}
	}
	rec.Set("from", num.Str("phone-number"))
	rec.Set("status", "accepted")
	rec.Set("error", nil)
	rec.Set("twilio-sid", newSID(c, "SM"))
	return textLog(c, num, fmt.Sprintf("%s sent %s to %s", c.Now, rec.Str("twilio-sid"), rec.Str("target")))
}

// textStatuses are Twilio's message statuses.
func textStatuses() []string {
	return []string{"accepted", "scheduled", "queued", "sending", "sent", "delivered", "undelivered", "failed",
		"receiving", "received", "read", "canceled"}
}

// textCallback is Twilio's webhook for a text: MessageStatus (or SmsStatus,
// or status) moves the text's status, ErrorMessage/ErrorCode explain a
// failure, and Body (with From, MessageSid) records an inbound reply as a
// text-receive-log. Answered with the text. A status change calls the
// text's callback-status-url, an expected reply its callback-url.
func textCallback(c *jsonapi.Call, rec *jsonapi.Record, body map[string]jsonRaw) (any, error) {
	str := func(keys ...string) (string, bool, error) {
		for _, k := range keys {
			raw, ok := body[k]
			if !ok || string(raw) == "null" {
				continue
			}
			var s string
			if json.Unmarshal(raw, &s) != nil {
				var n json.Number
				if json.Unmarshal(raw, &n) != nil {
					return "", false, jsonapi.ErrPointer("/"+k, "Must be a string.")
				}
				s = n.String()
			}
			return s, true, nil
		}
		return "", false, nil
	}
	st, hasStatus, err := str("MessageStatus", "SmsStatus", "status")
	if err != nil {
		return nil, err
	}
	errMsg, _, err := str("ErrorMessage", "error")
	if err != nil {
		return nil, err
	}
	errCode, _, err := str("ErrorCode")
	if err != nil {
		return nil, err
	}
	text, hasBody, err := str("Body", "body")
	if err != nil {
		return nil, err
	}
	from, _, err := str("From", "from")
	if err != nil {
		return nil, err
	}
	sid, _, err := str("MessageSid", "SmsSid")
	if err != nil {
		return nil, err
	}
	if hasStatus && !slices.Contains(textStatuses(), st) {
		return nil, jsonapi.ErrPointer("/MessageStatus", "Must be one of %s.", strings.Join(textStatuses(), ", "))
	}
	if hasBody && from != "" && !jsonapi.IsE164(from) {
		return nil, jsonapi.ErrPointer("/From", "Must be a phone number in E.164 format.")
	}
	num, err := c.Engine.LoadRecord(c.Ctx, c.Tx, "text-account-numbers", rec.Str("number-id"))
	if err != nil {
		return nil, err
	}
	if hasBody {
		if from == "" {
			from = rec.Str("target")
		}
		if sid == "" {
			sid = newSID(c, "SM")
		}
		if old, err := jsonapi.QueryRecords(c.Ctx, c.Tx, `SELECT `+jsonapi.RecordColumns+` FROM cr_resources WHERE type = 'text-receive-logs'
			AND lower(id) = ?`, strings.ToLower(sid)); err != nil {
			return nil, err
		} else if len(old) > 0 {
			return nil, conflictWith("/MessageSid", old[0].ID, "Message %s was already received.", sid)
		}
		r := &jsonapi.Record{Type: "text-receive-logs", ID: sid, OrgID: rec.OrgID, ParentID: rec.Str("number-id"), CreatedAt: c.Now,
			Attrs: map[string]jsonRaw{}}
		r.Set("created-at", c.Now)
		r.Set("message", text)
		r.Set("sender", from)
		r.Set("sid", sid)
		r.Set("to", rec.Str("from"))
		r.Set("_text-id", rec.ID)
		if err := c.Insert(r); err != nil {
			return nil, err
		}
		if err := textLog(c, num, fmt.Sprintf("%s received %s from %s", c.Now, sid, from)); err != nil {
			return nil, err
		}
		if err := textConsentReply(c, rec.OrgID, from, text); err != nil {
			return nil, err
		}
		if err := textReplied(c, rec, from, text); err != nil {
			return nil, err
		}
	}
	if hasStatus && st != rec.Str("status") {
		rec.Set("status", st)
		if st == "failed" || st == "undelivered" {
			switch {
			case errMsg != "":
				rec.Set("error", errMsg)
			case errCode != "":
				rec.Set("error", "Twilio error "+errCode)
			default:
				rec.Set("error", "Message "+st+".")
			}
		}
		c.Stamp(rec, false)
		if err := c.Save(rec); err != nil {
			return nil, err
		}
		if err := textLog(c, num, fmt.Sprintf("%s %s is %s", c.Now, rec.Str("twilio-sid"), st)); err != nil {
			return nil, err
		}
		if err := textStatusMoved(c, rec); err != nil {
			return nil, err
		}
	}
	return rec, nil
}

// textConsentReply answers the organization's pending SMS consents of the
// sender's phone: YES accepts them, NO or STOP declines them; any other reply
// leaves them pending.
func textConsentReply(c *jsonapi.Call, org, from, text string) error {
	var st string
	switch strings.ToUpper(strings.TrimSpace(text)) {
	case "YES", "Y":
		st = "accepted"
	case "NO", "N", "STOP":
		st = "declined"
	default:
		return nil
	}
	consents, err := jsonapi.QueryRecords(c.Ctx, c.Tx, `SELECT `+jsonapi.RecordColumns+` FROM cr_resources WHERE type = 'user-consents'
		AND org_id = ? AND json_extract(attrs, '$."type"') = 'sms' AND json_extract(attrs, '$."state"') = 'pending'
		AND json_extract(attrs, '$."target-id"') = ?`, org, from)
	if err != nil {
		return err
	}
	for _, cs := range consents {
		cs.Set("state", st)
		cs.Set("last-modified-at", c.Now)
		if err := c.Save(cs); err != nil {
			return err
		}
	}
	return nil
}

package courier

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/httpx"
)

// The Alexa family: the skill's webhook (ask-entries), reminders
// synced to an individual's Alexa account, and proactive-event subscriptions.
//
// An individual whose user has an ask-subscription is linked to Alexa: their
// reminders carry the subscription as account and are synced (with an Alexa
// reminder id); others' reminders wait unsynced. A subscription sends only
// the events it registered.

// alexaResources is the table of the skill's entries, reminders and
// subscriptions.
func alexaResources() []*jsonapi.Resource {
	return []*jsonapi.Resource{
		{
			Type: "ask-entries", Path: "/v1/ask-entries/",
			// The catalog's alternative (PUT) is served too.
			Actions: []jsonapi.Action{{Op: "ask-entries.create", FreeForm: true, Handler: askEntry, Alts: []string{"PUT /v1/ask-entries/"}}},
		},
		{
			Type: "ask-reminders", Path: "/v1/ask-reminders/",
			List: "ask-reminders.list", Create: "ask-reminders.create",
			Get: "ask-reminders.get", Modify: "ask-reminders.modify",
			Parent:       &jsonapi.Parent{Attr: "individual-id", Type: "individuals"},
			Text:         []string{"name", "reminder-content"},
			Required:     []string{"individual-id", "reminder-content", "reminder-time-local"},
			BeforeCreate: askReminderCreate,
			BeforeModify: askReminderModify,
		},
		{
			Type: "ask-subscriptions", Path: "/v1/ask-subscriptions/",
			List: "ask-subscriptions.list", Get: "ask-subscriptions.get",
			OrgAttr: "organization-id",
			Actions: []jsonapi.Action{{Op: "ask-subscriptions.send", OnItem: true, Handler: askSend,
				Shapes: map[string]*jsonapi.Shape{
					"event": {Kind: "object", Members: []jsonapi.Shape{
						{Name: "name", Required: true, Kind: "string"},
						{Name: "payload", Kind: "object", Open: true},
					}},
					"localized": {Kind: "array", Items: &jsonapi.Shape{Kind: "object", Open: true}},
				}}},
		},
	}
}

// askEmpty is the {} the Alexa operations answer.
type askEmpty struct{}

// askEntry takes a request of the Alexa Skills Kit: {"request": {"type",
// "timestamp", ...}, "version", "session", "context", ...}. It answers {}.
// A ProactiveSubscriptionChanged event updates the subscriptions' events.
func askEntry(c *jsonapi.Call, _ *jsonapi.Record, body map[string]jsonRaw) (any, error) {
	raw, ok := body["request"]
	if !ok || string(raw) == "null" {
		return nil, jsonapi.ErrPointer("/request", "This field is required.")
	}
	var req map[string]jsonRaw
	if json.Unmarshal(raw, &req) != nil || req == nil {
		return nil, jsonapi.ErrPointer("/request", "Must be an object.")
	}
	var typ string
	if json.Unmarshal(req["type"], &typ) != nil || strings.TrimSpace(typ) == "" {
		return nil, jsonapi.ErrPointer("/request/type", "Must be the request type, such as LaunchRequest.")
	}
	if ts, ok := req["timestamp"]; ok && string(ts) != "null" {
		var s string
		if json.Unmarshal(ts, &s) != nil {
			return nil, jsonapi.ErrPointer("/request/timestamp", "Must be a datetime (RFC 3339).")
		}
		if _, ok := jsonapi.ParseTime(s); !ok {
			return nil, jsonapi.ErrPointer("/request/timestamp", "Must be a datetime (RFC 3339).")
		}
	}
	if typ == "AlexaSkillEvent.ProactiveSubscriptionChanged" {
		if err := askSubscriptionChanged(c, body, req); err != nil {
			return nil, err
		}
	}
	return askEmpty{}, nil
}

// askSubscriptionChanged applies Alexa's ProactiveSubscriptionChanged event:
// the subscriptions of that Alexa user (context.System.user.userId) that the
// caller can see now register exactly the events of body.subscriptions.
func askSubscriptionChanged(c *jsonapi.Call, body, req map[string]jsonRaw) error {
	var ctx struct {
		System struct {
			User struct {
				UserID string `json:"userId"`
			} `json:"user"`
		} `json:"System"`
	}
	if raw, ok := body["context"]; ok && httpx.Unmarshal(raw, &ctx, false) != nil {
		return jsonapi.ErrPointer("/context", "Must be an object.")
	}
	var b struct {
		Subscriptions []struct {
			EventName string `json:"eventName"`
		} `json:"subscriptions"`
	}
	if raw, ok := req["body"]; ok && httpx.Unmarshal(raw, &b, false) != nil {
		return jsonapi.ErrPointer("/request/body", "Must be an object {subscriptions: [{eventName}]}.")
	}
	if ctx.System.User.UserID == "" {
		return jsonapi.ErrPointer("/context/System/user/userId", "The Alexa user of the event is required.")
	}
	events := []string{}
	for _, s := range b.Subscriptions {
		if s.EventName != "" && !slices.Contains(events, s.EventName) {
			events = append(events, s.EventName)
		}
	}
	subs, err := jsonapi.QueryRecords(c.Ctx, c.Tx, `SELECT `+jsonapi.RecordColumns+` FROM cr_resources WHERE type = 'ask-subscriptions'
		AND json_extract(attrs, '$."alexa-user-id"') = ? ORDER BY created_at, id`, ctx.System.User.UserID)
	if err != nil {
		return err
	}
	for _, sub := range subs {
		if !c.Visible(sub) {
			continue
		}
		sub.Set("registered-events", events)
		sub.Set("last-modified-at", c.Now)
		if err := c.Save(sub); err != nil {
			return err
		}
	}
	return nil
}

// askReminderCheck validates the schedule of a reminder: an RFC 5545 RRULE,
// a local time and an IANA-style time zone.
func askReminderCheck(rec *jsonapi.Record) error {
	if raw, ok := rec.Attrs["reminder-rrule"]; ok && string(raw) != "null" {
		if !askValidRRule(rec.Str("reminder-rrule")) {
			return jsonapi.ErrPointer("/data/attributes/reminder-rrule", "Must be an RFC 5545 recurrence rule such as FREQ=DAILY;INTERVAL=1.")
		}
	}
	if t := rec.Str("reminder-time-local"); t != "" {
		ok := false
		for _, layout := range []string{"15:04", "15:04:05", "2006-01-02T15:04:05", "2006-01-02T15:04"} {
			if _, err := time.Parse(layout, t); err == nil {
				ok = true
				break
			}
		}
		if !ok {
			return jsonapi.ErrPointer("/data/attributes/reminder-time-local", "Must be a local time, HH:MM[:SS] or YYYY-MM-DDTHH:MM[:SS].")
		}
	}
	if tz := rec.Str("tz-info"); tz != "" && !askValidTZ(tz) {
		return jsonapi.ErrPointer("/data/attributes/tz-info", "Must be a time zone such as America/Los_Angeles.")
	}
	return nil
}

// askValidRRule accepts NAME=VALUE parts separated by ";" with a FREQ.
func askValidRRule(r string) bool {
	r = strings.TrimPrefix(r, "RRULE:")
	freq := false
	for _, part := range strings.Split(r, ";") {
		k, v, ok := strings.Cut(part, "=")
		if !ok || v == "" {
			return false
		}
		switch k {
		case "FREQ":
			if !slices.Contains([]string{"SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"}, v) {
				return false
			}
			freq = true
		case "INTERVAL", "COUNT", "UNTIL", "BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY", "BYMONTHDAY", "BYYEARDAY",
			"BYWEEKNO", "BYMONTH", "BYSETPOS", "WKST":
		default:
			return false
		}
	}
	return freq
}

// askValidTZ accepts UTC and Area/Location names (letters, _, -, +, digits).
func askValidTZ(tz string) bool {
	if tz == "UTC" || tz == "GMT" {
		return true
	}
	area, loc, ok := strings.Cut(tz, "/")
	if !ok || area == "" || loc == "" || len(tz) > 64 {
		return false
	}
	return strings.Trim(tz, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+/") == ""
}

// askReminderCreate links the reminder to the individual's Alexa account.
func askReminderCreate(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) error {
	if err := askReminderCheck(rec); err != nil {
		return err
	}
	user, err := userOf(c, rec.ParentID)
	if err != nil {
		return err
	}
	rec.Set("account-id", nil)
	rec.Set("alexa-reminder-id", nil)
	rec.Set("synced-to-alexa", false)
	if user == nil {
		return nil
	}
	subs, err := jsonapi.QueryRecords(c.Ctx, c.Tx, `SELECT `+jsonapi.RecordColumns+` FROM cr_resources WHERE type = 'ask-subscriptions'
		AND org_id = ? AND json_extract(attrs, '$."user-id"') = ? ORDER BY created_at, id LIMIT 1`, rec.OrgID, user.ID)
	if err != nil || len(subs) == 0 {
		return err
	}
	rec.Set("account-id", subs[0].ID)
	rec.Set("alexa-reminder-id", c.Engine.IDs.UUID())
	rec.Set("synced-to-alexa", true)
	return nil
}

func askReminderModify(c *jsonapi.Call, old, rec *jsonapi.Record, in map[string]jsonRaw) error {
	return askReminderCheck(rec)
}

// askSend sends a proactive event the subscription registered for.
func askSend(c *jsonapi.Call, sub *jsonapi.Record, body map[string]jsonRaw) (any, error) {
	var ev struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(body["event"], &ev); err != nil {
		return nil, err // the catalog and the shape checked it
	}
	if ev.Name == "" {
		return nil, jsonapi.ErrPointer("/event/name", "Must be the name of an event.")
	}
	if !slices.Contains(sub.Strs("registered-events"), ev.Name) {
		return nil, jsonapi.ErrPointer("/event/name", "Subscription %s did not register event %q.", sub.ID, ev.Name)
	}
	if raw, ok := body["expire"]; ok && string(raw) != "null" {
		var n int64
		if json.Unmarshal(raw, &n) != nil || n < 300 || n > 86400 {
			return nil, jsonapi.ErrPointer("/expire", "Must be between 300 and 86400 seconds.")
		}
	}
	sub.Set("last-modified-at", c.Now)
	return askEmpty{}, c.Save(sub)
}

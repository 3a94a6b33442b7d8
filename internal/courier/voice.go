package courier

import (
	"encoding/json"
	"html"
	"strings"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
)

// The voice family: voice settings (an organization's call queue
// on one of its text accounts), queue agents and entries, tasks, the IVR's
// TwiML webhook, conferences with their dial logs, recordings, surveys and
// text-to-speech.
//
// A call reaching the IVR (twiml with From) waits in the setting's queue as
// a voice-queue-entry; run-task refresh_queue_entries renumbers the waiting
// entries and their queue times. A conference dials its individual: it starts
// "running" with one dial log.

// voiceResources is the table of voice settings, tasks, queues, recordings,
// conferences, dial logs, surveys and text-to-speech.
func voiceResources() []*jsonapi.Resource {
	return []*jsonapi.Resource{
		{
			Type: "voice-settings", Path: "/v1/voice-settings/",
			List: "voice-settings.list", Create: "voice-settings.create",
			Get: "voice-settings.get", Modify: "voice-settings.modify",
			Parent:       &jsonapi.Parent{Attr: "account-id", Type: "text-accounts"},
			Required:     []string{"account-id"},
			BeforeCreate: voiceSettingCreate,
			BeforeModify: voiceSettingModify,
			Actions: []jsonapi.Action{
				{Op: "voice-settings.run-task", OnItem: true, Handler: voiceRunTask},
				// The IVR of a setting: Twilio's voice webhook.
				{Op: "voice-ivrs.twiml", OnItem: true, FreeForm: true, Handler: voiceIVR},
			},
		},
		{
			Type: "voice-tasks", Path: "/v1/voice-tasks/",
			Get: "voice-tasks.get",
			// Read-only: the shape holds fixtures to the sample.
			Shapes: map[string]*jsonapi.Shape{"setting": idRefShape()},
		},
		{
			Type: "voice-queue-agents", Path: "/v1/voice-queue-agents/",
			List: "voice-queue-agents.list", Create: "voice-queue-agents.create", Get: "voice-queue-agents.get",
			Parent:       &jsonapi.Parent{Attr: "setting-id", Type: "voice-settings"},
			Required:     []string{"setting-id", "individual-id"},
			Shapes:       map[string]*jsonapi.Shape{"call": idRefShape(), "setting": idRefShape(), "user": idRefShape()}, // read-only: the shapes hold fixtures to the samples
			BeforeCreate: voiceAgentCreate,
		},
		{
			Type: "voice-queue-entries", Path: "/v1/voice-queue-entries/",
			List: "voice-queue-entries.list", Get: "voice-queue-entries.get",
			Parent: &jsonapi.Parent{Attr: "setting-id", Type: "voice-settings"},
		},
		{
			Type: "voice-recordings", Path: "/v1/voice-recordings/",
			List: "voice-recordings.list", Get: "voice-recordings.get",
			OrgAttr: "organization-id",
			Text:    []string{"transcription"},
			Params:  map[string]jsonapi.ParamHook{"filter[states]": statesFilter("filter[states]", "state")},
		},
		{
			Type: "voice-conferences", Path: "/v1/voice-conferences/",
			List: "voice-conferences.list", Create: "voice-conferences.create", Get: "voice-conferences.get",
			OrgAttr:      "organization-id",
			Required:     []string{"organization-id", "individual-id"},
			Params:       map[string]jsonapi.ParamHook{"filter[states]": statesFilter("filter[states]", "state")},
			BeforeCreate: voiceConferenceCreate,
			AfterCreate:  voiceConferenceDial,
			Actions: []jsonapi.Action{
				{Op: "voice-conferences.get-credentials", OnItem: true, Handler: voiceConferenceCredentials},
			},
		},
		{
			Type: "voice-dial-logs", Path: "/v1/voice-dial-logs/",
			List: "voice-dial-logs.list", Get: "voice-dial-logs.get",
			OrgAttr: "organization-id",
		},
		{
			Type: "voice-surveys", Path: "/v1/voice-surveys/",
			List: "voice-surveys.list", Create: "voice-surveys.create", Get: "voice-surveys.get",
			OrgAttr:      "organization-id",
			Required:     []string{"organization-id", "individual-id", "spec"},
			Params:       map[string]jsonapi.ParamHook{"filter[states]": statesFilter("filter[states]", "state")},
			BeforeCreate: voiceSurveyCreate,
		},
		{
			Type: "tts-synthesizers", Path: "/v1/tts-synthesizers/",
			Create:       "tts-synthesizers.create",
			Required:     []string{"text"},
			BeforeCreate: ttsCreate,
		},
	}
}

// voiceSettingCreate: the organization is the text account's; the phone
// number defaults to the account's.
func voiceSettingCreate(c *jsonapi.Call, rec *jsonapi.Record, in map[string]jsonRaw) error {
	rec.Set("organization-id", rec.OrgID)
	if _, ok := in["phone-number"]; !ok {
		acct, err := c.Engine.LoadRecord(c.Ctx, c.Tx, "text-accounts", rec.ParentID)
		if err != nil {
			return err
		}
		if acct != nil {
			rec.Attrs["phone-number"] = orNull(acct.Attrs["phone-number"])
		}
	}
	return voiceSettingCheck(rec)
}

func voiceSettingModify(c *jsonapi.Call, old, rec *jsonapi.Record, in map[string]jsonRaw) error {
	return voiceSettingCheck(rec)
}

// voiceSettingCheck: phone numbers are E.164; forward-number is a number, an
// object of forwarding rules, or null.
func voiceSettingCheck(rec *jsonapi.Record) error {
	if err := checkPhone(rec, "phone-number", "/data/attributes/phone-number"); err != nil {
		return err
	}
	raw := rec.Attrs["forward-number"]
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return checkPhone(rec, "forward-number", "/data/attributes/forward-number")
	}
	var obj map[string]jsonRaw
	if json.Unmarshal(raw, &obj) != nil || obj == nil {
		return jsonapi.ErrPointer("/data/attributes/forward-number", "Must be a phone number in E.164 format, an object or null.")
	}
	return nil
}

// voiceRunTask runs a maintenance task of the setting and answers it as a
// voice-task (GET /v1/voice-tasks/{id}/ reads it again).
func voiceRunTask(c *jsonapi.Call, setting *jsonapi.Record, body map[string]jsonRaw) (any, error) {
	var in struct {
		Method string  `json:"method"`
		Kwargs jsonRaw `json:"kwargs"`
	}
	_ = decodeBody(body, &in)
	n, err := voiceRefreshQueue(c, setting)
	if err != nil {
		return nil, err
	}
	task := newRecord(c, "voice-tasks", setting.OrgID, setting.ID)
	task.Set("error-message", nil)
	task.Attrs["kwargs"] = orEmpty(in.Kwargs)
	task.Set("method", in.Method)
	task.Set("result", voiceTaskResult{Entries: n})
	task.Set("setting", jsonapi.IDRef{ID: setting.ID})
	task.Set("state", "completed")
	return task, c.Insert(task)
}

type voiceTaskResult struct {
	Entries int `json:"entries"`
}

// voiceRefreshQueue renumbers the waiting entries of a setting's queue (1 is
// the oldest) and updates their time in the queue; it answers how many wait.
func voiceRefreshQueue(c *jsonapi.Call, setting *jsonapi.Record) (int, error) {
	entries, err := childrenOf(c, "voice-queue-entries", setting.ID)
	if err != nil {
		return 0, err
	}
	pos := 0
	for _, e := range entries {
		if e.Str("state") != "waiting" {
			continue
		}
		pos++
		e.Set("position", pos)
		e.Set("queue-time", secondsSince(c, e.CreatedAt))
		e.Set("last-modified-at", c.Now)
		if err := c.Save(e); err != nil {
			return 0, err
		}
	}
	return pos, nil
}

// voiceTwiML is the IVR's answer: the TwiML document Twilio runs for the call.
type voiceTwiML struct {
	TwiML string `json:"twiml"`
}

// voiceIVR answers Twilio's voice webhook for the setting named in the path:
// the caller (From) hears the wait message and joins the setting's queue as
// a new voice-queue-entry; with a forward number the call is forwarded
// instead.
func voiceIVR(c *jsonapi.Call, setting *jsonapi.Record, body map[string]jsonRaw) (any, error) {
	var from string
	if raw, ok := body["From"]; ok && string(raw) != "null" {
		if json.Unmarshal(raw, &from) != nil || !jsonapi.IsE164(from) {
			return nil, jsonapi.ErrPointer("/From", "Must be a phone number in E.164 format.")
		}
	}
	for k, raw := range body {
		if k == "From" || string(raw) == "null" {
			continue
		}
		var v any
		if json.Unmarshal(raw, &v) != nil {
			return nil, jsonapi.ErrPointer("/"+k, "Malformed value.")
		}
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Response>`)
	if fwd := setting.Str("forward-number"); fwd != "" {
		b.WriteString(`<Dial>` + html.EscapeString(fwd) + `</Dial></Response>`)
		return voiceTwiML{TwiML: b.String()}, nil
	}
	if setting.Bool("recording-enabled") && setting.Str("recording-message") != "" {
		b.WriteString(`<Say>` + html.EscapeString(setting.Str("recording-message")) + `</Say>`)
	}
	if msg := setting.Str("wait-message"); msg != "" {
		b.WriteString(`<Say>` + html.EscapeString(msg) + `</Say>`)
	}
	b.WriteString(`<Enqueue>` + setting.ID + `</Enqueue></Response>`)
	if from != "" {
		e := newRecord(c, "voice-queue-entries", setting.OrgID, setting.ID)
		e.Set("last-modified-at", c.Now)
		e.Set("phone-number", from)
		e.Set("position", 0)
		e.Set("queue-time", 0)
		e.Set("state", "waiting")
		if err := c.Insert(e); err != nil {
			return nil, err
		}
		if _, err := voiceRefreshQueue(c, setting); err != nil {
			return nil, err
		}
	}
	return voiceTwiML{TwiML: b.String()}, nil
}

// voiceAgentCreate: an agent is an individual of the setting's organization,
// once per setting, with a fresh access token; a PSTN agent needs a number.
func voiceAgentCreate(c *jsonapi.Call, rec *jsonapi.Record, in map[string]jsonRaw) error {
	ind, err := orgIndividual(c, "/data/attributes/individual-id", rec.Str("individual-id"), rec.OrgID)
	if err != nil {
		return err
	}
	if err := checkPhone(rec, "phone-number", "/data/attributes/phone-number"); err != nil {
		return err
	}
	if rec.Bool("use-pstn") && rec.Str("phone-number") == "" {
		return jsonapi.ErrPointer("/data/attributes/phone-number", "A PSTN agent needs a phone number.")
	}
	agents, err := childrenOf(c, "voice-queue-agents", rec.ParentID)
	if err != nil {
		return err
	}
	for _, a := range agents {
		if a.Str("individual-id") == ind.ID {
			return conflictWith("/data/attributes/individual-id", a.ID, "Individual %s is already an agent of voice setting %s.", ind.ID, rec.ParentID)
		}
	}
	rec.Set("access-token", newToken(c))
	rec.Set("call", nil)
	rec.Set("setting", jsonapi.IDRef{ID: rec.ParentID})
	user, err := userOf(c, ind.ID)
	if err != nil {
		return err
	}
	if user != nil {
		rec.Set("user", jsonapi.IDRef{ID: user.ID})
	}
	return nil
}

// voiceConferenceCreate: the conference dials its individual.
func voiceConferenceCreate(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) error {
	if _, err := orgIndividual(c, "/data/attributes/individual-id", rec.Str("individual-id"), rec.OrgID); err != nil {
		return err
	}
	rec.Set("state", "running")
	return nil
}

func voiceConferenceDial(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) error {
	l := newRecord(c, "voice-dial-logs", rec.OrgID, rec.ID)
	l.Set("call-duration", 0)
	l.Set("conference-id", rec.ID)
	l.Set("individual-id", rec.Str("individual-id"))
	l.Set("last-modified-at", c.Now)
	l.Set("organization-id", rec.OrgID)
	l.Set("status", "initiated")
	return c.Insert(l)
}

// voiceCredentials is a fresh token to join a conference.
type voiceCredentials struct {
	AccessToken string `json:"access-token"`
}

// voiceConferenceCredentials hands an individual of the organization a token
// for a conference that has not ended.
func voiceConferenceCredentials(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) (any, error) {
	indID := jsonapi.LowerID(c.Query.Get("individual-id"))
	ind, err := c.Load("individuals", indID)
	if err != nil {
		return nil, err
	}
	if ind == nil || ind.OrgID != rec.OrgID {
		return nil, jsonapi.ErrParam("individual-id", "Individual %s is not in the organization of voice conference %s.", indID, rec.ID)
	}
	if st := rec.Str("state"); st == "completed" || st == "failed" {
		return nil, jsonapi.ErrParam("individual-id", "Voice conference %s has ended (%s).", rec.ID, st)
	}
	return voiceCredentials{AccessToken: newToken(c)}, nil
}

// voiceSurveyCreate: a survey call to an individual of the organization.
func voiceSurveyCreate(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) error {
	if _, err := orgIndividual(c, "/data/attributes/individual-id", rec.Str("individual-id"), rec.OrgID); err != nil {
		return err
	}
	rec.Set("state", "created")
	return nil
}

// ttsCreate checks a text-to-speech request: some text and a locale such as en-US.
func ttsCreate(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) error {
	if strings.TrimSpace(rec.Str("text")) == "" {
		return jsonapi.ErrPointer("/data/attributes/text", "This field may not be blank.")
	}
	loc := rec.Str("locale")
	if loc == "" {
		rec.Set("locale", "en-US")
	} else if len(loc) != 5 || loc[2] != '-' || strings.ToLower(loc[:2]) != loc[:2] || strings.ToUpper(loc[3:]) != loc[3:] ||
		strings.Trim(loc[:2], "abcdefghijklmnopqrstuvwxyz") != "" || strings.Trim(loc[3:], "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return jsonapi.ErrPointer("/data/attributes/locale", "Must be a locale such as en-US.")
	}
	return nil
}

package courier

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/httpx"
)

// The video family: video channels (rooms), their participants and
// compositions (recordings).
//
// A channel is "scheduled" while its appointment lies ahead, "open" otherwise,
// and "terminated" once terminated: then every participant is disconnected,
// nobody may join (get-credentials, rejoin) and a recorded channel gains its
// composition. Participants are records below the channel; the channel
// renders them (and its compositions) embedded, as the vendor's samples show.

// videoResources is the table of video channels, participants and compositions.
func videoResources() []*jsonapi.Resource {
	return []*jsonapi.Resource{
		{
			Type: "video-channels", Path: "/v1/video-channels/",
			List: "video-channels.list", Create: "video-channels.create",
			Get: "video-channels.get", Modify: "video-channels.modify",
			OrgAttr:  "organization-id",
			Text:     []string{"note"},
			Required: []string{"organization-id", "participants"},
			// join-start is answered, computed from start: what a client
			// sends back is checked, then replaced.
			Shapes: map[string]*jsonapi.Shape{"appointment": {Kind: "object", Members: []jsonapi.Shape{
				{Name: "duration", Kind: "integer"},
				{Name: "id", Kind: "string", Format: "uuid"},
				{Name: "join-start", Kind: "string", Format: "date-time"},
				{Name: "start", Kind: "string", Format: "date-time"},
			}}},
			Params: map[string]jsonapi.ParamHook{
				"individual-id":  videoParticipantParam,
				"filter[states]": statesFilter("filter[states]", "channel-state"),
			},
			BeforeCreate: videoCreate,
			AfterCreate:  videoInvite,
			BeforeModify: videoModify,
			Render:       videoRender,
			Actions: []jsonapi.Action{
				{Op: "video-channels.finalize-encounter", OnItem: true, Handler: videoFinalize},
				{Op: "video-channels.finalize-encounter-v2", OnItem: true, Handler: videoFinalize},
				{Op: "video-channels.get-credentials", OnItem: true, Writes: true, Handler: videoGetCredentials},
				{Op: "video-channels.participant-audio-states", OnItem: true, Handler: videoAudioStates,
					Shapes: map[string]*jsonapi.Shape{"participants": {Kind: "array", Items: &jsonapi.Shape{Kind: "object", Members: []jsonapi.Shape{
						{Name: "audio-state", Required: true, Kind: "string", Enum: []string{"muted", "unmuted"}},
						{Name: "id", Required: true, Kind: "string", Format: "uuid"},
					}}}}},
				{Op: "video-channels.reminder-timer", OnItem: true, Handler: videoReminderTimer},
				{Op: "video-channels.terminate", OnItem: true, Handler: videoTerminate},
			},
		},
		{
			Type: "video-participants", Path: "/v1/video-participants/",
			List: "video-participants.list", Get: "video-participants.get", Modify: "video-participants.modify",
			Parent:       &jsonapi.Parent{Attr: "video-channel-id", Type: "video-channels"},
			Params:       map[string]jsonapi.ParamHook{"individual-id": ignoreParam},
			BeforeModify: videoParticipantModify,
		},
		{
			Type: "video-compositions", Path: "/v1/video-compositions/",
			List: "video-compositions.list", Get: "video-compositions.get",
			Parent: &jsonapi.Parent{Attr: "video-channel-id", Type: "video-channels"},
		},
	}
}

const (
	videoScheduled  = "scheduled"
	videoOpen       = "open"
	videoTerminated = "terminated"
	// videoMaxParticipants is the room size the emulator offers.
	videoMaxParticipants = 50
	// videoJoinLead is how long before the appointment participants may join.
	videoJoinLead = 10 * time.Minute
)

// videoAppointment is the appointment a channel is scheduled for.
type videoAppointment struct {
	Duration  int64   `json:"duration"`
	ID        *string `json:"id"`
	JoinStart *string `json:"join-start"`
	Start     *string `json:"start"`
}

// videoAppointmentIn is the appointment a client sends.
type videoAppointmentIn struct {
	Duration *json.Number `json:"duration"`
	ID       *string      `json:"id"`
	Start    *string      `json:"start"`
}

// videoCreate checks the participants, the subject, the messaging channel
// and the appointment of a new channel and sets its state.
func videoCreate(c *jsonapi.Call, rec *jsonapi.Record, in map[string]jsonRaw) error {
	var parts []jsonRaw
	rec.Decode("participants", &parts)
	if len(parts) == 0 {
		return jsonapi.ErrPointer("/data/attributes/participants", "This field is required: at least one individual.")
	}
	ids := make([]string, 0, len(parts))
	seen := map[string]bool{}
	for i, raw := range parts {
		var id string
		ptr := "/data/attributes/participants/" + strconv.Itoa(i)
		if json.Unmarshal(raw, &id) != nil {
			return jsonapi.ErrPointer(ptr, "Must be the UUID of an individual.")
		}
		ind, err := orgIndividual(c, ptr, id, rec.OrgID)
		if err != nil {
			return err
		}
		if !seen[ind.ID] {
			seen[ind.ID] = true
			ids = append(ids, ind.ID)
		}
	}
	rec.Set("_participant-ids", ids)
	delete(rec.Attrs, "participants")
	if id := rec.Str("subject-id"); id != "" {
		if _, err := orgIndividual(c, "/data/attributes/subject-id", id, rec.OrgID); err != nil {
			return err
		}
	}
	if id := rec.Str("messaging-channel-id"); id != "" {
		ch, err := c.LoadRef("/data/attributes/messaging-channel-id", "messaging-channels", id)
		if err != nil {
			return err
		}
		if ch.OrgID != rec.OrgID {
			return jsonapi.ErrPointer("/data/attributes/messaging-channel-id", "Messaging channel %s is not in organization %s.", ch.ID, rec.OrgID)
		}
	}
	if rec.Str("type") == "" {
		rec.Set("type", "direct")
	}
	appt, err := videoReadAppointment(rec)
	if err != nil {
		return err
	}
	if appt != nil {
		rec.Set("appointment", appt)
	}
	rec.Set("channel-state", videoStateFor(c, appt))
	if rec.Str("channel-state") == videoOpen {
		rec.Set("_opened-at", c.Now)
	}
	rec.Set("max-participants", videoMaxParticipants)
	rec.Set("duration", 0)
	rec.Set("_room", c.Engine.IDs.UUID())
	if callerIndividual(c) != "" {
		rec.Set("scheduler-id", callerIndividual(c))
	}
	return nil
}

// videoReadAppointment validates the appointment object of a create.
func videoReadAppointment(rec *jsonapi.Record) (*videoAppointment, error) {
	raw, ok := rec.Attrs["appointment"]
	if !ok || string(raw) == "null" {
		return nil, nil
	}
	var in videoAppointmentIn
	if err := httpx.Unmarshal(raw, &in, false); err != nil {
		return nil, err // its shape was checked
	}
	appt := &videoAppointment{}
	if in.Duration != nil {
		n, err := in.Duration.Int64()
		if err != nil || n < 0 || n > 7*24*3600 {
			return nil, jsonapi.ErrPointer("/data/attributes/appointment/duration", "Must be a whole number of seconds, at least 0.")
		}
		appt.Duration = n
	}
	if in.ID != nil {
		id := jsonapi.LowerID(*in.ID)
		appt.ID = &id
	}
	if in.Start != nil {
		start, err := normalTime("/data/attributes/appointment/start", *in.Start)
		if err != nil {
			return nil, err
		}
		appt.setStart(start)
	}
	return appt, nil
}

// setStart sets the start and the join window that opens before it.
func (a *videoAppointment) setStart(start string) {
	a.Start = &start
	t, _ := time.Parse(jsonapi.TimeLayout, start)
	js := jsonapi.FormatTime(t.Add(-videoJoinLead))
	a.JoinStart = &js
}

// videoStateFor is the state of a channel that is not terminated: scheduled
// until its appointment's join window opens.
func videoStateFor(c *jsonapi.Call, appt *videoAppointment) string {
	if appt != nil && appt.JoinStart != nil && *appt.JoinStart > c.Now {
		return videoScheduled
	}
	return videoOpen
}

// videoInvite adds the participants of a new channel.
func videoInvite(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) error {
	for _, id := range rec.Strs("_participant-ids") {
		if _, err := videoAddParticipant(c, rec, id, "invited"); err != nil {
			return err
		}
	}
	return nil
}

// videoAddParticipant creates the participant record of an individual.
func videoAddParticipant(c *jsonapi.Call, ch *jsonapi.Record, individualID, st string) (*jsonapi.Record, error) {
	ind, err := c.Engine.LoadRecord(c.Ctx, c.Tx, "individuals", individualID)
	if err != nil {
		return nil, err
	}
	p := newRecord(c, "video-participants", ch.OrgID, ch.ID)
	if ind != nil {
		p.Attrs["account-type"] = ind.Attrs["account-type"]
	}
	p.Set("audio-state", "unmuted")
	p.Set("disconnected", false)
	p.Attrs["encounter-id"] = ch.Attrs["encounter-id"]
	p.Set("individual-id", individualID)
	p.Set("status", st)
	if st == "connected" {
		p.Set("connected-at", c.Now)
	}
	p.Set("twilio-channel-id", ch.Str("_room"))
	p.Set("video-channel-id", ch.ID)
	return p, c.Insert(p)
}

// videoModify moves the appointment (appointment-start/-duration); a
// terminated channel keeps its appointment.
func videoModify(c *jsonapi.Call, old, rec *jsonapi.Record, in map[string]jsonRaw) error {
	_, hasStart := in["appointment-start"]
	_, hasDur := in["appointment-duration"]
	delete(rec.Attrs, "appointment-start")
	delete(rec.Attrs, "appointment-duration")
	if !hasStart && !hasDur {
		return nil
	}
	if old.Str("channel-state") == videoTerminated {
		return jsonapi.ErrPointer("/data/attributes/appointment-start", "Video channel %s is terminated: its appointment cannot move.", old.ID)
	}
	appt := &videoAppointment{}
	old.Decode("appointment", appt)
	if hasStart {
		var s *string
		if json.Unmarshal(in["appointment-start"], &s) != nil {
			return jsonapi.ErrPointer("/data/attributes/appointment-start", "Must be a string.")
		}
		if s == nil {
			appt.Start, appt.JoinStart = nil, nil
		} else {
			start, err := normalTime("/data/attributes/appointment-start", *s)
			if err != nil {
				return err
			}
			appt.setStart(start)
		}
	}
	if hasDur {
		var n *int64
		if json.Unmarshal(in["appointment-duration"], &n) != nil || n != nil && (*n < 0 || *n > 7*24*3600) {
			return jsonapi.ErrPointer("/data/attributes/appointment-duration", "Must be a whole number of seconds, at least 0.")
		}
		appt.Duration = 0
		if n != nil {
			appt.Duration = *n
		}
	}
	rec.Set("appointment", appt)
	if old.Str("channel-state") == videoScheduled || old.Str("_opened-at") == "" {
		rec.Set("channel-state", videoStateFor(c, appt))
		if rec.Str("channel-state") == videoOpen && rec.Str("_opened-at") == "" {
			rec.Set("_opened-at", c.Now)
		}
	}
	return nil
}

// videoParticipantParam lists the channels an individual takes part in:
// found from the individual's participations (an index of migration 103), so
// the list costs what they are, not what the organization's channels are.
func videoParticipantParam(c *jsonapi.Call, q *jsonapi.ListQuery, v string) error {
	q.Where(`id IN (SELECT p.parent_id FROM cr_resources p WHERE p.type = 'video-participants'
		AND lower(json_extract(p.attrs, '$."individual-id"')) = ?)`, jsonapi.LowerID(v))
	return nil
}

// The embedded views of a channel, in the samples' key order.
type videoParticipantView struct {
	AccountType  jsonRaw        `json:"account-type"`
	AudioState   jsonRaw        `json:"audio-state"`
	Disconnected bool           `json:"disconnected"`
	EncounterID  jsonRaw        `json:"encounter-id"`
	FirstName    jsonRaw        `json:"first-name"`
	ID           string         `json:"id"`
	IndividualID string         `json:"individual-id"`
	LastName     jsonRaw        `json:"last-name"`
	Note         jsonRaw        `json:"note"`
	Photo        jsonRaw        `json:"photo"`
	Status       jsonRaw        `json:"status"`
	User         *videoUserView `json:"user"`
}

type videoUserView struct {
	CommunicationPreferences videoCommPrefs `json:"communication-preferences"`
	EmailVerified            bool           `json:"email-verified"`
	ID                       string         `json:"id"`
	PhoneVerified            bool           `json:"phone-verified"`
	RegistrationInvite       string         `json:"registration-invite"`
	State                    jsonRaw        `json:"state"`
}

type videoCommPrefs struct {
	Email  jsonRaw `json:"email"`
	Mobile jsonRaw `json:"mobile"`
	SMS    jsonRaw `json:"sms"`
	Voice  jsonRaw `json:"voice"`
	Web    jsonRaw `json:"web"`
}

type videoCompositionView struct {
	CreatedAt        string  `json:"created-at"`
	Duration         int64   `json:"duration"`
	ID               string  `json:"id"`
	LastModifiedAt   jsonRaw `json:"last-modified-at"`
	ProcessingPct    int64   `json:"processing-pct"`
	ProcessingStatus jsonRaw `json:"processing-status"`
	Size             int64   `json:"size"`
	Status           jsonRaw `json:"status"`
}

// videoRender embeds the participants, the compositions, the organization's
// display name and the running duration.
func videoRender(c *jsonapi.Call, rec *jsonapi.Record) error {
	parts, err := childrenOf(c, "video-participants", rec.ID)
	if err != nil {
		return err
	}
	views := make([]videoParticipantView, 0, len(parts))
	for _, p := range parts {
		v := videoParticipantView{AccountType: orNull(p.Attrs["account-type"]), AudioState: orNull(p.Attrs["audio-state"]),
			Disconnected: p.Bool("disconnected"), EncounterID: orNull(p.Attrs["encounter-id"]), ID: p.ID,
			IndividualID: p.Str("individual-id"), Note: orNull(p.Attrs["note"]), Status: orNull(p.Attrs["status"]),
			FirstName: jsonRaw("null"), LastName: jsonRaw("null"), Photo: jsonRaw("null")}
		ind, err := c.Engine.LoadRecord(c.Ctx, c.Tx, "individuals", v.IndividualID)
		if err != nil {
			return err
		}
		if ind != nil {
			v.FirstName, v.LastName, v.Photo = orNull(ind.Attrs["first-name"]), orNull(ind.Attrs["last-name"]), orNull(ind.Attrs["_photo"])
		}
		user, err := userOf(c, v.IndividualID)
		if err != nil {
			return err
		}
		if user != nil {
			var prefs map[string]jsonRaw
			user.Decode("communication-preferences", &prefs)
			invite := "pending"
			if user.Str("state") == "active" {
				invite = "accepted"
			}
			v.User = &videoUserView{
				CommunicationPreferences: videoCommPrefs{Email: orEmpty(prefs["email"]), Mobile: orEmpty(prefs["mobile"]),
					SMS: orEmpty(prefs["sms"]), Voice: orEmpty(prefs["voice"]), Web: orEmpty(prefs["web"])},
				EmailVerified: user.Bool("email-verified"), ID: user.ID, PhoneVerified: user.Bool("phone-verified"),
				RegistrationInvite: invite, State: orNull(user.Attrs["state"]),
			}
		}
		views = append(views, v)
	}
	rec.Set("participants", views)
	comps, err := childrenOf(c, "video-compositions", rec.ID)
	if err != nil {
		return err
	}
	cv := make([]videoCompositionView, 0, len(comps))
	for _, m := range comps {
		cv = append(cv, videoCompositionView{CreatedAt: m.CreatedAt, Duration: m.Int("duration"), ID: m.ID,
			LastModifiedAt: orNull(m.Attrs["last-modified-at"]), ProcessingPct: m.Int("processing-pct"),
			ProcessingStatus: orNull(m.Attrs["processing-status"]), Size: m.Int("size"), Status: orNull(m.Attrs["status"])})
	}
	rec.Set("compositions", cv)
	if org, err := c.Engine.LoadRecord(c.Ctx, c.Tx, "organizations", rec.OrgID); err != nil {
		return err
	} else if org != nil {
		rec.Attrs["organization-display-name"] = orNull(org.Attrs["display-name"])
	}
	if rec.Str("channel-state") == videoOpen && rec.Str("_opened-at") != "" {
		rec.Set("duration", secondsSince(c, rec.Str("_opened-at")))
	}
	return nil
}

// videoCredentials is what get-credentials answers: a fresh room token.
type videoCredentials struct {
	AccessToken string `json:"access-token"`
	Name        string `json:"name"`
}

// videoGetCredentials joins an individual of the channel's organization to
// the room: a participant is (re)connected, a newcomer becomes a participant.
// A terminated channel refuses everyone.
func videoGetCredentials(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) (any, error) {
	indID := jsonapi.LowerID(c.Query.Get("individual-id"))
	ind, err := c.Load("individuals", indID)
	if err != nil {
		return nil, err
	}
	if ind == nil || ind.OrgID != rec.OrgID {
		return nil, jsonapi.ErrParam("individual-id", "Individual %s is not in the organization of video channel %s.", indID, rec.ID)
	}
	if rec.Str("channel-state") == videoTerminated {
		return nil, jsonapi.ErrParam("individual-id", "Video channel %s is terminated: nobody can join it.", rec.ID)
	}
	parts, err := childrenOf(c, "video-participants", rec.ID)
	if err != nil {
		return nil, err
	}
	var found *jsonapi.Record
	for _, p := range parts {
		if p.Str("individual-id") == indID {
			found = p
		}
	}
	if found == nil {
		if int64(len(parts)) >= rec.Int("max-participants") && rec.Int("max-participants") > 0 {
			return nil, jsonapi.ErrParam("individual-id", "Video channel %s is full (%d participants).", rec.ID, rec.Int("max-participants"))
		}
		if _, err := videoAddParticipant(c, rec, indID, "connected"); err != nil {
			return nil, err
		}
	} else {
		found.Set("status", "connected")
		found.Set("disconnected", false)
		if found.Str("connected-at") == "" {
			found.Set("connected-at", c.Now)
		}
		c.Stamp(found, false)
		if err := c.Save(found); err != nil {
			return nil, err
		}
	}
	if rec.Str("channel-state") == videoScheduled {
		rec.Set("channel-state", videoOpen)
	}
	if rec.Str("_opened-at") == "" {
		rec.Set("_opened-at", c.Now)
	}
	if err := c.Save(rec); err != nil {
		return nil, err
	}
	return videoCredentials{AccessToken: newToken(c), Name: rec.Str("_room")}, nil
}

// videoTerminate ends the call: every participant is disconnected, the
// duration is final, a recorded channel gets its composition. Terminating a
// terminated channel changes nothing.
func videoTerminate(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) (any, error) {
	if rec.Str("channel-state") == videoTerminated {
		return rec, nil
	}
	var dur int64
	if at := rec.Str("_opened-at"); at != "" {
		dur = secondsSince(c, at)
	}
	rec.Set("channel-state", videoTerminated)
	rec.Set("duration", dur)
	rec.Set("_terminated-at", c.Now)
	parts, err := childrenOf(c, "video-participants", rec.ID)
	if err != nil {
		return nil, err
	}
	for _, p := range parts {
		if p.Bool("disconnected") {
			continue
		}
		p.Set("disconnected", true)
		p.Set("status", "disconnected")
		c.Stamp(p, false)
		if err := c.Save(p); err != nil {
			return nil, err
		}
	}
	if rec.Bool("recorded") {
		m := newRecord(c, "video-compositions", rec.OrgID, rec.ID)
		m.Set("duration", dur)
		m.Set("processing-pct", 100)
		m.Set("processing-status", "completed")
		m.Set("size", dur*125000) // about 1 Mbit/s of video
		m.Set("status", "completed")
		m.Set("video-channel-id", rec.ID)
		if err := c.Insert(m); err != nil {
			return nil, err
		}
	}
	return rec, c.Save(rec)
}

// videoFinalize documents the visit: the channel (and its participants) get
// an encounter and an observation, once; use-note-from-author-participant
// copies the note of the participant who scheduled the call.
func videoFinalize(c *jsonapi.Call, rec *jsonapi.Record, body map[string]jsonRaw) (any, error) {
	var in struct {
		ServiceTypeID *string `json:"service-type-id"`
		UseNote       bool    `json:"use-note-from-author-participant"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, jsonapi.ErrPointer("", "Malformed body.")
	}
	if rec.Str("encounter-id") == "" {
		rec.Set("encounter-id", c.Engine.IDs.UUID())
		rec.Set("observation-id", c.Engine.IDs.UUID())
	}
	if in.ServiceTypeID != nil {
		rec.Set("_service-type-id", jsonapi.LowerID(*in.ServiceTypeID))
	}
	parts, err := childrenOf(c, "video-participants", rec.ID)
	if err != nil {
		return nil, err
	}
	author := rec.Str("scheduler-id")
	for _, p := range parts {
		if in.UseNote && p.Str("individual-id") == author && p.Str("note") != "" {
			rec.Attrs["note"] = p.Attrs["note"]
		}
		p.Attrs["encounter-id"] = rec.Attrs["encounter-id"]
		if err := c.Save(p); err != nil {
			return nil, err
		}
	}
	return rec, c.Save(rec)
}

// videoAudioStates mutes and unmutes participants of a live channel. Each
// item names a participant by its id or by its individual's id.
func videoAudioStates(c *jsonapi.Call, rec *jsonapi.Record, body map[string]jsonRaw) (any, error) {
	if rec.Str("channel-state") == videoTerminated {
		return nil, refuse("Video channel %s is terminated.", rec.ID)
	}
	var items []struct {
		AudioState string `json:"audio-state"`
		ID         string `json:"id"`
	}
	if err := json.Unmarshal(body["participants"], &items); err != nil {
		return nil, err // the catalog and the shape checked it
	}
	parts, err := childrenOf(c, "video-participants", rec.ID)
	if err != nil {
		return nil, err
	}
	byID := map[string]*jsonapi.Record{}
	for _, p := range parts {
		byID[p.ID] = p
		byID[p.Str("individual-id")] = p
	}
	if raw, ok := body["individual-id"]; ok && string(raw) != "null" {
		var id string
		_ = json.Unmarshal(raw, &id)
		if byID[jsonapi.LowerID(id)] == nil {
			return nil, jsonapi.ErrPointer("/individual-id", "Individual %s is not a participant of video channel %s.", id, rec.ID)
		}
	}
	changed := []*jsonapi.Record{}
	for i, it := range items {
		p := byID[jsonapi.LowerID(it.ID)]
		if p == nil {
			return nil, jsonapi.ErrPointer("/participants/"+strconv.Itoa(i)+"/id", "Not a participant of video channel %s.", rec.ID)
		}
		p.Set("audio-state", it.AudioState)
		changed = append(changed, p)
	}
	for _, p := range changed {
		c.Stamp(p, false)
		if err := c.Save(p); err != nil {
			return nil, err
		}
	}
	return rec, nil
}

// videoReminderTimer (re)starts the reminder of a channel that has not ended:
// the participants who have not joined are reminded when the join window
// opens. Nothing of it is answered; the channel is.
func videoReminderTimer(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) (any, error) {
	if rec.Str("channel-state") == videoTerminated {
		return nil, refuse("Video channel %s is terminated.", rec.ID)
	}
	rec.Set("_reminder-set-at", c.Now)
	return rec, c.Save(rec)
}

// videoParticipantModify: mute/unmute, leave, notes; nobody rejoins a
// terminated channel.
func videoParticipantModify(c *jsonapi.Call, old, rec *jsonapi.Record, in map[string]jsonRaw) error {
	if raw, ok := in["audio-state"]; ok && string(raw) != "null" {
		if st := rec.Str("audio-state"); st != "muted" && st != "unmuted" {
			return jsonapi.ErrPointer("/data/attributes/audio-state", "Must be one of muted, unmuted.")
		}
	}
	if _, ok := in["disconnected"]; !ok {
		return nil
	}
	if rec.Bool("disconnected") {
		rec.Set("status", "disconnected")
		return nil
	}
	ch, err := c.Engine.LoadRecord(c.Ctx, c.Tx, "video-channels", rec.ParentID)
	if err != nil {
		return err
	}
	if ch != nil && ch.Str("channel-state") == videoTerminated {
		return jsonapi.ErrPointer("/data/attributes/disconnected", "Video channel %s is terminated: nobody can rejoin it.", ch.ID)
	}
	if old.Bool("disconnected") {
		rec.Set("status", "connected")
	}
	return nil
}

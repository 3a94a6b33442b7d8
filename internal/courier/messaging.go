package courier

import (
	"time"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
)

// The messaging family: attachments (upload tickets), bookmarks, bulk
// messages and their attachments, operations, plugins and responders. Channels
// are in messaging_channels.go, messages in messaging_messages.go.

// messagingResources is the table of attachments, bookmarks, bulk messages,
// operations, plugins and responders.
func messagingResources() []*jsonapi.Resource {
	return []*jsonapi.Resource{
		{
			Type: "messaging-attachments", Path: "/v1/messaging-attachments/",
			List: "messaging-attachments.list", Create: "messaging-attachments.create",
			Get: "messaging-attachments.get", Modify: "messaging-attachments.modify",
			Parent:       &jsonapi.Parent{Attr: "message-id", Type: "messaging-messages"},
			Text:         []string{"filename"},
			Required:     []string{"message-id", "filename", "content-type"},
			Params:       map[string]jsonapi.ParamHook{"filter[include-pending]": ignoreParam},
			ListFilter:   uploadedOnly,
			BeforeCreate: createAttachment,
			CreateAnswer: uploadTicketFor,
			Actions: []jsonapi.Action{
				{Op: "messaging-attachments.process-upload", OnItem: true, Handler: processUpload},
			},
		},
		{
			Type: "messaging-bookmarks", Path: "/v1/messaging-bookmarks/",
			List: "messaging-bookmarks.list", Create: "messaging-bookmarks.create", Get: "messaging-bookmarks.get",
			Parent:       &jsonapi.Parent{Attr: "channel-id", Type: "messaging-channels"},
			Required:     []string{"channel-id", "message-id"},
			Params:       map[string]jsonapi.ParamHook{"filter[channel-id]": parentParam},
			Shapes:       map[string]*jsonapi.Shape{"channel": idRefShape(), "created-by": idRefShape(), "message": idRefShape()}, // read-only: the shapes hold fixtures to the samples
			BeforeCreate: createBookmark,
		},
		{
			Type: "messaging-bulk-messages", Path: "/v1/messaging-bulk-messages/",
			List: "messaging-bulk-messages.list", Create: "messaging-bulk-messages.create",
			Get: "messaging-bulk-messages.get", Modify: "messaging-bulk-messages.modify",
			Text:         []string{"message"},
			Required:     []string{"sender-individual-id", "message"},
			Shapes:       map[string]*jsonapi.Shape{"message-js": localizedShape()},
			ListFilter:   unpostedOnly,
			Params:       map[string]jsonapi.ParamHook{"include-posted": ignoreParam},
			BeforeCreate: createBulkMessage,
			AfterCreate:  postBulkIfReady,
			BeforeModify: modifyBulkMessage,
		},
		{
			Type: "messaging-bulk-attachments", Path: "/v1/messaging-bulk-attachments/",
			List: "messaging-bulk-attachments.list", Create: "messaging-bulk-attachments.create",
			Get:          "messaging-bulk-attachments.get",
			Parent:       &jsonapi.Parent{Attr: "bulk-message-id", Type: "messaging-bulk-messages"},
			Text:         []string{"filename"},
			Required:     []string{"bulk-message-id", "filename", "content-type"},
			Params:       map[string]jsonapi.ParamHook{"filter[include-pending]": ignoreParam},
			ListFilter:   uploadedOnly,
			BeforeCreate: createAttachment,
			CreateAnswer: uploadTicketFor,
			Actions: []jsonapi.Action{
				{Op: "messaging-bulk-attachments.process-upload", OnItem: true, Handler: processUpload},
			},
		},
		{
			Type: "messaging-operations", Path: "/v1/messaging-operations/",
			List: "messaging-operations.list", Create: "messaging-operations.create", Get: "messaging-operations.get",
			OrgAttr:      "organization-id",
			Required:     []string{"organization-id", "type", "args"},
			BeforeCreate: runOperation,
			Render:       renderOperation,
		},
		{
			Type: "messaging-plugins", Path: "/v1/messaging-plugins/",
			List: "messaging-plugins.list", Create: "messaging-plugins.create",
			Get: "messaging-plugins.get", Modify: "messaging-plugins.modify",
			OrgAttr:      "organization-id",
			Text:         []string{"name"},
			Required:     []string{"organization-id", "name", "type"},
			BeforeCreate: enableOnCreate,
			Actions: []jsonapi.Action{
				{Op: "messaging-plugins.enable", OnItem: true, Handler: setEnabled(true)},
				{Op: "messaging-plugins.disable", OnItem: true, Handler: setEnabled(false)},
				{Op: "messaging-plugins.expand", OnItem: true, Handler: expandPlugin},
			},
		},
		{
			Type: "messaging-responders", Path: "/v1/messaging-responders/",
			List: "messaging-responders.list", Create: "messaging-responders.create",
			Get: "messaging-responders.get", Modify: "messaging-responders.modify",
			OrgAttr:      "organization-id",
			Text:         []string{"name"},
			Required:     []string{"organization-id", "name", "type"},
			Sort:         map[string]string{"start-at": jsonapi.JSONAttr("start-at"), "end-at": jsonapi.JSONAttr("end-at")},
			Shapes:       map[string]*jsonapi.Shape{"calendar-args": calendarArgsShape()},
			BeforeCreate: createResponder,
			BeforeModify: modifyResponder,
			Actions: []jsonapi.Action{
				{Op: "messaging-responders.enable", OnItem: true, Handler: setEnabled(true)},
				{Op: "messaging-responders.disable", OnItem: true, Handler: setEnabled(false)},
			},
		},
	}
}

// parentParam is a filter[...] naming the parent: it scopes the list to the
// parent's children, as a parent parameter does.
func parentParam(c *jsonapi.Call, q *jsonapi.ListQuery, v string) error {
	q.Parent(jsonapi.LowerID(v))
	return nil
}

// uploadedOnly: attachments whose upload was not processed are pending and
// listed only with filter[include-pending]=true.
func uploadedOnly(c *jsonapi.Call, q *jsonapi.ListQuery) error {
	if !c.Query.Bool("filter[include-pending]") {
		q.Where(jsonapi.JSONAttr("_uploaded") + " = 1")
	}
	return nil
}

// createAttachment starts an attachment as pending, of size 0.
func createAttachment(c *jsonapi.Call, rec *jsonapi.Record, in map[string]jsonRaw) error {
	rec.Set("_uploaded", false)
	rec.Set("content-size", 0)
	if rec.Type == "messaging-attachments" {
		parent, err := c.Engine.LoadRecord(c.Ctx, c.Tx, "messaging-messages", rec.ParentID)
		if err != nil {
			return err
		}
		if parent != nil {
			if ch, err := c.Engine.LoadRecord(c.Ctx, c.Tx, "messaging-channels", parent.ParentID); err != nil {
				return err
			} else if ch != nil && ch.Bool("archived") {
				return jsonapi.ErrPointer("/data/attributes/message-id", "Channel %s is archived.", ch.ID)
			}
		}
	}
	return nil
}

// uploadTicket is what creating an attachment answers: where to upload the content.
type uploadTicket struct {
	Data uploadTicketData `json:"data"`
}

type uploadTicketData struct {
	ExpirationTime int64      `json:"expiration-time"`
	ID             string     `json:"id"`
	UploadData     uploadData `json:"upload-data"`
	UploadURL      string     `json:"upload-url"`
}

// uploadData are the form fields of a presigned upload.
type uploadData struct {
	Key         string `json:"key"`
	ContentType string `json:"Content-Type"`
}

// uploadTicketFor answers a presigned-upload ticket valid for an hour of emulated time.
// The URL is not served: uploads complete with process-upload.
func uploadTicketFor(c *jsonapi.Call, rec *jsonapi.Record) (any, error) {
	now, _ := time.Parse(jsonapi.TimeLayout, c.Now)
	return uploadTicket{Data: uploadTicketData{
		ExpirationTime: now.Add(time.Hour).Unix(),
		ID:             rec.ID,
		UploadData:     uploadData{Key: rec.Type + "/" + rec.ID, ContentType: rec.Str("content-type")},
		UploadURL:      "https://uploads.courier.invalid/" + rec.Type + "/" + rec.ID,
	}}, nil
}

// processUpload completes an upload: the attachment stops being pending and
// gets its size and thumbnail.
func processUpload(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) (any, error) {
	if !rec.Bool("_uploaded") {
		rec.Set("_uploaded", true)
		rec.Set("content-size", 1024)
		rec.Set("thumbnail", "https://uploads.courier.invalid/"+rec.Type+"/"+rec.ID+"/thumbnail")
		if err := c.Save(rec); err != nil {
			return nil, err
		}
	}
	return rec, nil
}

// createBookmark bookmarks a message of the channel; without
// allow-multi-message it replaces the channel's earlier bookmarks.
func createBookmark(c *jsonapi.Call, rec *jsonapi.Record, in map[string]jsonRaw) error {
	msg, err := c.LoadRef("/data/attributes/message-id", "messaging-messages", rec.Str("message-id"))
	if err != nil {
		return err
	}
	if msg.ParentID != rec.ParentID {
		return jsonapi.ErrPointer("/data/attributes/message-id", "Message %s is not in channel %s.", msg.ID, rec.ParentID)
	}
	rec.Set("channel", jsonapi.IDRef{ID: rec.ParentID})
	rec.Set("message", jsonapi.IDRef{ID: msg.ID})
	rec.Set("organization-id", rec.OrgID)
	if !rec.Bool("allow-multi-message") {
		if _, err := c.Tx.ExecContext(c.Ctx, `DELETE FROM cr_resources WHERE type = 'messaging-bookmarks' AND parent_id = ?`, rec.ParentID); err != nil {
			return err
		}
	}
	return nil
}

// unpostedOnly: posted bulk messages are listed only with include-posted=true.
func unpostedOnly(c *jsonapi.Call, q *jsonapi.ListQuery) error {
	if !c.Query.Bool("include-posted") {
		q.Where("(" + jsonapi.JSONAttr("posted-time") + " IS NULL) = 1") // as indexed (migration 103)
	}
	return nil
}

// createBulkMessage takes its organization from the sender and checks the recipients.
func createBulkMessage(c *jsonapi.Call, rec *jsonapi.Record, in map[string]jsonRaw) error {
	sender, err := c.LoadRef("/data/attributes/sender-individual-id", "individuals", rec.Str("sender-individual-id"))
	if err != nil {
		return err
	}
	rec.OrgID = sender.OrgID
	rec.Set("organization-id", sender.OrgID)
	rec.Set("posted-time", nil)
	for i, id := range rec.Strs("individual-ids") {
		ind, err := individual(c, jsonapi.LowerID(id))
		if err != nil {
			return err
		}
		if ind == nil || ind.OrgID != rec.OrgID {
			return jsonapi.ErrPointer("/data/attributes/individual-ids/"+itoa(i), "Individual %s is not in organization %s.", id, rec.OrgID)
		}
	}
	for i, id := range rec.Strs("individual-group-ids") {
		g, err := c.Load("individual-groups", jsonapi.LowerID(id))
		if err != nil {
			return err
		}
		if g == nil || g.OrgID != rec.OrgID {
			return jsonapi.ErrPointer("/data/attributes/individual-group-ids/"+itoa(i), "Individual group %s does not exist in organization %s.", id, rec.OrgID)
		}
	}
	return nil
}

// postBulkIfReady posts a bulk message that is not a draft.
func postBulkIfReady(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) error {
	if rec.Bool("draft") {
		return nil
	}
	if err := postBulk(c, rec); err != nil {
		return err
	}
	return c.Save(rec)
}

// modifyBulkMessage posts a draft that stops being one.
func modifyBulkMessage(c *jsonapi.Call, old, rec *jsonapi.Record, in map[string]jsonRaw) error {
	if rec.Str("posted-time") != "" {
		if _, ok := in["message"]; ok {
			return jsonapi.ErrPointer("/data/attributes/message", "A posted bulk message cannot be changed.")
		}
	}
	if old.Bool("draft") && !rec.Bool("draft") && rec.Str("posted-time") == "" {
		return postBulk(c, rec)
	}
	return nil
}

// postBulk posts the message, as the sender, to the direct channel with each
// individual (created when auto-create-channel) and to every channel of each group.
func postBulk(c *jsonapi.Call, rec *jsonapi.Record) error {
	sender := rec.Str("sender-individual-id")
	var channels []*jsonapi.Record
	for _, id := range rec.Strs("individual-ids") {
		key := jsonapi.SortedCopy([]string{sender, jsonapi.LowerID(id)})
		found, err := jsonapi.QueryRecords(c.Ctx, c.Tx, `SELECT `+c.Engine.RecordColumns(channelsTable)+` FROM `+channelsTable+` WHERE type = 'messaging-channels'
			AND org_id = ? AND json_extract(attrs, '$."_direct-key"') = ?`, rec.OrgID, key[0]+","+key[1])
		if err != nil {
			return err
		}
		if len(found) > 0 {
			channels = append(channels, found[0])
			continue
		}
		if !rec.Bool("auto-create-channel") {
			continue
		}
		ch := &jsonapi.Record{Type: "messaging-channels", ID: c.Engine.IDs.UUID(), OrgID: rec.OrgID, CreatedAt: c.Now, Attrs: map[string]jsonRaw{}}
		c.Stamp(ch, true)
		ch.Set("org-id", rec.OrgID)
		ch.Set("owner-id", sender)
		ch.Set("subscription-type", "none")
		ch.Set("can-enable-sms", true)
		ch.Set(attrDirectKey, key[0]+","+key[1])
		if err := c.Insert(ch); err != nil {
			return err
		}
		for _, ind := range key {
			if err := jsonapi.AddLink(c.Ctx, c.Tx, relSubscriber, ch.ID, ind, c.Now, subscriberPrefs{}); err != nil {
				return err
			}
		}
		channels = append(channels, ch)
	}
	for _, gid := range rec.Strs("individual-group-ids") {
		found, err := jsonapi.QueryRecords(c.Ctx, c.Tx, `SELECT `+c.Engine.RecordColumns(channelsTable)+` FROM `+channelsTable+` WHERE type = 'messaging-channels'
			AND org_id = ? AND lower(json_extract(attrs, '$."individual-group-id"')) = ?`, rec.OrgID, jsonapi.LowerID(gid))
		if err != nil {
			return err
		}
		channels = append(channels, found...)
	}
	seen := map[string]bool{}
	for _, ch := range channels {
		if seen[ch.ID] {
			continue
		}
		seen[ch.ID] = true
		m := &jsonapi.Record{Type: "messaging-messages", ID: c.Engine.IDs.UUID(), OrgID: ch.OrgID, ParentID: ch.ID, CreatedAt: c.Now,
			Attrs: map[string]jsonRaw{}}
		c.Stamp(m, true)
		m.Set("channel-id", ch.ID)
		m.Set("message", rec.Str("message"))
		m.Set("individual-id", sender)
		if err := createMessage(c, m, nil); err != nil {
			// The sender is not in every group channel: those are skipped.
			continue
		}
		m.Set("source", "bulk-message")
		if err := c.Insert(m); err != nil {
			return err
		}
		if err := posted(c, m); err != nil {
			return err
		}
	}
	rec.Set("posted-time", c.Now)
	return nil
}

// runOperation runs a move-group operation at once: the channel named in
// args moves to the individual group named there.
func runOperation(c *jsonapi.Call, rec *jsonapi.Record, in map[string]jsonRaw) error {
	var args struct {
		ChannelID         string `json:"channel-id"`
		IndividualGroupID string `json:"individual-group-id"`
	}
	rec.Decode("args", &args)
	logs := operationLogs{}
	status := "completed"
	ch, err := c.Load("messaging-channels", jsonapi.LowerID(args.ChannelID))
	if err != nil {
		return err
	}
	g, err := c.Load("individual-groups", jsonapi.LowerID(args.IndividualGroupID))
	if err != nil {
		return err
	}
	switch {
	case ch == nil || ch.OrgID != rec.OrgID:
		status, logs.Error = "failed", "args.channel-id does not name a channel of the organization"
	case g == nil || g.OrgID != rec.OrgID:
		status, logs.Error = "failed", "args.individual-group-id does not name a group of the organization"
	default:
		ch.Set("individual-group-id", g.ID)
		ch.Set("last-modified-time", c.Now)
		if err := c.Save(ch); err != nil {
			return err
		}
		logs.Moved = 1
	}
	rec.Set("status", status)
	rec.Set("logs", logs)
	return nil
}

type operationLogs struct {
	Moved int    `json:"moved"`
	Error string `json:"error,omitempty"`
}

// renderOperation shows args only with include-args=true.
func renderOperation(c *jsonapi.Call, rec *jsonapi.Record) error {
	if !c.Query.Bool("include-args") && c.Op.Method == "GET" {
		rec.Set("args", map[string]string{})
	}
	return nil
}

func enableOnCreate(c *jsonapi.Call, rec *jsonapi.Record, in map[string]jsonRaw) error {
	rec.Set("enabled", true)
	return nil
}

// setEnabled is enable (true) and disable (false).
func setEnabled(enabled bool) jsonapi.ActionFunc {
	return func(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) (any, error) {
		rec.Set("enabled", enabled)
		c.Stamp(rec, false)
		return rec, c.Save(rec)
	}
}

type expandAnswer struct {
	Message string `json:"message"`
}

// expandPlugin expands the plugin's message for a channel: its args.message
// with {channel} and {organization} replaced. A disabled plugin expands to nothing (400).
func expandPlugin(c *jsonapi.Call, rec *jsonapi.Record, body map[string]jsonRaw) (any, error) {
	var in struct {
		ChannelID string `json:"channel-id"`
	}
	_ = decodeBody(body, &in)
	ch, err := c.LoadRef("/channel-id", "messaging-channels", in.ChannelID)
	if err != nil {
		return nil, err
	}
	if ch.OrgID != rec.OrgID {
		return nil, jsonapi.ErrPointer("/channel-id", "Channel %s is not in the plugin's organization.", ch.ID)
	}
	if !rec.Bool("enabled") {
		return nil, jsonapi.ErrPointer("", "Plugin %s is disabled.", rec.ID)
	}
	var args struct {
		Message string `json:"message"`
	}
	rec.Decode("args", &args)
	msg := args.Message
	if msg == "" {
		msg = rec.Str("name")
	}
	return expandAnswer{Message: msg}, nil
}

// calendarArgsShape is a responder's calendar-args as documented: rules of
// a day and a window of times written as the samples write them
// ("14:15:22Z"), and an IANA time zone. Stored and answered, never acted on,
// so any window is accepted: the sample's start equals its end, an after-hours
// end comes before its start. Rules may be empty, the time zone absent
// (docs/courier.md).
func calendarArgsShape() *jsonapi.Shape {
	days := []string{"everyday", "weekdays", "weekends", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
	return &jsonapi.Shape{Kind: "object", Members: []jsonapi.Shape{
		{Name: "rules", Required: true, Kind: "array", Items: &jsonapi.Shape{Kind: "object", Members: []jsonapi.Shape{
			{Name: "day", Required: true, Kind: "string", Enum: days},
			{Name: "end-time", Required: true, Kind: "string", Format: "time"},
			{Name: "start-time", Required: true, Kind: "string", Format: "time"},
		}}},
		{Name: "timezone", Kind: "string", Format: "timezone"},
	}}
}

// createResponder starts enabled, with its times in the API's format.
func createResponder(c *jsonapi.Call, rec *jsonapi.Record, in map[string]jsonRaw) error {
	rec.Set("enabled", true)
	return normalizeTimes(rec, "start-at", "end-at")
}

func modifyResponder(c *jsonapi.Call, old, rec *jsonapi.Record, in map[string]jsonRaw) error {
	return normalizeTimes(rec, "start-at", "end-at")
}

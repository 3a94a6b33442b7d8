package courier

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
)

// The user family: consents, devices (and the pushes they
// received), e-mails with their attachments, and multicasts to users.
//
// A multicast (user-multicasts create, users/{id}/multicast) is recorded as
// one user-multicast per individual reached, and pushed to the devices of
// the individuals' users that allow notifications (their get-logs shows it).
// An e-mail is a draft until sent (auto-send, or the send action); a draft
// takes attachments, which must be uploaded (process-upload) before it is sent.

// userResources is the table of consents, devices, e-mails and their
// attachments, multicasts, and the users' multicast actions.
func userResources() []*jsonapi.Resource {
	return []*jsonapi.Resource{
		{
			Type: "user-consents", Path: "/v1/user-consents/",
			List: "user-consents.list", Create: "user-consents.create", Get: "user-consents.get",
			OrgAttr:  "organization-id",
			Required: []string{"organization-id", "user-id"},
			Shapes: map[string]*jsonapi.Shape{"args": {Kind: "object", Members: []jsonapi.Shape{
				{Name: "messages", Kind: "object", Members: []jsonapi.Shape{
					{Name: "accept", Kind: "string"},
					{Name: "initial", Kind: "string"},
					{Name: "invalid-response", Kind: "string"},
				}},
			}}},
			Params:       map[string]jsonapi.ParamHook{"filter[organization-id]": orgFilter("organization-id")},
			BeforeCreate: userConsentCreate,
		},
		{
			Type: "user-devices", Path: "/v1/user-devices/",
			List: "user-devices.list", Create: "user-devices.create",
			Text:         []string{"model", "app-name"},
			Required:     []string{"token", "type"},
			Scope:        userDeviceScope,
			Visible:      userDeviceVisible,
			BeforeCreate: userDeviceCreate,
			Actions:      []jsonapi.Action{{Op: "user-devices.get-logs", OnItem: true, Handler: userDeviceLogs}},
		},
		{
			Type: "user-emails", Path: "/v1/user-emails/",
			List: "user-emails.list", Create: "user-emails.create", Get: "user-emails.get",
			Parent:       &jsonapi.Parent{Attr: "individual-id", Type: "individuals"},
			Text:         []string{"subject", "message"},
			Required:     []string{"individual-id", "subject"},
			BeforeCreate: userEmailCreate,
			Actions:      []jsonapi.Action{{Op: "user-emails.send", OnItem: true, Handler: userEmailSend}},
		},
		{
			Type: "user-email-attachments", Path: "/v1/user-email-attachments/",
			List: "user-email-attachments.list", Create: "user-email-attachments.create", Get: "user-email-attachments.get",
			Parent:       &jsonapi.Parent{Attr: "email-id", Type: "user-emails"},
			Text:         []string{"filename"},
			Required:     []string{"email-id", "filename", "content-type"},
			BeforeCreate: userAttachmentCreate,
			CreateAnswer: userAttachmentTicket,
			Render:       userAttachmentRender,
			Actions: []jsonapi.Action{
				{Op: "user-email-attachments.process-upload", OnItem: true, Handler: userAttachmentUploaded},
			},
		},
		{
			// The create takes a plain body and answers a task: an action.
			Type: "user-multicasts", Path: "/v1/user-multicasts/",
			List:    "user-multicasts.list",
			Parent:  &jsonapi.Parent{Attr: "individual-id", Type: "individuals"},
			Actions: []jsonapi.Action{{Op: "user-multicasts.create", Handler: userMulticastCreate}},
		},
		{
			// users' list, get and modify are the organizations and people family's
			// (the first users entry).
			Type: "users", Path: "/v1/users/",
			Actions: []jsonapi.Action{
				{Op: "users.multicast", OnItem: true, Handler: userMulticast},
				{Op: "users.validate-multicast-params", OnItem: true, Handler: userValidateMulticast},
			},
		},
	}
}

// memberOf is the user rec's user-id names, who must be a member of rec's
// organization: a 400 on user-id otherwise.
func memberOf(c *jsonapi.Call, rec *jsonapi.Record) (*jsonapi.Record, error) {
	user, err := c.LoadRef("/data/attributes/user-id", "users", rec.Str("user-id"))
	if err != nil {
		return nil, err
	}
	orgs, err := jsonapi.LinkedTo(c.Ctx, c.Tx, relMember, user.ID)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(orgs, rec.OrgID) {
		return nil, jsonapi.ErrPointer("/data/attributes/user-id", "User %s is not a member of organization %s.", user.ID, rec.OrgID)
	}
	return user, nil
}

// userConsentCreate asks a user of the organization for a consent: pending
// until answered; its target is the user's phone (sms) or e-mail address.
func userConsentCreate(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) error {
	user, err := memberOf(c, rec)
	if err != nil {
		return err
	}
	if rec.Str("type") == "" {
		rec.Set("type", "sms")
	}
	rec.Set("state", "pending")
	if rec.Str("type") == "sms" {
		rec.Attrs["target-id"] = orNull(user.Attrs["phone"])
	} else {
		rec.Attrs["target-id"] = orNull(user.Attrs["email"])
	}
	if raw := rec.Attrs["args"]; len(raw) == 0 || string(raw) == "null" {
		rec.Set("args", struct{}{})
	}
	return nil
}

// Devices belong to the user who registered them; all-users=true lists every
// device of the caller's organizations.
func userDeviceScope(c *jsonapi.Call) (string, []any) {
	if c.Query.Bool("all-users") && len(c.Caller.Orgs) > 0 {
		jsonapi.ReachFrom(c.Ctx).Add(c.Caller.Orgs...) // the total counts them all
		args := jsonapi.AppendArgs(nil, c.Caller.Orgs...)
		return "org_id IN (" + jsonapi.Placeholders(len(args)) + ")", args
	}
	return jsonapi.JSONAttr("_user-id") + " = ?", []any{c.Caller.UserID}
}

func userDeviceVisible(c *jsonapi.Call, rec *jsonapi.Record) bool {
	return rec.Str("_user-id") == c.Caller.UserID || c.Caller.Member(rec.OrgID)
}

// userDeviceCreate registers the caller's device; registering a token again
// replaces the earlier registration.
func userDeviceCreate(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) error {
	rec.Set("_user-id", c.Caller.UserID)
	if id := rec.Str("individual-id"); id != "" {
		ind, err := c.LoadRef("/data/attributes/individual-id", "individuals", id)
		if err != nil {
			return err
		}
		rec.OrgID = ind.OrgID
	} else if len(c.Caller.Orgs) > 0 {
		rec.OrgID = c.Caller.Orgs[0]
	}
	if strings.TrimSpace(rec.Str("token")) == "" {
		return jsonapi.ErrPointer("/data/attributes/token", "This field may not be blank.")
	}
	for _, b := range []string{"allow-notification", "sandbox"} {
		if raw, ok := rec.Attrs[b]; !ok || string(raw) == "null" {
			rec.Set(b, b == "allow-notification")
		}
	}
	// Only registrations the caller may see move; another organization's
	// device with the same token stays (and out of sight).
	olds, err := jsonapi.QueryRecords(c.Ctx, c.Tx, `SELECT `+jsonapi.RecordColumns+` FROM cr_resources WHERE type = 'user-devices'
		AND json_extract(attrs, '$."token"') = ?`, rec.Str("token"))
	if err != nil {
		return err
	}
	for _, old := range olds {
		if userDeviceVisible(c, old) {
			if err := c.Engine.DeleteRecord(c.Ctx, c.Tx, old.Type, old.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// userDeviceLogs lists the pushes a device received from the caller's
// organizations: a push belongs to the organization that sent it, which may
// not be the device's (a user of two organizations has one phone).
func userDeviceLogs(c *jsonapi.Call, dev *jsonapi.Record, _ map[string]jsonRaw) (any, error) {
	limit, offset := c.PageBounds()
	page, total := userDeviceLogsSQL(dev.ID, c.Caller.Orgs, limit, offset)
	return c.PageOf(page, total, limit, offset)
}

// userDeviceLogsSQL is one page of a device's pushes from some organizations,
// read through the parent index, and their total, from cr_counts.
func userDeviceLogsSQL(device string, orgs []string, limit, offset int64) (page, total jsonapi.Statement) {
	args := jsonapi.AppendArgs([]any{device}, orgs...)
	in := jsonapi.Placeholders(len(orgs))
	return jsonapi.Statement{SQL: `SELECT ` + jsonapi.RecordColumns + ` FROM cr_resources INDEXED BY cr_resources_parent
			WHERE type = 'user-device-logs' AND parent_id = ? AND org_id IN (` + in + `) ORDER BY created_at, id LIMIT ? OFFSET ?`,
			Args: append(append([]any(nil), args...), limit, offset)},
		jsonapi.Statement{SQL: `SELECT COALESCE(SUM(n), 0) FROM cr_counts WHERE type = 'user-device-logs' AND parent_id = ?
			AND org_id IN (` + in + `)`, Args: args}
}

// userPush records a push of organization org to every notifying device of
// the individual's user; the push is the organization's, whatever device.
func userPush(c *jsonapi.Call, org, individualID, title, body string, data jsonRaw) error {
	user, err := userOf(c, individualID)
	if err != nil || user == nil {
		return err
	}
	devs, err := jsonapi.QueryRecords(c.Ctx, c.Tx, `SELECT `+jsonapi.RecordColumns+` FROM cr_resources WHERE type = 'user-devices'
		AND json_extract(attrs, '$."_user-id"') = ? ORDER BY created_at, id`, user.ID)
	if err != nil {
		return err
	}
	for _, d := range devs {
		if !d.Bool("allow-notification") {
			continue
		}
		l := newRecord(c, "user-device-logs", org, d.ID)
		l.Set("badge-count", 0)
		l.Set("body", body)
		l.Set("category", "multicast")
		l.Attrs["data"] = orEmpty(data)
		l.Set("title", title)
		if err := c.Insert(l); err != nil {
			return err
		}
	}
	return nil
}

// userEmailCreate addresses an e-mail to an individual (by default to their
// user's address) and sends it at once with auto-send.
func userEmailCreate(c *jsonapi.Call, rec *jsonapi.Record, in map[string]jsonRaw) error {
	if org := rec.Str("sender-organization-id"); org != "" && !c.Caller.Member(org) {
		return &jsonapi.Error{Status: http.StatusForbidden, Code: jsonapi.CodePermission, Pointer: "/data/attributes/sender-organization-id",
			Detail: "You do not have permission to perform this action in organization " + org + "."}
	}
	var to []string
	if raw, ok := in["to"]; ok && string(raw) != "null" {
		var one string
		if json.Unmarshal(raw, &one) == nil {
			to = []string{one}
		} else if json.Unmarshal(raw, &to) != nil {
			return jsonapi.ErrPointer("/data/attributes/to", "Must be an e-mail address or a list of them.")
		}
		for i, a := range to {
			if p, err := mail.ParseAddress(a); err != nil || p.Address != a {
				ptr := "/data/attributes/to"
				if len(to) > 1 || raw[0] == '[' {
					ptr += "/" + strconv.Itoa(i)
				}
				return jsonapi.ErrPointer(ptr, "Must be a valid e-mail address.")
			}
		}
	}
	user, err := userOf(c, rec.ParentID)
	if err != nil {
		return err
	}
	rec.Set("user-id", nil)
	if user != nil {
		rec.Set("user-id", user.ID)
		if len(to) == 0 && user.Str("email") != "" {
			to = []string{user.Str("email")}
		}
	}
	if len(to) == 0 {
		return jsonapi.ErrPointer("/data/attributes/to", "Individual %s has no e-mail address: give one.", rec.ParentID)
	}
	rec.Set("to", to)
	if rec.Str("message") == "" && rec.Str("message-html") == "" {
		return jsonapi.ErrPointer("/data/attributes/message", "An e-mail needs a message or a message-html.")
	}
	rec.Set("status", "draft")
	rec.Set("task-id", nil)
	rec.Set("result", nil)
	if rec.Bool("auto-send") {
		userEmailSent(c, rec)
	}
	return nil
}

func userEmailSent(c *jsonapi.Call, rec *jsonapi.Record) {
	rec.Set("status", "sent")
	rec.Set("task-id", c.Engine.IDs.UUID())
	rec.Set("result", "Sent to "+strings.Join(rec.Strs("to"), ", ")+".")
	rec.Set("last-modified-at", c.Now)
}

// userEmailSend sends a draft whose attachments are all uploaded.
func userEmailSend(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) (any, error) {
	if rec.Str("status") != "draft" {
		return nil, refuse("E-mail %s was already sent.", rec.ID)
	}
	atts, err := childrenOf(c, "user-email-attachments", rec.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range atts {
		if !a.Bool("ready-to-use") {
			return nil, refuse("Attachment %s of e-mail %s is not uploaded yet (process-upload).", a.ID, rec.ID)
		}
	}
	userEmailSent(c, rec)
	return rec, c.Save(rec)
}

// userAttachmentCreate adds a pending attachment to a draft.
func userAttachmentCreate(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) error {
	email, err := c.Engine.LoadRecord(c.Ctx, c.Tx, "user-emails", rec.ParentID)
	if err != nil {
		return err
	}
	if email != nil && email.Str("status") != "draft" {
		return jsonapi.ErrPointer("/data/attributes/email-id", "E-mail %s was already sent.", email.ID)
	}
	if strings.TrimSpace(rec.Str("filename")) == "" {
		return jsonapi.ErrPointer("/data/attributes/filename", "This field may not be blank.")
	}
	rec.Set("ready-to-use", false)
	rec.Set("size", 0)
	rec.Set("download-link", nil)
	return nil
}

// userUploadTicket is the unwrapped ticket user-email-attachments answer.
type userUploadTicket struct {
	ExpirationTime int64            `json:"expiration-time"`
	ID             string           `json:"id"`
	UploadData     userUploadFields `json:"upload-data"`
	UploadURL      string           `json:"upload-url"`
}

type userUploadFields struct {
	Key         string `json:"key"`
	ContentType string `json:"Content-Type"`
}

func userAttachmentTicket(c *jsonapi.Call, rec *jsonapi.Record) (any, error) {
	now, _ := time.Parse(jsonapi.TimeLayout, c.Now)
	return userUploadTicket{ExpirationTime: now.Add(time.Hour).Unix(), ID: rec.ID,
		UploadData: userUploadFields{Key: rec.Type + "/" + rec.ID, ContentType: rec.Str("content-type")},
		UploadURL:  "https://uploads.courier.invalid/" + rec.Type + "/" + rec.ID}, nil
}

// userAttachmentRender shows the download link only when asked (with-link)
// and once the content is uploaded.
func userAttachmentRender(c *jsonapi.Call, rec *jsonapi.Record) error {
	rec.Set("download-link", nil)
	if rec.Bool("ready-to-use") && c.Query.Documents("with-link") && c.Query.Bool("with-link") {
		rec.Set("download-link", "https://downloads.courier.invalid/"+rec.Type+"/"+rec.ID)
	}
	return nil
}

// userAttachmentUploaded completes an upload.
func userAttachmentUploaded(c *jsonapi.Call, rec *jsonapi.Record, _ map[string]jsonRaw) (any, error) {
	if !rec.Bool("ready-to-use") {
		rec.Set("ready-to-use", true)
		rec.Set("size", 2048)
		if err := c.Save(rec); err != nil {
			return nil, err
		}
	}
	return rec, nil
}

// userMulticastCreate multicasts a template to individuals and to the
// individuals of groups, all of one organization.
func userMulticastCreate(c *jsonapi.Call, _ *jsonapi.Record, body map[string]jsonRaw) (any, error) {
	var in struct {
		TemplateData       jsonRaw  `json:"template-data"`
		TemplateID         string   `json:"template-id"`
		IndividualGroupIDs []string `json:"individual-group-ids"`
		IndividualIDs      []string `json:"individual-ids"`
		OrganizationID     string   `json:"organization-id"`
	}
	if err := decodeBody(body, &in); err != nil {
		return nil, jsonapi.ErrPointer("", "Malformed body.")
	}
	if strings.TrimSpace(in.TemplateID) == "" {
		return nil, jsonapi.ErrPointer("/template-id", "This field may not be blank.")
	}
	org := jsonapi.LowerID(in.OrganizationID)
	if org != "" && !c.Caller.Member(org) {
		return nil, &jsonapi.Error{Status: http.StatusForbidden, Code: jsonapi.CodePermission, Pointer: "/organization-id",
			Detail: "You do not have permission to perform this action in organization " + org + "."}
	}
	var targets []string
	seen := map[string]bool{}
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			targets = append(targets, id)
		}
	}
	for i, id := range in.IndividualIDs {
		ind, err := orgIndividual(c, "/individual-ids/"+strconv.Itoa(i), id, org)
		if err != nil {
			return nil, err
		}
		if org == "" {
			org = ind.OrgID
		} else if ind.OrgID != org {
			return nil, jsonapi.ErrPointer("/individual-ids/"+strconv.Itoa(i), "Individual %s is not in organization %s.", ind.ID, org)
		}
		add(ind.ID)
	}
	for i, id := range in.IndividualGroupIDs {
		ptr := "/individual-group-ids/" + strconv.Itoa(i)
		g, err := c.LoadRef(ptr, "individual-groups", id)
		if err != nil {
			return nil, err
		}
		if org == "" {
			org = g.OrgID
		} else if g.OrgID != org {
			return nil, jsonapi.ErrPointer(ptr, "Group %s is not in organization %s.", g.ID, org)
		}
		var members []jsonapi.IDRef
		g.Decode("individuals", &members)
		for _, m := range members {
			add(jsonapi.LowerID(m.ID))
		}
	}
	if len(targets) == 0 {
		return nil, jsonapi.ErrPointer("/individual-ids", "Name at least one individual (individual-ids or individual-group-ids).")
	}
	task := c.Engine.IDs.UUID()
	for _, id := range targets {
		if err := userMulticastTo(c, org, id, in.TemplateID, in.TemplateData, task); err != nil {
			return nil, err
		}
	}
	return taskAnswer{MessageData: orEmpty(in.TemplateData), TaskID: task}, nil
}

// userMulticastTo records one individual's multicast and pushes it.
func userMulticastTo(c *jsonapi.Call, org, individualID, templateID string, data jsonRaw, task string) error {
	m := newRecord(c, "user-multicasts", org, individualID)
	m.Set("individual-id", individualID)
	m.Set("organization-id", org)
	m.Attrs["template-data"] = orEmpty(data)
	m.Set("template-id", templateID)
	m.Set("_task-id", task)
	if err := c.Insert(m); err != nil {
		return err
	}
	return userPush(c, org, individualID, templateID, "Message from template "+templateID+".", data)
}

// userMulticastBody is the body of the users/{id}/ multicast actions.
type userMulticastBody struct {
	Data           jsonRaw `json:"data"`
	IndividualID   string  `json:"individual-id"`
	OrganizationID string  `json:"organization-id"`
	TemplateID     string  `json:"template-id"`
}

// userTarget resolves the individual and organization a users/{id}/ action
// addresses: by default the user's primary individual and its organization.
func userTarget(c *jsonapi.Call, user *jsonapi.Record, in userMulticastBody) (ind *jsonapi.Record, org string, err error) {
	org = jsonapi.LowerID(in.OrganizationID)
	if org != "" && !c.Caller.Member(org) {
		return nil, "", &jsonapi.Error{Status: http.StatusForbidden, Code: jsonapi.CodePermission, Pointer: "/organization-id",
			Detail: "You do not have permission to perform this action in organization " + org + "."}
	}
	id := in.IndividualID
	if id == "" {
		id = user.Str("primary-individual-id")
	}
	if id == "" {
		return nil, "", jsonapi.ErrPointer("/individual-id", "User %s has no individual: name one.", user.ID)
	}
	ind, err = c.LoadRef("/individual-id", "individuals", id)
	if err != nil {
		return nil, "", err
	}
	if org == "" {
		org = ind.OrgID
	}
	return ind, org, nil
}

// userMulticast sends a template to one user.
func userMulticast(c *jsonapi.Call, user *jsonapi.Record, body map[string]jsonRaw) (any, error) {
	var in userMulticastBody
	if err := decodeBody(body, &in); err != nil {
		return nil, jsonapi.ErrPointer("", "Malformed body.")
	}
	if strings.TrimSpace(in.TemplateID) == "" {
		return nil, jsonapi.ErrPointer("/template-id", "This field may not be blank.")
	}
	ind, org, err := userTarget(c, user, in)
	if err != nil {
		return nil, err
	}
	if ind.OrgID != org {
		return nil, jsonapi.ErrPointer("/individual-id", "Individual %s is not in organization %s.", ind.ID, org)
	}
	task := c.Engine.IDs.UUID()
	if err := userMulticastTo(c, org, ind.ID, in.TemplateID, in.Data, task); err != nil {
		return nil, err
	}
	return taskAnswer{MessageData: orEmpty(in.Data), TaskID: task}, nil
}

// userValidation is what validate-multicast-params answers.
type userValidation struct {
	Info    string `json:"info"`
	Success bool   `json:"success"`
}

// userValidateMulticast checks a multicast without sending it: the answer
// says whether it would reach the individual.
func userValidateMulticast(c *jsonapi.Call, user *jsonapi.Record, body map[string]jsonRaw) (any, error) {
	var in userMulticastBody
	if err := decodeBody(body, &in); err != nil {
		return nil, jsonapi.ErrPointer("", "Malformed body.")
	}
	ind, org, err := userTarget(c, user, in)
	if err != nil {
		var e *jsonapi.Error
		if errors.As(err, &e) && e.Status == http.StatusBadRequest {
			return userValidation{Info: e.Detail, Success: false}, nil
		}
		return nil, err
	}
	switch {
	case strings.TrimSpace(in.TemplateID) == "":
		return userValidation{Info: "template-id may not be blank.", Success: false}, nil
	case ind.OrgID != org:
		return userValidation{Info: "Individual " + ind.ID + " is not in organization " + org + ".", Success: false}, nil
	}
	return userValidation{Info: "Template " + in.TemplateID + " can be sent to individual " + ind.ID + ".", Success: true}, nil
}

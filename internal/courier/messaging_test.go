package courier_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
)

func TestAckMarksEarlierMessagesRead(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	msgs := "/v1/messaging-messages/?channel-id=" + chanGroup1 + "&individual-id=" + indAlice
	assert.Equal(t, map[string]any{msg1: true, "60000000-0000-4000-8000-000000000002": true, msg3: false}, acks(list(t, env, adminToken, msgs)))
	assert.Equal(t, []string{msg3}, ids(list(t, env, adminToken, msgs+"&acknowledged=false")))
	ch := get(t, env, adminToken, "/v1/messaging-channels/"+chanGroup1+"/?individual-id="+indAlice)
	assert.EqualValues(t, 1, ch.Attributes["caller-new-message-count"])
	assert.Equal(t, true, ch.Attributes["caller-has-new-message"])

	r := mustCall(t, env, 201, "POST", "/v1/messaging-messages/"+msg3+"/ack/", `{"individual-id": "`+indAlice+`"}`)
	assert.Equal(t, msg3, one(t, r).ID)
	assert.Equal(t, map[string]any{msg1: true, "60000000-0000-4000-8000-000000000002": true, msg3: true}, acks(list(t, env, adminToken, msgs)))
	assert.Empty(t, list(t, env, adminToken, msgs+"&acknowledged=false"))
	assert.Equal(t, true, get(t, env, adminToken, "/v1/messaging-messages/"+msg3+"/?individual-id="+indAlice).Attributes["ack"])
	ch = get(t, env, adminToken, "/v1/messaging-channels/"+chanGroup1+"/?individual-id="+indAlice)
	assert.EqualValues(t, 0, ch.Attributes["caller-new-message-count"])
	assert.Equal(t, false, ch.Attributes["caller-has-new-message"])

	// Acknowledging an earlier message does not unread later ones...
	mustCall(t, env, 201, "POST", "/v1/messaging-messages/"+msg1+"/ack/", `{"individual-id": "`+indAlice+`"}`)
	assert.Equal(t, true, get(t, env, adminToken, "/v1/messaging-messages/"+msg3+"/?individual-id="+indAlice).Attributes["ack"])
	// ...unless allow-past says so.
	mustCall(t, env, 201, "POST", "/v1/messaging-messages/"+msg1+"/ack/", `{"individual-id": "`+indAlice+`", "allow-past": true}`)
	assert.Equal(t, false, get(t, env, adminToken, "/v1/messaging-messages/"+msg3+"/?individual-id="+indAlice).Attributes["ack"])

	// The receipts agree; the documented shape.
	r = mustCall(t, env, 200, "GET", "/v1/messaging-messages/"+msg1+"/receipts/", "")
	assert.JSONEq(t, `{"read": [
		{"ack-time": "2026-01-15T12:00:00.000000+00:00", "ack-user-time": "2026-01-15T12:00:00.000000+00:00", "individual-first-name": "Alice", "individual-id": "`+indAlice+`", "individual-last-name": "Admin"}],
		"unread": [{"ack-time": null, "ack-user-time": null, "individual-first-name": "Olivia", "individual-id": "`+indOlivia+`", "individual-last-name": "Nguyen"}]}`, r.Body)
	// Not a participant.
	r = call(t, env, adminToken, "POST", "/v1/messaging-messages/"+msg1+"/ack/", `{"individual-id": "`+indQuinn+`"}`)
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Equal(t, "/individual-id", decode(t, r).Errors[0].Source["pointer"])
	// read-receipts on request.
	ms := list(t, env, adminToken, "/v1/messaging-messages/?channel-id="+chanGroup1+"&include-read-receipts=true")
	assert.Len(t, ms[0].Attributes["read-receipts"], 1)
	assert.Empty(t, list(t, env, adminToken, "/v1/messaging-messages/?channel-id="+chanGroup1)[0].Attributes["read-receipts"])
}

func TestArchive(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	r := mustCall(t, env, 201, "POST", "/v1/messaging-channels/"+chanDirect+"/archive/", `{}`)
	assert.Equal(t, true, one(t, r).Attributes["archived"])
	assert.Equal(t, true, get(t, env, adminToken, "/v1/messaging-channels/"+chanDirect+"/").Attributes["archived"])
	assert.Equal(t, []string{chanDirect}, ids(list(t, env, adminToken, "/v1/messaging-channels/?filter[archived]=true")))
	assert.Equal(t, []string{chanGroup1, chanGroup2}, ids(list(t, env, adminToken, "/v1/messaging-channels/?filter[archived]=false")))
	assert.Equal(t, []string{chanDirect}, ids(list(t, env, adminToken, "/v1/communication-messages/?filter[archived]=true")))
	// An archived channel takes no attachments... and unarchives.
	mustCall(t, env, 201, "POST", "/v1/messaging-channels/"+chanDirect+"/unarchive/", "")
	assert.Empty(t, list(t, env, adminToken, "/v1/messaging-channels/?filter[archived]=true"))
}

func TestReactions(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	add := `{"individual-id": "` + indAlice + `", "reaction-type": "love"}`
	for range 2 { // one reaction per individual and type
		mustCall(t, env, 201, "POST", "/v1/messaging-messages/"+msg3+"/reactions/", add)
	}
	mustCall(t, env, 201, "POST", "/v1/messaging-messages/"+msg3+"/reaction/", `{"individual-id": "`+indOlivia+`", "reaction-type": "wow"}`)
	m := get(t, env, adminToken, "/v1/messaging-messages/"+msg3+"/")
	assert.Equal(t, []any{
		map[string]any{"first-name": "Alice", "individual-id": indAlice, "last-name": "Admin", "reaction-type": "love", "user-name": "alice.admin"},
		map[string]any{"first-name": "Olivia", "individual-id": indOlivia, "last-name": "Nguyen", "reaction-type": "wow", "user-name": "olivia.nguyen"},
	}, m.Attributes["reactions"])
	// A DELETE action answers what the catalog documents: 201 and the message.
	r := mustCall(t, env, 201, "DELETE", "/v1/messaging-messages/"+msg3+"/reactions/", add)
	assert.Equal(t, []any{
		map[string]any{"first-name": "Olivia", "individual-id": indOlivia, "last-name": "Nguyen", "reaction-type": "wow", "user-name": "olivia.nguyen"},
	}, one(t, r).Attributes["reactions"])
	mustCall(t, env, 201, "POST", "/v1/messaging-messages/"+msg3+"/reactions/delete/", `{"individual-id": "`+indOlivia+`", "reaction-type": "wow"}`)
	assert.Empty(t, get(t, env, adminToken, "/v1/messaging-messages/"+msg3+"/").Attributes["reactions"])
}

func TestSubscribers(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	r := mustCall(t, env, 201, "POST", "/v1/messaging-channels/"+chanGroup1+"/subscribers/", `{"individual-ids": ["`+indQuinn+`"]}`)
	assert.Equal(t, []string{indPat, indQuinn}, subscriberIDs(one(t, r)))
	assert.Equal(t, []string{chanGroup1}, ids(list(t, env, adminToken, "/v1/messaging-channels/?individual-id="+indQuinn)))
	// Quinn may now post there.
	mustCall(t, env, 201, "POST", "/v1/messaging-messages/", resourceDoc("messaging-messages", "", `{"channel-id": "`+chanGroup1+`", "individual-id": "`+indQuinn+`", "message": "hi"}`))
	// An individual of another organization: 400, nothing changes.
	r = call(t, env, adminToken, "POST", "/v1/messaging-channels/"+chanGroup1+"/subscribe/", `{"individual-ids": ["`+indQuinn+`", "`+indRalph+`"]}`)
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Equal(t, "/individual-ids/1", decode(t, r).Errors[0].Source["pointer"])
	assert.Equal(t, []string{indPat, indQuinn}, subscriberIDs(get(t, env, adminToken, "/v1/messaging-channels/"+chanGroup1+"/")))
	// Removal on the chosen path and the alternatives.
	mustCall(t, env, 201, "POST", "/v1/messaging-channels/"+chanGroup1+"/unsubscribe/", `{"individual-ids": ["`+indQuinn+`"]}`)
	assert.Equal(t, []string{indPat}, subscriberIDs(get(t, env, adminToken, "/v1/messaging-channels/"+chanGroup1+"/")))
	r = mustCall(t, env, 201, "DELETE", "/v1/messaging-channels/"+chanDirect+"/subscribers/", `{"individual-ids": ["`+indPat+`"]}`)
	assert.Equal(t, []string{indAlice}, subscriberIDs(one(t, r)))
	mustCall(t, env, 201, "POST", "/v1/messaging-channels/"+chanDirect+"/unsubscribers/", `{"individual-ids": ["`+indAlice+`"]}`)
	assert.Empty(t, subscriberIDs(get(t, env, adminToken, "/v1/messaging-channels/"+chanDirect+"/")))
	// Preferences and SMS.
	mustCall(t, env, 201, "POST", "/v1/messaging-channels/"+chanGroup1+"/preferences/", `{"individual-id": "`+indPat+`", "values": [{"name": "pinned", "value": "true"}, {"name": "notify", "value": "mentions"}]}`)
	sub := get(t, env, adminToken, "/v1/messaging-channels/"+chanGroup1+"/").Attributes["subscribers"].([]any)[0].(map[string]any)
	assert.Equal(t, true, sub["pinned"])
	assert.Equal(t, map[string]any{"pinned": "true", "notify": "mentions"}, sub["communication-preferences"])
	r = mustCall(t, env, 201, "POST", "/v1/messaging-channels/"+chanGroup1+"/sms/", `{"active": true}`)
	assert.Equal(t, true, one(t, r).Attributes["with-sms"])
}

func TestPostingAndSummaries(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	// Video channels are the video family's fixtures: the summary must count them the same
	// before and after; the rest is pinned.
	videos := -1.0
	summary := func() string {
		body := mustCall(t, env, 200, "GET", "/v1/communication-summaries/?individual-id="+indPat+"&include-senders=true", "").Body
		var s map[string]map[string]any
		require.NoError(t, jsonUnmarshal(body, &s))
		if videos < 0 {
			videos = s["summary"]["video-channels"].(float64)
		}
		assert.Equal(t, videos, s["summary"]["video-channels"])
		s["summary"]["video-channels"] = 0
		out, err := json.Marshal(s)
		require.NoError(t, err)
		return string(out)
	}
	assert.JSONEq(t, `{"summary": {"message-senders": [{"count": 2, "individual-id": "`+indAlice+`"}, {"count": 3, "individual-id": "`+indPat+`"}],
		"message-types": [{"count": 3, "message-type": "group-messages"}, {"count": 2, "message-type": "direct-messages"}],
		"messages": 5, "notifications": 0, "provider-messages": 2, "video-channels": 0}}`, summary())

	// Not a participant: 403.
	r := call(t, env, adminToken, "POST", "/v1/messaging-messages/", resourceDoc("messaging-messages", "", `{"channel-id": "`+chanDirect+`", "individual-id": "`+indQuinn+`", "message": "x"}`))
	require.Equal(t, http.StatusForbidden, r.Status, r.Body)
	assert.Equal(t, "PermissionDenied", decode(t, r).Errors[0].Code)

	env.Deps.Clock.Advance(time.Hour)
	r = mustCall(t, env, 201, "POST", "/v1/messaging-messages/", resourceDoc("messaging-messages", "", `{"channel-id": "`+chanDirect+`", "individual-id": "`+indPat+`", "message": "One more question"}`))
	m := one(t, r)
	assert.Equal(t, "2026-01-15T13:00:00.000000+00:00", m.Attributes["posted-time"])
	assert.Equal(t, "Pat", m.Attributes["first-name"])
	assert.Equal(t, adminUser, m.Attributes["user-id"])
	ch := get(t, env, adminToken, "/v1/messaging-channels/"+chanDirect+"/")
	assert.Equal(t, m.ID, ch.Attributes["last-message"].(map[string]any)["id"])
	assert.Equal(t, "2026-01-15T13:00:00.000000+00:00", ch.Attributes["last-modified-time"])
	assert.EqualValues(t, 2, ch.Attributes["caller-new-message-count"], "Alice has read neither Pat's earlier message nor this one")
	assert.Equal(t, []string{chanDirect}, ids(list(t, env, adminToken, "/v1/messaging-channels/?filter[cmp-last-modified-time]=%3E2026-01-15T00:00:00Z")))
	assert.JSONEq(t, `{"summary": {"message-senders": [{"count": 2, "individual-id": "`+indAlice+`"}, {"count": 4, "individual-id": "`+indPat+`"}],
		"message-types": [{"count": 3, "message-type": "group-messages"}, {"count": 3, "message-type": "direct-messages"}],
		"messages": 6, "notifications": 0, "provider-messages": 2, "video-channels": 0}}`, summary())

	// A draft is not posted until it stops being one.
	r = mustCall(t, env, 201, "POST", "/v1/messaging-messages/", resourceDoc("messaging-messages", "", `{"channel-id": "`+chanDirect+`", "message": "draft", "draft": true}`))
	d := one(t, r)
	assert.Nil(t, d.Attributes["posted-time"])
	assert.Equal(t, indAlice, d.Attributes["individual-id"], "the caller's individual by default")
	env.Deps.Clock.Advance(time.Minute)
	r = mustCall(t, env, 200, "PATCH", "/v1/messaging-messages/"+d.ID+"/", resourceDoc("messaging-messages", d.ID, `{"draft": false}`))
	assert.Equal(t, "2026-01-15T13:01:00.000000+00:00", one(t, r).Attributes["posted-time"])
	assert.Contains(t, summary(), `"messages":7`)
}

func TestDuplicateDirectChannel(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	r := call(t, env, adminToken, "POST", "/v1/messaging-channels/", resourceDoc("messaging-channels", "", `{"individual-ids": ["`+indPat+`", "`+indAlice+`"], "name": "again", "organization-id": "`+org1+`"}`))
	require.Equal(t, http.StatusConflict, r.Status, r.Body)
	e := decode(t, r).Errors[0]
	assert.Equal(t, "DuplicateChannel", e.Code)
	assert.Equal(t, chanDirect, e.Meta["id"])

	r = mustCall(t, env, 201, "POST", "/v1/messaging-channels/", resourceDoc("messaging-channels", "", `{"individual-ids": ["`+indQuinn+`", "`+indOlivia+`"], "organization-id": "`+org1+`"}`))
	created := one(t, r)
	assert.Equal(t, []string{indOlivia, indQuinn}, subscriberIDs(created))
	assert.Equal(t, org1, created.Attributes["org-id"])
	assert.Equal(t, "none", created.Attributes["subscription-type"])
	r = call(t, env, org1Token, "POST", "/v1/messaging-channels/", resourceDoc("messaging-channels", "", `{"individual-ids": ["`+indOlivia+`", "`+indQuinn+`", "`+indQuinn+`"], "organization-id": "`+org1+`"}`))
	require.Equal(t, http.StatusConflict, r.Status)
	assert.Equal(t, created.ID, decode(t, r).Errors[0].Meta["id"])
	// A group channel with the same people is no duplicate.
	mustCall(t, env, 201, "POST", "/v1/messaging-channels/", resourceDoc("messaging-channels", "", `{"individual-ids": ["`+indPat+`", "`+indAlice+`"], "individual-group-id": "`+group1+`", "organization-id": "`+org1+`"}`))
	// Individuals of another organization: 400.
	r = call(t, env, adminToken, "POST", "/v1/messaging-channels/", resourceDoc("messaging-channels", "", `{"individual-ids": ["`+indRalph+`"], "organization-id": "`+org1+`"}`))
	assert.Equal(t, http.StatusBadRequest, r.Status)
	// Modify through the documented JSON-Patch-like list.
	r = mustCall(t, env, 200, "PATCH", "/v1/messaging-channels/"+created.ID+"/", `{"data": {"type": "messaging-channels", "id": "`+created.ID+`",
		"attributes": [{"op": "replace", "path": "/name", "value": "Olivia & Quinn"}]}, "meta": {}}`)
	assert.Equal(t, "Olivia & Quinn", one(t, r).Attributes["name"])
}

func TestPluginsAndResponders(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	for _, typ := range []string{"messaging-plugins", "messaging-responders"} {
		id := map[string]string{"messaging-plugins": plugin1, "messaging-responders": responder1}[typ]
		r := mustCall(t, env, 201, "POST", "/v1/"+typ+"/"+id+"/disable/", `{}`)
		assert.Equal(t, false, one(t, r).Attributes["enabled"])
		assert.Equal(t, false, get(t, env, adminToken, "/v1/"+typ+"/"+id+"/").Attributes["enabled"])
		mustCall(t, env, 201, "POST", "/v1/"+typ+"/"+id+"/enable/", `{}`)
		assert.Equal(t, true, get(t, env, adminToken, "/v1/"+typ+"/"+id+"/").Attributes["enabled"])
	}
	assert.Len(t, list(t, env, adminToken, "/v1/messaging-responders/?organization-id="+org1+"&filter[enabled]=true"), 1)
	r := mustCall(t, env, 201, "POST", "/v1/messaging-plugins/"+plugin1+"/expand/", `{"channel-id": "`+chanGroup1+`"}`)
	assert.JSONEq(t, `{"message": "Our office hours are 8am-5pm, Monday to Friday."}`, r.Body)
	mustCall(t, env, 201, "POST", "/v1/messaging-plugins/"+plugin1+"/disable/", `{}`)
	r = call(t, env, adminToken, "POST", "/v1/messaging-plugins/"+plugin1+"/expand/", `{"channel-id": "`+chanGroup1+`"}`)
	assert.Equal(t, http.StatusBadRequest, r.Status)
	r = call(t, env, adminToken, "POST", "/v1/messaging-plugins/"+plugin1+"/expand/", `{"channel-id": "`+chanGroup2+`"}`)
	assert.Equal(t, http.StatusBadRequest, r.Status, "a channel of another organization")
}

func TestAttachmentsUploads(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	r := mustCall(t, env, 201, "POST", "/v1/messaging-attachments/", resourceDoc("messaging-attachments", "", `{"content-type": "application/pdf", "filename": "lab.pdf", "message-id": "`+msg1+`"}`))
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	var ticket struct {
		Data struct {
			ID             string
			ExpirationTime int64 `json:"expiration-time"`
			UploadURL      string
		}
	}
	require.NoError(t, jsonUnmarshal(r.Body, &ticket))
	id := ticket.Data.ID
	assert.JSONEq(t, fmt.Sprintf(`{"data": {"expiration-time": %d, "id": %q, "upload-data": {"key": "messaging-attachments/%s", "Content-Type": "application/pdf"},
		"upload-url": "https://uploads.courier.invalid/messaging-attachments/%s"}}`, emutest.Start.Add(time.Hour).Unix(), id, id, id), r.Body)
	assert.Empty(t, list(t, env, adminToken, "/v1/messaging-attachments/?message-id="+msg1), "pending")
	assert.Len(t, list(t, env, adminToken, "/v1/messaging-attachments/?message-id="+msg1+"&filter[include-pending]=true"), 1)
	r = mustCall(t, env, 201, "POST", "/v1/messaging-attachments/"+id+"/process-upload/", `{}`)
	assert.EqualValues(t, 1024, one(t, r).Attributes["content-size"])
	assert.Equal(t, []string{id}, ids(list(t, env, adminToken, "/v1/messaging-attachments/?message-id="+msg1)))
	atts := get(t, env, adminToken, "/v1/messaging-messages/"+msg1+"/").Attributes["attachments"].([]any)
	require.Len(t, atts, 1)
	assert.Equal(t, id, atts[0].(map[string]any)["id"])
	// Removing it shows on the message.
	mustCall(t, env, 200, "PATCH", "/v1/messaging-attachments/"+id+"/", resourceDoc("messaging-attachments", id, `{"removed": true, "filename": "ignored.pdf"}`))
	atts = get(t, env, adminToken, "/v1/messaging-messages/"+msg1+"/").Attributes["attachments"].([]any)
	assert.Equal(t, true, atts[0].(map[string]any)["removed"])
	assert.Equal(t, "lab.pdf", atts[0].(map[string]any)["filename"])
	// Bulk attachments the same way.
	r = mustCall(t, env, 201, "POST", "/v1/messaging-bulk-attachments/", resourceDoc("messaging-bulk-attachments", "", `{"bulk-message-id": "`+bulkMessage1+`", "content-type": "image/png", "filename": "m.png"}`))
	require.NoError(t, jsonUnmarshal(r.Body, &ticket))
	assert.Len(t, list(t, env, adminToken, "/v1/messaging-bulk-attachments/?bulk-message-id="+bulkMessage1), 1)
	mustCall(t, env, 201, "POST", "/v1/messaging-bulk-attachments/"+ticket.Data.ID+"/process-upload/", "")
	assert.Len(t, list(t, env, adminToken, "/v1/messaging-bulk-attachments/?bulk-message-id="+bulkMessage1), 2)
}

// TestMessagesShowTheirCountedAttachments: a message's row counts its
// uploaded attachments (migration 109) as they are uploaded, removed (still
// shown, so counted) and purged, and a message reads attachments only when
// it counts some.
func TestMessagesShowTheirCountedAttachments(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	count := func(msg string) int64 {
		t.Helper()
		var n int64
		require.NoError(t, env.Deps.DB.Read().QueryRow(`SELECT attachment_count FROM cr_messaging_messages
			WHERE type = 'messaging-messages' AND id = ?`, msg).Scan(&n))
		return n
	}
	shown := func(o object) []string {
		t.Helper()
		var out []string
		for _, a := range o.Attributes["attachments"].([]any) {
			out = append(out, fmt.Sprint(a.(map[string]any)["id"], " removed=", a.(map[string]any)["removed"]))
		}
		return out
	}
	upload := func(msg string) string {
		t.Helper()
		env.Deps.Clock.Advance(time.Minute) // listed in the order of upload
		before := count(msg)
		r := mustCall(t, env, 201, "POST", "/v1/messaging-attachments/", resourceDoc("messaging-attachments", "",
			`{"content-type": "application/pdf", "filename": "lab.pdf", "message-id": "`+msg+`"}`))
		var ticket struct{ Data struct{ ID string } }
		require.NoError(t, jsonUnmarshal(r.Body, &ticket))
		assert.Equal(t, before, count(msg), "pending: not counted")
		mustCall(t, env, 201, "POST", "/v1/messaging-attachments/"+ticket.Data.ID+"/process-upload/", `{}`)
		return ticket.Data.ID
	}
	purge := func(typ, id string) {
		t.Helper()
		callWant(t, env, adminToken, "POST", "/v1/purge-data/", resourceDoc("system-purges", "", `{"entity-id": "`+id+`", "entity-type": "`+typ+`"}`), 201)
	}
	page := func() map[string][]string {
		t.Helper()
		out := map[string][]string{}
		for _, o := range list(t, env, adminToken, "/v1/messaging-messages/?channel-id="+chanGroup1) {
			out[o.ID] = shown(o)
		}
		return out
	}

	const msg2 = "60000000-0000-4000-8000-000000000002" // the third message of chanGroup1, without attachments
	fixture := "61000000-0000-4000-8000-000000000001 removed=false"
	assert.EqualValues(t, 1, count(msg3), "the fixture's attachment")
	assert.Zero(t, count(msg1))
	assert.Equal(t, map[string][]string{msg1: nil, msg2: nil, msg3: {fixture}}, page())

	first := upload(msg1)
	assert.EqualValues(t, 1, count(msg1))
	assert.Equal(t, []string{first + " removed=false"}, shown(get(t, env, adminToken, "/v1/messaging-messages/"+msg1+"/")))
	mustCall(t, env, 200, "PATCH", "/v1/messaging-attachments/"+first+"/", resourceDoc("messaging-attachments", first, `{"removed": true}`))
	assert.EqualValues(t, 1, count(msg1), "a removed attachment is still shown")
	second := upload(msg1)
	mustCall(t, env, 201, "POST", "/v1/messaging-attachments/"+second+"/process-upload/", `{}`)
	assert.EqualValues(t, 2, count(msg1), "uploaded twice, counted once")
	assert.Equal(t, map[string][]string{msg1: {first + " removed=true", second + " removed=false"}, msg2: nil, msg3: {fixture}}, page())

	purge("messaging-attachments", first)
	assert.EqualValues(t, 1, count(msg1))
	assert.Equal(t, []string{second + " removed=false"}, shown(get(t, env, adminToken, "/v1/messaging-messages/"+msg1+"/")))
	purge("messaging-messages", msg3)
	mustFail(t, env, adminToken, "GET", "/v1/messaging-attachments/61000000-0000-4000-8000-000000000001/", "", 404)
	assert.Equal(t, map[string][]string{msg1: {second + " removed=false"}, msg2: nil}, page())

	// A message whose row counts none reads none: with its count set to 0
	// by hand, its attachment is not shown, in a page or alone.
	exec(t, env, `UPDATE cr_messaging_messages SET attachment_count = 0 WHERE type = 'messaging-messages' AND id = ?`, msg1)
	assert.Equal(t, map[string][]string{msg1: nil, msg2: nil}, page())
	assert.Empty(t, shown(get(t, env, adminToken, "/v1/messaging-messages/"+msg1+"/")))
}

func TestBookmarks(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	r := mustCall(t, env, 201, "POST", "/v1/messaging-bookmarks/", resourceDoc("messaging-bookmarks", "", `{"channel-id": "`+chanGroup1+`", "message-id": "`+msg1+`"}`))
	b := one(t, r)
	assert.Equal(t, map[string]any{"id": chanGroup1}, b.Attributes["channel"])
	assert.Equal(t, map[string]any{"id": msg1}, b.Attributes["message"])
	assert.Equal(t, map[string]any{"id": adminUser}, b.Attributes["created-by"])
	assert.Equal(t, []string{b.ID}, ids(list(t, env, adminToken, "/v1/messaging-bookmarks/?organization-id="+org1)), "replaced")
	assert.Equal(t, map[string]any{"id": b.ID, "message-id": msg1}, get(t, env, adminToken, "/v1/messaging-channels/"+chanGroup1+"/").Attributes["bookmark"])
	mustCall(t, env, 201, "POST", "/v1/messaging-bookmarks/", resourceDoc("messaging-bookmarks", "", `{"channel-id": "`+chanGroup1+`", "message-id": "`+msg3+`", "allow-multi-message": true}`))
	assert.Len(t, list(t, env, adminToken, "/v1/messaging-bookmarks/?organization-id="+org1+"&filter[channel-id]="+chanGroup1), 2)
	r = call(t, env, adminToken, "POST", "/v1/messaging-bookmarks/", resourceDoc("messaging-bookmarks", "", `{"channel-id": "`+chanGroup1+`", "message-id": "`+msg4+`"}`))
	assert.Equal(t, http.StatusBadRequest, r.Status, "a message of another channel")
}

func TestBulkMessagePosting(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	before := len(list(t, env, adminToken, "/v1/messaging-messages/?channel-id="+chanDirect))
	r := mustCall(t, env, 200, "PATCH", "/v1/messaging-bulk-messages/"+bulkMessage1+"/", resourceDoc("messaging-bulk-messages", bulkMessage1, `{"draft": false}`))
	assert.Equal(t, "2026-01-15T12:00:00.000000+00:00", one(t, r).Attributes["posted-time"])
	msgs := list(t, env, adminToken, "/v1/messaging-messages/?channel-id="+chanDirect)
	require.Len(t, msgs, before+1, "posted to Alice's direct channel with Pat")
	assert.Equal(t, "Our clinic will be closed on Monday for the holiday.", msgs[len(msgs)-1].Attributes["message"])
	assert.Empty(t, list(t, env, adminToken, "/v1/messaging-bulk-messages/"), "posted ones need include-posted")
	assert.Len(t, list(t, env, adminToken, "/v1/messaging-bulk-messages/?include-posted=true"), 1)
	// auto-create-channel makes the missing direct channel (Alice–Quinn).
	mustCall(t, env, 201, "POST", "/v1/messaging-bulk-messages/", resourceDoc("messaging-bulk-messages", "", `{"individual-ids": ["`+indQuinn+`"], "auto-create-channel": true,
		"message": "Welcome!", "sender-individual-id": "`+indAlice+`"}`))
	chans := list(t, env, adminToken, "/v1/messaging-channels/?individual-id="+indQuinn)
	require.Len(t, chans, 1)
	assert.Equal(t, "Welcome!", chans[0].Attributes["last-message"].(map[string]any)["message"])
}

// TestChannelPagesAnswerAsRead: a page of channels reads every channel's
// last message, bookmark and new-message count in one statement; each item
// is what the channel read alone answers, for every reader.
func TestChannelPagesAnswerAsRead(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	// The channels differ: one bookmarked and acknowledged by Alice, one with
	// a new message of Pat's, one untouched.
	mustCall(t, env, 201, "POST", "/v1/messaging-bookmarks/", resourceDoc("messaging-bookmarks", "", `{"channel-id": "`+chanGroup1+`", "message-id": "`+msg1+`"}`))
	mustCall(t, env, 201, "POST", "/v1/messaging-messages/"+msg3+"/ack/", `{"individual-id": "`+indAlice+`"}`)
	mustCall(t, env, 201, "POST", "/v1/messaging-messages/", resourceDoc("messaging-messages", "", `{"channel-id": "`+chanDirect+`", "individual-id": "`+indPat+`", "message": "Still there?"}`))
	for _, query := range []string{"", "?individual-id=" + indAlice, "?individual-id=" + indPat} {
		page := list(t, env, adminToken, "/v1/messaging-channels/"+query)
		require.NotEmpty(t, page, query)
		shown := map[string]bool{}
		for _, ch := range page {
			alone := get(t, env, adminToken, "/v1/messaging-channels/"+ch.ID+"/"+query)
			assert.Equal(t, alone.Attributes, ch.Attributes, "channel %s, %q", ch.ID, query)
			for _, a := range []string{"last-message", "bookmark"} {
				shown[a] = shown[a] || ch.Attributes[a] != nil
			}
			if n, _ := ch.Attributes["caller-new-message-count"].(float64); n > 0 {
				shown["count"] = true
			}
		}
		assert.True(t, shown["last-message"] && shown["bookmark"], "%q: the page shows what it compares", query)
		if query == "?individual-id="+indAlice {
			assert.True(t, shown["count"], "Alice has new messages")
		}
	}
}

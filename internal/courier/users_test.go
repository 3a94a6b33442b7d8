package courier_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDevices: devices are their user's; all-users shows the
// organizations'; a token registered again replaces its device; multicasts
// are pushed to the devices.
func TestDevices(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	assert.Equal(t, []string{device2}, ids(mustMany(t, env, org1Token, "/v1/user-devices/")))
	assert.Equal(t, []string{device1}, ids(mustMany(t, env, adminToken, "/v1/user-devices/")))
	assert.Equal(t, []string{device1, device2, device3}, ids(mustMany(t, env, adminToken, "/v1/user-devices/?all-users=true")))
	assert.Equal(t, []string{device1, device2}, ids(mustMany(t, env, org1Token, "/v1/user-devices/?all-users=true")))
	assert.Equal(t, []string{device2}, ids(mustMany(t, env, org1Token, "/v1/user-devices/?all-users=true&filter[type]=fcm&filter[model]=Pixel%208")))
	dev := mustOne(t, env, org1Token, "POST", "/v1/user-devices/", resourceDoc("user-devices", "",
		`{"individual-id": "`+indOlivia+`", "token": "fcm-token-olivia-0002", "type": "fcm", "model": "Pixel 9", "app-name": "northwind"}`), 201)
	assert.Equal(t, true, dev.Attributes["allow-notification"])
	assert.Equal(t, []string{dev.ID}, ids(mustMany(t, env, org1Token, "/v1/user-devices/")), "the same token replaces the device")
	assert.Len(t, mustMany(t, env, org1Token, "/v1/user-devices/?all-users=true"), 2)
	assert.Equal(t, "Pixel 9", mustMany(t, env, org1Token, "/v1/user-devices/?token=fcm-token-olivia-0002")[0].Attributes["model"])

	// The org1 user registering org2's device token does not take it over.
	mustOne(t, env, org1Token, "POST", "/v1/user-devices/", resourceDoc("user-devices", "", `{"token": "web-token-grace-0003", "type": "web"}`), 201)
	assert.True(t, idSet(mustMany(t, env, adminToken, "/v1/user-devices/?all-users=true"))[device3])

	// A multicast to Olivia is pushed to her user's device.
	assert.Empty(t, mustMany(t, env, org1Token, "/v1/user-devices/"+dev.ID+"/get-logs/"))
	callWant(t, env, org1Token, "POST", "/v1/users/"+org1User+"/multicast/", `{"template-id": "shift-reminder", "data": {"day": "Monday"}}`, 201)
	logs := mustMany(t, env, org1Token, "/v1/user-devices/"+dev.ID+"/get-logs/")
	require.Len(t, logs, 1)
	assert.Equal(t, "user-device-logs", logs[0].Type)
	assert.Equal(t, "shift-reminder", logs[0].Attributes["title"])
	assert.Equal(t, map[string]any{"day": "Monday"}, logs[0].Attributes["data"])
	d := decode(t, callWant(t, env, adminToken, "GET", "/v1/user-devices/"+device1+"/get-logs/?page[limit]=1", "", 200))
	assert.Equal(t, map[string]any{"page[limit]": float64(1), "page[offset]": float64(0), "page[total]": float64(1)}, d.Meta)

	before := storeState(t, env)
	mustFail(t, env, org1Token, "GET", "/v1/user-devices/"+device3+"/get-logs/", "", 404)
	mustFail(t, env, org1Token, "GET", "/v1/user-devices/a0000000-0000-4000-8000-0000000000ff/get-logs/", "", 404)
	for _, tc := range []struct{ attrs, pointer string }{
		{`{"token": "t", "type": "sms"}`, "/data/attributes/type"},
		{`{"type": "apn"}`, "/data/attributes/token"},
		{`{"token": " ", "type": "apn"}`, "/data/attributes/token"},
		{`{"token": "t", "type": "apn", "individual-id": "` + indRalph + `"}`, "/data/attributes/individual-id"},
		{`{"token": "t", "type": "apn", "app-version": "123456789012345678901"}`, "/data/attributes/app-version"},
	} {
		_, ptr, _ := mustFail(t, env, org1Token, "POST", "/v1/user-devices/", resourceDoc("user-devices", "", tc.attrs), 400)
		assert.Equal(t, tc.pointer, ptr, tc.attrs)
	}
	mustFail(t, env, org1Token, "GET", "/v1/user-devices/?filter[type]=sms", "", 400)
	assert.Equal(t, before, storeState(t, env))
}

// TestEmails: drafts take attachments that must be uploaded before the
// e-mail is sent; sent e-mails take nothing more.
func TestEmails(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	em := mustOne(t, env, adminToken, "POST", "/v1/user-emails/", resourceDoc("user-emails", "",
		`{"individual-id": "`+indOlivia+`", "subject": "Rota", "message": "See attached."}`), 201)
	assert.Equal(t, "draft", em.Attributes["status"])
	assert.Equal(t, []any{"olivia.nguyen@example.com"}, em.Attributes["to"], "the user's address by default")
	assert.Equal(t, org1User, em.Attributes["user-id"])
	assert.Nil(t, em.Attributes["task-id"])
	r := callWant(t, env, adminToken, "POST", "/v1/user-email-attachments/", resourceDoc("user-email-attachments", "",
		`{"content-type": "application/pdf", "email-id": "`+em.ID+`", "filename": "rota.pdf"}`), 201)
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	var ticket map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(r.Body), &ticket))
	assert.ElementsMatch(t, []string{"expiration-time", "id", "upload-data", "upload-url"}, keysOf(ticket), "an unwrapped ticket")
	var attID string
	require.NoError(t, json.Unmarshal(ticket["id"], &attID))
	assert.JSONEq(t, `1768482000`, string(ticket["expiration-time"]), "an hour of emulated time")
	att := mustOne(t, env, adminToken, "GET", "/v1/user-email-attachments/"+attID+"/?with-link=true", "", 200)
	assert.Equal(t, false, att.Attributes["ready-to-use"])
	assert.Nil(t, att.Attributes["download-link"])
	_, ptr, _ := mustFail(t, env, adminToken, "POST", "/v1/user-emails/"+em.ID+"/send/", `{}`, 400)
	assert.Equal(t, "", ptr)
	att = mustOne(t, env, adminToken, "POST", "/v1/user-email-attachments/"+attID+"/process-upload/", `{}`, 201)
	assert.Equal(t, true, att.Attributes["ready-to-use"])
	assert.EqualValues(t, 2048, att.Attributes["size"])
	assert.Nil(t, att.Attributes["download-link"], "without with-link")
	assert.Equal(t, "https://downloads.courier.invalid/user-email-attachments/"+attID,
		mustOne(t, env, adminToken, "GET", "/v1/user-email-attachments/"+attID+"/?with-link=true", "", 200).Attributes["download-link"])
	assert.Equal(t, []string{attID}, ids(mustMany(t, env, adminToken, "/v1/user-email-attachments/?email-id="+em.ID)))
	em = mustOne(t, env, adminToken, "POST", "/v1/user-emails/"+em.ID+"/send/", `{}`, 201)
	assert.Equal(t, "sent", em.Attributes["status"])
	assert.Len(t, em.Attributes["task-id"], 36)
	assert.Equal(t, "Sent to olivia.nguyen@example.com.", em.Attributes["result"])
	assert.Equal(t, em, mustOne(t, env, adminToken, "GET", "/v1/user-emails/"+em.ID+"/", "", 200))

	// auto-send with several addresses.
	auto := mustOne(t, env, adminToken, "POST", "/v1/user-emails/", resourceDoc("user-emails", "",
		`{"individual-id": "`+indPat+`", "subject": "Hi", "message-html": "<p>Hi</p>", "to": ["pat@example.com", "carer@example.com"], "auto-send": true}`), 201)
	assert.Equal(t, "sent", auto.Attributes["status"])
	assert.Equal(t, []any{"pat@example.com", "carer@example.com"}, auto.Attributes["to"])
	assert.Equal(t, []string{email1, auto.ID}, ids(mustMany(t, env, adminToken, "/v1/user-emails/?individual-id="+indPat)))

	before := storeState(t, env)
	mustFail(t, env, adminToken, "POST", "/v1/user-emails/"+em.ID+"/send/", `{}`, 400)
	_, ptr, _ = mustFail(t, env, adminToken, "POST", "/v1/user-email-attachments/", resourceDoc("user-email-attachments", "",
		`{"content-type": "text/plain", "email-id": "`+em.ID+`", "filename": "late.txt"}`), 400)
	assert.Equal(t, "/data/attributes/email-id", ptr)
	for _, tc := range []struct{ attrs, pointer string }{
		{`{"individual-id": "` + indPat + `", "subject": "x", "message": "x"}`, "/data/attributes/to"},
		{`{"individual-id": "` + indPat + `", "subject": "x", "message": "x", "to": "not-an-address"}`, "/data/attributes/to"},
		{`{"individual-id": "` + indPat + `", "subject": "x", "message": "x", "to": ["a@example.com", "b@"]}`, "/data/attributes/to/1"},
		{`{"individual-id": "` + indPat + `", "subject": "x", "message": "x", "to": 7}`, "/data/attributes/to"},
		{`{"individual-id": "` + indPat + `", "subject": "x", "to": "a@example.com"}`, "/data/attributes/message"},
		{`{"individual-id": "` + indPat + `", "message": "x", "to": "a@example.com"}`, "/data/attributes/subject"},
		{`{"individual-id": "` + indRalph + `", "subject": "x", "message": "x", "to": "a@example.com"}`, "/data/attributes/individual-id"},
	} {
		_, ptr, _ := mustFail(t, env, org1Token, "POST", "/v1/user-emails/", resourceDoc("user-emails", "", tc.attrs), 400)
		assert.Equal(t, tc.pointer, ptr, tc.attrs)
	}
	_, ptr, _ = mustFail(t, env, org1Token, "POST", "/v1/user-emails/", resourceDoc("user-emails", "",
		`{"individual-id": "`+indPat+`", "subject": "x", "message": "x", "to": "a@example.com", "sender-organization-id": "`+org2+`"}`), 403)
	assert.Equal(t, "/data/attributes/sender-organization-id", ptr)
	for _, tc := range []struct{ attrs, pointer string }{
		{`{"content-type": "text/plain", "email-id": "` + email3 + `"}`, "/data/attributes/filename"},
		{`{"content-type": "text/plain", "email-id": "` + email3 + `", "filename": " "}`, "/data/attributes/filename"},
		{`{"content-type": "text/plain", "email-id": "` + email2 + `", "filename": "a"}`, "/data/attributes/email-id"},
	} {
		_, ptr, _ := mustFail(t, env, org1Token, "POST", "/v1/user-email-attachments/", resourceDoc("user-email-attachments", "", tc.attrs), 400)
		assert.Equal(t, tc.pointer, ptr, tc.attrs)
	}
	for _, path := range []string{"/v1/user-emails/" + email2 + "/", "/v1/user-email-attachments/" + emailAttachment2 + "/"} {
		mustFail(t, env, org1Token, "GET", path, "", 404)
	}
	mustFail(t, env, org1Token, "POST", "/v1/user-emails/"+email2+"/send/", `{}`, 404)
	mustFail(t, env, org1Token, "POST", "/v1/user-email-attachments/"+emailAttachment2+"/process-upload/", `{}`, 404)
	assert.Empty(t, mustMany(t, env, org1Token, "/v1/user-email-attachments/?email-id="+email2))
	mustFail(t, env, org1Token, "GET", "/v1/user-emails/", "", 400)
	assert.Equal(t, before, storeState(t, env))
}

func keysOf(m map[string]json.RawMessage) []string {
	out := []string{}
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestMulticasts: user-multicasts reach individuals and groups of one
// organization; users/{id}/ multicasts reach the user's individual.
func TestMulticasts(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	r := callWant(t, env, org1Token, "POST", "/v1/user-multicasts/", `{"individual-group-ids": ["`+group1+`"], "individual-ids": ["`+indQuinn+`", "`+indPat+`"],
		"organization-id": "`+org1+`", "template-data": {"clinic": "Northwind"}, "template-id": "newsletter"}`, 201)
	var task struct {
		MessageData map[string]any `json:"message-data"`
		TaskID      string         `json:"task-id"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.Body), &task))
	assert.Equal(t, map[string]any{"clinic": "Northwind"}, task.MessageData)
	assert.Len(t, task.TaskID, 36)
	pat := mustMany(t, env, org1Token, "/v1/user-multicasts/?individual-id="+indPat)
	require.Len(t, pat, 2, "the fixture's and the new one (Pat once, though named twice)")
	assert.Equal(t, map[string]any{"created-at": "2026-01-15T12:00:00.000000+00:00", "individual-id": indPat, "organization-id": org1,
		"template-data": map[string]any{"clinic": "Northwind"}, "template-id": "newsletter"}, pat[1].Attributes)
	assert.Len(t, mustMany(t, env, org1Token, "/v1/user-multicasts/?individual-id="+indQuinn), 1)

	r = callWant(t, env, org1Token, "POST", "/v1/users/"+org1User+"/multicast/", `{"template-id": "welcome"}`, 201)
	assert.JSONEq(t, `{}`, string(mustField(t, r.Body, "message-data")))
	assert.Equal(t, "welcome", mustMany(t, env, org1Token, "/v1/user-multicasts/?individual-id="+indOlivia)[0].Attributes["template-id"])

	var v struct {
		Info    string `json:"info"`
		Success bool   `json:"success"`
	}
	r = callWant(t, env, adminToken, "POST", "/v1/users/"+org1User+"/validate-multicast-params/",
		`{"data": {}, "individual-id": "`+indOlivia+`", "organization-id": "`+org1+`", "template-id": "welcome"}`, 201)
	require.NoError(t, json.Unmarshal([]byte(r.Body), &v))
	assert.True(t, v.Success, v.Info)
	r = callWant(t, env, adminToken, "POST", "/v1/users/"+org1User+"/validate-multicast-params/",
		`{"data": {}, "individual-id": "`+indRalph+`", "organization-id": "`+org1+`", "template-id": "welcome"}`, 201)
	require.NoError(t, json.Unmarshal([]byte(r.Body), &v))
	assert.False(t, v.Success)
	assert.Contains(t, v.Info, "not in organization")

	before := storeState(t, env)
	for _, tc := range []struct{ body, pointer string }{
		{`{"template-data": {}, "template-id": "x"}`, "/individual-ids"},
		{`{"template-data": {}, "template-id": "x", "individual-ids": ["` + indRalph + `"]}`, "/individual-ids/0"},
		{`{"template-data": {}, "template-id": "x", "individual-ids": ["` + indPat + `"], "individual-group-ids": ["` + group2 + `"]}`, "/individual-group-ids/0"},
		{`{"template-data": {}, "template-id": "x", "individual-ids": ["nope"]}`, "/individual-ids/0"},
		{`{"template-data": {}, "template-id": "", "individual-ids": ["` + indPat + `"]}`, "/template-id"},
		{`{"template-id": "x", "individual-ids": ["` + indPat + `"]}`, "/template-data"},
		{`{"template-data": [], "template-id": "x", "individual-ids": ["` + indPat + `"]}`, "/template-data"},
		{`{"template-data": {}, "template-id": "x", "individual-ids": ["` + indPat + `"], "channel": "sms"}`, "/channel"},
	} {
		_, ptr, _ := mustFail(t, env, org1Token, "POST", "/v1/user-multicasts/", tc.body, 400)
		assert.Equal(t, tc.pointer, ptr, tc.body)
	}
	_, ptr, _ := mustFail(t, env, org1Token, "POST", "/v1/user-multicasts/", `{"template-data": {}, "template-id": "x", "organization-id": "`+org2+`", "individual-ids": ["`+indRalph+`"]}`, 403)
	assert.Equal(t, "/organization-id", ptr)
	_, ptr, _ = mustFail(t, env, org1Token, "POST", "/v1/users/"+org1User+"/multicast/", `{"template-id": "x", "organization-id": "`+org2+`"}`, 403)
	assert.Equal(t, "/organization-id", ptr)
	_, ptr, _ = mustFail(t, env, org1Token, "POST", "/v1/users/"+org1User+"/multicast/", `{"template-id": "x", "individual-id": "`+indRalph+`"}`, 400)
	assert.Equal(t, "/individual-id", ptr)
	_, ptr, _ = mustFail(t, env, adminToken, "POST", "/v1/users/"+org1User+"/multicast/", `{"template-id": "x", "individual-id": "`+indRalph+`", "organization-id": "`+org1+`"}`, 400)
	assert.Equal(t, "/individual-id", ptr)
	_, ptr, _ = mustFail(t, env, adminToken, "POST", "/v1/users/"+org1User+"/multicast/", `{}`, 400)
	assert.Equal(t, "/template-id", ptr)
	_, ptr, _ = mustFail(t, env, adminToken, "POST", "/v1/users/"+org1User+"/validate-multicast-params/", `{"template-id": "x"}`, 400)
	assert.NotEmpty(t, ptr)
	mustFail(t, env, org1Token, "POST", "/v1/users/"+org1User+"/validate-multicast-params/",
		`{"data": {}, "individual-id": "`+indRalph+`", "organization-id": "`+org2+`", "template-id": "x"}`, 403)
	mustFail(t, env, org1Token, "POST", "/v1/users/20000000-0000-4000-8000-0000000000ff/multicast/", `{"template-id": "x"}`, 404)
	assert.Empty(t, mustMany(t, env, org1Token, "/v1/user-multicasts/?individual-id="+indRalph))
	mustFail(t, env, org1Token, "GET", "/v1/user-multicasts/", "", 400)
	assert.Equal(t, before, storeState(t, env))
}

func mustField(t *testing.T, body, key string) json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(body), &m))
	return m[key]
}

// TestConsents: a consent is pending until answered and targets the
// user's phone; another organization's consents are out of reach.
func TestConsents(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	c := mustOne(t, env, adminToken, "POST", "/v1/user-consents/", resourceDoc("user-consents", "", `{"organization-id": "`+org1+`", "type": "sms", "user-id": "`+adminUser+`"}`), 201)
	assert.Equal(t, "pending", c.Attributes["state"])
	assert.Equal(t, "+14155550101", c.Attributes["target-id"])
	assert.Equal(t, map[string]any{}, c.Attributes["args"])
	assert.Equal(t, []string{c.ID}, ids(mustMany(t, env, adminToken, "/v1/user-consents/?filter[user-id]="+adminUser+"&filter[organization-id]="+org1)))
	assert.Equal(t, []string{consent1, c.ID}, ids(mustMany(t, env, org1Token, "/v1/user-consents/")))
	// The user answers the consent text from their phone.
	mustOne(t, env, adminToken, "POST", "/v1/texts/"+text1+"/callback/", `{"Body": "maybe", "From": "+14155550101", "MessageSid": "SMc1"}`, 201)
	assert.Equal(t, "pending", mustOne(t, env, adminToken, "GET", "/v1/user-consents/"+c.ID+"/", "", 200).Attributes["state"])
	mustOne(t, env, adminToken, "POST", "/v1/texts/"+text1+"/callback/", `{"Body": " yes ", "From": "+14155550101", "MessageSid": "SMc2"}`, 201)
	assert.Equal(t, "accepted", mustOne(t, env, adminToken, "GET", "/v1/user-consents/"+c.ID+"/", "", 200).Attributes["state"])
	assert.Equal(t, "pending", mustOne(t, env, adminToken, "GET", "/v1/user-consents/"+consent2+"/", "", 200).Attributes["state"],
		"the same phone's consent in the other organization is not answered by a text of this one")
	mustOne(t, env, adminToken, "POST", "/v1/texts/"+text2+"/callback/", `{"Body": "STOP", "From": "+14155550101", "MessageSid": "SMc3"}`, 201)
	assert.Equal(t, "declined", mustOne(t, env, adminToken, "GET", "/v1/user-consents/"+consent2+"/", "", 200).Attributes["state"])

	before := storeState(t, env)
	_, ptr, _ := mustFail(t, env, adminToken, "POST", "/v1/user-consents/", resourceDoc("user-consents", "", `{"organization-id": "`+org2+`", "user-id": "`+org1User+`"}`), 400)
	assert.Equal(t, "/data/attributes/user-id", ptr)
	_, ptr, _ = mustFail(t, env, adminToken, "POST", "/v1/user-consents/", resourceDoc("user-consents", "", `{"organization-id": "`+org1+`"}`), 400)
	assert.Equal(t, "/data/attributes/user-id", ptr)
	mustFail(t, env, org1Token, "POST", "/v1/user-consents/", resourceDoc("user-consents", "", `{"organization-id": "`+org2+`", "user-id": "`+adminUser+`"}`), 403)
	mustFail(t, env, org1Token, "GET", "/v1/user-consents/"+consent2+"/", "", 404)
	mustFail(t, env, org1Token, "GET", "/v1/user-consents/?filter[organization-id]="+org2, "", 403)
	assert.Equal(t, before, storeState(t, env))
}

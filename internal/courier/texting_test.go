package courier_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestClaimNumber: a claimed number is answered, listed among the
// account's numbers and becomes a new account's phone number.
func TestClaimNumber(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	acct := mustOne(t, env, adminToken, "POST", "/v1/text-accounts/", resourceDoc("text-accounts", "", `{"organization-id": "`+org1+`"}`), 201)
	assert.Nil(t, acct.Attributes["phone-number"])
	assert.Equal(t, false, acct.Attributes["allow-custom-number"])
	assert.Regexp(t, `^AC[0-9a-f]{32}$`, acct.Attributes["twilio-id"])
	num := mustOne(t, env, adminToken, "POST", "/v1/text-accounts/"+acct.ID+"/claim-number/", `{"notes": "Main line"}`, 201)
	assert.Equal(t, "text-account-numbers", num.Type)
	assert.Equal(t, acct.ID, num.Attributes["account-id"])
	assert.Equal(t, "Main line", num.Attributes["notes"])
	phone := num.Attributes["phone-number"].(string)
	assert.Regexp(t, `^\+1415555\d{4}$`, phone)
	assert.Equal(t, true, num.Attributes["capability-sms"])
	assert.Regexp(t, `^PN[0-9a-f]{32}$`, num.Attributes["twilio-id"])
	assert.NotContains(t, num.Attributes, "area-code")
	second := mustOne(t, env, adminToken, "POST", "/v1/text-accounts/"+acct.ID+"/claim-number/", `{"notes": "Second"}`, 201)
	assert.NotEqual(t, phone, second.Attributes["phone-number"])
	listed := mustMany(t, env, adminToken, "/v1/text-account-numbers/?account-id="+acct.ID)
	assert.ElementsMatch(t, []string{num.ID, second.ID}, ids(listed))
	assert.Equal(t, []string{num.ID}, ids(mustMany(t, env, adminToken, "/v1/text-account-numbers/?phone-number="+strings.Replace(phone, "+", "%2B", 1))))
	assert.Equal(t, phone, mustOne(t, env, adminToken, "GET", "/v1/text-accounts/"+acct.ID+"/", "", 200).Attributes["phone-number"],
		"the first number becomes the account's")

	// A number created in an area code.
	lab := mustOne(t, env, adminToken, "POST", "/v1/text-account-numbers/", resourceDoc("text-account-numbers", "",
		`{"account-id": "`+acct.ID+`", "area-code": "650", "logging": true}`), 201)
	assert.Regexp(t, `^\+1650555\d{4}$`, lab.Attributes["phone-number"])
	assert.Equal(t, true, lab.Attributes["logging"])
	assert.Len(t, mustMany(t, env, adminToken, "/v1/text-account-numbers/?account-id="+acct.ID), 3)

	// The account's phone number must be one of its numbers unless custom numbers are allowed.
	_, ptr, _ := mustFail(t, env, adminToken, "PATCH", "/v1/text-accounts/"+acct.ID+"/",
		resourceDoc("text-accounts", acct.ID, `{"phone-number": "+14155550999"}`), 400)
	assert.Equal(t, "/data/attributes/phone-number", ptr)
	assert.Equal(t, lab.Attributes["phone-number"], mustOne(t, env, adminToken, "PATCH", "/v1/text-accounts/"+acct.ID+"/",
		resourceDoc("text-accounts", acct.ID, `{"phone-number": "`+lab.Attributes["phone-number"].(string)+`"}`), 200).Attributes["phone-number"])
	mustOne(t, env, adminToken, "PATCH", "/v1/text-accounts/"+acct.ID+"/",
		resourceDoc("text-accounts", acct.ID, `{"allow-custom-number": true, "phone-number": "+14155550999"}`), 200)

	before := storeState(t, env)
	for _, tc := range []struct{ method, path, body, pointer string }{
		{"POST", "/v1/text-accounts/" + acct.ID + "/claim-number/", `{}`, "/notes"},
		{"POST", "/v1/text-accounts/" + acct.ID + "/claim-number/", `{"notes": "` + strings.Repeat("n", 256) + `"}`, "/notes"},
		{"POST", "/v1/text-accounts/" + acct.ID + "/claim-number/", `{"notes": 5}`, "/notes"},
		{"POST", "/v1/text-accounts/" + acct.ID + "/claim-number/", `{"notes": "x", "area": "650"}`, "/area"},
		{"POST", "/v1/text-account-numbers/", resourceDoc("text-account-numbers", "", `{"account-id": "`+acct.ID+`", "area-code": "06"}`), "/data/attributes/area-code"},
		{"POST", "/v1/text-account-numbers/", resourceDoc("text-account-numbers", "", `{"account-id": "`+acct.ID+`", "forward-to": "555-1234"}`), "/data/attributes/forward-to"},
		{"POST", "/v1/text-account-numbers/", resourceDoc("text-account-numbers", "", `{"area-code": "650"}`), "/data/attributes/account-id"},
		{"POST", "/v1/text-account-numbers/", resourceDoc("text-account-numbers", "", `{"account-id": "`+number1+`"}`), "/data/attributes/account-id"},
		{"PATCH", "/v1/text-account-numbers/" + number1 + "/", resourceDoc("text-account-numbers", number1, `{"forward-to": "front desk"}`), "/data/attributes/forward-to"},
		{"POST", "/v1/text-accounts/", resourceDoc("text-accounts", "", `{}`), "/data/attributes/organization-id"},
	} {
		_, ptr, _ := mustFail(t, env, adminToken, tc.method, tc.path, tc.body, 400)
		assert.Equal(t, tc.pointer, ptr, tc.body)
	}
	assert.Equal(t, before, storeState(t, env))
}

// TestTexts: a text goes out from the account's number, logs, moves
// status with Twilio's callback and records inbound replies.
func TestTexts(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	logs := func() []object { return mustMany(t, env, adminToken, "/v1/text-number-logs/?number-id="+number1) }
	assert.Len(t, logs(), 1)
	txt := mustOne(t, env, adminToken, "POST", "/v1/texts/", resourceDoc("texts", "",
		`{"account-id": "`+account1+`", "message": "Your ride is here.", "target": "+14155550177", "callback-url": "https://example.com/cb"}`), 201)
	assert.Equal(t, "accepted", txt.Attributes["status"])
	assert.Equal(t, "+14155550111", txt.Attributes["from"], "sent from the account's first number")
	assert.Equal(t, adminUser, txt.Attributes["created-by"])
	assert.Regexp(t, `^SM[0-9a-f]{32}$`, txt.Attributes["twilio-sid"])
	assert.Equal(t, "https://example.com/cb", txt.Attributes["callback-url"])
	for _, k := range []string{"account-id", "number-id", "organization-id", "callback-json"} {
		assert.NotContains(t, txt.Attributes, k, "request-only")
	}
	require.Len(t, logs(), 2, "number 1 logs what it sends")
	assert.Contains(t, logs()[1].Attributes["log"], txt.Attributes["twilio-sid"])
	assert.True(t, idSet(mustMany(t, env, adminToken, "/v1/texts/?account-id="+account1+"&filter[number-id]="+number1))[txt.ID])
	assert.Equal(t, []string{txt.ID}, ids(mustMany(t, env, adminToken, "/v1/texts/?account-id="+account1+"&filter[target]=%2B14155550177")))

	// Twilio reports delivery, then a failure of another text.
	path := "/v1/texts/" + txt.ID + "/"
	got := mustOne(t, env, adminToken, "POST", path+"callback/", `{"MessageSid": "x", "MessageStatus": "delivered"}`, 201)
	assert.Equal(t, "delivered", got.Attributes["status"])
	assert.Equal(t, "delivered", mustOne(t, env, adminToken, "GET", path, "", 200).Attributes["status"])
	failed := mustOne(t, env, adminToken, "POST", "/v1/texts/"+text1+"/callback/", `{"SmsStatus": "undelivered", "ErrorCode": 30003}`, 201)
	assert.Equal(t, "undelivered", failed.Attributes["status"])
	assert.Equal(t, "Twilio error 30003", failed.Attributes["error"])

	// An inbound reply becomes a receive log, readable by its message id.
	mustOne(t, env, adminToken, "POST", path+"callback/", `{"Body": "Thanks!", "From": "+14155550177", "MessageSid": "SMabc123"}`, 201)
	rl := mustOne(t, env, adminToken, "GET", "/v1/text-receive-logs/SMabc123/", "", 200)
	assert.Equal(t, "text-receive-logs", rl.Type)
	assert.Equal(t, "SMabc123", rl.ID)
	assert.Equal(t, map[string]any{"created-at": "2026-01-15T12:00:00.000000+00:00", "message": "Thanks!", "sender": "+14155550177",
		"sid": "SMabc123", "to": "+14155550111"}, rl.Attributes)
	assert.Equal(t, rl, mustOne(t, env, adminToken, "GET", "/v1/text-number-logs/SMabc123/", "", 200), "the alternative path")
	code, _, _ := mustFail(t, env, adminToken, "POST", path+"callback/", `{"Body": "again", "MessageSid": "SMABC123"}`, 409)
	assert.Equal(t, "Conflict", code)

	// reset-logs empties the number's log.
	num := mustOne(t, env, adminToken, "POST", "/v1/text-account-numbers/"+number1+"/reset-logs/", `{}`, 201)
	assert.Equal(t, number1, num.ID)
	assert.Empty(t, logs())

	before := storeState(t, env)
	for _, tc := range []struct{ body, pointer string }{
		{`{"MessageStatus": "exploded"}`, "/MessageStatus"},
		{`{"MessageStatus": ["sent"]}`, "/MessageStatus"},
		{`{"Body": "hi", "From": "me"}`, "/From"},
		{`{"Body": {"text": "hi"}}`, "/Body"},
	} {
		_, ptr, _ := mustFail(t, env, adminToken, "POST", path+"callback/", tc.body, 400)
		assert.Equal(t, tc.pointer, ptr, tc.body)
	}
	for _, tc := range []struct{ attrs, pointer string }{
		{`{"account-id": "` + account1 + `", "message": "x", "target": "12345"}`, "/data/attributes/target"},
		{`{"account-id": "` + account1 + `", "message": "x"}`, "/data/attributes/target"},
		{`{"account-id": "` + account1 + `", "message": "x", "target": "+14155550177", "number-id": "` + number2 + `"}`, "/data/attributes/number-id"},
		{`{"account-id": "` + account1 + `", "message": "x", "target": "+14155550177", "organization-id": "` + org2 + `"}`, "/data/attributes/organization-id"},
		{`{"account-id": "` + account1 + `", "message": "x", "target": "+14155550177", "expected-responses": [1]}`, "/data/attributes/expected-responses/0"},
		{`{"account-id": "` + account1 + `", "message": "x", "target": "+14155550177", "status": "sent"}`, ""},
	} {
		st := 400
		r := call(t, env, adminToken, "POST", "/v1/texts/", resourceDoc("texts", "", tc.attrs))
		if tc.pointer == "" { // read-only attributes are ignored
			st = 201
		}
		require.Equal(t, st, r.Status, r.Body)
		if st == 400 {
			assert.Equal(t, tc.pointer, decode(t, r).Errors[0].Source["pointer"], tc.attrs)
		} else {
			assert.Equal(t, "accepted", one(t, r).Attributes["status"])
			before = storeState(t, env)
		}
	}
	assert.Equal(t, before, storeState(t, env))
	// An account without numbers cannot send.
	acct := mustOne(t, env, adminToken, "POST", "/v1/text-accounts/", resourceDoc("text-accounts", "", `{"organization-id": "`+org1+`"}`), 201)
	_, ptr, _ := mustFail(t, env, adminToken, "POST", "/v1/texts/", resourceDoc("texts", "", `{"account-id": "`+acct.ID+`", "message": "x", "target": "+14155550177"}`), 400)
	assert.Equal(t, "/data/attributes/account-id", ptr)
	_, _, param := mustFail(t, env, adminToken, "GET", "/v1/texts/", "", 400)
	assert.Equal(t, "account-id", param)
	_, _, param = mustFail(t, env, adminToken, "GET", "/v1/texts/?account-id="+account1+"&filter[target]=4155550177", "", 400)
	assert.Equal(t, "filter[target]", param)
	for _, p := range []string{"phone-number", "filter[phone-number]"} {
		_, _, param = mustFail(t, env, adminToken, "GET", "/v1/text-account-numbers/?"+p+"=front-desk", "", 400)
		assert.Equal(t, p, param)
	}
	assert.Equal(t, []string{number1}, ids(mustMany(t, env, adminToken, "/v1/text-account-numbers/?filter[phone-number]=%2B14155550111")))
}

// TestReceiveLogFixture pins the one receive log of the fixtures.
func TestReceiveLogFixture(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	want := `{"data": {"attributes": {"created-at": "2026-01-06T09:30:00.000000+00:00", "message": "Yes, see you Friday.",
		"sender": "+14155550132", "sid": "SM00000000000000000000000000000001", "to": "+14155550111"},
		"id": "SM00000000000000000000000000000001", "type": "text-receive-logs"}, "meta": {}}`
	for _, id := range []string{receiveLogSID, strings.ToLower(receiveLogSID)} {
		r := callWant(t, env, org1Token, "GET", "/v1/text-receive-logs/"+id+"/", "", 200)
		assert.JSONEq(t, want, r.Body)
		assert.True(t, strings.Index(r.Body, `"created-at"`) < strings.Index(r.Body, `"message"`) &&
			strings.Index(r.Body, `"sid"`) < strings.Index(r.Body, `"to"`), "attributes in the docs' order: %s", r.Body)
	}
	mustFail(t, env, org1Token, "GET", "/v1/text-receive-logs/SM404/", "", 404)
	// An org2 receive log stays out of org1's reach.
	mustOne(t, env, adminToken, "POST", "/v1/texts/"+text2+"/callback/", `{"Body": "ok", "MessageSid": "SMorg2"}`, 201)
	mustOne(t, env, adminToken, "GET", "/v1/text-receive-logs/SMorg2/", "", 200)
	mustFail(t, env, org1Token, "GET", "/v1/text-receive-logs/SMorg2/", "", 404)
	mustFail(t, env, "", "GET", "/v1/text-receive-logs/"+receiveLogSID+"/", "", 401)
}

// TestNumberInfo: look-ups are answered at once and listed by number.
func TestNumberInfo(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	info := mustOne(t, env, org1Token, "POST", "/v1/text-number-info/", resourceDoc("text-number-info", "", `{"number": "+14155550111"}`), 201)
	assert.Equal(t, "voip", info.Attributes["type"], "one of the emulator's own numbers")
	assert.Equal(t, "completed", info.Attributes["status"])
	mobile := mustOne(t, env, org1Token, "POST", "/v1/text-number-info/", resourceDoc("text-number-info", "", `{"number": "+14155550132", "reresolve": true}`), 201)
	assert.Equal(t, "mobile", mobile.Attributes["type"])
	assert.Equal(t, "310", mobile.Attributes["mobile-country-code"])
	assert.NotContains(t, mobile.Attributes, "reresolve")
	assert.Equal(t, []string{numberInfo1, mobile.ID}, ids(mustMany(t, env, adminToken, "/v1/text-number-info/?number=%2B14155550132")))
	assert.Equal(t, "landline", mustOne(t, env, org1Token, "POST", "/v1/text-number-info/", resourceDoc("text-number-info", "", `{"number": "+12125550143"}`), 201).Attributes["type"])
	assert.Equal(t, "mobile", mustOne(t, env, org1Token, "GET", "/v1/text-number-info/"+numberInfo1+"/", "", 200).Attributes["type"])
	_, _, param := mustFail(t, env, org1Token, "GET", "/v1/text-number-info/?number=%2B4930123456", "", 400)
	assert.Equal(t, "number", param)
	mustFail(t, env, org1Token, "GET", "/v1/text-number-info/", "", 400)
	for _, n := range []string{`"+4930123456"`, `"4155550132"`, `42`, `null`} {
		_, ptr, _ := mustFail(t, env, org1Token, "POST", "/v1/text-number-info/", resourceDoc("text-number-info", "", `{"number": `+n+`}`), 400)
		assert.Equal(t, "/data/attributes/number", ptr, n)
	}
}

// TestNumberMaps: a user of the organization maps to one of its
// numbers once; other organizations are out of reach.
func TestNumberMaps(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	m := mustOne(t, env, adminToken, "POST", "/v1/text-user-number-maps/", resourceDoc("text-user-number-maps", "",
		`{"number-id": "`+number1+`", "organization-id": "`+org1+`", "user-id": "`+adminUser+`"}`), 201)
	assert.Equal(t, map[string]any{"created-at": "2026-01-15T12:00:00.000000+00:00", "number-id": number1,
		"organization-id": org1, "user-id": adminUser}, m.Attributes)
	assert.Equal(t, []string{map1, m.ID}, ids(mustMany(t, env, adminToken, "/v1/text-user-number-maps/?filter[number-id]="+number1)))
	assert.Equal(t, []string{m.ID}, ids(mustMany(t, env, adminToken, "/v1/text-user-number-maps/?filter[organization-id]="+org1+"&filter[user-id]="+adminUser)))
	code, _, _ := mustFail(t, env, adminToken, "POST", "/v1/text-user-number-maps/", resourceDoc("text-user-number-maps", "",
		`{"number-id": "`+number1+`", "organization-id": "`+org1+`", "user-id": "`+adminUser+`"}`), 409)
	assert.Equal(t, "Conflict", code)
	d := decode(t, call(t, env, adminToken, "POST", "/v1/text-user-number-maps/", resourceDoc("text-user-number-maps", "",
		`{"number-id": "`+number1+`", "organization-id": "`+org1+`", "user-id": "`+adminUser+`"}`)))
	assert.Equal(t, m.ID, d.Errors[0].Meta["id"])
	before := storeState(t, env)
	for _, tc := range []struct{ attrs, pointer string }{
		{`{"number-id": "` + number2 + `", "organization-id": "` + org1 + `", "user-id": "` + adminUser + `"}`, "/data/attributes/number-id"},
		{`{"number-id": "` + number2 + `", "organization-id": "` + org2 + `", "user-id": "` + org1User + `"}`, "/data/attributes/user-id"},
		{`{"number-id": "` + number1 + `", "organization-id": "` + org1 + `"}`, "/data/attributes/user-id"},
		{`{"number-id": "nope", "organization-id": "` + org1 + `", "user-id": "` + adminUser + `"}`, "/data/attributes/number-id"},
	} {
		_, ptr, _ := mustFail(t, env, adminToken, "POST", "/v1/text-user-number-maps/", resourceDoc("text-user-number-maps", "", tc.attrs), 400)
		assert.Equal(t, tc.pointer, ptr, tc.attrs)
	}
	_, ptr, _ := mustFail(t, env, org1Token, "POST", "/v1/text-user-number-maps/", resourceDoc("text-user-number-maps", "",
		`{"number-id": "`+number2+`", "organization-id": "`+org2+`", "user-id": "`+adminUser+`"}`), 403)
	assert.Equal(t, "/data/attributes/organization-id", ptr)
	_, _, param := mustFail(t, env, org1Token, "GET", "/v1/text-user-number-maps/?filter[organization-id]="+org2, "", 403)
	assert.Equal(t, "filter[organization-id]", param)
	assert.Equal(t, before, storeState(t, env))
}

// TestTextScoping: an org1 user never reaches org2's texting records.
func TestTextScoping(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	for _, path := range []string{
		"/v1/text-accounts/" + account2 + "/",
		"/v1/text-account-numbers/" + number2 + "/",
		"/v1/text-user-number-maps/" + map2 + "/",
		"/v1/texts/" + text2 + "/",
		"/v1/text-accounts/" + "80000000-0000-4000-8000-0000000000ff" + "/",
	} {
		code, _, _ := mustFail(t, env, org1Token, "GET", path, "", 404)
		assert.Equal(t, "NotFound", code)
	}
	before := storeState(t, env)
	for _, tc := range []struct{ method, path, body string }{
		{"POST", "/v1/text-accounts/" + account2 + "/claim-number/", `{"notes": "x"}`},
		{"PATCH", "/v1/text-accounts/" + account2 + "/", resourceDoc("text-accounts", account2, `{"allow-custom-number": false}`)},
		{"POST", "/v1/text-account-numbers/" + number2 + "/reset-logs/", `{}`},
		{"PATCH", "/v1/text-account-numbers/" + number2 + "/", resourceDoc("text-account-numbers", number2, `{"notes": "x"}`)},
		{"POST", "/v1/texts/" + text2 + "/callback/", `{"MessageStatus": "failed"}`},
	} {
		mustFail(t, env, org1Token, tc.method, tc.path, tc.body, 404)
	}
	_, _, param := mustFail(t, env, org1Token, "GET", "/v1/text-accounts/?organization-id="+org2, "", 403)
	assert.Equal(t, "organization-id", param)
	mustFail(t, env, org1Token, "POST", "/v1/text-accounts/", resourceDoc("text-accounts", "", `{"organization-id": "`+org2+`"}`), 403)
	_, ptr, _ := mustFail(t, env, org1Token, "POST", "/v1/texts/", resourceDoc("texts", "", `{"account-id": "`+account2+`", "message": "x", "target": "+14155550177"}`), 400)
	assert.Equal(t, "/data/attributes/account-id", ptr)
	mustFail(t, env, org1Token, "POST", "/v1/text-account-numbers/", resourceDoc("text-account-numbers", "", `{"account-id": "`+account2+`"}`), 400)
	assert.Equal(t, before, storeState(t, env))
	assert.Equal(t, []string{account1}, ids(mustMany(t, env, org1Token, "/v1/text-accounts/")))
	assert.Empty(t, mustMany(t, env, org1Token, "/v1/texts/?account-id="+account2))
	assert.Empty(t, mustMany(t, env, org1Token, "/v1/text-number-logs/?number-id="+number2))
	assert.Equal(t, []string{number1}, ids(mustMany(t, env, org1Token, "/v1/text-account-numbers/")))
	assert.Equal(t, []string{account1, account2}, ids(mustMany(t, env, adminToken, "/v1/text-accounts/")))
}

package courier_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestAlexa: the skill webhook, reminders synced through a
// subscription, and proactive events limited to the registered ones.
func TestAlexa(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	r := callWant(t, env, org1Token, "POST", "/v1/ask-entries/", `{"version": "1.0", "session": {"new": true},
		"request": {"type": "IntentRequest", "timestamp": "2026-01-15T12:00:00Z", "intent": {"name": "NextAppointment"}}}`, 200)
	assert.JSONEq(t, `{}`, r.Body)
	before := storeState(t, env)
	for _, tc := range []struct{ body, pointer string }{
		{`{}`, "/request"},
		{`{"request": "launch"}`, "/request"},
		{`{"request": {"timestamp": "2026-01-15T12:00:00Z"}}`, "/request/type"},
		{`{"request": {"type": "LaunchRequest", "timestamp": "yesterday"}}`, "/request/timestamp"},
	} {
		_, ptr, _ := mustFail(t, env, org1Token, "POST", "/v1/ask-entries/", tc.body, 400)
		assert.Equal(t, tc.pointer, ptr, tc.body)
	}
	mustFail(t, env, org1Token, "POST", "/v1/ask-entries/", `[1]`, 400)
	mustFail(t, env, org1Token, "POST", "/v1/ask-entries/", `{"request": {"type": "AlexaSkillEvent.ProactiveSubscriptionChanged"}}`, 400)
	assert.Equal(t, before, storeState(t, env))

	// Alexa tells which events the user subscribed to (only subscriptions the caller sees change).
	callWant(t, env, org1Token, "POST", "/v1/ask-entries/", `{"context": {"System": {"user": {"userId": "amzn1.ask.account.OLIVIA"}}},
		"request": {"type": "AlexaSkillEvent.ProactiveSubscriptionChanged", "body": {"subscriptions": [{"eventName": "AMAZON.MessageAlert.Activated"}]}}}`, 200)
	assert.Equal(t, []any{"AMAZON.MessageAlert.Activated"}, mustOne(t, env, org1Token, "GET", "/v1/ask-subscriptions/"+sub1+"/", "", 200).Attributes["registered-events"])
	callWant(t, env, org1Token, "POST", "/v1/ask-entries/", `{"context": {"System": {"user": {"userId": "amzn1.ask.account.ALICE"}}},
		"request": {"type": "AlexaSkillEvent.ProactiveSubscriptionChanged", "body": {"subscriptions": []}}}`, 200)
	assert.Equal(t, []any{"AMAZON.MessageAlert.Activated"}, mustOne(t, env, adminToken, "GET", "/v1/ask-subscriptions/"+sub2+"/", "", 200).Attributes["registered-events"])
	callWant(t, env, org1Token, "POST", "/v1/ask-entries/", `{"context": {"System": {"user": {"userId": "amzn1.ask.account.OLIVIA"}}},
		"request": {"type": "AlexaSkillEvent.ProactiveSubscriptionChanged", "body": {"subscriptions": [{"eventName": "AMAZON.MessageAlert.Activated"}, {"eventName": "AMAZON.Occasion.Updated"}]}}}`, 200)

	// Olivia's user is subscribed: her reminder syncs; Pat has no user.
	liv := mustOne(t, env, adminToken, "POST", "/v1/ask-reminders/", resourceDoc("ask-reminders", "", `{"individual-id": "`+indOlivia+`",
		"name": "Stand-up", "reminder-content": "Team stand-up.", "reminder-rrule": "FREQ=WEEKLY;BYDAY=MO", "reminder-time-local": "09:00", "tz-info": "America/Los_Angeles"}`), 201)
	assert.Equal(t, true, liv.Attributes["synced-to-alexa"])
	assert.Equal(t, sub1, liv.Attributes["account-id"])
	assert.Len(t, liv.Attributes["alexa-reminder-id"], 36)
	assert.Equal(t, adminUser, liv.Attributes["created-by"])
	pat := mustOne(t, env, adminToken, "POST", "/v1/ask-reminders/", resourceDoc("ask-reminders", "", `{"individual-id": "`+indPat+`",
		"reminder-content": "Water the plants.", "reminder-time-local": "18:00"}`), 201)
	assert.Equal(t, false, pat.Attributes["synced-to-alexa"])
	assert.Nil(t, pat.Attributes["account-id"])
	assert.Equal(t, []string{reminder1, pat.ID}, ids(mustMany(t, env, adminToken, "/v1/ask-reminders/?individual-id="+indPat)))
	pat = mustOne(t, env, adminToken, "PATCH", "/v1/ask-reminders/"+pat.ID+"/", resourceDoc("ask-reminders", pat.ID, `{"reminder-rrule": "FREQ=DAILY;COUNT=5", "tz-info": "UTC"}`), 200)
	assert.Equal(t, "FREQ=DAILY;COUNT=5", pat.Attributes["reminder-rrule"])
	before = storeState(t, env)
	for _, tc := range []struct{ method, path, doc, pointer string }{
		{"POST", "/v1/ask-reminders/", resourceDoc("ask-reminders", "", `{"individual-id": "`+indPat+`", "reminder-content": "x", "reminder-time-local": "08:00", "reminder-rrule": "every day"}`), "/data/attributes/reminder-rrule"},
		{"POST", "/v1/ask-reminders/", resourceDoc("ask-reminders", "", `{"individual-id": "`+indPat+`", "reminder-content": "x", "reminder-time-local": "8am"}`), "/data/attributes/reminder-time-local"},
		{"POST", "/v1/ask-reminders/", resourceDoc("ask-reminders", "", `{"individual-id": "`+indPat+`", "reminder-content": "x", "reminder-time-local": "08:00", "tz-info": "Mars"}`), "/data/attributes/tz-info"},
		{"POST", "/v1/ask-reminders/", resourceDoc("ask-reminders", "", `{"individual-id": "`+indPat+`", "reminder-time-local": "08:00"}`), "/data/attributes/reminder-content"},
		{"POST", "/v1/ask-reminders/", resourceDoc("ask-reminders", "", `{"reminder-content": "x", "reminder-time-local": "08:00"}`), "/data/attributes/individual-id"},
		{"PATCH", "/v1/ask-reminders/" + reminder1 + "/", resourceDoc("ask-reminders", reminder1, `{"reminder-rrule": "FREQ=HOURLY;BYWHEN=1"}`), "/data/attributes/reminder-rrule"},
		{"PATCH", "/v1/ask-reminders/" + reminder1 + "/", resourceDoc("ask-reminders", reminder1, `{"synced-to-alexa": "yes", "name": 5}`), "/data/attributes/name"},
	} {
		_, ptr, _ := mustFail(t, env, adminToken, tc.method, tc.path, tc.doc, 400)
		assert.Equal(t, tc.pointer, ptr, tc.doc)
	}
	_, ptr, _ := mustFail(t, env, org1Token, "POST", "/v1/ask-reminders/", resourceDoc("ask-reminders", "",
		`{"individual-id": "`+indRalph+`", "reminder-content": "x", "reminder-time-local": "08:00"}`), 400)
	assert.Equal(t, "/data/attributes/individual-id", ptr)
	mustFail(t, env, org1Token, "GET", "/v1/ask-reminders/"+reminder2+"/", "", 404)
	mustFail(t, env, org1Token, "PATCH", "/v1/ask-reminders/"+reminder2+"/", resourceDoc("ask-reminders", reminder2, `{"name": "x"}`), 404)
	assert.Empty(t, mustMany(t, env, org1Token, "/v1/ask-reminders/?individual-id="+indRalph))
	assert.Equal(t, before, storeState(t, env), "refused reminder requests change nothing")

	// Subscriptions send only the events they registered.
	assert.JSONEq(t, `{}`, callWant(t, env, org1Token, "POST", "/v1/ask-subscriptions/"+sub1+"/send/",
		`{"event": {"name": "AMAZON.Occasion.Updated", "payload": {}}}`, 201).Body)
	assert.Equal(t, "2026-01-15T12:00:00.000000+00:00", mustOne(t, env, org1Token, "GET", "/v1/ask-subscriptions/"+sub1+"/", "", 200).Attributes["last-modified-at"])
	before = storeState(t, env)
	for _, tc := range []struct{ body, pointer string }{
		{`{"event": {"name": "AMAZON.WeatherAlert.Activated", "payload": {}}}`, "/event/name"},
		{`{"event": {"payload": {}}}`, "/event/name"},
		{`{"event": "alert"}`, "/event"},
		{`{}`, "/event"},
		{`{"event": {"name": "AMAZON.Occasion.Updated", "payload": []}}`, "/event/payload"},
		{`{"event": {"name": "AMAZON.Occasion.Updated"}, "expire": 10}`, "/expire"},
		{`{"event": {"name": "AMAZON.Occasion.Updated"}, "expire": 1e30}`, "/expire"},
		{`{"event": {"name": "AMAZON.Occasion.Updated"}, "localized": {}}`, "/localized"},
	} {
		_, ptr, _ := mustFail(t, env, org1Token, "POST", "/v1/ask-subscriptions/"+sub1+"/send/", tc.body, 400)
		assert.Equal(t, tc.pointer, ptr, tc.body)
	}
	mustFail(t, env, org1Token, "POST", "/v1/ask-subscriptions/"+sub2+"/send/", `{"event": {"name": "AMAZON.MessageAlert.Activated"}}`, 404)
	mustFail(t, env, org1Token, "GET", "/v1/ask-subscriptions/"+sub2+"/", "", 404)
	_, _, param := mustFail(t, env, org1Token, "GET", "/v1/ask-subscriptions/?organization-id="+org2, "", 403)
	assert.Equal(t, "organization-id", param)
	_, _, param = mustFail(t, env, org1Token, "GET", "/v1/ask-subscriptions/", "", 400)
	assert.Equal(t, "organization-id", param)
	assert.Equal(t, []string{sub2}, ids(mustMany(t, env, adminToken, "/v1/ask-subscriptions/?organization-id="+org2+"&filter[user-id]="+adminUser)))
	assert.Equal(t, before, storeState(t, env))
}

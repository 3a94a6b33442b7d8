package courier_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestVoiceQueue: a call to the IVR joins the setting's queue; the
// refresh task renumbers the queue and reports it as a voice task.
func TestVoiceQueue(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	r := callWant(t, env, adminToken, "POST", "/v1/voice-ivrs/"+setting1+"/twiml/", `{"CallSid": "CA1", "From": "+14155550150", "Digits": 1}`, 201)
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	var tw struct {
		TwiML string `json:"twiml"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.Body), &tw))
	assert.Equal(t, `<?xml version="1.0" encoding="UTF-8"?><Response><Say>This call may be recorded.</Say>`+
		`<Say>Please hold; a nurse will be with you shortly.</Say><Enqueue>`+setting1+`</Enqueue></Response>`, tw.TwiML)
	entries := mustMany(t, env, adminToken, "/v1/voice-queue-entries/?setting-id="+setting1)
	require.Len(t, entries, 3)
	caller := entries[2]
	assert.Equal(t, "+14155550150", caller.Attributes["phone-number"])
	assert.EqualValues(t, 3, caller.Attributes["position"])
	assert.Equal(t, "waiting", caller.Attributes["state"])

	env.Deps.Clock.Advance(2 * time.Minute)
	task := mustOne(t, env, adminToken, "POST", "/v1/voice-settings/"+setting1+"/run-task/", `{"method": "refresh_queue_entries", "kwargs": {"reason": "test"}}`, 201)
	assert.Equal(t, "voice-tasks", task.Type)
	assert.Equal(t, map[string]any{"created-at": "2026-01-15T12:02:00.000000+00:00", "created-by": adminUser, "error-message": nil,
		"kwargs": map[string]any{"reason": "test"}, "method": "refresh_queue_entries", "result": map[string]any{"entries": float64(3)},
		"setting": map[string]any{"id": setting1}, "state": "completed"}, task.Attributes)
	assert.Equal(t, task, mustOne(t, env, adminToken, "GET", "/v1/voice-tasks/"+task.ID+"/", "", 200))
	caller = mustOne(t, env, adminToken, "GET", "/v1/voice-queue-entries/"+caller.ID+"/", "", 200)
	assert.EqualValues(t, 120, caller.Attributes["queue-time"])
	first := mustOne(t, env, adminToken, "GET", "/v1/voice-queue-entries/"+entry1+"/", "", 200)
	assert.EqualValues(t, 1, first.Attributes["position"])
	assert.EqualValues(t, 720, first.Attributes["queue-time"])

	// A setting with a forward number forwards instead of queueing.
	r = callWant(t, env, adminToken, "POST", "/v1/voice-ivrs/"+setting2+"/twiml/", `{"From": "+12125550111"}`, 201)
	assert.Contains(t, r.Body, `<Dial>+12125550199</Dial>`)
	assert.Len(t, mustMany(t, env, adminToken, "/v1/voice-queue-entries/?setting-id="+setting2), 1)

	before := storeState(t, env)
	for _, tc := range []struct{ path, body, pointer string }{
		{"/v1/voice-ivrs/" + setting1 + "/twiml/", `{"From": "anonymous"}`, "/From"},
		{"/v1/voice-settings/" + setting1 + "/run-task/", `{"method": "reboot"}`, "/method"},
		{"/v1/voice-settings/" + setting1 + "/run-task/", `{}`, "/method"},
		{"/v1/voice-settings/" + setting1 + "/run-task/", `{"method": "refresh_queue_entries", "kwargs": []}`, "/kwargs"},
	} {
		_, ptr, _ := mustFail(t, env, adminToken, "POST", tc.path, tc.body, 400)
		assert.Equal(t, tc.pointer, ptr, tc.body)
	}
	mustFail(t, env, adminToken, "POST", "/v1/voice-ivrs/86000000-0000-4000-8000-0000000000ff/twiml/", `{}`, 404)
	mustFail(t, env, org1Token, "POST", "/v1/voice-ivrs/"+setting2+"/twiml/", `{}`, 404)
	mustFail(t, env, org1Token, "POST", "/v1/voice-settings/"+setting2+"/run-task/", `{"method": "refresh_queue_entries"}`, 404)
	mustFail(t, env, org1Token, "GET", "/v1/voice-tasks/"+task2+"/", "", 404)
	mustFail(t, env, org1Token, "GET", "/v1/voice-queue-entries/"+entry3+"/", "", 404)
	assert.Empty(t, mustMany(t, env, org1Token, "/v1/voice-queue-entries/?setting-id="+setting2))
	assert.Equal(t, before, storeState(t, env))
}

// TestVoiceSettingsAndAgents: settings take their organization from the
// text account; agents are individuals of it, once each.
func TestVoiceSettingsAndAgents(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	s := mustOne(t, env, adminToken, "POST", "/v1/voice-settings/", resourceDoc("voice-settings", "", `{"account-id": "`+account1+`", "wait-message": "Hold."}`), 201)
	assert.Equal(t, org1, s.Attributes["organization-id"])
	assert.Equal(t, "+14155550111", s.Attributes["phone-number"], "the account's number by default")
	assert.Equal(t, account1, s.Attributes["account-id"])
	assert.True(t, idSet(mustMany(t, env, org1Token, "/v1/voice-settings/?organization-id="+org1))[s.ID])
	s = mustOne(t, env, adminToken, "PATCH", "/v1/voice-settings/"+s.ID+"/", resourceDoc("voice-settings", s.ID,
		`{"forward-number": {"after-hours": "+14155550100"}, "recording-enabled": true}`), 200)
	assert.Equal(t, map[string]any{"after-hours": "+14155550100"}, s.Attributes["forward-number"])
	s = mustOne(t, env, adminToken, "PATCH", "/v1/voice-settings/"+s.ID+"/", resourceDoc("voice-settings", s.ID, `{"forward-number": "+14155550100"}`), 200)
	assert.Equal(t, "+14155550100", s.Attributes["forward-number"])

	agent := mustOne(t, env, adminToken, "POST", "/v1/voice-queue-agents/", resourceDoc("voice-queue-agents", "",
		`{"individual-id": "`+indAlice+`", "setting-id": "`+setting1+`", "use-pstn": true, "phone-number": "+14155550101"}`), 201)
	assert.Regexp(t, `^[0-9a-f]{64}$`, agent.Attributes["access-token"])
	assert.Equal(t, map[string]any{"id": setting1}, agent.Attributes["setting"])
	assert.Equal(t, map[string]any{"id": adminUser}, agent.Attributes["user"])
	assert.Nil(t, agent.Attributes["call"])
	assert.NotContains(t, agent.Attributes, "use-pstn")
	assert.Equal(t, []string{agent1, agent.ID}, ids(mustMany(t, env, adminToken, "/v1/voice-queue-agents/?setting-id="+setting1)))
	pat := mustOne(t, env, adminToken, "POST", "/v1/voice-queue-agents/", resourceDoc("voice-queue-agents", "",
		`{"individual-id": "`+indPat+`", "setting-id": "`+setting1+`"}`), 201)
	assert.Nil(t, pat.Attributes["user"], "Pat has no user")

	before := storeState(t, env)
	code, _, _ := mustFail(t, env, adminToken, "POST", "/v1/voice-queue-agents/", resourceDoc("voice-queue-agents", "",
		`{"individual-id": "`+indAlice+`", "setting-id": "`+setting1+`"}`), 409)
	assert.Equal(t, "Conflict", code)
	for _, tc := range []struct{ path, doc, pointer string }{
		{"/v1/voice-queue-agents/", resourceDoc("voice-queue-agents", "", `{"individual-id": "`+indRalph+`", "setting-id": "`+setting1+`"}`), "/data/attributes/individual-id"},
		{"/v1/voice-queue-agents/", resourceDoc("voice-queue-agents", "", `{"individual-id": "`+indQuinn+`", "setting-id": "`+setting1+`", "use-pstn": true}`), "/data/attributes/phone-number"},
		{"/v1/voice-queue-agents/", resourceDoc("voice-queue-agents", "", `{"individual-id": "`+indQuinn+`"}`), "/data/attributes/setting-id"},
		{"/v1/voice-settings/", resourceDoc("voice-settings", "", `{"account-id": "`+account1+`", "forward-number": "front desk"}`), "/data/attributes/forward-number"},
		{"/v1/voice-settings/", resourceDoc("voice-settings", "", `{"account-id": "`+account1+`", "forward-number": 5}`), "/data/attributes/forward-number"},
		{"/v1/voice-settings/", resourceDoc("voice-settings", "", `{"account-id": "`+account1+`", "phone-number": "555"}`), "/data/attributes/phone-number"},
		{"/v1/voice-settings/", resourceDoc("voice-settings", "", `{"account-id": "`+account1+`", "organization-id": "`+org1+`", "colour": 1}`), "/data/attributes/colour"},
		{"/v1/voice-settings/", resourceDoc("voice-settings", "", `{"wait-message": "x"}`), "/data/attributes/account-id"},
	} {
		_, ptr, _ := mustFail(t, env, adminToken, "POST", tc.path, tc.doc, 400)
		assert.Equal(t, tc.pointer, ptr, tc.doc)
	}
	mustFail(t, env, org1Token, "POST", "/v1/voice-settings/", resourceDoc("voice-settings", "", `{"account-id": "`+account2+`"}`), 400)
	mustFail(t, env, org1Token, "GET", "/v1/voice-settings/"+setting2+"/", "", 404)
	mustFail(t, env, org1Token, "PATCH", "/v1/voice-settings/"+setting2+"/", resourceDoc("voice-settings", setting2, `{"wait-message": "x"}`), 404)
	mustFail(t, env, org1Token, "GET", "/v1/voice-queue-agents/"+agent2+"/", "", 404)
	_, _, param := mustFail(t, env, org1Token, "GET", "/v1/voice-settings/?organization-id="+org2, "", 403)
	assert.Equal(t, "organization-id", param)
	_, _, param = mustFail(t, env, org1Token, "GET", "/v1/voice-settings/", "", 400)
	assert.Equal(t, "organization-id", param)
	mustFail(t, env, adminToken, "GET", "/v1/voice-queue-agents/", "", 400)
	assert.Equal(t, before, storeState(t, env))
}

// TestConferences: a conference dials its individual; credentials are
// fresh tokens while it runs.
func TestConferences(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	conf := mustOne(t, env, adminToken, "POST", "/v1/voice-conferences/", resourceDoc("voice-conferences", "",
		`{"individual-id": "`+indQuinn+`", "organization-id": "`+org1+`"}`), 201)
	assert.Equal(t, map[string]any{"created-at": "2026-01-15T12:00:00.000000+00:00", "created-by": adminUser,
		"last-modified-at": "2026-01-15T12:00:00.000000+00:00", "organization-id": org1, "state": "running"}, conf.Attributes)
	logs := mustMany(t, env, adminToken, "/v1/voice-dial-logs/?organization-id="+org1+"&filter[conference-id]="+conf.ID)
	require.Len(t, logs, 1)
	assert.Equal(t, indQuinn, logs[0].Attributes["individual-id"])
	assert.Equal(t, "initiated", logs[0].Attributes["status"])
	assert.Equal(t, []string{conf.ID}, ids(mustMany(t, env, adminToken, "/v1/voice-conferences/?organization-id="+org1+"&filter[individual-id]="+indQuinn)))
	assert.Equal(t, []string{conf.ID}, ids(mustMany(t, env, adminToken, "/v1/voice-conferences/?organization-id="+org1+"&filter[states]=running")))
	assert.Equal(t, []string{conference1}, ids(mustMany(t, env, adminToken, "/v1/voice-conferences/?organization-id="+org1+"&filter[states]=completed")))
	var a, b struct {
		AccessToken string `json:"access-token"`
	}
	credPath := "/v1/voice-conferences/" + conf.ID + "/get-credentials/?individual-id=" + indAlice
	require.NoError(t, json.Unmarshal([]byte(callWant(t, env, adminToken, "GET", credPath, "", 200).Body), &a))
	require.NoError(t, json.Unmarshal([]byte(callWant(t, env, adminToken, "GET", credPath, "", 200).Body), &b))
	assert.Len(t, a.AccessToken, 64)
	assert.NotEqual(t, a.AccessToken, b.AccessToken)
	// Ended conferences and strangers get no credentials.
	mustFail(t, env, adminToken, "GET", "/v1/voice-conferences/"+conference1+"/get-credentials/?individual-id="+indPat, "", 400)
	mustFail(t, env, adminToken, "GET", "/v1/voice-conferences/"+conf.ID+"/get-credentials/?individual-id="+indRalph, "", 400)
	mustFail(t, env, adminToken, "GET", "/v1/voice-conferences/"+conf.ID+"/get-credentials/", "", 400)
	mustFail(t, env, org1Token, "GET", "/v1/voice-conferences/"+conference2+"/get-credentials/?individual-id="+indRalph, "", 404)
	mustFail(t, env, org1Token, "GET", "/v1/voice-conferences/"+conference2+"/", "", 404)
	mustFail(t, env, org1Token, "GET", "/v1/voice-dial-logs/"+dialLog2+"/", "", 404)
	mustFail(t, env, org1Token, "GET", "/v1/voice-dial-logs/?organization-id="+org2, "", 403)
	mustFail(t, env, org1Token, "GET", "/v1/voice-conferences/?organization-id="+org2, "", 403)
	mustFail(t, env, org1Token, "POST", "/v1/voice-conferences/", resourceDoc("voice-conferences", "", `{"individual-id": "`+indRalph+`", "organization-id": "`+org2+`"}`), 403)
	_, ptr, _ := mustFail(t, env, adminToken, "POST", "/v1/voice-conferences/", resourceDoc("voice-conferences", "", `{"individual-id": "`+indRalph+`", "organization-id": "`+org1+`"}`), 400)
	assert.Equal(t, "/data/attributes/individual-id", ptr)
	mustFail(t, env, adminToken, "GET", "/v1/voice-conferences/?organization-id="+org1+"&filter[states]=ringing", "", 400)
}

// TestRecordingsSurveysTTS: lists by state, scoping and validation.
func TestRecordingsSurveysTTS(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	assert.Equal(t, []string{recording2}, ids(mustMany(t, env, adminToken, "/v1/voice-recordings/?organization-id="+org2+"&filter[states]=inprogress")))
	assert.Empty(t, mustMany(t, env, adminToken, "/v1/voice-recordings/?organization-id="+org2+"&filter[states]=completed"))
	assert.Equal(t, []string{recording1}, ids(mustMany(t, env, org1Token, "/v1/voice-recordings/?organization-id="+org1+"&filter[setting-id]="+setting1)))
	mustFail(t, env, org1Token, "GET", "/v1/voice-recordings/"+recording2+"/", "", 404)
	mustFail(t, env, org1Token, "GET", "/v1/voice-recordings/?organization-id="+org2, "", 403)
	mustFail(t, env, org1Token, "GET", "/v1/voice-recordings/?organization-id="+org1+"&filter[states]=lost", "", 400)

	sv := mustOne(t, env, org1Token, "POST", "/v1/voice-surveys/", resourceDoc("voice-surveys", "",
		`{"individual-id": "`+indPat+`", "organization-id": "`+org1+`", "spec": {"questions": []}}`), 201)
	assert.Equal(t, map[string]any{"created-at": "2026-01-15T12:00:00.000000+00:00", "created-by": org1User,
		"individual-id": indPat, "organization-id": org1, "state": "created"}, sv.Attributes)
	assert.Equal(t, []string{sv.ID}, ids(mustMany(t, env, org1Token, "/v1/voice-surveys/?organization-id="+org1+"&filter[states]=created&filter[individual-id]="+indPat)))
	before := storeState(t, env)
	_, ptr, _ := mustFail(t, env, org1Token, "POST", "/v1/voice-surveys/", resourceDoc("voice-surveys", "", `{"individual-id": "`+indPat+`", "organization-id": "`+org1+`"}`), 400)
	assert.Equal(t, "/data/attributes/spec", ptr)
	_, ptr, _ = mustFail(t, env, org1Token, "POST", "/v1/voice-surveys/", resourceDoc("voice-surveys", "", `{"individual-id": "`+indPat+`", "organization-id": "`+org1+`", "spec": "call"}`), 400)
	assert.Equal(t, "/data/attributes/spec", ptr)
	mustFail(t, env, org1Token, "GET", "/v1/voice-surveys/"+survey2+"/", "", 404)
	assert.Equal(t, before, storeState(t, env))

	tts := mustOne(t, env, org1Token, "POST", "/v1/tts-synthesizers/", resourceDoc("tts-synthesizers", "", `{"text": "Your appointment is tomorrow."}`), 201)
	assert.Equal(t, "tts-synthesizers", tts.Type)
	assert.Empty(t, tts.Attributes, "both attributes are request-only")
	before = storeState(t, env)
	for _, tc := range []struct{ attrs, pointer string }{
		{`{"text": "  "}`, "/data/attributes/text"},
		{`{"locale": "en-US"}`, "/data/attributes/text"},
		{`{"text": "Hi", "locale": "english"}`, "/data/attributes/locale"},
		{`{"text": "Hi", "locale": "EN-us"}`, "/data/attributes/locale"},
		{`{"text": 42}`, "/data/attributes/text"},
	} {
		_, ptr, _ := mustFail(t, env, org1Token, "POST", "/v1/tts-synthesizers/", resourceDoc("tts-synthesizers", "", tc.attrs), 400)
		assert.Equal(t, tc.pointer, ptr, tc.attrs)
	}
	assert.Equal(t, before, storeState(t, env))
	assert.False(t, strings.Contains(callWant(t, env, org1Token, "GET", "/v1/voice-surveys/"+survey1+"/", "", 200).Body, `"spec"`), "spec is request-only")
}

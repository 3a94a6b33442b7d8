package courier_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestVideoDocShape pins the nested objects of a video channel to the
// docs' sample: participants (with their user), appointment, compositions.
func TestVideoDocShape(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	body := callWant(t, env, adminToken, "GET", "/v1/video-channels/"+video1+"/", "", 200).Body
	var d struct {
		Data struct {
			Attributes map[string]json.RawMessage `json:"attributes"`
		} `json:"data"`
		Meta json.RawMessage `json:"meta"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &d))
	assert.JSONEq(t, `{}`, string(d.Meta))
	a := d.Data.Attributes
	assert.Equal(t, []string{"duration", "id", "join-start", "start"}, keyOrder(t, a["appointment"]))
	var parts []json.RawMessage
	require.NoError(t, json.Unmarshal(a["participants"], &parts))
	require.Len(t, parts, 2)
	assert.Equal(t, []string{"account-type", "audio-state", "disconnected", "encounter-id", "first-name", "id", "individual-id",
		"last-name", "note", "photo", "status", "user"}, keyOrder(t, parts[0]))
	var p struct {
		User json.RawMessage `json:"user"`
	}
	require.NoError(t, json.Unmarshal(parts[0], &p))
	assert.Equal(t, []string{"communication-preferences", "email-verified", "id", "phone-verified", "registration-invite", "state"},
		keyOrder(t, p.User))
	assert.JSONEq(t, `{"communication-preferences": {"email": {}, "mobile": {}, "sms": {}, "voice": {}, "web": {}},
		"email-verified": true, "id": "`+adminUser+`", "phone-verified": true, "registration-invite": "accepted", "state": "active"}`, string(p.User))
	body = callWant(t, env, adminToken, "GET", "/v1/video-channels/"+video2+"/", "", 200).Body
	require.NoError(t, json.Unmarshal([]byte(body), &d))
	var comps []json.RawMessage
	require.NoError(t, json.Unmarshal(d.Data.Attributes["compositions"], &comps))
	require.Len(t, comps, 1)
	assert.JSONEq(t, `{"created-at": "2026-01-10T09:15:00.000000+00:00", "duration": 900, "id": "`+composition1+`",
		"last-modified-at": "2026-01-10T09:20:00.000000+00:00", "processing-pct": 100, "processing-status": "completed",
		"size": 112500000, "status": "completed"}`, string(comps[0]))
	assert.Equal(t, []string{"created-at", "duration", "id", "last-modified-at", "processing-pct", "processing-status", "size", "status"},
		keyOrder(t, comps[0]))
}

func videoParticipants(t *testing.T, o object) []map[string]any {
	t.Helper()
	raw, err := json.Marshal(o.Attributes["participants"])
	require.NoError(t, err)
	var ps []map[string]any
	require.NoError(t, json.Unmarshal(raw, &ps))
	return ps
}

func videoParticipantOf(t *testing.T, o object, individual string) map[string]any {
	t.Helper()
	for _, p := range videoParticipants(t, o) {
		if p["individual-id"] == individual {
			return p
		}
	}
	t.Fatalf("no participant %s in %v", individual, o.Attributes["participants"])
	return nil
}

// TestVideoLifecycle: create, join, mute, terminate; a terminated
// channel refuses everyone and keeps its one composition.
func TestVideoLifecycle(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	ch := mustOne(t, env, adminToken, "POST", "/v1/video-channels/", resourceDoc("video-channels", "",
		`{"organization-id": "`+org1+`", "participants": ["`+indAlice+`", "`+indOlivia+`"], "recorded": true}`), 201)
	assert.Equal(t, "video-channels", ch.Type)
	assert.Equal(t, "open", ch.Attributes["channel-state"])
	assert.Equal(t, "direct", ch.Attributes["type"])
	assert.Equal(t, "Northwind Clinic", ch.Attributes["organization-display-name"])
	assert.Equal(t, adminUser, ch.Attributes["created-by"])
	assert.Equal(t, indAlice, ch.Attributes["scheduler-id"])
	require.Len(t, videoParticipants(t, ch), 2)
	alice := videoParticipantOf(t, ch, indAlice)
	assert.Equal(t, "Alice", alice["first-name"])
	assert.Equal(t, "invited", alice["status"])
	require.NotNil(t, alice["user"])
	assert.Equal(t, adminUser, alice["user"].(map[string]any)["id"])
	assert.NotContains(t, ch.Attributes, "with-email") // request-only
	path := "/v1/video-channels/" + ch.ID + "/"

	// Credentials are fresh tokens; a newcomer of the organization joins.
	var c1, c2 struct {
		AccessToken string `json:"access-token"`
		Name        string `json:"name"`
	}
	r := callWant(t, env, adminToken, "GET", path+"get-credentials/?individual-id="+indPat, "", 200)
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	require.NoError(t, json.Unmarshal([]byte(r.Body), &c1))
	require.NoError(t, json.Unmarshal([]byte(callWant(t, env, adminToken, "GET", path+"get-credentials/?individual-id="+indPat, "", 200).Body), &c2))
	assert.Len(t, c1.AccessToken, 64)
	assert.NotEqual(t, c1.AccessToken, c2.AccessToken)
	assert.Equal(t, c1.Name, c2.Name)
	ch = mustOne(t, env, adminToken, "GET", path, "", 200)
	require.Len(t, videoParticipants(t, ch), 3)
	assert.Equal(t, "connected", videoParticipantOf(t, ch, indPat)["status"])
	parts := mustMany(t, env, adminToken, "/v1/video-participants/?individual-id="+indAlice+"&video-channel-id="+ch.ID+"&page[limit]=10&page[offset]=0")
	assert.Len(t, parts, 3)

	// Mute Olivia by her individual id.
	ch = mustOne(t, env, adminToken, "POST", path+"participant-audio-states/",
		`{"participants": [{"id": "`+indOlivia+`", "audio-state": "muted"}]}`, 201)
	assert.Equal(t, "muted", videoParticipantOf(t, ch, indOlivia)["audio-state"])
	assert.Equal(t, "unmuted", videoParticipantOf(t, ch, indAlice)["audio-state"])

	// Five minutes later the call ends.
	env.Deps.Clock.Advance(5 * time.Minute)
	ch = mustOne(t, env, adminToken, "GET", path, "", 200)
	assert.EqualValues(t, 300, ch.Attributes["duration"])
	ch = mustOne(t, env, adminToken, "POST", path+"terminate/", `{}`, 201)
	assert.Equal(t, "terminated", ch.Attributes["channel-state"])
	assert.EqualValues(t, 300, ch.Attributes["duration"])
	for _, p := range videoParticipants(t, ch) {
		assert.Equal(t, true, p["disconnected"])
		assert.Equal(t, "disconnected", p["status"])
	}
	comps := mustMany(t, env, adminToken, "/v1/video-compositions/?video-channel-id="+ch.ID)
	require.Len(t, comps, 1)
	assert.EqualValues(t, 300, comps[0].Attributes["duration"])
	assert.Equal(t, "completed", comps[0].Attributes["status"])
	assert.Equal(t, ch.ID, comps[0].Attributes["video-channel-id"])
	require.Len(t, ch.Attributes["compositions"], 1)

	// A terminated channel refuses new and returning participants.
	env.Deps.Clock.Advance(time.Minute)
	_, _, param := mustFail(t, env, adminToken, "GET", path+"get-credentials/?individual-id="+indQuinn, "", 400)
	assert.Equal(t, "individual-id", param)
	mustFail(t, env, adminToken, "GET", path+"get-credentials/?individual-id="+indAlice, "", 400)
	mustFail(t, env, adminToken, "POST", path+"participant-audio-states/", `{"participants": [{"id": "`+indAlice+`", "audio-state": "muted"}]}`, 400)
	mustFail(t, env, adminToken, "POST", path+"reminder-timer/", `{}`, 400)
	aliceID := videoParticipantOf(t, ch, indAlice)["id"].(string)
	_, ptr, _ := mustFail(t, env, adminToken, "PATCH", "/v1/video-participants/"+aliceID+"/",
		resourceDoc("video-participants", aliceID, `{"disconnected": false}`), 400)
	assert.Equal(t, "/data/attributes/disconnected", ptr)
	mustFail(t, env, adminToken, "PATCH", path, resourceDoc("video-channels", ch.ID, `{"appointment-start": "2026-02-01T10:00:00Z"}`), 400)
	before := storeState(t, env)
	ch = mustOne(t, env, adminToken, "POST", path+"terminate/", `{}`, 201) // again: nothing changes
	assert.Equal(t, before, storeState(t, env))
	assert.EqualValues(t, 300, ch.Attributes["duration"])
	assert.Len(t, mustMany(t, env, adminToken, "/v1/video-compositions/?video-channel-id="+ch.ID), 1)
	require.Len(t, videoParticipants(t, ch), 3)

	// States filter the list of an individual's channels.
	terminated := idSet(mustMany(t, env, adminToken, "/v1/video-channels/?individual-id="+indAlice+"&filter[states]=terminated"))
	assert.True(t, terminated[ch.ID])
	assert.False(t, terminated[video1])
	open := idSet(mustMany(t, env, adminToken, "/v1/video-channels/?individual-id="+indAlice+"&filter[states]=open&filter[states]=scheduled"))
	assert.False(t, open[ch.ID])
	assert.True(t, open[video1])
	// Olivia takes part in it and in the fixture's video 2; Grace in neither.
	assert.Equal(t, map[string]bool{ch.ID: true, video2: true},
		idSet(mustMany(t, env, adminToken, "/v1/video-channels/?individual-id="+indOlivia)))
	assert.Empty(t, mustMany(t, env, adminToken, "/v1/video-channels/?individual-id="+indGrace+"&organization-id="+org1))
}

// TestVideoAppointment: a channel is scheduled until ten minutes before
// its appointment; moving the appointment moves the join window.
func TestVideoAppointment(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	ch := mustOne(t, env, adminToken, "POST", "/v1/video-channels/", resourceDoc("video-channels", "",
		`{"organization-id": "`+org1+`", "participants": ["`+indAlice+`", "`+indPat+`"],
		"appointment": {"duration": 1800, "id": "74000000-0000-4000-8000-0000000000AA", "start": "2026-01-16T10:00:00-08:00"}}`), 201)
	assert.Equal(t, "scheduled", ch.Attributes["channel-state"])
	assert.Equal(t, map[string]any{"duration": float64(1800), "id": "74000000-0000-4000-8000-0000000000aa",
		"join-start": "2026-01-16T17:50:00.000000+00:00", "start": "2026-01-16T18:00:00.000000+00:00"}, ch.Attributes["appointment"])
	assert.True(t, idSet(mustMany(t, env, adminToken, "/v1/video-channels/?individual-id="+indPat+"&filter[states]=scheduled"))[ch.ID])
	path := "/v1/video-channels/" + ch.ID + "/"
	ch = mustOne(t, env, adminToken, "PATCH", path, resourceDoc("video-channels", ch.ID,
		`{"appointment-start": "2026-01-15T12:05:00Z", "appointment-duration": 900, "note": "Bring the list of meds."}`), 200)
	assert.Equal(t, "open", ch.Attributes["channel-state"], "the join window is open")
	assert.Equal(t, "2026-01-15T11:55:00.000000+00:00", ch.Attributes["appointment"].(map[string]any)["join-start"])
	assert.EqualValues(t, 900, ch.Attributes["appointment"].(map[string]any)["duration"])
	assert.Equal(t, "Bring the list of meds.", ch.Attributes["note"])
	assert.NotContains(t, ch.Attributes, "appointment-start")

	// Reminder timer on a live channel: answered with the channel.
	assert.Equal(t, ch.ID, mustOne(t, env, adminToken, "POST", path+"reminder-timer/", `{}`, 201).ID)

	// Another scheduled channel opens when someone joins.
	ch2 := mustOne(t, env, adminToken, "POST", "/v1/video-channels/", resourceDoc("video-channels", "",
		`{"organization-id": "`+org1+`", "participants": ["`+indAlice+`"], "appointment": {"start": "2026-03-01T10:00:00Z"}}`), 201)
	assert.Equal(t, "scheduled", ch2.Attributes["channel-state"])
	callWant(t, env, adminToken, "GET", "/v1/video-channels/"+ch2.ID+"/get-credentials/?individual-id="+indAlice, "", 200)
	assert.Equal(t, "open", mustOne(t, env, adminToken, "GET", "/v1/video-channels/"+ch2.ID+"/", "", 200).Attributes["channel-state"])
}

// TestVideoFinalize: finalizing gives the channel and its participants
// one encounter; the author's note can be copied.
func TestVideoFinalize(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	mustOne(t, env, adminToken, "PATCH", "/v1/video-participants/"+participant1+"/",
		resourceDoc("video-participants", participant1, `{"note": "BP 120/80, stable."}`), 200)
	ch := mustOne(t, env, adminToken, "POST", "/v1/video-channels/"+video1+"/finalize-encounter/",
		`{"service-type-id": "77000000-0000-4000-8000-000000000001", "use-note-from-author-participant": true}`, 201)
	enc, _ := ch.Attributes["encounter-id"].(string)
	require.True(t, len(enc) == 36, "encounter id: %v", ch.Attributes["encounter-id"])
	assert.NotNil(t, ch.Attributes["observation-id"])
	assert.Equal(t, "BP 120/80, stable.", ch.Attributes["note"])
	for _, p := range videoParticipants(t, ch) {
		assert.Equal(t, enc, p["encounter-id"])
	}
	assert.Equal(t, enc, mustOne(t, env, adminToken, "GET", "/v1/video-participants/"+participant2+"/", "", 200).Attributes["encounter-id"])
	again := mustOne(t, env, adminToken, "POST", "/v2/video-channels/"+video1+"/finalize-encounter/", `{}`, 201)
	assert.Equal(t, enc, again.Attributes["encounter-id"], "finalizing twice keeps the encounter")
	// v2 has no use-note member.
	_, ptr, _ := mustFail(t, env, adminToken, "POST", "/v2/video-channels/"+video1+"/finalize-encounter/", `{"use-note-from-author-participant": true}`, 400)
	assert.Equal(t, "/use-note-from-author-participant", ptr)
}

// TestVideoErrors: validation, scoping and refusals of the video family.
func TestVideoErrors(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	before := storeState(t, env)
	for _, tc := range []struct {
		name, attrs, pointer string
	}{
		{"no participants", `{"organization-id": "` + org1 + `"}`, "/data/attributes/participants"},
		{"empty participants", `{"organization-id": "` + org1 + `", "participants": []}`, "/data/attributes/participants"},
		{"participant of another organization", `{"organization-id": "` + org1 + `", "participants": ["` + indRalph + `"]}`, "/data/attributes/participants/0"},
		{"participant not a uuid", `{"organization-id": "` + org1 + `", "participants": [42]}`, "/data/attributes/participants/0"},
		{"unknown participant", `{"organization-id": "` + org1 + `", "participants": ["` + indAlice + `", "3fffffff-0000-4000-8000-000000000000"]}`, "/data/attributes/participants/1"},
		{"subject of another organization", `{"organization-id": "` + org1 + `", "participants": ["` + indAlice + `"], "subject-id": "` + indRalph + `"}`, "/data/attributes/subject-id"},
		{"messaging channel of another organization", `{"organization-id": "` + org1 + `", "participants": ["` + indAlice + `"], "messaging-channel-id": "` + chanGroup2 + `"}`, "/data/attributes/messaging-channel-id"},
		{"bad start", `{"organization-id": "` + org1 + `", "participants": ["` + indAlice + `"], "appointment": {"start": "tomorrow"}}`, "/data/attributes/appointment/start"},
		{"negative duration", `{"organization-id": "` + org1 + `", "participants": ["` + indAlice + `"], "appointment": {"duration": -5}}`, "/data/attributes/appointment/duration"},
		{"no organization", `{"participants": ["` + indAlice + `"]}`, "/data/attributes/organization-id"},
		{"read-only unknown", `{"organization-id": "` + org1 + `", "participants": ["` + indAlice + `"], "color": "red"}`, "/data/attributes/color"},
	} {
		_, ptr, _ := mustFail(t, env, adminToken, "POST", "/v1/video-channels/", resourceDoc("video-channels", "", tc.attrs), 400)
		assert.Equal(t, tc.pointer, ptr, tc.name)
	}
	// Another organization: 403 for its organization-id, 404 for its records.
	code, ptr, _ := mustFail(t, env, org1Token, "POST", "/v1/video-channels/", resourceDoc("video-channels", "",
		`{"organization-id": "`+org2+`", "participants": ["`+indRalph+`"]}`), 403)
	assert.Equal(t, "PermissionDenied", code)
	assert.Equal(t, "/data/attributes/organization-id", ptr)
	_, _, param := mustFail(t, env, org1Token, "GET", "/v1/video-channels/?individual-id="+indRalph+"&organization-id="+org2, "", 403)
	assert.Equal(t, "organization-id", param)
	assert.Empty(t, mustMany(t, env, org1Token, "/v1/video-channels/?individual-id="+indRalph))
	for _, path := range []string{
		"/v1/video-channels/" + video3 + "/",
		"/v1/video-channels/" + video3 + "/get-credentials/?individual-id=" + indRalph,
		"/v1/video-participants/" + participant5 + "/",
		"/v1/video-compositions/" + composition2 + "/",
	} {
		code, _, _ := mustFail(t, env, org1Token, "GET", path, "", 404)
		assert.Equal(t, "NotFound", code, path)
	}
	for _, tc := range []struct{ path, body string }{
		{"/v1/video-channels/" + video3 + "/terminate/", `{}`},
		{"/v1/video-channels/" + video3 + "/finalize-encounter/", `{}`},
		{"/v2/video-channels/" + video3 + "/finalize-encounter/", `{}`},
		{"/v1/video-channels/" + video3 + "/reminder-timer/", `{}`},
		{"/v1/video-channels/" + video3 + "/participant-audio-states/", `{"participants": []}`},
	} {
		mustFail(t, env, org1Token, "POST", tc.path, tc.body, 404)
	}
	mustFail(t, env, org1Token, "PATCH", "/v1/video-channels/"+video3+"/", resourceDoc("video-channels", video3, `{"note": "x"}`), 404)
	mustFail(t, env, org1Token, "PATCH", "/v1/video-participants/"+participant5+"/", resourceDoc("video-participants", participant5, `{"note": "x"}`), 404)
	assert.Empty(t, mustMany(t, env, org1Token, "/v1/video-compositions/?video-channel-id="+video3))
	// Required parameters and bad values.
	_, _, param = mustFail(t, env, adminToken, "GET", "/v1/video-channels/", "", 400)
	assert.Equal(t, "individual-id", param)
	mustFail(t, env, adminToken, "GET", "/v1/video-channels/?individual-id="+indAlice+"&filter[states]=closed", "", 400)
	mustFail(t, env, adminToken, "GET", "/v1/video-participants/?individual-id="+indAlice+"&video-channel-id="+video1, "", 400)
	mustFail(t, env, adminToken, "GET", "/v1/video-compositions/", "", 400)
	mustFail(t, env, adminToken, "GET", "/v1/video-channels/"+video1+"/get-credentials/", "", 400)
	_, _, param = mustFail(t, env, adminToken, "GET", "/v1/video-channels/"+video1+"/get-credentials/?individual-id="+indRalph, "", 400)
	assert.Equal(t, "individual-id", param)
	for _, tc := range []struct{ body, pointer string }{
		{`{}`, "/participants"},
		{`{"participants": [{"id": "` + indQuinn + `", "audio-state": "muted"}]}`, "/participants/0/id"},
		{`{"participants": [{"id": "` + indAlice + `", "audio-state": "loud"}]}`, "/participants/0/audio-state"},
		{`{"participants": [{"id": "` + indAlice + `", "audio-state": "muted"}], "individual-id": "` + indQuinn + `"}`, "/individual-id"},
		{`{"participants": "all"}`, "/participants"},
	} {
		_, ptr, _ := mustFail(t, env, adminToken, "POST", "/v1/video-channels/"+video1+"/participant-audio-states/", tc.body, 400)
		assert.Equal(t, tc.pointer, ptr, tc.body)
	}
	_, ptr, _ = mustFail(t, env, adminToken, "PATCH", "/v1/video-participants/"+participant1+"/",
		resourceDoc("video-participants", participant1, `{"audio-state": "loud"}`), 400)
	assert.Equal(t, "/data/attributes/audio-state", ptr)
	mustFail(t, env, adminToken, "PATCH", "/v1/video-channels/"+video1+"/", resourceDoc("video-channels", video1, `{"appointment-start": "soon"}`), 400)
	mustFail(t, env, adminToken, "PATCH", "/v1/video-channels/"+video1+"/", resourceDoc("video-channels", video1, `{"appointment-duration": -1}`), 400)
	mustFail(t, env, adminToken, "POST", "/v1/video-channels/"+video1+"/finalize-encounter/", `{"service-type-id": "nope"}`, 400)
	assert.Equal(t, before, storeState(t, env), "refused requests change nothing")
	// The fixture's terminated channel refuses joins.
	mustFail(t, env, adminToken, "GET", "/v1/video-channels/"+video2+"/get-credentials/?individual-id="+indOlivia, "", 400)
}

package courier_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPurgeIndividual: purging an individual removes courier's data
// about them, and what hangs below it, but not the individual.
func TestPurgeIndividual(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	require.NotEmpty(t, mustMany(t, env, adminToken, "/v1/user-emails/?individual-id="+indPat))
	require.NotEmpty(t, mustMany(t, env, adminToken, "/v1/ask-reminders/?individual-id="+indPat))
	require.NotEmpty(t, mustMany(t, env, adminToken, "/v1/user-multicasts/?individual-id="+indPat))
	require.NotEmpty(t, mustMany(t, env, adminToken, "/v1/voice-recordings/?organization-id="+org1+"&filter[individual-id]="+indPat))
	r := callWant(t, env, adminToken, "POST", "/v1/purge-data/", resourceDoc("system-purges", "",
		`{"archive": true, "entity-id": "`+indPat+`", "entity-type": "individual", "reference-id": "gdpr-17", "request-id": "r-1"}`), 201)
	assert.JSONEq(t, `null`, r.Body)
	assert.Empty(t, mustMany(t, env, adminToken, "/v1/user-emails/?individual-id="+indPat))
	assert.Empty(t, mustMany(t, env, adminToken, "/v1/ask-reminders/?individual-id="+indPat))
	assert.Empty(t, mustMany(t, env, adminToken, "/v1/user-multicasts/?individual-id="+indPat))
	assert.Empty(t, mustMany(t, env, adminToken, "/v1/voice-recordings/?organization-id="+org1+"&filter[individual-id]="+indPat))
	mustFail(t, env, adminToken, "GET", "/v1/user-email-attachments/"+emailAttachment1+"/", "", 404) // below Pat's e-mail
	mustFail(t, env, adminToken, "GET", "/v1/video-participants/"+participant2+"/", "", 404)
	ch := mustOne(t, env, adminToken, "GET", "/v1/video-channels/"+video1+"/", "", 200)
	for _, p := range videoParticipants(t, ch) {
		assert.NotEqual(t, indPat, p["individual-id"])
	}
	mustOne(t, env, adminToken, "GET", "/v1/individuals/"+indPat+"/", "", 200) // courier does not own individuals
	// Others' data stays.
	assert.NotEmpty(t, mustMany(t, env, adminToken, "/v1/ask-reminders/?individual-id="+indRalph))
	mustOne(t, env, adminToken, "GET", "/v1/user-emails/"+email3+"/", "", 200)
}

// TestPurgeEntity: purging a record removes it and everything below it;
// bad or unreachable purges change nothing.
func TestPurgeEntity(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	require.NotEmpty(t, mustMany(t, env, adminToken, "/v1/video-compositions/?video-channel-id="+video2))
	callWant(t, env, org1Token, "POST", "/v1/purge-data/", resourceDoc("system-purges", "", `{"entity-id": "`+video2+`", "entity-type": "video-channels"}`), 201)
	mustFail(t, env, org1Token, "GET", "/v1/video-channels/"+video2+"/", "", 404)
	mustFail(t, env, org1Token, "GET", "/v1/video-participants/"+participant3+"/", "", 404)
	mustFail(t, env, org1Token, "GET", "/v1/video-compositions/"+composition1+"/", "", 404)
	assert.Empty(t, mustMany(t, env, org1Token, "/v1/video-compositions/?video-channel-id="+video2))
	assert.False(t, idSet(mustMany(t, env, org1Token, "/v1/video-channels/?individual-id="+indOlivia))[video2])
	// A text account takes its numbers, texts, logs and settings with it.
	callWant(t, env, adminToken, "POST", "/v1/purge-data/", resourceDoc("system-purges", "", `{"entity-id": "`+account1+`", "entity-type": "text-account"}`), 201)
	mustFail(t, env, adminToken, "GET", "/v1/texts/"+text1+"/", "", 404)
	mustFail(t, env, adminToken, "GET", "/v1/text-account-numbers/"+number1+"/", "", 404)
	mustFail(t, env, adminToken, "GET", "/v1/voice-settings/"+setting1+"/", "", 404)
	mustFail(t, env, adminToken, "GET", "/v1/voice-queue-agents/"+agent1+"/", "", 404)
	mustFail(t, env, adminToken, "GET", "/v1/text-receive-logs/"+receiveLogSID+"/", "", 404)
	assert.Empty(t, mustMany(t, env, adminToken, "/v1/text-number-logs/?number-id="+number1))
	mustOne(t, env, adminToken, "GET", "/v1/text-accounts/"+account2+"/", "", 200)

	before := storeState(t, env)
	for _, tc := range []struct{ attrs, pointer string }{
		{`{"entity-id": "` + video3 + `", "entity-type": "starship"}`, "/data/attributes/entity-type"},
		{`{"entity-id": "` + org1 + `", "entity-type": "organization"}`, "/data/attributes/entity-type"},
		{`{"entity-id": "` + adminUser + `", "entity-type": "user"}`, "/data/attributes/entity-type"},
		{`{"entity-id": "42", "entity-type": "video-channel"}`, "/data/attributes/entity-id"},
		{`{"entity-id": "` + video3 + `", "entity-type": "video-channel"}`, "/data/attributes/entity-id"}, // org2: out of reach
		{`{"entity-id": "` + video3 + `"}`, "/data/attributes/entity-type"},
		{`{"entity-type": "video-channel"}`, "/data/attributes/entity-id"},
		{`{"entity-id": "` + video3 + `", "entity-type": "video-channel", "archive": "yes"}`, "/data/attributes/archive"},
	} {
		_, ptr, _ := mustFail(t, env, org1Token, "POST", "/v1/purge-data/", resourceDoc("system-purges", "", tc.attrs), 400)
		assert.Equal(t, tc.pointer, ptr, tc.attrs)
	}
	code, ptr, _ := mustFail(t, env, org1Token, "POST", "/v1/purge-data/", resourceDoc("purge-data", "", `{"entity-id": "`+video1+`", "entity-type": "video-channel"}`), 409)
	assert.Equal(t, "Conflict", code)
	assert.Equal(t, "/data/type", ptr)
	assert.Equal(t, before, storeState(t, env))
	mustOne(t, env, adminToken, "GET", "/v1/video-channels/"+video3+"/", "", 200)
}

// TestSystemReads: replicators, sniffers and their logs, aggregation requests.
func TestSystemReads(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	r := callWant(t, env, org1Token, "GET", "/v1/replicators/", "", 200)
	d := decode(t, r)
	assert.Equal(t, map[string]any{}, d.Meta, "replicators are not paged")
	assert.Nil(t, d.Links)
	assert.Len(t, many(t, r), 2)
	mustFail(t, env, org1Token, "GET", "/v1/replicators/?page[limit]=1", "", 400)
	assert.JSONEq(t, `{"data": {"attributes": {"classpath": "courier.replicators.IndividualReplicator",
		"created-time": "2026-01-01T09:00:00.000000+00:00", "last-poll-time": "2026-01-15T11:59:00.000000+00:00"},
		"id": "`+replicator1+`", "type": "replicators"}, "meta": {}}`,
		callWant(t, env, org1Token, "GET", "/v1/replicators/"+replicator1+"/", "", 200).Body)

	s := mustOne(t, env, org1Token, "POST", "/v1/sniffers/", resourceDoc("sniffers", "", `{"user-id": "`+adminUser+`"}`), 201)
	assert.Equal(t, map[string]any{"created-time": "2026-01-15T12:00:00.000000+00:00", "user-id": adminUser,
		"valid-until": "2026-01-15T13:00:00.000000+00:00"}, s.Attributes)
	assert.Equal(t, s, mustOne(t, env, org1Token, "GET", "/v1/sniffers/"+s.ID+"/", "", 200))
	assert.Empty(t, mustMany(t, env, org1Token, "/v1/sniffers/"+s.ID+"/get-logs/"))
	logs := mustMany(t, env, org1Token, "/v1/sniffers/"+sniffer1+"/get-logs/")
	require.Len(t, logs, 1)
	assert.Equal(t, "sniffer-logs", logs[0].Type)
	assert.Equal(t, "application/vnd.api+json", logs[0].Attributes["content_type"])
	s2 := mustOne(t, env, org1Token, "POST", "/v1/sniffers/", resourceDoc("sniffers", "", `{"user-id": "`+adminUser+`", "valid-until": "2026-01-16T00:00:00+02:00"}`), 201)
	assert.Equal(t, "2026-01-15T22:00:00.000000+00:00", s2.Attributes["valid-until"])
	before := storeState(t, env)
	for _, tc := range []struct{ attrs, pointer string }{
		{`{"user-id": "` + adminUser + `", "valid-until": "2026-01-01T00:00:00Z"}`, "/data/attributes/valid-until"},
		{`{"user-id": "` + adminUser + `", "valid-until": "later"}`, "/data/attributes/valid-until"},
		{`{"user-id": "20000000-0000-4000-8000-0000000000ff"}`, "/data/attributes/user-id"},
		{`{}`, "/data/attributes/user-id"},
	} {
		_, ptr, _ := mustFail(t, env, org1Token, "POST", "/v1/sniffers/", resourceDoc("sniffers", "", tc.attrs), 400)
		assert.Equal(t, tc.pointer, ptr, tc.attrs)
	}
	mustFail(t, env, org1Token, "GET", "/v1/sniffers/"+sniffer2+"/", "", 404)
	mustFail(t, env, org1Token, "GET", "/v1/sniffers/"+sniffer2+"/get-logs/", "", 404)
	assert.Equal(t, before, storeState(t, env))

	agg := mustOne(t, env, org1Token, "POST", "/v1/aggregation-requests/", resourceDoc("aggregation-requests", "",
		`{"entries": [{"column": "steps", "individual-id": "`+indPat+`"}, {"column": "weight", "individual-id": "`+indQuinn+`"}]}`), 201)
	assert.Equal(t, map[string]any{}, agg.Attributes)
	before = storeState(t, env)
	for _, tc := range []struct{ attrs, pointer string }{
		{`{"entries": []}`, "/data/attributes/entries"},
		{`{}`, "/data/attributes/entries"},
		{`{"entries": [{"column": "steps", "individual-id": "` + indRalph + `"}]}`, "/data/attributes/entries/0/individual-id"},
		{`{"entries": [{"column": "", "individual-id": "` + indPat + `"}]}`, "/data/attributes/entries/0/column"},
		{`{"entries": [{"column": "steps", "individual-id": 5}]}`, "/data/attributes/entries/0/individual-id"},
		{`{"entries": "all"}`, "/data/attributes/entries"},
	} {
		_, ptr, _ := mustFail(t, env, org1Token, "POST", "/v1/aggregation-requests/", resourceDoc("aggregation-requests", "", tc.attrs), 400)
		assert.Equal(t, tc.pointer, ptr, tc.attrs)
	}
	assert.Equal(t, before, storeState(t, env))
}

// TestSnifferRecordsTheUsersRequests: a sniffer on a user records that user's
// requests (with the answers) while it is valid, and nobody else's.
func TestSnifferRecordsTheUsersRequests(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	const org1User = "20000000-0000-4000-8000-000000000002"
	admin := "Authorization: Bearer courier-admin-token"
	res := env.Do(t, "POST", "/courier/v1/sniffers/",
		`{"data":{"type":"sniffers","attributes":{"user-id":"`+org1User+`"}},"meta":{}}`, admin)
	require.Equal(t, http.StatusCreated, res.Status, res.Body)
	var created struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(res.Body), &created))
	logsPath := "/courier/v1/sniffers/" + created.Data.ID + "/get-logs/"

	type logs struct {
		Data []struct {
			Attributes struct {
				Method     string `json:"method"`
				Path       string `json:"path"`
				Query      string `json:"query-string"`
				Status     int    `json:"status-code"`
				Response   string `json:"response"`
				RequestID  string `json:"request-id"`
				UserAgent  string `json:"user-agent"`
				Body       string `json:"body"`
				CreatedAt  string `json:"created-time"`
				ContentTyp string `json:"content_type"`
			} `json:"attributes"`
		} `json:"data"`
	}
	read := func() logs {
		res := env.Do(t, "GET", logsPath, "", admin)
		require.Equal(t, http.StatusOK, res.Status, res.Body)
		var l logs
		require.NoError(t, json.Unmarshal([]byte(res.Body), &l))
		return l
	}
	require.Empty(t, read().Data, "the admin's own requests are not the sniffed user's")

	user := "Authorization: Bearer courier-org1-token"
	got := env.Do(t, "GET", "/courier/v1/organizations/?page[limit]=1", "", user, "User-Agent: carium-ios/4.2.0")
	require.Equal(t, http.StatusOK, got.Status)
	env.Deps.Clock.Advance(time.Second) // logs list oldest first
	bad := env.Do(t, "GET", "/courier/v1/organizations/?page[limit]=0", "", user)
	require.Equal(t, http.StatusBadRequest, bad.Status)

	l := read()
	require.Len(t, l.Data, 2)
	first := l.Data[0].Attributes
	assert.Equal(t, "GET", first.Method)
	assert.Equal(t, "/courier/v1/organizations/", first.Path)
	assert.Equal(t, "page[limit]=1", first.Query)
	assert.Equal(t, 200, first.Status)
	assert.JSONEq(t, got.Body, first.Response)
	assert.Equal(t, got.Header.Get("X-Request-Id"), first.RequestID)
	assert.Equal(t, "carium-ios/4.2.0", first.UserAgent)
	assert.Equal(t, 400, l.Data[1].Attributes.Status)
	assert.JSONEq(t, bad.Body, l.Data[1].Attributes.Response)

	// Past valid-until (an hour by default) nothing more is recorded.
	env.Deps.Clock.Advance(time.Hour - time.Second)
	env.Do(t, "GET", "/courier/v1/organizations/", "", user)
	assert.Len(t, read().Data, 2)
}

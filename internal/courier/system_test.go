package courier_test

import (
	"encoding/json"
	"net/http"
	"strconv"
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
	env.Deps.Clock.Advance(time.Second)
	// A write: its token is looked up in its own transaction, after its body was read.
	post := `{"data":{"type":"messaging-messages","attributes":{"channel-id":"50000000-0000-4000-8000-000000000001",` +
		`"individual-id":"30000000-0000-4000-8000-000000000002","message":"sniffed"}},"meta":{}}`
	posted := env.Do(t, "POST", "/courier/v1/messaging-messages/", post, user, "Content-Type: application/vnd.api+json")
	require.Equal(t, http.StatusCreated, posted.Status, posted.Body)

	l := read()
	require.Len(t, l.Data, 3)
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
	third := l.Data[2].Attributes
	assert.Equal(t, "POST", third.Method)
	assert.Equal(t, post, third.Body)
	assert.Equal(t, "application/vnd.api+json", third.ContentTyp)
	assert.Equal(t, 201, third.Status)
	assert.JSONEq(t, posted.Body, third.Response)

	// Past valid-until (an hour by default) nothing more is recorded.
	env.Deps.Clock.Advance(time.Hour - time.Second)
	env.Do(t, "GET", "/courier/v1/organizations/", "", user)
	assert.Len(t, read().Data, 3)
}

// TestSnifferTargetsOnlyUsersInReach: a sniffer may target only a user who
// shares an organization with its creator; any other user is refused as any
// out-of-reach reference is (400 naming user-id), and nothing is stored.
func TestSnifferTargetsOnlyUsersInReach(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	const org2User = "20000000-0000-4000-8000-0000000000a2"
	addUser(t, env, org2User, "", org2)
	before := storeState(t, env)
	for _, tc := range []struct{ name, token, user string }{
		{"a user of the other organization only", org1Token, org2User},
		{"a user that does not exist", org1Token, "20000000-0000-4000-8000-0000000000ff"},
	} {
		r := callWant(t, env, tc.token, "POST", "/v1/sniffers/", resourceDoc("sniffers", "", `{"user-id": "`+tc.user+`"}`), 400)
		d := decode(t, r)
		require.Len(t, d.Errors, 1, tc.name)
		assert.Equal(t, "/data/attributes/user-id", d.Errors[0].Source["pointer"], tc.name)
		assert.Equal(t, "user "+tc.user+" does not exist.", d.Errors[0].Detail, tc.name)
	}
	assert.Equal(t, before, storeState(t, env))

	// In reach: the sniffer belongs to the first organization both share.
	for _, tc := range []struct {
		name, token, user, org string
	}{
		{"the admin, from the org1 user", org1Token, adminUser, org1},
		{"the org1 user, from the admin", adminToken, org1User, org1},
		{"a user of the second organization, from the admin", adminToken, org2User, org2},
		{"oneself", org1Token, org1User, org1},
	} {
		s := mustOne(t, env, tc.token, "POST", "/v1/sniffers/", resourceDoc("sniffers", "", `{"user-id": "`+tc.user+`"}`), 201)
		want := http.StatusNotFound // the org1 user sees org1's sniffers only
		if tc.org == org1 {
			want = http.StatusOK
		}
		assert.Equal(t, want, call(t, env, org1Token, "GET", "/v1/sniffers/"+s.ID+"/", "").Status, tc.name)
		callWant(t, env, adminToken, "GET", "/v1/sniffers/"+s.ID+"/", "", http.StatusOK)
	}
}

// TestSnifferLogsStayInTheCreatorsScope: a sniffer records a request only if
// its creator may see every organization the request reached (read, wrote,
// listed or named); its logs show only what the creator and the caller may
// see at the time they are read.
func TestSnifferLogsStayInTheCreatorsScope(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	// The admin's own sniffer on themself records all that follows, org2's too.
	own := mustOne(t, env, adminToken, "POST", "/v1/sniffers/", resourceDoc("sniffers", "", `{"user-id": "`+adminUser+`"}`), 201)
	// The sniffer: the org1 user sniffs the admin, a member of both.
	s := mustOne(t, env, org1Token, "POST", "/v1/sniffers/", resourceDoc("sniffers", "", `{"user-id": "`+adminUser+`"}`), 201)
	unknownChannel := "50000000-0000-4000-8000-0000000000ff"
	cases := []struct {
		name, method, path, body string
		shown                    bool
	}{
		{"an org1 channel", "GET", "/v1/messaging-channels/" + chanGroup1 + "/", "", true},
		{"org1's channels", "GET", "/v1/messaging-channels/?organization-id=" + org1, "", true},
		{"an org1 channel's messages", "GET", "/v1/messaging-messages/?channel-id=" + chanGroup1, "", true},
		{"shared reference data", "GET", "/v1/replicators/", "", true},
		{"a channel that does not exist", "GET", "/v1/messaging-channels/" + unknownChannel + "/", "", true},
		{"a refused query", "GET", "/v1/messaging-channels/?page[limit]=0", "", true},
		{"an org2 channel's messages", "GET", "/v1/messaging-messages/?channel-id=" + chanGroup2, "", false},
		{"an org2 channel", "GET", "/v1/messaging-channels/" + chanGroup2 + "/", "", false},
		{"org2's channels", "GET", "/v1/messaging-channels/?organization-id=" + org2, "", false},
		{"every channel of the admin", "GET", "/v1/messaging-channels/", "", false},
		{"every organization of the admin", "GET", "/v1/organizations/", "", false},
		{"the users of both organizations", "GET", "/v1/users/?page[limit]=1", "", false},
		{"an org2 individual", "GET", "/v1/individuals/" + indRalph + "/", "", false},
		{"the admin's notification counts (org2's too)", "GET", "/v1/user-notification-counts/", "", false},
		{"a message for org2, refused before it is read", "POST", "/v1/messaging-messages/",
			resourceDoc("messaging-messages", "", `{"channel-id": "`+chanGroup2+`", "message": "Ralph's biopsy is back.", "bogus": 1}`), false},
		{"an org2 bookmark, created", "POST", "/v1/messaging-bookmarks/",
			resourceDoc("messaging-bookmarks", "", `{"channel-id": "`+chanGroup2+`", "message-id": "`+msg6+`"}`), false},
		{"the logs of the admin's own sniffer (org2's requests)", "GET", "/v1/sniffers/" + own.ID + "/get-logs/", "", false},
		{"an org1 channel, refused", "GET", "/v1/messaging-channels/" + chanGroup1 + "/?x=1", "", true}, // a 400 that names org1 only
	}
	for i, tc := range cases {
		env.Deps.Clock.Advance(time.Second) // logs list oldest first
		r := call(t, env, adminToken, tc.method, tc.path, tc.body, "User-Agent: case-"+strconv.Itoa(i))
		require.Less(t, r.Status, 500, tc.name)
	}
	var want []string
	for i, tc := range cases {
		if tc.shown {
			want = append(want, "case-"+strconv.Itoa(i))
		}
	}
	// Not shown is not stored: the creator could never read it.
	assert.Equal(t, len(want), countRows(t, env, `SELECT count(*) FROM cr_resources WHERE type = 'sniffer-logs' AND parent_id = ?`, s.ID))
	for _, token := range []string{org1Token, adminToken} { // (the admin's read is the last one logged)
		r := callWant(t, env, token, "GET", "/v1/sniffers/"+s.ID+"/get-logs/", "", 200)
		var agents []string
		for _, l := range many(t, r) {
			agents = append(agents, l.Attributes["user-agent"].(string))
		}
		assert.Equal(t, want, agents, token)
		assert.Equal(t, float64(len(want)), decode(t, r).Meta["page[total]"], token)
		assert.NotContains(t, r.Body, chanGroup2, token)
		assert.NotContains(t, r.Body, "Southgate", token)
		assert.NotContains(t, r.Body, "biopsy", token)
	}
	page := many(t, callWant(t, env, org1Token, "GET", "/v1/sniffers/"+s.ID+"/get-logs/?page[limit]=2&page[offset]=1", "", 200))
	require.Len(t, page, 2)
	assert.Equal(t, want[1:3], []string{page[0].Attributes["user-agent"].(string), page[1].Attributes["user-agent"].(string)})
}

// TestSnifferLogsFollowScopeChanges: what a log shows is decided again when it
// is read: by its creator's memberships then, and by the caller's.
func TestSnifferLogsFollowScopeChanges(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	const both = "20000000-0000-4000-8000-0000000000b0"
	addUser(t, env, both, "courier-both-token", org1, org2)
	// The admin sniffs themself: an org1 sniffer whose creator sees both organizations.
	s := mustOne(t, env, adminToken, "POST", "/v1/sniffers/", resourceDoc("sniffers", "", `{"user-id": "`+adminUser+`"}`), 201)
	env.Deps.Clock.Advance(time.Second)
	callWant(t, env, adminToken, "GET", "/v1/messaging-channels/"+chanGroup2+"/", "", 200)
	env.Deps.Clock.Advance(time.Second)
	callWant(t, env, adminToken, "GET", "/v1/messaging-channels/"+chanGroup1+"/", "", 200)
	logsPath := "/v1/sniffers/" + s.ID + "/get-logs/"
	paths := func(token string) []string {
		var out []string
		for _, l := range mustMany(t, env, token, logsPath) {
			out = append(out, l.Attributes["path"].(string))
		}
		return out
	}
	channel := func(id string) string { return "/courier/v1/messaging-channels/" + id + "/" }
	assert.Equal(t, []string{channel(chanGroup2), channel(chanGroup1)}, paths("courier-both-token"))
	// The caller's scope: the org1 user sees the sniffer, not the org2 request.
	assert.Equal(t, []string{channel(chanGroup1)}, paths(org1Token))
	// The creator's scope, now: the admin leaves the second organization.
	exec(t, env, `DELETE FROM cr_links WHERE rel = 'member' AND from_id = ? AND to_id = ?`, adminUser, org2)
	assert.Equal(t, []string{channel(chanGroup1)}, paths("courier-both-token"))
	// And back: the log was kept, only hidden.
	exec(t, env, `INSERT INTO cr_links (rel, from_id, to_id, created_at, attrs) VALUES ('member', ?, ?, '', '{}')`, adminUser, org2)
	assert.Equal(t, []string{channel(chanGroup2), channel(chanGroup1)}, paths("courier-both-token"))
}

// TestSnifferLogsOfAUserOfOneOrganization: a user's request for another
// organization's record is answered 404 and holds nothing of it, so a sniffer
// created in the user's organization records it.
func TestSnifferLogsOfAUserOfOneOrganization(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	s := mustOne(t, env, org1Token, "POST", "/v1/sniffers/", resourceDoc("sniffers", "", `{"user-id": "`+org1User+`"}`), 201)
	env.Deps.Clock.Advance(time.Second)
	callWant(t, env, org1Token, "GET", "/v1/messaging-channels/"+chanGroup2+"/", "", 404)
	env.Deps.Clock.Advance(time.Second)
	callWant(t, env, org1Token, "POST", "/v1/messaging-bookmarks/",
		resourceDoc("messaging-bookmarks", "", `{"channel-id": "`+chanGroup2+`", "message-id": "`+msg6+`"}`), 400)
	var got []string
	for _, l := range mustMany(t, env, adminToken, "/v1/sniffers/"+s.ID+"/get-logs/") {
		got = append(got, l.Attributes["method"].(string)+" "+l.Attributes["path"].(string))
	}
	assert.Equal(t, []string{"GET /courier/v1/messaging-channels/" + chanGroup2 + "/", "POST /courier/v1/messaging-bookmarks/"}, got)
}

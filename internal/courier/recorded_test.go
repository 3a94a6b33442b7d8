package courier_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
)

// addUser adds a user that is a member of orgs, with a bearer token unless
// token is "": a world the fixtures do not have, written straight into the
// store.
func addUser(t *testing.T, env *emutest.Env, id, token string, orgs ...string) {
	t.Helper()
	home := ""
	if len(orgs) > 0 {
		home = orgs[0]
	}
	exec(t, env, `INSERT INTO cr_resources (type, id, org_id, parent_id, created_at, text, attrs)
		VALUES ('users', ?, ?, '', '2026-01-01T09:30:00.000000+00:00', '', json_object('first-name', 'Added', 'email', ? || '@example.com'))`,
		id, home, id)
	for _, o := range orgs {
		exec(t, env, `INSERT INTO cr_links (rel, from_id, to_id, created_at, attrs) VALUES ('member', ?, ?, '', '{}')`, id, o)
	}
	if token != "" {
		exec(t, env, `INSERT INTO cr_tokens (token, user_id) VALUES (?, ?)`, token, id)
	}
}

// countRows reads one count from the store.
func countRows(t testing.TB, env *emutest.Env, query string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, env.Deps.DB.Read().QueryRowContext(context.Background(), query, args...).Scan(&n))
	return n
}

// recordStep is one request a recorded-data case sends.
type recordStep struct {
	token, method, path, body string
}

// TestRecordedDataStaysInItsOrganization: every resource that answers data
// recorded from other requests or other users' actions (sniffer logs, pushes
// to devices, number logs and receive logs, queue entries and tasks, dial
// logs, read receipts, notifications, badge counts, multicasts, video
// participants, Alexa subscriptions, e-mails) never shows the org1 user what the admin did in
// the second organization: the admin's records are real (the admin reads
// them) and the org1 user's reads of the same resources lack them.
func TestRecordedDataStaysInItsOrganization(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		world  func(t *testing.T, env *emutest.Env) // what the fixtures lack, written into the store
		steps  []recordStep                         // each must succeed
		marker string                               // what only the second organization's records hold
		admin  string                               // the admin reads the marker here
		org1   []string                             // the org1 user's reads (200): their data never holds the marker
		gone   []string                             // the org1 user's reads of the records themselves: 404
	}{
		{
			name: "sniffer logs",
			steps: []recordStep{
				{org1Token, "POST", "/v1/sniffers/", resourceDoc("sniffers", "a6000000-0000-4000-8000-0000000000f1", `{"user-id": "`+adminUser+`"}`)},
				{adminToken, "GET", "/v1/messaging-messages/?channel-id=" + chanGroup2, ""},
			},
			marker: "Welcome to Southgate Health",
			admin:  "/v1/messaging-messages/?channel-id=" + chanGroup2,
			org1:   []string{"/v1/sniffers/a6000000-0000-4000-8000-0000000000f1/get-logs/"},
		},
		{
			// A user of both organizations whose own individual is the second's.
			name: "pushes to a device",
			world: func(t *testing.T, env *emutest.Env) {
				exec(t, env, `UPDATE cr_resources SET attrs = json_set(attrs, '$."primary-individual-id"', ?) WHERE type = 'users' AND id = ?`,
					indGrace, adminUser)
			},
			steps: []recordStep{
				{adminToken, "POST", "/v1/user-multicasts/", `{"individual-ids": ["` + indGrace + `"], "organization-id": "` + org2 + `",
					"template-data": {"result": "southgate-biopsy"}, "template-id": "southgate-results"}`},
				{adminToken, "POST", "/v1/users/" + adminUser + "/multicast/", `{"individual-id": "` + indGrace + `", "organization-id": "` + org2 + `",
					"template-id": "southgate-results", "data": {}}`},
			},
			marker: "southgate-results",
			admin:  "/v1/user-devices/" + device1 + "/get-logs/",
			org1: []string{"/v1/user-devices/" + device1 + "/get-logs/", "/v1/user-devices/" + device2 + "/get-logs/",
				"/v1/user-devices/?all-users=true", "/v1/user-multicasts/?individual-id=" + indGrace},
			gone: []string{"/v1/user-devices/" + device3 + "/get-logs/"},
		},
		{
			name: "a number's log",
			steps: []recordStep{
				{adminToken, "PATCH", "/v1/text-account-numbers/" + number2 + "/", resourceDoc("text-account-numbers", number2, `{"logging": true}`)},
				{adminToken, "POST", "/v1/texts/", resourceDoc("texts", "", `{"account-id": "`+account2+`", "message": "Southgate: your biopsy.",
					"number-id": "`+number2+`", "target": "+12125550777"}`)},
			},
			marker: "+12125550777",
			admin:  "/v1/text-number-logs/?number-id=" + number2,
			org1: []string{"/v1/text-number-logs/?number-id=" + number2, "/v1/text-number-logs/?number-id=" + number1,
				"/v1/texts/?account-id=" + account1},
			gone: []string{"/v1/text-account-numbers/" + number2 + "/", "/v1/texts/" + text2 + "/"},
		},
		{
			name: "an inbound text (receive log)",
			steps: []recordStep{
				{adminToken, "POST", "/v1/texts/" + text2 + "/callback/", `{"Body": "Southgate reply", "From": "+12125550142", "MessageSid": "SMsouthgate0001"}`},
			},
			marker: "Southgate reply",
			admin:  "/v1/text-receive-logs/SMsouthgate0001/",
			gone:   []string{"/v1/text-receive-logs/SMsouthgate0001/", "/v1/text-number-logs/SMsouthgate0001/"},
		},
		{
			name: "a caller queued by the IVR, and the queue's task",
			steps: []recordStep{
				{adminToken, "PATCH", "/v1/voice-settings/" + setting2 + "/", resourceDoc("voice-settings", setting2, `{"forward-number": null}`)},
				{adminToken, "POST", "/v1/voice-ivrs/" + setting2 + "/twiml/", `{"From": "+12125550988"}`},
				{adminToken, "POST", "/v1/voice-settings/" + setting2 + "/run-task/", `{"method": "refresh_queue_entries"}`},
			},
			marker: "+12125550988",
			admin:  "/v1/voice-queue-entries/?setting-id=" + setting2,
			org1:   []string{"/v1/voice-queue-entries/?setting-id=" + setting2, "/v1/voice-queue-entries/?setting-id=" + setting1},
			gone:   []string{"/v1/voice-settings/" + setting2 + "/", "/v1/voice-tasks/" + task2 + "/", "/v1/voice-queue-entries/" + entry3 + "/"},
		},
		{
			name: "a conference's dial log",
			steps: []recordStep{
				{adminToken, "POST", "/v1/voice-conferences/", resourceDoc("voice-conferences", "90000000-0000-4000-8000-0000000000f1",
					`{"individual-id": "`+indRalph+`", "organization-id": "`+org2+`"}`)},
			},
			marker: "90000000-0000-4000-8000-0000000000f1",
			admin:  "/v1/voice-dial-logs/?organization-id=" + org2,
			org1:   []string{"/v1/voice-dial-logs/?organization-id=" + org1, "/v1/voice-conferences/?organization-id=" + org1},
			gone:   []string{"/v1/voice-conferences/90000000-0000-4000-8000-0000000000f1/", "/v1/voice-dial-logs/" + dialLog2 + "/"},
		},
		{
			name: "read receipts",
			steps: []recordStep{
				{adminToken, "POST", "/v1/messaging-messages/" + msg6 + "/ack/", `{"individual-id": "` + indRalph + `"}`},
			},
			marker: indRalph,
			admin:  "/v1/messaging-messages/" + msg6 + "/receipts/",
			org1: []string{"/v1/messaging-messages/" + msg1 + "/receipts/", "/v1/messaging-messages/" + msg4 + "/read-receipts/",
				"/v1/messaging-messages/?channel-id=" + chanGroup1 + "&include-read-receipts=true"},
			gone: []string{"/v1/messaging-messages/" + msg6 + "/receipts/", "/v1/messaging-messages/" + msg6 + "/read-receipts/"},
		},
		{
			// The admin's notification of the second organization (their counts
			// and the summary: TestSummariesAndCountsStayInTheCallersOrganizations).
			name:   "notifications",
			marker: "New appointment request",
			admin:  "/v1/user-notifications/?organization-id=" + org2,
			org1:   []string{"/v1/user-notifications/", "/v1/user-notifications/?include[inactive]=true"},
			gone:   []string{"/v1/user-notifications/73000000-0000-4000-8000-000000000003/"},
		},
		{
			name: "badge counts",
			steps: []recordStep{
				{adminToken, "POST", "/v1/badge-counts/", resourceDoc("badge-counts", "", `{"count": 7, "individual-id": "`+indRalph+`",
					"organization-id": "`+org2+`", "type": "southgate-badge"}`)},
			},
			marker: "southgate-badge",
			admin:  "/v1/badge-counts/?individual-id=" + indRalph,
			org1:   []string{"/v1/badge-counts/?individual-id=" + indRalph, "/v1/badge-counts/?individual-id=" + indPat},
		},
		{
			name: "multicasts",
			steps: []recordStep{
				{adminToken, "POST", "/v1/multicasts/", resourceDoc("multicasts", "", `{"filter-type": "individuals",
					"filter-value": {"individual-ids": ["`+indRalph+`"]}, "organization-id": "`+org2+`", "template-id": "southgate-recall"}`)},
			},
			marker: "southgate-recall",
			admin:  "/v1/multicasts/",
			org1:   []string{"/v1/multicasts/", "/v1/multicasts/?template-id=southgate-recall"},
		},
		{
			name: "video participants",
			steps: []recordStep{
				{adminToken, "GET", "/v1/video-channels/" + video3 + "/get-credentials/?individual-id=" + indRalph, ""},
			},
			marker: video3,
			admin:  "/v1/video-participants/?individual-id=" + indRalph + "&video-channel-id=" + video3 + "&page[limit]=10&page[offset]=0",
			org1: []string{"/v1/video-participants/?individual-id=" + indRalph + "&video-channel-id=" + video3 + "&page[limit]=10&page[offset]=0",
				"/v1/video-channels/?individual-id=" + indOlivia + "&organization-id=" + org1},
			gone: []string{"/v1/video-channels/" + video3 + "/", "/v1/video-participants/" + participant5 + "/"},
		},
		{
			name: "an Alexa subscription's events",
			steps: []recordStep{
				{adminToken, "POST", "/v1/ask-entries/", `{"version": "1.0", "context": {"System": {"user": {"userId": "amzn1.ask.account.ALICE"}}},
					"request": {"timestamp": "2026-01-15T12:00:00Z", "type": "AlexaSkillEvent.ProactiveSubscriptionChanged",
					"body": {"subscriptions": [{"eventName": "AMAZON.Southgate.Event"}]}}}`},
			},
			marker: "AMAZON.Southgate.Event",
			admin:  "/v1/ask-subscriptions/" + sub2 + "/",
			org1:   []string{"/v1/ask-subscriptions/?organization-id=" + org1},
			gone:   []string{"/v1/ask-subscriptions/" + sub2 + "/"},
		},
		{
			name: "e-mails",
			steps: []recordStep{
				{adminToken, "POST", "/v1/user-emails/", resourceDoc("user-emails", "", `{"auto-send": true, "individual-id": "`+indRalph+`",
					"message": "Your Southgate biopsy.", "subject": "southgate-subject", "to": "ralph@example.com"}`)},
			},
			marker: "southgate-subject",
			admin:  "/v1/user-emails/?individual-id=" + indRalph,
			org1:   []string{"/v1/user-emails/?individual-id=" + indPat},
			gone:   []string{"/v1/user-emails/" + email2 + "/"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newEnv(t)
			if tc.world != nil {
				tc.world(t, env)
			}
			for _, s := range tc.steps {
				r := call(t, env, s.token, s.method, s.path, s.body)
				require.Less(t, r.Status, 300, "%s %s: %s", s.method, s.path, r.Body)
			}
			assert.Contains(t, callWant(t, env, adminToken, "GET", tc.admin, "", 200).Body, tc.marker, "the record exists")
			for _, p := range tc.org1 {
				d := decode(t, callWant(t, env, org1Token, "GET", p, "", 200))
				assert.NotContains(t, string(d.Data), tc.marker, p) // (links repeat the query)
			}
			for _, p := range tc.gone {
				assert.NotContains(t, callWant(t, env, org1Token, "GET", p, "", 404).Body, tc.marker, p)
			}
		})
	}
}

// TestSummariesAndCountsStayInTheCallersOrganizations: the communication
// summary and the notification counts count only what lies in the caller's
// organizations, now: an individual's notifications and video channels may
// lie in another, and a user may leave an organization.
func TestSummariesAndCountsStayInTheCallersOrganizations(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	type summary struct {
		Summary struct {
			Notifications int `json:"notifications"`
			VideoChannels int `json:"video-channels"`
		} `json:"summary"`
	}
	summaryOf := func(token string) summary {
		var s summary
		require.NoError(t, jsonUnmarshal(callWant(t, env, token, "GET", "/v1/communication-summaries/?individual-id="+indAlice, "", 200).Body, &s))
		return s
	}
	days := func(token string) map[string]float64 {
		out := map[string]float64{}
		for _, d := range mustMany(t, env, token, "/v1/user-notification-counts/") {
			out[d.Attributes["daily-for-date"].(string)] = d.Attributes["count"].(float64)
		}
		return out
	}
	// The admin schedules a video visit in the second organization: Alice is its scheduler.
	mustOne(t, env, adminToken, "POST", "/v1/video-channels/", resourceDoc("video-channels", "", `{"organization-id": "`+org2+`",
		"participants": ["`+indGrace+`", "`+indRalph+`"]}`), 201)
	admin, olivia := summaryOf(adminToken), summaryOf(org1Token)
	assert.Equal(t, 3, admin.Summary.Notifications, "two of the first organization, one of the second")
	assert.Equal(t, 2, olivia.Summary.Notifications)
	assert.Equal(t, admin.Summary.VideoChannels-1, olivia.Summary.VideoChannels)
	assert.Equal(t, map[string]float64{"2026-01-09": 1, "2026-01-10": 1, "2026-01-11": 1}, days(adminToken))

	// The admin leaves the second organization: its notification is no longer counted, listed or acknowledged.
	exec(t, env, `DELETE FROM cr_links WHERE rel = 'member' AND from_id = ? AND to_id = ?`, adminUser, org2)
	assert.Equal(t, 2, summaryOf(adminToken).Summary.Notifications)
	assert.Equal(t, map[string]float64{"2026-01-09": 1, "2026-01-10": 1}, days(adminToken))
	assert.NotContains(t, ids(mustMany(t, env, adminToken, "/v1/user-notifications/?include[inactive]=true")), "73000000-0000-4000-8000-000000000003")
	later := "73000000-0000-4000-8000-0000000000f1" // a notification after the second organization's
	exec(t, env, `INSERT INTO cr_resources (type, id, org_id, parent_id, created_at, text, attrs) VALUES ('user-notifications', ?, ?, ?,
		'2026-01-12T10:00:00.000000+00:00', '', '{"acknowledged": false, "active": true}')`, later, org1, adminUser)
	callWant(t, env, adminToken, "POST", "/v1/user-notifications/"+later+"/ack/", `{"ack-previous": true}`, 201)
	assert.Equal(t, 0, countRows(t, env, `SELECT json_extract(attrs, '$.acknowledged') FROM cr_resources WHERE id = ?`,
		"73000000-0000-4000-8000-000000000003"), "the other organization's notification is out of reach")
	assert.Equal(t, 1, countRows(t, env, `SELECT json_extract(attrs, '$.acknowledged') FROM cr_resources WHERE id = ?`,
		"73000000-0000-4000-8000-000000000002"))
}

// TestNumberLookupsHoldNoOrganizationsData: number look-ups are shared (every
// caller sees every look-up of a number), so a look-up records nothing of
// the organization or the user that asked: only the carrier's answer.
func TestNumberLookupsHoldNoOrganizationsData(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	const number = "+12125550122" // the second organization's own number
	mustOne(t, env, adminToken, "POST", "/v1/text-number-info/", resourceDoc("text-number-info", "", `{"number": "`+number+`"}`), 201)
	looked := mustMany(t, env, org1Token, "/v1/text-number-info/?number=%2B12125550122")
	require.Len(t, looked, 1)
	assert.Equal(t, []string{"carrier-name", "created-at", "error", "last-modified-at", "mobile-country-code", "mobile-network-code",
		"number", "status", "type"}, keys(looked[0].Attributes))
	raw := callWant(t, env, org1Token, "GET", "/v1/text-number-info/"+looked[0].ID+"/", "", 200).Body
	for _, secret := range []string{org2, adminUser, account2, number2, "Southgate"} {
		assert.NotContains(t, raw, secret)
	}
}

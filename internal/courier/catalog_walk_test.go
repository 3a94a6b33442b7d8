package courier_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/courier/catalog"
	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/emutest"
)

// walkFresh says whether an operation is walked on fresh fixtures: the
// organizations and people, messaging and notifications families (each
// request of freshWalk expects the fixtures as seeded).
func walkFresh(op jsonapi.Operation) bool {
	switch op.Resource {
	case "organizations", "individuals", "individual-groups", "communication-messages", "communication-summaries",
		"announcers", "app-credentials", "badge-counts", "bulk-badge-counts", "multicasts", "org-preferences",
		"user-notifications", "user-notification-counts":
		return true
	case "users":
		return op.ID == "users.list" || op.ID == "users.get" || op.ID == "users.modify"
	}
	return strings.HasPrefix(op.Resource, "messaging-")
}

// walkRequest is one valid request of a catalog operation.
type walkRequest struct {
	path, body string
}

func resourceDoc(typ, id, attrs string) string {
	if id != "" {
		return fmt.Sprintf(`{"data": {"type": %q, "id": %q, "attributes": %s}, "meta": {}}`, typ, id, attrs)
	}
	return fmt.Sprintf(`{"data": {"type": %q, "attributes": %s}, "meta": {}}`, typ, attrs)
}

// Fixture ids used by the walk beyond helpers_test.go.
const (
	attachment1   = "61000000-0000-4000-8000-000000000001"
	bookmark1     = "62000000-0000-4000-8000-000000000001"
	bulkMessage1  = "63000000-0000-4000-8000-000000000001"
	bulkAttach1   = "64000000-0000-4000-8000-000000000001"
	operation1    = "65000000-0000-4000-8000-000000000001"
	plugin1       = "66000000-0000-4000-8000-000000000001"
	responder1    = "67000000-0000-4000-8000-000000000001"
	multicast1    = "68000000-0000-4000-8000-000000000001"
	announcer1    = "70000000-0000-4000-8000-000000000001"
	credential1   = "71000000-0000-4000-8000-000000000001"
	badgeCount1   = "72000000-0000-4000-8000-000000000001"
	notification2 = "73000000-0000-4000-8000-000000000002"
)

// freshWalk has one valid request per operation of walkFresh (by catalog id).
var freshWalk = map[string]walkRequest{
	"organizations.list": {"/v1/organizations/?filter[name]=northwind-clinic", ""},
	"organizations.get":  {"/v1/organizations/" + org1 + "/", ""},
	"users.list":         {"/v1/users/?filter[email]=alice.admin@example.com", ""},
	"users.get":          {"/v1/users/" + adminUser + "/", ""},
	"users.modify":       {"/v1/users/" + adminUser + "/", resourceDoc("users", adminUser, `{"notifications": ["email", "sms"]}`)},
	"individuals.get":    {"/v1/individuals/" + indPat + "/", ""},
	"individuals.multicast": {"/v1/individuals/" + indPat + "/multicast/",
		`{"organization-id": "` + org1 + `", "template-data": {"day": "Friday"}, "template-id": "appointment-reminder"}`},
	"individuals.recalculate-communication-summary": {"/v1/individuals/" + indPat + "/recalculate-communication-summary/", `{}`},
	"individual-groups.get":                         {"/v1/individual-groups/" + group1 + "/", ""},
	"communication-messages.list":                   {"/v1/communication-messages/?individual-id=" + indAlice + "&sort=-last-timestamp", ""},
	"communication-summaries.get":                   {"/v1/communication-summaries/?individual-id=" + indPat + "&include-senders=true", ""},
	"messaging-channels.list":                       {"/v1/messaging-channels/?organization-id=" + org1 + "&filter[archived]=false", ""},
	"messaging-channels.create": {"/v1/messaging-channels/", resourceDoc("messaging-channels", "",
		`{"event-settings": {"enabled": false}, "individual-ids": ["`+indOlivia+`", "`+indQuinn+`"], "name": "Olivia and Quinn", "organization-id": "`+org1+`"}`)},
	"messaging-channels.get":         {"/v1/messaging-channels/" + chanGroup1 + "/?individual-id=" + indAlice, ""},
	"messaging-channels.modify":      {"/v1/messaging-channels/" + chanGroup1 + "/", resourceDoc("messaging-channels", chanGroup1, `{"label": "urgent"}`)},
	"messaging-channels.archive":     {"/v1/messaging-channels/" + chanGroup1 + "/archive/", `{}`},
	"messaging-channels.unarchive":   {"/v1/messaging-channels/" + chanGroup1 + "/unarchive/", `{}`},
	"messaging-channels.get-profile": {"/v1/messaging-channels/" + chanGroup1 + "/get-profile/?individual-id=" + indAlice + "&profile-individual-id=" + indPat, ""},
	"messaging-channels.preferences": {"/v1/messaging-channels/" + chanDirect + "/preferences/",
		`{"individual-id": "` + indAlice + `", "values": [{"name": "notify", "value": "none"}]}`},
	"messaging-channels.sms":                {"/v1/messaging-channels/" + chanDirect + "/sms/", `{"active": true, "initial-message": "Hi", "initial-message-js": {"en_US": "Hi", "es_US": "Hola"}}`},
	"messaging-channels.add-subscribers":    {"/v1/messaging-channels/" + chanGroup1 + "/subscribers/", `{"individual-ids": ["` + indQuinn + `"]}`},
	"messaging-channels.remove-subscribers": {"/v1/messaging-channels/" + chanGroup1 + "/unsubscribe/", `{"individual-ids": ["` + indPat + `"]}`},
	"messaging-messages.list":               {"/v1/messaging-messages/?channel-id=" + chanGroup1 + "&filter[text]=prescription", ""},
	"messaging-messages.create": {"/v1/messaging-messages/", resourceDoc("messaging-messages", "",
		`{"channel-id": "`+chanGroup1+`", "individual-id": "`+indAlice+`", "message": "Yes, with food."}`)},
	"messaging-messages.get":             {"/v1/messaging-messages/" + msg3 + "/?individual-id=" + indAlice, ""},
	"messaging-messages.modify":          {"/v1/messaging-messages/" + msg4 + "/", resourceDoc("messaging-messages", msg4, `{"message": "Reminder: Friday, 10am."}`)},
	"messaging-messages.ack":             {"/v1/messaging-messages/" + msg3 + "/ack/", `{"individual-id": "` + indAlice + `"}`},
	"messaging-messages.add-reaction":    {"/v1/messaging-messages/" + msg3 + "/reactions/", `{"individual-id": "` + indAlice + `", "reaction-type": "love"}`},
	"messaging-messages.delete-reaction": {"/v1/messaging-messages/" + "60000000-0000-4000-8000-000000000005" + "/reactions/", `{"individual-id": "` + indAlice + `", "reaction-type": "like"}`},
	"messaging-messages.receipts":        {"/v1/messaging-messages/" + msg3 + "/receipts/?individual-id=" + indAlice, ""},
	"messaging-attachments.list":         {"/v1/messaging-attachments/?message-id=" + msg3, ""},
	"messaging-attachments.create": {"/v1/messaging-attachments/", resourceDoc("messaging-attachments", "",
		`{"content-type": "application/pdf", "filename": "lab.pdf", "message-id": "`+msg3+`"}`)},
	"messaging-attachments.get":            {"/v1/messaging-attachments/" + attachment1 + "/", ""},
	"messaging-attachments.modify":         {"/v1/messaging-attachments/" + attachment1 + "/", resourceDoc("messaging-attachments", attachment1, `{"removed": true}`)},
	"messaging-attachments.process-upload": {"/v1/messaging-attachments/" + attachment1 + "/process-upload/", `{}`},
	"messaging-bookmarks.list":             {"/v1/messaging-bookmarks/?organization-id=" + org1 + "&filter[channel-id]=" + chanGroup1, ""},
	"messaging-bookmarks.create": {"/v1/messaging-bookmarks/", resourceDoc("messaging-bookmarks", "",
		`{"channel-id": "`+chanDirect+`", "message-id": "`+msg4+`"}`)},
	"messaging-bookmarks.get":      {"/v1/messaging-bookmarks/" + bookmark1 + "/", ""},
	"messaging-bulk-messages.list": {"/v1/messaging-bulk-messages/?filter[created-by]=" + adminUser, ""},
	"messaging-bulk-messages.create": {"/v1/messaging-bulk-messages/", resourceDoc("messaging-bulk-messages", "",
		`{"draft": true, "individual-ids": ["`+indPat+`"], "message": "Flu shots are in.", "message-js": {"en_US": "Flu shots are in.", "es_US": "Ya llegaron las vacunas."}, "sender-individual-id": "`+indAlice+`"}`)},
	"messaging-bulk-messages.get":     {"/v1/messaging-bulk-messages/" + bulkMessage1 + "/", ""},
	"messaging-bulk-messages.modify":  {"/v1/messaging-bulk-messages/" + bulkMessage1 + "/", resourceDoc("messaging-bulk-messages", bulkMessage1, `{"message": "Closed Monday."}`)},
	"messaging-bulk-attachments.list": {"/v1/messaging-bulk-attachments/?bulk-message-id=" + bulkMessage1, ""},
	"messaging-bulk-attachments.create": {"/v1/messaging-bulk-attachments/", resourceDoc("messaging-bulk-attachments", "",
		`{"bulk-message-id": "`+bulkMessage1+`", "content-type": "image/png", "filename": "map.png"}`)},
	"messaging-bulk-attachments.get":            {"/v1/messaging-bulk-attachments/" + bulkAttach1 + "/", ""},
	"messaging-bulk-attachments.process-upload": {"/v1/messaging-bulk-attachments/" + bulkAttach1 + "/process-upload/", `{}`},
	"messaging-operations.list":                 {"/v1/messaging-operations/?organization-id=" + org1 + "&filter[type]=move-group", ""},
	"messaging-operations.create": {"/v1/messaging-operations/", resourceDoc("messaging-operations", "",
		`{"args": {"channel-id": "`+chanDirect+`", "individual-group-id": "`+group1+`"}, "organization-id": "`+org1+`", "type": "move-group"}`)},
	"messaging-operations.get": {"/v1/messaging-operations/" + operation1 + "/?include-args=true", ""},
	"messaging-plugins.list":   {"/v1/messaging-plugins/?organization-id=" + org1 + "&filter[name]=hours", ""},
	"messaging-plugins.create": {"/v1/messaging-plugins/", resourceDoc("messaging-plugins", "",
		`{"args": {"message": "Call 911 in an emergency."}, "name": "emergency", "organization-id": "`+org1+`", "type": "canned-response"}`)},
	"messaging-plugins.get":     {"/v1/messaging-plugins/" + plugin1 + "/", ""},
	"messaging-plugins.modify":  {"/v1/messaging-plugins/" + plugin1 + "/", resourceDoc("messaging-plugins", plugin1, `{"name": "hours2"}`)},
	"messaging-plugins.disable": {"/v1/messaging-plugins/" + plugin1 + "/disable/", `{}`},
	"messaging-plugins.enable":  {"/v1/messaging-plugins/" + plugin1 + "/enable/", `{}`},
	"messaging-plugins.expand":  {"/v1/messaging-plugins/" + plugin1 + "/expand/", `{"channel-id": "` + chanGroup1 + `"}`},
	"messaging-responders.list": {"/v1/messaging-responders/?organization-id=" + org1 + "&sort=-start-at&filter[enabled]=true", ""},
	"messaging-responders.create": {"/v1/messaging-responders/", resourceDoc("messaging-responders", "",
		`{"calendar-args": {"rules": [{"day": "everyday", "end-time": "14:15:22Z", "start-time": "14:15:22Z"}], "timezone": "America/New_York"},
			"name": "Holiday", "organization-id": "`+org1+`", "start-at": "2026-12-24T00:00:00Z", "end-at": "2026-12-26T00:00:00Z", "type": "holiday"}`)},
	"messaging-responders.get":     {"/v1/messaging-responders/" + responder1 + "/", ""},
	"messaging-responders.modify":  {"/v1/messaging-responders/" + responder1 + "/", resourceDoc("messaging-responders", responder1, `{"name": "Nights"}`)},
	"messaging-responders.disable": {"/v1/messaging-responders/" + responder1 + "/disable/", `{}`},
	"messaging-responders.enable":  {"/v1/messaging-responders/" + responder1 + "/enable/", `{}`},
	"announcers.list":              {"/v1/announcers/?organization-id=" + org1 + "&filter[name]=Share%20announcements", ""},
	"announcers.create": {"/v1/announcers/", resourceDoc("announcers", "",
		`{"args": {}, "event": "individual-shared", "name": "New", "organization-id": "`+org1+`", "type": "channel"}`)},
	"announcers.get":       {"/v1/announcers/" + announcer1 + "/", ""},
	"announcers.modify":    {"/v1/announcers/" + announcer1 + "/", resourceDoc("announcers", announcer1, `{"name": "Renamed"}`)},
	"app-credentials.list": {"/v1/app-credentials/?filter[type]=apn&include[archived]=true", ""},
	"app-credentials.create": {"/v1/app-credentials/", resourceDoc("app-credentials", "",
		`{"app-name": "northwind-web", "display-name": "Web", "organization-id": "`+org1+`", "type": "fcm", "test-mode": true}`)},
	"app-credentials.get":    {"/v1/app-credentials/" + credential1 + "/", ""},
	"app-credentials.modify": {"/v1/app-credentials/" + credential1 + "/", resourceDoc("app-credentials", credential1, `{"archived": true}`)},
	"badge-counts.list":      {"/v1/badge-counts/?individual-id=" + indPat + "&organization-id=" + org1, ""},
	"badge-counts.create": {"/v1/badge-counts/", resourceDoc("badge-counts", "",
		`{"count": 3, "individual-id": "`+indPat+`", "organization-id": "`+org1+`", "type": "appointment"}`)},
	"badge-counts.get": {"/v1/badge-counts/" + badgeCount1 + "/", ""},
	"bulk-badge-counts.create": {"/v1/bulk-badge-counts/", resourceDoc("bulk-badge-counts", "",
		`{"values": [{"count": 1, "individual-id": "`+indQuinn+`", "organization-id": "`+org1+`", "type": "appointment"}]}`)},
	"multicasts.list": {"/v1/multicasts/?individual-group-id=" + group1 + "&include-individual-ids=true", ""},
	"multicasts.create": {"/v1/multicasts/", resourceDoc("multicasts", "",
		`{"data": {}, "filter-type": "all-participants", "filter-value": {}, "organization-id": "`+org1+`", "template-id": "newsletter"}`)},
	"multicasts.get":       {"/v1/multicasts/" + multicast1 + "/?include-individual-group=true", ""},
	"org-preferences.list": {"/v1/org-preferences/?organization-id=" + org1 + "&filter[name]=default-channel-title", ""},
	"org-preferences.create": {"/v1/org-preferences/", resourceDoc("org-preferences", "",
		`{"name": "initial-sms-message", "organization-id": "`+org1+`", "type": "string", "value": "Reply STOP to opt out."}`)},
	"user-notifications.list":       {"/v1/user-notifications/?acknowledged=false", ""},
	"user-notifications.get":        {"/v1/user-notifications/" + notification2 + "/", ""},
	"user-notifications.ack":        {"/v1/user-notifications/" + notification2 + "/ack/", `{"ack-previous": true}`},
	"user-notification-counts.list": {"/v1/user-notification-counts/?filter[cmp-created-at]=>=2026-01-10T00:00:00Z", ""},
}

// TestCatalogWalkFresh answers every operation of walkFresh of the catalog with its
// documented success status (and JSON:API type) for a valid request.
func TestCatalogWalkFresh(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, op := range catalog.Operations() {
		if !walkFresh(op) {
			continue
		}
		seen[op.ID] = true
		req, ok := freshWalk[op.ID]
		if !assert.True(t, ok, "no walk request for %s", op.ID) {
			continue
		}
		t.Run(op.ID, func(t *testing.T) {
			t.Parallel()
			env := newEnv(t)
			path := strings.ReplaceAll(req.path, ">", "%3E")
			r := call(t, env, adminToken, op.Method, path, req.body)
			require.Equal(t, op.Status, r.Status, "%s %s: %s", op.Method, path, r.Body)
			// The answer has exactly the keys of the documented sample.
			switch op.Response {
			case "jsonapi single":
				assert.Equal(t, ContentTypeAPI, r.Header.Get("Content-Type"))
				o := one(t, r)
				assert.Equal(t, op.Type, o.Type)
				assert.Equal(t, op.SampleKeys, keys(o.Attributes))
				if op.Method == "GET" {
					assertOneAsRendered(t, env, op, path, r.Body)
				}
			case "jsonapi list":
				list := many(t, r)
				require.NotEmpty(t, list, "every list shows something: %s", r.Body)
				for _, o := range list {
					assert.Equal(t, op.Type, o.Type)
					assert.Equal(t, op.SampleKeys, keys(o.Attributes))
				}
				assertPageAsRendered(t, env, op, path)
			case "null":
				assert.JSONEq(t, `null`, r.Body)
			default:
				assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
				var top map[string]any
				require.NoError(t, jsonUnmarshal(r.Body, &top))
				assert.Equal(t, op.SampleKeys, keys(top))
			}
		})
	}
	for id := range freshWalk {
		assert.True(t, seen[id], "walk names %s, which walkFresh does not select", id)
	}
}

const ContentTypeAPI = "application/vnd.api+json"

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Fixture ids of the texting, voice, video, Alexa, users and system families
// (fixtures/courier.json).
const (
	account1         = "80000000-0000-4000-8000-000000000001"
	account2         = "80000000-0000-4000-8000-000000000002"
	number1          = "81000000-0000-4000-8000-000000000001"
	number2          = "81000000-0000-4000-8000-000000000002"
	numberInfo1      = "82000000-0000-4000-8000-000000000001"
	receiveLogSID    = "SM00000000000000000000000000000001"
	map1             = "84000000-0000-4000-8000-000000000001"
	map2             = "84000000-0000-4000-8000-000000000002"
	text1            = "85000000-0000-4000-8000-000000000001"
	text2            = "85000000-0000-4000-8000-000000000002"
	setting1         = "86000000-0000-4000-8000-000000000001"
	setting2         = "86000000-0000-4000-8000-000000000002"
	agent1           = "87000000-0000-4000-8000-000000000001"
	agent2           = "87000000-0000-4000-8000-000000000002"
	entry1           = "88000000-0000-4000-8000-000000000001"
	entry3           = "88000000-0000-4000-8000-000000000003"
	recording1       = "89000000-0000-4000-8000-000000000001"
	recording2       = "89000000-0000-4000-8000-000000000002"
	conference1      = "90000000-0000-4000-8000-000000000001"
	conference2      = "90000000-0000-4000-8000-000000000002"
	dialLog1         = "91000000-0000-4000-8000-000000000001"
	dialLog2         = "91000000-0000-4000-8000-000000000002"
	survey1          = "92000000-0000-4000-8000-000000000001"
	survey2          = "92000000-0000-4000-8000-000000000002"
	task1            = "93000000-0000-4000-8000-000000000001"
	task2            = "93000000-0000-4000-8000-000000000002"
	video1           = "94000000-0000-4000-8000-000000000001" // org1, open, recorded, Alice + Pat
	video2           = "94000000-0000-4000-8000-000000000002" // org1, terminated, Olivia + Quinn
	video3           = "94000000-0000-4000-8000-000000000003" // org2, open, Grace + Ralph
	participant1     = "95000000-0000-4000-8000-000000000001" // Alice in video 1
	participant2     = "95000000-0000-4000-8000-000000000002" // Pat in video 1
	participant3     = "95000000-0000-4000-8000-000000000003" // Olivia in video 2
	participant5     = "95000000-0000-4000-8000-000000000005" // Grace in video 3
	composition1     = "96000000-0000-4000-8000-000000000001"
	composition2     = "96000000-0000-4000-8000-000000000002"
	reminder1        = "97000000-0000-4000-8000-000000000001"
	reminder2        = "97000000-0000-4000-8000-000000000002"
	sub1             = "98000000-0000-4000-8000-000000000001"
	sub2             = "98000000-0000-4000-8000-000000000002"
	consent1         = "99000000-0000-4000-8000-000000000001"
	consent2         = "99000000-0000-4000-8000-000000000002"
	device1          = "a0000000-0000-4000-8000-000000000001" // admin's, org1
	device2          = "a0000000-0000-4000-8000-000000000002" // org1 user's
	device3          = "a0000000-0000-4000-8000-000000000003" // org2
	email1           = "a2000000-0000-4000-8000-000000000001" // org1, sent
	email2           = "a2000000-0000-4000-8000-000000000002" // org2, sent
	email3           = "a2000000-0000-4000-8000-000000000003" // org1, draft, pending attachment 3
	email4           = "a2000000-0000-4000-8000-000000000004" // org1, draft, no attachments
	emailAttachment1 = "a3000000-0000-4000-8000-000000000001"
	emailAttachment2 = "a3000000-0000-4000-8000-000000000002"
	emailAttachment3 = "a3000000-0000-4000-8000-000000000003"
	replicator1      = "a5000000-0000-4000-8000-000000000001"
	sniffer1         = "a6000000-0000-4000-8000-000000000001"
	sniffer2         = "a6000000-0000-4000-8000-000000000002"
)

// walkGrouped says whether an operation is walked in family groups: the
// texting, voice, video, Alexa, users and system families, whose requests
// run one after the other on one store per group (see walkGroup).
func walkGrouped(op jsonapi.Operation) bool {
	switch op.Resource {
	case "aggregation-requests", "ask-entries", "ask-reminders", "ask-subscriptions", "purge-data", "replicators",
		"sniffers", "tts-synthesizers", "user-consents", "user-devices", "user-email-attachments", "user-emails",
		"user-multicasts":
		return true
	case "users":
		return op.ID == "users.multicast" || op.ID == "users.validate-multicast-params"
	}
	return strings.HasPrefix(op.Resource, "text") || strings.HasPrefix(op.Resource, "voice-") ||
		strings.HasPrefix(op.Resource, "video-")
}

// groupedWalk has one valid request per operation of walkGrouped (by catalog id).
func groupedWalk() map[string]walkRequest {
	return map[string]walkRequest{
		// Texting.
		"text-accounts.list":         {"/v1/text-accounts/?organization-id=" + org1, ""},
		"text-accounts.create":       {"/v1/text-accounts/", resourceDoc("text-accounts", "", `{"allow-custom-number": false, "organization-id": "`+org1+`"}`)},
		"text-accounts.get":          {"/v1/text-accounts/" + account1 + "/", ""},
		"text-accounts.modify":       {"/v1/text-accounts/" + account1 + "/", resourceDoc("text-accounts", account1, `{"allow-custom-number": true, "phone-number": "+14155550199"}`)},
		"text-accounts.claim-number": {"/v1/text-accounts/" + account1 + "/claim-number/", `{"notes": "Second line"}`},
		"text-account-numbers.list":  {"/v1/text-account-numbers/?account-id=" + account1 + "&phone-number=%2B14155550111", ""},
		"text-account-numbers.create": {"/v1/text-account-numbers/", resourceDoc("text-account-numbers", "",
			`{"account-id": "`+account1+`", "alert": true, "area-code": "650", "forward-to": "+14155550101", "logging": false, "notes": "Lab line"}`)},
		"text-account-numbers.get": {"/v1/text-account-numbers/" + number1 + "/", ""},
		"text-account-numbers.modify": {"/v1/text-account-numbers/" + number1 + "/", resourceDoc("text-account-numbers", number1,
			`{"alert": true, "events": {"unknown-number": {"reply": "Who is this?"}}, "forward-to": "+14155550101", "logging": true, "notes": "Front desk"}`)},
		"text-account-numbers.reset-logs": {"/v1/text-account-numbers/" + number2 + "/reset-logs/", `{}`},
		"text-number-info.list":           {"/v1/text-number-info/?number=%2B14155550132", ""},
		"text-number-info.create":         {"/v1/text-number-info/", resourceDoc("text-number-info", "", `{"number": "+14155550133", "reresolve": false}`)},
		"text-number-info.get":            {"/v1/text-number-info/" + numberInfo1 + "/", ""},
		"text-number-logs.list":           {"/v1/text-number-logs/?number-id=" + number1, ""},
		"text-receive-logs.get":           {"/v1/text-receive-logs/" + receiveLogSID + "/", ""},
		"text-user-number-maps.list":      {"/v1/text-user-number-maps/?filter[organization-id]=" + org1 + "&filter[number-id]=" + number1, ""},
		"text-user-number-maps.create": {"/v1/text-user-number-maps/", resourceDoc("text-user-number-maps", "",
			`{"number-id": "`+number1+`", "organization-id": "`+org1+`", "user-id": "`+adminUser+`"}`)},
		"text-user-number-maps.get": {"/v1/text-user-number-maps/" + map1 + "/", ""},
		"texts.list":                {"/v1/texts/?account-id=" + account1 + "&filter[target]=%2B14155550132", ""},
		"texts.create": {"/v1/texts/", resourceDoc("texts", "", `{"account-id": "`+account1+`", "callback-json": {}, "callback-one-off": true,
			"callback-status-url": "https://example.com/status", "callback-url": "https://example.com/reply", "expected-responses": ["YES", "NO"],
			"message": "Reply YES to confirm.", "number-id": "`+number1+`", "organization-id": "`+org1+`", "target": "+14155550132"}`)},
		"texts.get":      {"/v1/texts/" + text1 + "/", ""},
		"texts.callback": {"/v1/texts/" + text1 + "/callback/", `{"MessageSid": "SM85000000000040008000000000000001", "MessageStatus": "read"}`},
		// Voice.
		"voice-settings.list": {"/v1/voice-settings/?organization-id=" + org1, ""},
		"voice-settings.create": {"/v1/voice-settings/", resourceDoc("voice-settings", "", `{"account-id": "`+account1+`", "forward-number": null,
			"phone-number": "+14155550111", "recording-enabled": false, "recording-message": "", "wait-message": "Please hold."}`)},
		"voice-settings.get": {"/v1/voice-settings/" + setting1 + "/", ""},
		"voice-settings.modify": {"/v1/voice-settings/" + setting1 + "/", resourceDoc("voice-settings", setting1,
			`{"forward-number": {}, "phone-number": "+14155550111", "recording-enabled": false, "recording-message": "x", "wait-message": "Hold on."}`)},
		"voice-settings.run-task": {"/v1/voice-settings/" + setting1 + "/run-task/", `{"kwargs": {}, "method": "refresh_queue_entries"}`},
		"voice-tasks.get":         {"/v1/voice-tasks/" + task1 + "/", ""},
		"voice-ivrs.twiml":        {"/v1/voice-ivrs/" + setting1 + "/twiml/", `{"CallSid": "CA1", "From": "+14155550150", "To": "+14155550111"}`},
		"voice-queue-agents.list": {"/v1/voice-queue-agents/?setting-id=" + setting1, ""},
		"voice-queue-agents.create": {"/v1/voice-queue-agents/", resourceDoc("voice-queue-agents", "",
			`{"individual-id": "`+indAlice+`", "phone-number": "+14155550101", "setting-id": "`+setting1+`", "use-pstn": false}`)},
		"voice-queue-agents.get":            {"/v1/voice-queue-agents/" + agent1 + "/", ""},
		"voice-queue-entries.list":          {"/v1/voice-queue-entries/?setting-id=" + setting1, ""},
		"voice-queue-entries.get":           {"/v1/voice-queue-entries/" + entry1 + "/", ""},
		"voice-recordings.list":             {"/v1/voice-recordings/?organization-id=" + org1 + "&filter[states]=completed&filter[individual-id]=" + indPat, ""},
		"voice-recordings.get":              {"/v1/voice-recordings/" + recording1 + "/?individual-id=" + indPat, ""},
		"voice-conferences.list":            {"/v1/voice-conferences/?organization-id=" + org1 + "&filter[states]=completed", ""},
		"voice-conferences.create":          {"/v1/voice-conferences/", resourceDoc("voice-conferences", "", `{"individual-id": "`+indQuinn+`", "organization-id": "`+org1+`"}`)},
		"voice-conferences.get":             {"/v1/voice-conferences/" + conference1 + "/?individual-id=" + indPat, ""},
		"voice-conferences.get-credentials": {"/v1/voice-conferences/" + conference2 + "/get-credentials/?individual-id=" + indRalph, ""},
		"voice-dial-logs.list":              {"/v1/voice-dial-logs/?organization-id=" + org1 + "&filter[conference-id]=" + conference1, ""},
		"voice-dial-logs.get":               {"/v1/voice-dial-logs/" + dialLog1 + "/", ""},
		"voice-surveys.list":                {"/v1/voice-surveys/?organization-id=" + org1 + "&filter[states]=completed", ""},
		"voice-surveys.create": {"/v1/voice-surveys/", resourceDoc("voice-surveys", "",
			`{"individual-id": "`+indPat+`", "organization-id": "`+org1+`", "spec": {"questions": ["Pain today, 0 to 10?"]}}`)},
		"voice-surveys.get":       {"/v1/voice-surveys/" + survey1 + "/", ""},
		"tts-synthesizers.create": {"/v1/tts-synthesizers/", resourceDoc("tts-synthesizers", "", `{"locale": "en-US", "text": "Hello"}`)},
		// Video.
		"video-channels.list": {"/v1/video-channels/?individual-id=" + indAlice + "&filter[states]=open&organization-id=" + org1, ""},
		"video-channels.create": {"/v1/video-channels/", resourceDoc("video-channels", "", `{"appless": false,
			"appointment": {"duration": 1800, "id": "74000000-0000-4000-8000-000000000009", "start": "2026-01-16T10:00:00Z"},
			"messaging-channel-id": "`+chanDirect+`", "organization-id": "`+org1+`", "participants": ["`+indAlice+`", "`+indPat+`"],
			"recorded": true, "subject-id": "`+indPat+`", "type": "direct", "with-email": false}`)},
		"video-channels.get": {"/v1/video-channels/" + video1 + "/?individual-id=" + indAlice, ""},
		"video-channels.modify": {"/v1/video-channels/" + video1 + "/", resourceDoc("video-channels", video1,
			`{"appointment-duration": 3600, "appointment-start": "2026-01-15T11:00:00Z", "note": "Bring your meds.", "recorded": true}`)},
		"video-channels.finalize-encounter": {"/v1/video-channels/" + video2 + "/finalize-encounter/",
			`{"service-type-id": "77000000-0000-4000-8000-000000000001", "use-note-from-author-participant": false}`},
		"video-channels.finalize-encounter-v2": {"/v2/video-channels/" + video1 + "/finalize-encounter/", `{"service-type-id": "77000000-0000-4000-8000-000000000001"}`},
		"video-channels.get-credentials":       {"/v1/video-channels/" + video1 + "/get-credentials/?individual-id=" + indPat, ""},
		"video-channels.participant-audio-states": {"/v1/video-channels/" + video1 + "/participant-audio-states/",
			`{"individual-id": "` + indAlice + `", "participants": [{"audio-state": "muted", "id": "` + participant2 + `"}]}`},
		"video-channels.reminder-timer": {"/v1/video-channels/" + video1 + "/reminder-timer/", `{}`},
		"video-channels.terminate":      {"/v1/video-channels/" + video1 + "/terminate/", `{}`},
		"video-compositions.list":       {"/v1/video-compositions/?video-channel-id=" + video2, ""},
		"video-compositions.get":        {"/v1/video-compositions/" + composition1 + "/", ""},
		"video-participants.list":       {"/v1/video-participants/?individual-id=" + indAlice + "&video-channel-id=" + video1 + "&page[limit]=10&page[offset]=0", ""},
		"video-participants.get":        {"/v1/video-participants/" + participant1 + "/", ""},
		"video-participants.modify": {"/v1/video-participants/" + participant5 + "/", resourceDoc("video-participants", participant5,
			`{"audio-state": "muted", "disconnected": false, "note": "Patient is stable."}`)},
		// Alexa.
		"ask-entries.create": {"/v1/ask-entries/", `{"version": "1.0", "request": {"timestamp": "2026-01-15T12:00:00Z", "type": "LaunchRequest"}}`},
		"ask-reminders.list": {"/v1/ask-reminders/?individual-id=" + indPat, ""},
		"ask-reminders.create": {"/v1/ask-reminders/", resourceDoc("ask-reminders", "", `{"individual-id": "`+indPat+`", "name": "Evening pills",
			"reminder-content": "Take your evening pill.", "reminder-rrule": "FREQ=DAILY", "reminder-time-local": "20:00", "tz-info": "America/Los_Angeles"}`)},
		"ask-reminders.get":      {"/v1/ask-reminders/" + reminder1 + "/", ""},
		"ask-reminders.modify":   {"/v1/ask-reminders/" + reminder1 + "/", resourceDoc("ask-reminders", reminder1, `{"reminder-time-local": "08:30"}`)},
		"ask-subscriptions.list": {"/v1/ask-subscriptions/?organization-id=" + org1 + "&filter[user-id]=" + org1User, ""},
		"ask-subscriptions.get":  {"/v1/ask-subscriptions/" + sub1 + "/", ""},
		"ask-subscriptions.send": {"/v1/ask-subscriptions/" + sub1 + "/send/",
			`{"event": {"name": "AMAZON.MessageAlert.Activated", "payload": {"messageGroup": {"count": 1}}}, "expire": 3600, "localized": [{}]}`},
		// User.
		"user-consents.list": {"/v1/user-consents/?filter[organization-id]=" + org1 + "&filter[user-id]=" + org1User, ""},
		"user-consents.create": {"/v1/user-consents/", resourceDoc("user-consents", "", `{"args": {"messages": {"accept": "Thanks", "initial": "Reply YES",
			"invalid-response": "YES or NO"}}, "organization-id": "`+org1+`", "type": "sms", "user-id": "`+adminUser+`"}`)},
		"user-consents.get": {"/v1/user-consents/" + consent1 + "/", ""},
		"user-devices.list": {"/v1/user-devices/?filter[type]=apn&filter[app-name]=northwind", ""},
		"user-devices.create": {"/v1/user-devices/", resourceDoc("user-devices", "", `{"allow-notification": true, "app-name": "northwind", "app-version": "4.3.0",
			"individual-id": "`+indAlice+`", "model": "iPad", "os-version": "17.3", "sandbox": false, "token": "apn-token-new", "topic": "com.example.northwind", "type": "apn"}`)},
		"user-devices.get-logs": {"/v1/user-devices/" + device1 + "/get-logs/", ""},
		"user-emails.list":      {"/v1/user-emails/?individual-id=" + indPat, ""},
		"user-emails.create": {"/v1/user-emails/", resourceDoc("user-emails", "", `{"auto-send": true, "individual-id": "`+indPat+`", "message": "Hello",
			"message-html": "<p>Hello</p>", "sender-organization-id": "`+org1+`", "subject": "Welcome", "to": "pat.jones@example.com"}`)},
		"user-emails.get":             {"/v1/user-emails/" + email1 + "/", ""},
		"user-emails.send":            {"/v1/user-emails/" + email4 + "/send/", ""},
		"user-email-attachments.list": {"/v1/user-email-attachments/?email-id=" + email1, ""},
		"user-email-attachments.create": {"/v1/user-email-attachments/", resourceDoc("user-email-attachments", "",
			`{"content-type": "application/pdf", "email-id": "`+email3+`", "filename": "directions.pdf"}`)},
		"user-email-attachments.get":            {"/v1/user-email-attachments/" + emailAttachment1 + "/?with-link=true", ""},
		"user-email-attachments.process-upload": {"/v1/user-email-attachments/" + emailAttachment3 + "/process-upload/", `{}`},
		"user-multicasts.list":                  {"/v1/user-multicasts/?individual-id=" + indPat, ""},
		"user-multicasts.create": {"/v1/user-multicasts/", `{"individual-group-ids": ["` + group1 + `"], "individual-ids": ["` + indQuinn + `"],
			"organization-id": "` + org1 + `", "template-data": {"clinic": "Northwind"}, "template-id": "newsletter"}`},
		"users.multicast": {"/v1/users/" + org1User + "/multicast/", `{"data": {"day": "Monday"}, "individual-id": "` + indOlivia + `",
			"organization-id": "` + org1 + `", "template-id": "shift-reminder"}`},
		"users.validate-multicast-params": {"/v1/users/" + org1User + "/validate-multicast-params/", `{"data": {}, "individual-id": "` + indOlivia + `",
			"organization-id": "` + org1 + `", "template-id": "shift-reminder"}`},
		// System.
		"aggregation-requests.create": {"/v1/aggregation-requests/", resourceDoc("aggregation-requests", "", `{"entries": [{"column": "steps", "individual-id": "`+indPat+`"}]}`)},
		"purge-data.create": {"/v1/purge-data/", resourceDoc("system-purges", "", `{"archive": false, "entity-id": "`+video2+`",
			"entity-type": "video-channel", "reference-id": "ticket-1", "request-id": "req-1"}`)},
		"replicators.list":  {"/v1/replicators/", ""},
		"replicators.get":   {"/v1/replicators/" + replicator1 + "/", ""},
		"sniffers.create":   {"/v1/sniffers/", resourceDoc("sniffers", "", `{"user-id": "`+org1User+`", "valid-until": "2026-01-15T13:00:00Z"}`)},
		"sniffers.get":      {"/v1/sniffers/" + sniffer1 + "/", ""},
		"sniffers.get-logs": {"/v1/sniffers/" + sniffer1 + "/get-logs/", ""},
	}
}

// walkStatus is the status an operation of walkGrouped answers on success: the
// documented one, or (where the vendor documents none: the two Twilio
// webhooks and tts-synthesizers) what the notes decide for actions and
// creates, 201.
func walkStatus(op jsonapi.Operation) int {
	if op.Status != 0 {
		return op.Status
	}
	return 201
}

// TestCatalogWalkGrouped answers every operation of walkGrouped of the catalog with its
// documented success status (and JSON:API type) for a valid request. One
// store per family group (stores are costly under -race): the groups run in
// parallel, their operations one after the other in catalog order, so the
// walk's requests are chosen not to undo what a later one needs.
func TestCatalogWalkGrouped(t *testing.T) {
	t.Parallel()
	walk := groupedWalk()
	seen := map[string]bool{}
	groups := map[string][]jsonapi.Operation{}
	for _, op := range catalog.Operations() {
		if !walkGrouped(op) {
			continue
		}
		seen[op.ID] = true
		if assert.Contains(t, walk, op.ID, "no walk request for %s", op.ID) {
			groups[walkGroup(op)] = append(groups[walkGroup(op)], op)
		}
	}
	assert.Len(t, seen, 94, "walkGrouped selects 94 operations")
	for id := range walk {
		assert.True(t, seen[id], "the walk names %s, which walkGrouped does not select", id)
	}
	for name, ops := range groups {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newEnv(t)
			for _, op := range ops {
				req := walk[op.ID]
				t.Run(op.ID, func(t *testing.T) {
					r := call(t, env, adminToken, op.Method, req.path, req.body)
					require.Equal(t, walkStatus(op), r.Status, "%s %s: %s", op.Method, req.path, r.Body)
					checkSampleKeys(t, op.ID, r.Body)
					switch {
					case op.ID == "texts.callback" || op.ID == "tts-synthesizers.create":
						// Undocumented answers: decided to be the resource, as JSON:API.
						assert.Equal(t, op.Resource, one(t, r).Type)
					case op.Response == "jsonapi single":
						assert.Equal(t, "application/vnd.api+json", r.Header.Get("Content-Type"))
						assert.Equal(t, op.Type, one(t, r).Type)
						if op.Method == "GET" {
							assertOneAsRendered(t, env, op, req.path, r.Body)
						}
					case op.Response == "jsonapi list":
						list := many(t, r)
						require.NotEmpty(t, list, "every list shows something: %s", r.Body)
						for _, o := range list {
							assert.Equal(t, op.Type, o.Type)
						}
						assertPageAsRendered(t, env, op, req.path)
					case op.Response == "null":
						assert.JSONEq(t, `null`, r.Body)
					case op.Response == "empty object":
						assert.JSONEq(t, `{}`, r.Body)
					default:
						assert.Equal(t, "application/json", r.Header.Get("Content-Type"), r.Body)
					}
				})
			}
		})
	}
}

// assertOneAsRendered: a GET of one resource (answer, the body of path) is
// byte for byte what the general render answers with a sparse fieldset
// naming every attribute it shows (a type without hooks answers its stored
// text, Engine.getStored).
func assertOneAsRendered(t *testing.T, env *emutest.Env, op jsonapi.Operation, path, answer string) {
	t.Helper()
	var doc struct {
		Data struct{ Attributes map[string]json.RawMessage }
	}
	require.NoError(t, json.Unmarshal([]byte(answer), &doc))
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	fields := path + sep + "fields[" + op.Type + "]=" + url.QueryEscape(strings.Join(slices.Sorted(maps.Keys(doc.Data.Attributes)), ","))
	assert.Equal(t, answer, mustCall(t, env, 200, "GET", fields, "").Body, "%s: as rendered", path)
}

// assertPageAsRendered: a page of a list (the answer of path) is what the
// general render answers, which a sparse fieldset naming every attribute
// takes: the page may have been written from its records' stored text
// (jsonapi/splice.go), and must not differ in a byte.
func assertPageAsRendered(t *testing.T, env *emutest.Env, op jsonapi.Operation, path string) {
	t.Helper()
	page := pageItems(t, env, path)
	require.NotEmpty(t, page, path)
	var first struct{ Attributes map[string]json.RawMessage }
	require.NoError(t, json.Unmarshal([]byte(page[0]), &first))
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	fields := path + sep + "fields[" + op.Type + "]=" + url.QueryEscape(strings.Join(slices.Sorted(maps.Keys(first.Attributes)), ","))
	assert.Equal(t, pageItems(t, env, fields), page, "%s: as rendered", path)
}

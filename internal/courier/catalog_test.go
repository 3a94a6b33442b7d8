package courier_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/courier/catalog"
	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
)

// part1 says whether a catalog resource belongs to this part's families.
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

// walk has one valid request per part-1 operation (by catalog id).
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
		`{"individual-ids": ["`+indOlivia+`", "`+indQuinn+`"], "name": "Olivia and Quinn", "organization-id": "`+org1+`"}`)},
	"messaging-channels.get":         {"/v1/messaging-channels/" + chanGroup1 + "/?individual-id=" + indAlice, ""},
	"messaging-channels.modify":      {"/v1/messaging-channels/" + chanGroup1 + "/", resourceDoc("messaging-channels", chanGroup1, `{"label": "urgent"}`)},
	"messaging-channels.archive":     {"/v1/messaging-channels/" + chanGroup1 + "/archive/", `{}`},
	"messaging-channels.unarchive":   {"/v1/messaging-channels/" + chanGroup1 + "/unarchive/", `{}`},
	"messaging-channels.get-profile": {"/v1/messaging-channels/" + chanGroup1 + "/get-profile/?individual-id=" + indAlice + "&profile-individual-id=" + indPat, ""},
	"messaging-channels.preferences": {"/v1/messaging-channels/" + chanDirect + "/preferences/",
		`{"individual-id": "` + indAlice + `", "values": [{"name": "notify", "value": "none"}]}`},
	"messaging-channels.sms":                {"/v1/messaging-channels/" + chanDirect + "/sms/", `{"active": true, "initial-message": "Hi"}`},
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
		`{"draft": true, "individual-ids": ["`+indPat+`"], "message": "Flu shots are in.", "sender-individual-id": "`+indAlice+`"}`)},
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
		`{"name": "Holiday", "organization-id": "`+org1+`", "start-at": "2026-12-24T00:00:00Z", "end-at": "2026-12-26T00:00:00Z", "type": "holiday"}`)},
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

// TestCatalogWalk answers every part-1 operation of the catalog with its
// documented success status (and JSON:API type) for a valid request.
func TestCatalogWalk(t *testing.T) {
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
			if op.Method == http.MethodDelete {
				// [decided] DELETE answers 204 with no body.
				require.Equal(t, http.StatusNoContent, r.Status, r.Body)
				assert.Empty(t, r.Body)
				return
			}
			require.Equal(t, op.Status, r.Status, "%s %s: %s", op.Method, path, r.Body)
			// The answer has exactly the keys of the documented sample.
			switch op.Response {
			case "jsonapi single":
				assert.Equal(t, ContentTypeAPI, r.Header.Get("Content-Type"))
				o := one(t, r)
				assert.Equal(t, op.Type, o.Type)
				assert.Equal(t, op.SampleKeys, keys(o.Attributes))
			case "jsonapi list":
				list := many(t, r)
				require.NotEmpty(t, list, "every list shows something: %s", r.Body)
				for _, o := range list {
					assert.Equal(t, op.Type, o.Type)
					assert.Equal(t, op.SampleKeys, keys(o.Attributes))
				}
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
		assert.True(t, seen[id], "walk names %s, which is not a part-1 catalog operation", id)
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

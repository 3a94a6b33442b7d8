package courier_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNotifications(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	assert.Equal(t, []string{notification2, "73000000-0000-4000-8000-000000000003"}, ids(list(t, env, adminToken, "/v1/user-notifications/?acknowledged=false")))
	assert.Equal(t, []string{"73000000-0000-4000-8000-000000000003"}, ids(list(t, env, adminToken, "/v1/user-notifications/?filter[category]=appointment")))
	r := mustCall(t, env, 201, "POST", "/v1/user-notifications/73000000-0000-4000-8000-000000000003/ack/", `{"ack-previous": true}`)
	assert.Equal(t, true, one(t, r).Attributes["acknowledged"])
	assert.Empty(t, list(t, env, adminToken, "/v1/user-notifications/?acknowledged=false"))
	// The org1 user's own notification is untouched.
	assert.Len(t, list(t, env, org1Token, "/v1/user-notifications/?acknowledged=false"), 1)
	r = call(t, env, org1Token, "POST", "/v1/user-notifications/"+notification2+"/ack/", `{}`)
	assert.Equal(t, http.StatusNotFound, r.Status)

	r = call(t, env, adminToken, "GET", "/v1/user-notification-counts/?filter[cmp-created-at]=%3E2026-01-10T00:00:00Z", "")
	assert.Equal(t, http.StatusBadRequest, r.Status, "only <= and >= are documented here")
	counts := mustCall(t, env, 200, "GET", "/v1/user-notification-counts/?filter[cmp-created-at]=%3E=2026-01-10T00:00:00Z&filter[cmp-created-at]=%3C=2026-01-10T23:59:59Z", "")
	assert.JSONEq(t, `{"data": [{"attributes": {"count": 1, "daily-for-date": "2026-01-10", "user-id": "`+adminUser+`"}, "type": "notification-counts"}],
		"meta": {"page[limit]": 500, "page[offset]": 0, "page[total]": 1},
		"links": {"first": "`+env.URL+`/courier/v1/user-notification-counts/?filter[cmp-created-at]=%3E%3D2026-01-10T00%3A00%3A00Z&filter[cmp-created-at]=%3C%3D2026-01-10T23%3A59%3A59Z&page[limit]=500&page[offset]=0",
		"last": "`+env.URL+`/courier/v1/user-notification-counts/?filter[cmp-created-at]=%3E%3D2026-01-10T00%3A00%3A00Z&filter[cmp-created-at]=%3C%3D2026-01-10T23%3A59%3A59Z&page[limit]=500&page[offset]=0",
		"prev": null, "next": null}}`, counts.Body)
	r = mustCall(t, env, 200, "GET", "/v1/user-notification-counts/?page[limit]=0", "")
	assert.Empty(t, many(t, r))
	assert.EqualValues(t, 3, decode(t, r).Meta["page[total]"])
}

func TestOperationsBadgesPreferencesMulticasts(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	// move-group moves the channel.
	r := mustCall(t, env, 201, "POST", "/v1/messaging-operations/", resourceDoc("messaging-operations", "", `{"args": {"channel-id": "`+chanDirect+`", "individual-group-id": "`+group1+`"}, "organization-id": "`+org1+`", "type": "move-group"}`))
	assert.Equal(t, "completed", one(t, r).Attributes["status"])
	assert.Equal(t, group1, get(t, env, adminToken, "/v1/messaging-channels/"+chanDirect+"/").Attributes["individual-group-id"])
	r = mustCall(t, env, 201, "POST", "/v1/messaging-operations/", resourceDoc("messaging-operations", "", `{"args": {"channel-id": "`+chanGroup2+`"}, "organization-id": "`+org1+`", "type": "move-group"}`))
	assert.Equal(t, "failed", one(t, r).Attributes["status"])
	r = call(t, env, adminToken, "POST", "/v1/messaging-operations/", resourceDoc("messaging-operations", "", `{"args": {}, "organization-id": "`+org1+`", "type": "split"}`))
	assert.Equal(t, http.StatusBadRequest, r.Status, "type enum")

	// One badge count per organization, individual and type.
	mustCall(t, env, 201, "POST", "/v1/badge-counts/", resourceDoc("badge-counts", "", `{"count": 5, "individual-id": "`+indPat+`", "organization-id": "`+org1+`", "type": "appointment"}`))
	bc := list(t, env, adminToken, "/v1/badge-counts/?individual-id="+indPat)
	require.Len(t, bc, 1)
	assert.EqualValues(t, 5, bc[0].Attributes["count"])
	// Bulk: all or nothing.
	r = call(t, env, adminToken, "POST", "/v1/bulk-badge-counts/", resourceDoc("bulk-badge-counts", "", `{"values": [
		{"count": 1, "individual-id": "`+indQuinn+`", "organization-id": "`+org1+`", "type": "message"},
		{"count": 1, "individual-id": "`+indRalph+`", "organization-id": "`+org1+`", "type": "message"}]}`))
	require.Equal(t, http.StatusBadRequest, r.Status, r.Body)
	assert.Equal(t, "/data/attributes/values/1/individual-id", decode(t, r).Errors[0].Source["pointer"])
	assert.Empty(t, list(t, env, adminToken, "/v1/badge-counts/?individual-id="+indQuinn))
	mustCall(t, env, 201, "POST", "/v1/bulk-badge-counts/", resourceDoc("bulk-badge-counts", "", `{"values": [{"count": 1, "individual-id": "`+indQuinn+`", "organization-id": "`+org1+`", "type": "message"}]}`))
	assert.Len(t, list(t, env, adminToken, "/v1/badge-counts/?individual-id="+indQuinn), 1)

	// Org preferences: setting again replaces.
	mustCall(t, env, 201, "POST", "/v1/org-preferences/", resourceDoc("org-preferences", "", `{"name": "default-channel-title", "organization-id": "`+org1+`", "type": "string", "value": "Care"}`))
	prefs := list(t, env, adminToken, "/v1/org-preferences/?organization-id="+org1)
	require.Len(t, prefs, 1)
	assert.Equal(t, "Care", prefs[0].Attributes["value"])
	r = call(t, env, adminToken, "POST", "/v1/org-preferences/", resourceDoc("org-preferences", "", `{"name": "colour", "organization-id": "`+org1+`", "type": "string"}`))
	assert.Equal(t, http.StatusBadRequest, r.Status, "name enum")

	// Multicasts: recipients resolved; the individual multicast is a multicast too.
	r = mustCall(t, env, 201, "POST", "/v1/multicasts/", resourceDoc("multicasts", "", `{"data": {}, "filter-type": "all-participants", "filter-value": {}, "organization-id": "`+org1+`", "template-id": "t"}`))
	mc := get(t, env, adminToken, "/v1/multicasts/"+one(t, r).ID+"/?include-individual-ids=true")
	assert.Equal(t, []any{indPat, indQuinn}, mc.Attributes["individual-ids"])
	r = mustCall(t, env, 201, "POST", "/v1/individuals/"+indQuinn+"/multicast/", `{"template-data": {"x": "y"}, "template-id": "hello"}`)
	var task struct {
		TaskID string `json:"task-id"`
	}
	require.NoError(t, jsonUnmarshal(r.Body, &task))
	assert.JSONEq(t, `{"message-data": {"x": "y"}, "task-id": "`+task.TaskID+`"}`, r.Body)
	assert.Equal(t, indQuinn, get(t, env, adminToken, "/v1/multicasts/"+task.TaskID+"/").Attributes["individual-id"])
	r = call(t, env, adminToken, "POST", "/v1/individuals/"+indQuinn+"/multicast/", `{"template-data": {}}`)
	assert.Equal(t, http.StatusBadRequest, r.Status, "template-id is required")
	// get-profile.
	r = mustCall(t, env, 200, "GET", "/v1/messaging-channels/"+chanGroup1+"/get-profile/?individual-id="+indAlice+"&profile-individual-id="+indPat, "")
	assert.JSONEq(t, `{"data": {"attributes": {"photo": "https://example.com/photos/`+indPat+`.png"}, "id": "`+indPat+`", "type": "individual-profiles"}}`, r.Body)
	r = call(t, env, adminToken, "GET", "/v1/messaging-channels/"+chanDirect+"/get-profile/?individual-id="+indAlice+"&profile-individual-id="+indQuinn, "")
	assert.Equal(t, http.StatusBadRequest, r.Status)
	// Users modify their own notifications.
	u := one(t, mustCall(t, env, 200, "PATCH", "/v1/users/"+adminUser+"/", resourceDoc("users", adminUser, `{"notifications": ["sms"], "email": "ignored@example.com"}`)))
	assert.Equal(t, []any{"sms"}, u.Attributes["notifications"])
	assert.Equal(t, "alice.admin@example.com", u.Attributes["email"])
}

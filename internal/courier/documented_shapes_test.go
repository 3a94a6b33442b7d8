package courier_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docSampleKeys are the attribute keys of every type of the texting, voice, video, Alexa, users and system families in the order of the
// vendor's response samples (courier-api.txt).
func docSampleKeys() map[string][]string {
	return map[string][]string{
		"aggregation-requests":   {},
		"ask-reminders":          {"account-id", "alexa-reminder-id", "created-at", "created-by", "individual-id", "name", "reminder-content", "reminder-rrule", "reminder-time-local", "synced-to-alexa", "tz-info"},
		"ask-subscriptions":      {"alexa-app-id", "alexa-user-id", "created-at", "last-modified-at", "organization-id", "registered-events", "skill-id", "user-id"},
		"replicators":            {"classpath", "created-time", "last-poll-time"},
		"sniffer-logs":           {"body", "content_type", "created-time", "message", "method", "path", "query-string", "request-id", "response", "status-code", "trace-id", "user-agent"},
		"sniffers":               {"created-time", "user-id", "valid-until"},
		"text-account-numbers":   {"account-id", "alert", "capability-mms", "capability-sms", "capability-voice", "created-at", "events", "forward-to", "lata", "latitude", "logging", "longitude", "notes", "phone-number", "postal-code", "rate-center", "region", "twilio-id"},
		"text-accounts":          {"allow-custom-number", "created-at", "organization-id", "phone-number", "twilio-id"},
		"text-number-info":       {"carrier-name", "created-at", "error", "last-modified-at", "mobile-country-code", "mobile-network-code", "number", "status", "type"},
		"text-number-logs":       {"created-at", "log"},
		"text-receive-logs":      {"created-at", "message", "sender", "sid", "to"},
		"text-user-number-maps":  {"created-at", "number-id", "organization-id", "user-id"},
		"texts":                  {"callback-status-url", "callback-url", "created-at", "created-by", "error", "from", "last-modified-at", "message", "status", "target", "twilio-sid"},
		"user-consents":          {"args", "created-at", "last-modified-at", "organization-id", "state", "target-id", "type", "user-id"},
		"user-device-logs":       {"badge-count", "body", "category", "created-at", "data", "title"},
		"user-devices":           {"allow-notification", "app-name", "app-version", "created-at", "individual-id", "last-modified-at", "model", "os-version", "sandbox", "token", "topic", "type"},
		"user-email-attachments": {"content-type", "created-at", "download-link", "filename", "ready-to-use", "size"},
		"user-emails":            {"created-at", "created-by", "individual-id", "last-modified-at", "message", "message-html", "result", "sender-organization-id", "status", "subject", "task-id", "to", "user-id"},
		"user-multicasts":        {"created-at", "individual-id", "organization-id", "template-data", "template-id"},
		"video-channels":         {"appless", "appointment", "channel-state", "compositions", "created-at", "created-by", "duration", "encounter-id", "max-participants", "note", "observation-id", "organization-display-name", "organization-id", "participants", "recorded", "scheduler-id", "subject-id", "type"},
		"video-compositions":     {"created-at", "duration", "last-modified-at", "processing-pct", "processing-status", "size", "status", "video-channel-id"},
		"video-participants":     {"account-type", "audio-state", "connected-at", "disconnected", "encounter-id", "individual-id", "last-modified-at", "last-modified-by", "note", "status", "twilio-channel-id", "video-channel-id"},
		"voice-conferences":      {"created-at", "created-by", "last-modified-at", "organization-id", "state"},
		"voice-dial-logs":        {"call-duration", "conference-id", "created-at", "individual-id", "last-modified-at", "organization-id", "status"},
		"voice-queue-agents":     {"access-token", "call", "created-at", "individual-id", "last-modified-at", "phone-number", "setting", "user"},
		"voice-queue-entries":    {"created-at", "last-modified-at", "phone-number", "position", "queue-time", "state"},
		"voice-recordings":       {"created-at", "download-count", "duration", "individual-id", "last-modified-at", "phone-number", "setting-id", "state", "transcription"},
		"voice-settings":         {"account-id", "created-at", "forward-number", "last-modified-at", "organization-id", "phone-number", "recording-enabled", "recording-message", "wait-message"},
		"voice-surveys":          {"created-at", "created-by", "individual-id", "organization-id", "state"},
		"voice-tasks":            {"created-at", "created-by", "error-message", "kwargs", "method", "result", "setting", "state"},
	}
}

// plainSampleKeys are the keys of the plain-JSON answers, in the samples' order
// (the twiml answer is decided: the vendor documents none).
func plainSampleKeys() map[string][]string {
	return map[string][]string{
		"user-email-attachments.create":     {"expiration-time", "id", "upload-data", "upload-url"},
		"user-multicasts.create":            {"message-data", "task-id"},
		"users.multicast":                   {"message-data", "task-id"},
		"users.validate-multicast-params":   {"info", "success"},
		"video-channels.get-credentials":    {"access-token", "name"},
		"voice-conferences.get-credentials": {"access-token"},
		"voice-ivrs.twiml":                  {"twiml"},
	}
}

// keyOrder reads the keys of a JSON object in the order they appear.
func keyOrder(t testing.TB, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('{'), tok, "%s", raw)
	keys := []string{}
	for dec.More() {
		k, err := dec.Token()
		require.NoError(t, err)
		keys = append(keys, k.(string))
		var skip json.RawMessage
		require.NoError(t, dec.Decode(&skip))
	}
	return keys
}

// checkSampleKeys checks an answer's keys against the docs' samples.
func checkSampleKeys(t *testing.T, opID, body string) {
	t.Helper()
	if want, ok := plainSampleKeys()[opID]; ok {
		assert.Equal(t, want, keyOrder(t, []byte(body)), "%s: %s", opID, body)
		return
	}
	var d struct {
		Data json.RawMessage `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &d), body)
	if len(d.Data) == 0 || d.Data[0] == 'n' {
		return
	}
	item := d.Data
	if item[0] == '[' {
		var items []json.RawMessage
		require.NoError(t, json.Unmarshal(item, &items))
		if len(items) == 0 {
			return
		}
		item = items[0]
	}
	assert.Equal(t, []string{"attributes", "id", "type"}, keyOrder(t, item), "%s", opID)
	var obj struct {
		Attributes json.RawMessage `json:"attributes"`
		Type       string          `json:"type"`
	}
	require.NoError(t, json.Unmarshal(item, &obj))
	want, ok := docSampleKeys()[obj.Type]
	if obj.Type == "tts-synthesizers" {
		want, ok = []string{}, true // no sample: both of its attributes are request-only
	}
	require.True(t, ok, "no documented keys for %s", obj.Type)
	assert.Equal(t, want, keyOrder(t, obj.Attributes), "%s (%s)", opID, obj.Type)
}

// TestAlternativePaths: the catalog's alternative paths answer like the chosen ones.
func TestAlternativePaths(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	assert.JSONEq(t, `{}`, callWant(t, env, org1Token, "PUT", "/v1/ask-entries/", `{"request": {"type": "LaunchRequest"}}`, 200).Body)
	mustFail(t, env, org1Token, "PUT", "/v1/ask-entries/", `{}`, 400)
	assert.Equal(t, callWant(t, env, org1Token, "GET", "/v1/text-receive-logs/"+receiveLogSID+"/", "", 200).Body,
		callWant(t, env, org1Token, "GET", "/v1/text-number-logs/"+receiveLogSID+"/", "", 200).Body)
	code, _, _ := mustFail(t, env, org1Token, "DELETE", "/v1/ask-entries/", "", 405)
	assert.Equal(t, "MethodNotAllowed", code)
}

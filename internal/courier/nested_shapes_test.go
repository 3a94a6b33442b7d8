package courier_test

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
)

// fault is one error object of an answer: where and what.
type fault struct{ Pointer, Detail string }

// faults requires a 400 ValidationError answer and lists its errors.
func faults(t *testing.T, r emutest.Response) []fault {
	t.Helper()
	out := []fault{}
	for _, e := range decode(t, r).Errors {
		assert.Equal(t, 400, e.Status, r.Body)
		assert.Equal(t, "ValidationError", e.Code, r.Body)
		out = append(out, fault{e.Source["pointer"], e.Detail})
	}
	return out
}

// The calendar-args sample of courier-api.txt (its "timezone": "string"
// made a zone: the sample shows only the type).
const calendarSample = `{"rules": [{"day": "everyday", "end-time": "14:15:22Z", "start-time": "14:15:22Z"}], "timezone": "America/Los_Angeles"}`

// responderWrites are a create and a PATCH of a responder with calendar-args v.
func responderWrites(v string) []walkRequest {
	return []walkRequest{
		{"/v1/messaging-responders/", resourceDoc("messaging-responders", "",
			`{"calendar-args": `+v+`, "name": "Shifts", "organization-id": "`+org1+`", "type": "after-hours"}`)},
		{"/v1/messaging-responders/" + responder1 + "/", resourceDoc("messaging-responders", responder1, `{"calendar-args": `+v+`}`)},
	}
}

func writeMethod(path string) string {
	if strings.HasSuffix(path, "/v1/messaging-responders/") {
		return "POST"
	}
	return "PATCH"
}

// TestResponderCalendarArgsRefused: every bad member of a responder's
// calendar-args, on create and on PATCH, is a 400 pointing at it, and nothing
// is stored.
func TestResponderCalendarArgsRefused(t *testing.T) {
	t.Parallel()
	const at = "/data/attributes/calendar-args"
	rule := func(members string) string { return `{"rules": [` + members + `], "timezone": "UTC"}` }
	good := `{"day": "monday", "end-time": "08:00:00Z", "start-time": "17:00:00Z"}`
	mustBeTime := "Must be a time of day, HH:MM:SSZ."
	mustBeZone := "Must be an IANA time zone such as America/Los_Angeles."
	tests := []struct {
		name, value string
		want        []fault
	}{
		{"not an object: a string", `"weekdays"`, []fault{{at, "Must be an object."}}},
		{"not an object: an array", `[]`, []fault{{at, "Must be an object."}}},
		{"rules missing", `{"timezone": "UTC"}`, []fault{{at + "/rules", "This field is required."}}},
		{"rules null", `{"rules": null}`, []fault{{at + "/rules", "This field is required."}}},
		{"rules not an array", `{"rules": {"day": "monday"}}`, []fault{{at + "/rules", "Must be an array."}}},
		{"a rule not an object", rule(good + `, "monday"`), []fault{{at + "/rules/1", "Must be an object."}}},
		{"a rule null", rule(`null`), []fault{{at + "/rules/0", "Must be an object."}}},
		{"day unknown", rule(`{"day": "someday", "end-time": "08:00:00Z", "start-time": "17:00:00Z"}`),
			[]fault{{at + "/rules/0/day", "Must be one of everyday, weekdays, weekends, monday, tuesday, wednesday, thursday, friday, saturday, sunday."}}},
		{"day capitalized", rule(`{"day": "Monday", "end-time": "08:00:00Z", "start-time": "17:00:00Z"}`),
			[]fault{{at + "/rules/0/day", "Must be one of everyday, weekdays, weekends, monday, tuesday, wednesday, thursday, friday, saturday, sunday."}}},
		{"day not a string", rule(`{"day": 1, "end-time": "08:00:00Z", "start-time": "17:00:00Z"}`), []fault{{at + "/rules/0/day", "Must be a string."}}},
		{"day missing", rule(`{"end-time": "08:00:00Z", "start-time": "17:00:00Z"}`), []fault{{at + "/rules/0/day", "This field is required."}}},
		{"day null", rule(`{"day": null, "end-time": "08:00:00Z", "start-time": "17:00:00Z"}`), []fault{{at + "/rules/0/day", "This field is required."}}},
		{"start-time missing", rule(`{"day": "monday", "end-time": "08:00:00Z"}`), []fault{{at + "/rules/0/start-time", "This field is required."}}},
		{"end-time missing", rule(`{"day": "monday", "start-time": "17:00:00Z"}`), []fault{{at + "/rules/0/end-time", "This field is required."}}},
		{"end-time not a string (the issue's example)", `{"rules": [{"day": "someday", "end-time": 5}]}`, []fault{
			{at + "/rules/0/day", "Must be one of everyday, weekdays, weekends, monday, tuesday, wednesday, thursday, friday, saturday, sunday."},
			{at + "/rules/0/end-time", "Must be a string."},
			{at + "/rules/0/start-time", "This field is required."},
		}},
		{"start-time without seconds", rule(good + `, {"day": "friday", "end-time": "08:00:00Z", "start-time": "17:00"}`),
			[]fault{{at + "/rules/1/start-time", mustBeTime}}},
		{"start-time without Z", rule(`{"day": "monday", "end-time": "08:00:00Z", "start-time": "17:00:00"}`), []fault{{at + "/rules/0/start-time", mustBeTime}}},
		{"end-time with an offset", rule(`{"day": "monday", "end-time": "08:00:00+00:00", "start-time": "17:00:00Z"}`), []fault{{at + "/rules/0/end-time", mustBeTime}}},
		{"end-time with a fraction", rule(`{"day": "monday", "end-time": "08:00:00.5Z", "start-time": "17:00:00Z"}`), []fault{{at + "/rules/0/end-time", mustBeTime}}},
		{"end-time past midnight", rule(`{"day": "monday", "end-time": "24:00:00Z", "start-time": "17:00:00Z"}`), []fault{{at + "/rules/0/end-time", mustBeTime}}},
		{"start-time one-digit hour", rule(`{"day": "monday", "end-time": "08:00:00Z", "start-time": "7:00:00Z"}`), []fault{{at + "/rules/0/start-time", mustBeTime}}},
		{"start-time a datetime", rule(`{"day": "monday", "end-time": "08:00:00Z", "start-time": "2026-01-05T17:00:00Z"}`), []fault{{at + "/rules/0/start-time", mustBeTime}}},
		{"timezone not a string", `{"rules": [], "timezone": -8}`, []fault{{at + "/timezone", "Must be a string."}}},
		{"timezone unknown", `{"rules": [], "timezone": "Mars/Olympus_Mons"}`, []fault{{at + "/timezone", mustBeZone}}},
		{"timezone the sample's placeholder", `{"rules": [], "timezone": "string"}`, []fault{{at + "/timezone", mustBeZone}}},
		{"timezone an offset", `{"rules": [], "timezone": "-08:00"}`, []fault{{at + "/timezone", mustBeZone}}},
		{"timezone Local", `{"rules": [], "timezone": "Local"}`, []fault{{at + "/timezone", mustBeZone}}},
		{"timezone empty", `{"rules": [], "timezone": ""}`, []fault{{at + "/timezone", mustBeZone}}},
		{"unknown member", `{"rules": [], "colour": "red"}`, []fault{{at + "/colour", `Unknown field "colour".`}}},
		{"the fixtures' former shape", `{"rules": [{"day": "everyday", "start": "17:00", "end": "08:00"}], "timezone": "America/Los_Angeles"}`, []fault{
			{at + "/rules/0/end", `Unknown field "end".`},
			{at + "/rules/0/start", `Unknown field "start".`},
			{at + "/rules/0/end-time", "This field is required."},
			{at + "/rules/0/start-time", "This field is required."},
		}},
	}
	env := newEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, req := range responderWrites(tt.value) {
				before := storeState(t, env)
				r := callWant(t, env, adminToken, writeMethod(req.path), req.path, req.body, 400)
				assert.Equal(t, tt.want, faults(t, r), "%s %s", writeMethod(req.path), req.path)
				assert.Equal(t, before, storeState(t, env), "nothing stored: %s %s", writeMethod(req.path), req.path)
			}
		})
	}
	// One bad member among other attributes: the request is refused whole.
	before := storeState(t, env)
	r := callWant(t, env, adminToken, "PATCH", "/v1/messaging-responders/"+responder1+"/", resourceDoc("messaging-responders", responder1,
		`{"name": "Renamed", "calendar-args": {"rules": [], "timezone": "Nowhere"}}`), 400)
	assert.Equal(t, []fault{{at + "/timezone", mustBeZone}}, faults(t, r))
	assert.Equal(t, before, storeState(t, env))
	assert.Equal(t, "After hours", get(t, env, adminToken, "/v1/messaging-responders/"+responder1+"/").Attributes["name"])
}

// TestResponderCalendarArgsAccepted: the documented sample and the other
// shapes decided, on create and on PATCH, are stored and answered as sent.
func TestResponderCalendarArgsAccepted(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	for _, v := range []string{
		calendarSample,
		`{"rules": []}`,
		`{"rules": [], "timezone": null}`,
		`{"timezone": "UTC", "rules": [{"day": "weekdays", "end-time": "08:00:00Z", "start-time": "17:00:00Z"},
			{"day": "weekends", "end-time": "23:59:59Z", "start-time": "00:00:00Z"}]}`,
		`{"rules": [{"day": "monday", "end-time": "00:00:00Z", "start-time": "23:59:59Z"}, {"day": "tuesday", "end-time": "12:00:00Z", "start-time": "11:00:00Z"},
			{"day": "wednesday", "end-time": "12:00:00Z", "start-time": "11:00:00Z"}, {"day": "thursday", "end-time": "12:00:00Z", "start-time": "11:00:00Z"},
			{"day": "friday", "end-time": "12:00:00Z", "start-time": "11:00:00Z"}, {"day": "saturday", "end-time": "12:00:00Z", "start-time": "11:00:00Z"},
			{"day": "sunday", "end-time": "12:00:00Z", "start-time": "11:00:00Z"}], "timezone": "Asia/Kolkata"}`,
		`null`,
	} {
		for _, req := range responderWrites(v) {
			method := writeMethod(req.path)
			want := 200
			if method == "POST" {
				want = 201
			}
			o := mustOne(t, env, adminToken, method, req.path, req.body, want)
			got, err := json.Marshal(o.Attributes["calendar-args"])
			require.NoError(t, err)
			assert.JSONEq(t, v, string(got), "%s %s", method, req.path)
			read, err := json.Marshal(get(t, env, adminToken, "/v1/messaging-responders/"+o.ID+"/").Attributes["calendar-args"])
			require.NoError(t, err)
			assert.JSONEq(t, v, string(read), "stored: %s %s", method, req.path)
		}
	}
}

// TestSeededRespondersDocumentedShape walks the seeded responders: their
// calendar-args have the document's members exactly, with values the API
// accepts, and a client can send them back unchanged.
func TestSeededRespondersDocumentedShape(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	timeOfDay := regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z$`)
	days := []string{"everyday", "weekdays", "weekends", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
	keys := func(m map[string]any) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	var seen int
	for _, org := range []string{org1, org2} {
		for _, o := range list(t, env, adminToken, "/v1/messaging-responders/?organization-id="+org) {
			ca, ok := o.Attributes["calendar-args"].(map[string]any)
			if o.Attributes["calendar-args"] == nil {
				continue
			}
			require.True(t, ok, "%s: %v", o.ID, o.Attributes["calendar-args"])
			seen++
			assert.Subset(t, []string{"rules", "timezone"}, keys(ca), o.ID)
			rules, ok := ca["rules"].([]any)
			require.True(t, ok, "%s: rules %v", o.ID, ca["rules"])
			require.NotEmpty(t, rules, o.ID)
			for i, r := range rules {
				rule, ok := r.(map[string]any)
				require.True(t, ok, "%s: rule %d", o.ID, i)
				assert.Equal(t, []string{"day", "end-time", "start-time"}, keys(rule), "%s: rule %d", o.ID, i)
				assert.Contains(t, days, rule["day"], "%s: rule %d", o.ID, i)
				for _, k := range []string{"start-time", "end-time"} {
					s, _ := rule[k].(string)
					assert.Regexp(t, timeOfDay, s, "%s: rule %d %s", o.ID, i, k)
				}
			}
			if tz, ok := ca["timezone"].(string); ok {
				_, err := time.LoadLocation(tz)
				assert.NoError(t, err, o.ID)
			}
			raw, err := json.Marshal(ca)
			require.NoError(t, err)
			callWant(t, env, adminToken, "PATCH", "/v1/messaging-responders/"+o.ID+"/", resourceDoc("messaging-responders", o.ID, `{"calendar-args": `+string(raw)+`}`), 200)
		}
	}
	assert.Positive(t, seen, "the fixtures seed a responder with calendar-args")
}

// withMember is a walk request with one member of its body (of
// data.attributes in a JSON:API document) set to value.
func withMember(t *testing.T, req walkRequest, name, value string) walkRequest {
	t.Helper()
	set := func(raw json.RawMessage, name string, value json.RawMessage) json.RawMessage {
		var m map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(raw, &m), string(raw))
		m[name] = value
		out, err := json.Marshal(m)
		require.NoError(t, err)
		return out
	}
	var doc struct {
		Data json.RawMessage `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(req.body), &doc), req.body)
	if doc.Data == nil {
		return walkRequest{req.path, string(set(json.RawMessage(req.body), name, json.RawMessage(value)))}
	}
	var data struct {
		Attributes json.RawMessage `json:"attributes"`
	}
	require.NoError(t, json.Unmarshal(doc.Data, &data))
	attrs := set(data.Attributes, name, json.RawMessage(value))
	return walkRequest{req.path, string(set(json.RawMessage(req.body), "data", set(doc.Data, "attributes", attrs)))}
}

// walkOf is the catalog walk's valid request of an operation, and its method.
func walkOf(t *testing.T, opID string) (walkRequest, string) {
	t.Helper()
	req, ok := freshWalk[opID]
	if !ok {
		req, ok = groupedWalk()[opID]
	}
	require.True(t, ok, opID)
	for _, op := range catalogOps() {
		if op.ID == opID {
			return req, op.Method
		}
	}
	t.Fatalf("no operation %s", opID)
	return req, ""
}

// TestNestedShapes: every other nested attribute or body member the
// document shows a shape for takes exactly that shape, on every route that
// writes it: a bad member is a 400 pointing at it and stores nothing; the
// documented shape is accepted (and answered as sent where it is answered).
func TestNestedShapes(t *testing.T) {
	t.Parallel()
	type bad struct {
		value string
		want  []fault
	}
	type accepted struct {
		value string
		echo  string // the attribute as answered ("" when not answered)
	}
	tests := []struct {
		name     string
		ops      []string // operations whose body has the member
		member   string
		bad      []bad
		accepted []accepted
	}{
		{"messaging-bulk-messages message-js", []string{"messaging-bulk-messages.create", "messaging-bulk-messages.modify"}, "message-js",
			[]bad{
				{`"Closed"`, []fault{{"/data/attributes/message-js", "Must be an object."}}},
				{`{"en_US": 5}`, []fault{{"/data/attributes/message-js/en_US", "Must be a string."}}},
				{`{"en_US": "Closed", "fr_FR": "Fermé"}`, []fault{{"/data/attributes/message-js/fr_FR", `Unknown field "fr_FR".`}}},
			},
			[]accepted{{`{"en_US": "Closed Monday.", "es_US": "Cerrado el lunes."}`, `{"en_US": "Closed Monday.", "es_US": "Cerrado el lunes."}`},
				{`{"es_US": "Cerrado."}`, `{"es_US": "Cerrado."}`}}},
		{"messaging-channels event-settings", []string{"messaging-channels.create", "messaging-channels.modify"}, "event-settings",
			[]bad{
				{`true`, []fault{{"/data/attributes/event-settings", "Must be an object."}}},
				{`{"enabled": "yes"}`, []fault{{"/data/attributes/event-settings/enabled", "Must be a boolean."}}},
				{`{"enabled": true, "muted": true}`, []fault{{"/data/attributes/event-settings/muted", `Unknown field "muted".`}}},
			},
			[]accepted{{`{"enabled": false}`, `{"enabled": false}`}}},
		{"messaging-channels preferences values", []string{"messaging-channels.preferences"}, "values",
			[]bad{
				{`[5]`, []fault{{"/values/0", "Must be an object."}}},
				{`[{"value": "none"}]`, []fault{{"/values/0/name", "This field is required."}}},
				{`[{"name": "notify", "value": "none"}, {"name": "pinned", "value": true}]`, []fault{{"/values/1/value", "Must be a string."}}},
				{`[{"name": "notify", "value": "none", "scope": "all"}]`, []fault{{"/values/0/scope", `Unknown field "scope".`}}},
			},
			[]accepted{{`[{"name": "pinned", "value": "true"}, {"name": "notify"}]`, ""}}},
		{"messaging-channels sms initial-message-js", []string{"messaging-channels.sms"}, "initial-message-js",
			[]bad{
				{`{"en_US": ["Hi"]}`, []fault{{"/initial-message-js/en_US", "Must be a string."}}},
				{`{"de_DE": "Hallo"}`, []fault{{"/initial-message-js/de_DE", `Unknown field "de_DE".`}}},
			},
			[]accepted{{`{"en_US": "Hi", "es_US": "Hola"}`, ""}}},
		{"text-account-numbers events", []string{"text-account-numbers.modify"}, "events",
			[]bad{
				{`{"unknown-number": "ignore"}`, []fault{{"/data/attributes/events/unknown-number", "Must be an object."}}},
				{`{"known-number": {}}`, []fault{{"/data/attributes/events/known-number", `Unknown field "known-number".`}}},
			},
			[]accepted{{`{"unknown-number": {}}`, `{"unknown-number": {}}`},
				{`{"unknown-number": {"reply": "Who is this?", "forward": true}}`, `{"unknown-number": {"reply": "Who is this?", "forward": true}}`}}},
		{"user-consents args", []string{"user-consents.create"}, "args",
			[]bad{
				{`{"messages": []}`, []fault{{"/data/attributes/args/messages", "Must be an object."}}},
				{`{"messages": {"accept": 1}}`, []fault{{"/data/attributes/args/messages/accept", "Must be a string."}}},
				{`{"messages": {"decline": "Bye"}}`, []fault{{"/data/attributes/args/messages/decline", `Unknown field "decline".`}}},
				{`{"message": {}}`, []fault{{"/data/attributes/args/message", `Unknown field "message".`}}},
			},
			[]accepted{{`{"messages": {"accept": "Thanks", "initial": "Reply YES", "invalid-response": "YES or NO"}}`,
				`{"messages": {"accept": "Thanks", "initial": "Reply YES", "invalid-response": "YES or NO"}}`}, {`{}`, `{}`}}},
		{"video-channels appointment", []string{"video-channels.create"}, "appointment",
			[]bad{
				{`{"start": "tomorrow"}`, []fault{{"/data/attributes/appointment/start", "Must be a datetime (RFC 3339)."}}},
				{`{"id": "appt-1"}`, []fault{{"/data/attributes/appointment/id", "Must be a valid UUID."}}},
				{`{"duration": "1h"}`, []fault{{"/data/attributes/appointment/duration", "Must be an integer."}}},
				{`{"start": "2026-01-16T10:00:00Z", "room": "blue"}`, []fault{{"/data/attributes/appointment/room", `Unknown field "room".`}}},
			},
			// join-start is the channel's own: what a client sends back is replaced.
			[]accepted{{`{"duration": 600, "id": "74000000-0000-4000-8000-000000000009", "join-start": "2026-01-01T00:00:00Z", "start": "2026-01-16T10:00:00Z"}`,
				`{"duration": 600, "id": "74000000-0000-4000-8000-000000000009", "join-start": "2026-01-16T09:50:00.000000+00:00", "start": "2026-01-16T10:00:00.000000+00:00"}`}}},
		{"video-channels participant-audio-states participants", []string{"video-channels.participant-audio-states"}, "participants",
			[]bad{
				{`[null]`, []fault{{"/participants/0", "Must be an object."}}},
				{`[{"audio-state": "loud", "id": "` + participant2 + `"}]`, []fault{{"/participants/0/audio-state", "Must be one of muted, unmuted."}}},
				{`[{"audio-state": "muted"}]`, []fault{{"/participants/0/id", "This field is required."}}},
				{`[{"audio-state": "muted", "id": "` + participant2 + `", "volume": 3}]`, []fault{{"/participants/0/volume", `Unknown field "volume".`}}},
			},
			[]accepted{{`[{"audio-state": "unmuted", "id": "` + participant2 + `"}]`, ""}}},
		{"ask-subscriptions send event", []string{"ask-subscriptions.send"}, "event",
			[]bad{
				{`{"name": 5}`, []fault{{"/event/name", "Must be a string."}}},
				{`{"name": "AMAZON.MessageAlert.Activated", "colour": 1}`, []fault{{"/event/colour", `Unknown field "colour".`}}},
			},
			[]accepted{{`{"name": "AMAZON.MessageAlert.Activated", "payload": {"anything": [1]}}`, ""}}},
		{"ask-subscriptions send localized", []string{"ask-subscriptions.send"}, "localized",
			[]bad{{`[{}, 5]`, []fault{{"/localized/1", "Must be an object."}}}},
			[]accepted{{`[{"locale": "en-US", "anything": {}}]`, ""}}},
		{"aggregation-requests entries", []string{"aggregation-requests.create"}, "entries",
			[]bad{
				{`[7]`, []fault{{"/data/attributes/entries/0", "Must be an object."}}},
				{`[{"column": "steps"}]`, []fault{{"/data/attributes/entries/0/individual-id", "This field is required."}}},
				{`[{"column": 5, "individual-id": "` + indPat + `"}]`, []fault{{"/data/attributes/entries/0/column", "Must be a string."}}},
				{`[{"column": "steps", "individual-id": "pat"}]`, []fault{{"/data/attributes/entries/0/individual-id", "Must be a valid UUID."}}},
				{`[{"column": "steps", "individual-id": "` + indPat + `", "unit": "kg"}]`, []fault{{"/data/attributes/entries/0/unit", `Unknown field "unit".`}}},
			},
			[]accepted{{`[{"column": "steps", "individual-id": "` + indPat + `"}, {"column": "weight", "individual-id": "` + indQuinn + `"}]`, ""}}},
		{"bulk-badge-counts values", []string{"bulk-badge-counts.create"}, "values",
			[]bad{
				{`5`, []fault{{"/data/attributes/values", "Must be an array."}}},
				{`[{"count": 1, "individual-id": "` + indQuinn + `", "organization-id": "` + org1 + `", "type": "appointment"}, "x"]`,
					[]fault{{"/data/attributes/values/1", "Must be an object."}}},
				{`[{"count": 1, "individual-id": "` + indQuinn + `", "organization-id": "` + org1 + `", "type": "appointment", "colour": "red"}]`,
					[]fault{{"/data/attributes/values/0/colour", `badge-count has no attribute "colour".`}}},
			},
			[]accepted{{`[{"count": 2, "individual-id": "` + indPat + `", "organization-id": "` + org1 + `", "type": "message"}]`, ""}}},
		{"bulk-badge-counts attributes", []string{"bulk-badge-counts.create"}, "colour",
			[]bad{{`"red"`, []fault{{"/data/attributes/colour", `bulk-badge-count has no attribute "colour".`}}}},
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newEnv(t)
			for _, opID := range tt.ops {
				valid, method := walkOf(t, opID)
				for _, b := range tt.bad {
					req := withMember(t, valid, tt.member, b.value)
					before := storeState(t, env)
					r := callWant(t, env, adminToken, method, req.path, req.body, 400)
					assert.Equal(t, b.want, faults(t, r), "%s %s", opID, b.value)
					assert.Equal(t, before, storeState(t, env), "nothing stored: %s %s", opID, b.value)
				}
				for _, a := range tt.accepted {
					req := withMember(t, valid, tt.member, a.value)
					r := call(t, env, adminToken, method, req.path, req.body)
					require.Less(t, r.Status, 300, "%s %s: %s", opID, a.value, r.Body)
					if a.echo == "" {
						continue
					}
					got, err := json.Marshal(one(t, r).Attributes[tt.member])
					require.NoError(t, err)
					assert.JSONEq(t, a.echo, string(got), "%s %s", opID, a.value)
				}
			}
		})
	}
}

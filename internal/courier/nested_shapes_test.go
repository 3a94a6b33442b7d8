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

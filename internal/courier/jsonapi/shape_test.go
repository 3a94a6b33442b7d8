package jsonapi_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
)

// slotShape has a member of every kind: a required enum, a required time of
// day, an optional time zone, a datetime, a UUID, a number, a boolean, a
// free-form object and an array of plain strings.
func slotShape() *jsonapi.Shape {
	return &jsonapi.Shape{Kind: "object", Members: []jsonapi.Shape{
		{Name: "slots", Required: true, Kind: "array", Items: &jsonapi.Shape{Kind: "object", Members: []jsonapi.Shape{
			{Name: "day", Required: true, Kind: "string", Enum: []string{"monday", "tuesday"}},
			{Name: "at", Required: true, Kind: "string", Format: "time"},
		}}},
		{Name: "zone", Kind: "string", Format: "timezone"},
		{Name: "since", Kind: "string", Format: "date-time"},
		{Name: "id", Kind: "string", Format: "uuid"},
		{Name: "count", Kind: "integer"},
		{Name: "on", Kind: "boolean"},
		{Name: "extra", Kind: "object", Open: true},
		{Name: "tags", Kind: "array"},
		{Name: "any", Kind: "any"},
	}}
}

type problem struct{ Pointer, Detail string }

func problems(es jsonapi.Errors) []problem {
	out := []problem{}
	for _, e := range es {
		out = append(out, problem{e.Pointer, e.Detail})
	}
	return out
}

func TestShapeAccepts(t *testing.T) {
	t.Parallel()
	for _, v := range []string{
		`null`,
		`{"slots": []}`,
		`{"slots": [{"day": "monday", "at": "00:00:00Z"}, {"at": "23:59:59Z", "day": "tuesday"}], "zone": "America/Los_Angeles"}`,
		`{"slots": [], "zone": "UTC", "since": "2026-01-15T10:00:00+01:00", "id": "11111111-1111-1111-1111-111111111111",
			"count": 3, "on": false, "extra": {"anything": [1, {"x": null}]}, "tags": [1, "a", null], "any": [{}]}`,
		`{"slots": [], "zone": null, "since": null, "extra": null, "tags": null, "any": null}`,
	} {
		assert.Empty(t, problems(slotShape().Check("/s", json.RawMessage(v))), v)
	}
}

// TestShapeErrors: every bad member is one error pointing at it; unknown
// members first (in name order), then the required ones missing.
func TestShapeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, value string
		want        []problem
	}{
		{"not an object", `[]`, []problem{{"/s", "Must be an object."}}},
		{"a string", `"monday"`, []problem{{"/s", "Must be an object."}}},
		{"required member missing", `{}`, []problem{{"/s/slots", "This field is required."}}},
		{"required member null", `{"slots": null}`, []problem{{"/s/slots", "This field is required."}}},
		{"not an array", `{"slots": {}}`, []problem{{"/s/slots", "Must be an array."}}},
		{"item not an object", `{"slots": [5]}`, []problem{{"/s/slots/0", "Must be an object."}}},
		{"item null", `{"slots": [null]}`, []problem{{"/s/slots/0", "Must be an object."}}},
		{"enum", `{"slots": [{"day": "someday", "at": "10:00:00Z"}]}`, []problem{{"/s/slots/0/day", "Must be one of monday, tuesday."}}},
		{"enum is case-sensitive", `{"slots": [{"day": "Monday", "at": "10:00:00Z"}]}`, []problem{{"/s/slots/0/day", "Must be one of monday, tuesday."}}},
		{"string of the wrong kind", `{"slots": [{"day": "monday", "at": 5}]}`, []problem{{"/s/slots/0/at", "Must be a string."}}},
		{"index of the item", `{"slots": [{"day": "monday", "at": "10:00:00Z"}, {"day": "monday"}]}`,
			[]problem{{"/s/slots/1/at", "This field is required."}}},
		{"unknown members, then missing ones", `{"slots": [{"start": "1", "end": "2"}], "colour": "red"}`, []problem{
			{"/s/colour", `Unknown field "colour".`},
			{"/s/slots/0/end", `Unknown field "end".`},
			{"/s/slots/0/start", `Unknown field "start".`},
			{"/s/slots/0/day", "This field is required."},
			{"/s/slots/0/at", "This field is required."},
		}},
		{"unknown member's name escaped", `{"slots": [], "a/b~c": 1}`, []problem{{"/s/a~1b~0c", `Unknown field "a/b~c".`}}},
		{"time zone", `{"slots": [], "zone": "Mars/Olympus_Mons"}`, []problem{{"/s/zone", "Must be an IANA time zone such as America/Los_Angeles."}}},
		{"Local is no zone", `{"slots": [], "zone": "Local"}`, []problem{{"/s/zone", "Must be an IANA time zone such as America/Los_Angeles."}}},
		{"empty zone", `{"slots": [], "zone": ""}`, []problem{{"/s/zone", "Must be an IANA time zone such as America/Los_Angeles."}}},
		{"zone not a string", `{"slots": [], "zone": 5}`, []problem{{"/s/zone", "Must be a string."}}},
		{"datetime", `{"slots": [], "since": "yesterday"}`, []problem{{"/s/since", "Must be a datetime (RFC 3339)."}}},
		{"uuid", `{"slots": [], "id": "x"}`, []problem{{"/s/id", "Must be a valid UUID."}}},
		{"integer", `{"slots": [], "count": 1.5}`, []problem{{"/s/count", "Must be an integer."}}},
		{"boolean", `{"slots": [], "on": "yes"}`, []problem{{"/s/on", "Must be a boolean."}}},
		{"open object still an object", `{"slots": [], "extra": []}`, []problem{{"/s/extra", "Must be an object."}}},
		{"array without item shape", `{"slots": [], "tags": {}}`, []problem{{"/s/tags", "Must be an array."}}},
		{"several members", `{"slots": [{"day": "friday", "at": "25:00:00Z"}], "zone": "Nowhere", "on": 1}`, []problem{
			{"/s/on", "Must be a boolean."},
			{"/s/slots/0/at", "Must be a time of day, HH:MM:SSZ."},
			{"/s/slots/0/day", "Must be one of monday, tuesday."},
			{"/s/zone", "Must be an IANA time zone such as America/Los_Angeles."},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, problems(slotShape().Check("/s", json.RawMessage(tt.value))))
		})
	}
}

// TestTimeOfDay: the samples' "14:15:22Z", exactly.
func TestTimeOfDay(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"14:15:22Z", "00:00:00Z", "23:59:59Z"} {
		assert.True(t, jsonapi.IsTimeOfDay(s), s)
	}
	for _, s := range []string{"", "14:15:22", "14:15Z", "14:15:22z", "14:15:22+00:00", "14:15:22.5Z", "2:15:22Z",
		"24:00:00Z", "23:60:00Z", "23:59:60Z", " 14:15:22Z", "14:15:22Z ", "T14:15:22Z", "1:2:3Z"} {
		assert.False(t, jsonapi.IsTimeOfDay(s), s)
	}
}

// TestTimeZone: names of the IANA database (embedded in the binary), links
// and Etc zones included; nothing else.
func TestTimeZone(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"America/Los_Angeles", "Europe/Berlin", "UTC", "Etc/GMT+5", "America/Argentina/Buenos_Aires", "US/Pacific"} {
		assert.True(t, jsonapi.IsTimeZone(s), s)
	}
	for _, s := range []string{"", "Local", "string", "Mars/Olympus_Mons", "America/Los Angeles", "../etc/passwd", "/usr/share/zoneinfo/UTC",
		"+01:00", "PST8"} {
		assert.False(t, jsonapi.IsTimeZone(s), s)
	}
}

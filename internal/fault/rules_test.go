package fault_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/fault"
)

// newSet returns an empty set for the emulator's four vendors, named and
// prefixed as the server names them.
func newSet() *fault.Set {
	return fault.NewSet(map[string]string{"courier": "/courier", "greenarrow": "/greenarrow",
		"loopmessage": "/loopmessage", "360dialog": "/360dialog"})
}

// mustAdd adds spec to s, failing the test when it is refused.
func mustAdd(tb testing.TB, s *fault.Set, spec fault.Spec) fault.Rule {
	tb.Helper()
	r, err := s.Add(spec)
	require.NoError(tb, err)
	return r
}

// fires matches the same request n times and tells, for each, whether a
// rule fired and which.
func fires(s *fault.Set, n int, vendor, method, path string) []string {
	out := make([]string, n)
	for i := range out {
		if hit, ok := s.Match(vendor, method, path); ok {
			out[i] = hit.Rule
		}
	}
	return out
}

// fired turns fires' answer into yes/no, for one rule's decisions.
func fired(ids []string) []bool {
	out := make([]bool, len(ids))
	for i, id := range ids {
		out[i] = id != ""
	}
	return out
}

// rule returns the rule with id as List shows it.
func rule(t *testing.T, s *fault.Set, id string) fault.Rule {
	t.Helper()
	for _, r := range s.List() {
		if r.ID == id {
			return r
		}
	}
	require.Failf(t, "no such rule", "%s", id)
	return fault.Rule{}
}

// ruleJSON is the rule as the control plane writes it; a seed drawn for the
// rule (not given) is checked to be in [0, 2^31) and left out.
func ruleJSON(t *testing.T, r fault.Rule, drawn bool) string {
	t.Helper()
	if drawn {
		require.NotNil(t, r.Seed, "a seed is drawn and shown")
		assert.GreaterOrEqual(t, *r.Seed, int64(0))
		assert.Less(t, *r.Seed, int64(1)<<31)
		r.Seed = nil
	}
	b, err := json.Marshal(r)
	require.NoError(t, err)
	return string(b)
}

// TestAddAccepts: every field of a rule alone, at its bounds and all
// together is taken, and shown as given: the method upper-cased, header
// names canonical, remaining and a seed when it decides something.
func TestAddAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		spec  fault.Spec
		want  string
		drawn bool // the seed is drawn (shown, but random)
	}{
		{"status", fault.Spec{Status: new(503)}, `{"id":"f1","status":503,"hits":0,"matched":0,"remaining":null}`, false},
		{"lowest status", fault.Spec{Status: new(400)}, `{"id":"f1","status":400,"hits":0,"matched":0,"remaining":null}`, false},
		{"highest status", fault.Spec{Status: new(599)}, `{"id":"f1","status":599,"hits":0,"matched":0,"remaining":null}`, false},
		{"reset", fault.Spec{Network: fault.Reset}, `{"id":"f1","network":"reset","hits":0,"matched":0,"remaining":null}`, false},
		{"empty", fault.Spec{Network: fault.Empty}, `{"id":"f1","network":"empty","hits":0,"matched":0,"remaining":null}`, false},
		{"timeout", fault.Spec{Network: fault.Timeout}, `{"id":"f1","network":"timeout","hits":0,"matched":0,"remaining":null}`, false},
		{"delay", fault.Spec{DelayMS: new(250)}, `{"id":"f1","delay_ms":250,"hits":0,"matched":0,"remaining":null}`, false},
		{"longest delay", fault.Spec{DelayMS: new(fault.MaxDelayMS)}, `{"id":"f1","delay_ms":600000,"hits":0,"matched":0,"remaining":null}`, false},
		{"jitter alone", fault.Spec{JitterMS: new(50)}, `{"id":"f1","jitter_ms":50,"hits":0,"matched":0,"remaining":null}`, true},
		{"widest jitter", fault.Spec{DelayMS: new(1), JitterMS: new(fault.MaxDelayMS)},
			`{"id":"f1","delay_ms":1,"jitter_ms":600000,"hits":0,"matched":0,"remaining":null}`, true},
		{"delay with a status", fault.Spec{Status: new(500), DelayMS: new(10)},
			`{"id":"f1","status":500,"delay_ms":10,"hits":0,"matched":0,"remaining":null}`, false},
		{"delay with a network fault", fault.Spec{Network: fault.Reset, DelayMS: new(10)},
			`{"id":"f1","network":"reset","delay_ms":10,"hits":0,"matched":0,"remaining":null}`, false},
		{"message and headers", fault.Spec{Status: new(429), Message: "slow down",
			Headers: map[string]string{"retry-after": "3", "X-RateLimit-Remaining": "0", "x-a": "tab\tand \u00e9"}},
			`{"id":"f1","status":429,"message":"slow down","headers":{"Retry-After":"3","X-Ratelimit-Remaining":"0","X-A":"tab\tand \u00e9"},
			"hits":0,"matched":0,"remaining":null}`, false},
		{"vendor, method and path", fault.Spec{Vendor: "courier", Method: "post", Path: "/v1/messaging-messages/*", Status: new(503)},
			`{"id":"f1","vendor":"courier","method":"POST","path":"/v1/messaging-messages/*","status":503,"hits":0,"matched":0,"remaining":null}`, false},
		{"a method that is only a token", fault.Spec{Method: "M-SEARCH", Status: new(501)},
			`{"id":"f1","method":"M-SEARCH","status":501,"hits":0,"matched":0,"remaining":null}`, false},
		{"root path", fault.Spec{Path: "/", Status: new(500)}, `{"id":"f1","path":"/","status":500,"hits":0,"matched":0,"remaining":null}`, false},
		{"** anywhere", fault.Spec{Path: "/**/a/**/b/**", Status: new(500)},
			`{"id":"f1","path":"/**/a/**/b/**","status":500,"hits":0,"matched":0,"remaining":null}`, false},
		{"another vendor's prefix is a path like any", fault.Spec{Vendor: "courier", Path: "/greenarrow/x", Status: new(500)},
			`{"id":"f1","vendor":"courier","path":"/greenarrow/x","status":500,"hits":0,"matched":0,"remaining":null}`, false},
		{"a prefix's name without its slash", fault.Spec{Path: "/courierx", Status: new(500)},
			`{"id":"f1","path":"/courierx","status":500,"hits":0,"matched":0,"remaining":null}`, false},
		{"times", fault.Spec{Status: new(500), Times: new(2)}, `{"id":"f1","status":500,"times":2,"hits":0,"matched":0,"remaining":2}`, false},
		{"after", fault.Spec{Status: new(500), After: new(3)}, `{"id":"f1","status":500,"after":3,"hits":0,"matched":0,"remaining":null}`, false},
		{"after zero", fault.Spec{Status: new(500), After: new(0)}, `{"id":"f1","status":500,"hits":0,"matched":0,"remaining":null}`, false},
		{"probability", fault.Spec{Status: new(500), Probability: new(0.25)},
			`{"id":"f1","status":500,"probability":0.25,"hits":0,"matched":0,"remaining":null}`, true},
		{"probability one", fault.Spec{Status: new(500), Probability: new(1.0), Seed: new(int64(7))},
			`{"id":"f1","status":500,"probability":1,"seed":7,"hits":0,"matched":0,"remaining":null}`, false},
		{"seed alone", fault.Spec{Status: new(500), Seed: new(int64(42))}, `{"id":"f1","status":500,"seed":42,"hits":0,"matched":0,"remaining":null}`, false},
		{"everything", fault.Spec{Vendor: "greenarrow", Method: "Get", Path: "/api/v2/**", Status: new(503), Message: "down",
			Headers: map[string]string{"Retry-After": "9"}, DelayMS: new(100), JitterMS: new(20), Times: new(5), After: new(1),
			Probability: new(0.5), Seed: new(int64(3))},
			`{"id":"f1","vendor":"greenarrow","method":"GET","path":"/api/v2/**","status":503,"message":"down",
			"headers":{"Retry-After":"9"},"delay_ms":100,"jitter_ms":20,"times":5,"after":1,"probability":0.5,"seed":3,
			"hits":0,"matched":0,"remaining":5}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSet()
			got := mustAdd(t, s, tt.spec)
			assert.JSONEq(t, tt.want, ruleJSON(t, got, tt.drawn))
			list := s.List()
			require.Len(t, list, 1)
			assert.JSONEq(t, tt.want, ruleJSON(t, list[0], tt.drawn))
		})
	}
}

// TestAddRefuses: every value a rule cannot take is refused with a 400
// *fault.Error whose message names the field, and the set is left as it
// was: no rule, and no id spent.
func TestAddRefuses(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 65)
	manyHeaders := map[string]string{}
	for i := range 51 {
		manyHeaders[fmt.Sprintf("X-H%d", i)] = "v"
	}
	tests := []struct {
		name string
		spec fault.Spec
		want []string // what the message says, each
	}{
		{"unknown vendor", fault.Spec{Vendor: "twilio", Status: new(500)},
			[]string{`unknown vendor "twilio"`, "360dialog, courier, greenarrow, loopmessage"}},
		{"vendor in capitals", fault.Spec{Vendor: "Courier", Status: new(500)}, []string{`unknown vendor "Courier"`}},
		{"method with a space", fault.Spec{Method: "PO ST", Status: new(500)}, []string{"method", `"PO ST"`}},
		{"method with CR LF", fault.Spec{Method: "GET\r\n", Status: new(500)}, []string{"method"}},
		{"method not ASCII", fault.Spec{Method: "G\u00c9T", Status: new(500)}, []string{"method"}},
		{"method with a slash", fault.Spec{Method: "GET/1", Status: new(500)}, []string{"method"}},
		{"method too long", fault.Spec{Method: long, Status: new(500)}, []string{"method"}},
		{"path without /", fault.Spec{Path: "v1/x", Status: new(500)}, []string{"path", `starting with "/"`}},
		{"path with a query", fault.Spec{Path: "/v1/x?a=1", Status: new(500)}, []string{"path", "query"}},
		{"path with a fragment", fault.Spec{Path: "/v1/x#top", Status: new(500)}, []string{"path"}},
		{"path too long", fault.Spec{Path: "/" + strings.Repeat("a", 2048), Status: new(500)}, []string{"path", "2048"}},
		{"path with the vendor's prefix", fault.Spec{Vendor: "courier", Path: "/courier/v1/x", Status: new(500)},
			[]string{"path", `"/v1/x", not "/courier/v1/x"`}},
		{"path that is the vendor's prefix", fault.Spec{Vendor: "360dialog", Path: "/360dialog", Status: new(500)},
			[]string{"path", `"/360dialog"`}},
		{"path with any prefix, no vendor", fault.Spec{Path: "/loopmessage/api/v1/x", Status: new(500)},
			[]string{"path", `"/api/v1/x", not "/loopmessage/api/v1/x"`}},
		{"wildcard after letters", fault.Spec{Path: "/v1/abc*", Status: new(500)}, []string{"path", `"abc*"`}},
		{"wildcard before letters", fault.Spec{Path: "/v1/*abc", Status: new(500)}, []string{"path", `"*abc"`}},
		{"** with letters", fault.Spec{Path: "/**x/y", Status: new(500)}, []string{"path", `"**x"`}},
		{"three stars", fault.Spec{Path: "/v1/***", Status: new(500)}, []string{"path", `"***"`}},
		{"status 399", fault.Spec{Status: new(399)}, []string{"status", "400 to 599", "399"}},
		{"status 600", fault.Spec{Status: new(600)}, []string{"status", "600"}},
		{"status 200", fault.Spec{Status: new(200)}, []string{"status"}},
		{"status 0", fault.Spec{Status: new(0)}, []string{"status"}},
		{"status negative", fault.Spec{Status: new(-503)}, []string{"status"}},
		{"status and network", fault.Spec{Status: new(503), Network: fault.Reset}, []string{"status", "network", "not both"}},
		{"message without status", fault.Spec{Message: "x", DelayMS: new(10)}, []string{"message", "status"}},
		{"message with a network fault", fault.Spec{Message: "x", Network: fault.Empty}, []string{"message", "status"}},
		{"headers without status", fault.Spec{Headers: map[string]string{"Retry-After": "1"}, Network: fault.Reset},
			[]string{"headers", "status"}},
		{"message too long", fault.Spec{Status: new(500), Message: strings.Repeat("m", 4097)}, []string{"message", "4096"}},
		{"network word", fault.Spec{Network: "drop"}, []string{"network", `"drop"`, `"reset"`, `"empty"`, `"timeout"`}},
		{"network in capitals", fault.Spec{Network: "RESET"}, []string{"network"}},
		{"header name with a space", fault.Spec{Status: new(500), Headers: map[string]string{"Retry After": "1"}},
			[]string{"header name", `"Retry After"`}},
		{"header name with a colon", fault.Spec{Status: new(500), Headers: map[string]string{"X-A:": "1"}}, []string{"header name"}},
		{"empty header name", fault.Spec{Status: new(500), Headers: map[string]string{"": "1"}}, []string{"header name"}},
		{"header value with CR LF", fault.Spec{Status: new(500), Headers: map[string]string{"X-A": "1\r\nSet-Cookie: a=b"}},
			[]string{"header", `"X-A"`, "control character"}},
		{"header value with LF", fault.Spec{Status: new(500), Headers: map[string]string{"X-A": "1\nb"}}, []string{"header", "control character"}},
		{"header value with CR", fault.Spec{Status: new(500), Headers: map[string]string{"X-A": "1\rb"}}, []string{"header", "control character"}},
		{"framing header", fault.Spec{Status: new(500), Headers: map[string]string{"content-length": "0"}}, []string{"header", `"content-length"`, "connection"}},
		{"hop-by-hop header", fault.Spec{Status: new(500), Headers: map[string]string{"Connection": "close"}}, []string{"header", `"Connection"`}},
		{"header value with NUL", fault.Spec{Status: new(500), Headers: map[string]string{"X-A": "\x00"}}, []string{"header", "control character"}},
		{"header value with DEL", fault.Spec{Status: new(500), Headers: map[string]string{"X-A": "\x7f"}}, []string{"header", "control character"}},
		{"one header twice", fault.Spec{Status: new(500), Headers: map[string]string{"retry-after": "1", "Retry-After": "2"}},
			[]string{"headers", `"retry-after"`, `"Retry-After"`, "same header"}},
		{"too many headers", fault.Spec{Status: new(500), Headers: manyHeaders}, []string{"headers", "50"}},
		{"delay negative", fault.Spec{DelayMS: new(-1)}, []string{"delay_ms", "-1"}},
		{"delay too long", fault.Spec{DelayMS: new(fault.MaxDelayMS + 1)}, []string{"delay_ms", "600000", "600001"}},
		{"jitter negative", fault.Spec{DelayMS: new(10), JitterMS: new(-1)}, []string{"jitter_ms", "-1"}},
		{"jitter too wide", fault.Spec{DelayMS: new(10), JitterMS: new(fault.MaxDelayMS + 1)}, []string{"jitter_ms", "600001"}},
		{"times 0", fault.Spec{Status: new(500), Times: new(0)}, []string{"times", "0"}},
		{"times negative", fault.Spec{Status: new(500), Times: new(-2)}, []string{"times", "-2"}},
		{"after negative", fault.Spec{Status: new(500), After: new(-1)}, []string{"after", "-1"}},
		{"probability 0", fault.Spec{Status: new(500), Probability: new(0.0)}, []string{"probability", "0"}},
		{"probability negative", fault.Spec{Status: new(500), Probability: new(-0.5)}, []string{"probability", "-0.5"}},
		{"probability above 1", fault.Spec{Status: new(500), Probability: new(1.5)}, []string{"probability", "1.5"}},
		{"nothing at all", fault.Spec{}, []string{"something to do"}},
		{"only what it matches", fault.Spec{Vendor: "courier", Method: "GET", Path: "/v1/x"}, []string{"something to do"}},
		{"only how often", fault.Spec{Times: new(1), After: new(1), Probability: new(0.5), Seed: new(int64(1))},
			[]string{"something to do"}},
		{"a zero delay", fault.Spec{DelayMS: new(0), JitterMS: new(0)}, []string{"something to do"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSet()
			_, err := s.Add(tt.spec)
			var fe *fault.Error
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, fe.Msg, err.Error())
			for _, w := range tt.want {
				assert.Contains(t, fe.Msg, w)
			}
			assert.Empty(t, s.List(), "a refused rule is not kept")
			assert.Equal(t, "f1", mustAdd(t, s, fault.Spec{Status: new(500)}).ID, "a refused rule spends no id")
		})
	}
}

// TestMaxRules: a world holds MaxRules rules; one more is refused until one
// is deleted, and ids go on counting.
func TestMaxRules(t *testing.T) {
	t.Parallel()
	s := newSet()
	for range fault.MaxRules {
		mustAdd(t, s, fault.Spec{Status: new(500)})
	}
	_, err := s.Add(fault.Spec{Status: new(500)})
	var fe *fault.Error
	require.ErrorAs(t, err, &fe)
	assert.Contains(t, fe.Msg, "at most 1000 fault rules")
	assert.Len(t, s.List(), fault.MaxRules)

	require.True(t, s.Delete("f1"))
	assert.Equal(t, "f1001", mustAdd(t, s, fault.Spec{Status: new(500)}).ID)
}

// TestMatchPaths: a path pattern matches whole segments, "*" one of them,
// "**" any number (none included) wherever it stands, and trailing slashes
// count on neither side.
func TestMatchPaths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern string
		path    string
		want    bool
	}{
		{"/v1/messages", "/v1/messages", true},
		{"/v1/messages", "/v1/messages/", true},
		{"/v1/messages/", "/v1/messages", true},
		{"/v1/messages/", "/v1/messages//", true},
		{"/v1/messages", "/v1/messages/1", false},
		{"/v1/messages", "/v1", false},
		{"/v1/messages", "/v1/messagesx", false},
		{"/v1/mess", "/v1/messages", false},
		{"/v1/messages", "/V1/messages", false},
		{"/v1/messages", "/x/v1/messages", false},
		{"/", "/", true},
		{"/", "", true},
		{"/", "/v1", false},
		{"/*", "/", false},
		{"/*", "/v1", true},
		{"/*", "/v1/", true},
		{"/*", "/v1/x", false},
		{"/v1/*", "/v1/1", true},
		{"/v1/*", "/v1", false},
		{"/v1/*", "/v1/", false},
		{"/v1/*", "/v1/1/2", false},
		{"/v1/*/status", "/v1/7/status", true},
		{"/v1/*/status", "/v1/status", false},
		{"/v1/*/status", "/v1/7/8/status", false},
		{"/*/*", "/a/b", true},
		{"/*/*", "/a", false},
		{"/**", "/", true},
		{"/**", "", true},
		{"/**", "/a/b/c", true},
		{"/v1/**", "/v1", true},
		{"/v1/**", "/v1/", true},
		{"/v1/**", "/v1/a", true},
		{"/v1/**", "/v1/a/b/c", true},
		{"/v1/**", "/v2/a", false},
		{"/v1/**", "/v10", false},
		{"/v1/**", "/", false},
		{"/v1/**/status", "/v1/status", true},
		{"/v1/**/status", "/v1/a/status", true},
		{"/v1/**/status", "/v1/a/b/status", true},
		{"/v1/**/status", "/v1/status/status", true},
		{"/v1/**/status", "/v1/a/b/statusx", false},
		{"/v1/**/status", "/v1/status/x", false},
		{"/v1/**/status", "/v1", false},
		{"/**/status", "/status", true},
		{"/**/status", "/a/b/status", true},
		{"/**/status", "/a/b", false},
		{"/**/status", "/", false},
		{"/**/*", "/", false},
		{"/**/*", "/a", true},
		{"/*/**", "/", false},
		{"/*/**", "/a/b/c", true},
		{"/**/**", "/", true},
		{"/**/a/**", "/a", true},
		{"/**/a/**", "/x/a/y/z", true},
		{"/**/a/**", "/x/y", false},
		{"/**/a/*/b", "/a/a/x/b", true},
		{"/**/a/*/b", "/a/x/b/b", false},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+" "+tt.path, func(t *testing.T) {
			t.Parallel()
			s := newSet()
			mustAdd(t, s, fault.Spec{Path: tt.pattern, Status: new(500)})
			_, ok := s.Match("courier", "GET", tt.path)
			assert.Equal(t, tt.want, ok)
		})
	}
}

// TestManyDoubleStars: a pattern of as many "**" as a path holds is
// decided at once (trying every split for each would not finish).
func TestManyDoubleStars(t *testing.T) {
	t.Parallel()
	s := newSet()
	mustAdd(t, s, fault.Spec{Path: strings.Repeat("/**/a", 300) + "/b", Status: new(500)})
	_, ok := s.Match("courier", "GET", strings.Repeat("/a", 1000)+"/c")
	assert.False(t, ok)
	_, ok = s.Match("courier", "GET", strings.Repeat("/a", 1000)+"/b")
	assert.True(t, ok)
}

// TestMatchVendorAndMethod: a rule's vendor and method must both be the
// request's; one left out matches any.
func TestMatchVendorAndMethod(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                 string
		spec                 fault.Spec
		vendor, method, path string
		want                 bool
	}{
		{"every request", fault.Spec{}, "360dialog", "DELETE", "/v1/x", true},
		{"vendor", fault.Spec{Vendor: "courier"}, "courier", "GET", "/v1/x", true},
		{"other vendor", fault.Spec{Vendor: "courier"}, "greenarrow", "GET", "/v1/x", false},
		{"method", fault.Spec{Method: "POST"}, "loopmessage", "POST", "/", true},
		{"other method", fault.Spec{Method: "POST"}, "loopmessage", "GET", "/", false},
		{"method given in lower case", fault.Spec{Method: "post"}, "loopmessage", "POST", "/", true},
		{"HEAD is not GET", fault.Spec{Method: "GET"}, "loopmessage", "HEAD", "/", false},
		{"all three", fault.Spec{Vendor: "courier", Method: "POST", Path: "/v1/messaging-messages"},
			"courier", "POST", "/v1/messaging-messages", true},
		{"all three, other vendor", fault.Spec{Vendor: "courier", Method: "POST", Path: "/v1/messaging-messages"},
			"greenarrow", "POST", "/v1/messaging-messages", false},
		{"all three, other method", fault.Spec{Vendor: "courier", Method: "POST", Path: "/v1/messaging-messages"},
			"courier", "PATCH", "/v1/messaging-messages", false},
		{"all three, other path", fault.Spec{Vendor: "courier", Method: "POST", Path: "/v1/messaging-messages"},
			"courier", "POST", "/v1/messaging-channels", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSet()
			tt.spec.Status = new(503)
			mustAdd(t, s, tt.spec)
			_, ok := s.Match(tt.vendor, tt.method, tt.path)
			assert.Equal(t, tt.want, ok)
			assert.Equal(t, b2i(tt.want), rule(t, s, "f1").Matched, "matched counts only requests the rule matches")
		})
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestHit: a rule that fires hands over what it answers with.
func TestHit(t *testing.T) {
	t.Parallel()
	s := newSet()
	mustAdd(t, s, fault.Spec{Vendor: "greenarrow", Status: new(429), Message: "slow down",
		Headers: map[string]string{"retry-after": "3"}, DelayMS: new(40)})
	mustAdd(t, s, fault.Spec{Vendor: "courier", Network: fault.Timeout})

	hit, ok := s.Match("greenarrow", "GET", "/api/v2/x")
	require.True(t, ok)
	assert.Equal(t, fault.Hit{Rule: "f1", Status: 429, Message: "slow down", Headers: map[string]string{"Retry-After": "3"},
		Delay: 40 * time.Millisecond}, hit)
	hit, ok = s.Match("courier", "GET", "/v1/x")
	require.True(t, ok)
	assert.Equal(t, fault.Hit{Rule: "f2", Network: fault.Timeout}, hit)
	_, ok = s.Match("loopmessage", "GET", "/v1/x")
	assert.False(t, ok)
}

// TestTimesAndAfter: times fires on the next N matches and is then spent,
// after lets the first K through; hits, matched and remaining count as it
// goes, and requests the rule does not match count nowhere.
func TestTimesAndAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		spec      fault.Spec
		want      []bool
		remaining []any // after each match: an int, or nil for unlimited
	}{
		{"times", fault.Spec{Times: new(2)}, []bool{true, true, false, false},
			[]any{1, 0, 0, 0}},
		{"times 1", fault.Spec{Times: new(1)}, []bool{true, false, false},
			[]any{0, 0, 0}},
		{"after", fault.Spec{After: new(2)}, []bool{false, false, true, true, true},
			[]any{nil, nil, nil, nil, nil}},
		{"times and after", fault.Spec{Times: new(2), After: new(1)}, []bool{false, true, true, false, false},
			[]any{2, 1, 0, 0, 0}},
		{"neither", fault.Spec{}, []bool{true, true, true}, []any{nil, nil, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSet()
			tt.spec.Path = "/v1/x"
			tt.spec.Status = new(500)
			mustAdd(t, s, tt.spec)
			hits := 0
			for i, want := range tt.want {
				_, ok := s.Match("courier", "GET", "/v1/y") // not matched: counts nowhere
				assert.False(t, ok)
				_, ok = s.Match("courier", "GET", "/v1/x")
				assert.Equal(t, want, ok, "match %d", i+1)
				hits += b2i(want)
				r := rule(t, s, "f1")
				assert.Equal(t, hits, r.Hits, "hits after match %d", i+1)
				assert.Equal(t, i+1, r.Matched, "matched after match %d", i+1)
				if tt.remaining[i] == nil {
					assert.Nil(t, r.Remaining, "remaining after match %d", i+1)
				} else if assert.NotNil(t, r.Remaining, "remaining after match %d", i+1) {
					assert.Equal(t, tt.remaining[i], *r.Remaining, "remaining after match %d", i+1)
				}
			}
		})
	}
}

// seed7Quarter is what a rule of "probability": 0.25, "seed": 7 decides on
// its first matches. Pinned so that a change of generator, which would
// change every recorded run, is noticed.
var seed7Quarter = []bool{
	false, false, true, true, false, false, true, false, false, false,
	false, false, false, false, true, false, false, true, false, true,
}

// TestProbability: a rule with a probability fires on that share of its
// matches, in a sequence that is the same for the same seed, and another
// for another seed.
func TestProbability(t *testing.T) {
	t.Parallel()
	decide := func(seed int64, spec fault.Spec) []bool {
		s := newSet()
		spec.Status, spec.Probability, spec.Seed = new(500), new(0.25), new(seed)
		mustAdd(t, s, spec)
		return fired(fires(s, 200, "courier", "GET", "/v1/x"))
	}
	first := decide(7, fault.Spec{})
	assert.Equal(t, first, decide(7, fault.Spec{}), "the same seed decides the same")
	assert.Equal(t, seed7Quarter, first[:len(seed7Quarter)])
	assert.NotEqual(t, first, decide(8, fault.Spec{}), "another seed decides otherwise")
	share := float64(b2iSum(first)) / float64(len(first))
	assert.InDelta(t, 0.25, share, 0.08, "the share of matches fired on")

	// Jitter draws from a stream of its own, and after and a spent times
	// draw nothing: neither shifts the decisions.
	assert.Equal(t, first, decide(7, fault.Spec{DelayMS: new(0), JitterMS: new(5)}), "with jitter")
	assert.Equal(t, append(make([]bool, 3), first[:197]...), decide(7, fault.Spec{After: new(3)}), "with after")
	var at []int // the matches seed 7 fires on
	for i, f := range first {
		if f {
			at = append(at, i)
		}
	}
	spent := make([]bool, len(first))
	spent[at[0]], spent[at[1]] = true, true
	assert.Equal(t, spent, decide(7, fault.Spec{Times: new(2)}), "with times")

	// A seed drawn for a rule replays its run when given back.
	s := newSet()
	drawn := mustAdd(t, s, fault.Spec{Status: new(500), Probability: new(0.5)})
	require.NotNil(t, drawn.Seed)
	run := fired(fires(s, 50, "courier", "GET", "/v1/x"))
	replay := newSet()
	mustAdd(t, replay, fault.Spec{Status: new(500), Probability: new(0.5), Seed: drawn.Seed})
	assert.Equal(t, run, fired(fires(replay, 50, "courier", "GET", "/v1/x")))
	r := rule(t, s, "f1")
	assert.Equal(t, 50, r.Matched)
	assert.Equal(t, b2iSum(run), r.Hits)
}

func b2iSum(bs []bool) int {
	n := 0
	for _, b := range bs {
		n += b2i(b)
	}
	return n
}

// TestOrder: rules are tried in the order they were added; the first that
// matches and fires wins, and one that matches without firing (spent,
// within after, or lost the draw) lets the next one try.
func TestOrder(t *testing.T) {
	t.Parallel()
	t.Run("first that fires wins", func(t *testing.T) {
		t.Parallel()
		s := newSet()
		mustAdd(t, s, fault.Spec{Path: "/v1/x", Status: new(500)})
		mustAdd(t, s, fault.Spec{Status: new(503)})
		assert.Equal(t, []string{"f1", "f2"}, []string{fires(s, 1, "courier", "GET", "/v1/x")[0],
			fires(s, 1, "courier", "GET", "/v1/y")[0]})
		assert.Equal(t, 1, rule(t, s, "f2").Matched, "a later rule is not tried once one fired")
	})
	t.Run("spent", func(t *testing.T) {
		t.Parallel()
		s := newSet()
		mustAdd(t, s, fault.Spec{Status: new(500), Times: new(2)})
		mustAdd(t, s, fault.Spec{Status: new(503)})
		assert.Equal(t, []string{"f1", "f1", "f2", "f2"}, fires(s, 4, "courier", "GET", "/v1/x"))
	})
	t.Run("after", func(t *testing.T) {
		t.Parallel()
		s := newSet()
		mustAdd(t, s, fault.Spec{Status: new(500), After: new(1)})
		mustAdd(t, s, fault.Spec{Status: new(503), Times: new(1)})
		assert.Equal(t, []string{"f2", "f1", "f1"}, fires(s, 3, "courier", "GET", "/v1/x"))
	})
	t.Run("lost the draw", func(t *testing.T) {
		t.Parallel()
		s := newSet()
		mustAdd(t, s, fault.Spec{Status: new(500), Probability: new(0.25), Seed: new(int64(7))})
		mustAdd(t, s, fault.Spec{Status: new(503)})
		got := fires(s, len(seed7Quarter), "courier", "GET", "/v1/x")
		for i, f1 := range seed7Quarter {
			want := "f2"
			if f1 {
				want = "f1"
			}
			assert.Equal(t, want, got[i], "match %d", i+1)
		}
		assert.Equal(t, len(seed7Quarter), rule(t, s, "f1").Matched)
		assert.Equal(t, len(seed7Quarter)-b2iSum(seed7Quarter), rule(t, s, "f2").Matched)
	})
	t.Run("nothing fires", func(t *testing.T) {
		t.Parallel()
		s := newSet()
		mustAdd(t, s, fault.Spec{Status: new(500), After: new(1)})
		mustAdd(t, s, fault.Spec{Status: new(503), Times: new(1)})
		assert.Equal(t, []string{"f2", "f1"}, fires(s, 2, "courier", "GET", "/v1/x"))
		s.Delete("f1")
		assert.Equal(t, []string{""}, fires(s, 1, "courier", "GET", "/v1/x"))
	})
}

// TestDeleteAndClear: Delete removes one rule, Clear a vendor's (rules for
// every vendor stay) or all; ids are never given twice.
func TestDeleteAndClear(t *testing.T) {
	t.Parallel()
	s := newSet()
	ids := func() []string {
		var out []string
		for _, r := range s.List() {
			out = append(out, r.ID)
		}
		return out
	}
	mustAdd(t, s, fault.Spec{Vendor: "courier", Status: new(500)})
	mustAdd(t, s, fault.Spec{Vendor: "greenarrow", Status: new(500)})
	mustAdd(t, s, fault.Spec{Status: new(500)})
	mustAdd(t, s, fault.Spec{Vendor: "courier", Status: new(500)})
	assert.Equal(t, []string{"f1", "f2", "f3", "f4"}, ids())

	assert.True(t, s.Delete("f2"))
	assert.False(t, s.Delete("f2"), "already deleted")
	assert.False(t, s.Delete("f9"))
	assert.False(t, s.Delete(""))
	assert.Equal(t, []string{"f1", "f3", "f4"}, ids())
	assert.True(t, s.Delete("f4"))
	assert.Equal(t, "f5", mustAdd(t, s, fault.Spec{Vendor: "greenarrow", Status: new(500)}).ID, "the last id is not given again")

	s.Clear("courier")
	assert.Equal(t, []string{"f3", "f5"}, ids(), "a vendor's reset keeps the rules for every vendor")
	s.Clear("loopmessage")
	assert.Equal(t, []string{"f3", "f5"}, ids())
	s.Clear("")
	assert.Empty(t, s.List())
	_, ok := s.Match("greenarrow", "GET", "/x")
	assert.False(t, ok)
	assert.Equal(t, "f6", mustAdd(t, s, fault.Spec{Status: new(500)}).ID)
	_, ok = s.Match("greenarrow", "GET", "/x")
	assert.True(t, ok)
}

// TestListIsACopy: what List and Add return cannot change the rules.
func TestListIsACopy(t *testing.T) {
	t.Parallel()
	s := newSet()
	added := mustAdd(t, s, fault.Spec{Status: new(429), Headers: map[string]string{"Retry-After": "3"}})
	added.Headers["Retry-After"] = "99"
	listed := s.List()
	listed[0].Headers["Retry-After"] = "98"
	hit, ok := s.Match("courier", "GET", "/")
	require.True(t, ok)
	assert.Equal(t, map[string]string{"Retry-After": "3"}, hit.Headers)
	assert.Equal(t, map[string]string{"Retry-After": "3"}, s.List()[0].Headers)
}

// TestJitter: a delay with jitter is drawn uniformly from delay ± jitter,
// never below zero, the same for the same seed.
func TestJitter(t *testing.T) {
	t.Parallel()
	delays := func(spec fault.Spec) []time.Duration {
		s := newSet()
		mustAdd(t, s, spec)
		out := make([]time.Duration, 300)
		for i := range out {
			hit, ok := s.Match("courier", "GET", "/")
			require.True(t, ok)
			out[i] = hit.Delay
		}
		return out
	}
	ms := time.Millisecond
	tests := []struct {
		name          string
		delay, jitter int
		lo, hi        time.Duration
		clamped       bool // some draws fall below zero, and are zero
	}{
		{"around a delay", 100, 30, 70 * ms, 130 * ms, false},
		{"down to zero", 30, 30, 0, 60 * ms, false},
		{"clamped at zero", 10, 50, 0, 60 * ms, true},
		{"jitter alone", 0, 20, 0, 20 * ms, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			spec := fault.Spec{DelayMS: new(tt.delay), JitterMS: new(tt.jitter), Seed: new(int64(7))}
			got := delays(spec)
			for _, d := range got {
				assert.GreaterOrEqual(t, d, tt.lo)
				assert.LessOrEqual(t, d, tt.hi)
			}
			assert.Equal(t, got, delays(spec), "the same seed draws the same")
			spec.Seed = new(int64(8))
			assert.NotEqual(t, got, delays(spec), "another seed draws otherwise")

			// Spread over the whole range: a quarter of it at each end.
			span := time.Duration(2*tt.jitter) * ms
			low, high := time.Duration(tt.delay-tt.jitter)*ms+span/4, time.Duration(tt.delay+tt.jitter)*ms-span/4
			assert.True(t, slices.ContainsFunc(got, func(d time.Duration) bool { return d <= max(low, 0) }), "some short")
			assert.True(t, slices.ContainsFunc(got, func(d time.Duration) bool { return d > high }), "some long")
			assert.Equal(t, tt.clamped, slices.Contains(got, 0), "zero only when clamped")
		})
	}
	for _, d := range delays(fault.Spec{DelayMS: new(250)}) {
		assert.Equal(t, 250*ms, d, "no jitter, no draw")
	}
}

// TestConcurrentTimesOne: of requests racing for a "times": 1 rule,
// exactly one gets it.
func TestConcurrentTimesOne(t *testing.T) {
	t.Parallel()
	s := newSet()
	mustAdd(t, s, fault.Spec{Status: new(503), Times: new(1)})
	start := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	hits := 0
	for range 64 {
		wg.Go(func() {
			<-start
			if _, ok := s.Match("courier", "POST", "/v1/messaging-messages"); ok {
				mu.Lock()
				hits++
				mu.Unlock()
			}
		})
	}
	close(start)
	wg.Wait()
	assert.Equal(t, 1, hits)
	r := rule(t, s, "f1")
	assert.Equal(t, 1, r.Hits)
	assert.Equal(t, 64, r.Matched)
	assert.Equal(t, 0, *r.Remaining)
}

// TestConcurrentUse: adding, listing, deleting, clearing and matching at
// once (run with -race) keeps the set whole, and no id is given twice.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	s := newSet()
	vendors := []string{"courier", "greenarrow", "loopmessage", "360dialog"}
	start := make(chan struct{})
	var wg sync.WaitGroup
	added := make([][]string, 16)
	for g := range added {
		wg.Go(func() {
			<-start
			vendor := vendors[g%len(vendors)]
			for i := range 50 {
				r, err := s.Add(fault.Spec{Vendor: vendor, Path: "/v1/**", Status: new(500 + i%100), Times: new(3),
					Probability: new(0.5), JitterMS: new(5)})
				if !assert.NoError(t, err) {
					return
				}
				added[g] = append(added[g], r.ID)
				s.Match(vendor, "GET", "/v1/x")
				_ = s.List()
				if i%3 == 0 {
					s.Delete(r.ID)
				}
				if g == 0 && i%10 == 0 {
					s.Clear("greenarrow")
				}
			}
		})
	}
	close(start)
	wg.Wait()

	all := slices.Concat(added...)
	assert.Len(t, all, 16*50)
	slices.Sort(all)
	assert.Len(t, slices.Compact(all), 16*50, "no id twice")
	for _, r := range s.List() {
		assert.Equal(t, r.Hits, r.Times-*r.Remaining)
		assert.LessOrEqual(t, r.Hits, r.Matched)
	}
	s.Clear("")
	assert.Empty(t, s.List())
}

// BenchmarkMatch: the common case, a world without rules, costs one atomic
// load; ten rules tried to the last are the busy case. Neither allocates.
func BenchmarkMatch(b *testing.B) {
	b.Run("no rules", func(b *testing.B) {
		s := newSet()
		b.ReportAllocs()
		for b.Loop() {
			s.Match("courier", "POST", "/v1/messaging-messages/abc")
		}
	})
	b.Run("ten rules, the last matches", func(b *testing.B) {
		s := newSet()
		for i := range 9 {
			mustAdd(b, s, fault.Spec{Vendor: "courier", Path: fmt.Sprintf("/v1/other-%d/**/x", i), Status: new(500)})
		}
		mustAdd(b, s, fault.Spec{Vendor: "courier", Method: "POST", Path: "/v1/messaging-messages/*", Status: new(503)})
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := s.Match("courier", "POST", "/v1/messaging-messages/abc"); !ok {
				b.Fatal("no match")
			}
		}
	})
}

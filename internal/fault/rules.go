// Package fault makes chosen requests of a world fail on purpose: an HTTP
// error in the vendor's own envelope, a reset or closed connection, an
// answer that never comes, or real latency. Rules are added on the control
// plane (POST /_emulator/faults); a world's Set decides, for every vendor
// request, whether a rule fires on it, and Serve carries the fault out.
package fault

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Limits that keep a hostile rule from hurting the emulator.
const (
	MaxRules   = 1000   // rules per world
	MaxDelayMS = 600000 // delay_ms and jitter_ms: ten minutes
	maxHeaders = 50
	maxPath    = 2048
	maxMessage = 4096
)

// The network faults.
const (
	Reset   = "reset"   // the TCP connection is reset (RST)
	Empty   = "empty"   // the connection is closed without an answer
	Timeout = "timeout" // no answer until the client gives up or the write timeout passes
)

// Spec is a rule as POST /_emulator/faults takes it. Pointers tell a field
// left out from one set to zero.
type Spec struct {
	Vendor      string            `json:"vendor"`
	Method      string            `json:"method"`
	Path        string            `json:"path"`
	Status      *int              `json:"status"`
	Message     string            `json:"message"`
	Headers     map[string]string `json:"headers"`
	Network     string            `json:"network"`
	DelayMS     *int              `json:"delay_ms"`
	JitterMS    *int              `json:"jitter_ms"`
	Times       *int              `json:"times"`
	After       *int              `json:"after"`
	Probability *float64          `json:"probability"`
	Seed        *int64            `json:"seed"`
}

// Rule is a rule as the control plane shows it: what it was given, and how
// often it has matched and fired.
type Rule struct {
	ID          string            `json:"id"`
	Vendor      string            `json:"vendor,omitempty"`
	Method      string            `json:"method,omitempty"`
	Path        string            `json:"path,omitempty"`
	Status      int               `json:"status,omitempty"`
	Message     string            `json:"message,omitempty"`
	Headers     map[string]string `json:"headers,omitempty"`
	Network     string            `json:"network,omitempty"`
	DelayMS     int               `json:"delay_ms,omitempty"`
	JitterMS    int               `json:"jitter_ms,omitempty"`
	Times       int               `json:"times,omitempty"`
	After       int               `json:"after,omitempty"`
	Probability float64           `json:"probability,omitempty"`
	// Seed is the rule's, or the one drawn for it when it was given none,
	// so that a run can be replayed.
	Seed *int64 `json:"seed,omitempty"`
	// Hits counts the requests the rule fired on; Matched every request it
	// matched, those let through by after or probability included.
	Hits    int `json:"hits"`
	Matched int `json:"matched"`
	// Remaining is how many more times the rule fires: null when unlimited.
	Remaining *int `json:"remaining"`
}

// Hit is what a request that a rule fired on gets.
type Hit struct {
	Rule    string // the rule's id, for the journal and the log
	Status  int
	Message string
	Headers map[string]string
	Network string
	Delay   time.Duration
}

// Error is a rule the control plane refuses (400), with a message that
// says why.
type Error struct {
	Msg string
}

func (e *Error) Error() string { return e.Msg }

func bad(format string, args ...any) *Error {
	return &Error{fmt.Sprintf(format, args...)}
}

// rule is a Rule with what deciding needs.
type rule struct {
	Rule
	segments []string   // the path pattern, split on "/"
	chance   *rand.Rand // draws whether a match fires (probability)
	jitter   *rand.Rand // draws the jitter, apart so it never shifts the draws above
}

// Set is one world's rules, tried in the order they were added. Safe for
// concurrent use: deciding whether a rule fires, and counting it, happen
// under one lock, so "times": 1 fires exactly once however many requests
// race for it.
type Set struct {
	prefixes map[string]string // vendor name → prefix, to check rules against

	n     atomic.Int32 // how many rules there are, read without the lock
	mu    sync.Mutex
	rules []*rule
	next  int // the number in the next rule's id
}

// NewSet returns an empty set for the vendors named in prefixes (name →
// prefix, such as "courier" → "/courier").
func NewSet(prefixes map[string]string) *Set {
	return &Set{prefixes: prefixes}
}

// Add checks spec and appends it as a rule.
func (s *Set) Add(spec Spec) (Rule, error) {
	r, err := s.compile(spec)
	if err != nil {
		return Rule{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.rules) >= MaxRules {
		return Rule{}, bad("a world holds at most %d fault rules; delete some first (DELETE /_emulator/faults)", MaxRules)
	}
	s.next++
	r.ID = "f" + strconv.Itoa(s.next)
	s.rules = append(s.rules, r)
	s.n.Store(int32(len(s.rules)))
	return r.view(), nil
}

// List returns every rule, in the order they are tried.
func (s *Set) List() []Rule {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Rule, len(s.rules))
	for i, r := range s.rules {
		out[i] = r.view()
	}
	return out
}

// Delete removes the rule with that id, reporting whether there was one.
func (s *Set) Delete(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.rules)
	s.rules = slices.DeleteFunc(s.rules, func(r *rule) bool { return r.ID == id })
	s.n.Store(int32(len(s.rules)))
	return len(s.rules) < n
}

// Clear removes every rule of vendor; every rule when vendor is "" (a reset
// of the whole world). A rule for every vendor stays on a vendor's reset.
func (s *Set) Clear(vendor string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = slices.DeleteFunc(s.rules, func(r *rule) bool { return vendor == "" || r.Vendor == vendor })
	s.n.Store(int32(len(s.rules)))
}

// Match finds the first rule that matches the request and fires on it, and
// counts it. path is the vendor's own path, below its prefix.
func (s *Set) Match(vendor, method, path string) (Hit, bool) {
	if s.n.Load() == 0 {
		return Hit{}, false // the common case costs one atomic load
	}
	path = strings.Trim(path, "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.rules {
		if (r.Vendor != "" && r.Vendor != vendor) || (r.Method != "" && r.Method != method) ||
			(r.Path != "" && !match(r.segments, path)) {
			continue
		}
		r.Matched++
		if r.Matched <= r.After || (r.Times > 0 && r.Hits >= r.Times) {
			continue
		}
		if r.Probability > 0 && r.chance.Float64() >= r.Probability {
			continue
		}
		r.Hits++
		return r.hit(), true
	}
	return Hit{}, false
}

func (r *rule) hit() Hit {
	delay := time.Duration(r.DelayMS) * time.Millisecond
	if r.JitterMS > 0 {
		j := time.Duration(r.JitterMS) * time.Millisecond
		delay += time.Duration(r.jitter.Int64N(int64(2*j)+1)) - j
		delay = max(delay, 0)
	}
	return Hit{Rule: r.ID, Status: r.Status, Message: r.Message, Headers: r.Headers, Network: r.Network, Delay: delay}
}

func (r *rule) view() Rule {
	v := r.Rule
	v.Headers = maps.Clone(r.Headers)
	if r.Times > 0 {
		left := r.Times - r.Hits
		v.Remaining = &left
	}
	return v
}

// compile checks spec and builds the rule it describes.
func (s *Set) compile(spec Spec) (*rule, error) {
	r := &rule{Rule: Rule{Vendor: spec.Vendor, Method: strings.ToUpper(spec.Method), Path: spec.Path,
		Message: spec.Message, Network: spec.Network}}
	if r.Vendor != "" {
		if _, ok := s.prefixes[r.Vendor]; !ok {
			return nil, bad("unknown vendor %q; one of %s", r.Vendor, strings.Join(s.vendorNames(), ", "))
		}
	}
	if r.Method != "" && !isToken(r.Method) {
		return nil, bad("method must be an HTTP method such as \"POST\": %q", spec.Method)
	}
	if err := s.checkPath(r); err != nil {
		return nil, err
	}

	if spec.Status != nil {
		if *spec.Status < 400 || *spec.Status > 599 {
			return nil, bad("status must be an HTTP error status, 400 to 599: %d", *spec.Status)
		}
		r.Status = *spec.Status
	}
	switch r.Network {
	case "", Reset, Empty, Timeout:
	default:
		return nil, bad("network must be %q, %q or %q: %q", Reset, Empty, Timeout, r.Network)
	}
	if r.Status != 0 && r.Network != "" {
		return nil, bad("a rule answers with a status or fails the connection (network), not both")
	}
	if r.Status == 0 && (r.Message != "" || len(spec.Headers) > 0) {
		return nil, bad("message and headers go with a status: they are the error answer's")
	}
	if len(r.Message) > maxMessage {
		return nil, bad("message is longer than %d bytes", maxMessage)
	}
	var err error
	if r.Headers, err = checkHeaders(spec.Headers); err != nil {
		return nil, err
	}
	if r.DelayMS, err = bounded("delay_ms", spec.DelayMS, 0, MaxDelayMS); err != nil {
		return nil, err
	}
	if r.JitterMS, err = bounded("jitter_ms", spec.JitterMS, 0, MaxDelayMS); err != nil {
		return nil, err
	}
	if r.Status == 0 && r.Network == "" && r.DelayMS == 0 && r.JitterMS == 0 {
		return nil, bad("a rule needs something to do: a status, a network fault or a delay_ms")
	}

	if r.Times, err = bounded("times", spec.Times, 1, 1<<30); err != nil {
		return nil, err
	}
	if r.After, err = bounded("after", spec.After, 0, 1<<30); err != nil {
		return nil, err
	}
	if p := spec.Probability; p != nil {
		if !(*p > 0 && *p <= 1) {
			return nil, bad("probability must be above 0 and at most 1: %v", *p)
		}
		r.Probability = *p
	}
	seed := rand.Int64N(1 << 31) // small enough to read, and to survive a JavaScript number
	if spec.Seed != nil {
		seed = *spec.Seed
	}
	if spec.Seed != nil || r.Probability > 0 || r.JitterMS > 0 {
		r.Seed = &seed // shown, so that a run can be replayed
	}
	r.chance = rand.New(rand.NewPCG(uint64(seed), 0))
	r.jitter = rand.New(rand.NewPCG(uint64(seed), 1))
	return r, nil
}

// checkPath checks the path pattern and splits it into segments.
func (s *Set) checkPath(r *rule) error {
	if r.Path == "" {
		return nil
	}
	if len(r.Path) > maxPath {
		return bad("path is longer than %d bytes", maxPath)
	}
	if r.Path[0] != '/' || strings.ContainsAny(r.Path, "?#") {
		return bad("path must be the vendor's own path, starting with \"/\", without a query: %q", r.Path)
	}
	for name, prefix := range s.prefixes {
		if (r.Vendor == "" || r.Vendor == name) && (r.Path == prefix || strings.HasPrefix(r.Path, prefix+"/")) {
			return bad("path is the vendor's own path, below its prefix: %q, not %q", strings.TrimPrefix(r.Path, prefix), r.Path)
		}
	}
	if t := strings.Trim(r.Path, "/"); t != "" {
		r.segments = strings.Split(t, "/")
	}
	for _, seg := range r.segments {
		if strings.Contains(seg, "*") && seg != "*" && seg != "**" {
			return bad("in path, * and ** stand for whole segments (\"/v1/messaging-messages/*\"): %q", seg)
		}
	}
	return nil
}

func (s *Set) vendorNames() []string {
	names := make([]string, 0, len(s.prefixes))
	for name := range s.prefixes {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

func bounded(name string, v *int, lo, hi int) (int, error) {
	if v == nil {
		return 0, nil
	}
	if *v < lo || *v > hi {
		return 0, bad("%s must be from %d to %d: %d", name, lo, hi, *v)
	}
	return *v, nil
}

// checkHeaders checks a rule's headers and returns them by their canonical
// names (nil when there are none).
func checkHeaders(h map[string]string) (map[string]string, error) {
	if len(h) > maxHeaders {
		return nil, bad("a rule sets at most %d headers", maxHeaders)
	}
	if len(h) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(h))
	given := make(map[string]string, len(h)) // canonical name → the spelling given
	for k, v := range h {
		if !isToken(k) {
			return nil, bad("header name %q is not a valid HTTP header name", k)
		}
		name := http.CanonicalHeaderKey(k)
		// Names are case-insensitive: which of two spellings won would be
		// left to map order, so a rule would not answer the same each run.
		if other, ok := given[name]; ok {
			return nil, bad("headers %q and %q are the same header; give it once", other, k)
		}
		given[name] = k
		switch name {
		case "Content-Length", "Transfer-Encoding", "Connection", "Trailer", "Upgrade", "Keep-Alive":
			// They frame the answer on the wire: the server sets them, and a
			// wrong one would break the connection rather than fail the call.
			return nil, bad("header %q describes the connection, not the answer: a rule cannot set it (network faults break connections)", k)
		}
		for _, c := range []byte(v) {
			if c < ' ' && c != '\t' || c == 0x7f {
				return nil, bad("the value of header %q holds a control character", k)
			}
		}
		out[name] = v
	}
	return out, nil
}

// isToken reports whether s is an HTTP token (RFC 9110): a method or a
// header name.
func isToken(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// match reports whether path (trimmed of its outer slashes) matches the
// pattern's segments: "*" stands for one segment, "**" for any number. It
// goes greedily, and on a mismatch lets the last "**" passed take one more
// segment: O(segments × pattern) at worst, where trying every split for
// every "**" grows exponentially with a hostile pattern such as
// "/**/a/**/a/**/a/**/b", all under the world's lock.
func match(pat []string, path string) bool {
	i := 0
	star, mark := -1, "" // the last "**" passed, and the path left when it was
	for path != "" {
		if i < len(pat) && pat[i] == "**" {
			star, mark = i, path
			i++
			continue
		}
		if i < len(pat) {
			seg, rest := segment(path)
			if pat[i] == "*" || pat[i] == seg {
				i, path = i+1, rest
				continue
			}
		}
		if star < 0 {
			return false
		}
		_, mark = segment(mark)
		i, path = star+1, mark
	}
	for i < len(pat) && pat[i] == "**" {
		i++
	}
	return i == len(pat)
}

// segment cuts the first segment off path.
func segment(path string) (string, string) {
	if i := strings.IndexByte(path, '/'); i >= 0 {
		return path[:i], path[i+1:]
	}
	return path, ""
}

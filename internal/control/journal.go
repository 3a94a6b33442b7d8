package control

import (
	"strings"
	"sync"
	"time"
)

// Entry is one journaled request, as GET /_emulator/requests shows it.
type Entry struct {
	ID           string    `json:"id"`
	Time         time.Time `json:"time"`
	Vendor       string    `json:"vendor"`
	Method       string    `json:"method"`
	Path         string    `json:"path"`
	Query        string    `json:"query"`
	Status       int       `json:"status"`
	DurationMS   float64   `json:"duration_ms"`
	RequestBody  string    `json:"request_body"`
	ResponseBody string    `json:"response_body"`
	// Fault is the id of the fault rule that fired on the request; Status
	// is 0 when the rule sent no answer (a network fault).
	Fault string `json:"fault,omitempty"`
}

// FieldLimit is how many bytes of a request's path and of its query string
// the journal keeps: Go accepts request lines up to a megabyte.
const FieldLimit = 2048

// entryOverhead bounds what an entry holds besides its four capped strings:
// the struct itself, its id (X-Request-Id, at most 200 bytes), vendor, method.
const entryOverhead = 512

// Journal is a bounded ring of the latest requests. Safe for concurrent use.
// Everything it keeps is capped, so its memory never exceeds WorstCaseBytes.
type Journal struct {
	mu      sync.Mutex
	entries []Entry // grows to size, then wraps: a world nobody calls holds none
	size    int
	next    int // where the next entry goes once the ring is full
	// BodyLimit is how many bytes of each body are kept.
	BodyLimit int
}

// NewJournal keeps the latest size requests, and bodyLimit bytes of each body.
func NewJournal(size, bodyLimit int) *Journal {
	if size < 1 {
		size = 1
	}
	return &Journal{size: size, BodyLimit: bodyLimit}
}

// WorstCaseBytes is the most memory the journal can hold: every entry full,
// with both bodies, the path and the query at their limits.
func (j *Journal) WorstCaseBytes() int {
	return j.size * (2*j.BodyLimit + 2*FieldLimit + entryOverhead)
}

// Add records e, dropping the oldest entry when the ring is full. The path
// and query are cut to FieldLimit bytes, the bodies to BodyLimit.
func (j *Journal) Add(e Entry) {
	e.Path, e.Query = truncate(e.Path, FieldLimit), truncate(e.Query, FieldLimit)
	e.RequestBody, e.ResponseBody = truncate(e.RequestBody, j.BodyLimit), truncate(e.ResponseBody, j.BodyLimit)
	e.Method, e.ID = truncate(e.Method, 64), truncate(e.ID, 200)
	j.mu.Lock()
	if len(j.entries) < j.size {
		j.entries = append(j.entries, e)
	} else {
		j.entries[j.next] = e
		j.next = (j.next + 1) % j.size
	}
	j.mu.Unlock()
}

// List returns up to limit entries, newest first, of vendor (all when "").
func (j *Journal) List(vendor string, limit int) []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := len(j.entries)
	out := make([]Entry, 0, min(limit, n))
	for i := 0; i < n && len(out) < limit; i++ {
		e := j.entries[(j.next-1-i+n)%n] // next is 0 until the ring is full
		if vendor == "" || e.Vendor == vendor {
			out = append(out, e)
		}
	}
	return out
}

// Clear empties the journal.
func (j *Journal) Clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.entries, j.next = nil, 0
}

// truncate cuts s to at most n bytes. The copy matters: a substring would
// keep the whole original string alive.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.Clone(s[:n])
}

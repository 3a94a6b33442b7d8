package control

import (
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
}

// Journal is a bounded ring of the latest requests. Safe for concurrent use.
type Journal struct {
	mu      sync.Mutex
	entries []Entry
	next    int  // where the next entry goes
	full    bool // the ring has wrapped
	// BodyLimit is how many bytes of each body are kept.
	BodyLimit int
}

// NewJournal keeps the latest size requests, and bodyLimit bytes of each body.
func NewJournal(size, bodyLimit int) *Journal {
	if size < 1 {
		size = 1
	}
	return &Journal{entries: make([]Entry, size), BodyLimit: bodyLimit}
}

// Add records e, dropping the oldest entry when the ring is full.
func (j *Journal) Add(e Entry) {
	j.mu.Lock()
	j.entries[j.next] = e
	j.next++
	if j.next == len(j.entries) {
		j.next, j.full = 0, true
	}
	j.mu.Unlock()
}

// List returns up to limit entries, newest first, of vendor (all when "").
func (j *Journal) List(vendor string, limit int) []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := j.next
	if j.full {
		n = len(j.entries)
	}
	out := make([]Entry, 0, min(limit, n))
	for i := 0; i < n && len(out) < limit; i++ {
		e := j.entries[(j.next-1-i+len(j.entries))%len(j.entries)]
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
	clear(j.entries)
	j.next, j.full = 0, false
}

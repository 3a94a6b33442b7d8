package store

import "time"

// WaitingWrites is how many writes wait for the group in progress.
func (db *DB) WaitingWrites() int {
	db.writes.mu.Lock()
	defer db.writes.mu.Unlock()
	return len(db.writes.waiting)
}

// GroupWritesFor lets a group take new members for d, so that a test can
// hold its first member while others queue. Call it before any write.
func (db *DB) GroupWritesFor(d time.Duration) { db.writes.maxTime = d }

package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Write transactions commit in groups. While one write runs, the writes that
// ask meanwhile queue here; the goroutine that finds the writer idle leads:
// it opens one SQLite transaction and runs its own write and the queued ones
// in it, in the order they asked, each in a savepoint of its own, then
// commits them together and hands every writer its own result. A write that
// fails rolls back to its savepoint alone; the others keep theirs.
//
// Why: most of a small write's turn at the writer is not its statements but
// what every transaction pays once (BEGIN, COMMIT writing the dirty pages,
// the handover of the connection to the next goroutine), and the pages
// writers share (a channel's counters, an index's last leaf) are written
// once per group instead of once per write. No writer answers before its
// group has committed, so what a client was told is what a read sees.

// A group takes no new members once it has maxGroup, or has run for
// maxGroupTime: its members wait for the last of them to commit, and in
// memory readers wait for the whole group (doc.go).
const (
	maxGroup     = 16
	maxGroupTime = time.Millisecond
)

// pendingWrite is one Tx call waiting for (or being run by) a leader.
type pendingWrite struct {
	fn   func(tx *Tx) error
	done chan writeResult // buffered: the leader never waits for a member
}

type writeResult struct {
	err      error
	panicked any  // fn panicked with this: the member panics again, in its own goroutine
	lead     bool // no result: the member leads the next group
}

// writeQueue holds the writes asked while a group runs.
type writeQueue struct {
	maxTime time.Duration // 0: maxGroupTime; tests lengthen it
	mu      sync.Mutex
	leading bool // a leader runs a group
	waiting []*pendingWrite
}

// Tx runs fn in a write transaction on the writer connection: committed
// when fn returns nil, rolled back otherwise. Writers run one at a time, in
// the order they asked, and their transactions commit in groups (batch.go);
// fn must not wait on the network (read the request body before calling Tx),
// nor read through db.Read, which does not see what fn has not committed
// yet, nor write through Tx, WriteRow or Exec, which would wait for fn
// itself. A fn that panics panics again here.
func (db *DB) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	me := &pendingWrite{fn: fn, done: make(chan writeResult, 1)}
	q := &db.writes
	q.mu.Lock()
	if q.leading {
		q.waiting = append(q.waiting, me)
		q.mu.Unlock()
		r := <-me.done
		if !r.lead {
			if r.panicked != nil {
				panic(r.panicked)
			}
			return r.err
		}
	} else {
		q.leading = true
		q.mu.Unlock()
	}
	r := db.lead(ctx, me)
	if r.panicked != nil {
		panic(r.panicked)
	}
	return r.err
}

// lead runs one group that starts with first, hands each other member its
// result and the lead to the next waiting writer (if any), and returns
// first's result.
func (db *DB) lead(ctx context.Context, first *pendingWrite) writeResult {
	group := []*pendingWrite{first}
	results := make([]writeResult, 0, 1)
	began, maxTime := time.Now(), db.writes.maxTime
	if maxTime == 0 {
		maxTime = maxGroupTime
	}
	err := db.writeTx(ctx, func(tx *Tx) error {
		// The first member needs no savepoint: when it fails, the whole
		// transaction rolls back, and there is nobody else in it yet. So a
		// write that meets no other costs what it did before groups.
		r := runProtected(tx, first.fn)
		results = append(results, r)
		if r.err != nil || r.panicked != nil {
			return errFirstFailed
		}
		for len(group) < maxGroup && time.Since(began) < maxTime {
			group = db.writes.take(group, maxGroup)
			if len(group) == len(results) {
				break
			}
			for _, m := range group[len(results):] {
				r, err := runMember(ctx, tx, m.fn)
				if err != nil {
					// SQLite rolled the whole transaction back: every
					// member's work is gone, this one's included.
					return err
				}
				results = append(results, r)
			}
		}
		return nil
	})
	// When the transaction failed (to begin, to keep a savepoint, to
	// commit), no member's work stands: those whose fn succeeded, or never
	// ran, get its error; those whose fn failed keep their own.
	for i := range group {
		if i == len(results) {
			results = append(results, writeResult{})
		}
		if err != nil && results[i].err == nil && results[i].panicked == nil {
			results[i].err = err
		}
	}
	for i := 1; i < len(group); i++ {
		group[i].done <- results[i]
	}
	db.writes.handOver()
	return results[0]
}

// errFirstFailed rolls back a group whose first member failed; that member
// gets its own error.
var errFirstFailed = errors.New("store: the write failed")

// take appends waiting writes to group, up to limit members.
func (q *writeQueue) take(group []*pendingWrite, limit int) []*pendingWrite {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := min(len(q.waiting), limit-len(group))
	group = append(group, q.waiting[:n]...)
	q.waiting = q.waiting[n:]
	return group
}

// handOver makes the first waiting writer the next leader, or marks the
// writer idle.
func (q *writeQueue) handOver() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.waiting) == 0 {
		q.leading = false
		q.waiting = nil
		return
	}
	next := q.waiting[0]
	q.waiting = q.waiting[1:]
	next.done <- writeResult{lead: true}
}

// runMember runs fn in a savepoint of tx: released when fn returns nil,
// rolled back to otherwise (and when fn panics). The error it returns is
// not fn's but the savepoint's own: the transaction can no longer go on.
func runMember(ctx context.Context, tx *Tx, fn func(tx *Tx) error) (writeResult, error) {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT write"); err != nil {
		return writeResult{}, err
	}
	r := runProtected(tx, fn)
	if r.err != nil || r.panicked != nil {
		if _, err := tx.ExecContext(ctx, "ROLLBACK TO write"); err != nil {
			return r, fmt.Errorf("store: roll back one write of a group: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, "RELEASE write"); err != nil {
		return r, fmt.Errorf("store: release one write of a group: %w", err)
	}
	return r, nil
}

// runProtected runs fn, turning a panic into a result: the leader must
// finish the group whatever one member does.
func runProtected(tx *Tx, fn func(tx *Tx) error) (r writeResult) {
	defer func() {
		if p := recover(); p != nil {
			r.panicked = p
		}
	}()
	r.err = fn(tx)
	return r
}

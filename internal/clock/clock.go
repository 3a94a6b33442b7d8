// Package clock is the emulated clock every time-dependent rule reads.
//
// The clock runs at real speed from an offset that the control plane can move,
// set or freeze, so tests move time instead of sleeping.
package clock

import (
	"sync"
	"time"
)

// Clock is safe for concurrent use. The zero value is not usable: call New.
type Clock struct {
	mu     sync.RWMutex
	real   func() time.Time
	offset time.Duration // emulated = real + offset, while running
	frozen bool
	at     time.Time // the frozen instant
	// changed is closed, and replaced, whenever the clock is moved, set,
	// frozen, restarted or reset: whoever waits for an emulated instant
	// (the webhook outbox) wakes and reckons again.
	changed chan struct{}
}

// New returns a running clock that reads real time through now (time.Now when nil).
func New(now func() time.Time) *Clock {
	if now == nil {
		now = time.Now
	}
	return &Clock{real: now, changed: make(chan struct{})}
}

// Changed returns a channel that is closed at the clock's next move (Advance,
// Set, Freeze or Reset). Take it before reading Now, so no move is missed.
func (c *Clock) Changed() <-chan struct{} {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.changed
}

// moved wakes the waiters of Changed; c.mu is held for writing.
func (c *Clock) moved() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// Now returns the emulated time, in UTC.
func (c *Clock) Now() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.frozen {
		return c.at
	}
	return c.real().Add(c.offset).UTC()
}

// Frozen reports whether the clock is stopped.
func (c *Clock) Frozen() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.frozen
}

// Advance moves emulated time forward by d (a negative d moves it back).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.moved()
	if c.frozen {
		c.at = c.at.Add(d)
		return
	}
	c.offset += d
}

// Set moves emulated time to t; a frozen clock stays frozen.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.moved()
	if c.frozen {
		c.at = t.UTC()
		return
	}
	c.offset = t.Sub(c.real())
}

// Freeze stops (true) or restarts (false) the clock at the current emulated instant.
func (c *Clock) Freeze(stop bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.moved()
	switch {
	case stop && !c.frozen:
		c.at = c.real().Add(c.offset).UTC()
		c.frozen = true
	case !stop && c.frozen:
		c.offset = c.at.Sub(c.real())
		c.frozen = false
	}
}

// Reset returns to the machine's real time, running.
func (c *Clock) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.moved()
	c.offset, c.frozen, c.at = 0, false, time.Time{}
}

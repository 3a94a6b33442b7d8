package main

import (
	"context"
	"time"
)

// idleCheck is how often memoryRelease looks whether the emulator is idle:
// it gives memory back between one and two of these after the last request.
// A pause within a test suite is shorter: the next burst regrows what was
// given back, which cost 10 to 15% of courier's channel GET in the five
// seconds after each release (measured with 300 worlds, releasing after 1 s).
const idleCheck = 15 * time.Second

// memoryRelease gives the OS back what a burst of requests left in the heap
// once the emulator is idle. With GOGC=400 (tuneGC) the heap may hold four
// times what is live until the next collection, which an idle process never
// reaches: after a test suite the emulator kept its peak (about 60 MiB after
// large bodies) for as long as it ran. The cost is a collection when nobody
// waits for it, and the next burst's regrowing the heap (idleCheck).
type memoryRelease struct {
	busy     *inflight
	release  func() // debug.FreeOSMemory; tests count the calls
	seen     uint64 // requests begun by the previous check
	released bool   // nothing begun since the last release
}

func (m *memoryRelease) run(ctx context.Context, ticks <-chan time.Time) {
	m.seen, m.released = m.busy.started.Load(), true // the start has just released its garbage
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticks:
			m.check()
		}
	}
}

// check releases once no request has begun since the previous check and
// none is running.
func (m *memoryRelease) check() {
	if n := m.busy.started.Load(); n != m.seen {
		m.seen, m.released = n, false
		return
	}
	if !m.released && !m.busy.running() {
		m.release()
		m.released = true
	}
}

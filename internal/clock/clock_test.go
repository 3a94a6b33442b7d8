package clock_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/emulator/vendor-emulator/internal/clock"
)

// fakeReal is a machine clock the test moves by hand.
type fakeReal struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeReal) now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }
func (f *fakeReal) tick(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

func TestClock(t *testing.T) {
	t.Parallel()
	real := &fakeReal{t: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)}
	c := clock.New(real.now)
	assert.Equal(t, real.t, c.Now())

	c.Advance(2*time.Minute + time.Second)
	assert.Equal(t, real.t.Add(121*time.Second), c.Now())
	real.tick(time.Second) // a running clock follows real time
	assert.Equal(t, real.t.Add(121*time.Second), c.Now())

	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	c.Set(at)
	assert.Equal(t, at, c.Now())

	c.Freeze(true)
	real.tick(time.Hour)
	assert.Equal(t, at, c.Now(), "a frozen clock does not move")
	assert.True(t, c.Frozen())
	c.Advance(time.Minute)
	assert.Equal(t, at.Add(time.Minute), c.Now(), "advance keeps a frozen clock frozen")
	c.Set(at)
	assert.Equal(t, at, c.Now())
	assert.True(t, c.Frozen(), "set keeps a frozen clock frozen")

	c.Freeze(false)
	assert.Equal(t, at, c.Now(), "unfreezing restarts from where it stood")
	real.tick(time.Second)
	assert.Equal(t, at.Add(time.Second), c.Now())

	c.Reset()
	assert.Equal(t, real.t, c.Now())
	assert.False(t, c.Frozen())
}

func TestClockNowIsUTC(t *testing.T) {
	t.Parallel()
	c := clock.New(func() time.Time { return time.Date(2026, 1, 1, 12, 0, 0, 0, time.FixedZone("X", 3600)) })
	assert.Equal(t, time.UTC, c.Now().Location())
	c.Freeze(true)
	c.Set(time.Date(2026, 1, 1, 12, 0, 0, 0, time.FixedZone("Y", -3600)))
	assert.Equal(t, time.UTC, c.Now().Location())
}

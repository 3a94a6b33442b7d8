package partner

import (
	"sync"
	"sync/atomic"
)

// partnerCache keeps partners read for authentication, so the hot GET costs no
// database round trip. SQLite stays the truth: every write bumps version, and
// an entry counts only while both version and the store's reset generation
// are those it was read under (read before the query, so a read that raced a
// write is never served later).
type partnerCache struct {
	mu      sync.RWMutex
	entries map[string]cacheEntry // "k:<api key>" or "i:<partner id>"
	version atomic.Uint64
}

type cacheEntry struct {
	p          *Partner
	version    uint64
	generation uint64
}

type stamp struct{ version, generation uint64 }

func (c *partnerCache) get(key string, now stamp) *Partner {
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()
	if !ok || e.version != now.version || e.generation != now.generation {
		return nil
	}
	return e.p
}

func (c *partnerCache) put(key string, p *Partner, at stamp) {
	c.mu.Lock()
	if c.entries == nil || len(c.entries) > 1024 {
		c.entries = map[string]cacheEntry{} // bounded: unknown keys are not cached, but be safe
	}
	c.entries[key] = cacheEntry{p, at.version, at.generation}
	c.mu.Unlock()
}

// invalidate is called after every committed write to a partner.
func (c *partnerCache) invalidate() { c.version.Add(1) }

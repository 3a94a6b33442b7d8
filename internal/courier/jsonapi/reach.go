package jsonapi

import (
	"context"
	"sort"
	"sync"
)

// Reach collects the organizations whose records one request read or wrote,
// for a vendor that must know whose data an answer holds (courier shows a
// sniffed request only to whom may see all of them). The request's context
// carries it (WithReach); the engine's reads, writes and list scopes add to
// it, and a hook whose own SQL reads an organization's data adds that
// organization itself.
type Reach struct {
	mu   sync.Mutex
	orgs map[string]struct{}
}

type reachKey struct{}

// WithReach is ctx with a new, empty Reach that the request fills.
func WithReach(ctx context.Context) (context.Context, *Reach) {
	r := &Reach{orgs: map[string]struct{}{}}
	return context.WithValue(ctx, reachKey{}, r), r
}

// ReachFrom is the Reach ctx carries; nil (which ignores Add) when nobody asked.
func ReachFrom(ctx context.Context) *Reach {
	r, _ := ctx.Value(reachKey{}).(*Reach)
	return r
}

// Add records organizations; "" (shared data, nobody's) is not one.
func (r *Reach) Add(orgs ...string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, o := range orgs {
		if o != "" {
			r.orgs[o] = struct{}{}
		}
	}
}

// Orgs are the organizations reached, sorted (never nil).
func (r *Reach) Orgs() []string {
	out := []string{}
	if r == nil {
		return out
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for o := range r.orgs {
		out = append(out, o)
	}
	sort.Strings(out)
	return out
}

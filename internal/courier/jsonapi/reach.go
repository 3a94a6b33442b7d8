package jsonapi

import (
	"context"
	"sort"
	"sync"
)

// Reach collects the organizations whose records one request read or wrote,
// for a vendor that must know whose data an answer holds (courier shows a
// sniffed request only to whom may see all of them). The request's context
// carries it (WithDormantReach); the engine's reads, writes and list scopes add to
// it, and a hook whose own SQL reads an organization's data adds that
// organization itself.
type Reach struct {
	mu      sync.Mutex
	orgs    map[string]struct{}
	dormant bool // WithDormantReach's, until Wake
}

type reachKey struct{}

// WithDormantReach is ctx with a new, empty Reach that the request fills
// once woken (Wake): a vendor learns only in the request's transaction
// whether it needs one (courier: whether the caller has sniffers), and until
// then it collects nothing and costs the engine nothing.
func WithDormantReach(ctx context.Context) (context.Context, *Reach) {
	r := &Reach{dormant: true}
	return context.WithValue(ctx, reachKey{}, r), r
}

// Wake makes a dormant Reach collect from now on. Call it in the goroutine
// that runs the request's transaction, before the engine reads.
func (r *Reach) Wake() { r.dormant = false }

// ReachFrom is the Reach ctx carries; nil (which ignores Add) when nobody
// asked, or while it is dormant.
func ReachFrom(ctx context.Context) *Reach {
	r, _ := ctx.Value(reachKey{}).(*Reach)
	if r != nil && r.dormant {
		return nil
	}
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
			if r.orgs == nil {
				r.orgs = map[string]struct{}{}
			}
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

// Package world keeps the emulator's worlds: independent copies of every
// vendor's state, each with its own store, clock and journal, served side by
// side on one port. The default world is the one a request reaches when it
// names none; a test suite creates its own so that nothing another suite does
// reaches it.
//
// A new world is a page copy (store.Copy) of a template store that was
// migrated and seeded once at start, or of another world: a millisecond and
// about a megabyte, where migrating and seeding anew would cost a hundred
// times that.
package world

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing/fstest"
	"time"

	"github.com/google/uuid"

	"github.com/emulator/vendor-emulator/fixtures"
	"github.com/emulator/vendor-emulator/internal/clock"
	"github.com/emulator/vendor-emulator/internal/store"
)

// Default is the id of the world a request reaches when it names none.
const Default = "default"

// World is one isolated copy of the emulator.
type World struct {
	ID      string
	Created time.Time // real time
	DB      *store.DB
	Clock   *clock.Clock
	// Handler serves every vendor and the world's own control plane, on
	// paths without the /w/{id} prefix.
	Handler http.Handler

	stop     func()
	lastUsed atomic.Int64 // real time, Unix nanoseconds
	refs     atomic.Int64 // requests being served
	closing  atomic.Bool  // deleted: closes when refs reaches zero
	close    sync.Once
	keepFile atomic.Bool // closed at shutdown, not deleted: the file stays for the next start
}

// LastUsed is when a request last reached the world (real time).
func (w *World) LastUsed() time.Time { return time.Unix(0, w.lastUsed.Load()).UTC() }

// Build makes a world's handler from its id, store and clock, and what stops
// the work it does in the background (its webhook deliveries); the store is
// closed after stop returns.
type Build func(id string, db *store.DB, clk *clock.Clock) (handler http.Handler, stop func())

// Config is what a Registry needs.
type Config struct {
	// Template is migrated and seeded, in memory, and never served: every
	// new world starts as a copy of it, and resets to its fixtures.
	Template *store.DB
	// Dir, when not empty, is where worlds keep their database files (file
	// mode); in memory mode it is empty.
	Dir string
	// Open opens a world's existing file at the next start (file mode).
	Open  func(ctx context.Context, path string) (*store.DB, error)
	Build Build
	// TTL is how long a world nobody calls lives; Max how many worlds may
	// exist besides the default one.
	TTL time.Duration
	Max int
	// Now is real time (time.Now when nil): a world's age is not emulated.
	Now func() time.Time
	// Counted, when set, hears how many worlds exist besides the default
	// one (those being made included) each time that changes, in order: it
	// is called with the registry locked, so it must not call the registry.
	Counted func(worlds int)
}

// Errors of Create and Delete, for the control plane to answer.
var (
	ErrBadID     = errors.New("bad world id")
	ErrTaken     = errors.New("world id taken")
	ErrFull      = errors.New("too many worlds")
	ErrUnknown   = errors.New("no such world")
	ErrDefault   = errors.New("the default world cannot be deleted")
	ErrBadVendor = errors.New("unknown vendor")
)

// validID is what a world id may be: it appears in URLs and file names.
var validID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Registry holds the worlds. Safe for concurrent use.
type Registry struct {
	cfg    Config
	mu     sync.RWMutex
	worlds map[string]*World // a nil value: an id reserved while its world is made
}

// New returns a registry whose default world is def with clk.
func New(cfg Config, def *store.DB, clk *clock.Clock) *Registry {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	r := &Registry{cfg: cfg, worlds: map[string]*World{}}
	w := r.newWorld(Default, def, clk)
	w.keepFile.Store(true)
	r.worlds[Default] = w
	return r
}

// counted tells Config.Counted the number of worlds; r.mu is held.
func (r *Registry) counted() {
	if r.cfg.Counted != nil {
		r.cfg.Counted(max(0, len(r.worlds)-1))
	}
}

func (r *Registry) newWorld(id string, db *store.DB, clk *clock.Clock) *World {
	w := &World{ID: id, Created: r.cfg.Now().UTC(), DB: db, Clock: clk}
	w.lastUsed.Store(w.Created.UnixNano())
	w.Handler, w.stop = r.cfg.Build(id, db, clk)
	return w
}

// Reopen opens the worlds a previous run left in Dir (file mode), so that a
// file keeps every world across restarts as it keeps the default one.
func (r *Registry) Reopen(ctx context.Context) error {
	if r.cfg.Dir == "" {
		return nil
	}
	files, err := filepath.Glob(filepath.Join(r.cfg.Dir, "*.db"))
	if err != nil {
		return err
	}
	for _, f := range files {
		id := strings.TrimSuffix(filepath.Base(f), ".db")
		if !validID.MatchString(id) || id == Default {
			continue
		}
		db, err := r.cfg.Open(ctx, f)
		if err != nil {
			return fmt.Errorf("world %s: %w", id, err)
		}
		r.mu.Lock()
		r.worlds[id] = r.newWorld(id, db, clock.New(nil))
		r.counted()
		r.mu.Unlock()
	}
	return nil
}

// Spec is what POST /_emulator/worlds may ask for.
type Spec struct {
	ID string
	// From copies that world's current state and clock instead of the fixtures.
	From string
	// Fixtures seeds these vendors from their own fixture documents (JSON),
	// the others as usual.
	Fixtures map[string][]byte
}

// Create makes a new world.
func (r *Registry) Create(ctx context.Context, spec Spec) (*World, error) {
	id := spec.ID
	if id == "" {
		id = uuid.NewString()
	} else if !validID.MatchString(id) {
		return nil, fmt.Errorf("%w %q: letters, digits, \"-\" and \"_\", 1 to 64 of them", ErrBadID, id)
	}
	if err := r.reserve(id); err != nil {
		return nil, err
	}
	w, err := r.make(ctx, id, spec)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		delete(r.worlds, id)
		r.counted()
		return nil, err
	}
	r.worlds[id] = w
	return w, nil
}

// reserve takes id for a world being made, so that the copy runs outside
// the registry's lock.
func (r *Registry) reserve(id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, taken := r.worlds[id]; taken {
		return fmt.Errorf("%w: a world %q exists already", ErrTaken, id)
	}
	if len(r.worlds)-1 >= r.cfg.Max {
		return fmt.Errorf("%w: %d worlds exist besides the default one, the most allowed (-max-worlds); delete one (DELETE /_emulator/worlds/{id})", ErrFull, r.cfg.Max)
	}
	r.worlds[id] = nil
	r.counted()
	return nil
}

func (r *Registry) make(ctx context.Context, id string, spec Spec) (*World, error) {
	src, clk := r.cfg.Template, clock.New(nil)
	if spec.From != "" {
		from := r.Acquire(spec.From)
		if from == nil {
			return nil, fmt.Errorf("%w %q to copy from", ErrUnknown, spec.From)
		}
		defer r.Release(from)
		src = from.DB
		if from.Clock.Frozen() {
			clk.Freeze(true)
		}
		clk.Set(from.Clock.Now())
	}
	// The copy resets to its source's fixtures, inline ones laid over them.
	fsys := src.Fixtures()
	vendors := make([]string, 0, len(spec.Fixtures))
	if len(spec.Fixtures) > 0 {
		known := src.Vendors()
		own := fstest.MapFS{}
		for v, doc := range spec.Fixtures {
			if !slices.Contains(known, v) {
				return nil, fmt.Errorf("%w %q in fixtures; one of %s", ErrBadVendor, v, strings.Join(known, ", "))
			}
			own[v+".json"] = &fstest.MapFile{Data: doc}
			vendors = append(vendors, v)
		}
		sort.Strings(vendors)
		var err error
		if fsys, err = fixtures.OverlayOn(fsys, own); err != nil {
			return nil, err
		}
	}
	path := store.Memory
	if r.cfg.Dir != "" {
		if err := os.MkdirAll(r.cfg.Dir, 0o755); err != nil {
			return nil, err
		}
		path = filepath.Join(r.cfg.Dir, id+".db")
	}
	db, err := src.Copy(ctx, path, fsys)
	if err != nil {
		return nil, err
	}
	for _, v := range vendors {
		if err := db.Reset(ctx, v); err != nil {
			discard(db) // a fixture document at fault is a *store.FixtureError
			return nil, err
		}
	}
	return r.newWorld(id, db, clk), nil
}

// discard closes db and, on a file, deletes it.
func discard(db *store.DB) {
	db.Close()
	if db.Path() != store.Memory {
		store.RemoveFile(db.Path())
	}
}

// Acquire returns the world id for one request, nil when there is none;
// Release it when the request ends. A world deleted meanwhile closes once
// its last request has ended.
func (r *Registry) Acquire(id string) *World {
	r.mu.RLock()
	w := r.worlds[id]
	r.mu.RUnlock()
	if w == nil {
		return nil
	}
	w.refs.Add(1)
	if w.closing.Load() {
		r.Release(w)
		return nil
	}
	w.lastUsed.Store(r.cfg.Now().UnixNano())
	return w
}

// Release ends what Acquire began.
func (r *Registry) Release(w *World) {
	if w.refs.Add(-1) == 0 && w.closing.Load() {
		w.shut()
	}
}

// shut closes the world's store; a deleted world's file goes with it.
func (w *World) shut() {
	w.close.Do(func() {
		if w.stop != nil {
			w.stop()
		}
		if w.keepFile.Load() {
			w.DB.Close()
			return
		}
		discard(w.DB)
	})
}

// Delete removes a world; its memory (or file) is freed once the requests
// it is serving end.
func (r *Registry) Delete(id string) error {
	if id == Default {
		return ErrDefault
	}
	r.mu.Lock()
	w := r.worlds[id]
	if w != nil {
		delete(r.worlds, id)
		r.counted()
	}
	r.mu.Unlock()
	if w == nil {
		return fmt.Errorf("%w %q", ErrUnknown, id)
	}
	r.retire(w)
	return nil
}

func (r *Registry) retire(w *World) {
	w.closing.Store(true)
	if w.refs.Load() == 0 {
		w.shut()
	}
}

// List returns every world, the default first, then by creation.
func (r *Registry) List() []*World {
	r.mu.RLock()
	out := make([]*World, 0, len(r.worlds))
	for _, w := range r.worlds {
		if w != nil {
			out = append(out, w)
		}
	}
	r.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if (out[i].ID == Default) != (out[j].ID == Default) {
			return out[i].ID == Default
		}
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Expire deletes the worlds nobody called for longer than the TTL, and says
// which.
func (r *Registry) Expire() []string {
	cutoff := r.cfg.Now().Add(-r.cfg.TTL).UnixNano()
	var gone []*World
	r.mu.Lock()
	for id, w := range r.worlds {
		if w != nil && id != Default && w.refs.Load() == 0 && w.lastUsed.Load() < cutoff {
			delete(r.worlds, id)
			gone = append(gone, w)
		}
	}
	if len(gone) > 0 {
		r.counted()
	}
	r.mu.Unlock()
	ids := make([]string, len(gone))
	for i, w := range gone {
		r.retire(w)
		ids[i] = w.ID
	}
	sort.Strings(ids)
	return ids
}

// Run expires idle worlds until ctx ends, checking a few times per TTL.
func (r *Registry) Run(ctx context.Context, expired func(ids []string)) {
	every := min(max(r.cfg.TTL/4, time.Second), time.Minute)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if ids := r.Expire(); len(ids) > 0 && expired != nil {
				expired(ids)
			}
		}
	}
}

// Close closes every world's store. Worlds on files keep them for the next
// start (Reopen).
func (r *Registry) Close() {
	r.mu.Lock()
	all := r.worlds
	r.worlds = map[string]*World{}
	r.counted()
	r.mu.Unlock()
	for _, w := range all {
		if w != nil {
			w.keepFile.Store(true)
			w.closing.Store(true)
			w.shut()
		}
	}
}

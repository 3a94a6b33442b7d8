package world_test

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/clock"
	"github.com/emulator/vendor-emulator/internal/store"
	"github.com/emulator/vendor-emulator/internal/world"
)

// schema is a test vendor named like a real one (so that inline fixtures
// lay over its file): one counter seeded from loopmessage.json's "n".
func schema() store.Schema {
	return store.Schema{
		Vendor: "loopmessage", TablePrefix: "t_",
		Migrations: fstest.MapFS{"1_init.sql": {Data: []byte(`CREATE TABLE t_counter (n INTEGER NOT NULL)`)}},
		Seed: func(ctx context.Context, tx *store.Tx, fixtures fs.FS) error {
			var doc struct {
				N int `json:"n"`
			}
			if err := store.ReadFixture(fixtures, "loopmessage.json", &doc); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO t_counter (n) VALUES (?)`, doc.N)
			return err
		},
	}
}

var seed = fstest.MapFS{"loopmessage.json": {Data: []byte(`{"n": 1}`)}}

// realTime is a settable stand-in for the real clock that ages worlds.
type realTime struct{ now atomic.Int64 }

func (r *realTime) Now() time.Time          { return time.Unix(0, r.now.Load()) }
func (r *realTime) Advance(d time.Duration) { r.now.Add(int64(d)) }

type env struct {
	reg  *world.Registry
	real *realTime
	mu   sync.Mutex
	n    []int // what Config.Counted heard
}

func (e *env) counted() []int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]int(nil), e.n...)
}

func newEnv(t *testing.T, dir string, max int) *env {
	t.Helper()
	ctx := context.Background()
	tmpl, err := store.Open(ctx, store.Memory, seed, schema())
	require.NoError(t, err)
	t.Cleanup(func() { tmpl.Close() })
	def, err := tmpl.Clone(ctx)
	require.NoError(t, err)
	rt := &realTime{}
	rt.now.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	e := &env{real: rt}
	e.reg = world.New(world.Config{
		Template: tmpl, Dir: dir, TTL: time.Hour, Max: max, Now: rt.Now,
		Counted: func(n int) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.n = append(e.n, n)
		},
		Open: func(ctx context.Context, path string) (*store.DB, error) {
			return store.Open(ctx, path, seed, schema())
		},
		Build: func(id string, db *store.DB, clk *clock.Clock) (http.Handler, func()) {
			return http.NotFoundHandler(), nil
		},
	}, def, clock.New(nil))
	t.Cleanup(e.reg.Close)
	return e
}

func counter(t *testing.T, w *world.World) int {
	t.Helper()
	var n int
	require.NoError(t, w.DB.QueryRow(context.Background(), `SELECT n FROM t_counter`).Scan(&n))
	return n
}

func set(t *testing.T, w *world.World, n int) {
	t.Helper()
	_, err := w.DB.Write().Exec(`UPDATE t_counter SET n = ?`, n)
	require.NoError(t, err)
}

func get(t *testing.T, reg *world.Registry, id string) *world.World {
	t.Helper()
	w := reg.Acquire(id)
	require.NotNil(t, w, "world %s", id)
	reg.Release(w)
	return w
}

func TestWorldsAreIsolated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, "", 10)
	a, err := e.reg.Create(ctx, world.Spec{ID: "a"})
	require.NoError(t, err)
	b, err := e.reg.Create(ctx, world.Spec{})
	require.NoError(t, err)
	assert.Len(t, b.ID, 36, "an id is made when none is asked for")

	set(t, a, 7)
	a.Clock.Advance(time.Hour)
	assert.Equal(t, 1, counter(t, b), "a write in one world is not in another")
	assert.Equal(t, 1, counter(t, get(t, e.reg, world.Default)))
	assert.WithinDuration(t, time.Now(), b.Clock.Now(), time.Minute, "nor is a clock move")

	require.NoError(t, a.DB.Reset(ctx, ""))
	set(t, b, 9)
	require.NoError(t, a.DB.Reset(ctx, ""))
	assert.Equal(t, 9, counter(t, b), "a reset of one world leaves the others")

	c, err := e.reg.Create(ctx, world.Spec{ID: "c", From: b.ID})
	require.NoError(t, err)
	assert.Equal(t, 9, counter(t, c), "from copies the current state")
	set(t, c, 10)
	assert.Equal(t, 9, counter(t, b), "and the copy is independent")
}

func TestCreateRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, "", 2)
	_, err := e.reg.Create(ctx, world.Spec{ID: "x"})
	require.NoError(t, err)

	for _, tc := range []struct {
		spec world.Spec
		want error
	}{
		{world.Spec{ID: "x"}, world.ErrTaken},
		{world.Spec{ID: world.Default}, world.ErrTaken},
		{world.Spec{ID: "has space"}, world.ErrBadID},
		{world.Spec{ID: "a/b"}, world.ErrBadID},
		{world.Spec{ID: string(make([]byte, 65))}, world.ErrBadID},
		{world.Spec{ID: "y", From: "nope"}, world.ErrUnknown},
		{world.Spec{ID: "y", Fixtures: map[string][]byte{"nope": []byte(`{}`)}}, world.ErrBadVendor},
	} {
		_, err := e.reg.Create(ctx, tc.spec)
		assert.ErrorIs(t, err, tc.want, "%+v", tc.spec)
	}
	_, err = e.reg.Create(ctx, world.Spec{ID: "y", Fixtures: map[string][]byte{"loopmessage": []byte(`{"n": "one"}`)}})
	var fe *store.FixtureError
	assert.ErrorAs(t, err, &fe, "a fixture at fault says where")
	assert.Len(t, e.reg.List(), 2, "a refused world leaves nothing behind")

	_, err = e.reg.Create(ctx, world.Spec{ID: "a-Z_09"})
	require.NoError(t, err)
	_, err = e.reg.Create(ctx, world.Spec{ID: "z"})
	assert.ErrorIs(t, err, world.ErrFull, "two worlds besides the default is the cap")
	require.NoError(t, e.reg.Delete("x"))
	_, err = e.reg.Create(ctx, world.Spec{ID: "z"})
	assert.NoError(t, err, "a deleted world frees its place")
}

func TestInlineFixtures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, "", 10)
	w, err := e.reg.Create(ctx, world.Spec{ID: "own", Fixtures: map[string][]byte{"loopmessage": []byte(`{"n": 42}`)}})
	require.NoError(t, err)
	assert.Equal(t, 42, counter(t, w))
	set(t, w, 1)
	require.NoError(t, w.DB.Reset(ctx, ""))
	assert.Equal(t, 42, counter(t, w), "a reset restores the world's own fixtures")
	cp, err := e.reg.Create(ctx, world.Spec{From: "own"})
	require.NoError(t, err)
	require.NoError(t, cp.DB.Reset(ctx, ""))
	assert.Equal(t, 42, counter(t, cp), "and so does a copy's")
}

func TestDeleteAndExpire(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, "", 10)
	assert.ErrorIs(t, e.reg.Delete(world.Default), world.ErrDefault)
	assert.ErrorIs(t, e.reg.Delete("nope"), world.ErrUnknown)

	_, err := e.reg.Create(ctx, world.Spec{ID: "busy"})
	require.NoError(t, err)
	busy := e.reg.Acquire("busy")
	require.NoError(t, e.reg.Delete("busy"))
	assert.Nil(t, e.reg.Acquire("busy"), "a deleted world takes no new request")
	assert.Equal(t, 1, counter(t, busy), "the request it is serving goes on")
	e.reg.Release(busy)
	assert.Error(t, busy.DB.Ping(ctx), "and its store closes when that request ends")

	for _, id := range []string{"idle", "used"} {
		_, err := e.reg.Create(ctx, world.Spec{ID: id})
		require.NoError(t, err)
	}
	e.real.Advance(59 * time.Minute)
	get(t, e.reg, "used")
	assert.Empty(t, e.reg.Expire())
	e.real.Advance(2 * time.Minute)
	assert.Equal(t, []string{"idle"}, e.reg.Expire(), "a world nobody called for the TTL goes")
	e.real.Advance(time.Hour)
	assert.Equal(t, []string{"used"}, e.reg.Expire())
	ids := []string{}
	for _, w := range e.reg.List() {
		ids = append(ids, w.ID)
	}
	assert.Equal(t, []string{world.Default}, ids, "the default world never expires")
	assert.Equal(t, []int{1, 0, 1, 2, 1, 0}, e.counted(), "Config.Counted hears each world made, deleted and expired")
}

func TestFileWorlds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "emulator.db.worlds")
	e := newEnv(t, dir, 10)
	w, err := e.reg.Create(ctx, world.Spec{ID: "kept"})
	require.NoError(t, err)
	set(t, w, 5)
	_, err = e.reg.Create(ctx, world.Spec{ID: "gone"})
	require.NoError(t, err)
	assert.FileExists(t, filepath.Join(dir, "kept.db"), "a world's file is beside the default one's")
	require.NoError(t, e.reg.Delete("gone"))
	assert.NoFileExists(t, filepath.Join(dir, "gone.db"), "deleting a world deletes its file")
	e.reg.Close()

	again := newEnv(t, dir, 10)
	require.NoError(t, again.reg.Reopen(ctx))
	assert.Equal(t, 5, counter(t, get(t, again.reg, "kept")), "a file keeps its worlds across restarts")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, f := range entries {
		assert.NotContains(t, f.Name(), "gone")
	}
}

func TestConcurrentCreateAndDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, "", 1000)
	var wg sync.WaitGroup
	var created atomic.Int64
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 8 {
				id := fmt.Sprintf("w%d-%d", i, j%3)
				if _, err := e.reg.Create(ctx, world.Spec{ID: id}); err == nil {
					created.Add(1)
					if got := e.reg.Acquire(id); got != nil {
						assert.Equal(t, 1, counter(t, got))
						e.reg.Release(got)
					}
				}
				_ = e.reg.Delete(id)
				e.reg.List()
			}
		}()
	}
	wg.Wait()
	assert.Positive(t, created.Load())
	assert.Len(t, e.reg.List(), 1, "every world made was deleted")
}

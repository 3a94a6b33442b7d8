package jsonapi

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// In a read transaction, View answers the remembered record with its
// attributes as stored, read by the accessors; Load answers a decoded copy
// of its own each time (hooks read Attrs and set attributes on it); Preload
// reads several at once for both; a record that does not exist is nil.
func TestRememberedRecords(t *testing.T) {
	t.Parallel()
	db := openEngineStore(t)
	ctx := context.Background()
	e := NewEngine(server.Deps{DB: db}, nil, map[string][]Attr{"widgets": {{Name: "name", Kind: "string"}}}, nil)
	for _, id := range []string{"w1", "w2"} {
		w := &Record{Type: "widgets", ID: id, OrgID: "o1", CreatedAt: "2026-01-01T00:00:00.000000+00:00"}
		w.Set("name", "gear "+id)
		w.Set("tags", []string{"a", "b"})
		require.NoError(t, db.Tx(ctx, func(tx *store.Tx) error { return e.Insert(ctx, tx, w) }))
	}
	var (
		viewed, viewedAgain, loaded, loadedAgain, preloaded, absent, loadedAbsent *Record
		viewedTags                                                                []string
	)
	require.NoError(t, db.ReadTx(ctx, func(tx *store.Tx) error {
		c := &Call{Ctx: ctx, Tx: tx, Engine: e, Caller: &Caller{Orgs: []string{"o1"}}, loaded: map[loadKey]*Record{}}
		var err error
		if viewed, err = c.View("widgets", "w1"); err != nil {
			return err
		}
		viewedTags = viewed.Strs("tags")
		if loaded, err = c.Load("widgets", "w1"); err != nil {
			return err
		}
		loaded.Set("name", "changed")
		if loadedAgain, err = c.Load("widgets", "w1"); err != nil {
			return err
		}
		if viewedAgain, err = c.View("widgets", "w1"); err != nil {
			return err
		}
		if err = c.Preload("widgets", []string{"w2", "w3"}); err != nil {
			return err
		}
		if preloaded, err = c.View("widgets", "w2"); err != nil {
			return err
		}
		if absent, err = c.View("widgets", "w3"); err != nil {
			return err
		}
		loadedAbsent, err = c.Load("widgets", "w3")
		return err
	}))
	require.NotNil(t, viewed)
	assert.True(t, viewed.undecoded, "viewed as stored")
	assert.Nil(t, viewed.Attrs)
	assert.Equal(t, "gear w1", viewed.Str("name"))
	assert.Equal(t, []string{"a", "b"}, viewedTags)
	assert.Same(t, viewed, viewedAgain, "remembered")
	assert.Equal(t, "gear w1", viewedAgain.Str("name"), "a Load's change is its copy's")

	require.NotNil(t, loaded)
	assert.False(t, loaded.undecoded, "loaded decoded")
	assert.JSONEq(t, `"changed"`, string(loaded.Attrs["name"]))
	assert.JSONEq(t, `"gear w1"`, string(loadedAgain.Attrs["name"]), "each Load its own copy")
	assert.JSONEq(t, `["a","b"]`, string(loadedAgain.Attrs["tags"]))

	require.NotNil(t, preloaded)
	assert.True(t, preloaded.undecoded)
	assert.Equal(t, "gear w2", preloaded.Str("name"))
	assert.Nil(t, absent)
	assert.Nil(t, loadedAbsent)
}

// In a write transaction nothing is remembered, since the write may change
// what it read: View reads the record as stored every time (a hook that only
// reads it finds its members with the accessors), and Load a decoded record
// of its own, which the hook may change and save.
func TestWriteReadsRecordsAgain(t *testing.T) {
	t.Parallel()
	db := openEngineStore(t)
	ctx := context.Background()
	e := NewEngine(server.Deps{DB: db}, nil, map[string][]Attr{"widgets": {{Name: "name", Kind: "string"}}}, nil)
	w := &Record{Type: "widgets", ID: "w1", OrgID: "o1", CreatedAt: "2026-01-01T00:00:00.000000+00:00"}
	w.Set("name", "gear")
	require.NoError(t, db.Tx(ctx, func(tx *store.Tx) error { return e.Insert(ctx, tx, w) }))
	var viewed, loaded, viewedAfter, absent *Record
	require.NoError(t, db.Tx(ctx, func(tx *store.Tx) error {
		c := &Call{Ctx: ctx, Tx: tx, Engine: e, Caller: &Caller{Orgs: []string{"o1"}}}
		var err error
		if viewed, err = c.View("widgets", "w1"); err != nil {
			return err
		}
		if loaded, err = c.Load("widgets", "w1"); err != nil {
			return err
		}
		loaded.Set("name", "cog")
		if err = c.Save(loaded); err != nil {
			return err
		}
		if viewedAfter, err = c.View("widgets", "w1"); err != nil {
			return err
		}
		absent, err = c.View("widgets", "w2")
		return err
	}))
	require.NotNil(t, viewed)
	assert.True(t, viewed.undecoded, "viewed as stored")
	assert.Equal(t, "gear", viewed.Str("name"))
	require.NotNil(t, loaded)
	assert.False(t, loaded.undecoded, "loaded decoded")
	require.NotNil(t, viewedAfter)
	assert.NotSame(t, viewed, viewedAfter, "read again")
	assert.Equal(t, "cog", viewedAfter.Str("name"), "what the write saved")
	assert.Nil(t, absent)
}

// Package app assembles the emulator: every vendor, in every world, behind
// one root handler. cmd/emulator serves it; the emulatortest package starts
// it inside a test binary.
package app

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/emulator/vendor-emulator/fixtures"
	"github.com/emulator/vendor-emulator/internal/clock"
	"github.com/emulator/vendor-emulator/internal/control"
	"github.com/emulator/vendor-emulator/internal/ids"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
	"github.com/emulator/vendor-emulator/internal/webhook"
	"github.com/emulator/vendor-emulator/internal/world"
)

// Options are what the emulator is started with (see internal/config).
type Options struct {
	DB           string // store.Memory or the default world's file
	Fixtures     fs.FS  // the embedded fixtures when nil
	Log          *slog.Logger
	Version      string
	ControlToken string
	Docs         fs.FS
	WorldTTL     time.Duration
	MaxWorlds    int
	// WriteTimeout is the server's, which bounds a "timeout" fault.
	WriteTimeout time.Duration
	// WebhooksOff records webhook attempts as skipped instead of sending them.
	WebhooksOff bool
	// WorldsCounted, when set, hears how many worlds exist besides the
	// default one each time that changes (world.Config.Counted).
	WorldsCounted func(worlds int)
}

// App is a running emulator without its listener.
type App struct {
	Handler  http.Handler
	Worlds   *world.Registry
	template *store.DB
	log      *slog.Logger
}

// New opens the stores (the template every world is copied from, and the
// default world's) and builds the root handler.
func New(ctx context.Context, o Options) (*App, error) {
	if o.Fixtures == nil {
		o.Fixtures = fixtures.FS
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	entries := vendors()
	schemas := make([]store.Schema, len(entries), len(entries)+1)
	for i, e := range entries {
		schemas[i] = e.schema
	}
	schemas = append(schemas, webhook.Schema())
	template, err := store.Open(ctx, store.Memory, o.Fixtures, schemas...)
	if err != nil {
		return nil, err
	}
	var def *store.DB
	dir := ""
	if o.DB == store.Memory {
		def, err = template.Clone(ctx)
	} else {
		// On a file, the default world keeps its state across restarts, and
		// the other worlds keep theirs in a directory beside it.
		def, err = store.Open(ctx, o.DB, o.Fixtures, schemas...)
		dir = o.DB + ".worlds"
	}
	if err != nil {
		template.Close()
		return nil, err
	}

	// The default world's vendors also answer for worlds that do not exist
	// (only their prefixes and error adapters are used).
	var defaults []server.Vendor
	client := webhook.NewClient() // one for every world: one pool of connections
	build := func(id string, db *store.DB, clk *clock.Clock) (http.Handler, func()) {
		log := o.Log
		if id != world.Default {
			log = log.With("world", id)
		}
		hooks := webhook.New(webhook.Config{DB: db, Clock: clk, Log: log, Client: client, Off: o.WebhooksOff})
		deps := server.Deps{DB: db, Clock: clk, Log: log, IDs: ids.Random{}, Webhooks: hooks}
		vs := make([]server.Vendor, len(entries))
		for i, e := range entries {
			vs[i] = e.build(deps)
		}
		if id == world.Default {
			defaults = vs
		}
		h := server.New(server.Config{DB: db, Clock: clk, Log: o.Log, Version: o.Version, Vendors: vs,
			ControlToken: o.ControlToken, Docs: o.Docs, World: id, WriteTimeout: o.WriteTimeout, Webhooks: hooks})
		hooks.Start()
		return h, hooks.Close
	}
	reg := world.New(world.Config{
		Template: template, Dir: dir,
		Open: func(ctx context.Context, path string) (*store.DB, error) {
			return store.Open(ctx, path, o.Fixtures, schemas...)
		},
		Build: build, TTL: o.WorldTTL, Max: o.MaxWorlds, Counted: o.WorldsCounted,
	}, def, clock.New(nil))
	if err := reg.Reopen(ctx); err != nil {
		reg.Close()
		template.Close()
		return nil, err
	}

	prefixes := map[string]string{}
	for _, v := range defaults {
		prefixes[v.Name()] = v.Prefix()
	}
	api := &control.Worlds{Registry: reg, Log: o.Log, Token: o.ControlToken, Prefixes: prefixes}
	h := server.Root(server.RootConfig{Worlds: reg, Vendors: defaults, WorldsAPI: api.Routes(), Log: o.Log})
	return &App{Handler: h, Worlds: reg, template: template, log: o.Log}, nil
}

// Run expires idle worlds until ctx ends.
func (a *App) Run(ctx context.Context) {
	a.Worlds.Run(ctx, func(ids []string) {
		a.log.Info("worlds expired", "worlds", ids)
	})
}

// Close closes every store.
func (a *App) Close() {
	a.Worlds.Close()
	a.template.Close()
}

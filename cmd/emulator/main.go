// Command emulator serves the emulated vendor APIs on one port.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	_ "time/tzdata" // time zones work in a bare container image

	"github.com/emulator/vendor-emulator/docs"
	"github.com/emulator/vendor-emulator/fixtures"
	"github.com/emulator/vendor-emulator/internal/app"
	"github.com/emulator/vendor-emulator/internal/config"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	noMemoryProfile(os.Getenv) // here, not in run: tests run emulators side by side, and the rate is one for the process
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, nil, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, config.ErrHelp) || errors.Is(err, config.ErrVersion) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "emulator:", err)
		os.Exit(1)
	}
}

// run starts the emulator and serves until ctx ends. When ready is not nil it
// receives the bound address once the server accepts connections.
func run(ctx context.Context, args []string, getenv func(string) string, ready chan<- string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "healthcheck" {
		return healthcheck(ctx, args[1:], getenv, stdout)
	}
	// What was asked for (-h, -version) goes to stdout; errors go to stderr.
	cfg, err := config.Load(args, getenv, stdout)
	if errors.Is(err, config.ErrVersion) {
		fmt.Fprintln(stdout, "emulator", version)
	}
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	worldsCounted := tuneGC(getenv)
	noHugePages()

	var fixtureFS fs.FS = fixtures.FS
	if cfg.Fixtures != "" {
		if st, err := os.Stat(cfg.Fixtures); err != nil || !st.IsDir() {
			return fmt.Errorf("fixtures directory %q cannot be read", cfg.Fixtures)
		}
		// The directory's vendors replace the embedded ones; the others stay.
		if fixtureFS, err = fixtures.Overlay(os.DirFS(cfg.Fixtures)); err != nil {
			return err
		}
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", cfg.Addr, err)
	}
	defer ln.Close()

	emu, err := app.New(ctx, app.Options{DB: cfg.DB, Fixtures: fixtureFS, Log: log, Version: version,
		ControlToken: cfg.ControlToken, Docs: docs.FS, WorldTTL: cfg.WorldTTL, MaxWorlds: cfg.MaxWorlds,
		WriteTimeout: cfg.WriteTimeout, WebhooksOff: !cfg.Webhooks, WorldsCounted: worldsCounted})
	if err != nil {
		return err
	}
	defer emu.Close()
	// Building the default world (migrations, fixtures) leaves garbage that
	// GOGC=400 would keep until the first collection under load: an idle
	// emulator gives it back now.
	debug.FreeOSMemory()
	expireCtx, stopExpiring := context.WithCancel(context.Background())
	defer stopExpiring()
	go emu.Run(expireCtx)

	busy := &inflight{idle: make(chan struct{}, 1)}
	idleTicks := time.NewTicker(idleCheck)
	defer idleTicks.Stop()
	go (&memoryRelease{busy: busy, release: debug.FreeOSMemory}).run(expireCtx, idleTicks.C)
	srv := &http.Server{
		Handler:           busy.track(emu.Handler),
		ReadHeaderTimeout: min(10*time.Second, cfg.ReadTimeout),
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("emulator listening", "addr", ln.Addr().String(), "db", cfg.DB, "version", version)
	if ready != nil {
		ready <- ln.Addr().String()
	}

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", cfg.ShutdownTimeout)
	shutCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		// A request still running now (a client that stalls its body, say)
		// loses its connection; that is the grace period working, not a
		// failed shutdown, so the exit stays clean.
		log.Warn("closing connections still open after the grace period", "err", err)
		_ = srv.Close()
		if !busy.wait(closeWait) {
			log.Warn("requests still running when the store closes")
		}
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// closeWait is how long a handler whose connection was closed may take to
// return before the store closes under it (it fails at its next read or write).
const closeWait = 5 * time.Second

// inflight counts the requests being served, so that after the server closes
// the connections still open, the store closes only once their handlers end
// (and memoryRelease knows when the emulator is idle).
type inflight struct {
	started atomic.Uint64 // every request begun
	ended   atomic.Uint64 // every request ended: started - ended are running
	closing atomic.Bool
	idle    chan struct{} // signalled when the last running request ends while closing
}

func (f *inflight) track(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.started.Add(1)
		defer func() {
			if f.ended.Add(1) == f.started.Load() && f.closing.Load() {
				select {
				case f.idle <- struct{}{}:
				default:
				}
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// running reports whether a request is being served. ended is read first:
// started never falls below it, so equal counts mean none ran at that moment.
func (f *inflight) running() bool {
	ended := f.ended.Load()
	return f.started.Load() != ended
}

// wait reports whether every request ended within d.
func (f *inflight) wait(d time.Duration) bool {
	f.closing.Store(true)
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for f.running() {
		select {
		case <-f.idle:
		case <-deadline.C:
			return false
		}
	}
	return true
}

// tuneGC trades a few megabytes for CPU: a request allocates a little and
// keeps nothing, so collecting when the heap has grown 4x instead of 2x
// saves about a tenth of the CPU under load (measured with the load test),
// and a soft limit of 40 MiB on the heap keeps the process near 60 MiB when
// clients send thousands of large bodies (measured: 94 MiB with 80 MiB).
// GOGC and GOMEMLIMIT, when set, win.
//
// The limit grows with the worlds (heapLimit): each keeps a heap of its own
// (its handlers, its journal), and a heap held at a limit it has outgrown is
// collected without pause, which took half the CPU and served the default
// world at a third of its speed with 300 idle worlds (measured with wrk).
// What tuneGC returns keeps the limit in step with the number of worlds;
// nil when GOMEMLIMIT is set.
func tuneGC(getenv func(string) string) func(worlds int) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if getenv("GOMEMLIMIT") != "" {
		return nil
	}
	debug.SetMemoryLimit(heapLimit(0))
	return func(worlds int) { debug.SetMemoryLimit(heapLimit(worlds)) }
}

// noMemoryProfile stops the runtime's sampling of allocations for a memory
// profile, which the emulator never serves: the samples' call stacks are
// kept for the life of the process. Measured right after start (6 pairs in
// turns): 27.7-28.0 → 27.3-27.6 MiB resident. GODEBUG=memprofilerate=N
// still sets it.
func noMemoryProfile(getenv func(string) string) {
	if !strings.Contains(getenv("GODEBUG"), "memprofilerate=") {
		runtime.MemProfileRate = 0
	}
}

// heapLimit is the soft heap limit with this many worlds besides the default
// one: 40 MiB, and 1 MiB more a world, about six times the heap a world
// keeps once it has served a thousand requests (measured: 0.16 MB), as
// GOGC=400 would allow.
func heapLimit(worlds int) int64 { return 40<<20 + int64(worlds)<<20 }

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// healthcheck is `emulator healthcheck [flags]`: it asks a running emulator at
// the configured address for /_emulator/health, for images that have no curl.
func healthcheck(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, err := config.Load(args, getenv, stdout)
	if err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return fmt.Errorf("healthcheck: bad address %q: %w", cfg.Addr, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/_emulator/health", nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: status %d", res.StatusCode)
	}
	return nil
}

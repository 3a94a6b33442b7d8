package app_test

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/emulator/vendor-emulator/internal/app"
	"github.com/emulator/vendor-emulator/internal/store"
	"github.com/emulator/vendor-emulator/internal/world"
)

// BenchmarkCreateWorld is what a new world costs: its time per op, and the
// memory it holds while fresh (the process's resident memory, SQLite's
// pages included, per world; Linux only).
func BenchmarkCreateWorld(b *testing.B) {
	ctx := context.Background()
	a, err := app.New(ctx, app.Options{DB: store.Memory, MaxWorlds: b.N + 1})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	runtime.GC()
	before := rss()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := a.Worlds.Create(ctx, world.Spec{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.GC()
	if before > 0 {
		b.ReportMetric(float64(rss()-before)/float64(b.N), "RSS-bytes/world")
	}
}

// rss is the process's resident memory in bytes, 0 where /proc is not.
func rss() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkCreateAndDeleteWorld is a test suite's steady state: each test
// creates a world and deletes it at its end.
func BenchmarkCreateAndDeleteWorld(b *testing.B) {
	ctx := context.Background()
	a, err := app.New(ctx, app.Options{DB: store.Memory, MaxWorlds: 10})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		w, err := a.Worlds.Create(ctx, world.Spec{})
		if err != nil {
			b.Fatal(err)
		}
		if err := a.Worlds.Delete(w.ID); err != nil {
			b.Fatal(err)
		}
	}
}

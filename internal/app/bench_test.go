package app_test

import (
	"context"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

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
	took := make([]time.Duration, b.N)
	for i := range b.N {
		start := time.Now()
		if _, err := a.Worlds.Create(ctx, world.Spec{}); err != nil {
			b.Fatal(err)
		}
		took[i] = time.Since(start)
	}
	b.StopTimer()
	reportMedian(b, took)
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
	took := make([]time.Duration, b.N)
	for i := range b.N {
		start := time.Now()
		w, err := a.Worlds.Create(ctx, world.Spec{})
		if err != nil {
			b.Fatal(err)
		}
		took[i] = time.Since(start)
		if err := a.Worlds.Delete(w.ID); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportMedian(b, took)
}

// reportMedian adds the median and the 99th percentile of the creations:
// the target is a median, which the mean of ns/op does not show.
func reportMedian(b *testing.B, took []time.Duration) {
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
}

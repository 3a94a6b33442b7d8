// Command seed is the load test's seeder: it sends one request -n times over
// -c keep-alive connections, with "{n}" in -body (and -url) replaced by the
// request's sequence number, and stops early after -max. -body @FILE reads the
// body from FILE. With -any, answers of every status count (the memory probe's
// use). It prints its rate and a last line "seeded=N errors=E seconds=S rate=R"
// that scripts/loadtest/run.sh reads. It exits 1 when a request fails at the
// transport level or when more than -max-errors answers are not 2xx.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type headers []string

func (h *headers) String() string     { return strings.Join(*h, ", ") }
func (h *headers) Set(v string) error { *h = append(*h, v); return nil }

func main() {
	var hdrs headers
	url := flag.String("url", "", "target URL; {n} is replaced by the sequence number")
	method := flag.String("method", "POST", "HTTP method")
	body := flag.String("body", "", "request body; {n} is replaced by the sequence number")
	n := flag.Int("n", 1000, "number of requests")
	start := flag.Int("start", 1, "first sequence number")
	conc := flag.Int("c", 32, "concurrent connections")
	maxDur := flag.Duration("max", 60*time.Second, "stop issuing requests after this long")
	maxErrors := flag.Int("max-errors", 100, "give up after this many non-2xx answers")
	anyStatus := flag.Bool("any", false, "count answers of any status as done (no error counting)")
	flag.Var(&hdrs, "H", "header \"Name: value\" (repeatable)")
	flag.Parse()
	if *url == "" {
		fmt.Fprintln(os.Stderr, "seed: -url is required")
		os.Exit(2)
	}
	if name, ok := strings.CutPrefix(*body, "@"); ok {
		b, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "seed:", err)
			os.Exit(2)
		}
		*body = string(b)
	}
	templated := strings.Contains(*body, "{n}")

	client := &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        *conc,
			MaxIdleConnsPerHost: *conc,
			DisableCompression:  true,
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), *maxDur)
	defer cancel()

	var next, ok, bad, nonStatus atomic.Int64
	var transport atomic.Bool
	var firstErr atomic.Value
	began := time.Now()
	var wg sync.WaitGroup
	for range *conc {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if i >= int64(*n) {
					return
				}
				seq := strconv.FormatInt(i+int64(*start), 10)
				b := *body
				if templated {
					b = strings.ReplaceAll(b, "{n}", seq)
				}
				req, err := http.NewRequestWithContext(ctx, *method, strings.ReplaceAll(*url, "{n}", seq),
					strings.NewReader(b))
				if err != nil {
					firstErr.CompareAndSwap(nil, err.Error())
					cancel()
					return
				}
				for _, h := range hdrs {
					k, v, _ := strings.Cut(h, ":")
					req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
				}
				res, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil { // not our own deadline or give-up
						firstErr.CompareAndSwap(nil, err.Error())
						transport.Store(true)
						bad.Add(1)
						cancel()
					}
					return
				}
				rb, _ := io.ReadAll(res.Body)
				_ = res.Body.Close()
				if *anyStatus && res.StatusCode/100 != 2 {
					nonStatus.Add(1)
				}
				if *anyStatus || res.StatusCode/100 == 2 {
					ok.Add(1)
					continue
				}
				firstErr.CompareAndSwap(nil, fmt.Sprintf("%d %.300s", res.StatusCode, rb))
				if bad.Add(1) > int64(*maxErrors) {
					cancel()
				}
			}
		})
	}
	wg.Wait()
	secs := time.Since(began).Seconds()
	rate := float64(ok.Load()) / secs
	if e, _ := firstErr.Load().(string); e != "" {
		fmt.Fprintf(os.Stderr, "seed: first error: %s\n", e)
	}
	fmt.Printf("seed: %d of %d requests answered %s in %.1f s (%.0f req/s, %d connections), %d failed\n",
		ok.Load(), *n, map[bool]string{true: "(any status)", false: "2xx"}[*anyStatus], secs, rate, *conc, bad.Load())
	fmt.Printf("seeded=%d errors=%d non2xx=%d seconds=%.1f rate=%.0f\n", ok.Load(), bad.Load(), nonStatus.Load(), secs, rate)
	if transport.Load() || bad.Load() > int64(*maxErrors) {
		os.Exit(1)
	}
}

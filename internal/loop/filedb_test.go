package loop_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/loop"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// TestFileDatabaseConcurrency runs on a file database, where requests really
// run in parallel on several connections: of many simultaneous orders of one
// account exactly one passes the 30-second rule, and concurrent cancels of
// one sender succeed once.
func TestFileDatabaseConcurrency(t *testing.T) {
	t.Parallel()
	env := emutest.NewFile(t, []store.Schema{loop.Schema()}, func(d server.Deps) []server.Vendor {
		return []server.Vendor{loop.New(d)}
	})
	srv := env.Server

	do := func(method, path, body, key string) int {
		req, err := http.NewRequest(method, srv.URL+"/loopmessage/api/v1/"+path, strings.NewReader(body))
		if err != nil {
			return -1
		}
		req.Header.Set("Authorization", key)
		res, err := srv.Client().Do(req)
		if err != nil {
			return -1
		}
		res.Body.Close()
		return res.StatusCode
	}
	run := func(n int, fn func() int) map[int]int {
		var mu sync.Mutex
		got := map[int]int{}
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				s := fn()
				mu.Lock()
				got[s]++
				mu.Unlock()
			})
		}
		wg.Wait()
		return got
	}
	got := run(12, func() int { return do("POST", "sender/new/", `{"plan_id": "`+planStarter+`"}`, keyAcmeLabs) })
	assert.Equal(t, map[int]int{200: 1, 400: 11}, got)
	got = run(12, func() int { return do("DELETE", "sender/"+senderSupportActive+"/cancel/", "", keyAcmeSupport) })
	assert.Equal(t, map[int]int{200: 1, 400: 11}, got)
	// With the active sender canceled, concurrent deletes of its organization succeed once.
	got = run(8, func() int { return do("DELETE", "organizations/details/"+orgAcmeSupport+"/", "", keyAcmeDefault) })
	assert.Equal(t, map[int]int{200: 1, 400: 7}, got)
}

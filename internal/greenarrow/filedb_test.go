package greenarrow_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/greenarrow"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// newFileEnv is newEnv on a file database, where requests really run in
// parallel on several connections.
func newFileEnv(t *testing.T) *emutest.Env {
	t.Helper()
	return emutest.NewFile(t, []store.Schema{greenarrow.Schema()}, func(d server.Deps) []server.Vendor {
		return []server.Vendor{greenarrow.New(d)}
	})
}

// TestFileDatabaseConcurrency: on several connections, credit adjustments and
// sends that race neither lose an update nor take the credits below zero, and
// one delete code deletes once.
func TestFileDatabaseConcurrency(t *testing.T) {
	t.Parallel()
	env := newFileEnv(t)
	id := create(t, env, `{"organization":{"name":"Race","sending_quota":{"mode":"fixed_credits","limit":100}}}`)
	p := fmt.Sprintf("%s/organizations/%d/", base, id)
	var mu sync.Mutex
	var added, removed, sent int64
	var wg sync.WaitGroup
	for w := range 9 {
		wg.Go(func() {
			for range 15 {
				var res emutest.Response
				var amount int64
				switch w % 3 {
				case 0:
					res, amount = env.Do(t, "PUT", p+"add_sending_credits", `{"credits":5}`, sysAdmin), 5
				case 1:
					res, amount = env.Do(t, "PUT", p+"remove_sending_credits", `{"credits":7}`, sysAdmin), 7
				default:
					res, amount = env.Do(t, "POST", fmt.Sprintf(sendsPath, id), `{"count":6,"campaign_id":1,"campaign_name":"c"}`), 6
				}
				assert.Contains(t, []int{200, 402, 422}, res.Status, res.Body)
				if res.Status == 200 {
					mu.Lock()
					switch w % 3 {
					case 0:
						added += amount
					case 1:
						removed += amount
					default:
						sent += amount
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	lifetime, available := credits(t, env, p+"sending_credits")
	assert.Equal(t, 100+added-removed-sent, available)
	assert.Equal(t, sent, lifetime)
	assert.GreaterOrEqual(t, available, int64(0))

	code := deleteCode(t, env, int(id)).Code
	got := map[int]int{}
	for range 6 {
		wg.Go(func() {
			res := env.Do(t, "DELETE", fmt.Sprintf("%s/organizations/%d/confirmed/%s", base, id, code), "", sysAdmin)
			mu.Lock()
			got[res.Status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	assert.Equal(t, 1, got[200], "%v", got)
	assert.Equal(t, 5, got[400]+got[404], "%v", got)
}

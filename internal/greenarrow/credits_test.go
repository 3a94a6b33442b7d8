package greenarrow_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
)

const sendsPath = "/_emulator/greenarrow/organizations/%d/sends"

func credits(t *testing.T, env *emutest.Env, path string) (lifetime, available int64) {
	t.Helper()
	e := requireOK(t, env.Do(t, "GET", path, "", sysAdmin))
	c := field[map[string]int64](t, e.Data, "sending_credits")
	return c["lifetime_messages_sent"], c["current_credits_available"]
}

// TestDocsSendingCreditsExample reproduces the docs' example (2 sent, 8 left,
// then 500 added) on a new organization switched to fixed_credits: the
// example's organization 1 is not the one of the report example, whose
// 62,891 messages our organization 1 has sent.
func TestDocsSendingCreditsExample(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id := create(t, env, `{"organization":{"name":"Example"}}`)
	p := fmt.Sprintf("%s/organizations/%d", base, id)
	requireOK(t, env.Do(t, "PUT", p, `{"sending_quota":{"mode":"fixed_credits","limit":10}}`, sysAdmin))
	res := env.Do(t, "POST", fmt.Sprintf(sendsPath, id), `{"count":2,"campaign_id":1,"campaign_name":"c"}`)
	require.Equal(t, 200, res.Status, res.Body)
	res = env.Do(t, "PUT", p+"/add_sending_credits", doc(t, "credits_request.json"), sysAdmin)
	require.Equal(t, 200, res.Status, res.Body)
	assert.JSONEq(t, doc(t, "credits_response.json"), res.Body)
	assert.Equal(t, compact(t, doc(t, "credits_response.json")), res.Body)
}

func TestSendingCredits(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id := create(t, env, `{"organization":{"name":"Credits","sending_quota":{"mode":"fixed_credits","limit":100}}}`)
	for _, prefix := range []string{"/greenarrow/ga/api/v2", "/greenarrow/api/v2"} {
		p := fmt.Sprintf("%s/organizations/%d/", prefix, id)
		requireOK(t, env.Do(t, "PUT", p+"set_sending_credits", `{"credits":100}`, sysAdmin))
		lifetime, available := credits(t, env, p+"sending_credits")
		assert.Equal(t, []int64{0, 100}, []int64{lifetime, available}, "starts with its limit")
		requireOK(t, env.Do(t, "PUT", p+"add_sending_credits", `{"credits":5}`, sysAdmin))
		requireOK(t, env.Do(t, "PUT", p+"remove_sending_credits", `{"credits":105}`, sysAdmin))
		_, available = credits(t, env, p+"sending_credits")
		assert.Zero(t, available)
		requireOK(t, env.Do(t, "PUT", p+"add_sending_credits", `{"credits":0}`, sysAdmin))
	}
	p := fmt.Sprintf("%s/organizations/%d/", base, id)
	requireOK(t, env.Do(t, "PUT", p+"set_sending_credits", `{"credits":7}`, sysAdmin))
	before := snapshot(t, env)
	for _, tc := range []struct {
		name, path, body string
		status           int
		code             string
	}{
		{"remove more than available", "remove_sending_credits", `{"credits":8}`, 422, "validation_failed"},
		{"negative", "add_sending_credits", `{"credits":-1}`, 422, "validation_failed"},
		{"negative set", "set_sending_credits", `{"credits":-7}`, 422, "validation_failed"},
		{"missing", "add_sending_credits", `{}`, 422, "validation_failed"},
		{"null", "add_sending_credits", `{"credits":null}`, 422, "validation_failed"},
		{"fraction", "add_sending_credits", `{"credits":1.5}`, 422, "validation_failed"},
		{"string", "add_sending_credits", `{"credits":"5"}`, 422, "validation_failed"},
		{"huge", "add_sending_credits", `{"credits":1e99}`, 422, "validation_failed"},
		{"overflow", "add_sending_credits", `{"credits":9223372036854775807}`, 422, "validation_failed"},
		{"malformed", "add_sending_credits", `{"credits":`, 400, "invalid_request"},
		{"no body", "add_sending_credits", ``, 400, "invalid_request"},
		{"array", "add_sending_credits", `[5]`, 400, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireError(t, env.Do(t, "PUT", p+tc.path, tc.body, sysAdmin), tc.status, tc.code)
		})
	}
	assert.Equal(t, before, snapshot(t, env))

	t.Run("only fixed_credits organizations", func(t *testing.T) {
		requireError(t, env.Do(t, "GET", base+"/organizations/3/sending_credits", "", sysAdmin), 400, "invalid_request")
		requireError(t, env.Do(t, "PUT", base+"/organizations/3/add_sending_credits", `{"credits":1}`, sysAdmin), 400, "invalid_request")
		requireError(t, env.Do(t, "PUT", "/greenarrow/api/v2/organizations/3/set_sending_credits", `{"credits":1}`, sysAdmin), 400, "invalid_request")
		requireError(t, env.Do(t, "GET", base+"/organizations/99/sending_credits", "", sysAdmin), 404, "not_found")
		requireError(t, env.Do(t, "PUT", base+"/organizations/99/remove_sending_credits", `{"credits":1}`, sysAdmin), 404, "not_found")
	})
	t.Run("only system administrators", func(t *testing.T) {
		requireOK(t, env.Do(t, "PUT", base+"/organizations/2", `{"sending_quota":{"mode":"fixed_credits","limit":3}}`, sysAdmin))
		requireError(t, env.Do(t, "GET", base+"/organizations/2/sending_credits", "", orgAdmin), 403, "invalid_request")
		requireError(t, env.Do(t, "PUT", base+"/organizations/2/add_sending_credits", `{"credits":1}`, orgAdmin), 403, "invalid_request")
		requireError(t, env.Do(t, "PUT", "/greenarrow/api/v2/organizations/2/set_sending_credits", `{"credits":1000}`, orgAdmin), 403, "invalid_request")
		_, available := credits(t, env, base+"/organizations/2/sending_credits")
		assert.Equal(t, int64(3), available)
	})
	t.Run("switching back and forth restarts the credits", func(t *testing.T) {
		requireOK(t, env.Do(t, "PUT", p[:len(p)-1], `{"sending_quota":{"limit":50}}`, sysAdmin))
		_, available := credits(t, env, p+"sending_credits")
		assert.Equal(t, int64(7), available, "a new limit alone does not reset the credits")
		requireOK(t, env.Do(t, "PUT", p[:len(p)-1], `{"sending_quota":{"mode":"no_limit"}}`, sysAdmin))
		requireOK(t, env.Do(t, "PUT", p[:len(p)-1], `{"sending_quota":{"mode":"fixed_credits","limit":40}}`, sysAdmin))
		_, available = credits(t, env, p+"sending_credits")
		assert.Equal(t, int64(40), available)
	})
}

// TestSendingCreditsConcurrently: adjustments that race never lose an update
// and never take the credits below zero.
func TestSendingCreditsConcurrently(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id := create(t, env, `{"organization":{"name":"Race","sending_quota":{"mode":"fixed_credits","limit":0}}}`)
	p := fmt.Sprintf("%s/organizations/%d/", base, id)
	const workers, each = 8, 25
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				res := env.Do(t, "PUT", p+"add_sending_credits", `{"credits":3}`, sysAdmin)
				assert.Equal(t, 200, res.Status, res.Body)
			}
		}()
	}
	wg.Wait()
	_, available := credits(t, env, p+"sending_credits")
	require.Equal(t, int64(workers*each*3), available, "no add was lost")

	// Removals race sends: together they ask for more than there is.
	var mu sync.Mutex
	removed, sent := 0, 0
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				var ok bool
				if w%2 == 0 {
					res := env.Do(t, "PUT", p+"remove_sending_credits", `{"credits":4}`, sysAdmin)
					ok = res.Status == 200
					assert.Contains(t, []int{200, 422}, res.Status, res.Body)
				} else {
					res := env.Do(t, "POST", fmt.Sprintf(sendsPath, id), `{"count":4,"campaign_id":1,"campaign_name":"c"}`)
					ok = res.Status == 200
					assert.Contains(t, []int{200, 402}, res.Status, res.Body)
				}
				if ok {
					mu.Lock()
					if w%2 == 0 {
						removed += 4
					} else {
						sent += 4
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	lifetime, available := credits(t, env, p+"sending_credits")
	assert.Equal(t, int64(workers*each*3-removed-sent), available)
	assert.Equal(t, int64(sent), lifetime)
	assert.GreaterOrEqual(t, available, int64(0))
	assert.Less(t, available, int64(4), "requests were refused only when fewer than 4 credits were left")
}

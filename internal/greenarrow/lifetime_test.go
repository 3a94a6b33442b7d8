package greenarrow_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sendingQuotas are the five modes, each with a limit high enough for the
// sends below.
var sendingQuotas = []struct{ mode, quota string }{
	{"no_limit", `{"mode":"no_limit"}`},
	{"hidden_limit", `{"mode":"hidden_limit","limit":1000}`},
	{"visible_limit", `{"mode":"visible_limit","limit":1000,"overage":10}`},
	{"advisory_message", `{"mode":"advisory_message","limit":1000}`},
	{"fixed_credits", `{"mode":"fixed_credits","limit":1000}`},
}

// TestLifetimeMessagesSent: lifetime_messages_sent is every message the
// organization sent, as its reports count them: the fixture history, and
// simulated sends in every mode. It starts at 0 for a new organization, and
// neither a switch between any two modes nor a credit adjustment changes it.
func TestLifetimeMessagesSent(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	fresh := create(t, env, `{"organization":{"name":"Fresh","sending_quota":{"mode":"fixed_credits","limit":5}}}`)
	lifetime, available := credits(t, env, fmt.Sprintf("%s/organizations/%d/sending_credits", base, fresh))
	assert.Equal(t, []int64{0, 5}, []int64{lifetime, available}, "a new organization has sent nothing")
	assert.Zero(t, reportTotal(t, env, fresh))
	assert.Equal(t, int64(62_891), reportTotal(t, env, 1), "organization 1's fixture history, the docs' report example")

	for _, id := range []int64{1, fresh} {
		t.Run(fmt.Sprint("organization ", id), func(t *testing.T) {
			p := fmt.Sprintf("%s/organizations/%d", base, id)
			// Sent before the current quota period (from January 1, 2026): the fixture's 2015.
			before := reportTotal(t, env, id)
			want := before
			// step sends one message (a campaign and an autoresponder in turn)
			// in the mode just entered; every answer that shows the lifetime
			// count shows the reports' total.
			step := func(mode string) {
				t.Helper()
				body := `{"count":1,"campaign_id":5,"campaign_name":"Step"}`
				if want%2 == 0 {
					body = `{"count":1,"autoresponder_id":6,"autoresponder_name":"Step"}`
				}
				status, res := trySendBody(t, env, id, body)
				require.Equal(t, 200, status, "%s: %v", mode, res)
				want++
				assert.Equal(t, float64(want), res["lifetime_messages_sent"], mode)
				assert.Equal(t, want, reportTotal(t, env, id), mode)
				if period, ok := res["messages_sent_this_period"]; ok {
					assert.Equal(t, float64(want-before), period, "%s: every send of this period is in the lifetime count", mode)
				}
				if mode != "fixed_credits" {
					return
				}
				lifetime, _ := credits(t, env, p+"/sending_credits")
				assert.Equal(t, want, lifetime, mode)
				for _, op := range []string{"set", "add", "remove"} {
					e := requireOK(t, env.Do(t, "PUT", p+"/"+op+"_sending_credits", `{"credits":3}`, sysAdmin))
					c := field[map[string]int64](t, e.Data, "sending_credits")
					assert.Equal(t, want, c["lifetime_messages_sent"], "%s credits", op)
				}
			}
			// Every switch from one mode into another.
			for _, from := range sendingQuotas {
				for _, to := range sendingQuotas {
					if from.mode == to.mode {
						continue
					}
					requireOK(t, env.Do(t, "PUT", p, `{"sending_quota":`+from.quota+`}`, sysAdmin))
					step(from.mode)
					requireOK(t, env.Do(t, "PUT", p, `{"sending_quota":`+to.quota+`}`, sysAdmin))
					step(to.mode)
				}
			}
			assert.Equal(t, before+40, want)
		})
	}
}

// TestLifetimeAfterTheIssuesSwitches: hidden_limit, a switch into
// fixed_credits and back; the count goes on through both (it used to start
// again at 0 in fixed_credits, then answer fewer messages than the period's).
func TestLifetimeAfterTheIssuesSwitches(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id := create(t, env, `{"organization":{"name":"Switched","sending_quota":{"mode":"hidden_limit","limit":100}}}`)
	p := fmt.Sprintf("%s/organizations/%d", base, id)
	status, body := trySend(t, env, id, 3)
	require.Equal(t, 200, status, body)
	requireOK(t, env.Do(t, "PUT", p, `{"sending_quota":{"mode":"fixed_credits","limit":10}}`, sysAdmin))
	lifetime, available := credits(t, env, p+"/sending_credits")
	assert.Equal(t, []int64{3, 10}, []int64{lifetime, available}, "the switch starts the credits, not the count")
	requireOK(t, env.Do(t, "PUT", p, `{"sending_quota":{"mode":"hidden_limit","limit":100}}`, sysAdmin))
	status, body = trySend(t, env, id, 2)
	require.Equal(t, 200, status, body)
	assert.Equal(t, float64(5), body["lifetime_messages_sent"])
	assert.Equal(t, float64(5), body["messages_sent_this_period"])
	assert.Equal(t, int64(5), reportTotal(t, env, id))
}

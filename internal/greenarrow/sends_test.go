package greenarrow_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
)

// trySend sends count messages of campaign 1.
func trySend(t *testing.T, env *emutest.Env, id int64, count int) (int, map[string]any) {
	t.Helper()
	return trySendBody(t, env, id, fmt.Sprintf(`{"count":%d,"campaign_id":1,"campaign_name":"c"}`, count))
}

// trySendBody is the send simulation's answer to body: status and decoded body.
func trySendBody(t *testing.T, env *emutest.Env, id int64, body string) (int, map[string]any) {
	t.Helper()
	res := env.Do(t, "POST", fmt.Sprintf(sendsPath, id), body)
	var out map[string]any
	require.NoError(t, json.Unmarshal([]byte(res.Body), &out), res.Body)
	return res.Status, out
}

// reportTotal is every message the organization's monthly report counts
// from 2000 to 2099, which holds every send of the fixtures and the tests.
func reportTotal(t *testing.T, env *emutest.Env, id int64) int64 {
	t.Helper()
	e := requireOK(t, env.Do(t, "GET", fmt.Sprintf("%s/organizations/%d/messages_sent/monthly?start_date=2000-01-01&end_date=2099-12-31",
		base, id), "", sysAdmin))
	var total int64
	for _, row := range field[[]struct {
		MessagesSent int64 `json:"messages_sent"`
	}](t, e.Data, "report") {
		total += row.MessagesSent
	}
	return total
}

func TestSendSimulationFixedCredits(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id := create(t, env, `{"organization":{"name":"F","sending_quota":{"mode":"fixed_credits","limit":10}}}`)
	status, body := trySend(t, env, id, 4)
	require.Equal(t, 200, status)
	assert.Equal(t, map[string]any{"organization_id": float64(id), "count": float64(4), "sent_at": "2026-01-15T12:00:00Z",
		"sending_quota_mode": "fixed_credits", "lifetime_messages_sent": float64(4), "current_credits_available": float64(6)}, body)
	before := snapshot(t, env)
	status, body = trySend(t, env, id, 7)
	assert.Equal(t, 402, status)
	assert.Equal(t, map[string]any{"error": "insufficient sending credits", "current_credits_available": float64(6)}, body)
	assert.Equal(t, before, snapshot(t, env), "a refused send is refused whole")
	status, _ = trySend(t, env, id, 6)
	assert.Equal(t, 200, status)
	lifetime, available := credits(t, env, fmt.Sprintf("%s/organizations/%d/sending_credits", base, id))
	assert.Equal(t, []int64{10, 0}, []int64{lifetime, available})
	status, _ = trySend(t, env, id, 1)
	assert.Equal(t, 402, status)
}

func TestSendSimulationLimits(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	// The clock stands at 2026-01-15 12:00 UTC; the 20th is the anniversary,
	// so the quota period started on 2025-12-20 (Central Time).
	hidden := create(t, env, `{"organization":{"name":"H","anniversary_day":20,"sending_quota":{"mode":"hidden_limit","limit":10}}}`)
	visible := create(t, env, `{"organization":{"name":"V","anniversary_day":20,"sending_quota":{"mode":"visible_limit","limit":10,"overage":50}}}`)
	advisory := create(t, env, `{"organization":{"name":"A","sending_quota":{"mode":"advisory_message","limit":1}}}`)
	none := create(t, env, `{"organization":{"name":"N"}}`)

	loc := chicago(t)
	// Sent in the previous period (written directly: the simulation would refuse it).
	exec(t, env, `INSERT INTO ga_sends (organization_id, sent_at, campaign_id, campaign_name, messages) VALUES (?, ?, 1, 'old', 100)`,
		hidden, time.Date(2025, 12, 19, 23, 59, 59, 0, loc).Unix())
	send(t, env, hidden, time.Date(2025, 12, 20, 0, 0, 0, 0, loc), `{"count":3,"campaign_id":1,"campaign_name":"c"}`)
	env.Deps.Clock.Set(emutest.Start)

	for _, step := range []struct {
		id     int64
		count  int
		status int
	}{
		{hidden, 7, 200}, {hidden, 1, 402}, {visible, 15, 200}, {visible, 1, 402},
		{advisory, 1000, 200}, {advisory, 5, 200}, {none, 1_000_000_000, 200}, {none, 1_000_000_001, 400},
	} {
		status, body := trySend(t, env, step.id, step.count)
		assert.Equal(t, step.status, status, "%d: %v", step.id, body)
		if status == 402 {
			assert.Equal(t, "sending quota exceeded", body["error"])
		}
	}
	status, body := trySend(t, env, hidden, 1)
	require.Equal(t, 402, status)
	assert.Equal(t, map[string]any{"error": "sending quota exceeded", "messages_sent_this_period": float64(10), "stop_at": float64(10)}, body)

	// A huge visible limit and overage stop at the int64 limit instead of wrapping.
	huge := create(t, env, `{"organization":{"name":"Huge","sending_quota":{"mode":"visible_limit","limit":9223372036854775807,"overage":9223372036854775807}}}`)
	status, _ = trySend(t, env, huge, 1_000_000_000)
	assert.Equal(t, 200, status)

	// On the next anniversary the count starts again.
	env.Deps.Clock.Set(time.Date(2026, 1, 20, 0, 0, 1, 0, loc))
	status, body = trySend(t, env, hidden, 10)
	assert.Equal(t, 200, status, body)
	assert.Equal(t, "2026-01-20T00:00:00-06:00", body["quota_period_start"])
	assert.Equal(t, float64(10), body["messages_sent_this_period"])

	// Accepted sends appear in the reports; refused ones do not.
	rows := field[[]map[string]any](t, requireOK(t, env.Do(t, "GET",
		fmt.Sprintf("%s/organizations/%d/messages_sent/monthly", base, hidden), "", sysAdmin)).Data, "report")
	var total float64
	for _, r := range rows {
		total += r["messages_sent"].(float64)
	}
	assert.Equal(t, float64(100+3+7+10), total)
}

// TestAnniversaryDayInShortMonths: an anniversary on the 31st falls on the
// last day of shorter months.
func TestAnniversaryDayInShortMonths(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id := create(t, env, `{"organization":{"name":"Short","time_zone_name":"UTC","anniversary_day":31,
		"sending_quota":{"mode":"hidden_limit","limit":5}}}`)
	send(t, env, id, time.Date(2026, 2, 27, 12, 0, 0, 0, time.UTC), `{"count":5,"campaign_id":1,"campaign_name":"c"}`)
	status, _ := trySend(t, env, id, 1)
	assert.Equal(t, 402, status, "January 31 started the period")
	env.Deps.Clock.Set(time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC))
	status, body := trySend(t, env, id, 1)
	assert.Equal(t, 200, status)
	assert.Equal(t, "2026-02-28T00:00:00Z", body["quota_period_start"])
}

func TestSendSimulationErrors(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	before := snapshot(t, env)
	for _, tc := range []struct {
		path, body string
		status     int
	}{
		{fmt.Sprintf(sendsPath, 99), `{"count":1,"campaign_id":1,"campaign_name":"c"}`, 404},
		{"/_emulator/greenarrow/organizations/x/sends", `{"count":1,"campaign_id":1,"campaign_name":"c"}`, 404},
		{fmt.Sprintf(sendsPath, 3), `{"count":0,"campaign_id":1,"campaign_name":"c"}`, 400},
		{fmt.Sprintf(sendsPath, 3), `{"count":-5,"campaign_id":1,"campaign_name":"c"}`, 400},
		{fmt.Sprintf(sendsPath, 3), `{"campaign_id":1,"campaign_name":"c"}`, 400},
		{fmt.Sprintf(sendsPath, 3), `{"count":1}`, 400},
		{fmt.Sprintf(sendsPath, 3), `{"count":1,"campaign_id":1}`, 400},
		{fmt.Sprintf(sendsPath, 3), `{"count":1,"campaign_id":0,"campaign_name":"c"}`, 400},
		{fmt.Sprintf(sendsPath, 3), `{"count":1,"campaign_id":1,"campaign_name":"c","autoresponder_id":2,"autoresponder_name":"a"}`, 400},
		{fmt.Sprintf(sendsPath, 3), `{"count":1,"campaign_id":1,"autoresponder_name":"a"}`, 400},
		{fmt.Sprintf(sendsPath, 3), `{"count":"1","campaign_id":1,"campaign_name":"c"}`, 400},
		{fmt.Sprintf(sendsPath, 3), `{"count":1,"campaign_id":1,"campaign_name":"c","extra":1}`, 400},
		{fmt.Sprintf(sendsPath, 3), `{"count":1e99,"campaign_id":1,"campaign_name":"c"}`, 400},
		{fmt.Sprintf(sendsPath, 3), `not json`, 400},
		{fmt.Sprintf(sendsPath, 3), ``, 400},
		{"/_emulator/greenarrow/nope", `{}`, 404},
	} {
		res := env.Do(t, "POST", tc.path, tc.body)
		assert.Equal(t, tc.status, res.Status, "%s %s: %s", tc.path, tc.body, res.Body)
		var body struct {
			Error string `json:"error"`
		}
		require.NoError(t, json.Unmarshal([]byte(res.Body), &body), res.Body)
		assert.NotEmpty(t, body.Error)
	}
	res := env.Do(t, "GET", fmt.Sprintf(sendsPath, 3), "")
	assert.Equal(t, 405, res.Status)
	assert.Equal(t, before, snapshot(t, env))
}

// autoresponderStop is the refusal of an autoresponder send at a sending-quota
// limit of 1 ("autoresponders will neither enqueue nor deliver").
var autoresponderStop = map[string]any{"error": "autoresponders neither enqueue nor deliver: the sending quota's limit is 1"}

const autoresponderSend = `{"count":1,"autoresponder_id":4,"autoresponder_name":"Welcome"}`

// TestAutoresponderAtLimitOne: with a sending-quota limit of 1, every mode
// that has a limit refuses autoresponder sends, whatever is left to send,
// and records nothing; campaign sends follow the mode.
func TestAutoresponderAtLimitOne(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	refused := func(t *testing.T, id int64, step string) {
		t.Helper()
		before, reported := snapshot(t, env), reportTotal(t, env, id)
		status, body := trySendBody(t, env, id, autoresponderSend)
		assert.Equal(t, 402, status, step)
		assert.Equal(t, autoresponderStop, body, step)
		assert.Equal(t, before, snapshot(t, env), "%s: nothing recorded, no counter moved", step)
		assert.Equal(t, reported, reportTotal(t, env, id), step)
	}
	for _, tc := range []struct {
		mode, quota string
		campaigns   []int // the statuses of campaign sends of one message each, in turn
		refusal     string
	}{
		{"hidden_limit", `{"mode":"hidden_limit","limit":1}`, []int{200, 402}, "sending quota exceeded"},
		{"visible_limit", `{"mode":"visible_limit","limit":1,"overage":100}`, []int{200, 200, 402}, "sending quota exceeded"},
		{"advisory_message", `{"mode":"advisory_message","limit":1}`, []int{200, 200, 200}, ""},
		{"fixed_credits", `{"mode":"fixed_credits","limit":1}`, []int{200, 402}, "insufficient sending credits"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			id := create(t, env, fmt.Sprintf(`{"organization":{"name":%q,"sending_quota":%s}}`, tc.mode, tc.quota))
			refused(t, id, "before any send")
			var sent int64
			for i, want := range tc.campaigns {
				status, body := trySend(t, env, id, 1)
				require.Equal(t, want, status, "campaign send %d: %v", i+1, body)
				if status == 402 {
					assert.Equal(t, tc.refusal, body["error"])
				} else {
					sent++
					assert.Equal(t, float64(sent), body["lifetime_messages_sent"])
				}
				refused(t, id, fmt.Sprintf("after campaign send %d", i+1))
			}
			assert.Equal(t, sent, reportTotal(t, env, id), "only the campaigns are reported")
		})
	}

	t.Run("credits do not lift it: the limit is 1", func(t *testing.T) {
		id := create(t, env, `{"organization":{"name":"Credits","sending_quota":{"mode":"fixed_credits","limit":1}}}`)
		requireOK(t, env.Do(t, "PUT", fmt.Sprintf("%s/organizations/%d/add_sending_credits", base, id), `{"credits":500}`, sysAdmin))
		refused(t, id, "with 501 credits")
		status, body := trySend(t, env, id, 5)
		require.Equal(t, 200, status, body)
		assert.Equal(t, float64(496), body["current_credits_available"])
	})

	t.Run("the limit as it is now", func(t *testing.T) {
		id := create(t, env, `{"organization":{"name":"Changing","sending_quota":{"mode":"hidden_limit","limit":2}}}`)
		p := fmt.Sprintf("%s/organizations/%d", base, id)
		status, body := trySendBody(t, env, id, autoresponderSend)
		require.Equal(t, 200, status, body)
		requireOK(t, env.Do(t, "PUT", p, `{"sending_quota":{"limit":1}}`, sysAdmin))
		refused(t, id, "after lowering the limit to 1")
		requireOK(t, env.Do(t, "PUT", p, `{"sending_quota":{"mode":"no_limit"}}`, sysAdmin))
		status, body = trySendBody(t, env, id, autoresponderSend)
		assert.Equal(t, 200, status, "no_limit keeps no limit: %v", body)
		assert.Equal(t, float64(2), body["lifetime_messages_sent"])
	})

	t.Run("no_limit", func(t *testing.T) {
		status, body := trySendBody(t, env, 3, autoresponderSend)
		assert.Equal(t, 200, status, body)
	})

	t.Run("a limit of 2 lets autoresponders send", func(t *testing.T) {
		for i, quota := range []string{`{"mode":"hidden_limit","limit":2}`, `{"mode":"visible_limit","limit":2,"overage":0}`,
			`{"mode":"advisory_message","limit":2}`, `{"mode":"fixed_credits","limit":2}`} {
			id := create(t, env, fmt.Sprintf(`{"organization":{"name":"Two %d","sending_quota":%s}}`, i, quota))
			status, body := trySendBody(t, env, id, autoresponderSend)
			assert.Equal(t, 200, status, "%s: %v", quota, body)
			assert.Equal(t, float64(1), body["lifetime_messages_sent"], quota)
			assert.Equal(t, int64(1), reportTotal(t, env, id), quota)
		}
	})
}

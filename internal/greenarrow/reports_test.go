package greenarrow_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
)

// TestDocsDailyReportExample: organization 1's fixture history gives the docs'
// daily JSON example for its date range, rows and key order included.
func TestDocsDailyReportExample(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	res := env.Do(t, "GET", base+"/organizations/1/messages_sent/daily?start_date=2015-09-01&end_date=2015-11-30", "", sysAdmin)
	require.Equal(t, 200, res.Status, res.Body)
	assert.Equal(t, "application/json; charset=utf-8", res.Header.Get("Content-Type"))
	assert.JSONEq(t, doc(t, "daily_example.json"), res.Body)
	assert.Equal(t, compact(t, doc(t, "daily_example.json")), res.Body)
}

// chicago is organization 1's zone (Central Time).
func chicago(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("America/Chicago")
	require.NoError(t, err)
	return loc
}

func send(t *testing.T, env *emutest.Env, id int64, at time.Time, body string) {
	t.Helper()
	env.Deps.Clock.Set(at)
	res := env.Do(t, "POST", fmt.Sprintf(sendsPath, id), body)
	require.Equal(t, 200, res.Status, res.Body)
}

// TestDocsDailyCSVExample replays the sends behind the docs' CSV example
// through the send simulation and gets the example back byte for byte.
func TestDocsDailyCSVExample(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id := create(t, env, `{"organization":{"name":"CSV"}}`)
	want := doc(t, "daily_example.csv")
	records, err := csv.NewReader(strings.NewReader(want)).ReadAll()
	require.NoError(t, err)
	for _, rec := range records[1:] {
		day, err := time.Parse(time.RFC3339, rec[0])
		require.NoError(t, err)
		body := fmt.Sprintf(`{"count":%s,"campaign_id":%s,"campaign_name":%q}`, rec[8], rec[4], rec[5])
		send(t, env, id, day.Add(15*time.Hour), body)
	}
	env.Deps.Clock.Set(emutest.Start)
	res := env.Do(t, "GET", fmt.Sprintf("%s/organizations/%d/messages_sent/daily.csv?start_date=2015-09-01&end_date=2015-11-30", base, id), "", sysAdmin)
	require.Equal(t, 200, res.Status, res.Body)
	assert.Equal(t, "text/csv; charset=utf-8", res.Header.Get("Content-Type"))
	assert.Equal(t, want, res.Body)

	// The same sends as JSON carry the same rows.
	res = env.Do(t, "GET", fmt.Sprintf("%s/organizations/%d/messages_sent/daily?start_date=2015-09-01&end_date=2015-11-30", base, id), "", sysAdmin)
	var report struct {
		Data struct {
			Report []map[string]any `json:"report"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(res.Body), &report))
	assert.Len(t, report.Data.Report, len(records)-1)
}

// TestMonthlyReport: months snap to the calendar, periods carry the offset of
// their own instant (daylight saving ends on November 1st at 2:00).
func TestMonthlyReport(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	res := env.Do(t, "GET", base+"/organizations/1/messages_sent/monthly?start_date=2015-09-15&end_date=2015-11-02", "", sysAdmin)
	e := requireOK(t, res)
	rows := field[[]map[string]any](t, e.Data, "report")
	require.Len(t, rows, 36, "each campaign of the example sent on one day only")
	var total float64
	periods := map[string]string{}
	for _, r := range rows {
		total += r["messages_sent"].(float64)
		periods[r["time_period_start"].(string)] = r["time_period_end"].(string)
	}
	assert.Equal(t, map[string]string{
		"2015-09-01T00:00:00-05:00": "2015-09-30T23:59:59-05:00",
		"2015-10-01T00:00:00-05:00": "2015-10-31T23:59:59-05:00",
		"2015-11-01T00:00:00-05:00": "2015-11-30T23:59:59-06:00",
	}, periods)
	var daily float64
	for _, r := range field[[]map[string]any](t, requireOK(t, env.Do(t, "GET",
		base+"/organizations/1/messages_sent/daily?start_date=2015-01-01&end_date=2015-12-31", "", sysAdmin)).Data, "report") {
		daily += r["messages_sent"].(float64)
	}
	assert.Equal(t, daily, total)
	assert.Equal(t, "2015-09-01T00:00:00-05:00", rows[0]["time_period_start"])

	csvRes := env.Do(t, "GET", base+"/organizations/1/messages_sent/monthly.csv?start_date=2015-11-30&end_date=2015-11-30", "", sysAdmin)
	require.Equal(t, 200, csvRes.Status)
	assert.Equal(t, `"Time Period Start","Time Period End","Organization ID","Organization Name","Campaign ID","Campaign Name","Autoresponder ID","Autoresponder Name","Messages Sent"`+"\n"+
		`"2015-11-01T00:00:00-05:00","2015-11-30T23:59:59-06:00","","","228","one campaign (Duplicate #2)","","","1"`+"\n", csvRes.Body)
}

// TestReportDefaultRange: from the 1st three months back to the end of the
// current month, in the organization's time zone.
func TestReportDefaultRange(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id := create(t, env, `{"organization":{"name":"Defaults"}}`)
	loc := chicago(t)
	for i, at := range []time.Time{
		time.Date(2025, 9, 30, 23, 59, 0, 0, loc), // before
		time.Date(2025, 10, 1, 0, 0, 0, 0, loc),   // first second in
		time.Date(2026, 1, 31, 23, 59, 59, 0, loc),
		time.Date(2026, 2, 1, 0, 0, 0, 0, loc), // after
	} {
		send(t, env, id, at, fmt.Sprintf(`{"count":%d,"campaign_id":%d,"campaign_name":"c%d"}`, i+1, i+1, i+1))
	}
	env.Deps.Clock.Set(emutest.Start) // 2026-01-15
	for _, kind := range []string{"daily", "monthly"} {
		rows := field[[]map[string]any](t, requireOK(t, env.Do(t, "GET",
			fmt.Sprintf("%s/organizations/%d/messages_sent/%s", base, id, kind), "", sysAdmin)).Data, "report")
		var got []float64
		for _, r := range rows {
			got = append(got, r["campaign_id"].(float64))
		}
		assert.Equal(t, []float64{2, 3}, got, kind)
	}
	// The organization's own "today" decides: 2026-02-01 03:00 UTC is still January in Chicago.
	env.Deps.Clock.Set(time.Date(2026, 2, 1, 3, 0, 0, 0, time.UTC))
	rows := field[[]map[string]any](t, requireOK(t, env.Do(t, "GET",
		fmt.Sprintf("%s/organizations/%d/messages_sent/daily", base, id), "", sysAdmin)).Data, "report")
	assert.Len(t, rows, 2)
}

func TestReportRowsAndErrors(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id := create(t, env, `{"organization":{"name":"Rows","time_zone_name":"UTC"}}`)
	day := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	send(t, env, id, day, `{"count":3,"autoresponder_id":5,"autoresponder_name":"Welcome, \"new\" friend"}`)
	send(t, env, id, day.Add(time.Hour), `{"count":2,"campaign_id":5,"campaign_name":"Alpha"}`)
	send(t, env, id, day.Add(2*time.Hour), `{"count":4,"autoresponder_id":5,"autoresponder_name":"Welcome, \"new\" friend"}`)
	env.Deps.Clock.Set(emutest.Start)
	path := fmt.Sprintf("%s/organizations/%d/messages_sent/daily", base, id)
	e := requireOK(t, env.Do(t, "GET", path+"?start_date=2026-01-10&end_date=2026-01-10", "", sysAdmin))
	assert.JSONEq(t, `{"report":[
		{"time_period_start":"2026-01-10T00:00:00Z","time_period_end":"2026-01-10T23:59:59Z","autoresponder_id":null,
		 "autoresponder_name":null,"campaign_id":5,"campaign_name":"Alpha","messages_sent":2},
		{"time_period_start":"2026-01-10T00:00:00Z","time_period_end":"2026-01-10T23:59:59Z","autoresponder_id":5,
		 "autoresponder_name":"Welcome, \"new\" friend","campaign_id":null,"campaign_name":null,"messages_sent":7}]}`, string(e.Data))
	res := env.Do(t, "GET", path+".csv?start_date=2026-01-10&end_date=2026-01-10", "", sysAdmin)
	assert.Equal(t, csvHeaderLine+
		`"2026-01-10T00:00:00Z","2026-01-10T23:59:59Z","","","5","Alpha","","","2"`+"\n"+
		`"2026-01-10T00:00:00Z","2026-01-10T23:59:59Z","","","","","5","Welcome, ""new"" friend","7"`+"\n", res.Body)
	res = env.Do(t, "GET", path+".csv?start_date=2026-01-11&end_date=2026-01-11", "", sysAdmin)
	assert.Equal(t, csvHeaderLine, res.Body, "no rows: the header alone")

	// A sender that sent on two days: two daily rows, one monthly row with the sum.
	send(t, env, id, day.AddDate(0, 0, 3), `{"count":10,"campaign_id":5,"campaign_name":"Alpha"}`)
	env.Deps.Clock.Set(emutest.Start)
	e = requireOK(t, env.Do(t, "GET", fmt.Sprintf("%s/organizations/%d/messages_sent/monthly", base, id), "", sysAdmin))
	assert.JSONEq(t, `{"report":[
		{"time_period_start":"2026-01-01T00:00:00Z","time_period_end":"2026-01-31T23:59:59Z","autoresponder_id":null,
		 "autoresponder_name":null,"campaign_id":5,"campaign_name":"Alpha","messages_sent":12},
		{"time_period_start":"2026-01-01T00:00:00Z","time_period_end":"2026-01-31T23:59:59Z","autoresponder_id":5,
		 "autoresponder_name":"Welcome, \"new\" friend","campaign_id":null,"campaign_name":null,"messages_sent":7}]}`, string(e.Data))
	rows := field[[]map[string]any](t, requireOK(t, env.Do(t, "GET", path, "", sysAdmin)).Data, "report")
	assert.Len(t, rows, 3)

	for _, q := range []string{"?start_date=2015-13-01", "?start_date=15-09-01", "?end_date=2015-09-31", "?start_date=yesterday",
		"?start_date=2015-10-02&end_date=2015-10-01", "?start_date=2015-09-01T00:00:00Z"} {
		requireError(t, env.Do(t, "GET", path+q, "", sysAdmin), 400, "invalid_request")
		requireError(t, env.Do(t, "GET", path+".csv"+q, "", sysAdmin), 400, "invalid_request")
	}
	requireOK(t, env.Do(t, "GET", path+"?start_date=0001-01-01&end_date=9999-12-31", "", sysAdmin))
	requireError(t, env.Do(t, "GET", base+"/organizations/99/messages_sent/daily", "", sysAdmin), 404, "not_found")
	requireError(t, env.Do(t, "GET", base+"/organizations/99/messages_sent/monthly.csv", "", sysAdmin), 404, "not_found")
	// An organization admin reads its own organization's report.
	requireOK(t, env.Do(t, "GET", base+"/organizations/2/messages_sent/monthly", "", orgAdmin))
}

const csvHeaderLine = `"Time Period Start","Time Period End","Organization ID","Organization Name","Campaign ID","Campaign Name","Autoresponder ID","Autoresponder Name","Messages Sent"` + "\n"

// TestReportPathWithoutV2: the docs' report example requests /ga/api/organizations/...
func TestReportPathWithoutV2(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	res := env.Do(t, "GET", "/greenarrow/ga/api/organizations/1/messages_sent/daily?start_date=2015-09-01&end_date=2015-11-30", "", sysAdmin)
	assert.JSONEq(t, doc(t, "daily_example.json"), res.Body)
}

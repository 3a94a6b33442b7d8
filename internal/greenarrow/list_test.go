package greenarrow_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type listPage struct {
	Data       []map[string]any `json:"data"`
	Page       int              `json:"page"`
	PerPage    int              `json:"per_page"`
	NumRecords int              `json:"num_records"`
	NumPages   int              `json:"num_pages"`
}

func list(t *testing.T, body string) (ids []float64, p listPage) {
	t.Helper()
	require.NoError(t, json.Unmarshal([]byte(body), &p), body)
	for _, o := range p.Data {
		if id, ok := o["id"].(float64); ok { // bounce email ids are strings
			ids = append(ids, id)
		}
	}
	return ids, p
}

func TestListFiltersOrderAndPages(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	create(t, env, `{"organization":{"name":"a school"}}`)   // 5
	create(t, env, `{"organization":{"name":"B SCHOOL"}}`)   // 6
	create(t, env, `{"organization":{"name":"Schoolyard"}}`) // 7
	for _, tc := range []struct {
		query     string
		ids       []float64
		page, per int
		records   int
		pages     int
	}{
		{"", []float64{1, 2, 3, 4, 5, 6, 7}, 0, 100, 7, 1},
		{"?name_contains=school", []float64{5, 6, 7}, 0, 100, 3, 1},
		{"?name_contains=SCHOOL&order_by=name", []float64{5, 6, 7}, 0, 100, 3, 1},
		{"?name=b+school", []float64{6}, 0, 100, 1, 1},
		{"?name=school", nil, 0, 100, 0, 0},
		{"?name_contains=%25", nil, 0, 100, 0, 0},
		{"?name=&name_contains=", []float64{1, 2, 3, 4, 5, 6, 7}, 0, 100, 7, 1},
		{"?order_by=name", []float64{5, 2, 6, 7, 3, 1, 4}, 0, 100, 7, 1},
		{"?order_by=id", []float64{1, 2, 3, 4, 5, 6, 7}, 0, 100, 7, 1},
		{"?per_page=3", []float64{1, 2, 3}, 0, 3, 7, 3},
		{"?per_page=3&page=2", []float64{7}, 2, 3, 7, 3},
		{"?per_page=3&page=9", nil, 9, 3, 7, 3},
		{"?per_page=2000&page=9223372036854775807", nil, 9223372036854775807, 2000, 7, 1},
		{"?per_page=2000", []float64{1, 2, 3, 4, 5, 6, 7}, 0, 2000, 7, 1},
		{"?minimal=false&per_page=1&page=1", []float64{2}, 1, 1, 7, 7},
	} {
		t.Run(tc.query, func(t *testing.T) {
			res := env.Do(t, "GET", base+"/organizations"+tc.query, "", sysAdmin)
			requireOK(t, res)
			ids, p := list(t, res.Body)
			assert.Equal(t, tc.ids, ids)
			assert.Equal(t, []int{tc.page, tc.per, tc.records, tc.pages}, []int{p.Page, p.PerPage, p.NumRecords, p.NumPages})
		})
	}
}

func TestListRejectsBadParameters(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	for _, tc := range []struct {
		query string
		code  string
	}{
		{"?name=Third+Org&name_contains=third", "invalid_request"},
		{"?order_by=created_at", "invalid_request"},
		{"?page=-1", "invalid_request"},
		{"?page=x", "invalid_request"},
		{"?per_page=0", "invalid_request"},
		{"?per_page=1.5", "invalid_request"},
		{"?per_page=99999999999999999999999", "invalid_request"},
		{"?minimal=maybe", "invalid_request"},
		{"?per_page=2001", "requested_too_many"},
		{"?per_page=5000000", "requested_too_many"},
	} {
		requireError(t, env.Do(t, "GET", base+"/organizations"+tc.query, "", sysAdmin), 400, tc.code)
	}
}

// TestOrganizationAdminScope: an organization admin sees its own organization
// only, without the attributes reserved to system administrators.
func TestOrganizationAdminScope(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	res := env.Do(t, "GET", base+"/organizations", "", orgAdmin)
	requireOK(t, res)
	ids, p := list(t, res.Body)
	assert.Equal(t, []float64{2}, ids)
	assert.Equal(t, 1, p.NumRecords)
	own := `{"id":2,"name":"An Organization","anniversary_day":1,
		"time_zone_name":"(GMT-06:00) Central Time (US & Canada)","time_zone_utc_offset":-21600,
		"html_header":"","html_footer":"","text_header":"","text_footer":"",
		"auto_subscriber_management":{"distribute_removals":false,"unsub_suppression_list":null,
		"bounce_suppression_list":null,"scomp_suppression_list":null}}`
	assert.JSONEq(t, own, string(mustJSON(t, p.Data[0])))

	get := env.Do(t, "GET", base+"/organizations/2", "", orgAdmin)
	assert.JSONEq(t, own, string(requireOK(t, get).Data))

	for _, q := range []string{"?name=Third+Org", "?name_contains=org&minimal=true&order_by=name"} {
		ids, _ := list(t, env.Do(t, "GET", base+"/organizations"+q, "", orgAdmin).Body)
		if q == "?name=Third+Org" {
			assert.Empty(t, ids, "another organization is never listed")
		} else {
			assert.Equal(t, []float64{2}, ids)
		}
	}
	for _, id := range []int{1, 3, 4, 999} {
		requireError(t, env.Do(t, "GET", fmt.Sprintf("%s/organizations/%d", base, id), "", orgAdmin), 404, "not_found")
		requireError(t, env.Do(t, "PUT", fmt.Sprintf("%s/organizations/%d", base, id), `{"html_header":"x"}`, orgAdmin), 404, "not_found")
		requireError(t, env.Do(t, "GET", fmt.Sprintf("%s/organizations/%d/messages_sent/daily", base, id), "", orgAdmin), 404, "not_found")
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

package greenarrow_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReferencedObjects(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	for _, tc := range []struct{ path, want string }{
		{"/virtual_mtas", `[{"id":41,"name":"ipaddr-1","type":"ip_address"},{"id":42,"name":"ipaddr-2","type":"ip_address"},
			{"id":44,"name":"relay-1","type":"relay_server"},{"id":46,"name":"route-1","type":"routing_rule"}]`},
		{"/url_domains", `[{"id":31,"domain":"website.example.com"}]`},
		{"/bounce_emails", `[{"id":"1@1","email":"bounce@example.com"}]`},
		{"/suppression_lists", `[{"id":1,"name":"Unsubscribes"},{"id":2,"name":"Bounces"},{"id":3,"name":"Spam complaints"}]`},
	} {
		for _, who := range []string{sysAdmin, orgAdmin} {
			res := env.Do(t, "GET", base+tc.path, "", who)
			assert.JSONEq(t, tc.want, string(requireOK(t, res).Data), tc.path)
			_, p := list(t, res.Body)
			assert.Equal(t, 100, p.PerPage)
		}
	}
	for _, tc := range []struct{ path, want string }{
		{"/virtual_mtas/44", `{"id":44,"name":"relay-1","type":"relay_server"}`},
		{"/url_domains/31", `{"id":31,"domain":"website.example.com"}`},
		{"/bounce_emails/1@1", `{"id":"1@1","email":"bounce@example.com"}`},
		{"/suppression_lists/2", `{"id":2,"name":"Bounces"}`},
	} {
		assert.JSONEq(t, tc.want, string(requireOK(t, env.Do(t, "GET", base+tc.path, "", sysAdmin)).Data))
	}
	for _, p := range []string{"/virtual_mtas/43", "/virtual_mtas/x", "/url_domains/1", "/bounce_emails/2@2", "/suppression_lists/99999999999999999999"} {
		requireError(t, env.Do(t, "GET", base+p, "", sysAdmin), 404, "not_found")
	}
	res := env.Do(t, "GET", base+"/virtual_mtas?per_page=2&page=1", "", sysAdmin)
	ids, p := list(t, res.Body)
	assert.Equal(t, []float64{44, 46}, ids)
	assert.Equal(t, []int{1, 2, 4, 2}, []int{p.Page, p.PerPage, p.NumRecords, p.NumPages})
	requireError(t, env.Do(t, "GET", base+"/virtual_mtas?per_page=2001", "", sysAdmin), 400, "requested_too_many")
	requireError(t, env.Do(t, "GET", base+"/virtual_mtas", ""), 401, "not_authorized")
}

// TestBadInputEverywhere throws bad input at every route: never a 5xx, always
// the envelope, and the state is unchanged.
func TestBadInputEverywhere(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	before := snapshot(t, env)
	ids := []string{"1", "4", "0", "-1", "99999999999999999999999", "abc", "%00", "1.5"}
	bodies := []string{"", "{", "null", "[]", `{"organization":null}`, `{"credits":"x"}`, `{"organization":{"name":{"a":1}}}`,
		`{"organization":{"anniversary_day":99999999999999999999999}}`, `{"organization":{"permissions":{"speed":1e400}}}`}
	routes := []struct{ method, path string }{
		{"GET", "/organizations?page=%ff&per_page=-0"},
		{"POST", "/organizations"},
		{"GET", "/organizations/{id}"},
		{"PUT", "/organizations/{id}"},
		{"GET", "/organizations/{id}/messages_sent/daily?start_date=2015-02-30"},
		{"GET", "/organizations/{id}/messages_sent/monthly.csv?end_date=x"},
		{"GET", "/organizations/{id}/delete_confirmation_code?x=1"}, // issues a code for 4: compared below without codes
		{"DELETE", "/organizations/{id}/confirmed/0000000000000000000000000000000000000000:1"},
		{"GET", "/organizations/{id}/sending_credits"},
		{"PUT", "/organizations/{id}/add_sending_credits"},
		{"PUT", "/organizations/{id}/remove_sending_credits"},
		{"PUT", "/organizations/{id}/set_sending_credits"},
		{"GET", "/virtual_mtas/{id}"},
		{"GET", "/bounce_emails/{id}"},
	}
	for _, rt := range routes {
		for _, id := range ids {
			path := base + replaceID(rt.path, id)
			for _, who := range []string{sysAdmin, orgAdmin, basic(id, "nope")} {
				for _, body := range bodies {
					if rt.method == "GET" && body != "" {
						continue
					}
					res := env.Do(t, rt.method, path, body, who)
					require.Less(t, res.Status, 500, "%s %s %s: %s", rt.method, path, body, res.Body)
					e := decode(t, res.Body)
					if res.Status != 200 {
						require.False(t, e.Success)
						require.NotNil(t, e.ErrorCode, res.Body)
					}
				}
			}
		}
	}
	exec(t, env, `DELETE FROM ga_delete_codes`)
	assert.Equal(t, before, snapshot(t, env))
}

func replaceID(path, id string) string {
	out := ""
	for i := 0; i < len(path); i++ {
		if i+4 <= len(path) && path[i:i+4] == "{id}" {
			out += id
			i += 3
			continue
		}
		out += string(path[i])
	}
	return out
}

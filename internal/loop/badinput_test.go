package loop_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// snapshot is everything a client can see of LoopMessage's state, through
// every fixture key.
func (e *lm) snapshot(tb testing.TB) string {
	tb.Helper()
	var b strings.Builder
	get := func(path, key string) {
		res := e.call(tb, "GET", path, "", key)
		require.Less(tb, res.Status, 500, res.Body)
		fmt.Fprintf(&b, "%s %s %d %s\n", key, path, res.Status, res.Body)
	}
	for _, key := range []string{keyAcmeDefault, keyGlobexDefault} {
		get("organizations/list/?per_page=1000", key)
		for _, o := range e.listOrgs(tb, key) {
			get("organizations/details/"+o.ID+"/", key)
		}
	}
	for _, key := range []string{keyAcmeDefault, keyAcmeSupport, keyAcmeLabs, keyGlobexDefault} {
		get("sender/list/?per_page=1000", key)
		get("pool/list/?per_page=1000", key)
		get("sender/plans/", key)
	}
	return b.String()
}

// TestBadInputNeverFailsOrChanges throws bad credentials, unknown and hostile
// ids, malformed and mistyped bodies and bad paging at every route: no answer
// is a 5xx, every answer is LoopMessage JSON, and nothing changes.
func TestBadInputNeverFailsOrChanges(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	before := e.snapshot(t)

	type route struct{ method, path string } // %s stands for the id
	routes := []route{
		{"GET", "organizations/list/"}, {"POST", "organizations/new/"},
		{"GET", "organizations/details/%s/"}, {"PATCH", "organizations/details/%s/"}, {"DELETE", "organizations/details/%s/"},
		{"GET", "sender/list/"}, {"GET", "sender/plans/"}, {"POST", "sender/new/"},
		{"GET", "sender/%s/"}, {"PATCH", "sender/%s/"}, {"DELETE", "sender/%s/cancel/"},
		{"GET", "pool/list/"}, {"POST", "pool/new/"},
		{"GET", "pool/%s/"}, {"PATCH", "pool/%s/"}, {"DELETE", "pool/%s/"},
	}
	junkIDs := []string{unknownID, "not-a-uuid", "' OR '1'='1", strings.Repeat("a", 3000), "%F0%9F%98%80",
		"%00", "..%2F..", "0b7e3f52-6d1a-4c8e-9f20-3a5b7c9d1e01%20"}
	acmeIDs := []string{orgAcmeDefault, orgAcmeSupport, orgAcmeLabs, senderAcmeDefault, senderSupportActive, senderSupportCancel}
	// Who calls with which ids: a key that could legitimately change the real
	// objects only gets junk ids and bodies that are wrong.
	callers := []struct {
		key string
		ids []string
	}{
		{"", append(acmeIDs, junkIDs...)},
		{"lm-nobody", acmeIDs},
		{"Bearer " + keyAcmeDefault, acmeIDs},
		{keyGlobexDefault, append(acmeIDs, junkIDs...)},
		{keyAcmeLabs, []string{orgAcmeDefault, orgAcmeSupport, senderAcmeDefault, senderSupportActive, unknownID}},
		{keyAcmeDefault, junkIDs},
	}
	badBodies := []string{
		``, `{`, `[]`, `"str"`, `123`, `{} []`, `{"name": "x"`,
		`{"name": 5, "website": [], "support_url": {}, "country": 1e400, "webhook_url": true, "webhook_header": 7,
		  "organization_id": 1, "ids": {"a": 1}, "senders": 5, "plan_id": 1.5e308, "phone_region": null,
		  "zip_code": 99999, "test": "yes", "contact": [], "port": 1}`,
		`{"name": "", "country": "ZZ", "ids": [1e400], "organization_id": "` + orgGlobexDefault + `", "plan_id": 123456789012345678901234567890}`,
		`{"senders": [1e400, null, "x", {"plan_id": -1}], "organization_id": null, "ids": ["` + senderGlobexActive + `"], "website": "x", "name": []}`,
		strings.Repeat("[", 20000) + strings.Repeat("]", 20000),
		`{"name": "` + strings.Repeat("\\u0000", 2000) + `", "country": "XX", "ids": "` + strings.Repeat("x", 1000) + `"}`,
	}
	queries := []string{"", "?page=99999999999999999999999", "?per_page=-1", "?page=1e3", "?sort_by=%00",
		"?search=%00%27%22", "?page=1&page=x", "?per_page=1000000000000"}

	n := 0
	check := func(method, path, body, key string) {
		res := e.call(t, method, path, body, key)
		n++
		require.Less(t, res.Status, 500, "%s %s %q as %q: %s", method, path, body, key, res.Body)
		var v map[string]any
		require.NoError(t, json.Unmarshal([]byte(res.Body), &v), "%s %s: not JSON: %s", method, path, res.Body)
		if res.Status != 200 {
			assert.Equal(t, false, v["success"], res.Body)
			assert.IsType(t, float64(0), v["code"], res.Body)
		}
	}
	for _, rt := range routes {
		for _, c := range callers {
			paths := []string{rt.path}
			if strings.Contains(rt.path, "%s") {
				paths = paths[:0]
				for _, id := range c.ids {
					paths = append(paths, fmt.Sprintf(rt.path, id))
				}
			} else if rt.method == "GET" {
				paths = paths[:0]
				for _, q := range queries {
					paths = append(paths, rt.path+q)
				}
			}
			for _, p := range paths {
				if rt.method == "GET" || rt.method == "DELETE" {
					check(rt.method, p, "", c.key)
					check(rt.method, p, `{"garbage": true}`, c.key)
					continue
				}
				for _, body := range badBodies {
					if body == "" && p == "pool/new/" {
						continue // both fields are optional: no body is a valid new pool
					}
					check(rt.method, p, body, c.key)
				}
			}
		}
	}
	// A body over the limit is refused in LoopMessage's envelope, with 413.
	huge := `{"name": "` + strings.Repeat("x", 2<<20) + `"}`
	for _, p := range []string{"organizations/new/", "pool/new/", "sender/new/"} {
		fails(t, e.call(t, "POST", p, huge, keyAcmeDefault), 413, 125)
	}
	fails(t, e.call(t, "PATCH", "organizations/details/"+orgAcmeLabs+"/", huge, keyAcmeDefault), 413, 125)
	t.Logf("%d requests", n)

	assert.Equal(t, before, e.snapshot(t), "bad input changed the state")
	// No refused order opened the 30-second window.
	ok(t, e.call(t, "POST", "sender/new/", `{"plan_id": "`+planStarter+`"}`, keyAcmeLabs), nil)
}

package loop_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/loop"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

func TestAuth(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	for _, tc := range []struct {
		name string
		key  string
		code int
	}{
		{"no key", "", 110},
		{"unknown key", "lm-nobody", 130},
		{"Bearer prefix", "Bearer lm-acme-default", 130},
		{"Basic prefix", "Basic lm-acme-default", 130},
		{"case matters", "LM-ACME-DEFAULT", 130},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"organizations/list/", "organizations/details/" + orgAcmeDefault + "/",
				"sender/list/", "sender/plans/", "pool/list/"} {
				res := e.call(t, "GET", path, "", tc.key)
				msg := fails(t, res, 400, tc.code)
				if tc.code == 110 {
					assert.JSONEq(t, `{"success": false, "code": 110, "message": "Missing credentials in request"}`, res.Body)
				} else {
					assert.Equal(t, "API key is invalid or doesn't exist", msg)
				}
			}
		})
	}
}

func TestUnknownPathsAndMethods(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	// Without the trailing slash the path is not LoopMessage's.
	fails(t, e.call(t, "GET", "organizations/list", "", keyAcmeDefault), 404, 100)
	fails(t, e.Do(t, "GET", "/loopmessage/nowhere", ""), 404, 100)
	fails(t, e.call(t, "PUT", "organizations/details/"+orgAcmeDefault+"/", "{}", keyAcmeDefault), 405, 100)
	fails(t, e.call(t, "POST", "organizations/list/", "{}", keyAcmeDefault), 405, 100)
}

func TestListOrganizations(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	res := e.call(t, "GET", "organizations/list/", "", keyAcmeDefault)
	require.Equal(t, 200, res.Status, res.Body)
	// Default order is desc by creation; Globex's organization is never there.
	assert.JSONEq(t, `{"page": 1, "num_pages": 1, "per_page": 20, "count": 3, "items": [
		{"id": "`+orgAcmeLabs+`", "name": "Acme Labs", "status": "active", "create_date": "2025-02-03T14:05:10Z"},
		{"id": "`+orgAcmeSupport+`", "name": "Acme Support", "status": "active", "create_date": "2025-01-27T22:23:51Z"},
		{"id": "`+orgAcmeDefault+`", "name": "Acme Default", "status": "active", "create_date": "2025-01-06T09:00:00Z"}
	]}`, res.Body)

	res = e.call(t, "GET", "organizations/list/", "", keyGlobexDefault)
	assert.JSONEq(t, `{"page": 1, "num_pages": 1, "per_page": 20, "count": 1, "items": [
		{"id": "`+orgGlobexDefault+`", "name": "Globex Default", "status": "active", "create_date": "2025-01-15T08:00:00Z"}
	]}`, res.Body)

	for _, key := range []string{keyAcmeSupport, keyAcmeLabs} {
		res := e.call(t, "GET", "organizations/list/", "", key)
		assert.Equal(t, notDefaultKeyMessage, fails(t, res, 400, 100))
	}
}

func TestListOrganizationsPagingSortSearch(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	get := func(query string) page[orgItem] {
		t.Helper()
		var p page[orgItem]
		ok(t, e.call(t, "GET", "organizations/list/?"+query, "", keyAcmeDefault), &p)
		return p
	}
	for _, tc := range []struct {
		query                string
		page, pages, perPage int
		count                int
		want                 []string
	}{
		{"sort_by=asc", 1, 1, 20, 3, []string{orgAcmeDefault, orgAcmeSupport, orgAcmeLabs}},
		{"sort_by=desc", 1, 1, 20, 3, []string{orgAcmeLabs, orgAcmeSupport, orgAcmeDefault}},
		{"sort_by=ASC", 1, 1, 20, 3, []string{orgAcmeDefault, orgAcmeSupport, orgAcmeLabs}},
		{"per_page=2&sort_by=asc", 1, 2, 2, 3, []string{orgAcmeDefault, orgAcmeSupport}},
		{"per_page=2&page=2&sort_by=asc", 2, 2, 2, 3, []string{orgAcmeLabs}},
		{"per_page=2&page=3", 3, 2, 2, 3, []string{}},
		{"per_page=1&page=3&sort_by=asc", 3, 3, 1, 3, []string{orgAcmeLabs}},
		{"per_page=1&page=4", 4, 3, 1, 3, []string{}},
		{"page=9223372036854775807", 9223372036854775807, 1, 20, 3, []string{}},
		{"per_page=3", 1, 1, 3, 3, []string{orgAcmeLabs, orgAcmeSupport, orgAcmeDefault}},
		{"per_page=1000", 1, 1, 1000, 3, []string{orgAcmeLabs, orgAcmeSupport, orgAcmeDefault}},
		{"page=&per_page=&sort_by=", 1, 1, 20, 3, []string{orgAcmeLabs, orgAcmeSupport, orgAcmeDefault}},
		{"search=support", 1, 1, 20, 1, []string{orgAcmeSupport}},
		{"search=ACME%20L", 1, 1, 20, 1, []string{orgAcmeLabs}},
		{"search=acme&sort_by=asc", 1, 1, 20, 3, []string{orgAcmeDefault, orgAcmeSupport, orgAcmeLabs}},
		{"search=%25", 1, 1, 20, 0, []string{}}, // "%" is a character, not a wildcard
		{"search=globex", 1, 1, 20, 0, []string{}},
		{"search=", 1, 1, 20, 3, []string{orgAcmeLabs, orgAcmeSupport, orgAcmeDefault}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			p := get(tc.query)
			assert.Equal(t, tc.page, p.Page)
			assert.Equal(t, tc.pages, p.NumPages)
			assert.Equal(t, tc.perPage, p.PerPage)
			assert.Equal(t, tc.count, p.Count)
			assert.Equal(t, tc.want, orgIDs(p.Items))
		})
	}
	t.Run("non-ASCII search folds case", func(t *testing.T) {
		ok(t, e.call(t, "PATCH", "organizations/details/"+orgAcmeLabs+"/", `{"name": "Acme Équipe"}`, keyAcmeDefault), nil)
		assert.Equal(t, []string{orgAcmeLabs}, orgIDs(get("search=%C3%A9QUIPE").Items)) // "éQUIPE"
	})
	for _, q := range []string{"page=0", "page=-1", "page=x", "page=1.5", "page=99999999999999999999",
		"per_page=0", "per_page=1001", "per_page=abc", "sort_by=newest"} {
		t.Run("bad "+q, func(t *testing.T) {
			fails(t, e.call(t, "GET", "organizations/list/?"+q, "", keyAcmeDefault), 400, 125)
		})
	}
}

func TestOrganizationDetailsScoping(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	// Organizations with a webhook_url show their api_key; Acme Labs has none.
	details := map[string]string{
		orgAcmeDefault: `{"id": "` + orgAcmeDefault + `", "name": "Acme Default", "status": "active",
			"create_date": "2025-01-06T09:00:00Z", "api_key": "lm-acme-default"}`,
		orgAcmeSupport: `{"id": "` + orgAcmeSupport + `", "name": "Acme Support", "status": "active",
			"create_date": "2025-01-27T22:23:51Z", "api_key": "lm-acme-support"}`,
		orgAcmeLabs: `{"id": "` + orgAcmeLabs + `", "name": "Acme Labs", "status": "active",
			"create_date": "2025-02-03T14:05:10Z"}`,
		orgGlobexDefault: `{"id": "` + orgGlobexDefault + `", "name": "Globex Default", "status": "active",
			"create_date": "2025-01-15T08:00:00Z"}`,
	}
	reach := map[string][]string{
		keyAcmeDefault:   {orgAcmeDefault, orgAcmeSupport, orgAcmeLabs},
		keyAcmeSupport:   {orgAcmeSupport},
		keyAcmeLabs:      {orgAcmeLabs},
		keyGlobexDefault: {orgGlobexDefault},
	}
	for key, reached := range reach {
		for _, id := range []string{orgAcmeDefault, orgAcmeSupport, orgAcmeLabs, orgGlobexDefault, unknownID, "not-a-uuid"} {
			t.Run(key+"/"+id, func(t *testing.T) {
				res := e.call(t, "GET", "organizations/details/"+id+"/", "", key)
				if assert.ObjectsAreEqual(true, contains(reached, id)) {
					require.Equal(t, 200, res.Status, res.Body)
					assert.JSONEq(t, details[id], res.Body)
					return
				}
				// Out of scope and nonexistent answer byte for byte the same.
				fails(t, res, 400, 100)
				assert.JSONEq(t, notFoundOrgBody, res.Body)
			})
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestCreateOrganization(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	e.Deps.Clock.Advance(90 * time.Second)
	res := e.call(t, "POST", "organizations/new/", `{"name": "Acme Mobile", "website": "https://m.acme.example.com",
		"support_url": "https://m.acme.example.com/help", "country": "US",
		"webhook_url": "https://m.acme.example.com/hooks", "webhook_header": "secret", "unknown": 1}`, keyAcmeDefault)
	var created orgItem
	ok(t, res, &created)
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, created.ID)
	require.NotEmpty(t, created.APIKey)
	assert.JSONEq(t, `{"id": "`+created.ID+`", "name": "Acme Mobile", "api_key": "`+created.APIKey+`",
		"create_date": "2026-01-15T12:01:30Z"}`, res.Body)
	assert.Regexp(t, `^\{"id":"[^"]+","name":"Acme Mobile","api_key":"[^"]+","create_date":"[^"]+"\}$`, res.Body,
		"key order of the docs' create response")

	// The new key works at once, and reaches only its own organization.
	res = e.call(t, "GET", "organizations/details/"+created.ID+"/", "", created.APIKey)
	ok(t, res, nil)
	assert.JSONEq(t, `{"id": "`+created.ID+`", "name": "Acme Mobile", "status": "active",
		"create_date": "2026-01-15T12:01:30Z", "api_key": "`+created.APIKey+`"}`, res.Body)
	fails(t, e.call(t, "GET", "organizations/details/"+orgAcmeDefault+"/", "", created.APIKey), 400, 100)
	fails(t, e.call(t, "GET", "organizations/list/", "", created.APIKey), 400, 100)
	assert.Equal(t, []string{orgAcmeDefault, orgAcmeSupport, orgAcmeLabs, created.ID}, orgIDs(e.listOrgs(t, keyAcmeDefault)))
	assert.Len(t, e.listOrgs(t, keyGlobexDefault), 1)

	// Without webhook_url there is no api_key in the response, yet the key exists.
	res = e.call(t, "POST", "organizations/new/", `{"name": "Acme Quiet", "website": "http://q.example.com",
		"support_url": "http://q.example.com/s", "country": "gb"}`, keyAcmeDefault)
	ok(t, res, &created)
	assert.JSONEq(t, `{"id": "`+created.ID+`", "name": "Acme Quiet", "create_date": "2026-01-15T12:01:30Z"}`, res.Body)
}

func TestCreateOrganizationRefusals(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	valid := `"name": "N", "website": "https://w.example.com", "support_url": "https://w.example.com/s"`
	for _, tc := range []struct {
		name, key, body string
		code            int
	}{
		{"support key", keyAcmeSupport, `{` + valid + `, "country": "US"}`, 100},
		{"labs key", keyAcmeLabs, `{` + valid + `, "country": "US"}`, 100},
		{"empty body", keyAcmeDefault, ``, 120},
		{"empty object", keyAcmeDefault, `{}`, 120},
		{"no country", keyAcmeDefault, `{` + valid + `}`, 120},
		{"null country", keyAcmeDefault, `{` + valid + `, "country": null}`, 120},
		{"blank name", keyAcmeDefault, `{"name": "  ", "website": "https://w.example.com", "support_url": "https://w.example.com/s", "country": "US"}`, 120},
		{"missing wins over invalid", keyAcmeDefault, `{"name": "N", "website": "nope", "country": "US"}`, 120},
		{"UK is not ISO", keyAcmeDefault, `{` + valid + `, "country": "UK"}`, 125},
		{"EU is not a country", keyAcmeDefault, `{` + valid + `, "country": "EU"}`, 125},
		{"XX", keyAcmeDefault, `{` + valid + `, "country": "XX"}`, 125},
		{"alpha-3", keyAcmeDefault, `{` + valid + `, "country": "USA"}`, 125},
		{"country number", keyAcmeDefault, `{` + valid + `, "country": 840}`, 125},
		{"relative website", keyAcmeDefault, `{"name": "N", "website": "/w", "support_url": "https://w.example.com", "country": "US"}`, 125},
		{"ftp support_url", keyAcmeDefault, `{"name": "N", "website": "https://w.example.com", "support_url": "ftp://w.example.com", "country": "US"}`, 125},
		{"bad webhook_url", keyAcmeDefault, `{` + valid + `, "country": "US", "webhook_url": "hooks"}`, 125},
		{"webhook_url number", keyAcmeDefault, `{` + valid + `, "country": "US", "webhook_url": 1}`, 125},
		{"name too long", keyAcmeDefault, fmt.Sprintf(`{"name": "%0300d", "website": "https://w.example.com", "support_url": "https://w.example.com/s", "country": "US"}`, 0), 125},
		{"malformed", keyAcmeDefault, `{"name": `, 125},
		{"array", keyAcmeDefault, `[]`, 125},
		{"null", keyAcmeDefault, `null`, 125},
		{"number", keyAcmeDefault, `7`, 125},
		{"trailing data", keyAcmeDefault, `{} {}`, 125},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := fails(t, e.call(t, "POST", "organizations/new/", tc.body, tc.key), 400, tc.code)
			if tc.code == 100 {
				assert.Equal(t, notDefaultKeyMessage, msg)
			}
		})
	}
	assert.Len(t, e.listOrgs(t, keyAcmeDefault), 3, "nothing was created")
}

func TestPatchOrganization(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	path := "organizations/details/" + orgAcmeLabs + "/"
	// Only name changes; the response is the details shape with the new value.
	res := e.call(t, "PATCH", path, `{"name": "Acme Research"}`, keyAcmeDefault)
	ok(t, res, nil)
	assert.JSONEq(t, `{"id": "`+orgAcmeLabs+`", "name": "Acme Research", "status": "active",
		"create_date": "2025-02-03T14:05:10Z"}`, res.Body)

	// Adding a webhook_url makes the api_key appear; removing it hides it again.
	res = e.call(t, "PATCH", path, `{"webhook_url": "https://labs.example.com/hook", "country": "fr"}`, keyAcmeDefault)
	ok(t, res, nil)
	assert.JSONEq(t, `{"id": "`+orgAcmeLabs+`", "name": "Acme Research", "status": "active",
		"create_date": "2025-02-03T14:05:10Z", "api_key": "lm-acme-labs"}`, res.Body)
	res = e.call(t, "PATCH", path, `{"webhook_url": null}`, keyAcmeDefault)
	ok(t, res, nil)
	assert.NotContains(t, res.Body, "api_key")

	// An empty body changes nothing and still answers the details.
	res = e.call(t, "PATCH", path, `{}`, keyAcmeDefault)
	ok(t, res, nil)
	assert.JSONEq(t, `{"id": "`+orgAcmeLabs+`", "name": "Acme Research", "status": "active",
		"create_date": "2025-02-03T14:05:10Z"}`, res.Body)

	// The Default key may patch its own (Default) organization too.
	res = e.call(t, "PATCH", "organizations/details/"+orgAcmeDefault+"/", `{"name": "Acme HQ"}`, keyAcmeDefault)
	ok(t, res, nil)
	assert.Contains(t, res.Body, `"name":"Acme HQ"`)
}

func TestPatchOrganizationRefusals(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	before := e.call(t, "GET", "organizations/details/"+orgAcmeSupport+"/", "", keyAcmeDefault).Body
	for _, tc := range []struct {
		name, key, id, body string
		code                int
		wantBody            string
	}{
		{"own org, non-Default key", keyAcmeSupport, orgAcmeSupport, `{"name": "X"}`, 100, ""},
		{"labs key", keyAcmeLabs, orgAcmeSupport, `{"name": "X"}`, 100, ""},
		{"other account", keyGlobexDefault, orgAcmeSupport, `{"name": "X"}`, 100, notFoundOrgBody},
		{"unknown id", keyAcmeDefault, unknownID, `{"name": "X"}`, 100, notFoundOrgBody},
		// "Not found" comes before the body's problems.
		{"unknown id, bad field", keyAcmeDefault, unknownID, `{"country": "ZZ"}`, 100, notFoundOrgBody},
		{"other account, bad field", keyGlobexDefault, orgAcmeSupport, `{"name": ""}`, 100, notFoundOrgBody},
		// The key is checked (known, then Default) before the body.
		{"unknown key, malformed", "lm-nope", orgAcmeSupport, `{"name": "X"`, 130, ""},
		{"non-Default key, malformed", keyAcmeSupport, orgAcmeSupport, `{"name": "X"`, 100,
			`{"success": false, "code": 100, "message": "` + notDefaultKeyMessage + `"}`},
		{"one bad field among good ones", keyAcmeDefault, orgAcmeSupport, `{"name": "X", "website": "https://x.example.com", "country": "ZZ"}`, 125, ""},
		{"blank name", keyAcmeDefault, orgAcmeSupport, `{"name": "", "website": "https://x.example.com"}`, 125, ""},
		{"null name", keyAcmeDefault, orgAcmeSupport, `{"name": null}`, 125, ""},
		{"name number", keyAcmeDefault, orgAcmeSupport, `{"name": 5}`, 125, ""},
		{"bad url", keyAcmeDefault, orgAcmeSupport, `{"name": "X", "support_url": "support"}`, 125, ""},
		{"bad webhook", keyAcmeDefault, orgAcmeSupport, `{"name": "X", "webhook_url": "javascript:alert(1)"}`, 125, ""},
		{"malformed", keyAcmeDefault, orgAcmeSupport, `{"name": "X"`, 125, ""},
		{"not an object", keyAcmeDefault, orgAcmeSupport, `"X"`, 125, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := e.call(t, "PATCH", "organizations/details/"+tc.id+"/", tc.body, tc.key)
			fails(t, res, 400, tc.code)
			if tc.wantBody != "" {
				assert.JSONEq(t, tc.wantBody, res.Body)
			}
		})
	}
	assert.Equal(t, before, e.call(t, "GET", "organizations/details/"+orgAcmeSupport+"/", "", keyAcmeDefault).Body,
		"nothing changed")
}

func TestDeleteOrganization(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	supportPath := "organizations/details/" + orgAcmeSupport + "/"

	// Refused: non-Default keys (even on their own organization), other accounts, unknown ids.
	assert.Equal(t, notDefaultKeyMessage, fails(t, e.call(t, "DELETE", supportPath, "", keyAcmeSupport), 400, 100))
	fails(t, e.call(t, "DELETE", "organizations/details/"+orgAcmeLabs+"/", "", keyAcmeLabs), 400, 100)
	res := e.call(t, "DELETE", supportPath, "", keyGlobexDefault)
	fails(t, res, 400, 100)
	assert.JSONEq(t, notFoundOrgBody, res.Body)
	res = e.call(t, "DELETE", "organizations/details/"+unknownID+"/", "", keyAcmeDefault)
	assert.JSONEq(t, notFoundOrgBody, res.Body)

	// Refused: the Default organization.
	res = e.call(t, "DELETE", "organizations/details/"+orgAcmeDefault+"/", "", keyAcmeDefault)
	assert.JSONEq(t, `{"success": false, "code": 100, "message": "The Default organization cannot be deleted"}`, res.Body)
	res = e.call(t, "DELETE", "organizations/details/"+orgGlobexDefault+"/", "", keyGlobexDefault)
	fails(t, res, 400, 100)

	// Refused while an active sender name is assigned (the canceled one does not count).
	res = e.call(t, "DELETE", supportPath, "", keyAcmeDefault)
	assert.Equal(t, "The organization has active sender names assigned to it; cancel them or move them to another organization first",
		fails(t, res, 400, 100))
	ok(t, e.call(t, "GET", supportPath, "", keyAcmeSupport), nil)

	// Cancel the active sender, then the delete goes through.
	res = e.call(t, "DELETE", "sender/"+senderSupportActive+"/cancel/", "", keyAcmeSupport)
	ok(t, res, nil)
	assert.JSONEq(t, `{"success": true}`, res.Body)
	res = e.call(t, "DELETE", supportPath, "", keyAcmeDefault)
	ok(t, res, nil)
	assert.JSONEq(t, `{"success": true}`, res.Body)

	// Gone from details and list; its key no longer works; the rest is intact.
	assert.JSONEq(t, notFoundOrgBody, e.call(t, "GET", supportPath, "", keyAcmeDefault).Body)
	assert.Equal(t, []string{orgAcmeDefault, orgAcmeLabs}, orgIDs(e.listOrgs(t, keyAcmeDefault)))
	fails(t, e.call(t, "GET", supportPath, "", keyAcmeSupport), 400, 130)
	fails(t, e.call(t, "GET", "sender/list/", "", keyAcmeSupport), 400, 130)
	assert.Equal(t, []string{senderAcmeDefault}, senderIDs(e.listSenders(t, keyAcmeDefault)))
	fails(t, e.call(t, "DELETE", supportPath, "", keyAcmeDefault), 400, 100)

	// An organization without senders deletes at once.
	ok(t, e.call(t, "DELETE", "organizations/details/"+orgAcmeLabs+"/", "", keyAcmeDefault), nil)
	assert.Equal(t, []string{orgAcmeDefault}, orgIDs(e.listOrgs(t, keyAcmeDefault)))
	assert.Len(t, e.listOrgs(t, keyGlobexDefault), 1)
}

func TestDeleteAfterMovingTheSenderAway(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	ok(t, e.call(t, "PATCH", "sender/"+senderSupportActive+"/", `{"organization_id": "`+orgAcmeLabs+`"}`, keyAcmeDefault), nil)
	ok(t, e.call(t, "DELETE", "organizations/details/"+orgAcmeSupport+"/", "", keyAcmeDefault), nil)
	// Now Labs holds an active sender and cannot be deleted.
	fails(t, e.call(t, "DELETE", "organizations/details/"+orgAcmeLabs+"/", "", keyAcmeDefault), 400, 100)
	assert.Equal(t, []string{senderSupportActive}, senderIDs(e.listSenders(t, keyAcmeLabs)))
}

func TestResetRestoresFixtures(t *testing.T) {
	t.Parallel()
	e := newLM(t)
	ok(t, e.call(t, "DELETE", "organizations/details/"+orgAcmeLabs+"/", "", keyAcmeDefault), nil)
	res := e.Do(t, "POST", "/_emulator/reset?vendor="+url.QueryEscape("loopmessage"), "")
	require.Equal(t, 200, res.Status, res.Body)
	assert.Len(t, e.listOrgs(t, keyAcmeDefault), 3)
	ok(t, e.call(t, "GET", "organizations/details/"+orgAcmeLabs+"/", "", keyAcmeLabs), nil)
}

// TestKeptOrgJSONIsTheEncodersBytes: an organization's details, the
// organization list and PATCH answer the kept JSON byte for byte as encoding
// the columns does (the general path, taken where the parts are not kept),
// with a name JSON escapes, a webhook_url set and removed.
func TestKeptOrgJSONIsTheEncodersBytes(t *testing.T) {
	t.Parallel()
	newEnv := func() *lm {
		var api *loop.API
		env := emutest.New(t, []store.Schema{loop.Schema()}, func(d server.Deps) []server.Vendor {
			api = loop.New(d)
			return []server.Vendor{api}
		}, emutest.WithSequentialIDs())
		return &lm{Env: env, API: api}
	}
	kept, encoded := newEnv(), newEnv()
	forget := func() {
		_, err := encoded.Deps.DB.Write().Exec(`UPDATE lm_organizations SET json_item = NULL`)
		require.NoError(t, err)
	}
	forget()
	nameJSON, err := json.Marshal("A \"q\" <b>&amp; \\ \u2028\u2029 é 😀 \u007f")
	require.NoError(t, err)
	var created string
	for i, step := range []struct{ method, path, body, key string }{
		{"POST", "organizations/new/", `{"name": ` + string(nameJSON) + `, "website": "https://w.example.com",
			"support_url": "https://s.example.com", "country": "us", "webhook_url": "https://h.example.com/?a=<1>&b=2"}`, keyAcmeDefault},
		{"GET", "organizations/details/{new}/", "", keyAcmeDefault},
		{"GET", "organizations/details/" + orgAcmeSupport + "/", "", keyAcmeDefault},
		{"GET", "organizations/details/" + orgAcmeSupport + "/", "", keyAcmeSupport},
		{"GET", "organizations/list/", "", keyAcmeDefault},
		{"GET", "organizations/list/?per_page=2&page=2&sort_by=asc", "", keyAcmeDefault},
		{"PATCH", "organizations/details/{new}/", `{"name": " \u2028 <&> \"x\" ", "webhook_url": null}`, keyAcmeDefault},
		{"GET", "organizations/details/{new}/", "", keyAcmeDefault},
		{"PATCH", "organizations/details/" + orgAcmeLabs + "/", `{"webhook_url": "https://l.example.com"}`, keyAcmeDefault},
		{"GET", "organizations/details/" + orgAcmeLabs + "/", "", keyAcmeLabs},
		{"GET", "organizations/list/?per_page=1000", "", keyAcmeDefault},
	} {
		path := strings.ReplaceAll(step.path, "{new}", created)
		got := kept.call(t, step.method, path, step.body, step.key)
		want := encoded.call(t, step.method, path, step.body, step.key)
		forget()
		require.Equal(t, http.StatusOK, want.Status, "%d %s: %s", i, path, want.Body)
		assert.Equal(t, want.Body, got.Body, "%d %s %s", i, step.method, path)
		assert.Equal(t, want.Header.Get("Content-Length"), got.Header.Get("Content-Length"), "%d", i)
		if created == "" {
			var o struct{ ID string }
			require.NoError(t, json.Unmarshal([]byte(got.Body), &o))
			created = o.ID
		}
	}
	var notKept int
	require.NoError(t, kept.Deps.DB.Read().QueryRow(`SELECT count(*) FROM lm_organizations WHERE json_item IS NULL`).Scan(&notKept))
	assert.Zero(t, notKept, "every organization's JSON is kept")

	// A page with one item not kept (the list's one-row read then counts
	// it) is encoded from the columns, every item.
	_, err = kept.Deps.DB.Write().Exec(`UPDATE lm_organizations SET json_item = NULL WHERE id = ?`, orgAcmeLabs)
	require.NoError(t, err)
	got, want := kept.call(t, "GET", "organizations/list/", "", keyAcmeDefault), encoded.call(t, "GET", "organizations/list/", "", keyAcmeDefault)
	require.Equal(t, http.StatusOK, got.Status, got.Body)
	assert.Equal(t, want.Body, got.Body)
}

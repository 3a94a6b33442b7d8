package greenarrow_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUpdateChecksInOrder: PUT organization authenticates itself, with the
// key read in its transaction; it answers as the authenticate middleware
// and scopedOrgID would: the key's 401 (its message the one every other
// route gives) before the path's 404, before the body's 400, before a
// missing organization's 404, before a 422. No refused request changes
// anything.
func TestUpdateChecksInOrder(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	exec(t, env, `INSERT INTO ga_api_keys (id, name, secret, role, organization_id, active)
		VALUES (7, 'off', 'off-secret', 'organization_admin', 3, 0), (8, 'org3', 'org3-secret', 'organization_admin', 3, 1)`)
	exec(t, env, `UPDATE ga_organizations SET active = 0 WHERE id = 3`)
	before := snapshot(t, env)

	const (
		valid     = `{"organization":{"text_footer":"changed"}}`
		malformed = `{"organization":{"text_footer":5}}`
		invalid   = `{"organization":{"time_zone_name":"nowhere"}}`
	)
	bodies := []string{valid, malformed, invalid, ""}
	ids := []string{"2", "3", "999", "abc", "0"}

	// Refused keys: the middleware's answer on another route, whatever the
	// path and the body.
	for _, who := range [][]string{
		nil,
		{"Authorization: Bearer ga-system-admin-secret"},
		{basic("1", "ga-org2-admin-secret")},
		{basic("99", "ga-system-admin-secret")},
		{basic("admin", "ga-system-admin-secret")},
		{basic("1", "")},
		{basic("7", "off-secret")},  // an inactive key
		{basic("8", "org3-secret")}, // the admin of an inactive organization
	} {
		want := env.Do(t, "GET", base+"/organizations", "", who...)
		requireError(t, want, 401, "not_authorized")
		for _, id := range ids {
			for _, body := range bodies {
				res := env.Do(t, "PUT", base+"/organizations/"+id, body, who...)
				assert.Equal(t, want.Status, res.Status, "%v %s %s", who, id, body)
				assert.Equal(t, want.Body, res.Body, "%v %s %s", who, id, body)
			}
		}
	}

	// An organization admin's other organizations, existing or not, and a
	// path naming none: not_found, whatever the body.
	for _, id := range ids[1:] {
		for _, body := range bodies {
			e := requireError(t, env.Do(t, "PUT", base+"/organizations/"+id, body, orgAdmin), 404, "not_found")
			assert.Equal(t, notFoundMessage(id), *e.ErrorMessage)
		}
	}
	// The system administrator: a path naming no organization, then the
	// body, then a missing organization, then validation.
	for _, id := range []string{"abc", "0"} {
		for _, body := range bodies {
			e := requireError(t, env.Do(t, "PUT", base+"/organizations/"+id, body, sysAdmin), 404, "not_found")
			assert.Equal(t, notFoundMessage(id), *e.ErrorMessage)
		}
	}
	for _, id := range []string{"2", "3", "999"} {
		requireError(t, env.Do(t, "PUT", base+"/organizations/"+id, malformed, sysAdmin), 400, "invalid_request")
		requireError(t, env.Do(t, "PUT", base+"/organizations/"+id, "", sysAdmin), 400, "invalid_request")
	}
	for _, body := range []string{valid, invalid} {
		e := requireError(t, env.Do(t, "PUT", base+"/organizations/999", body, sysAdmin), 404, "not_found")
		assert.Equal(t, "organization 999 not found", *e.ErrorMessage)
	}
	requireError(t, env.Do(t, "PUT", base+"/organizations/3", invalid, sysAdmin), 422, "validation_failed")
	requireError(t, env.Do(t, "PUT", base+"/organizations/2", malformed, orgAdmin), 400, "invalid_request")
	requireError(t, env.Do(t, "PUT", base+"/organizations/2", invalid, orgAdmin), 422, "validation_failed")
	assert.Equal(t, before, snapshot(t, env))

	// And what passes every check applies.
	e := requireOK(t, env.Do(t, "PUT", base+"/organizations/2", valid, orgAdmin))
	assert.Equal(t, "changed", field[string](t, e.Data, "text_footer"))
	e = requireOK(t, env.Do(t, "PUT", base+"/organizations/3", valid, sysAdmin))
	assert.Equal(t, "changed", field[string](t, e.Data, "text_footer"))
}

// notFoundMessage names the organization as orgID does: a path that is
// no id is quoted.
func notFoundMessage(id string) string {
	if id == "abc" || id == "0" {
		return fmt.Sprintf("organization %q not found", id)
	}
	return "organization " + id + " not found"
}

// TestUpdateKeepsWhatItDoesNotChange: an update that leaves the quotas
// alone keeps them and the credits as they are, also in fixed_credits (no
// credits start again); one that sends the sending quota again, its mode
// unchanged, starts none either.
func TestUpdateKeepsWhatItDoesNotChange(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	id := create(t, env, `{"organization":{"name":"Kept","sending_quota":{"mode":"fixed_credits","limit":10},
		"subscriber_quota":{"mode":"visible_limit","limit":5,"overage":1}}}`)
	p := fmt.Sprintf("%s/organizations/%d", base, id)
	requireOK(t, env.Do(t, "PUT", p+"/set_sending_credits", `{"credits":7}`, sysAdmin))
	want := requireOK(t, env.Do(t, "GET", p, "", sysAdmin)).Data

	e := requireOK(t, env.Do(t, "PUT", p, `{"organization":{"text_footer":"tf","permissions":{"speed":5}}}`, sysAdmin))
	for _, doc := range []string{"sending_quota", "subscriber_quota", "auto_subscriber_management"} {
		assert.JSONEq(t, string(field[json.RawMessage](t, want, doc)), string(field[json.RawMessage](t, e.Data, doc)), doc)
	}
	_, available := credits(t, env, p+"/sending_credits")
	assert.Equal(t, int64(7), available)

	requireOK(t, env.Do(t, "PUT", p, `{"sending_quota":{"limit":20}}`, sysAdmin))
	_, available = credits(t, env, p+"/sending_credits")
	assert.Equal(t, int64(7), available, "the mode did not change")

	// What an update answers is what is stored.
	e = requireOK(t, env.Do(t, "PUT", p, `{"html_header":"h"}`, sysAdmin))
	require.JSONEq(t, string(requireOK(t, env.Do(t, "GET", p, "", sysAdmin)).Data), string(e.Data))
}

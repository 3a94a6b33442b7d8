package courier_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/courier/catalog"
	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
)

// junkBodies are values of every wrong kind a member can get.
func junkBodies() []string {
	return []string{`null`, `true`, `-1e308`, `"x"`, `[null, 1]`, `{"a": {"b": [1]}}`, `"` + strings.Repeat("z", 5000) + `"`,
		`"11111111-1111-1111-1111-111111111111"`}
}

// badVariants derives bad requests from one valid request of an operation.
func badVariants(t *testing.T, op jsonapi.Operation, req walkRequest) []walkRequest {
	t.Helper()
	uuid := regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)
	path, query, _ := strings.Cut(req.path, "?")
	var out []walkRequest
	add := func(p, b string) { out = append(out, walkRequest{p, b}) }
	// Unknown and malformed ids in the path.
	if strings.Contains(op.Path, "{id}") {
		add(uuid.ReplaceAllString(path, "ffffffff-ffff-4fff-8fff-ffffffffffff")+"?"+query, req.body)
		add(strings.Replace(path, strings.Split(strings.TrimPrefix(path, "/v1/"), "/")[1], "not-an-id%00", 1)+"?"+query, req.body)
	}
	// Junk in the query: unknown parameters, bad values of known ones.
	add(path+"?"+query+"&bogus=1", req.body)
	for _, p := range op.Query {
		for _, v := range []string{"x", "-1", "99999999999999999999", "%ZZ"} {
			add(path+"?"+p.Name+"="+v, req.body)
		}
	}
	if req.body == "" {
		return out
	}
	// Broken bodies.
	for _, b := range []string{`{"data": `, `[]`, `null`, `{"data": {"type": 5}}`, `{"data": {"type": "` + op.Type + `"}}`,
		strings.Repeat(`{"a":`, 2000) + `1` + strings.Repeat(`}`, 2000), `{"event": 1e400}`, `{"a": 1}{"b": 2}`, "\xff\xfe"} {
		add(req.path, b)
	}
	// Every member of the valid body, with values of every wrong kind.
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(req.body), &doc), req.body)
	members := doc
	if data, ok := doc["data"].(map[string]any); ok && op.Body == "jsonapi" {
		members, _ = data["attributes"].(map[string]any)
	}
	for name := range members {
		saved := members[name]
		for _, j := range junkBodies() {
			var v any
			require.NoError(t, json.Unmarshal([]byte(j), &v))
			members[name] = v
			raw, err := json.Marshal(doc)
			require.NoError(t, err)
			add(req.path, string(raw))
		}
		members[name] = saved
	}
	members["no-such-member"] = 1
	raw, _ := json.Marshal(doc)
	add(req.path, string(raw))
	return out
}

// TestBadInputGroupedOperations throws malformed, mistyped and out-of-range
// input at every operation of walkGrouped: never a 5xx, and a refused request changes nothing.
func TestBadInputGroupedOperations(t *testing.T) {
	t.Parallel()
	walk := groupedWalk()
	// One store per family group (stores are costly under -race); the
	// groups run in parallel, their operations in catalog order.
	groups := map[string][]jsonapi.Operation{}
	for _, op := range catalog.Operations() {
		if walkGrouped(op) {
			g := walkGroup(op)
			groups[g] = append(groups[g], op)
		}
	}
	for name, ops := range groups {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newEnv(t)
			base := storeState(t, env)
			for _, op := range ops {
				req := walk[op.ID]
				// Credentials and content types first: always refused.
				for _, tc := range []struct {
					token, ct string
					want      int
				}{{"", "", 401}, {"nope", "", 401}, {adminToken, "text/plain", 415}} {
					headers := []string{}
					if tc.token != "" {
						headers = append(headers, "Authorization: Bearer "+tc.token)
					}
					if tc.ct != "" {
						headers = append(headers, "Content-Type: "+tc.ct)
					}
					body := req.body
					if tc.want == 415 && body == "" {
						body = "x=1"
					}
					r := env.Do(t, op.Method, "/courier"+req.path, body, headers...)
					require.Equal(t, tc.want, r.Status, "%s: %s", op.ID, r.Body)
					assert.Len(t, decode(t, r).Errors, 1)
				}
				require.Equal(t, base, storeState(t, env), op.ID)
				changes := totalChanges(t, env)
				for _, v := range badVariants(t, op, req) {
					r := call(t, env, adminToken, op.Method, v.path, v.body)
					require.Less(t, r.Status, 500, "%s %s %.300s: %s", op.Method, v.path, v.body, r.Body)
					now := totalChanges(t, env)
					switch {
					case r.Status >= 400:
						require.NotEmpty(t, decode(t, r).Errors, r.Body)
						if now != changes { // something was written (and rolled back?): compare the data
							require.Equal(t, base, storeState(t, env), "refused %s %s %.300s changed state", op.Method, v.path, v.body)
						}
					case now != changes:
						base = storeState(t, env)
					}
					changes = now
				}
			}
		})
	}
}

// walkGroup is the family group of an operation.
func walkGroup(op jsonapi.Operation) string {
	for _, p := range []string{"text", "voice", "video"} {
		if strings.HasPrefix(op.Resource, p) {
			return p
		}
	}
	return "other"
}

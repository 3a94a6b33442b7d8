package courier_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/emulator/vendor-emulator/internal/courier/catalog"
	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
)

// validValue makes a valid value of a documented query parameter.
func validValue(p jsonapi.Param) []string {
	uuids := map[string]string{
		"organization-id": org1, "individual-id": indAlice, "participant-id": indAlice, "channel-id": chanGroup1,
		"message-id": msg3, "bulk-message-id": bulkMessage1, "profile-individual-id": indPat, "user-id": adminUser,
		"filter[individual-group-id]": group1, "individual-group-id": group1, "filter[channel-id]": chanGroup1,
		"filter[created-by]": adminUser, "filter[individual-id]": indAlice,
	}
	switch {
	case strings.HasPrefix(p.Name, "filter[cmp-"):
		return []string{">=2026-01-01T00:00:00Z", "<=2026-02-01T00:00:00+00:00"}
	case p.Kind == "array" && len(p.ItemEnum) > 0:
		return []string{p.ItemEnum[0]}
	case p.Kind == "integer":
		if p.Default != "" {
			return []string{p.Default}
		}
		return []string{"10"}
	case p.Kind == "boolean":
		return []string{"true"}
	case p.Format == "uuid":
		if v, ok := uuids[p.Name]; ok {
			return []string{v}
		}
		return []string{"12345678-1234-4234-8234-123456789012"}
	case p.Format == "email":
		return []string{"alice.admin@example.com"}
	case len(p.Enum) > 0:
		return []string{p.Enum[0]}
	case p.Pattern != "":
		return []string{"hours"}
	}
	return []string{"x"}
}

// TestEveryDocumentedParameter sends every documented query parameter of
// every read of walkFresh, one at a time, with a valid value: each is accepted.
func TestEveryDocumentedParameter(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	for _, op := range catalog.Operations() {
		if !walkFresh(op) || op.Method != http.MethodGet {
			continue
		}
		base := strings.SplitN(freshWalk[op.ID].path, "?", 2)[0]
		required := url.Values{}
		for _, p := range op.Query {
			if p.Required {
				required[p.Name] = validValue(p)
			}
		}
		for _, p := range op.Query {
			q := url.Values{}
			for k, v := range required {
				q[k] = v
			}
			q[p.Name] = validValue(p)
			path := base + "?" + q.Encode()
			r := call(t, env, adminToken, "GET", path, "")
			assert.Equal(t, http.StatusOK, r.Status, "%s %s: %s", op.ID, path, r.Body)
		}
	}
}

package courier_test

import (
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/courier"
	"github.com/emulator/vendor-emulator/internal/courier/catalog"
	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/golden-walk.json from the current answers")

const goldenFile = "testdata/golden-walk.json"

// goldenAnswer is one recorded exchange of the golden walk.
type goldenAnswer struct {
	Op          string `json:"op"`
	Request     string `json:"request"`
	Status      int    `json:"status"`
	ContentType string `json:"content_type"`
	Body        string `json:"body"`
}

// TestGoldenWalk walks every operation of the catalog (the valid request of
// the catalog walks, preceded by one with an unknown query parameter) with
// sequential ids, and compares every answer byte for byte with the answers
// recorded in testdata/golden-walk.json. It pins courier's observable
// behaviour while its code is moved around; a deliberate change of an answer
// re-records it with `go test ./internal/courier/ -run TestGoldenWalk -update`.
func TestGoldenWalk(t *testing.T) {
	t.Parallel()
	fresh, grouped := freshWalk, groupedWalk()
	groups := map[string][]jsonapi.Operation{}
	var order []string
	for _, op := range catalog.Operations() {
		g := "fresh:" + op.ID // each freshWalk request expects the fixtures as seeded
		if walkGrouped(op) {
			g = "grouped:" + walkGroup(op) // groupedWalk requests run in catalog order per group
		}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], op)
	}
	got := map[string][]goldenAnswer{}
	results := make(chan map[string][]goldenAnswer, len(order))
	t.Run("groups", func(t *testing.T) {
		for _, g := range order {
			ops := groups[g]
			t.Run(g, func(t *testing.T) {
				t.Parallel()
				env := emutest.New(t, []store.Schema{courier.Schema()}, func(d server.Deps) []server.Vendor {
					return []server.Vendor{courier.New(d)}
				}, emutest.WithSequentialIDs())
				out := map[string][]goldenAnswer{}
				for _, op := range ops {
					var path, body string
					if r, ok := fresh[op.ID]; ok {
						path, body = strings.ReplaceAll(r.path, ">", "%3E"), r.body
					} else if r, ok := grouped[op.ID]; ok {
						path, body = r.path, r.body
					} else {
						t.Errorf("no walk request for %s", op.ID)
						continue
					}
					sep := "?"
					if strings.Contains(path, "?") {
						sep = "&"
					}
					for _, p := range []string{path + sep + "golden-unknown=1", path} {
						r := call(t, env, adminToken, op.Method, p, body, "X-Request-Id: golden-"+op.ID)
						out[op.ID] = append(out[op.ID], goldenAnswer{Op: op.ID, Request: op.Method + " " + p,
							Status: r.Status, ContentType: r.Header.Get("Content-Type"),
							Body: strings.ReplaceAll(r.Body, env.URL, "http://emulator")}) // the port changes per run
					}
				}
				results <- out
			})
		}
	})
	close(results)
	for out := range results {
		for k, v := range out {
			got[k] = v
		}
	}
	var all []goldenAnswer
	for _, op := range catalog.Operations() {
		all = append(all, got[op.ID]...)
	}
	require.Len(t, all, 2*177, "two answers for each of the 177 operations")
	if *updateGolden {
		raw, err := json.MarshalIndent(all, "", "  ")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(goldenFile, append(raw, '\n'), 0o644))
		return
	}
	raw, err := os.ReadFile(goldenFile)
	require.NoError(t, err)
	var want []goldenAnswer
	require.NoError(t, json.Unmarshal(raw, &want))
	require.Len(t, all, len(want))
	failed := 0
	for i := range want {
		if !assert.Equal(t, want[i], all[i], "answer %d (%s)", i, want[i].Request) {
			if failed++; failed == 5 {
				t.Fatal("more than 5 answers differ")
			}
		}
	}
}

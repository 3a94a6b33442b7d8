package partner

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// TestListPlans checks the query plans of the clients and channels lists in
// their default order (id) and by creation time: the page is read in order
// through an index (no scan, no sort).
func TestListPlans(t *testing.T) {
	t.Parallel()
	var api *API
	env := emutest.New(t, []store.Schema{Schema()}, func(d server.Deps) []server.Vendor {
		api = New(d)
		return []server.Vendor{api}
	})
	for name, spec := range map[string]listSpec{"clients": clientList, "channels": channelList} {
		for _, query := range []string{"", "sort=id", "sort=-id", "sort=created_at"} {
			q, err := url.ParseQuery(query)
			require.NoError(t, err)
			lq, err := parseList(q, spec)
			require.NoError(t, err)
			for _, column := range []string{"api_key", "id"} {
				sql, args := lq.directSQL(api, spec, "id", column, "examplePA-api-key", "examplePA")
				steps, err := store.QueryPlan(context.Background(), env.Deps.DB.Read(), sql, args...)
				require.NoError(t, err)
				for _, s := range steps {
					if (strings.HasPrefix(s, "SCAN ") && s != "SCAN CONSTANT ROW") || strings.HasPrefix(s, "USE TEMP B-TREE") {
						t.Errorf("%s ?%s (%s): %s\n%s", name, query, column, s, sql)
					}
				}
			}
		}
	}
}

package courier_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
)

// seedRows inserts n extra records of a type straight into the store (the
// triggers keep the counts), spread over time.
func seedRows(b *testing.B, env *emutest.Env, typ, org, parent string, n int, attrs func(i int) string) {
	b.Helper()
	err := env.Deps.DB.Tx(context.Background(), func(tx *sql.Tx) error {
		st, err := tx.Prepare(`INSERT INTO cr_resources (type, id, org_id, parent_id, created_at, text, attrs) VALUES (?, ?, ?, ?, ?, '', ?)`)
		if err != nil {
			return err
		}
		defer st.Close()
		start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range n {
			at := start.Add(time.Duration(i) * time.Second).Format("2006-01-02T15:04:05.000000+00:00")
			if _, err := st.Exec(typ, fmt.Sprintf("b0000000-0000-4000-8000-%012d", i), org, parent, at, attrs(i)); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(b, err)
}

// BenchmarkListFirstPage measures the first page of a list at 100 and at
// 100,000 rows of the type: it must not grow with the rows (indexes on the
// columns lists scope and order by; totals from cr_counts).
func BenchmarkListFirstPage(b *testing.B) {
	cases := []struct {
		name, token, path, typ, org, parent string
		attrs                               func(i int) string
	}{
		{"announcers/one-org", org1Token, "/v1/announcers/?organization-id=" + org1, "announcers", org1, "",
			func(i int) string {
				return fmt.Sprintf(`{"name": "a%d", "event": "e", "organization-id": %q, "args": {}, "type": "t"}`, i, org1)
			}},
		{"announcers/two-orgs", adminToken, "/v1/announcers/", "announcers", org1, "",
			func(i int) string {
				return fmt.Sprintf(`{"name": "a%d", "event": "e", "organization-id": %q, "args": {}, "type": "t"}`, i, org1)
			}},
		{"messages/one-channel", adminToken, "/v1/messaging-messages/?channel-id=" + chanDirect, "messaging-messages", org1, chanDirect,
			func(i int) string {
				return fmt.Sprintf(`{"channel-id": %q, "individual-id": %q, "message": "m%d", "draft": false, "posted-time": "2025-01-01T00:00:00.000000+00:00", "reactions": []}`, chanDirect, indPat, i)
			}},
	}
	for _, tc := range cases {
		for _, rows := range []int{100, 100_000} {
			b.Run(fmt.Sprintf("%s/rows=%d", tc.name, rows), func(b *testing.B) {
				env := newEnv(b)
				seedRows(b, env, tc.typ, tc.org, tc.parent, rows, tc.attrs)
				b.ResetTimer()
				for b.Loop() {
					r := call(b, env, tc.token, "GET", tc.path, "")
					if r.Status != http.StatusOK {
						b.Fatalf("%d %s", r.Status, r.Body)
					}
				}
			})
		}
	}
}

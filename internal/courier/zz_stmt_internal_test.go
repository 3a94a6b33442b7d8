package courier

import (
	"context"
	"os"
	"testing"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"

	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

func BenchmarkZZStmt(b *testing.B) {
	env := emutest.New(b, []store.Schema{Schema()}, func(d server.Deps) []server.Vendor { return []server.Vendor{New(d)} })
	e := newEngine(env.Deps)
	ch := "50000000-0000-4000-8000-000000000001"
	who := "30000000-0000-4000-8000-000000000001"
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		sql  string
		args []any
	}{
		{"load", `SELECT type, id, org_id, parent_id, created_at, attrs FROM cr_messaging_channels WHERE type = ? AND id = ?`, []any{"messaging-channels", ch}},
		{"subs", channelSubscribersSQL(1), []any{ch}},
		{"group", `SELECT type, id, org_id, parent_id, created_at, attrs FROM cr_resources WHERE type = ? AND id = ?`, []any{"individual-groups", "40000000-0000-4000-8000-000000000001"}},
		{"inds", `SELECT type, id, org_id, parent_id, created_at, attrs FROM cr_resources WHERE type = 'individuals' AND id IN (?, ?, ?)`, []any{who, "30000000-0000-4000-8000-000000000002", "30000000-0000-4000-8000-000000000003"}},
		{"states", channelStatesSQL(e, 1), channelStatesArgs([]string{ch}, who)},
		{"newmsgs", newMessagesOf("?", "?"), []any{ch, who, ch, ch, who}},
		{"inds-json", `SELECT type, id, org_id, parent_id, created_at, attrs FROM cr_resources WHERE type = 'individuals' AND id IN (SELECT value FROM json_each(?))`, []any{`["` + who + `","30000000-0000-4000-8000-000000000002","30000000-0000-4000-8000-000000000003"]`}},
		{"inds-union", `SELECT type, id, org_id, parent_id, created_at, attrs FROM cr_resources WHERE type = 'individuals' AND id = ? UNION ALL SELECT type, id, org_id, parent_id, created_at, attrs FROM cr_resources WHERE type = 'individuals' AND id = ? UNION ALL SELECT type, id, org_id, parent_id, created_at, attrs FROM cr_resources WHERE type = 'individuals' AND id = ?`, []any{who, "30000000-0000-4000-8000-000000000002", "30000000-0000-4000-8000-000000000003"}},
		{"inds-1", `SELECT type, id, org_id, parent_id, created_at, attrs FROM cr_resources WHERE type = 'individuals' AND id IN (?)`, []any{who}},
		{"inds-noattrs", `SELECT type, id, org_id, parent_id, created_at FROM cr_resources WHERE type = 'individuals' AND id IN (?, ?, ?)`, []any{who, "30000000-0000-4000-8000-000000000002", "30000000-0000-4000-8000-000000000003"}},
		{"inds-values", `SELECT r.type, r.id, r.org_id, r.parent_id, r.created_at, r.attrs FROM (VALUES (?), (?), (?)) v JOIN cr_resources r ON r.type = 'individuals' AND r.id = v.column1`, []any{who, "30000000-0000-4000-8000-000000000002", "30000000-0000-4000-8000-000000000003"}},
		{"inds-values-cross", `SELECT r.type, r.id, r.org_id, r.parent_id, r.created_at, r.attrs FROM (VALUES (?), (?), (?)) v CROSS JOIN cr_resources r ON r.type = 'individuals' AND r.id = v.column1`, []any{who, "30000000-0000-4000-8000-000000000002", "30000000-0000-4000-8000-000000000003"}},
		{"last", `SELECT m.id, m.org_id, m.attrs FROM cr_messaging_messages AS m WHERE m.type = 'messaging-messages' AND m.id = (SELECT id FROM cr_messaging_messages INDEXED BY ` + e.ParentIndex(messagesTable) + ` WHERE type = 'messaging-messages' AND parent_id = ? AND json_extract(attrs, '$.draft') = 0 ORDER BY created_at DESC, id DESC LIMIT 1)`, []any{ch}},
		{"bm", `SELECT b.id, b.org_id, b.attrs FROM cr_resources AS b WHERE b.type = 'messaging-bookmarks' AND b.id = (SELECT id FROM cr_resources INDEXED BY ` + e.ParentIndex(jsonapi.SharedTable) + ` WHERE type = 'messaging-bookmarks' AND parent_id = ? ORDER BY created_at DESC, id DESC LIMIT 1)`, []any{ch}},
		{"count-in", `SELECT COALESCE(SUM(n), 0) FROM cr_counts WHERE type = 'organizations' AND org_id IN (?, ?)`, []any{"10000000-0000-4000-8000-000000000001", "10000000-0000-4000-8000-000000000002"}},
		{"count-values", `SELECT COALESCE(SUM(n), 0) FROM (VALUES (?), (?)) AS v CROSS JOIN cr_counts WHERE type = 'organizations' AND org_id = v.column1`, []any{"10000000-0000-4000-8000-000000000001", "10000000-0000-4000-8000-000000000002"}},
		{"const", `SELECT 1`, nil},
	} {
		b.Run(tc.name, func(b *testing.B) {
			env.Deps.DB.ReadTx(ctx, func(tx *store.Tx) error {
				if os.Getenv("ZZTS") != "" {
					if _, err := tx.ExecContext(ctx, "PRAGMA temp_store = "+os.Getenv("ZZTS")); err != nil {
						b.Fatal(err)
					}
				}
				for b.Loop() {
					rows, err := tx.QueryContext(ctx, tc.sql, tc.args...)
					if err != nil {
						b.Fatal(err)
					}
					n := 0
					for rows.Next() {
						n++
					}
					rows.Close()
				}
				return nil
			})
		})
	}
}

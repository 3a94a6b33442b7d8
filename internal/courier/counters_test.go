package courier_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/fixtures"
	"github.com/emulator/vendor-emulator/internal/clock"
	"github.com/emulator/vendor-emulator/internal/courier"
	"github.com/emulator/vendor-emulator/internal/emutest"
	idgen "github.com/emulator/vendor-emulator/internal/ids"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// TestCountersAgreeWithRows: what the triggers of migrations 100-109 keep
// counted or copied equals what counting the rows gives, after every kind of
// write: posts, drafts and their posting, reactions, read marks moved both
// ways, bulk posts, notifications, attachments, bookmarks, purges, writes
// straight to the tables and a reset.
func TestCountersAgreeWithRows(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	check := func(step string) {
		t.Helper()
		checkCounters(t, env.Deps.DB, step)
	}
	check("fixtures")
	mustCall(t, env, 201, "POST", "/v1/messaging-messages/", resourceDoc("messaging-messages", "",
		`{"channel-id": "`+chanDirect+`", "individual-id": "`+indAlice+`", "message": "one"}`))
	check("post")
	draft := one(t, mustCall(t, env, 201, "POST", "/v1/messaging-messages/", resourceDoc("messaging-messages", "",
		`{"channel-id": "`+chanDirect+`", "individual-id": "`+indPat+`", "message": "draft", "draft": true}`))).ID
	check("draft")
	env.Deps.Clock.Advance(60_000_000_000)
	mustCall(t, env, 200, "PATCH", "/v1/messaging-messages/"+draft+"/", resourceDoc("messaging-messages", draft, `{"draft": false}`))
	check("draft posted")
	mustCall(t, env, 200, "PATCH", "/v1/messaging-messages/"+draft+"/", resourceDoc("messaging-messages", draft, `{"removed": true}`))
	check("last message removed")
	mustCall(t, env, 201, "POST", "/v1/messaging-messages/"+msg4+"/reactions/", `{"individual-id": "`+indAlice+`", "reaction-type": "love"}`)
	check("reaction")
	mustCall(t, env, 201, "POST", "/v1/messaging-messages/"+draft+"/ack/", `{"individual-id": "`+indAlice+`"}`)
	check("ack forward")
	mustCall(t, env, 201, "POST", "/v1/messaging-messages/"+msg4+"/ack/", `{"individual-id": "`+indAlice+`", "allow-past": true}`)
	check("ack backward")
	mustCall(t, env, 201, "POST", "/v1/messaging-messages/"+msg3+"/ack/", `{"individual-id": "`+indOlivia+`"}`)
	check("first mark")
	mustCall(t, env, 201, "POST", "/v1/messaging-bulk-messages/", resourceDoc("messaging-bulk-messages", "",
		`{"individual-ids": ["`+indPat+`", "`+indQuinn+`"], "message": "Flu shots.", "sender-individual-id": "`+indAlice+`", "auto-create-channel": true}`))
	check("bulk")
	mustCall(t, env, 201, "POST", "/v1/user-notifications/73000000-0000-4000-8000-000000000003/ack/", `{"ack-previous": true}`)
	check("notifications acknowledged")
	r := mustCall(t, env, 201, "POST", "/v1/messaging-attachments/", resourceDoc("messaging-attachments", "",
		`{"content-type": "image/png", "filename": "a.png", "message-id": "`+msg4+`"}`))
	var ticket struct{ Data struct{ ID string } }
	require.NoError(t, jsonUnmarshal(r.Body, &ticket))
	check("attachment pending")
	mustCall(t, env, 201, "POST", "/v1/messaging-attachments/"+ticket.Data.ID+"/process-upload/", `{}`)
	check("attachment uploaded")
	mustCall(t, env, 200, "PATCH", "/v1/messaging-attachments/"+ticket.Data.ID+"/", resourceDoc("messaging-attachments", ticket.Data.ID, `{"removed": true}`))
	check("attachment removed")
	// Writes no handler makes: a message without author, one moved to
	// another channel, a deleted one, a mark moved to other ends.
	exec(t, env, `INSERT INTO cr_messaging_messages (type, id, org_id, parent_id, created_at, attrs) VALUES ('messaging-messages',
		'c0000000-0000-4000-8000-000000000001', ?, ?, '2026-01-07T00:00:00.000000+00:00',
		'{"draft": false, "posted-time": "2026-01-07T00:00:00.000000+00:00"}')`, org1, chanGroup1)
	check("anonymous")
	exec(t, env, `UPDATE cr_messaging_messages SET parent_id = ? WHERE type = 'messaging-messages' AND id = ?`, chanDirect, msg3)
	check("moved")
	exec(t, env, `UPDATE cr_messaging_messages SET attrs = json_set(attrs, '$.message', 'edited by hand')
		WHERE type = 'messaging-messages' AND id = (SELECT last_message_id FROM cr_messaging_channels WHERE id = ?)`, chanDirect)
	check("last message edited")
	exec(t, env, `UPDATE cr_messaging_messages SET parent_id = ? WHERE type = 'messaging-messages' AND id = ?`, chanGroup1, draft)
	check("last message moved")
	exec(t, env, `UPDATE cr_resources SET parent_id = ? WHERE type = 'messaging-attachments' AND id = ?`, msg1, ticket.Data.ID)
	check("attachment moved to another message")
	exec(t, env, `INSERT INTO cr_resources (type, id, org_id, parent_id, created_at, attrs) VALUES ('messaging-attachments',
		'c0000000-0000-4000-8000-000000000002', ?, 'c0000000-0000-4000-8000-000000000003', '2026-01-07T00:00:00.000000+00:00', '{"_uploaded": true}')`, org1)
	exec(t, env, `INSERT INTO cr_messaging_messages (type, id, org_id, parent_id, created_at, attrs) VALUES ('messaging-messages',
		'c0000000-0000-4000-8000-000000000003', ?, ?, '2026-01-07T00:00:00.000000+00:00', '{"draft": true}')`, org1, chanGroup1)
	check("a message stored after its attachment")
	exec(t, env, `DELETE FROM cr_messaging_messages WHERE type = 'messaging-messages' AND id IN (?, 'c0000000-0000-4000-8000-000000000001')`, msg1)
	check("deleted")
	exec(t, env, `UPDATE cr_links SET to_id = ? WHERE rel = 'read' AND from_id = ? AND to_id = ?`, indQuinn, chanGroup1, indAlice)
	check("mark moved to another reader")
	exec(t, env, `UPDATE cr_resources SET attrs = json_set(attrs, '$.leaders', json('[{"id": "`+indQuinn+`"}]'))
		WHERE type = 'individual-groups' AND id = ?`, group1)
	check("group changed")
	mustCall(t, env, 201, "POST", "/v1/messaging-bookmarks/", resourceDoc("messaging-bookmarks", "",
		`{"channel-id": "`+chanDirect+`", "message-id": "`+msg4+`"}`))
	mustCall(t, env, 201, "POST", "/v1/messaging-channels/"+chanGroup1+"/archive/", `{}`)
	check("bookmark, channel saved")
	callWant(t, env, adminToken, "POST", "/v1/purge-data/", resourceDoc("system-purges", "",
		`{"archive": true, "entity-id": "`+indPat+`", "entity-type": "individual", "reference-id": "r", "request-id": "r-1"}`), 201)
	check("purge")
	r = env.Do(t, "POST", "/_emulator/reset?vendor=courier", "")
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	check("reset")
}

func exec(t *testing.T, env *emutest.Env, query string, args ...any) {
	t.Helper()
	require.NoError(t, env.Deps.DB.Tx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.ExecContext(context.Background(), query, args...)
		return err
	}))
}

// checkCounters compares every counter with the rows it counts.
func checkCounters(t *testing.T, db *store.DB, step string) {
	t.Helper()
	rowsOf := func(tx *store.Tx, query string, args ...any) []string {
		_, rows := emutest.Rows(t, tx, query, args...)
		out := make([]string, len(rows))
		for i, vals := range rows {
			out[i] = fmt.Sprint(vals...)
		}
		return out
	}
	require.NoError(t, db.Tx(context.Background(), func(tx *store.Tx) error {
		assert.Equal(t,
			rowsOf(tx, `SELECT parent_id, json_quote(json_extract(attrs, '$."individual-id"')) AS a, count(*),
				total((json_extract(attrs, '$.draft') = 0) IS TRUE),
				total((json_extract(attrs, '$.draft') = 0 AND json_extract(attrs, '$."posted-time"') > '') IS TRUE),
				total((json_extract(attrs, '$."posted-time"') > '') IS TRUE), total(json_extract(attrs, '$."posted-time"') IS NULL)
				FROM cr_messaging_messages WHERE type = 'messaging-messages' GROUP BY parent_id, a ORDER BY parent_id, a`),
			rowsOf(tx, `SELECT channel_id, author, messages, 1.0 * posted, 1.0 * unread, 1.0 * timed, 1.0 * untimed
				FROM cr_channel_authors WHERE messages != 0 OR posted != 0 OR unread != 0 OR timed != 0 OR untimed != 0
				ORDER BY channel_id, author`),
			"%s: messages by channel and author", step)
		assert.Equal(t,
			rowsOf(tx, `SELECT parent_id, org_id, (json_extract(attrs, '$."active"') = 1) IS TRUE AS a,
				CASE WHEN json_extract(attrs, '$."acknowledged"') = 1 THEN 1 WHEN json_extract(attrs, '$."acknowledged"') = 0 THEN 0 ELSE -1 END AS k,
				count(*) FROM cr_resources WHERE type = 'user-notifications' GROUP BY parent_id, org_id, a, k ORDER BY parent_id, org_id, a, k`),
			rowsOf(tx, `SELECT user_id, org_id, active, acknowledged, n FROM cr_notification_counts WHERE n != 0
				ORDER BY user_id, org_id, active, acknowledged`),
			"%s: notifications by user, organization and flags", step)
		assert.Equal(t,
			rowsOf(tx, `SELECT json_extract(attrs, '$."individual-id"') AS i, org_id, count(*) FROM cr_resources
				WHERE type = 'user-notifications' AND i IS NOT NULL GROUP BY i, org_id ORDER BY i, org_id`),
			rowsOf(tx, `SELECT individual_id, org_id, n FROM cr_individual_org_notifications WHERE n != 0 ORDER BY individual_id, org_id`),
			"%s: notifications by individual and organization", step)
		assert.Equal(t,
			rowsOf(tx, `SELECT parent_id, substr(created_at, 1, 10) AS d, count(*) FROM cr_resources WHERE type = 'user-notifications'
				GROUP BY parent_id, d ORDER BY 1, 2`),
			rowsOf(tx, `SELECT user_id, day, n FROM cr_notification_days WHERE n != 0 ORDER BY 1, 2`),
			"%s: notifications by user and day", step)
		assert.Equal(t,
			rowsOf(tx, `SELECT parent_id, substr(created_at, 1, 16) AS m, count(*) FROM cr_resources WHERE type = 'user-notifications'
				GROUP BY parent_id, m ORDER BY 1, 2`),
			rowsOf(tx, `SELECT user_id, minute, n FROM cr_notification_minutes WHERE n != 0 ORDER BY 1, 2`),
			"%s: notifications by user and minute", step)
		assert.Equal(t,
			rowsOf(tx, `SELECT json_extract(j.value, '$.id') AS i, g.id FROM cr_resources g, json_each(g.attrs, '$.individuals') j
				WHERE g.type = 'individual-groups' AND i IS NOT NULL
				UNION SELECT json_extract(j.value, '$.id') AS i, g.id FROM cr_resources g, json_each(g.attrs, '$.leaders') j
				WHERE g.type = 'individual-groups' AND i IS NOT NULL ORDER BY 1, 2`),
			rowsOf(tx, `SELECT individual_id, group_id FROM cr_group_members ORDER BY 1, 2`),
			"%s: group members", step)
		assert.Equal(t,
			rowsOf(tx, `SELECT id, (SELECT count(*) FROM cr_messaging_messages m WHERE m.type = 'messaging-messages' AND m.parent_id = ch.id),
				(SELECT max(json_extract(l.attrs, '$."ack-time"')) FROM cr_links l WHERE l.rel = 'read' AND l.from_id = ch.id),
				EXISTS (SELECT 1 FROM cr_resources bm WHERE bm.type = 'messaging-bookmarks' AND bm.parent_id = ch.id)
				FROM cr_messaging_channels ch WHERE type = 'messaging-channels' ORDER BY id`),
			rowsOf(tx, `SELECT id, message_count, ack_time, bookmarked FROM cr_messaging_channels ORDER BY id`),
			"%s: what channels copy (messages, latest ack, bookmarked)", step)
		assert.Empty(t, rowsOf(tx, `SELECT channel_id FROM cr_channel_catchup`), "%s: channels left behind at a commit", step)
		assert.Equal(t, rowsOf(tx, `SELECT ch.id, m.id, m.org_id, m.attrs -> '$.message', m.attrs -> '$."posted-time"', m.attrs -> '$.removed'
			FROM cr_messaging_channels ch LEFT JOIN cr_messaging_messages m ON m.type = 'messaging-messages' AND m.id = (
				SELECT id FROM cr_messaging_messages WHERE type = 'messaging-messages' AND parent_id = ch.id
				AND json_extract(attrs, '$.draft') = 0 ORDER BY created_at DESC, id DESC LIMIT 1)
			WHERE ch.type = 'messaging-channels' ORDER BY ch.id`),
			rowsOf(tx, `SELECT id, last_message_id, last_message_org, last_message_text, last_message_posted, last_message_removed
				FROM cr_messaging_channels WHERE type = 'messaging-channels' ORDER BY id`),
			"%s: channels' last messages (migration 115)", step)
		assert.NotEqual(t, []string{"0"}, rowsOf(tx, `SELECT count(last_message_id) FROM cr_messaging_channels`),
			"%s: some channel has a last message", step)
		assert.Equal(t,
			rowsOf(tx, `SELECT id, (SELECT count(*) FROM cr_resources a WHERE a.type = 'messaging-attachments' AND a.parent_id = m.id
				AND json_extract(a.attrs, '$."_uploaded"') = 1) FROM cr_messaging_messages m WHERE type = 'messaging-messages' ORDER BY id`),
			rowsOf(tx, `SELECT id, attachment_count FROM cr_messaging_messages WHERE type = 'messaging-messages' ORDER BY id`),
			"%s: messages' uploaded attachments", step)
		var channels, people []string
		for _, r := range rowsOf(tx, `SELECT id FROM cr_messaging_channels WHERE type = 'messaging-channels'`) {
			channels = append(channels, r)
		}
		for _, r := range rowsOf(tx, `SELECT id FROM cr_resources WHERE type = 'individuals' UNION SELECT ''`) {
			people = append(people, r)
		}
		for _, ch := range channels {
			for _, who := range people {
				var mark any = ""
				if err := tx.QueryRowContext(context.Background(), `SELECT COALESCE(json_extract(attrs, '$."posted-time"'), '') FROM cr_links
					WHERE rel = 'read' AND from_id = ? AND to_id = ?`, ch, who).Scan(&mark); err != nil && err != sql.ErrNoRows {
					return err
				}
				// The queries the counters replace, as they were.
				var wantNew, wantAll, wantRead, wantUnread, gotNew, gotAll, gotRead, gotUnread int64
				var gotMark any
				if err := tx.QueryRowContext(context.Background(), `SELECT count(*) FROM cr_messaging_messages WHERE type = 'messaging-messages' AND parent_id = ?
					AND json_extract(attrs, '$.draft') = 0 AND json_extract(attrs, '$."individual-id"') IS NOT ?
					AND json_extract(attrs, '$."posted-time"') > ?`, ch, who, mark).Scan(&wantNew); err != nil {
					return err
				}
				cond := `(json_extract(attrs, '$."individual-id"') = ? OR json_extract(attrs, '$."posted-time"') <= COALESCE(
					(SELECT json_extract(l.attrs, '$."posted-time"') FROM cr_links l WHERE l.rel = 'read' AND l.from_id = cr_messaging_messages.parent_id AND l.to_id = ?), ''))`
				if err := tx.QueryRowContext(context.Background(), `SELECT count(*), count(*) FILTER (WHERE `+cond+`), count(*) FILTER (WHERE NOT `+cond+`)
					FROM cr_messaging_messages WHERE type = 'messaging-messages' AND parent_id = ?`, who, who, who, who, ch).Scan(
					&wantAll, &wantRead, &wantUnread); err != nil {
					return err
				}
				if who != "" {
					if err := tx.QueryRowContext(context.Background(), courier.NewMessagesSQL, ch, who, ch, ch, who).Scan(&gotNew); err != nil {
						return err
					}
					assert.Equal(t, wantNew, gotNew, "%s: new messages of %s in %s", step, who, ch)
				}
				if err := tx.QueryRowContext(context.Background(), courier.AcknowledgedCountsSQL, who, who, ch, ch, who).Scan(&gotAll, &gotRead, &gotUnread, &gotMark); err != nil {
					return err
				}
				assert.Equal(t, []int64{wantAll, wantRead, wantUnread}, []int64{gotAll, gotRead, gotUnread},
					"%s: messages, acknowledged and not of %s in %s", step, who, ch)
				assert.Equal(t, mark, gotMark, "%s: the read mark of %s in %s", step, who, ch)
			}
		}
		return nil
	}))
}

// TestNotificationDaysAgreeWithRows: the per-day counts of
// user-notification-counts, read from whole-day counters and the rows of the
// bounds' days, equal grouping the rows, for every kind of bound.
func TestNotificationDaysAgreeWithRows(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	for i, at := range []string{"2026-01-09T00:00:00.000000+00:00", "2026-01-09T12:00:00.000000+00:00", "2026-01-09T23:59:59.999999+00:00",
		"2026-01-10T06:00:00.000000+00:00", "2026-01-11T06:00:00.000000+00:00", "2026-01-11T18:00:00.000000+00:00",
		"2026-01-09T12:00:30.000000+00:00", "2026-01-09T12:00:59.999999+00:00", "2026-01-09T12:01:00.000000+00:00",
		"2026-01-11T06:00:20.000000+00:00"} {
		exec(t, env, `INSERT INTO cr_resources (type, id, org_id, parent_id, created_at, attrs) VALUES ('user-notifications', ?, ?, ?, ?, '{}')`,
			fmt.Sprintf("d0000000-0000-4000-8000-%012d", i), org1, adminUser, at)
	}
	exec(t, env, `DELETE FROM cr_resources WHERE type = 'user-notifications' AND id = 'd0000000-0000-4000-8000-000000000004'`)
	times := []string{"", "2026-01-09T00:00:00.000000+00:00", "2026-01-09T12:00:00.000000+00:00", "2026-01-10T00:00:00.000000+00:00",
		"2026-01-10T12:00:00.000000+00:00", "2026-01-11T06:00:00.000000+00:00", "2027-01-01T00:00:00.000000+00:00",
		"2026-01-09T12:00:15.000000+00:00", "2026-01-09T12:00:45.000000+00:00", "2026-01-11T06:00:10.000000+00:00"}
	for _, lo := range times {
		for _, hi := range times {
			for _, window := range [][2]int64{{500, 0}, {2, 1}} {
				where, args := `type = 'user-notifications' AND parent_id = ?`, []any{adminUser}
				if lo != "" {
					where, args = where+` AND created_at >= ?`, append(args, lo)
				}
				if hi != "" {
					where, args = where+` AND created_at <= ?`, append(args, hi)
				}
				var want, got string
				var wantTotal, gotTotal int64
				page, pageArgs, total, totalArgs := courier.NotificationDaysSQL(adminUser, lo, hi, window[0], window[1])
				require.NoError(t, env.Deps.DB.Tx(context.Background(), func(tx *store.Tx) error {
					if err := tx.QueryRowContext(context.Background(), `SELECT COALESCE(group_concat(d || ':' || n), '') FROM (SELECT substr(created_at, 1, 10) AS d,
						count(*) AS n FROM cr_resources WHERE `+where+` GROUP BY d ORDER BY d LIMIT ? OFFSET ?)`,
						append(args, window[0], window[1])...).Scan(&want); err != nil {
						return err
					}
					if err := tx.QueryRowContext(context.Background(), `SELECT COALESCE(group_concat(day || ':' || n), '') FROM (`+page+`)`, pageArgs...).Scan(&got); err != nil {
						return err
					}
					if err := tx.QueryRowContext(context.Background(), `SELECT count(DISTINCT substr(created_at, 1, 10)) FROM cr_resources WHERE `+where, args...).Scan(&wantTotal); err != nil {
						return err
					}
					return tx.QueryRowContext(context.Background(), total, totalArgs...).Scan(&gotTotal)
				}))
				assert.Equal(t, want, got, "page %v between %q and %q", window, lo, hi)
				assert.Equal(t, wantTotal, gotTotal, "total between %q and %q", lo, hi)
			}
		}
	}
}

// TestMigrationsCountWhatIsStored: a database file made before the counters
// existed (only migration 001 applied) gets them counted from what it holds
// when the later migrations apply.
func TestMigrationsCountWhatIsStored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "emulator.db")
	full := courier.Schema()
	old := emutest.OlderSchema(t, full, "001_resources.sql")
	old.Seed = courier.SeedSharedTable
	db, err := store.Open(ctx, path, fixtures.FS, old)
	require.NoError(t, err)
	require.NoError(t, db.Tx(ctx, func(tx *store.Tx) error {
		for _, q := range []string{
			// Messages of several authors, a draft, one without author; read
			// marks before and after them; notifications over several days.
			`INSERT INTO cr_resources (type, id, org_id, parent_id, created_at, attrs) VALUES
				('messaging-messages', 'c1', '` + org1 + `', '` + chanDirect + `', '2026-01-07T00:00:00.000000+00:00',
					'{"draft": false, "posted-time": "2026-01-07T00:00:00.000000+00:00", "individual-id": "` + indPat + `"}'),
				('messaging-messages', 'c2', '` + org1 + `', '` + chanDirect + `', '2026-01-07T01:00:00.000000+00:00',
					'{"draft": true, "individual-id": "` + indAlice + `"}'),
				('messaging-messages', 'c3', '` + org1 + `', '` + chanGroup1 + `', '2026-01-07T02:00:00.000000+00:00',
					'{"draft": false, "posted-time": "2026-01-07T02:00:00.000000+00:00"}'),
				('messaging-bookmarks', 'c4', '` + org1 + `', '` + chanDirect + `', '2026-01-07T03:00:00.000000+00:00', '{}'),
				('user-notifications', 'c5', '` + org1 + `', '` + adminUser + `', '2026-01-12T03:00:00.000000+00:00',
					'{"active": true, "acknowledged": false, "individual-id": "` + indAlice + `"}')`,
			`INSERT INTO cr_links (rel, from_id, to_id, created_at, attrs) VALUES
				('read', '` + chanDirect + `', '` + indQuinn + `', '2026-01-07T00:00:00.000000+00:00', '{"posted-time": "2026-01-06T08:30:00.000000+00:00"}')`,
		} {
			if _, err := tx.ExecContext(context.Background(), q); err != nil {
				return err
			}
		}
		return nil
	}))
	require.NoError(t, db.Close())
	db, err = store.Open(ctx, path, fixtures.FS, full)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	checkCounters(t, db, "upgraded")
}

// TestMigrationCountsStoredAttachments: a database file made before
// migration 109 holds messages with uploaded attachments, with a pending one
// and with none; opened again, each counts its uploaded ones and the page of
// their channel shows them as before.
func TestMigrationCountsStoredAttachments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "emulator.db")
	full := courier.Schema()
	db, err := store.Open(ctx, path, fixtures.FS, schemaBefore(t, full, "109"))
	require.NoError(t, err)
	_, err = db.Write().Exec(`INSERT INTO cr_resources (type, id, org_id, parent_id, created_at, attrs) VALUES
		('messaging-attachments', 'c6000000-0000-4000-8000-000000000001', ?1, ?2, '2026-01-07T00:00:00.000000+00:00', '{"_uploaded": true, "removed": false}'),
		('messaging-attachments', 'c6000000-0000-4000-8000-000000000002', ?1, ?2, '2026-01-07T01:00:00.000000+00:00', '{"_uploaded": true, "removed": true}'),
		('messaging-attachments', 'c6000000-0000-4000-8000-000000000003', ?1, ?3, '2026-01-07T02:00:00.000000+00:00', '{"_uploaded": false}')`,
		org1, msg1, msg4)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	db, err = store.Open(ctx, path, fixtures.FS, full)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	checkCounters(t, db, "upgraded")
	var counted []string
	require.NoError(t, db.Tx(ctx, func(tx *store.Tx) error {
		_, rows := emutest.Rows(t, tx, `SELECT id || ' ' || attachment_count FROM cr_messaging_messages WHERE attachment_count != 0 ORDER BY id`)
		for _, r := range rows {
			counted = append(counted, fmt.Sprint(r...))
		}
		return nil
	}))
	assert.Equal(t, []string{msg1 + " 2", msg3 + " 1"}, counted)

	h := courier.New(server.Deps{DB: db, Clock: clock.New(nil), Log: slog.New(slog.DiscardHandler), IDs: idgen.Random{}}).Routes()
	req := httptest.NewRequest("GET", "/v1/messaging-messages/?channel-id="+chanGroup1, nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var page struct {
		Data []struct {
			ID         string
			Attributes struct{ Attachments []struct{ ID string } }
		}
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &page))
	shown := map[string][]string{}
	for _, m := range page.Data {
		shown[m.ID] = []string{}
		for _, a := range m.Attributes.Attachments {
			shown[m.ID] = append(shown[m.ID], a.ID)
		}
	}
	assert.Equal(t, map[string][]string{
		msg1:                                   {"c6000000-0000-4000-8000-000000000001", "c6000000-0000-4000-8000-000000000002"},
		"60000000-0000-4000-8000-000000000002": {},
		msg3:                                   {"61000000-0000-4000-8000-000000000001"},
	}, shown)
}

// TestMigrationKeepsMessagesInChannelOrder: a database file made before
// migration 110 answers its messages as before once they are stored in their
// channel's order, and its counters still agree with what it holds.
func TestMigrationKeepsMessagesInChannelOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "emulator.db")
	full := courier.Schema()
	paths := []string{"/v1/messaging-messages/?channel-id=" + chanGroup1, "/v1/messaging-messages/?channel-id=" + chanDirect + "&individual-id=" + indAlice,
		"/v1/messaging-messages/" + msg3 + "/", "/v1/messaging-channels/?individual-id=" + indAlice, "/v1/messaging-channels/" + chanGroup1 + "/"}
	answers := func(db *store.DB) []string {
		t.Helper()
		h := courier.New(server.Deps{DB: db, Clock: clock.New(nil), Log: slog.New(slog.DiscardHandler), IDs: idgen.Random{}}).Routes()
		var out []string
		for _, p := range paths {
			req := httptest.NewRequest("GET", p, nil)
			req.Header.Set("Authorization", "Bearer "+adminToken)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			require.Equal(t, http.StatusOK, rec.Code, "%s: %s", p, rec.Body.String())
			out = append(out, rec.Body.String())
		}
		return out
	}
	// What the fixtures answer in a database made by this build (this
	// build's pages read migration 112's column, which the earlier
	// database gets only once it is opened again).
	fresh, err := store.Open(ctx, filepath.Join(t.TempDir(), "fresh.db"), fixtures.FS, full)
	require.NoError(t, err)
	before := answers(fresh)
	require.NoError(t, fresh.Close())
	// This build's every request reads migration 111's index: the earlier
	// database has it (it touches nothing 110 moves).
	db, err := store.Open(ctx, path, fixtures.FS, schemaBefore(t, full, "110", "111_caller_individual.sql"))
	require.NoError(t, err)
	require.NoError(t, db.Close())

	db, err = store.Open(ctx, path, fixtures.FS, full)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	after := answers(db)
	for i, p := range paths {
		assert.JSONEq(t, before[i], after[i], p)
	}
	checkCounters(t, db, "upgraded")
	var table string
	require.NoError(t, db.Read().QueryRow(`SELECT sql FROM sqlite_schema WHERE name = 'cr_messaging_messages'`).Scan(&table))
	assert.Contains(t, table, "PRIMARY KEY (type, parent_id, created_at, id)")
}

// schemaBefore is the schema with only its migrations numbered before
// migration, and those named in also: a database file made by an earlier
// build (seeded as one, without the splice forms of migration 112).
func schemaBefore(t *testing.T, full store.Schema, migration string, also ...string) store.Schema {
	t.Helper()
	entries, err := fs.ReadDir(full.Migrations, ".")
	require.NoError(t, err)
	older := append([]string(nil), also...)
	for _, e := range entries {
		if e.Name() < migration {
			older = append(older, e.Name())
		}
	}
	s := emutest.OlderSchema(t, full, older...)
	s.Seed = courier.SeedWithoutForms
	return s
}

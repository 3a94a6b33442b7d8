package courier

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// TestChannelCaughtUpAtCommit checks migration 114 and channelCatchUpSQL
// within one write transaction, as a group of writes shares one: posts only
// mark their channel (its kept columns stay as they were until the commit),
// the commit brings it up to the latest post, and a write that saved the
// channel after a post keeps its own later time, where one that saved back
// what it had read does not undo the post's; a post older than the channel's
// time (the emulated clock set back) leaves it as it is.
func TestChannelCaughtUpAtCommit(t *testing.T) {
	t.Parallel()
	env := emutest.New(t, []store.Schema{Schema()}, func(d server.Deps) []server.Vendor { return []server.Vendor{New(d)} })
	ctx := context.Background()
	const channel = "50000000-0000-4000-8000-000000000001"
	lastModified := func() string {
		t.Helper()
		var at string
		require.NoError(t, env.Deps.DB.QueryRow(ctx, `SELECT last_modified FROM cr_messaging_channels
			WHERE type = 'messaging-channels' AND id = ?`, channel).Scan(&at))
		return at
	}
	before := lastModified()
	later := []string{"2031-01-01T00:00:01.000000+00:00", "2031-01-01T00:00:02.000000+00:00"}
	for _, tc := range []struct {
		name  string
		posts []string // the posts' times
		saved string   // what a write saves after the posts ("": none)
		want  string
	}{
		{"posts alone", later, "", "2031-01-01T00:00:02.000000+00:00"},
		{"then a save with a later time", later, "2031-01-01T00:00:03.000000+00:00", "2031-01-01T00:00:03.000000+00:00"},
		{"then a save of what was read", later, before, "2031-01-01T00:00:02.000000+00:00"},
		// docs/courier.md: the emulated clock set back before the channel's time.
		{"posts before the channel's time", []string{"2020-01-01T00:00:00.000000+00:00"}, "", before},
	} {
		var inside string
		require.NoError(t, env.Deps.DB.Tx(ctx, func(tx *store.Tx) error {
			for _, at := range tc.posts {
				if _, err := tx.ExecContext(ctx, touchChannelSQL, channel, at, nil, at, nil); err != nil {
					return err
				}
			}
			if err := tx.QueryRowContext(ctx, `SELECT last_modified FROM cr_messaging_channels
				WHERE type = 'messaging-channels' AND id = ?`, channel).Scan(&inside); err != nil {
				return err
			}
			if tc.saved != "" {
				_, err := tx.ExecContext(ctx, `UPDATE cr_messaging_channels SET last_modified = ?
					WHERE type = 'messaging-channels' AND id = ?`, tc.saved, channel)
				return err
			}
			return nil
		}), tc.name)
		assert.Equal(t, before, inside, "%s: behind until the commit", tc.name)
		assert.Equal(t, tc.want, lastModified(), tc.name)
		// Back to where it was, for the next case.
		_, err := env.Deps.DB.Exec(ctx, `UPDATE cr_messaging_channels SET last_modified = ?
			WHERE type = 'messaging-channels' AND id = ?`, before, channel)
		require.NoError(t, err)
	}
	var changed int64
	require.NoError(t, env.Deps.DB.Tx(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, touchChannelSQL, "50000000-0000-4000-8000-0000000000ff", "2031-01-01T00:00:00.000000+00:00",
			"30000000-0000-4000-8000-000000000001", "2031-01-01T00:00:00.000000+00:00", "{}")
		if err == nil {
			changed, err = res.RowsAffected()
		}
		return err
	}))
	assert.Zero(t, changed, "no such channel: nothing marked")
	var left int
	require.NoError(t, env.Deps.DB.QueryRow(ctx, `SELECT count(*) FROM cr_channel_catchup`).Scan(&left))
	assert.Zero(t, left, "empty after every commit")
}

// TestChannelCatchUpWalksMarkedChannels: the catch-up runs at every write
// of every vendor, so its statements read the marks alone, and each mark's
// deletion finds its channel by key (the trigger's statement, planned with
// values for OLD), never the channels or anything else whole.
func TestChannelCatchUpWalksMarkedChannels(t *testing.T) {
	t.Parallel()
	env := emutest.New(t, []store.Schema{Schema()}, func(d server.Deps) []server.Vendor { return []server.Vendor{New(d)} })
	var body string
	require.NoError(t, env.Deps.DB.QueryRow(context.Background(),
		`SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = 'cr_channel_catchup_done'`).Scan(&body))
	_, update, ok := strings.Cut(body, "BEGIN")
	require.True(t, ok, body)
	update = update[:strings.LastIndex(update, "END")] // the trigger's END, after the CASE's
	update = strings.NewReplacer("OLD.channel_id", "'c'", "OLD.last_modified", "'t'", ";", "").Replace(update)
	for _, q := range []string{applyReadMarksSQL, channelCatchUpSQL, update} {
		rows, err := env.Deps.DB.Read().Query("EXPLAIN QUERY PLAN " + q)
		require.NoError(t, err)
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
			plan = append(plan, detail)
		}
		require.NoError(t, rows.Close())
		require.NotEmpty(t, plan, q)
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN ") {
				assert.Equal(t, "SCAN cr_channel_catchup", step, "%s: only the marks are walked whole", q)
			}
			assert.NotContains(t, step, "(type=?)", "%s: a channel is found by its key", q)
			assert.NotContains(t, step, "TEMP B-TREE", "%s: the last message is the end of its channel's range", q)
		}
	}
}

// TestLastMessageInAWrite checks migration 115 and channelStatesSQL: a
// channel's kept last message is behind within the write transaction that
// posted to it (the catch-up runs at its commit), so a write reads the
// messages themselves and sees its own post; after the commit, the kept
// columns show the same message.
func TestLastMessageInAWrite(t *testing.T) {
	t.Parallel()
	env := emutest.New(t, []store.Schema{Schema()}, func(d server.Deps) []server.Vendor { return []server.Vendor{New(d)} })
	ctx := context.Background()
	e := newEngine(env.Deps)
	const channel, who = "50000000-0000-4000-8000-000000000001", "30000000-0000-4000-8000-000000000001"
	const posted = "c0000000-0000-4000-8000-000000000001"
	// No require inside a transaction: a failed one would leave the writer held.
	lastOf := func(tx *store.Tx, kept bool) (id, text string, err error) {
		var ch string
		var unread int64
		var mID, mOrg, mText, mPosted, mRemoved, bID, bOrg, bAttrs sql.NullString
		err = tx.QueryRowContext(ctx, channelStatesSQL(e, 1, kept), channelStatesArgs([]string{channel}, who)...).Scan(
			&ch, &unread, &mID, &mOrg, &mText, &mPosted, &mRemoved, &bID, &bOrg, &bAttrs)
		return mID.String, mText.String, err
	}
	var before, keptBefore string
	require.NoError(t, env.Deps.DB.ReadTx(ctx, func(tx *store.Tx) (err error) {
		if before, _, err = lastOf(tx, false); err != nil {
			return err
		}
		keptBefore, _, err = lastOf(tx, true)
		return err
	}))
	require.NotEmpty(t, before)
	assert.Equal(t, before, keptBefore, "read: the kept columns are the messages'")
	var inWrite, keptInWrite string
	require.NoError(t, env.Deps.DB.Tx(ctx, func(tx *store.Tx) (err error) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO cr_messaging_messages (type, id, org_id, parent_id, created_at, attrs)
			VALUES ('messaging-messages', ?, '10000000-0000-4000-8000-000000000001', ?, '2031-01-01T00:00:00.000000+00:00',
			'{"draft":false,"message":"posted in this write","posted-time":"2031-01-01T00:00:00.000000+00:00"}')`, posted, channel); err != nil {
			return err
		}
		if inWrite, _, err = lastOf(tx, false); err != nil {
			return err
		}
		keptInWrite, _, err = lastOf(tx, true)
		return err
	}))
	assert.Equal(t, posted, inWrite, "a write sees its own post")
	assert.Equal(t, before, keptInWrite, "the kept columns are behind until the commit")
	var after, text string
	require.NoError(t, env.Deps.DB.ReadTx(ctx, func(tx *store.Tx) (err error) {
		after, text, err = lastOf(tx, true)
		return err
	}))
	assert.Equal(t, posted, after, "caught up at the commit")
	assert.Equal(t, `"posted in this write"`, text, "as its JSON value")
}

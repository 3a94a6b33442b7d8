package courier_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/courier"
	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/store"
)

// TestPendingReadMarks checks migration 116 within one write transaction, as
// a group of writes shares one: a post leaves its author's read mark's move
// pending (the read link stays as it was), a later post by the same author
// replaces the move and an earlier one does not, a post by another author
// applies the pending move before leaving its own, a read of a mark applies
// it, the commit applies what is left, a write other than a post applies
// them at its start (and a mark it moves back ends where it was moved), and
// every link ends exactly as moving it at each post wrote it.
func TestPendingReadMarks(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	ctx := context.Background()
	e := courier.NewEngine(env.Deps)
	at := func(s int) string { return fmt.Sprintf("2031-01-01T00:00:%02d.000000+00:00", s) }
	msgID := func(n int) string { return fmt.Sprintf("c0000000-0000-4000-8000-%012d", n) }
	// No require inside a transaction: a failed one would leave the writer held.
	var failures []string
	link := func(tx *store.Tx, who string) string {
		var attrs string
		if err := tx.QueryRowContext(ctx, `SELECT attrs FROM cr_links WHERE rel = 'read' AND from_id = ? AND to_id = ?`,
			chanGroup1, who).Scan(&attrs); err != nil && !errors.Is(err, sql.ErrNoRows) {
			failures = append(failures, err.Error())
		}
		return attrs
	}
	// moved is the link markRead wrote for message n posted at second s,
	// acknowledged at second ack.
	movedAt := func(n, s, ack int) string {
		return `{"message-id":"` + msgID(n) + `","posted-time":"` + at(s) + `","ack-time":"` + at(ack) + `"}`
	}
	moved := func(n, s int) string { return movedAt(n, s, s) }
	post := func(tx *store.Tx, n int, who string, s int) *jsonapi.Record {
		rec := &jsonapi.Record{Type: "messaging-messages", ID: msgID(n), ParentID: chanGroup1, Attrs: map[string]json.RawMessage{}}
		rec.Set("individual-id", who)
		rec.Set("posted-time", at(s))
		rec.Set("draft", false)
		raw, err := json.Marshal(rec.Attrs)
		if err == nil {
			_, err = tx.ExecContext(ctx, `INSERT INTO cr_messaging_messages (type, id, org_id, parent_id, created_at, attrs)
				VALUES ('messaging-messages', ?, ?, ?, ?, ?)`, rec.ID, org1, chanGroup1, at(s), string(raw))
		}
		if err == nil {
			err = courier.Posted(&jsonapi.Call{Ctx: ctx, Tx: tx, Engine: e, Now: at(s)}, rec)
		}
		if err != nil {
			failures = append(failures, err.Error())
		}
		return rec
	}
	var alice0, olivia0 string
	require.NoError(t, env.Deps.DB.ReadTx(ctx, func(tx *store.Tx) error {
		alice0, olivia0 = link(tx, indAlice), link(tx, indOlivia)
		return nil
	}))
	type step struct{ alice, olivia string }
	var steps []step
	look := func(tx *store.Tx) { steps = append(steps, step{link(tx, indAlice), link(tx, indOlivia)}) }
	var read string // the message id of Olivia's mark, read in the write
	require.NoError(t, env.Deps.DB.Tx(ctx, func(tx *store.Tx) (err error) {
		post(tx, 1, indAlice, 1)
		post(tx, 2, indAlice, 2)
		post(tx, 3, indAlice, 1) // earlier than the pending move: it stays
		look(tx)
		post(tx, 4, indOlivia, 3)
		look(tx)
		read, err = courier.ReadMarkOf(&jsonapi.Call{Ctx: ctx, Tx: tx, Engine: e, Now: at(3)}, chanGroup1, indOlivia)
		look(tx)
		post(tx, 5, indAlice, 4)
		return err
	}))
	require.Empty(t, failures)
	assert.Equal(t, []step{{alice0, olivia0}, {moved(2, 2), olivia0}, {moved(2, 2), moved(4, 3)}}, steps)
	assert.Equal(t, msgID(4), read, "a read of a mark applies its move")
	var committed step
	require.NoError(t, env.Deps.DB.ReadTx(ctx, func(tx *store.Tx) error {
		committed = step{link(tx, indAlice), link(tx, indOlivia)}
		return nil
	}))
	assert.Equal(t, step{moved(5, 4), moved(4, 3)}, committed, "the commit applies what is left")
	checkCounters(t, env.Deps.DB, "posts in one transaction")

	// A write other than a post applies the pending moves first.
	steps = nil
	require.NoError(t, env.Deps.DB.Tx(ctx, func(tx *store.Tx) error {
		first := post(tx, 6, indAlice, 5)
		post(tx, 7, indAlice, 6)
		post(tx, 8, indOlivia, 7)
		create := &jsonapi.Call{Ctx: ctx, Tx: tx, Engine: e, Now: at(8), Op: &jsonapi.Operation{ID: "messaging-messages.create"}}
		if err := courier.BeforeWrite(create); err != nil {
			return err
		}
		look(tx)
		ack := &jsonapi.Call{Ctx: ctx, Tx: tx, Engine: e, Now: at(8), Op: &jsonapi.Operation{ID: "messaging-messages.ack"}}
		if err := courier.BeforeWrite(ack); err != nil {
			return err
		}
		look(tx)
		post(tx, 9, indAlice, 9)
		// An ack back to the first post after a later post: where the ack puts it.
		return courier.MarkRead(ack, chanGroup1, indAlice, first, true)
	}))
	require.Empty(t, failures)
	assert.Equal(t, []step{{moved(7, 6), moved(4, 3)}, {moved(7, 6), moved(8, 7)}}, steps)
	require.NoError(t, env.Deps.DB.ReadTx(ctx, func(tx *store.Tx) error {
		committed = step{link(tx, indAlice), link(tx, indOlivia)}
		return nil
	}))
	assert.Equal(t, step{movedAt(6, 5, 8), moved(8, 7)}, committed)
	checkCounters(t, env.Deps.DB, "an ack back after posts")
}

// TestConcurrentPostsMoveEachAuthorsMark: three authors post into one channel
// at once, two clients each, so that their posts commit in groups where one
// author's last post is followed by others': each author's read mark ends at
// their latest post, and every counter agrees with the rows.
func TestConcurrentPostsMoveEachAuthorsMark(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	authors := map[string]int{indAlice: 3, indOlivia: 30, indPat: 30} // posts a client
	var mu sync.Mutex
	latest := map[string]string{} // the posted-time of each author's latest post
	errs := make(chan error, 2*len(authors))
	var wg sync.WaitGroup
	for who, posts := range authors {
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := range posts {
					env.Deps.Clock.Advance(time.Millisecond)
					body := resourceDoc("messaging-messages", "", fmt.Sprintf(`{"channel-id": %q, "individual-id": %q, "message": "%d"}`, chanGroup1, who, n))
					req, err := http.NewRequest("POST", env.URL+"/courier/v1/messaging-messages/", strings.NewReader(body))
					if err != nil {
						errs <- err
						return
					}
					req.Header.Set("Authorization", "Bearer "+adminToken)
					req.Header.Set("Content-Type", "application/vnd.api+json")
					res, err := env.Server.Client().Do(req)
					if err != nil {
						errs <- err
						return
					}
					var created struct {
						Data struct {
							Attributes struct {
								PostedTime string `json:"posted-time"`
							}
						}
					}
					err = json.NewDecoder(res.Body).Decode(&created)
					res.Body.Close()
					if err != nil || res.StatusCode != http.StatusCreated {
						errs <- fmt.Errorf("post %d as %s: %d %v", n, who, res.StatusCode, err)
						return
					}
					mu.Lock()
					latest[who] = max(latest[who], created.Data.Attributes.PostedTime)
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for who := range authors {
		var posted string
		require.NoError(t, env.Deps.DB.QueryRow(context.Background(), `SELECT json_extract(attrs, '$."posted-time"') FROM cr_links
			WHERE rel = 'read' AND from_id = ? AND to_id = ?`, chanGroup1, who).Scan(&posted))
		assert.Equal(t, latest[who], posted, who)
	}
	checkCounters(t, env.Deps.DB, "concurrent posts")
}

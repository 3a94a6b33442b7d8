package courier_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/courier"
	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/store"
)

// benchStart is when seeded records start: after every fixture record, so
// seeded messages are newer than every read mark of the fixtures.
var benchStart = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)

// seedRows inserts n extra records of a type straight into the store (the
// triggers keep the counts), one second apart from 2025-01-01.
func seedRows(b *testing.B, env *emutest.Env, typ, org, parent string, n int, attrs func(i int) string) {
	b.Helper()
	seedRowsAt(b, env, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), "b0", typ, org, parent, n,
		func(i int, _ string) string { return attrs(i) })
}

// seedRowsAt inserts n records of a type from start, one second apart, with
// ids starting with prefix; attrs gets the index and the record's time.
func seedRowsAt(b *testing.B, env *emutest.Env, start time.Time, prefix, typ, org, parent string, n int,
	attrs func(i int, at string) string) {
	b.Helper()
	err := env.Deps.DB.Tx(context.Background(), func(tx *store.Tx) error {
		insert := `INSERT INTO ` + courier.TableOf(typ) + ` (type, id, org_id, parent_id, created_at, text, attrs) VALUES (?, ?, ?, ?, ?, '', ?)`
		for i := range n {
			at := start.Add(time.Duration(i) * time.Second).Format("2006-01-02T15:04:05.000000+00:00")
			if _, err := tx.ExecContext(context.Background(), insert, typ, fmt.Sprintf("%s000000-0000-4000-8000-%012d", prefix, i), org, parent, at, attrs(i, at)); err != nil {
				return err
			}
		}
		// Attributes the type keeps in columns move there, as the engine stores them.
		for attr, col := range courier.ColumnsOf(typ) {
			path := `'$."` + attr + `"'`
			if _, err := tx.ExecContext(context.Background(), `UPDATE `+courier.TableOf(typ)+` SET `+col+` = json_extract(attrs, `+path+`), attrs = json_remove(attrs, `+path+`)
				WHERE type = ? AND id LIKE ?`, typ, prefix+"%"); err != nil {
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

// seedMessages posts n messages of Pat's into the direct channel, newer than
// every fixture message: Alice has read none of them.
func seedMessages(b *testing.B, env *emutest.Env, n int) {
	b.Helper()
	seedRowsAt(b, env, benchStart, "b1", "messaging-messages", org1, chanDirect, n, func(i int, at string) string {
		return fmt.Sprintf(`{"channel-id": %q, "individual-id": %q, "message": "m%d", "draft": false, "posted-time": %q, "reactions": []}`,
			chanDirect, indPat, i, at)
	})
}

// readAll moves Alice's read mark in the direct channel to its newest message.
func readAll(b *testing.B, env *emutest.Env, n int) {
	b.Helper()
	last := fmt.Sprintf("b1000000-0000-4000-8000-%012d", n-1)
	r := call(b, env, adminToken, "POST", "/v1/messaging-messages/"+last+"/ack/", `{"individual-id": "`+indAlice+`"}`)
	require.Equal(b, http.StatusCreated, r.Status, r.Body)
}

// BenchmarkScale measures, at 100 and at 100,000 rows, what the messaging,
// notifications and texting families compute: per-caller counts and
// bookmarks of channels, a channel's messages (with the acknowledged
// filter), receipts, the inbox with its filters and sorts, the summary,
// notifications and texts. None may grow with the rows.
func BenchmarkScale(b *testing.B) {
	unread := func(b *testing.B, env *emutest.Env, n int) { seedMessages(b, env, n) }
	read := func(b *testing.B, env *emutest.Env, n int) { seedMessages(b, env, n); readAll(b, env, n) }
	bookmarks := func(b *testing.B, env *emutest.Env, n int) {
		seedRowsAt(b, env, benchStart, "b2", "messaging-bookmarks", org1, chanDirect, n, func(i int, _ string) string {
			return fmt.Sprintf(`{"channel": {"id": %q}, "message": {"id": %q}, "organization-id": %q}`, chanDirect, msg4, org1)
		})
	}
	channels := func(b *testing.B, env *emutest.Env, n int) {
		seedRowsAt(b, env, benchStart, "b3", "messaging-channels", org1, "", n, func(i int, at string) string {
			return fmt.Sprintf(`{"name": "c%d", "archived": false, "floating": false, "individual-group-id": null, "subscription-type": "none", "org-id": %q, "last-modified-time": %q}`,
				i, org1, at)
		})
	}
	notifications := func(b *testing.B, env *emutest.Env, n int) {
		seedRowsAt(b, env, benchStart, "b4", "user-notifications", org1, adminUser, n, func(i int, at string) string {
			return fmt.Sprintf(`{"acknowledged": false, "active": true, "created-at": %q, "individual-id": %q, "_category": "new-message"}`, at, indAlice)
		})
	}
	texts := func(b *testing.B, env *emutest.Env, n int) {
		seedRowsAt(b, env, benchStart, "b5", "texts", org1, "80000000-0000-4000-8000-000000000001", n, func(i int, at string) string {
			return fmt.Sprintf(`{"account-id": "80000000-0000-4000-8000-000000000001", "message": "t%d", "target": "+1415%07d", "number-id": "81000000-0000-4000-8000-000000000001", "status": "sent"}`,
				i, i)
		})
	}
	const inbox = "/v1/communication-messages/"
	cases := []struct {
		name string
		seed func(b *testing.B, env *emutest.Env, n int)
		path string
	}{
		{"channels/list/unread", unread, "/v1/messaging-channels/"},
		{"channels/list/read", read, "/v1/messaging-channels/"},
		{"channels/list/bookmarks", bookmarks, "/v1/messaging-channels/"},
		{"channels/list/many-channels", channels, "/v1/messaging-channels/"},
		{"channels/get/unread", unread, "/v1/messaging-channels/" + chanDirect + "/"},
		{"channels/get/read", read, "/v1/messaging-channels/" + chanDirect + "/"},
		{"messages/unread", unread, "/v1/messaging-messages/?channel-id=" + chanDirect},
		{"messages/unread/acknowledged", unread, "/v1/messaging-messages/?channel-id=" + chanDirect + "&acknowledged=true"},
		{"messages/unread/not-acknowledged", unread, "/v1/messaging-messages/?channel-id=" + chanDirect + "&acknowledged=false"},
		{"messages/read/acknowledged", read, "/v1/messaging-messages/?channel-id=" + chanDirect + "&acknowledged=true"},
		{"messages/read/not-acknowledged", read, "/v1/messaging-messages/?channel-id=" + chanDirect + "&acknowledged=false"},
		{"messages/receipts", unread, "/v1/messaging-messages/" + msg4 + "/receipts/"},
		{"inbox/unread", unread, inbox},
		{"inbox/unread/sort-unread-count", unread, inbox + "?sort=-unread-count"},
		{"inbox/unread/sort-ack-timestamp", unread, inbox + "?sort=-ack-timestamp"},
		{"inbox/unread/participant", unread, inbox + "?individual-id=" + indAlice},
		{"inbox/bookmarks/bookmarked", bookmarks, inbox + "?filter[bookmarked]=true"},
		{"inbox/many-channels", channels, inbox},
		{"inbox/many-channels/sort-last-timestamp", channels, inbox + "?sort=-last-timestamp"},
		{"inbox/many-channels/sort-unread-count", channels, inbox + "?sort=-unread-count"},
		{"inbox/many-channels/sort-ack-timestamp", channels, inbox + "?sort=-ack-timestamp"},
		{"inbox/many-channels/direct", channels, inbox + "?filter[type]=direct-message"},
		{"inbox/many-channels/bookmarked", channels, inbox + "?filter[bookmarked]=true"},
		{"inbox/many-channels/archived", channels, inbox + "?filter[archived]=true"},
		{"inbox/many-channels/participant", channels, inbox + "?individual-id=" + indAlice},
		{"summary/unread", unread, "/v1/communication-summaries/?include-senders=true"},
		{"summary/many-channels", channels, "/v1/communication-summaries/?include-senders=true"},
		{"notifications", notifications, "/v1/user-notifications/"},
		{"notification-counts", notifications, "/v1/user-notification-counts/"},
		{"notification-counts/bounded", notifications,
			"/v1/user-notification-counts/?filter[cmp-created-at]=%3E%3D2026-02-01T06%3A00%3A00Z&filter[cmp-created-at]=%3C%3D2026-02-01T18%3A00%3A00Z"},
		{"notifications/not-acknowledged", notifications, "/v1/user-notifications/?acknowledged=false"},
		{"texts", texts, "/v1/texts/?account-id=80000000-0000-4000-8000-000000000001"},
		{"texts/target", texts, "/v1/texts/?account-id=80000000-0000-4000-8000-000000000001&filter[target]=%2B14150000007"},
	}
	for _, tc := range cases {
		for _, rows := range []int{100, 100_000} {
			b.Run(fmt.Sprintf("%s/rows=%d", tc.name, rows), func(b *testing.B) {
				env := newEnv(b)
				tc.seed(b, env, rows)
				b.ResetTimer()
				for b.Loop() {
					r := call(b, env, adminToken, "GET", tc.path, "")
					if r.Status != http.StatusOK {
						b.Fatalf("%d %s", r.Status, r.Body)
					}
				}
			})
		}
	}
}

// BenchmarkState measures an export of the fixtures and 20,000 messages: one
// statement per table, whatever the rows.
func BenchmarkState(b *testing.B) {
	env := newEnv(b)
	seedRows(b, env, "messaging-messages", org1, chanGroup1, 20_000, func(i int) string {
		return fmt.Sprintf(`{"channel-id": %q, "individual-id": %q, "message": "m%d", "draft": false, "posted-time": "2025-01-01T00:00:00.000000+00:00"}`,
			chanGroup1, indPat, i)
	})
	api := courier.New(env.Deps)
	b.ResetTimer()
	for b.Loop() {
		if _, err := api.State(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHot measures the hot paths a loaded client hits: the group
// channel's GET, the channel list, the first page of 100 messages of a
// channel, and posting a message (scripts/loadtest's requests).
func BenchmarkHot(b *testing.B) {
	gets := []struct{ name, path string }{
		{"channel-get", "/v1/messaging-channels/" + chanGroup1 + "/"},
		{"channel-list", "/v1/messaging-channels/"},
		{"messages-page", "/v1/messaging-messages/?channel-id=" + chanGroup1},
	}
	for _, tc := range gets {
		b.Run(tc.name, func(b *testing.B) {
			env := newEnv(b)
			seedRowsAt(b, env, benchStart, "b6", "messaging-messages", org1, chanGroup1, 100, func(i int, at string) string {
				// Compact, as the API stores attributes.
				return fmt.Sprintf(`{"channel-id":%q,"individual-id":%q,"message":"m%d","draft":false,"posted-time":%q,"reactions":[]}`,
					chanGroup1, indPat, i, at)
			})
			b.ResetTimer()
			for b.Loop() {
				r := call(b, env, adminToken, "GET", tc.path, "")
				if r.Status != http.StatusOK {
					b.Fatalf("%d %s", r.Status, r.Body)
				}
			}
		})
	}
	b.Run("message-post", func(b *testing.B) {
		env := newEnv(b)
		body := `{"data":{"type":"messaging-messages","attributes":{"channel-id":"` + chanGroup1 +
			`","individual-id":"` + indAlice + `","message":"Load test message a"}},"meta":{}}`
		b.ResetTimer()
		for b.Loop() {
			r := call(b, env, adminToken, "POST", "/v1/messaging-messages/", body, "Content-Type: application/vnd.api+json")
			if r.Status != http.StatusCreated {
				b.Fatalf("%d %s", r.Status, r.Body)
			}
		}
	})
}

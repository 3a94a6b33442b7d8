package loop

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// TestDirectReadsAnswerAsGeneral: the sender and pool lists and details,
// read with the key in one statement (direct.go), answer every request byte
// for byte as the general path (authenticate, settle, count, page,
// encoding/json) answers it: every key (Default, an organization's,
// unknown, none), pages and orders, bad paging, ids out of reach, names
// JSON escapes, and an activation that comes due (the general path settles
// it).
func TestDirectReadsAnswerAsGeneral(t *testing.T) {
	t.Parallel()
	var api *API
	env := emutest.New(t, []store.Schema{Schema()}, func(d server.Deps) []server.Vendor { api = New(d); return []server.Vendor{api} })
	ctx := context.Background()
	names := []string{`"quoted" \back\slash/`, "<b>Tom & Jerry</b>", "\b\f\n\r\t\x00\x01\x1f\x7f", "é 日本 \U0001F600",
		"\u2028 line \u2029 paragraph", "bad \xff \xc3 end\xe2\x80"}
	const support = "1c8f4a63-7e2b-4d9f-a031-4b6c8d0e2f02"
	activation := api.now().Add(time.Minute).UTC().Format(timeLayout)
	require.NoError(t, env.Deps.DB.Tx(ctx, func(tx *store.Tx) error {
		for i, name := range names {
			if _, err := tx.ExecContext(ctx, `INSERT INTO lm_senders (id, account_id, organization_id, name, status, create_date, activate_at)
				VALUES (?, 'acme', ?, ?, 'pending', ?, ?)`, "hostile-"+strconv.Itoa(i), support, name,
				"2026-02-0"+strconv.Itoa(i+1)+"T00:00:00Z", activation); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO lm_pools (id, account_id, organization_id, name, create_date)
				VALUES (?, 'acme', ?, ?, ?)`, "pool-"+strconv.Itoa(i), support, name, "2026-02-0"+strconv.Itoa(i+1)+"T00:00:00Z"); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO lm_pool_senders (pool_id, sender_id) VALUES (?, ?)`,
				"pool-"+strconv.Itoa(i), "hostile-"+strconv.Itoa(i)); err != nil {
				return err
			}
		}
		return nil
	}))
	h := func(fn httpx.HandlerFunc) http.HandlerFunc { return httpx.Adapt(api.WriteError, fn) }
	general := chi.NewRouter()
	general.Route("/loopmessage", func(r chi.Router) {
		r.Use(api.authenticate)
		r.Get("/api/v1/sender/list/", h(api.listSenders))
		r.Get("/api/v1/sender/{id}/", h(api.getSender))
		r.Get("/api/v1/pool/list/", h(api.listPools))
		r.Get("/api/v1/pool/{id}/", h(api.getPool))
	})
	keys := []string{"lm-acme-default", "lm-acme-support", "lm-acme-labs", "lm-globex-default", "lm-unknown", ""}
	pages := []string{"", "?per_page=2", "?per_page=2&page=2&sort_by=asc", "?page=99", "?per_page=0", "?page=x",
		"?sort_by=sideways", "?per_page=3&page=3"}
	ids := []string{"hostile-0", "hostile-5", "5a0c1e2f-7b3d-4e5f-8a9b-0c1d2e3f4a01", "nope", "%20"}
	var paths []string
	for _, q := range pages {
		paths = append(paths, "/loopmessage/api/v1/sender/list/"+q, "/loopmessage/api/v1/pool/list/"+q)
	}
	for _, id := range append(ids, "pool-0", "pool-5") {
		paths = append(paths, "/loopmessage/api/v1/sender/"+id+"/", "/loopmessage/api/v1/pool/"+id+"/")
	}
	compare := func(step string) {
		for _, path := range paths {
			for _, key := range keys {
				var headers []string
				if key != "" {
					headers = append(headers, "Authorization: "+key)
				}
				got := env.Do(t, "GET", path, "", headers...)
				req := httptest.NewRequest("GET", path, nil)
				if key != "" {
					req.Header.Set("Authorization", key)
				}
				want := httptest.NewRecorder()
				general.ServeHTTP(want, req)
				require.Equal(t, want.Code, got.Status, "%s: %s %s", step, path, key)
				require.Equal(t, want.Body.String(), got.Body, "%s: %s %s", step, path, key)
				require.Equal(t, want.Header().Get("Content-Type"), got.Header.Get("Content-Type"))
			}
		}
	}
	compare("pending")
	// The activations come due (by hand: no timer settles them first); the
	// first read, a sender's details or the list, settles them before it
	// answers.
	for _, first := range []string{"/loopmessage/api/v1/sender/hostile-0/", "/loopmessage/api/v1/sender/list/"} {
		_, err := env.Deps.DB.Write().Exec(`UPDATE lm_senders SET status = 'pending', activate_at = ? WHERE id LIKE 'hostile-%'`,
			api.now().Add(-time.Second).UTC().Format(timeLayout))
		require.NoError(t, err)
		res := env.Do(t, "GET", first, "", "Authorization: lm-acme-default")
		require.Equal(t, http.StatusOK, res.Status)
		require.NotContains(t, res.Body, `"status":"pending"`, first)
	}
	compare("active")
}

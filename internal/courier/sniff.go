package courier

import (
	"context"
	"database/sql"
	"encoding/json"
	"maps"
	"net/http"

	"github.com/emulator/vendor-emulator/internal/httpx"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
)

// sniffLimit is how much of each request and response body a sniffer keeps.
const sniffLimit = 64 << 10

// sniff records every request of a user who has a sniffer still valid on the
// emulated clock, with its answer, as a sniffer-logs record under each such
// sniffer (GET /v1/sniffers/{id}/get-logs/ lists them). It runs after
// authentication, so only the caller's own requests are recorded.
func (a *API) sniff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caller := jsonapi.CallerFrom(r.Context())
		now := jsonapi.FormatTime(a.Clock.Now())
		sniffers, err := a.activeSniffers(r.Context(), caller.UserID, now)
		if err != nil {
			a.Log.Error("courier: sniffer look-up", "err", err) // never fail the request being recorded
		}
		if len(sniffers) == 0 {
			next.ServeHTTP(w, r)
			return
		}
		reqBody := &httpx.Capped{Limit: sniffLimit}
		httpx.TeeBody(r, reqBody)
		rec := httpx.NewRecorder(w, sniffLimit)
		next.ServeHTTP(rec, r)

		attrs := map[string]any{
			"body":         reqBody.String(),
			"content_type": r.Header.Get("Content-Type"),
			"created-time": now,
			"message":      http.StatusText(rec.Status),
			"method":       r.Method,
			"path":         r.URL.Path, // chi keeps the full path; it routes on its own copy
			"query-string": r.URL.RawQuery,
			"request-id":   w.Header().Get("X-Request-Id"),
			"response":     rec.Body.String(),
			"status-code":  rec.Status,
			"trace-id":     r.Header.Get("X-Trace-Id"),
			"user-agent":   r.UserAgent(),
		}
		raw := make(map[string]json.RawMessage, len(attrs))
		for k, v := range attrs {
			raw[k], _ = json.Marshal(v) // strings and ints
		}
		// A new context: the client may have gone, the record must still be written.
		ctx := context.WithoutCancel(r.Context())
		err = a.DB.Tx(ctx, func(tx *sql.Tx) error {
			for _, s := range sniffers {
				log := &jsonapi.Record{Type: "sniffer-logs", ID: a.IDs.UUID(), OrgID: s.org, ParentID: s.id, CreatedAt: now, Attrs: maps.Clone(raw)}
				if err := a.engine.Insert(ctx, tx, log); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			a.Log.Error("courier: sniffer log", "err", err)
		}
	})
}

type snifferRef struct{ id, org string }

// activeSniffers are the sniffers of user valid at now (stored times are
// fixed-width UTC, so they compare as text).
func (a *API) activeSniffers(ctx context.Context, user, now string) ([]snifferRef, error) {
	if user == "" {
		return nil, nil
	}
	rows, err := a.DB.Query(ctx, `SELECT id, org_id FROM cr_resources WHERE type = 'sniffers'
		AND json_extract(attrs, '$."user-id"') = ? AND json_extract(attrs, '$."valid-until"') > ?`, user, now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []snifferRef
	for rows.Next() {
		var s snifferRef
		if err := rows.Scan(&s.id, &s.org); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

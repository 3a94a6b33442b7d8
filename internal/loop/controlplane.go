package loop

import (
	"database/sql"
	"errors"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/emulator/vendor-emulator/internal/control"
	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// ControlRoutes implements server.ControlVendor (mounted at /_emulator/loopmessage).
// They do what LoopMessage's staff do by hand: a real order waits hours for
// manual activation, and only they suspend a sender. No vendor credentials;
// errors in the control plane's {"error": ...} format.
func (a *API) ControlRoutes() http.Handler {
	onErr := control.WriteError(a.Log)
	h := func(fn httpx.HandlerFunc) http.HandlerFunc { return httpx.Adapt(onErr, fn) }
	r := chi.NewRouter()
	r.Post("/senders/{id}/status", h(a.setSenderStatus))
	httpx.Unrouted(r, "", onErr, control.NotFound)
	return r
}

var _ server.ControlVendor = (*API)(nil)

type statusRequest struct {
	Status string `json:"status"`
}

// setSenderStatus handles POST /_emulator/loopmessage/senders/{id}/status with
// {"status": "active"|"pending"|"canceled"|"suspended"}, and answers the
// sender as the API shows it. A pending test activation is dropped: the status
// set here is final. A change of status fires sender_name_updated.
func (a *API) setSenderStatus(w http.ResponseWriter, r *http.Request) error {
	var req statusRequest
	if err := httpx.DecodeJSON(r, &req, true); err != nil {
		return err
	}
	switch req.Status {
	case "active", "pending", "canceled", "suspended":
	default:
		return &control.Error{Status: http.StatusBadRequest, Msg: `status must be one of "active", "pending", "canceled", "suspended"`}
	}
	ctx, id := r.Context(), httpx.PathParam(r, "id")
	var it senderItem
	err := a.DB.Tx(ctx, func(tx *store.Tx) error {
		// A due test activation happens first, as any request would see it.
		if err := a.settle(ctx, tx); err != nil {
			return err
		}
		var old string
		err := tx.QueryRowContext(ctx, `SELECT status FROM lm_senders WHERE id = ?`, id).Scan(&old)
		if errors.Is(err, sql.ErrNoRows) {
			return &control.Error{Status: http.StatusNotFound, Msg: "no sender name with id " + id}
		}
		if err != nil {
			return err
		}
		if it, err = scanSender(tx.QueryRowContext(ctx, `UPDATE lm_senders SET status = ?, activate_at = NULL
			WHERE id = ? RETURNING `+senderColumns, req.Status, id)); err != nil {
			return err
		}
		if old == req.Status {
			return nil // the same status again is no change: no webhook
		}
		return a.recordSenderUpdated(ctx, tx, id)
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, "", it)
	return nil
}

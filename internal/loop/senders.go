package loop

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"time"

	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/store"
)

// senderItem is a sender name in the list and in details: the docs' keys, in their order.
type senderItem struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Status       string `json:"status"`
	CreateDate   string `json:"create_date"`
	ImessageLink string `json:"imessage_link"`
}

// imessageLink is our choice for the undocumented link: the iMessage URL scheme with the sender's name.
func imessageLink(name string) string { return "imessage://" + name }

const senderColumns = `id, name, status, create_date`

func scanSender(s scanner) (senderItem, error) {
	var it senderItem
	err := s.Scan(&it.ID, &it.Name, &it.Status, &it.CreateDate)
	it.ImessageLink = imessageLink(it.Name)
	return it, err
}

// settle makes every test-ordered sender whose activation time has come
// active, each with its sender_name_updated. The outbox's timer
// (activationTimer) does it when the emulated clock passes the activation;
// every request that looks at senders does it too, so it never sees a
// sender still pending that the timer has yet to reach. Inside a write
// transaction, settle does it in that transaction.
func (a *API) settle(ctx context.Context, tx *store.Tx) error {
	return a.settleAt(ctx, tx, a.now())
}

// settleAt is settle at now, in activation order.
func (a *API) settleAt(ctx context.Context, tx *store.Tx, now time.Time) error {
	rows, err := tx.QueryContext(ctx, settleSQL, formatTime(now))
	if err != nil {
		return err
	}
	var due []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		due = append(due, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range due {
		if _, err := tx.ExecContext(ctx, `UPDATE lm_senders SET status = 'active', activate_at = NULL WHERE id = ?`,
			id); err != nil {
			return err
		}
		if err := a.recordSenderUpdated(ctx, tx, id); err != nil {
			return err
		}
	}
	return nil
}

// settleSQL reads the senders whose activation is due; settleDueSQL tells
// whether one is (every read of senders asks). Both seek lm_senders_activation.
const (
	settleSQL = `SELECT id FROM lm_senders
		WHERE activate_at IS NOT NULL AND activate_at <= ? AND status = 'pending' ORDER BY activate_at, seq`
	settleDueSQL = `SELECT EXISTS (SELECT 1 FROM lm_senders
		WHERE activate_at IS NOT NULL AND activate_at <= ? AND status = 'pending')`
)

// settleForRead is settle for a read: it checks through the read pool, so
// that the usual case (nothing due) takes no write lock, and writes only
// when an activation is due.
func (a *API) settleForRead(ctx context.Context) error {
	var due bool
	if err := a.DB.QueryRow(ctx, settleDueSQL, formatTime(a.now())).Scan(&due); err != nil || !due {
		return err
	}
	return a.DB.Tx(ctx, func(tx *store.Tx) error { return a.settle(ctx, tx) })
}

// loadSender reads sender id if the caller reaches it; otherwise (absent or
// out of scope alike) it is "Sender name not found".
func loadSender(ctx context.Context, q querier, c caller, id string) (senderItem, error) {
	cond, args := c.scope("account_id", "organization_id")
	it, err := scanSender(q.QueryRowContext(ctx, `SELECT `+senderColumns+` FROM lm_senders WHERE id = ? AND `+cond,
		append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return it, errSenderNotFound()
	}
	return it, err
}

// listSenders handles GET /api/v1/sender/list/: an organization's key lists
// that organization's senders, the Default key the whole account's.
func (a *API) listSenders(w http.ResponseWriter, r *http.Request) error {
	c := callerOf(r)
	p, err := parsePaging(r)
	if err != nil {
		return err
	}
	if err := a.settleForRead(r.Context()); err != nil {
		return err
	}
	query, args := senderPageSQL(c, p)
	return writeCountedPage(w, r, a.DB.Reader(), p, "senders", c.countOwner(), query, args, scanSender)
}

// senderPageSQL is the SQL of a page of the senders a caller reaches (its
// LIMIT and OFFSET to append), read in order through lm_senders_account or
// lm_senders_org.
func senderPageSQL(c caller, p pageQuery) (string, []any) {
	cond, args := c.scope("account_id", "organization_id")
	return `SELECT ` + senderColumns + ` FROM lm_senders WHERE ` + cond + p.order("") + ` LIMIT ? OFFSET ?`, args
}

// getSender handles GET /api/v1/sender/{id}/.
func (a *API) getSender(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := a.settleForRead(ctx); err != nil {
		return err
	}
	it, err := loadSender(ctx, a.DB.Reader(), callerOf(r), httpx.PathParam(r, "id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, "", it)
	return nil
}

// moveRequest is the body of PATCH sender/{id}/.
type moveRequest struct {
	OrganizationID field[string] `json:"organization_id"`
}

// moveSender handles PATCH /api/v1/sender/{id}/ (Default key): moves the
// sender to another organization of the same account.
func (a *API) moveSender(w http.ResponseWriter, r *http.Request) error {
	c, err := requireDefault(r)
	if err != nil {
		return err
	}
	var req moveRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	var p problems
	target, ok := p.requiredString("organization_id", req.OrganizationID)
	if !ok {
		return p.err()
	}
	ctx := r.Context()
	var out senderItem
	err = a.DB.Tx(ctx, func(tx *store.Tx) error {
		if err := a.settle(ctx, tx); err != nil {
			return err
		}
		s, err := loadSender(ctx, tx, c, httpx.PathParam(r, "id"))
		if err != nil {
			return err
		}
		o, err := loadOrg(ctx, tx, c, target)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE lm_senders SET organization_id = ? WHERE id = ?`, o.ID, s.ID); err != nil {
			return err
		}
		out = s
		return nil
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, "", out)
	return nil
}

// cancelSender handles DELETE /api/v1/sender/{id}/cancel/. Cancelling takes
// effect at once; a sender already canceled cannot be canceled again.
func (a *API) cancelSender(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	err := a.DB.Tx(ctx, func(tx *store.Tx) error {
		if err := a.settle(ctx, tx); err != nil {
			return err
		}
		s, err := loadSender(ctx, tx, callerOf(r), httpx.PathParam(r, "id"))
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE lm_senders SET status = 'canceled', activate_at = NULL
			WHERE id = ? AND status <> 'canceled'`, s.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fail(codeBadRequest, "The sender name is already canceled")
		}
		return a.recordSenderUpdated(ctx, tx, s.ID)
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, "", successBody{Success: true})
	return nil
}

package loop

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strings"

	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/store"
)

// Pools belong to the organization whose key created them. As with senders,
// an organization's key reaches its own pools and the Default key the whole
// account's; the sender ids a pool holds must be within the caller's reach too.

// poolItem is a pool in the list and in the create response: the docs' keys, in their order.
type poolItem struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Count      int    `json:"count"`
	CreateDate string `json:"create_date"`
}

// poolDetails is GET pool/{id}/. Pool statuses are undocumented: a pool is "active".
type poolDetails struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Status     string `json:"status"`
	CreateDate string `json:"create_date"`
}

// poolRequest is the body of POST pool/new/ and PATCH pool/{id}/; both fields are optional.
type poolRequest struct {
	Name field[string]   `json:"name"`
	IDs  field[[]string] `json:"ids"`
}

// validate checks the body; ids comes back deduplicated, in the order sent.
func (req *poolRequest) validate() (name *string, ids []string, err error) {
	var p problems
	switch f := req.Name; {
	case !f.Set:
	case f.Bad || f.Null:
		p.bad("name", "must be a string")
	case len(strings.TrimSpace(f.V)) > maxText:
		p.bad("name", "must be at most 255 characters")
	default:
		n := strings.TrimSpace(f.V)
		name = &n
	}
	switch f := req.IDs; {
	case !f.Set || f.Null:
	case f.Bad:
		p.bad("ids", "must be an array of sender name ids")
	case len(f.V) > maxPerPage:
		p.bad("ids", "may hold at most 1000 sender name ids")
	default:
		seen := map[string]bool{}
		ids = []string{}
		for _, id := range f.V {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	return name, ids, p.err()
}

// setPoolSenders replaces the pool's senders with ids, each of which the caller must reach.
func setPoolSenders(ctx context.Context, tx *store.Tx, c caller, poolID string, ids []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM lm_pool_senders WHERE pool_id = ?`, poolID); err != nil {
		return err
	}
	for _, id := range ids {
		s, err := loadSender(ctx, tx, c, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO lm_pool_senders (pool_id, sender_id) VALUES (?, ?)`,
			poolID, s.ID); err != nil {
			return err
		}
	}
	return nil
}

// poolItemColumns are a pool as lists show it; its count of senders is kept
// by the triggers of migration 002.
const poolItemColumns = `p.id, p.name,
	COALESCE((SELECT n FROM lm_counts WHERE what = 'pool_senders' AND owner = p.id), 0), p.create_date`

// poolPageSQL is the SQL of a page of the pools a caller reaches (its LIMIT
// and OFFSET to append), read in order through lm_pools_account or lm_pools_org.
func poolPageSQL(c caller, pq pageQuery) (string, []any) {
	cond, args := c.scope("p.account_id", "p.organization_id")
	return `SELECT ` + poolItemColumns + ` FROM lm_pools p WHERE ` + cond + pq.order("p.") + ` LIMIT ? OFFSET ?`, args
}

// listPools handles GET /api/v1/pool/list/.
func (a *API) listPools(w http.ResponseWriter, r *http.Request) error {
	c := callerOf(r)
	pq, err := parsePaging(r)
	if err != nil {
		return err
	}
	query, args := poolPageSQL(c, pq)
	return writeCountedPage(w, r, a.DB.Reader(), pq, "pools", c.countOwner(), query, args, func(s scanner) (poolItem, error) {
		var it poolItem
		err := s.Scan(&it.ID, &it.Name, &it.Count, &it.CreateDate)
		return it, err
	})
}

// loadPool reads pool id if the caller reaches it; otherwise it is "Sender pool not found".
func loadPool(ctx context.Context, q querier, c caller, id string) (poolItem, error) {
	cond, args := c.scope("p.account_id", "p.organization_id")
	var it poolItem
	err := q.QueryRowContext(ctx, `SELECT `+poolItemColumns+` FROM lm_pools p WHERE p.id = ? AND `+cond,
		append([]any{id}, args...)...).Scan(&it.ID, &it.Name, &it.Count, &it.CreateDate)
	if errors.Is(err, sql.ErrNoRows) {
		return it, errPoolNotFound()
	}
	return it, err
}

// createPool handles POST /api/v1/pool/new/.
func (a *API) createPool(w http.ResponseWriter, r *http.Request) error {
	c := callerOf(r)
	var req poolRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	name, ids, err := req.validate()
	if err != nil {
		return err
	}
	if name == nil {
		name = new(string) // the docs make name optional: an unnamed pool has ""
	}
	ctx := r.Context()
	id := a.IDs.UUID()
	var out poolItem
	err = a.DB.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO lm_pools (id, account_id, organization_id, name, create_date)
			VALUES (?, ?, ?, ?, ?)`, id, c.AccountID, c.OrgID, *name, formatTime(a.now())); err != nil {
			return err
		}
		if err := setPoolSenders(ctx, tx, c, id, ids); err != nil {
			return err
		}
		out, err = loadPool(ctx, tx, c, id)
		return err
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, "", out)
	return nil
}

// getPool handles GET /api/v1/pool/{id}/.
func (a *API) getPool(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c := callerOf(r)
	cond, args := c.scope("account_id", "organization_id")
	var d poolDetails
	err := a.DB.Reader().QueryRowContext(ctx, `SELECT id, name, status, create_date FROM lm_pools WHERE id = ? AND `+cond,
		append([]any{httpx.PathParam(r, "id")}, args...)...).Scan(&d.ID, &d.Name, &d.Status, &d.CreateDate)
	if errors.Is(err, sql.ErrNoRows) {
		return errPoolNotFound()
	}
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, "", d)
	return nil
}

// patchPool handles PATCH /api/v1/pool/{id}/ (the docs print sender/{id}/, which
// is sender-move's path: a typo we do not copy). ids, when sent, replaces the
// pool's senders.
func (a *API) patchPool(w http.ResponseWriter, r *http.Request) error {
	c := callerOf(r)
	var req poolRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	name, ids, err := req.validate()
	if err != nil {
		return err
	}
	ctx := r.Context()
	err = a.DB.Tx(ctx, func(tx *store.Tx) error {
		p, err := loadPool(ctx, tx, c, httpx.PathParam(r, "id"))
		if err != nil {
			return err
		}
		if name != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE lm_pools SET name = ? WHERE id = ?`, *name, p.ID); err != nil {
				return err
			}
		}
		if ids != nil {
			return setPoolSenders(ctx, tx, c, p.ID, ids)
		}
		return nil
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, "", successBody{Success: true})
	return nil
}

// deletePool handles DELETE /api/v1/pool/{id}/. The senders stay; only the pool goes.
func (a *API) deletePool(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	err := a.DB.Tx(ctx, func(tx *store.Tx) error {
		p, err := loadPool(ctx, tx, callerOf(r), httpx.PathParam(r, "id"))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM lm_pools WHERE id = ?`, p.ID)
		return err
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, "", successBody{Success: true})
	return nil
}

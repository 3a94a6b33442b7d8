package greenarrow

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/store"
)

// A delete confirmation code is valid for two minutes on the emulated clock.
const deleteCodeLifetime = 2 * time.Minute

// systemOrganizationID is the organization system administrators belong to;
// it cannot be deleted.
const systemOrganizationID = 1

// deleteCodeFormat is "<40 lowercase hex>:<unix time of expiry>".
var deleteCodeFormat = regexp.MustCompile(`^[0-9a-f]{40}:[0-9]{1,19}$`)

type deleteCode struct {
	DeleteConfirmationCode      string `json:"delete_confirmation_code"`
	DeleteConfirmationExpiresAt string `json:"delete_confirmation_expires_at"`
}

// deletableOrgID checks the first things both steps check: a system
// administrator, an existing organization, not the System Organization.
func (a *API) deletableOrgID(r *http.Request) (int64, error) {
	if err := requireSystem(r, "delete organizations"); err != nil {
		return 0, err
	}
	id, err := orgID(r)
	if err != nil {
		return 0, err
	}
	var exists int
	if err := a.reads().QueryRowContext(r.Context(), `SELECT count(*) FROM ga_organizations WHERE id = ?`, id).
		Scan(&exists); err != nil {
		return 0, err
	}
	if exists == 0 {
		return 0, orgNotFound(id)
	}
	if id == systemOrganizationID {
		return 0, validationFailed("the System Organization cannot be deleted")
	}
	return id, nil
}

// getDeleteCode handles GET /ga/api/v2/organizations/{id}/delete_confirmation_code.
func (a *API) getDeleteCode(w http.ResponseWriter, r *http.Request) error {
	id, err := a.deletableOrgID(r)
	if err != nil {
		return err
	}
	now := a.Clock.Now()
	expires := now.Add(deleteCodeLifetime).Truncate(time.Second)
	code := fmt.Sprintf("%s:%d", a.IDs.Hex(20), expires.Unix())
	err = a.DB.Tx(r.Context(), func(tx *store.Tx) error {
		if _, err := tx.ExecContext(r.Context(), `DELETE FROM ga_delete_codes WHERE expires_at <= ?`, now.Unix()); err != nil {
			return err
		}
		_, err := tx.ExecContext(r.Context(), `INSERT INTO ga_delete_codes (code, organization_id, expires_at) VALUES (?, ?, ?)`,
			code, id, expires.Unix())
		return err
	})
	if err != nil {
		return err
	}
	writeData(w, deleteCode{code, expires.UTC().Format(time.RFC3339)})
	return nil
}

// deleteOrganization handles DELETE /ga/api/v2/organizations/{id}/confirmed/{code}.
// The code must have been issued for this organization and not have expired;
// otherwise nothing is deleted.
func (a *API) deleteOrganization(w http.ResponseWriter, r *http.Request) error {
	id, err := a.deletableOrgID(r)
	if err != nil {
		return err
	}
	code := httpx.PathParam(r, "code")
	if !deleteCodeFormat.MatchString(code) {
		return invalidRequest("the delete confirmation code is malformed: request one from GET /ga/api/v2/organizations/%d/delete_confirmation_code", id)
	}
	now := a.Clock.Now().Unix()
	err = a.DB.Tx(r.Context(), func(tx *store.Tx) error {
		var expires int64
		err := tx.QueryRowContext(r.Context(), `SELECT expires_at FROM ga_delete_codes WHERE code = ? AND organization_id = ?`,
			code, id).Scan(&expires)
		if errors.Is(err, sql.ErrNoRows) {
			return invalidRequest("the delete confirmation code is not valid for organization %d", id)
		}
		if err != nil {
			return err
		}
		if now >= expires {
			return invalidRequest("the delete confirmation code has expired: request a new one")
		}
		// Its sends, codes and API keys go with it (ON DELETE CASCADE).
		_, err = tx.ExecContext(r.Context(), `DELETE FROM ga_organizations WHERE id = ?`, id)
		return err
	})
	if err != nil {
		return err
	}
	writeData(w, nil)
	return nil
}

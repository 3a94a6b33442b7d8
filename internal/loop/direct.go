package loop

import (
	"net/http"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

// The hottest reads resolve the caller's key inside their own query (one
// statement instead of the key's lookup and then the read). Such a direct
// handler answers only what it is sure of: a request it does not answer (no
// key, an unknown key, a key that does not reach the row, an empty page, a
// parameter to check, a failing query) takes the general path, the key's
// lookup (authenticate) and the route's handler, which answers as always.

// direct serves a route with serve, and with general whenever serve did not answer.
func direct(serve func(w http.ResponseWriter, r *http.Request) bool, general http.Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !serve(w, r) {
			general.ServeHTTP(w, r)
		}
	}
}

// orgDetailsByKeySQL is GET organizations/details/{id}/ for a key (arguments:
// the id, the key): the organization when the key reaches it (its whole
// account for a Default key, its own organization otherwise), as loadOrg's scope.
const orgDetailsByKeySQL = `SELECT o.id, o.name, o.status, o.create_date,
	CASE WHEN o.webhook_url IS NULL THEN '' ELSE o.api_key END
	FROM lm_organizations k JOIN lm_organizations o ON o.id = ? AND o.account_id = k.account_id
		AND (k.is_default OR o.id = k.id)
	WHERE k.api_key = ?`

// getOrgDirect is getOrg in one statement.
func (a *API) getOrgDirect(w http.ResponseWriter, r *http.Request) bool {
	key := r.Header.Get("Authorization")
	if key == "" {
		return false
	}
	var d orgDetails
	if a.DB.QueryRow(r.Context(), orgDetailsByKeySQL, httpx.PathParam(r, "id"), key).
		Scan(&d.ID, &d.Name, &d.Status, &d.CreateDate, &d.APIKey) != nil {
		return false
	}
	httpx.WriteJSON(w, http.StatusOK, "", d)
	return true
}

// orgPageByKeySQL is orgPageSQL for a Default key, with the kept count on
// every row (arguments: the key twice, LIMIT, OFFSET).
func orgPageByKeySQL(p pageQuery) string {
	const account = `(SELECT account_id FROM lm_organizations WHERE api_key = ? AND is_default)`
	return `SELECT id, name, status, create_date,
		COALESCE((SELECT n FROM lm_counts WHERE what = 'organizations' AND owner = ` + account + `), 0)
		FROM lm_organizations WHERE account_id = ` + account + p.order("") + ` LIMIT ? OFFSET ?`
}

// listOrgsDirect is listOrgs without a search, in one statement.
func (a *API) listOrgsDirect(w http.ResponseWriter, r *http.Request) bool {
	key := r.Header.Get("Authorization")
	if key == "" || r.URL.RawQuery != "" && r.URL.Query().Has("search") {
		return false
	}
	p, bad := pagingProblems(r)
	if bad != nil {
		return false
	}
	rows, err := a.DB.Query(r.Context(), orgPageByKeySQL(p), key, key, p.PerPage, p.offset())
	if err != nil {
		return false
	}
	defer rows.Close()
	var items []orgItem
	var count int
	for rows.Next() {
		var it orgItem
		if rows.Scan(&it.ID, &it.Name, &it.Status, &it.CreateDate, &count) != nil {
			return false
		}
		items = append(items, it)
	}
	if rows.Err() != nil || items == nil {
		return false
	}
	httpx.WriteJSON(w, http.StatusOK, "", newPage(p, count, items))
	return true
}

package loop

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
)

// caller is who a request's API key belongs to.
type caller struct {
	AccountID string
	OrgID     string
	IsDefault bool // the key of the account's Default organization: admin over the account
}

type callerKey struct{}

// authenticate resolves the raw API key in Authorization to its organization.
// LoopMessage takes the key as the whole header value: "Bearer <key>" is not a
// key it knows, so it is 130 like any other unknown key.
func (a *API) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Authorization")
		if key == "" {
			a.WriteError(w, r, fail(codeMissingKey, "Missing credentials in request"))
			return
		}
		var c caller
		err := a.DB.Reader().QueryRowContext(r.Context(),
			`SELECT account_id, id, is_default FROM lm_organizations WHERE api_key = ?`, key).
			Scan(&c.AccountID, &c.OrgID, &c.IsDefault)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			a.WriteError(w, r, fail(codeInvalidKey, "API key is invalid or doesn't exist"))
			return
		case err != nil:
			a.WriteError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
	})
}

// callerOf is the authenticated caller (the zero caller, which reaches nothing, if none).
func callerOf(r *http.Request) caller {
	c, _ := r.Context().Value(callerKey{}).(caller)
	return c
}

// requireDefault is the caller when it holds a Default-organization key.
func requireDefault(r *http.Request) (caller, error) {
	c := callerOf(r)
	if !c.IsDefault {
		return c, errNotDefault()
	}
	return c, nil
}

// orgScope is the SQL condition (on a table aliased with the given columns)
// that limits rows to what the caller reaches: its whole account for a Default
// key, its own organization otherwise. Scoping lives in the query, not after it.
func (c caller) scope(accountCol, orgCol string) (string, []any) {
	if c.IsDefault {
		return accountCol + " = ?", []any{c.AccountID}
	}
	return accountCol + " = ? AND " + orgCol + " = ?", []any{c.AccountID, c.OrgID}
}

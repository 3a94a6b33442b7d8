package greenarrow

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"net/http"
	"strconv"
)

// The two API key roles.
const (
	roleSystemAdmin       = "system_admin"
	roleOrganizationAdmin = "organization_admin"
)

// caller is who an API key speaks for.
type caller struct {
	KeyID          int64
	Role           string
	OrganizationID int64
}

func (c caller) system() bool { return c.Role == roleSystemAdmin }

type callerKey struct{}

func callerOf(r *http.Request) caller {
	c, _ := r.Context().Value(callerKey{}).(caller)
	return c
}

// requireSystem refuses operations reserved to system administrators.
func requireSystem(r *http.Request, what string) error {
	if !callerOf(r).system() {
		return systemAdminOnly(what)
	}
	return nil
}

func notAuthorized(msg string) *Error {
	return &Error{http.StatusUnauthorized, codeNotAuthorized, msg}
}

// authenticate resolves the API key of the HTTP Basic credentials
// ("<key id>:<secret>") and keeps its caller in the request context.
func (a *API) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := a.resolveCaller(r)
		if err != nil {
			a.WriteError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
	})
}

func (a *API) resolveCaller(r *http.Request) (caller, error) {
	user, secret, ok := r.BasicAuth()
	if !ok {
		return caller{}, notAuthorized("send HTTP Basic credentials: the API key id and its secret")
	}
	id, err := strconv.ParseInt(user, 10, 64)
	if err != nil {
		return caller{}, notAuthorized("invalid API key")
	}
	var c caller
	var stored string
	var keyActive, orgActive bool
	err = a.reads().QueryRowContext(r.Context(), `SELECT k.id, k.role, k.organization_id, k.secret, k.active, o.active
		FROM ga_api_keys k JOIN ga_organizations o ON o.id = k.organization_id WHERE k.id = ?`, id).
		Scan(&c.KeyID, &c.Role, &c.OrganizationID, &stored, &keyActive, &orgActive)
	if errors.Is(err, sql.ErrNoRows) {
		return caller{}, notAuthorized("invalid API key")
	}
	if err != nil {
		return caller{}, err
	}
	if subtle.ConstantTimeCompare([]byte(stored), []byte(secret)) != 1 {
		return caller{}, notAuthorized("invalid API key")
	}
	// An inactive organization's users may not log in; the System
	// Organization's administrators keep access so they can reactivate it.
	if !keyActive || (!orgActive && c.Role != roleSystemAdmin) {
		return caller{}, notAuthorized("this API key is not active")
	}
	return c, nil
}

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

// basicKey reads the HTTP Basic credentials: the API key id and its secret.
func basicKey(r *http.Request) (int64, string, error) {
	user, secret, ok := r.BasicAuth()
	if !ok {
		return 0, "", notAuthorized("send HTTP Basic credentials: the API key id and its secret")
	}
	id, err := strconv.ParseInt(user, 10, 64)
	if err != nil {
		return 0, "", notAuthorized("invalid API key")
	}
	return id, secret, nil
}

// keyColumns (FROM keyTables) are what authentication reads of an API key.
const (
	keyColumns = `k.id, k.role, k.organization_id, k.secret, k.active, o.active`
	keyTables  = `ga_api_keys k JOIN ga_organizations o ON o.id = k.organization_id`
)

// keyScan receives the keyColumns.
type keyScan struct {
	c                    caller
	stored               string
	keyActive, orgActive bool
}

func (k *keyScan) dest() []any {
	return []any{&k.c.KeyID, &k.c.Role, &k.c.OrganizationID, &k.stored, &k.keyActive, &k.orgActive}
}

// caller checks the key read with err against the secret sent.
func (k *keyScan) caller(secret string, err error) (caller, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return caller{}, notAuthorized("invalid API key")
	}
	if err != nil {
		return caller{}, err
	}
	if subtle.ConstantTimeCompare([]byte(k.stored), []byte(secret)) != 1 {
		return caller{}, notAuthorized("invalid API key")
	}
	// An inactive organization's users may not log in; the System
	// Organization's administrators keep access so they can reactivate it.
	if !k.keyActive || (!k.orgActive && k.c.Role != roleSystemAdmin) {
		return caller{}, notAuthorized("this API key is not active")
	}
	return k.c, nil
}

func (a *API) resolveCaller(r *http.Request) (caller, error) {
	id, secret, err := basicKey(r)
	if err != nil {
		return caller{}, err
	}
	var k keyScan
	err = a.reads().QueryRowContext(r.Context(), `SELECT `+keyColumns+` FROM `+keyTables+` WHERE k.id = ?`, id).
		Scan(k.dest()...)
	return k.caller(secret, err)
}

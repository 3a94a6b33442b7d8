package partner

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strings"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

type callerKey struct{}

// caller is the authenticated partner as far as the routes behind
// authenticate need it: the partner object itself is read by the route's
// own statement.
type caller struct {
	ID         string
	WebhookURL string
}

// authenticate resolves the caller's partner from X-API-Key (which wins when
// both are sent) or from a bearer token, and keeps the partner in the context.
func (a *API) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := a.caller(r)
		if err != nil {
			a.WriteError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
	})
}

// credential is how a request names its partner: a column of dlg_partners
// ("api_key" or "id") and its value, and the 401 message when no partner has
// it. err is the 401 of a credential that is missing or bad by itself.
func (a *API) credential(r *http.Request) (column, value, unknown string, err error) {
	if key := r.Header.Get("X-API-Key"); key != "" {
		return "api_key", key, "Invalid API key.", nil
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return "", "", "", errorf(http.StatusUnauthorized, "Missing authentication: send X-API-Key or Authorization: Bearer <token>.")
	}
	scheme, token, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", "", "", errorf(http.StatusUnauthorized, "Authorization must be \"Bearer <access_token>\".")
	}
	c, err := a.tokens.verify(strings.TrimSpace(token), a.Clock.Now())
	switch {
	case errors.Is(err, errTokenExpired):
		return "", "", "", errorf(http.StatusUnauthorized, "Access token has expired.")
	case err != nil:
		return "", "", "", errorf(http.StatusUnauthorized, "Invalid access token.")
	}
	return "id", c.PartnerID, "Invalid access token.", nil
}

// callerQueries read a caller by credential column.
var callerQueries = map[string]string{
	"id":      `SELECT id, webhook_url FROM dlg_partners WHERE id = ?`,
	"api_key": `SELECT id, webhook_url FROM dlg_partners WHERE api_key = ?`,
}

func (a *API) caller(r *http.Request) (caller, error) {
	column, value, unknown, err := a.credential(r)
	if err != nil {
		return caller{}, err
	}
	var c caller
	err = a.DB.QueryRow(r.Context(), callerQueries[column], value).Scan(&c.ID, &c.WebhookURL)
	if errors.Is(err, sql.ErrNoRows) {
		return caller{}, errorf(http.StatusUnauthorized, "%s", unknown)
	}
	return c, err
}

// errForbidden is the answer for a partner id other than the caller's.
func errForbidden() *Error {
	return errorf(http.StatusForbidden, "You do not have permission to access this partner.")
}

// scoped returns the caller when it is the partner the path names. Any
// other id, existing or not, is 403, so a partner cannot probe which ids exist.
func scoped(r *http.Request) (caller, error) {
	c, ok := r.Context().Value(callerKey{}).(caller)
	if !ok || c.ID != httpx.PathParam(r, "partner_id") {
		return caller{}, errForbidden()
	}
	return c, nil
}

type tokenRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// token handles POST /api/v2/token. It answers errors the OAuth way
// ({"error", "error_description"}), as the hub's token endpoint does.
func (a *API) token(w http.ResponseWriter, r *http.Request) {
	var req tokenRequest
	if err := httpx.DecodeJSON(r, &req, false); err != nil {
		status := http.StatusBadRequest
		if httpx.IsTooLarge(err) {
			status = http.StatusRequestEntityTooLarge
		}
		httpx.WriteJSON(w, status, "", oauthError{"invalid_request", err.Error()})
		return
	}
	if req.Username == "" || req.Password == "" {
		httpx.WriteJSON(w, http.StatusBadRequest, "", oauthError{"invalid_request", "username and password are required"})
		return
	}
	var partnerID, password string
	err := a.DB.QueryRow(r.Context(),
		`SELECT partner_id, password FROM dlg_hub_users WHERE email = ?`, req.Username).Scan(&partnerID, &password)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		a.WriteError(w, r, err)
		return
	}
	if err != nil || password != req.Password {
		httpx.WriteJSON(w, http.StatusUnauthorized, "", oauthError{"invalid_grant", "Wrong email or password."})
		return
	}
	now := a.Clock.Now()
	tok := a.tokens.sign(claims{Sub: req.Username, PartnerID: partnerID, Iat: now.Unix(), Exp: now.Add(tokenLifetime).Unix()})
	httpx.WriteJSON(w, http.StatusOK, "", tokenResponse{tok, "Bearer", int(tokenLifetime.Seconds())})
}

package courier

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/httpx"
)

// Link relations courier keeps (cr_links.rel).
const (
	relMember     = "member"     // user → organization
	relSubscriber = "subscriber" // messaging-channel → individual
	relRead       = "read"       // messaging-channel → individual: the last message read
)

// authenticate resolves "Authorization: Bearer <token>" to the user and the
// organizations the user is a member of; anything else is a 401.
func (a *API) authenticate(next http.Handler) http.Handler {
	return httpx.Adapt(a.WriteError, func(w http.ResponseWriter, r *http.Request) error {
		scheme, token, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
		token = strings.TrimSpace(token)
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			return &jsonapi.Error{Status: http.StatusUnauthorized, Code: jsonapi.CodeNotAuthenticated,
				Detail: "Authentication credentials were not provided."}
		}
		caller, individual, err := a.resolveToken(r.Context(), token)
		if err != nil {
			return err
		}
		if caller == nil {
			return &jsonapi.Error{Status: http.StatusUnauthorized, Code: jsonapi.CodeNotAuthenticated,
				Detail: "Invalid or expired access token."}
		}
		ctx := jsonapi.WithCaller(r.Context(), caller)
		ctx = context.WithValue(ctx, individualKey{}, individual)
		next.ServeHTTP(w, r.WithContext(ctx))
		return nil
	})
}

// resolveToken finds the token's user, the user's organizations and the
// user's own individual (the primary-individual-id of the users record), in
// one statement on a read connection: every request pays for it.
func (a *API) resolveToken(ctx context.Context, token string) (*jsonapi.Caller, string, error) {
	var userID, orgs, individual string
	err := a.DB.QueryRow(ctx, `SELECT t.user_id,
		(SELECT json_group_array(to_id) FROM cr_links WHERE rel = '`+relMember+`' AND from_id = t.user_id),
		COALESCE((SELECT json_extract(attrs, '$."primary-individual-id"') FROM cr_resources
			WHERE type = 'users' AND id = t.user_id), '')
		FROM cr_tokens t WHERE t.token = ?`, token).Scan(&userID, &orgs, &individual)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	var member []string
	if err := json.Unmarshal([]byte(orgs), &member); err != nil {
		return nil, "", err
	}
	return &jsonapi.Caller{UserID: userID, Orgs: jsonapi.SortedCopy(member)}, individual, nil
}

type individualKey struct{}

// callerIndividual is the individual the authenticated user is ("" when the
// user has none): whom a request acts as when it names nobody.
func callerIndividual(c *jsonapi.Call) string {
	id, _ := c.Req.Context().Value(individualKey{}).(string)
	return id
}

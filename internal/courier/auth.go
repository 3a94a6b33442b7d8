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
func authenticate(next http.Handler) http.Handler {
	return httpx.Adapt(jsonapi.WriteError, func(w http.ResponseWriter, r *http.Request) error {
		a := apiOf(r)
		scheme, token, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
		token = strings.TrimSpace(token)
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			return &jsonapi.Error{Status: http.StatusUnauthorized, Code: jsonapi.CodeNotAuthenticated,
				Detail: "Authentication credentials were not provided."}
		}
		caller, individual, sniffers, err := a.resolveToken(r.Context(), token, jsonapi.FormatTime(a.Clock.Now()))
		if err != nil {
			return err
		}
		if caller == nil {
			return &jsonapi.Error{Status: http.StatusUnauthorized, Code: jsonapi.CodeNotAuthenticated,
				Detail: "Invalid or expired access token."}
		}
		ctx := jsonapi.WithCaller(r.Context(), caller)
		ctx = context.WithValue(ctx, individualKey{}, individual)
		ctx = context.WithValue(ctx, sniffersKey{}, sniffers)
		next.ServeHTTP(w, r.WithContext(ctx))
		return nil
	})
}

// resolveToken finds the token's user, the user's organizations, the
// user's own individual (the primary-individual-id of the users record) and
// the user's sniffers valid at now, in one statement on a read connection:
// every request pays for it.
func (a *API) resolveToken(ctx context.Context, token, now string) (*jsonapi.Caller, string, []snifferRef, error) {
	var userID, orgs, individual, sniffers string
	err := a.DB.QueryRow(ctx, callerSQL, now, token).Scan(&userID, &orgs, &individual, &sniffers)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", nil, nil
	}
	if err != nil {
		return nil, "", nil, err
	}
	member, err := jsonapi.DecodeStrings(orgs)
	if err != nil {
		return nil, "", nil, err
	}
	var refs [][]string
	if sniffers != "[]" { // none, the usual answer, needs no decoding
		if err := json.Unmarshal([]byte(sniffers), &refs); err != nil {
			// As a failed sniffer look-up: logged, and the request is not recorded.
			a.Log.Error("courier: sniffer look-up", "err", err)
			refs = nil
		}
	}
	var active []snifferRef
	for _, r := range refs {
		if len(r) == 3 {
			active = append(active, snifferRef{id: r[0], org: r[1], creator: r[2]})
		}
	}
	return &jsonapi.Caller{UserID: userID, Orgs: jsonapi.SortedCopy(member)}, individual, active, nil
}

// callerSQL is what resolveToken reads: the token's user, organizations,
// individual (kept beside the user's id by migration 111's index) and active
// sniffers (activeSniffersSQL).
const callerSQL = `SELECT t.user_id,
	(SELECT json_group_array(to_id) FROM cr_links WHERE rel = '` + relMember + `' AND from_id = t.user_id),
	COALESCE((SELECT json_extract(attrs, '$."primary-individual-id"') FROM cr_resources
		INDEXED BY cr_users_primary_individual WHERE type = 'users' AND id = t.user_id), ''),
	(` + activeSniffersSQL + `)
	FROM cr_tokens t WHERE t.token = ?`

type individualKey struct{}

// sniffersKey carries the caller's active sniffers from authenticate to sniff.
type sniffersKey struct{}

// callerIndividual is the individual the authenticated user is ("" when the
// user has none): whom a request acts as when it names nobody.
func callerIndividual(c *jsonapi.Call) string {
	id, _ := c.Req.Context().Value(individualKey{}).(string)
	return id
}

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

// authenticate takes "Authorization: Bearer <token>" (anything else is a
// 401) and leaves its look-up, of the user and the organizations the user is
// a member of, to the operation's transaction (jsonapi.Credential): a token
// nobody has is a 401 there, before anything else the request does.
func authenticate(next http.Handler) http.Handler {
	return httpx.Adapt(jsonapi.WriteError, func(w http.ResponseWriter, r *http.Request) error {
		a := apiOf(r)
		scheme, token, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
		token = strings.TrimSpace(token)
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			return &jsonapi.Error{Status: http.StatusUnauthorized, Code: jsonapi.CodeNotAuthenticated,
				Detail: "Authentication credentials were not provided."}
		}
		now := jsonapi.FormatTime(a.Clock.Now())
		s := &session{}
		ctx := jsonapi.WithCredential(r.Context(), func(ctx context.Context, q jsonapi.Querier) (*jsonapi.Caller, error) {
			caller, individual, sniffers, err := a.resolveToken(ctx, q, token, now)
			if err != nil {
				return nil, err
			}
			if caller == nil {
				return nil, &jsonapi.Error{Status: http.StatusUnauthorized, Code: jsonapi.CodeNotAuthenticated,
					Detail: "Invalid or expired access token."}
			}
			s.individual, s.sniffers = individual, sniffers
			if len(sniffers) > 0 {
				s.reach.Wake()
			}
			return caller, nil
		})
		ctx, s.reach = jsonapi.WithDormantReach(ctx)
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, sessionKey{}, s)))
		return nil
	})
}

// resolveToken finds the token's user, the user's organizations, the
// user's own individual (the primary-individual-id of the users record) and
// the user's sniffers valid at now, in one statement: every request pays for
// it.
func (a *API) resolveToken(ctx context.Context, q jsonapi.Querier, token, now string) (*jsonapi.Caller, string, []snifferRef, error) {
	var row struct{ userID, orgs, individual, sniffers string } // one allocation for the four
	err := q.QueryRowContext(ctx, callerSQL, now, token).Scan(&row.userID, &row.orgs, &row.individual, &row.sniffers)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", nil, nil
	}
	if err != nil {
		return nil, "", nil, err
	}
	member, err := jsonapi.DecodeStrings(row.orgs)
	if err != nil {
		return nil, "", nil, err
	}
	var refs [][]string
	if row.sniffers != "[]" { // none, the usual answer, needs no decoding
		if err := json.Unmarshal([]byte(row.sniffers), &refs); err != nil {
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
	return &jsonapi.Caller{UserID: row.userID, Orgs: jsonapi.SortedCopy(member)}, row.individual, active, nil
}

// callerSQL is what resolveToken reads: the token's user, organizations and
// individual (kept on the token's row by migration 113's triggers) and
// active sniffers (activeSniffersSQL).
const callerSQL = `SELECT t.user_id, t.orgs, t.individual, (` + activeSniffersSQL + `)
	FROM cr_tokens t WHERE t.token = ?`

// session is what a request's token was found to be, set by its look-up in
// the operation's transaction (authenticate): read it in that transaction or
// after it.
type session struct {
	individual string         // the user's own individual, "" when none
	sniffers   []snifferRef   // the user's sniffers valid now
	reach      *jsonapi.Reach // what the engine reached, for sniff: woken when there are sniffers
}

type sessionKey struct{}

func sessionOf(r *http.Request) *session {
	s, _ := r.Context().Value(sessionKey{}).(*session)
	if s == nil {
		return &session{}
	}
	return s
}

// callerIndividual is the individual the authenticated user is ("" when the
// user has none): whom a request acts as when it names nobody.
func callerIndividual(c *jsonapi.Call) string { return sessionOf(c.Req).individual }

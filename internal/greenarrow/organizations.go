package greenarrow

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/store"
)

// orgID reads the {id} of the path. An id that is not a number names no
// organization: not_found, like an unknown one.
func orgID(r *http.Request) (int64, error) {
	s := httpx.PathParam(r, "id")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 1 {
		return 0, orgNotFound(strconv.Quote(s))
	}
	return id, nil
}

// scopedOrgID is the path's organization id when the caller may see it. An
// organization admin sees only its own organization; any other id, existing
// or not, is not_found, so ids cannot be probed.
func scopedOrgID(r *http.Request) (int64, error) {
	id, err := orgID(r)
	if err != nil {
		return 0, err
	}
	if c := callerOf(r); !c.system() && c.OrganizationID != id {
		return 0, orgNotFound(id)
	}
	return id, nil
}

// listOrganizations handles GET /ga/api/v2/organizations.
func (a *API) listOrganizations(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	// A blank filter is no filter, as Rails' params[...].present? reads it.
	name, contains := q.Get("name"), q.Get("name_contains")
	if name != "" && contains != "" {
		return invalidRequest("name and name_contains cannot be sent together")
	}
	minimal, err := parseBool(q, "minimal")
	if err != nil {
		return err
	}
	order := "id"
	switch ob := q.Get("order_by"); ob {
	case "", "id":
	case "name":
		order = "name_key, id"
	default:
		return invalidRequest("order_by must be name or id, not %q", ob)
	}
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	c := callerOf(r)
	system := c.system()
	ctx, db := r.Context(), a.reads()
	total := -1
	if !minimal {
		buf := httpx.Buffer()
		defer httpx.ReleaseBuffer(buf)
		b, p, err := appendKeptPage(ctx, db, keptPageSQL(c, name, contains, order, pg), append(*buf, `{"success":true,"data":[`...))
		*buf = b
		if err != nil {
			return err
		}
		if p.ok && p.rows > 0 {
			*buf = appendPageEnd(b, pg, p.total)
			httpx.WriteJSONBody(w, http.StatusOK, contentType, *buf)
			return nil
		}
		// Rows from before migration 004 are on the page, or it is empty:
		// it is encoded from the columns, as a minimal page is.
		total = p.total
	}
	columns := answerColumns(system)
	if minimal {
		columns = "id, name"
	}
	pageSQL, totalSQL := orgListSQL(c, name, contains, order, columns, pg)
	if total < 0 {
		if err := db.QueryRowContext(ctx, totalSQL.sql, totalSQL.args...).Scan(&total); err != nil {
			return err
		}
	}
	rows, err := db.QueryContext(ctx, pageSQL.sql, pageSQL.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	// The page's rows, known from the total, are about as long as its first.
	want := min(max(int64(total)-pg.offset(), 0), int64(pg.PerPage))
	buf := httpx.Buffer()
	defer httpx.ReleaseBuffer(buf)
	b := append(*buf, `{"success":true,"data":[`...)
	sc := newAnswerScan(system)
	for n := int64(0); rows.Next(); n++ {
		if n > 0 {
			b = append(b, ',')
		}
		start := len(b)
		if minimal {
			if err := rows.Scan(sc.dest[:2]...); err != nil {
				return err
			}
			b = appendMinimalOrg(b, sc.a.ID, sc.a.Name)
		} else {
			if err := sc.scan(rows); err != nil {
				return err
			}
			b = appendOrg(b, &sc.a, system)
		}
		if n == 0 && want > 1 {
			b = slices.Grow(b, (len(b)-start+1)*int(want-1)+256)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	*buf = appendPageEnd(b, pg, total)
	httpx.WriteJSONBody(w, http.StatusOK, contentType, *buf)
	return nil
}

// statement is one SQL statement with its arguments.
type statement struct {
	sql  string
	args []any
}

// orgListSQL is the SQL of one page of the organization list and of its
// total. An organization admin sees its own; name is a unique key; the
// system administrator's unfiltered total is kept counted (migration 002),
// so that a page costs the same however many organizations there are.
func orgListSQL(c caller, name, contains, order, columns string, pg page) (pageSQL, totalSQL statement) {
	var where []string
	var args []any
	if !c.system() {
		where, args = append(where, "id = ?"), append(args, c.OrganizationID)
	}
	if name != "" {
		where, args = append(where, "name_key = ?"), append(args, nameKey(name))
	}
	if contains != "" {
		where, args = append(where, "instr(name_key, ?) > 0"), append(args, strings.ToLower(contains))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	totalSQL = statement{`SELECT count(*) FROM ga_organizations` + cond, args}
	if len(where) == 0 {
		totalSQL = statement{`SELECT COALESCE((SELECT n FROM ga_counts WHERE what = 'organizations'), 0)`, nil}
	}
	return statement{`SELECT ` + columns + ` FROM ga_organizations` + cond + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?`,
		append(append([]any(nil), args...), pg.PerPage, pg.offset())}, totalSQL
}

// parseBool reads a boolean query parameter the way Rails casts one.
func parseBool(q url.Values, name string) (bool, error) {
	v := q.Get(name)
	switch strings.ToLower(v) {
	case "", "false", "0", "f", "no", "off":
		return false, nil
	case "true", "1", "t", "yes", "on":
		return true, nil
	}
	return false, invalidRequest("%s must be true or false, not %q", name, v)
}

// getOrgSQL reads an API key (by id, the second argument) and the kept
// answer for its role of the organization to answer with (the first; NULL
// when it is missing or its answers are not kept).
const getOrgSQL = `SELECT ` + keyColumns + `,
	CASE k.role WHEN 'system_admin' THEN t.json_system ELSE t.json_org END
	FROM ` + keyTables + ` LEFT JOIN ga_organizations t ON t.id = ? WHERE k.id = ?`

// getOrganization handles GET /ga/api/v2/organizations/{id}, the hottest
// path of the API. It authenticates itself, as the authenticate middleware
// does and before anything else, but reads the key and the organization's
// kept answer in one query.
func (a *API) getOrganization(w http.ResponseWriter, r *http.Request) error {
	keyID, secret, err := basicKey(r)
	if err != nil {
		return err
	}
	id, err := orgID(r)
	if err != nil {
		if _, authErr := a.resolveCaller(r); authErr != nil {
			return authErr
		}
		return err
	}
	var k keyScan
	var kept sql.NullString
	err = a.reads().QueryRowContext(r.Context(), getOrgSQL, id, keyID).Scan(append(k.dest(), &kept)...)
	c, err := k.caller(secret, err)
	if err != nil {
		return err
	}
	// An organization admin sees only its own organization (scopedOrgID).
	if !c.system() && c.OrganizationID != id {
		return orgNotFound(id)
	}
	if !kept.Valid { // missing, or not kept: the columns tell
		return a.writeOrgFromColumns(r.Context(), w, id, c.system())
	}
	writeKeptOrg(w, kept.String)
	return nil
}

// createOrgSQL reads, in a create's transaction, the id the organization
// takes, which its kept answers show: the one AUTOINCREMENT would give, one
// more than the largest the table has or ever had (sqlite_sequence, which
// the insert then moves on as AUTOINCREMENT would). And whether an
// organization has the name key ?.
const createOrgSQL = `SELECT max(ifnull((SELECT seq FROM sqlite_sequence WHERE name = 'ga_organizations'), 0),
	ifnull((SELECT max(id) FROM ga_organizations), 0)) + 1, EXISTS (SELECT 1 FROM ga_organizations WHERE name_key = ?)`

// createOrganization handles POST /ga/api/v2/organizations.
func (a *API) createOrganization(w http.ResponseWriter, r *http.Request) error {
	if err := requireSystem(r, "create organizations"); err != nil {
		return err
	}
	in, err := decodeOrganization(r)
	if err != nil {
		return err
	}
	o := newOrg()
	var kept keptAnswers
	ctx := r.Context()
	err = a.DB.Tx(ctx, func(tx *store.Tx) error {
		known := checkedName{key: nameKey(in.Name.V)}
		if err := tx.QueryRowContext(ctx, createOrgSQL, known.key).Scan(&o.ID, &known.taken); err != nil {
			return err
		}
		if err := applyChecked(ctx, tx, o, in, true, known); err != nil {
			return err
		}
		startCredits(o, "")
		kept, err = insertOrganization(ctx, tx, o, o.documents())
		return err
	})
	if err != nil {
		return err
	}
	writeKeptOrg(w, kept.system)
	return nil
}

// putOrgSQL reads, in the update's transaction, an API key (by id, ?3), the
// organization to update (?1; id 0 when it is missing) and whether another
// organization has the name key ?2 (NULL, for no rename, matches none).
const putOrgSQL = `SELECT ` + keyColumns + `, ` + targetOrgColumns + `,
	EXISTS (SELECT 1 FROM ga_organizations WHERE name_key = ?2 AND id <> ?1)
	FROM ` + keyTables + ` LEFT JOIN ga_organizations t ON t.id = ?1 WHERE k.id = ?3`

// updateOrganization handles PUT /ga/api/v2/organizations/{id}: a partial
// update. Like getOrganization, it authenticates itself, with the checks and
// errors of the authenticate middleware and before anything else, but reads
// the key in the update's transaction, with the organization: one statement
// instead of a read and then the transaction's. The body is therefore read
// before the key is checked (a transaction never waits on a client), as the
// real server reads a whole request before Rails sees it; its errors still
// come after the key's and the path's.
func (a *API) updateOrganization(w http.ResponseWriter, r *http.Request) error {
	keyID, secret, err := basicKey(r)
	if err != nil {
		return err
	}
	id, err := orgID(r)
	var in orgInput
	if err == nil {
		in, err = decodeOrganization(r)
	}
	if err != nil {
		// What the transaction does not answer, in the middleware's
		// order: the key's error, then the path's (scopedOrgID's), then
		// the body's.
		c, authErr := a.resolveCaller(r)
		switch {
		case authErr != nil:
			return authErr
		case id != 0 && !c.system() && c.OrganizationID != id:
			return orgNotFound(id)
		}
		return err
	}
	var rename sql.NullString // not sent: NULL, which no name key equals
	if in.Name.Set {
		rename = sql.NullString{String: nameKey(in.Name.V), Valid: true}
	}
	var system bool
	var o *org
	var kept keptAnswers
	ctx := r.Context()
	err = a.DB.Tx(ctx, func(tx *store.Tx) error {
		var k keyScan
		var s storedOrg
		var taken bool
		err := tx.QueryRowContext(ctx, putOrgSQL, id, rename, keyID).Scan(append(append(k.dest(), s.dest()...), &taken)...)
		c, err := k.caller(secret, err)
		if err != nil {
			return err
		}
		// An organization admin sees only its own organization (scopedOrgID).
		if s.o.ID == 0 || (!c.system() && c.OrganizationID != id) {
			return orgNotFound(id)
		}
		system = c.system()
		// Only a system administrator may rename, or change the permissions
		// and quotas (apply). What the update does not change is written
		// back as stored, and only what apply reads is decoded: what it
		// changes, and an organization admin's permissions
		// (can_edit_header_and_footer).
		known := checkedName{key: nameKey(s.o.Name)}
		if system && in.Name.Set {
			known = checkedName{key: rename.String, taken: taken}
		}
		changes := docSet{permissions: system && in.Permissions.Set, autoSubscriberManagement: in.AutoSubscriberManagement.Set,
			sendingQuota: system && in.SendingQuota.Set, subscriberQuota: system && in.SubscriberQuota.Set}
		need := changes
		need.permissions = need.permissions || !system
		keep := docSet{!changes.permissions, !changes.autoSubscriberManagement, !changes.sendingQuota, !changes.subscriberQuota}
		if o, err = s.decode(need, keep); err != nil {
			return err
		}
		before := o.SendingQuota.Mode
		if err := applyChecked(ctx, tx, o, in, system, known); err != nil {
			return err
		}
		d := o.documents()
		kept = o.keptAnswers(d)
		if err := saveOrganization(ctx, tx, o, d, kept, &s); err != nil {
			return err
		}
		// A sending quota left alone (not decoded) keeps its mode: no credits start.
		if changes.sendingQuota && startCredits(o, before) {
			_, err := tx.ExecContext(ctx, `UPDATE ga_organizations SET credits_available = ? WHERE id = ?`,
				o.CreditsAvailable, o.ID)
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeKeptOrg(w, kept.of(system))
	return nil
}

// applyChecked merges in into o and checks everything, the name's
// uniqueness included (known, read with o, unless the name ends up another);
// any problem is one validation_failed.
func applyChecked(ctx context.Context, tx *store.Tx, o *org, in orgInput, system bool, known checkedName) error {
	p, err := apply(ctx, tx, o, in, system)
	if err != nil {
		return err
	}
	if strings.TrimSpace(o.Name) != "" {
		taken := false
		if key := nameKey(o.Name); known.key == key {
			taken = known.taken
		} else if taken, err = nameTaken(ctx, tx, o.Name, o.ID); err != nil {
			return err
		}
		if taken {
			p.add("name has already been taken")
		}
	}
	return p.err()
}

// startCredits gives an organization that enters fixed_credits (created in
// it, or switched to it from the mode before) its limit as credits, by
// decision. It reports whether it did. The lifetime count goes on: it is
// every message ever sent, in any mode.
func startCredits(o *org, before string) bool {
	if o.SendingQuota.Mode != "fixed_credits" || before == "fixed_credits" {
		return false
	}
	o.CreditsAvailable = *o.SendingQuota.Limit
	return true
}

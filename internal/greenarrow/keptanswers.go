package greenarrow

import (
	"context"
	"database/sql"
	"errors"
	"net/http"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

// An organization's answer is kept in its row as encoded JSON (migration
// 004), one per role, so that GET organization reads one column instead of
// about eleven, and the list reads a page as one row: the driver's work for
// each row and column read cost more than SQLite's own. The answers are
// written by appendOrg, the encoder of every other answer, with each write
// that changes what they show (insertOrganization, saveOrganization); what
// they show is a function of the row and the role alone (a time zone's
// offset is its standard one). A row written before the migration has none
// (NULL): its answer is encoded from its columns, as before.

// keptAnswers are an organization's answers as kept: the object as a system
// administrator and as its organization admin see it.
type keptAnswers struct{ system, org string }

// keptAnswers are o's answers, with its documents d: appendOrg's bytes,
// written as it would, both in one string.
func (o *org) keptAnswers(d documents) keptAnswers {
	buf := httpx.Buffer()
	defer httpx.ReleaseBuffer(buf)
	a := o.answerHead()
	b := d.appendTail(appendOrgHead(*buf, &a, true), true)
	n := len(b)
	b = d.appendTail(appendOrgHead(b, &a, false), false)
	*buf = b
	both := string(b)
	return keptAnswers{system: both[:n], org: both[n:]}
}

// of is the answer the caller sees.
func (k keptAnswers) of(system bool) string {
	if system {
		return k.system
	}
	return k.org
}

// keptColumn is the column of the answer the caller sees.
func keptColumn(system bool) string {
	if system {
		return "json_system"
	}
	return "json_org"
}

// writeKeptOrg writes the envelope of an organization's kept answer.
func writeKeptOrg(w http.ResponseWriter, kept string) {
	buf := httpx.Buffer()
	defer httpx.ReleaseBuffer(buf)
	*buf = append(append(append(*buf, dataOpen...), kept...), dataClose...)
	httpx.WriteJSONBody(w, http.StatusOK, contentType, *buf)
}

// writeOrgFromColumns answers organization id encoded from its columns, its
// row having no kept answer; not_found when there is no such row.
func (a *API) writeOrgFromColumns(ctx context.Context, w http.ResponseWriter, id int64, system bool) error {
	query := orgAnswerSQL
	if system {
		query = systemAnswerSQL
	}
	s := newAnswerScan(system)
	err := s.scan(a.reads().QueryRowContext(ctx, query, id))
	if errors.Is(err, sql.ErrNoRows) {
		return orgNotFound(id)
	}
	if err != nil {
		return err
	}
	writeOrg(w, &s.a, system)
	return nil
}

// The answerColumns of one organization, by role.
var (
	orgAnswerSQL    = `SELECT ` + orgAnswerColumns + ` FROM ga_organizations WHERE id = ?`
	systemAnswerSQL = `SELECT ` + systemAnswerColumns + ` FROM ga_organizations WHERE id = ?`
)

// keptPageSQL reads a page of the organization list (orgListSQL's) as one
// row: its total, the page's kept answers joined in the list's order (NULL
// for an empty page), how many organizations the page has and how many of
// them have a kept answer. The aggregate orders the page itself, since the
// order in which a subquery's rows reach it is not promised; it sorts the
// page only (per_page rows at most), not what the subquery read.
func keptPageSQL(c caller, name, contains, order string, pg page) statement {
	kept := keptColumn(c.system())
	pageSQL, totalSQL := orgListSQL(c, name, contains, order, "id, name_key, "+kept, pg)
	return statement{`SELECT (` + totalSQL.sql + `), group_concat(` + kept + `, ',' ORDER BY ` + order + `), count(*), count(` +
		kept + `) FROM (` + pageSQL.sql + `)`, append(append([]any(nil), totalSQL.args...), pageSQL.args...)}
}

// keptPage is what keptPageSQL reads.
type keptPage struct {
	total, rows, kept int
	answers           sql.NullString
}

func readKeptPage(ctx context.Context, q querier, st statement) (keptPage, error) {
	var p keptPage
	err := q.QueryRowContext(ctx, st.sql, st.args...).Scan(&p.total, &p.answers, &p.rows, &p.kept)
	return p, err
}

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
// about eleven, and the list reads one column per organization, in the order
// its index gives (a page joined in one row by group_concat cost more: the
// aggregate sorted the page's 76 KB of answers again). The answers are
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

// keptPageSQL reads a page of the organization list (orgListSQL's): a row
// per organization, its kept answer (NULL when its row has none) after the
// list's total, which SQLite computes once.
func keptPageSQL(c caller, name, contains, order string, pg page) statement {
	_, totalSQL := orgListSQL(c, name, contains, order, "", pg)
	pageSQL, _ := orgListSQL(c, name, contains, order, "("+totalSQL.sql+"), "+keptColumn(c.system()), pg)
	return statement{pageSQL.sql, append(append([]any(nil), totalSQL.args...), pageSQL.args...)}
}

// keptPage is what appendKeptPage read: how many organizations the page has
// and the list's total (unknown, -1, for an empty page); ok is false when an
// organization on it has no kept answer (it stopped there).
type keptPage struct {
	total, rows int
	ok          bool
}

// appendKeptPage appends the page's kept answers, comma separated, to b.
func appendKeptPage(ctx context.Context, q querier, st statement, b []byte) ([]byte, keptPage, error) {
	p := keptPage{total: -1, ok: true}
	rows, err := q.QueryContext(ctx, st.sql, st.args...)
	if err != nil {
		return b, p, err
	}
	defer rows.Close()
	var kept sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&p.total, &kept); err != nil {
			return b, p, err
		}
		if kept == nil {
			p.ok = false
			return b, p, nil
		}
		if p.rows > 0 {
			b = append(b, ',')
		}
		b = append(b, kept...)
		p.rows++
	}
	return b, p, rows.Err()
}

package greenarrow

import (
	"net/http"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

// An organization's answer is kept in its row as encoded JSON (migration
// 004), one per role. The answers are written by appendOrgAfterID, the
// encoder of every other answer, in the statement of each write that
// changes what they show (insertOrganization, saveOrganization); what they
// show is a function of the row and the role alone (a time zone's offset is
// its standard one). A row written before the migration has none (NULL).

// keptAnswers are an organization's answers as kept: the object after its
// {"id":<id>, as a system administrator and as its organization admin see it.
type keptAnswers struct{ system, org string }

// keptAnswers are o's answers, with its documents d.
func (o *org) keptAnswers(d documents) keptAnswers {
	buf := httpx.Buffer()
	defer httpx.ReleaseBuffer(buf)
	b := appendOrgAfterID((*buf)[:0], o.answer(d, true), true)
	k := keptAnswers{system: string(b)}
	b = appendOrgAfterID(b[:0], o.answer(d, false), false)
	k.org = string(b)
	*buf = b
	return k
}

// of is the answer the caller sees.
func (k keptAnswers) of(system bool) string {
	if system {
		return k.system
	}
	return k.org
}

// writeKeptOrg writes the envelope of organization id from its kept answer.
func writeKeptOrg(w http.ResponseWriter, id int64, kept string) {
	buf := httpx.Buffer()
	defer httpx.ReleaseBuffer(buf)
	b := append(appendOrgID(append(*buf, dataOpen...), id), kept...)
	*buf = append(b, dataClose...)
	httpx.WriteJSONBody(w, http.StatusOK, contentType, *buf)
}

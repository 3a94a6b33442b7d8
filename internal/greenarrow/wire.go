package greenarrow

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

// The organization answers are the hot paths of the API, and encoding/json
// dominated them (each stored JSON document decoded, then the whole object
// encoded again). They are written here by hand instead, byte for byte what
// httpx.WriteJSONHTMLEscaped writes for the envelope holding an Organization
// (TestOrgAnswersMatchEncodingJSON and TestStoredAnswersMatchEncodingJSON
// compare the two). The JSON documents are stored as json.Marshal writes
// them, which is how the answer shows them, so they are copied as they are:
// a decode and encode would give the same bytes, since all they hold was
// decoded from JSON (a request, the fixture file) and is therefore valid
// UTF-8. The writes keep what appendOrg writes in the row, and get and list
// answer that (keptanswers.go); what follows encodes an answer from the
// columns, for the writes and for rows without kept answers.

// orgAnswer is an organization as the answer shows it.
type orgAnswer struct {
	ID             int64
	Name           string
	Active         bool // system administrators only
	AnniversaryDay int64
	Zone           zone
	HTMLHeader     string
	HTMLFooter     string
	TextHeader     string
	TextFooter     string
	CustomHeaders  string // system administrators only
	// Tail is the documents the caller may see, keys included, and the
	// object's closing brace: the JSON after text_footer or custom_headers.
	Tail string
}

// The tail of the answer is read in one column: a read pays for every
// column (the driver takes SQLite's mutex for its type, its length and its
// text, and copies the text), and the documents need no escaping, so SQL
// joins them, keys included (documents.appendTail writes the same).
func tailSQL(system bool) string {
	if !system {
		return `',"auto_subscriber_management":' || auto_subscriber_management || '}'`
	}
	return `',"permissions":' || permissions || ',"auto_subscriber_management":' || auto_subscriber_management ||
		',"sending_quota":' || sending_quota || ',"subscriber_quota":' || subscriber_quota || '}'`
}

// The columns answerScan reads, by role: the answer of an organization whose
// row has no kept answer (keptanswers.go).
var (
	orgAnswerColumns = `id, name, anniversary_day, time_zone, html_header, html_footer, text_header, text_footer, ` +
		tailSQL(false)
	systemAnswerColumns = `id, name, active, anniversary_day, time_zone, html_header, html_footer, text_header,
		text_footer, custom_headers, ` + tailSQL(true)
)

func answerColumns(system bool) string {
	if system {
		return systemAnswerColumns
	}
	return orgAnswerColumns
}

// appendTail appends the Tail of the answer with documents d, as tailSQL
// reads it.
func (d documents) appendTail(b []byte, system bool) []byte {
	if system {
		b = append(append(b, `,"permissions":`...), d.Permissions...)
	}
	b = append(append(b, `,"auto_subscriber_management":`...), d.AutoSubscriberManagement...)
	if system {
		b = append(append(b, `,"sending_quota":`...), d.SendingQuota...)
		b = append(append(b, `,"subscriber_quota":`...), d.SubscriberQuota...)
	}
	return append(b, '}')
}

// answerHead is o's answer without its Tail.
func (o *org) answerHead() orgAnswer {
	return orgAnswer{ID: o.ID, Name: o.Name, Active: o.Active, AnniversaryDay: int64(o.AnniversaryDay), Zone: o.Zone,
		HTMLHeader: o.HTMLHeader, HTMLFooter: o.HTMLFooter, TextHeader: o.TextHeader, TextFooter: o.TextFooter,
		CustomHeaders: o.CustomHeaders}
}

// answerScan reads the answerColumns of organizations into one orgAnswer,
// row after row, with one list of destinations.
type answerScan struct {
	a    orgAnswer
	tz   string
	dest []any
}

func newAnswerScan(system bool) *answerScan {
	s := &answerScan{}
	a := &s.a
	if system {
		s.dest = []any{&a.ID, &a.Name, &a.Active, &a.AnniversaryDay, &s.tz, &a.HTMLHeader, &a.HTMLFooter,
			&a.TextHeader, &a.TextFooter, &a.CustomHeaders, &a.Tail}
	} else {
		s.dest = []any{&a.ID, &a.Name, &a.AnniversaryDay, &s.tz, &a.HTMLHeader, &a.HTMLFooter,
			&a.TextHeader, &a.TextFooter, &a.Tail}
	}
	return s
}

func (s *answerScan) scan(sc scanner) error {
	if err := sc.Scan(s.dest...); err != nil {
		return err
	}
	return s.zone()
}

// zone finds the time zone of the organization scanned.
func (s *answerScan) zone() error {
	var ok bool
	if s.a.Zone, ok = lookupZone(s.tz); !ok {
		return fmt.Errorf("organization %d: stored time zone %q is unknown", s.a.ID, s.tz)
	}
	return nil
}

// appendOrg appends the organization as the caller may see it (Organization:
// the system administrator's attributes only for system).
func appendOrg(b []byte, o *orgAnswer, system bool) []byte {
	return append(appendOrgHead(b, o, system), o.Tail...)
}

// appendOrgHead appends what appendOrg does before o.Tail.
func appendOrgHead(b []byte, o *orgAnswer, system bool) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, o.ID, 10)
	b = append(b, `,"name":`...)
	b = httpx.AppendJSONString(b, o.Name, true)
	b = append(b, `,"anniversary_day":`...)
	b = strconv.AppendInt(b, o.AnniversaryDay, 10)
	b = append(b, `,"time_zone_name":`...)
	b = httpx.AppendJSONString(b, o.Zone.Display, true)
	b = append(b, `,"time_zone_utc_offset":`...)
	b = strconv.AppendInt(b, int64(o.Zone.Offset), 10)
	if system {
		b = append(b, `,"active":`...)
		b = strconv.AppendBool(b, o.Active)
	}
	b = append(b, `,"html_header":`...)
	b = httpx.AppendJSONString(b, o.HTMLHeader, true)
	b = append(b, `,"html_footer":`...)
	b = httpx.AppendJSONString(b, o.HTMLFooter, true)
	b = append(b, `,"text_header":`...)
	b = httpx.AppendJSONString(b, o.TextHeader, true)
	b = append(b, `,"text_footer":`...)
	b = httpx.AppendJSONString(b, o.TextFooter, true)
	if system {
		b = append(b, `,"custom_headers":`...)
		b = httpx.AppendJSONString(b, o.CustomHeaders, true)
	}
	return b
}

// appendMinimalOrg appends a list element of minimal=true: id and name.
func appendMinimalOrg(b []byte, id int64, name string) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, `,"name":`...)
	b = httpx.AppendJSONString(b, name, true)
	return append(b, '}')
}

// The envelope around one object, and around a page of a list (the
// pagination keys follow the data, as in pagedEnvelope).
const (
	dataOpen  = `{"success":true,"data":`
	dataClose = `,"error_code":null,"error_message":null}`
)

// appendPageEnd closes the data array of a page and the envelope.
func appendPageEnd(b []byte, pg page, total int) []byte {
	b = append(b, `],"error_code":null,"error_message":null,"page":`...)
	b = strconv.AppendInt(b, int64(pg.Page), 10)
	b = append(b, `,"per_page":`...)
	b = strconv.AppendInt(b, int64(pg.PerPage), 10)
	b = append(b, `,"num_records":`...)
	b = strconv.AppendInt(b, int64(total), 10)
	b = append(b, `,"num_pages":`...)
	b = strconv.AppendInt(b, int64((total+pg.PerPage-1)/pg.PerPage), 10)
	return append(b, '}')
}

// writeOrg writes the envelope of one organization.
func writeOrg(w http.ResponseWriter, o *orgAnswer, system bool) {
	buf := httpx.Buffer()
	defer httpx.ReleaseBuffer(buf)
	b := append(*buf, dataOpen...)
	b = appendOrg(b, o, system)
	*buf = append(b, dataClose...)
	httpx.WriteJSONBody(w, http.StatusOK, contentType, *buf)
}

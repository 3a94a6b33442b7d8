package greenarrow

import (
	"encoding/json"
	"net/http"
	"strconv"
	"unicode/utf8"
)

// The organization answers are the hot paths of the API, and encoding/json
// dominated them (each stored JSON document decoded, then the whole object
// encoded again). They are written here by hand instead, byte for byte what
// httpx.WriteJSONHTMLEscaped writes for the envelope holding an Organization
// (TestOrgAppenderMatchesEncodingJSON compares the two). The JSON documents
// are stored as json.Marshal writes them, which is how they appear in the
// answer, so they are copied verbatim.

// orgRow is an organization as stored, its documents as the columns hold them.
type orgRow struct {
	ID                       int64
	Name                     string
	Active                   bool
	AnniversaryDay           int64
	Zone                     zone
	HTMLHeader               string
	HTMLFooter               string
	TextHeader               string
	TextFooter               string
	CustomHeaders            string
	Permissions              string // JSON
	AutoSubscriberManagement string // JSON
	SendingQuota             string // JSON
	SubscriberQuota          string // JSON
	CreditsAvailable         int64
}

// row is o as it is stored: its documents as json.Marshal writes them.
func (o *org) row() orgRow {
	// Marshalling our own types cannot fail.
	perms, _ := json.Marshal(o.Permissions)
	asm, _ := json.Marshal(o.AutoSubscriberManagement)
	sq, _ := json.Marshal(o.SendingQuota)
	subq, _ := json.Marshal(o.SubscriberQuota)
	return orgRow{ID: o.ID, Name: o.Name, Active: o.Active, AnniversaryDay: int64(o.AnniversaryDay), Zone: o.Zone,
		HTMLHeader: o.HTMLHeader, HTMLFooter: o.HTMLFooter, TextHeader: o.TextHeader, TextFooter: o.TextFooter,
		CustomHeaders: o.CustomHeaders, Permissions: string(perms), AutoSubscriberManagement: string(asm),
		SendingQuota: string(sq), SubscriberQuota: string(subq), CreditsAvailable: o.CreditsAvailable}
}

// appendOrg appends the organization as the caller may see it (Organization:
// the system administrator's attributes only for system).
func appendOrg(b []byte, o *orgRow, system bool) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, o.ID, 10)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, o.Name)
	b = append(b, `,"anniversary_day":`...)
	b = strconv.AppendInt(b, o.AnniversaryDay, 10)
	b = append(b, `,"time_zone_name":`...)
	b = appendJSONString(b, o.Zone.Display)
	b = append(b, `,"time_zone_utc_offset":`...)
	b = strconv.AppendInt(b, int64(o.Zone.Offset), 10)
	if system {
		b = append(b, `,"active":`...)
		b = strconv.AppendBool(b, o.Active)
	}
	b = append(b, `,"html_header":`...)
	b = appendJSONString(b, o.HTMLHeader)
	b = append(b, `,"html_footer":`...)
	b = appendJSONString(b, o.HTMLFooter)
	b = append(b, `,"text_header":`...)
	b = appendJSONString(b, o.TextHeader)
	b = append(b, `,"text_footer":`...)
	b = appendJSONString(b, o.TextFooter)
	if system {
		b = append(b, `,"custom_headers":`...)
		b = appendJSONString(b, o.CustomHeaders)
		b = append(b, `,"permissions":`...)
		b = append(b, o.Permissions...)
	}
	b = append(b, `,"auto_subscriber_management":`...)
	b = append(b, o.AutoSubscriberManagement...)
	if system {
		b = append(b, `,"sending_quota":`...)
		b = append(b, o.SendingQuota...)
		b = append(b, `,"subscriber_quota":`...)
		b = append(b, o.SubscriberQuota...)
	}
	return append(b, '}')
}

// appendMinimalOrg appends a list element of minimal=true: id and name.
func appendMinimalOrg(b []byte, id int64, name string) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, name)
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
func writeOrg(w http.ResponseWriter, o *orgRow, system bool) {
	b := make([]byte, 0, 1024)
	b = append(b, dataOpen...)
	b = appendOrg(b, o, system)
	writeBody(w, append(b, dataClose...))
}

// writeBody writes a 200 JSON body as httpx.WriteJSONHTMLEscaped does.
func writeBody(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s quoted as encoding/json quotes a string with
// HTML escaping on: <, > and & as \u003c, \u003e, \u0026; control
// characters as \b, \f, \n, \r, \t or \u00XX; U+2028 and U+2029 escaped;
// invalid UTF-8 as \ufffd.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

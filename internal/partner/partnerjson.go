package partner

import (
	"fmt"
	"strings"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

// The partner object is answered by GET and PATCH, the hottest routes, so it
// is kept ready in JSON (migration 004): reading 13 columns and encoding
// them cost more than the lookup itself. The parts are encoded by
// httpx.MarshalJSON, as writePartner encodes the object, so the bytes are
// the same: what only the fixtures set (head, mid, tail) is cut from the
// whole object at seed, and a URL's JSON string is encoded by the write that
// sets it. allow_client_to_add_phone_no stays a column, written as a literal.

// partnerJSONSQL is the partner object from its kept parts, NULL when they
// are not kept (a row from before migration 004).
const partnerJSONSQL = `json_head || json_webhook_url || ',"partner_redirect_url":' || json_partner_redirect_url ||
	json_mid || CASE WHEN allow_client_to_add_phone_no THEN 'true' ELSE 'false' END || json_tail`

// jsonParts are the kept parts of a partner's JSON.
type jsonParts struct {
	head, webhookURL, redirectURL, mid, tail string
}

// The keys the parts are cut at. Inside a JSON string a quote is always
// escaped, so the first match after the previous cut is the key itself.
const (
	keyWebhookURL  = `,"webhook_url":`
	keyRedirectURL = `,"partner_redirect_url":`
	keyCountry     = `,"country":`
	keyAllowPhone  = `,"allow_client_to_add_phone_no":`
)

// partnerJSONParts cuts p's JSON into its kept parts.
func partnerJSONParts(p *Partner) (jsonParts, error) {
	raw, err := httpx.MarshalJSON(p)
	if err != nil {
		return jsonParts{}, err
	}
	doc := string(raw)
	rest := doc
	var parts jsonParts
	var ok bool
	cut := func(key string, keep bool) string {
		i := strings.Index(rest, key)
		if i < 0 {
			ok = false
			return ""
		}
		end := i
		if keep {
			end = i + len(key)
		}
		before := rest[:end]
		rest = rest[i+len(key):]
		return before
	}
	ok = true
	parts.head = cut(keyWebhookURL, true)
	parts.webhookURL = cut(keyRedirectURL, false)
	parts.redirectURL = cut(keyCountry, false)
	rest = keyCountry + rest
	parts.mid = cut(keyAllowPhone, true)
	allow := "false"
	if p.AllowClientToAddPhoneNo {
		allow = "true"
	}
	ok = ok && strings.HasPrefix(rest, allow)
	parts.tail = strings.TrimPrefix(rest, allow)
	if !ok || parts.join(p.AllowClientToAddPhoneNo) != doc {
		return jsonParts{}, fmt.Errorf("partner %s: its JSON does not cut into parts: %s", p.ID, doc)
	}
	return parts, nil
}

// join is the object from its parts, as partnerJSONSQL joins them.
func (j jsonParts) join(allow bool) string {
	a := "false"
	if allow {
		a = "true"
	}
	return j.head + j.webhookURL + keyRedirectURL + j.redirectURL + j.mid + a + j.tail
}

// jsonString is s as a JSON string, as in the partner object; nil for nil
// (the write keeps the stored part).
func jsonString(s *string) any {
	if s == nil {
		return nil
	}
	return httpx.JSONString(*s)
}

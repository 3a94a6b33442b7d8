package loop

import (
	"github.com/emulator/vendor-emulator/internal/httpx"
)

// An organization's details and list item are kept ready in JSON parts
// (migration 003), so the hottest reads answer them without reading and
// encoding their columns. Every part is encoded by httpx.MarshalJSON, as
// httpx.WriteJSON encodes orgDetails and orgItem (string fields, in order),
// so the bytes are the same; the status, the id, the key and the creation
// date never change. json_item, the list item without its closing brace, is
// written with the name (migration 004).

// orgJSONSQL is an organization's details (orgDetails) from its kept item,
// the api_key while it has a webhook_url; NULL when it is not kept.
// alias qualifies the columns ("o." or "").
func orgJSONSQL(alias string) string {
	return alias + `json_item || CASE WHEN ` + alias + `webhook_url IS NULL THEN '' ELSE ` + alias + `json_api_key END || '}'`
}

// orgItemOfNameSQL is json_item with the name's JSON string ? (the head and
// the tail never change).
const orgItemOfNameSQL = `json_head || ',"name":' || ? || json_tail`

// orgParts are an organization's kept parts.
type orgParts struct{ head, tail, apiKey, item string }

func newOrgParts(o *org) orgParts {
	p := orgParts{head: `{"id":` + httpx.JSONString(o.ID),
		tail: `,"status":` + httpx.JSONString(o.Status) + `,"create_date":` + httpx.JSONString(o.CreateDate)}
	p.item = p.head + `,"name":` + httpx.JSONString(o.Name) + p.tail
	if o.APIKey != "" { // orgDetails leaves an empty api_key out
		p.apiKey = `,"api_key":` + httpx.JSONString(o.APIKey)
	}
	return p
}

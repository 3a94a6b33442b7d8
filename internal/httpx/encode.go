package httpx

import (
	"net/http"
	"unicode/utf8"
)

// Answers written by hand (a page of a list) or kept in the store as JSON
// are written with WriteJSONBody, their strings quoted by AppendJSONString,
// byte for byte as WriteJSON would write the same value.

// WriteJSONBody writes body, JSON already, as WriteJSON writes an encoded
// value: the status and the content type ("application/json" when empty).
func WriteJSONBody(w http.ResponseWriter, status int, contentType string, body []byte) {
	if contentType == "" {
		contentType = "application/json"
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// JSONString is s quoted as WriteJSON quotes a string (no HTML escaping).
func JSONString(s string) string { return string(AppendJSONString(nil, s, false)) }

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s quoted as encoding/json quotes a string:
// control characters as \b, \f, \n, \r, \t or \u00XX; U+2028 and U+2029
// escaped; invalid UTF-8 as \ufffd; with escapeHTML, <, > and & as \u003c,
// \u003e and \u0026 (WriteJSONHTMLEscaped).
func AppendJSONString(b []byte, s string, escapeHTML bool) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && (!escapeHTML || (c != '<' && c != '>' && c != '&')) {
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

package loop

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

// field is one optional request field. Decoding never fails on it: a wrong
// JSON type is remembered (bad) so that every problem of a body is reported
// together and the handler, not the decoder, chooses 120 or 125.
type field[T any] struct {
	Set  bool // the key was present
	Null bool // ... with the value null
	Bad  bool // ... with a value of the wrong JSON type
	V    T
}

// UnmarshalJSON implements json.Unmarshaler. encoding/json calls it for null too.
func (f *field[T]) UnmarshalJSON(b []byte) error {
	f.Set = true
	if string(b) == "null" {
		f.Null = true
		return nil
	}
	if err := json.Unmarshal(b, &f.V); err != nil {
		f.Bad = true
	}
	return nil
}

// JSONTarget implements httpx.Wrapper: the keys inside are checked against T.
func (f *field[T]) JSONTarget() any { return &f.V }

// present is true when the field carries a value (not absent, not null).
func (f field[T]) present() bool { return f.Set && !f.Null && !f.Bad }

// decodeBody decodes a JSON object into v, ignoring unknown fields. No body at
// all is an empty object, so that missing fields get their own 120; malformed
// JSON, or JSON that is not an object, is 125 (through the error adapter).
func decodeBody(r *http.Request, v any) error {
	body, err := httpx.ReadBody(r)
	if err != nil {
		return err
	}
	err = httpx.Unmarshal(body, v, false)
	var be *httpx.BodyError
	if errors.As(err, &be) && be.Kind == httpx.BodyEmpty {
		return nil
	}
	return err
}

// problems collects the missing and invalid fields of one request.
type problems struct {
	missing []string
	invalid []string
}

func (p *problems) miss(name string)     { p.missing = append(p.missing, name) }
func (p *problems) bad(name, why string) { p.invalid = append(p.invalid, name+" "+why) }
func (p *problems) merge(q problems) {
	p.missing, p.invalid = append(p.missing, q.missing...), append(p.invalid, q.invalid...)
}
func (p *problems) prefixed(pre string) problems {
	out := problems{}
	for _, m := range p.missing {
		out.missing = append(out.missing, pre+m)
	}
	for _, m := range p.invalid {
		out.invalid = append(out.invalid, pre+m)
	}
	return out
}

// err is the request's error: a missing field (120) wins over an invalid one
// (125), since a client has to send a field before its value can matter.
func (p *problems) err() error {
	switch {
	case len(p.missing) > 0:
		return missing(p.missing...)
	case len(p.invalid) > 0:
		return invalid(p.invalid...)
	}
	return nil
}

// requiredString checks a required string field: absent, null or blank is missing.
func (p *problems) requiredString(name string, f field[string]) (string, bool) {
	switch {
	case f.Bad:
		p.bad(name, "must be a string")
	case !f.Set || f.Null || strings.TrimSpace(f.V) == "":
		p.miss(name)
	default:
		return f.V, true
	}
	return "", false
}

// maxText bounds free-text fields, so a request cannot store megabytes in a name.
const maxText = 255

// validCountry reports whether s is an ISO 3166-1 alpha-2 code (upper case, as the docs write them).
func validCountry(s string) bool {
	_, ok := isoCountries[s]
	return ok
}

// validURL: an absolute http(s) URL with a host.
func validURL(s string) bool {
	if len(s) > 2048 || strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Hostname() != ""
}

var (
	e164Re   = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)
	zipRe    = regexp.MustCompile(`^[0-9]{5}$`)
	localRe  = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9._+-]{0,62}[A-Za-z0-9])?$`)
	domainRe = regexp.MustCompile(`^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$`)
)

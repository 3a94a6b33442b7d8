package jsonapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones resolve also where the system has no zoneinfo
	"unicode/utf8"

	"github.com/google/uuid"
)

// Query is a request's validated query parameters.
type Query struct {
	values url.Values
	params map[string]Param
	order  []string // raw keys in request order, for paging links
	raw    string
	// fields are the sparse fieldsets of a GET (fields[<type>]=a,b): the
	// attributes to answer, by type. nil when the request names none, so
	// rendering checks nothing more.
	fields map[string]map[string]bool
}

// fieldsOf is the sparse fieldset the request asks of typ; sparse is false
// when every attribute is answered.
func (q *Query) fieldsOf(typ string) (only map[string]bool, sparse bool) {
	if q == nil || q.fields == nil {
		return nil, false
	}
	only, sparse = q.fields[typ]
	return only, sparse
}

// Has reports whether the client sent the parameter.
func (q *Query) Has(name string) bool { _, ok := q.values[name]; return ok }

// Documents reports whether the operation documents the parameter.
func (q *Query) Documents(name string) bool { _, ok := q.params[name]; return ok }

// Get returns the parameter's value, or its documented default.
func (q *Query) Get(name string) string {
	if v, ok := q.values[name]; ok && len(v) > 0 {
		return v[0]
	}
	return q.params[name].Default
}

// All returns every value of an array parameter.
func (q *Query) All(name string) []string {
	vs := q.values[name]
	if q.params[name].Name == "sort" {
		var out []string
		for _, v := range vs {
			out = append(out, strings.Split(v, ",")...)
		}
		if len(out) == 0 && q.params[name].Default != "" {
			out = []string{q.params[name].Default}
		}
		return out
	}
	return vs
}

// Bool reads a boolean parameter (its default when absent).
func (q *Query) Bool(name string) bool {
	b, _ := ParseBool(q.Get(name))
	return b
}

// Int reads an integer parameter (its default when absent).
func (q *Query) Int(name string) int64 {
	n, _ := strconv.ParseInt(q.Get(name), 10, 64)
	return n
}

// queryPart is one name=value part of a query string, decoded (ok) or not.
type queryPart struct {
	raw, rawKey string
	key, val    string
	ok          bool // both name and value are properly URL-encoded
}

// queryParts splits a raw query string into its parts, in order, keeping
// what url.ParseQuery would lose: the order and the parts it cannot decode.
func queryParts(rawQuery string) []queryPart {
	var out []queryPart
	for _, part := range strings.Split(rawQuery, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		key, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(v)
		out = append(out, queryPart{raw: part, rawKey: k, key: key, val: val, ok: err1 == nil && err2 == nil})
	}
	return out
}

// parseQuery validates every query parameter against the operation's
// documented ones: unknown names, repeated scalars, types, formats, enums,
// lengths, ranges and required parameters, and the sparse fieldsets of a GET
// against types (the attributes of every type). One error per problem.
func parseQuery(op *Operation, types map[string][]Attr, rawQuery string) (*Query, error) {
	q := &Query{values: url.Values{}, params: op.params, raw: rawQuery}
	var errs Errors
	for _, qp := range queryParts(rawQuery) {
		if !qp.ok {
			errs = append(errs, ErrParam(qp.rawKey, "Query parameter %q is not properly URL-encoded.", qp.rawKey))
			continue
		}
		if _, ok := q.values[qp.key]; !ok {
			q.order = append(q.order, qp.key)
		}
		q.values[qp.key] = append(q.values[qp.key], qp.val)
	}
	keys := append([]string(nil), q.order...)
	for _, key := range keys {
		p, ok := q.params[key]
		vals := q.values[key]
		if !ok {
			switch typ, isFields := fieldsType(key); {
			case isFields && sparseFieldsets(op):
				if e := q.addFields(key, typ, vals, types); e != nil {
					errs = append(errs, e)
				}
			case key == "include":
				// JSON:API: a server that does not support include answers 400.
				errs = append(errs, ErrParam(key, "Query parameter \"include\" is not supported: the resources of this API have no relationships."))
			default:
				errs = append(errs, ErrParam(key, "Unknown query parameter %q.", key))
			}
			continue
		}
		if p.Kind != "array" && len(vals) > 1 {
			errs = append(errs, ErrParam(key, "Query parameter %q may be given only once.", key))
			continue
		}
		if key == "page[limit]" {
			// Above the list's maximum, the limit is clamped to it: the
			// vendor's own client asks 100 of every list, also of those whose
			// maximum is 50, so the vendor cannot be refusing it. The answer's
			// meta and links show the limit applied. Below the minimum, or not
			// an integer, it stays a 400.
			if p.Max != nil && aboveMax(vals[0], *p.Max) {
				q.values[key] = []string{strconv.FormatInt(*p.Max, 10)}
				continue
			}
			p.Max = nil // (the error then says "at least")
		}
		if p.Kind == "array" {
			items := q.All(key)
			if p.MaxItems > 0 && len(items) > p.MaxItems {
				errs = append(errs, ErrParam(key, "Query parameter %q takes at most %d values.", key, p.MaxItems))
				continue
			}
			if p.MinItems > 0 && len(items) < p.MinItems {
				errs = append(errs, ErrParam(key, "Query parameter %q needs at least %d values.", key, p.MinItems))
				continue
			}
			for _, it := range items {
				if e := checkItem(p, it); e != nil {
					errs = append(errs, e)
					break
				}
			}
			continue
		}
		if e := checkParam(p, vals[0]); e != nil {
			errs = append(errs, e)
		}
	}
	for _, p := range op.Query {
		if p.Required && !q.Has(p.Name) {
			errs = append(errs, ErrParam(p.Name, "Query parameter %q is required.", p.Name))
		}
	}
	return q, errs.OrNil()
}

// aboveMax reports whether v is an integer above limit (however large).
func aboveMax(v string, limit int64) bool {
	n, err := strconv.ParseInt(v, 10, 64)
	// Out of int64's range, ParseInt answers the bound of the sign's side.
	return (err == nil || errors.Is(err, strconv.ErrRange)) && n > limit
}

// sparseFieldsets reports whether op takes JSON:API sparse fieldsets: the
// GETs that answer JSON:API resources.
func sparseFieldsets(op *Operation) bool {
	return op.Method == "GET" && (op.Response == "jsonapi single" || op.Response == "jsonapi list")
}

// fieldsType is the type of a fields[<type>] parameter.
func fieldsType(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, "fields[")
	if !ok {
		return "", false
	}
	typ, ok := strings.CutSuffix(rest, "]")
	return typ, ok && typ != ""
}

// addFields checks the sparse fieldset of typ (a comma-separated list of
// attributes; empty: none) and keeps it. A type the API does not know, or an
// attribute its type does not answer, is a 400 naming it (the first one, as
// for other list parameters: a long list of junk makes one error, not one
// per item). A known type that is not in the answer is checked the same way
// and changes nothing.
func (q *Query) addFields(key, typ string, vals []string, types map[string][]Attr) *Error {
	if len(vals) > 1 {
		return ErrParam(key, "Query parameter %q may be given only once.", key)
	}
	attrs, ok := types[typ]
	if !ok {
		return ErrParam(key, "Query parameter %q names no resource type of this API.", key)
	}
	only := map[string]bool{}
	for name := range strings.SplitSeq(vals[0], ",") {
		if name == "" {
			continue
		}
		i := slices.IndexFunc(attrs, func(at Attr) bool { return at.Name == name })
		if i < 0 || attrs[i].RequestOnly {
			return ErrParam(key, "%s has no attribute %q.", Singular(typ), name)
		}
		only[name] = true
	}
	if q.fields == nil {
		q.fields = map[string]map[string]bool{}
	}
	q.fields[typ] = only
	return nil
}

func checkParam(p Param, v string) *Error {
	switch p.Kind {
	case "integer":
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return ErrParam(p.Name, "Query parameter %q must be an integer.", p.Name)
		}
		if p.Min != nil && n < *p.Min || p.Max != nil && n > *p.Max {
			return ErrParam(p.Name, "Query parameter %q must be %s.", p.Name, rangeText(p.Min, p.Max))
		}
	case "boolean":
		if _, ok := ParseBool(v); !ok {
			return ErrParam(p.Name, "Query parameter %q must be true or false.", p.Name)
		}
	default:
		if p.Format == "uuid" && !IsUUID(v) {
			return ErrParam(p.Name, "Query parameter %q must be a UUID.", p.Name)
		}
		if p.Format == "email" {
			if a, err := mail.ParseAddress(v); err != nil || a.Address != v {
				return ErrParam(p.Name, "Query parameter %q must be an e-mail address.", p.Name)
			}
		}
		if len(p.Enum) > 0 && !contains(p.Enum, v) {
			return ErrParam(p.Name, "Query parameter %q must be one of %s.", p.Name, strings.Join(p.Enum, ", "))
		}
		n := utf8.RuneCountInString(v)
		if p.MaxLength > 0 && n > p.MaxLength {
			return ErrParam(p.Name, "Query parameter %q must be at most %d characters.", p.Name, p.MaxLength)
		}
		if p.MinLength > 0 && n < p.MinLength {
			return ErrParam(p.Name, "Query parameter %q must be at least %d characters.", p.Name, p.MinLength)
		}
		if p.pattern != nil && !p.pattern.MatchString(v) {
			return ErrParam(p.Name, "Query parameter %q must match %s.", p.Name, p.Pattern)
		}
	}
	return nil
}

func checkItem(p Param, v string) *Error {
	if p.ItemMaxLength > 0 && utf8.RuneCountInString(v) > p.ItemMaxLength {
		return ErrParam(p.Name, "Each value of %q must be at most %d characters.", p.Name, p.ItemMaxLength)
	}
	if len(p.ItemEnum) > 0 && !contains(p.ItemEnum, v) {
		return ErrParam(p.Name, "Each value of %q must be one of %s.", p.Name, strings.Join(p.ItemEnum, ", "))
	}
	if strings.HasPrefix(p.Name, "filter[cmp-") {
		if _, _, err := ParseComparison(v); err != nil {
			return ErrParam(p.Name, "%s", err.Error())
		}
	}
	return nil
}

func rangeText(lo, hi *int64) string {
	switch {
	case lo != nil && hi != nil:
		return fmt.Sprintf("between %d and %d", *lo, *hi)
	case lo != nil:
		return fmt.Sprintf("at least %d", *lo)
	default:
		return fmt.Sprintf("at most %d", *hi)
	}
}

func ParseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// IsUUID accepts the canonical 36-character form only (any case).
func IsUUID(v string) bool {
	if len(v) != 36 {
		return false
	}
	_, err := uuid.Parse(v)
	return err == nil
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// ParseComparison reads "[comparator][datetime]" of a filter[cmp-*] value.
func ParseComparison(v string) (string, string, error) {
	var op string
	for _, c := range []string{">=", "<=", ">", "<"} {
		if strings.HasPrefix(v, c) {
			op = c
			break
		}
	}
	if op == "" {
		return "", "", errors.New("A time comparison starts with one of >, <, >=, <= followed by a datetime.")
	}
	t, ok := ParseTime(strings.TrimPrefix(v, op))
	if !ok {
		return "", "", fmt.Errorf("%q is not a datetime (RFC 3339).", strings.TrimPrefix(v, op))
	}
	return op, FormatTime(t), nil
}

// ParseTime accepts any RFC 3339 time; a space stands for the "+" that an
// unencoded query string turns into one.
func ParseTime(s string) (time.Time, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "+")
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// CheckValue validates one JSON value against a declared kind and format;
// pointer names it in the error. A null is accepted for optional values.
func CheckValue(pointer, kind, format string, enum []string, maxLen int, itemFormat string, raw json.RawMessage) *Error {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return nil
	}
	switch kind {
	case "string":
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return ErrPointer(pointer, "Must be a string.")
		}
		switch format {
		case "uuid":
			if !IsUUID(s) {
				return ErrPointer(pointer, "Must be a valid UUID.")
			}
		case "date":
			if _, err := time.Parse("2006-01-02", s); err != nil {
				return ErrPointer(pointer, "Must be a date, YYYY-MM-DD.")
			}
		case "email":
			if a, err := mail.ParseAddress(s); err != nil || a.Address != s {
				return ErrPointer(pointer, "Must be a valid e-mail address.")
			}
		case "phonenumberE164", "phonenumberE164_us":
			if !IsE164(s) {
				return ErrPointer(pointer, "Must be a phone number in E.164 format.")
			}
		case "date-time":
			if _, ok := ParseTime(s); !ok {
				return ErrPointer(pointer, "Must be a datetime (RFC 3339).")
			}
		case "time":
			if !IsTimeOfDay(s) {
				return ErrPointer(pointer, "Must be a time of day, HH:MM:SSZ.")
			}
		case "timezone":
			if !IsTimeZone(s) {
				return ErrPointer(pointer, "Must be an IANA time zone such as America/Los_Angeles.")
			}
		}
		if len(enum) > 0 && !contains(enum, s) {
			return ErrPointer(pointer, "Must be one of %s.", strings.Join(enum, ", "))
		}
		if maxLen > 0 && utf8.RuneCountInString(s) > maxLen {
			return ErrPointer(pointer, "Must be at most %d characters.", maxLen)
		}
	case "boolean":
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return ErrPointer(pointer, "Must be a boolean.")
		}
	case "integer":
		var f float64
		if json.Unmarshal(raw, &f) != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return ErrPointer(pointer, "Must be an integer.")
		}
	case "number":
		var f float64
		if json.Unmarshal(raw, &f) != nil {
			return ErrPointer(pointer, "Must be a number.")
		}
	case "array":
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return ErrPointer(pointer, "Must be an array.")
		}
		if itemFormat == "uuid" {
			for i, it := range items {
				if e := CheckValue(fmt.Sprintf("%s/%d", pointer, i), "string", "uuid", nil, 0, "", it); e != nil {
					return e
				}
			}
		}
	case "object":
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil || m == nil {
			return ErrPointer(pointer, "Must be an object.")
		}
	}
	return nil
}

// IsTimeOfDay accepts a time of day as the vendor's samples write it,
// "14:15:22Z": two digits each, no fraction, no other offset.
func IsTimeOfDay(s string) bool {
	t, err := time.Parse("15:04:05Z", s)
	return err == nil && len(s) == len("15:04:05Z") && t.Format("15:04:05Z") == s
}

// IsTimeZone accepts a name of the IANA time zone database
// ("America/Los_Angeles", "UTC"), from the database embedded in the
// binary (time/tzdata) when the system has none. "Local" names no zone.
func IsTimeZone(s string) bool {
	if s == "" || s == "Local" {
		return false
	}
	_, err := time.LoadLocation(s)
	return err == nil
}

func IsE164(s string) bool {
	if len(s) < 3 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// checkFields validates a plain JSON body against the operation's documented
// fields: unknown keys, required keys, types, formats, enums and lengths.
func checkFields(op *Operation, body map[string]json.RawMessage) error {
	known := map[string]Field{}
	for _, f := range op.Fields {
		known[f.Name] = f
	}
	var errs Errors
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f, ok := known[k]
		if !ok {
			errs = append(errs, ErrPointer("/"+k, "Unknown field %q.", k))
			continue
		}
		if e := CheckValue("/"+k, f.Kind, f.Format, f.Enum, f.MaxLength, f.ItemFormat, body[k]); e != nil {
			errs = append(errs, e)
		}
	}
	for _, f := range op.Fields {
		if v, ok := body[f.Name]; f.Required && (!ok || string(bytes.TrimSpace(v)) == "null") {
			errs = append(errs, ErrPointer("/"+f.Name, "This field is required."))
		}
	}
	return errs.OrNil()
}

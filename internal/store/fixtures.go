package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Sub returns the migrations directory dir of an embedded file system, for
// Schema.Migrations. An embedded directory always exists, so it cannot fail;
// a wrong name shows at Open as "no migrations".
func Sub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(fmt.Sprintf("store: migrations directory %q: %v", dir, err))
	}
	return sub
}

// FixtureError is a fault in a fixture file, in one line that names the
// file, the record (its array index, and its id when it has one) and the
// field, so that whoever wrote the file finds the spot:
//
//	fixtures: greenarrow.json: organizations[2] (id 3): field "name": must be a string, not number
type FixtureError struct {
	File   string
	Record string // "accounts[0] (id acme): organizations[1]"; "" for the file as a whole
	Field  string // "name", "permissions.speed"; "" for the record as a whole
	Msg    string
}

func (e *FixtureError) Error() string {
	var b strings.Builder
	b.WriteString("fixtures: ")
	b.WriteString(e.File)
	if e.Record != "" {
		b.WriteString(": ")
		b.WriteString(e.Record)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": field %q", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// FixtureRecord is where a record sits in a fixture file: the arrays and
// indexes that lead to it, each with its record's id when it has one.
type FixtureRecord struct {
	file  string
	steps []recordStep
}

type recordStep struct {
	array string
	index int
	id    string // "" when the record has none
}

// FixtureFile is the top of the fixture file name.
func FixtureFile(name string) FixtureRecord { return FixtureRecord{file: name} }

// At is element index of array under r; id (a string or an integer, nil for
// none) is shown with it.
func (r FixtureRecord) At(array string, index int, id any) FixtureRecord {
	s := ""
	switch v := id.(type) {
	case nil:
	case string:
		s = v
	default:
		s = fmt.Sprint(v)
	}
	// A fresh slice: siblings built from the same parent must not share one.
	steps := append(r.steps[:len(r.steps):len(r.steps)], recordStep{array: array, index: index, id: s})
	return FixtureRecord{file: r.file, steps: steps}
}

// String is the record as errors show it: "accounts[0] (id acme): organizations[1] (id x)".
func (r FixtureRecord) String() string {
	parts := make([]string, len(r.steps))
	for i, s := range r.steps {
		parts[i] = fmt.Sprintf("%s[%d]", s.array, s.index)
		if s.id != "" {
			parts[i] += " (id " + showID(s.id) + ")"
		}
	}
	return strings.Join(parts, ": ")
}

// ref is the record in short, "accounts[0].organizations[1]", for naming a
// second record in a message.
func (r FixtureRecord) ref() string {
	var b strings.Builder
	for i, s := range r.steps {
		if i > 0 {
			b.WriteByte('.')
		}
		fmt.Fprintf(&b, "%s[%d]", s.array, s.index)
	}
	return b.String()
}

// Errorf is a fault of field ("" for the record itself) in r.
func (r FixtureRecord) Errorf(field, format string, args ...any) error {
	return &FixtureError{File: r.file, Record: r.String(), Field: field, Msg: fmt.Sprintf(format, args...)}
}

// showID shows an id bare unless it holds spaces or unprintable characters.
func showID(id string) string {
	for _, c := range id {
		if !unicode.IsPrint(c) || unicode.IsSpace(c) {
			return strconv.Quote(id)
		}
	}
	return id
}

// FixtureUnique finds the second record that takes a value which must be
// unique: an id, an API key, a name.
type FixtureUnique struct {
	fold bool
	seen map[string]FixtureRecord
}

// NewFixtureUnique compares values exactly, or case-insensitively with fold.
func NewFixtureUnique(fold bool) *FixtureUnique {
	return &FixtureUnique{fold: fold, seen: map[string]FixtureRecord{}}
}

// Add takes value for field of r, or fails naming the record that has it.
func (u *FixtureUnique) Add(r FixtureRecord, field, value string) error {
	key := value
	if u.fold {
		key = strings.ToLower(value)
	}
	if prev, ok := u.seen[key]; ok {
		other := prev.ref()
		if prev.file != r.file {
			other = prev.file + ": " + other
		}
		return r.Errorf(field, "%q is already used by %s", value, other)
	}
	u.seen[key] = r
	return nil
}

// ReadFixture decodes the fixture file name into v, a pointer to the
// vendor's fixture struct, strictly: the file holds one JSON object and
// nothing after it; every key is a field of the struct, spelt exactly, and
// given once; every value has the field's type (null only where the field is
// a pointer); and the rules of the fields' `fixture` tags hold:
//
//	required     the field must be present (a string: not empty)
//	enum=a|b     a string field is one of these
//	time=LAYOUT  a string field is a time written in exactly this layout
//	min=N, max=N an integer field's bounds
//
// Arrays directly in the file's object or in a record hold records; errors
// name them by index and id (see FixtureError). The first fault is returned.
func ReadFixture(fixtures fs.FS, name string, v any) error {
	fileErr := func(format string, args ...any) error {
		return &FixtureError{File: name, Msg: fmt.Sprintf(format, args...)}
	}
	raw, err := fs.ReadFile(fixtures, name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fileErr("cannot be read: %v", err)
	}
	if !json.Valid(raw) {
		return syntaxError(name, raw)
	}
	top := json.RawMessage(raw)
	r := &reader{structs: map[reflect.Type]*structInfo{}}
	if f := r.check(top, reflect.TypeOf(v).Elem(), place{record: FixtureFile(name)}, fieldRules{}); f != nil {
		return &FixtureError{File: name, Record: f.record.String(), Field: f.field, Msg: f.msg}
	}
	if err := json.Unmarshal(top, v); err != nil {
		return fileErr("%v", err) // check lets through only what decodes
	}
	return nil
}

// syntaxError says where raw, which is not valid JSON, goes wrong: an empty
// file, a syntax error, or more after the top-level value.
func syntaxError(name string, raw []byte) error {
	fileErr := func(format string, args ...any) error {
		return &FixtureError{File: name, Msg: fmt.Sprintf(format, args...)}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	var top json.RawMessage
	if err := dec.Decode(&top); err != nil {
		var se *json.SyntaxError
		switch {
		case errors.Is(err, io.EOF):
			return fileErr("is empty, not a JSON object")
		case errors.As(err, &se):
			return fileErr("not JSON: %s: %v", position(raw, se.Offset-1), se)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return fileErr("not JSON: %s: unexpected end of file", position(raw, int64(len(raw))))
		}
		return fileErr("not JSON: %v", err)
	}
	at := skipSpace(raw, int(dec.InputOffset()))
	return fileErr("%s: more data after the top-level object", position(raw, int64(at)))
}

// position is "line L, column C" of byte offset off (both from 1).
func position(raw []byte, off int64) string {
	off = max(0, min(off, int64(len(raw))))
	line := 1 + bytes.Count(raw[:off], []byte("\n"))
	col := off - int64(bytes.LastIndexByte(raw[:off], '\n'))
	return fmt.Sprintf("line %d, column %d", line, col)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// fault is what check found wrong.
type fault struct {
	record FixtureRecord
	field  string
	msg    string
}

// place is where check is: the record and the path of the field in it.
type place struct {
	record FixtureRecord
	field  string // "" at the record (or the file) itself
}

func (p place) fail(format string, args ...any) *fault {
	return &fault{record: p.record, field: p.field, msg: fmt.Sprintf(format, args...)}
}

func (p place) member(name string) place {
	if p.field == "" {
		return place{record: p.record, field: name}
	}
	return place{record: p.record, field: p.field + "." + name}
}

// fieldRules are the rules of a struct field's `fixture` tag.
type fieldRules struct {
	required bool
	enum     []string
	layout   string
	min, max *int64
	nullable bool // the field is a pointer: null is its absence
}

// what names what a value must be: "a string", "a string or null".
func (r fieldRules) what(t reflect.Type) string {
	if r.nullable && !r.required {
		return describe(t) + " or null"
	}
	return describe(t)
}

func parseRules(tag string) fieldRules {
	var r fieldRules
	for _, part := range strings.Split(tag, ",") {
		key, val, _ := strings.Cut(part, "=")
		switch key {
		case "required":
			r.required = true
		case "enum":
			r.enum = strings.Split(val, "|")
		case "time":
			r.layout = val
		case "min", "max":
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				panic(fmt.Sprintf("store: fixture tag %q: bad %s", tag, key))
			}
			if key == "min" {
				r.min = &n
			} else {
				r.max = &n
			}
		}
	}
	return r
}

var (
	rawType      = reflect.TypeFor[json.RawMessage]()
	numberType   = reflect.TypeFor[json.Number]()
	timeType     = reflect.TypeFor[time.Time]()
	unmarshaler  = reflect.TypeFor[json.Unmarshaler]()
	exampleTime  = time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	errNotObject = errors.New("not an object")
)

// reader checks one file. It keeps what it learnt of each struct type: the
// seeds read their files at every reset, so reading must stay cheap.
type reader struct {
	structs map[reflect.Type]*structInfo
}

// check checks raw against type t and the rules of its field, at p.
func (r *reader) check(raw json.RawMessage, t reflect.Type, p place, rules fieldRules) *fault {
	kind := jsonKind(raw)
	switch {
	case t == rawType || t.Kind() == reflect.Interface:
		return nil
	case t.Kind() == reflect.Pointer:
		rules.nullable = true
		return r.check(raw, t.Elem(), p, rules)
	case kind == "null":
		if rules.nullable && !rules.required {
			return nil
		}
		return p.fail("must be %s, not null", describe(t))
	case t == timeType:
		s, ok := unquote(raw)
		if !ok {
			return p.fail("must be %s, not %s", rules.what(t), kind)
		}
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			return p.fail("must be %s like %q, not %q", describe(t), exampleTime.Format(time.RFC3339), s)
		}
		return nil
	case t == numberType:
		var n json.Number
		if (kind != "number" && kind != "string") || json.Unmarshal(raw, &n) != nil {
			return p.fail("must be %s, not %s", rules.what(t), showValue(raw, kind))
		}
		return nil
	case reflect.PointerTo(t).Implements(unmarshaler):
		if err := json.Unmarshal(raw, reflect.New(t).Interface()); err != nil {
			return p.fail("%v", err)
		}
		return nil
	}
	switch t.Kind() {
	case reflect.String:
		s, ok := unquote(raw)
		if !ok {
			return p.fail("must be %s, not %s", rules.what(t), kind)
		}
		return checkString(s, p, rules)
	case reflect.Bool:
		if kind != "boolean" {
			return p.fail("must be %s, not %s", rules.what(t), kind)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if kind != "number" {
			return p.fail("must be %s, not %s", rules.what(t), kind)
		}
		n, err := strconv.ParseInt(string(bytes.TrimSpace(raw)), 10, t.Bits())
		if err != nil {
			return p.fail("must be %s, not %s", rules.what(t), bytes.TrimSpace(raw))
		}
		if rules.min != nil && n < *rules.min {
			return p.fail("must be at least %d, not %d", *rules.min, n)
		}
		if rules.max != nil && n > *rules.max {
			return p.fail("must be at most %d, not %d", *rules.max, n)
		}
	case reflect.Float32, reflect.Float64:
		if kind != "number" {
			return p.fail("must be %s, not %s", rules.what(t), kind)
		}
	case reflect.Slice:
		if kind != "array" {
			return p.fail("must be %s, not %s", rules.what(t), kind)
		}
		return r.checkArray(raw, t.Elem(), p)
	case reflect.Map:
		if kind != "object" || t.Key().Kind() != reflect.String {
			return p.fail("must be %s, not %s", rules.what(t), kind)
		}
		members, err := objectMembers(raw)
		if err != nil {
			return p.fail("%v", err)
		}
		seen := map[string]bool{}
		for _, m := range members {
			if seen[m.key] {
				return p.member(m.key).fail("given twice")
			}
			seen[m.key] = true
			if f := r.check(m.value, t.Elem(), p.member(m.key), fieldRules{}); f != nil {
				return f
			}
		}
	case reflect.Struct:
		if kind != "object" {
			return p.fail("must be %s, not %s", rules.what(t), kind)
		}
		return r.checkStruct(raw, t, p)
	default:
		panic(fmt.Sprintf("store: fixture field of type %s", t))
	}
	return nil
}

func checkString(s string, p place, rules fieldRules) *fault {
	if rules.required && s == "" {
		return p.fail("must not be empty")
	}
	if s == "" && !rules.required {
		return nil // an absent optional value
	}
	if len(rules.enum) > 0 && !contains(rules.enum, s) {
		return p.fail("must be one of %s, not %q", strings.Join(rules.enum, ", "), s)
	}
	if rules.layout != "" {
		if t, err := time.Parse(rules.layout, s); err != nil || t.Format(rules.layout) != s {
			return p.fail("must be a time like %q, not %q", exampleTime.Format(rules.layout), s)
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// checkArray checks each element. The elements of an array that is a member
// of a record (or of the file's object) are records themselves: they are
// named by index and id, and their fields start afresh.
func (r *reader) checkArray(raw json.RawMessage, elem reflect.Type, p place) *fault {
	items := arrayItems(raw)
	records := !strings.Contains(p.field, ".") && !strings.Contains(p.field, "[")
	for i, item := range items {
		var at place
		if records {
			at = place{record: p.record.At(p.field, i, rawID(item))}
		} else {
			at = place{record: p.record, field: fmt.Sprintf("%s[%d]", p.field, i)}
		}
		if f := r.check(item, elem, at, fieldRules{}); f != nil {
			return f
		}
	}
	return nil
}

// rawID is the "id" member of an object, a string or a number; nil otherwise.
func rawID(raw json.RawMessage) any {
	if jsonKind(raw) != "object" {
		return nil
	}
	members, err := objectMembers(raw)
	if err != nil {
		return nil
	}
	for _, m := range members {
		if m.key != "id" {
			continue
		}
		switch jsonKind(m.value) {
		case "string":
			s, _ := unquote(m.value)
			return s
		case "number":
			return string(bytes.TrimSpace(m.value))
		}
	}
	return nil
}

// structField is a field of a fixture struct as JSON names it.
type structField struct {
	name  string
	index []int
	typ   reflect.Type
	rules fieldRules
}

// structInfo is a struct type's JSON fields, in order and by name.
type structInfo struct {
	fields []structField
	byName map[string]structField
}

func (r *reader) structOf(t reflect.Type) *structInfo {
	if info := r.structs[t]; info != nil {
		return info
	}
	info := &structInfo{fields: fieldsOf(t), byName: map[string]structField{}}
	for _, f := range info.fields {
		info.byName[f.name] = f
	}
	r.structs[t] = info
	return info
}

// fieldsOf lists t's JSON fields, those of embedded structs included.
func fieldsOf(t reflect.Type) []structField {
	var out []structField
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			continue // its fields are listed after it, promoted
		}
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, structField{name: name, index: f.Index, typ: f.Type, rules: parseRules(f.Tag.Get("fixture"))})
	}
	return out
}

func (r *reader) checkStruct(raw json.RawMessage, t reflect.Type, p place) *fault {
	members, err := objectMembers(raw)
	if err != nil {
		return p.fail("%v", err)
	}
	info := r.structOf(t)
	fields, byName := info.fields, info.byName
	seen := map[string]bool{}
	for _, m := range members {
		f, ok := byName[m.key]
		if !ok {
			at := p.member(m.key)
			return &fault{record: p.record, msg: fmt.Sprintf("unknown field %q", at.field)}
		}
		if seen[m.key] {
			return p.member(m.key).fail("given twice")
		}
		seen[m.key] = true
		if f := r.check(m.value, f.typ, p.member(m.key), f.rules); f != nil {
			return f
		}
	}
	for _, f := range fields {
		if f.rules.required && !seen[f.name] {
			return p.member(f.name).fail("is required")
		}
	}
	return nil
}

type member struct {
	key   string
	value json.RawMessage
}

// objectMembers splits a JSON object into its members, in order, repeated
// keys kept (encoding/json would keep the last silently). raw is known to be
// valid JSON (ReadFixture checked the whole file), so a plain scan suffices:
// a seed reads the fixtures at every reset, and encoding/json's tokenizer
// made reading courier's file several times slower.
func objectMembers(raw json.RawMessage) ([]member, error) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return nil, errNotObject
	}
	var out []member
	for i = skipSpace(raw, i+1); i < len(raw) && raw[i] != '}'; {
		end := skipValue(raw, i)
		key, ok := unquote(raw[i:end])
		if !ok {
			return nil, errNotObject
		}
		i = skipSpace(raw, skipSpace(raw, end)+1) // past the colon
		end = skipValue(raw, i)
		out = append(out, member{key: key, value: raw[i:end]})
		if i = skipSpace(raw, end); i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	return out, nil
}

// arrayItems splits a valid JSON array into its elements.
func arrayItems(raw json.RawMessage) []json.RawMessage {
	var out []json.RawMessage
	i := skipSpace(raw, 0)
	for i = skipSpace(raw, i+1); i < len(raw) && raw[i] != ']'; {
		end := skipValue(raw, i)
		out = append(out, raw[i:end])
		if i = skipSpace(raw, end); i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	return out
}

// unquote is the string a valid JSON string literal holds; false when raw
// is no string.
func unquote(raw []byte) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), true
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err == nil
}

func skipSpace(raw []byte, i int) int {
	for i < len(raw) && isSpace(raw[i]) {
		i++
	}
	return i
}

// skipValue is the end of the valid JSON value that starts at raw[i].
func skipValue(raw []byte, i int) int {
	depth := 0
	for ; i < len(raw); i++ {
		switch raw[i] {
		case '"':
			for i++; i < len(raw) && raw[i] != '"'; i++ {
				if raw[i] == '\\' {
					i++
				}
			}
			if depth == 0 {
				return i + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				return i + 1
			}
		default:
			if depth == 0 { // a number or literal ends at a delimiter
				for i < len(raw) && !isSpace(raw[i]) && raw[i] != ',' && raw[i] != '}' && raw[i] != ']' {
					i++
				}
				return i
			}
		}
	}
	return i
}

// jsonKind names the kind of a JSON value, as messages show it.
func jsonKind(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// showValue is a scalar value as written, or the kind of anything larger.
func showValue(raw json.RawMessage, kind string) string {
	if kind == "object" || kind == "array" || kind == "null" {
		return kind
	}
	return string(bytes.TrimSpace(raw))
}

// describe names what a value of type t must be: "a string", "an integer".
func describe(t reflect.Type) string {
	switch {
	case t == timeType:
		return "an RFC 3339 time"
	case t == numberType:
		return "a number"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return describe(t.Elem())
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a " + t.String()
}

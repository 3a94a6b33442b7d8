package httpx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// Wrapper is a json.Unmarshaler that decodes its JSON into another value (an
// optional field that remembers "absent" and "null", say). JSONTarget returns
// a pointer to that value, so that the strict reader checks the keys inside
// against the type it really decodes into.
type Wrapper interface {
	JSONTarget() any
}

// maxDepth bounds nesting, as encoding/json does (10000).
const maxDepth = 10000

var (
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	wrapperType     = reflect.TypeFor[Wrapper]()
)

// checkJSON is the strict reader's pass over a whole body before
// encoding/json decodes it into a t. encoding/json alone lets through what no
// vendor's server does: a key that differs from a field only by case fills
// the field ({"NAME"} is read as name), invalid UTF-8 becomes U+FFFD, and a
// decoder stops after the first value. checkJSON validates the text (one
// value, then only whitespace), refuses invalid UTF-8 and strings with a NUL
// character or a lone surrogate (no vendor's store can keep them), and checks
// every key that lands in a struct against the struct's JSON names, exactly:
// with strict, any other key is refused; otherwise a key that only differs by
// case is blanked to "" (no field has that name), so the decoding ignores it
// like any unknown key. It returns the body to decode: body itself, or a copy
// with those keys blanked.
func checkJSON(body []byte, t reflect.Type, strict bool) ([]byte, error) {
	if !utf8.Valid(body) {
		return nil, &BodyError{Kind: BodyMalformed, Msg: "request body is not valid UTF-8"}
	}
	s := &jsonScan{data: body, strict: strict}
	start := s.ws(0)
	end, err := s.value(start, t, 0)
	if err != nil {
		return nil, err
	}
	if s.ws(end) != len(body) {
		return nil, &BodyError{Kind: BodyMalformed, Msg: "request body has data after the JSON value"}
	}
	// encoding/json takes null for an object as "nothing to do": a body that
	// must be an object is refused instead.
	if k := kindOf(target(t)); (k == reflect.Struct || k == reflect.Map) && string(body[start:end]) == "null" {
		return nil, &BodyError{Kind: BodyWrongType, Msg: "request body must be an object, not null"}
	}
	if len(s.blank) == 0 {
		return body, nil
	}
	out := make([]byte, 0, len(body))
	prev := 0
	for _, span := range s.blank {
		out = append(out, body[prev:span[0]]...)
		out = append(out, `""`...)
		prev = span[1]
	}
	return append(out, body[prev:]...), nil
}

// jsonScan walks one JSON text.
type jsonScan struct {
	data   []byte
	strict bool
	blank  [][2]int   // key spans (quotes included) to blank
	path   []pathElem // where the scan is, for messages
}

// pathElem is one step of the path to a value: a member name, or an index.
// Names are kept as bytes, so that the path costs nothing until a message
// needs it.
type pathElem struct {
	key   []byte
	index int // when key is nil
}

// where is the path to the current value: "organization.name", "senders.0".
func (s *jsonScan) where() string {
	var b strings.Builder
	for i, e := range s.path {
		if i > 0 {
			b.WriteByte('.')
		}
		if e.key != nil {
			b.Write(e.key)
		} else {
			b.WriteString(strconv.Itoa(e.index))
		}
	}
	return b.String()
}

func malformed() error {
	return &BodyError{Kind: BodyMalformed, Msg: "request body is not valid JSON"}
}

func (s *jsonScan) ws(i int) int {
	for i < len(s.data) {
		switch s.data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// value checks the value at i (no leading whitespace), which decodes into a t
// (nil: into something whose keys are not checked), and returns its end.
func (s *jsonScan) value(i int, t reflect.Type, depth int) (int, error) {
	if i >= len(s.data) {
		return 0, malformed()
	}
	switch c := s.data[i]; {
	case c == '{':
		return s.object(i, t, depth+1)
	case c == '[':
		return s.array(i, t, depth+1)
	case c == '"':
		end, _, err := s.str(i, false)
		return end, err
	case c == 't':
		return s.literal(i, "true")
	case c == 'f':
		return s.literal(i, "false")
	case c == 'n':
		return s.literal(i, "null")
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number(i)
	}
	return 0, malformed()
}

func (s *jsonScan) object(i int, t reflect.Type, depth int) (int, error) {
	if depth > maxDepth {
		return 0, &BodyError{Kind: BodyMalformed, Msg: "request body is nested too deeply"}
	}
	var fields map[string]reflect.Type
	var elem reflect.Type
	t = target(t)
	switch kindOf(t) {
	case reflect.Struct:
		fields = fieldsOf(t)
	case reflect.Map:
		elem = t.Elem()
	}
	i = s.ws(i + 1)
	if i < len(s.data) && s.data[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(s.data) || s.data[i] != '"' {
			return 0, malformed()
		}
		keyStart := i
		end, key, err := s.str(i, true)
		if err != nil {
			return 0, err
		}
		s.path = append(s.path, pathElem{key: key})
		ft := elem
		if fields != nil {
			var ok bool
			if ft, ok = fields[string(key)]; !ok {
				switch {
				case s.strict:
					return 0, &BodyError{Kind: BodyUnknown, Field: s.where(), Msg: fmt.Sprintf("unknown field %q", s.where())}
				case foldsToField(string(key), fields):
					s.blank = append(s.blank, [2]int{keyStart, end})
				}
			}
		}
		i = s.ws(end)
		if i >= len(s.data) || s.data[i] != ':' {
			return 0, malformed()
		}
		if i, err = s.value(s.ws(i+1), ft, depth); err != nil {
			return 0, err
		}
		s.path = s.path[:len(s.path)-1]
		var done bool
		if i, done, err = s.next(i, '}'); done || err != nil {
			return i, err
		}
	}
}

func (s *jsonScan) array(i int, t reflect.Type, depth int) (int, error) {
	if depth > maxDepth {
		return 0, &BodyError{Kind: BodyMalformed, Msg: "request body is nested too deeply"}
	}
	var elem reflect.Type
	if t = target(t); t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
		elem = t.Elem()
	}
	i = s.ws(i + 1)
	if i < len(s.data) && s.data[i] == ']' {
		return i + 1, nil
	}
	for n := 0; ; n++ {
		var err error
		s.path = append(s.path, pathElem{index: n})
		if i, err = s.value(i, elem, depth); err != nil {
			return 0, err
		}
		s.path = s.path[:len(s.path)-1]
		var done bool
		if i, done, err = s.next(i, ']'); done || err != nil {
			return i, err
		}
	}
}

// next reads what follows a member or an element at i: a comma (then i is
// the next one's start) or the closing byte (then done, i past it).
func (s *jsonScan) next(i int, closing byte) (int, bool, error) {
	i = s.ws(i)
	switch {
	case i >= len(s.data):
		return 0, false, malformed()
	case s.data[i] == ',':
		return s.ws(i + 1), false, nil
	case s.data[i] == closing:
		return i + 1, true, nil
	}
	return 0, false, malformed()
}

// str checks the string at i and returns its end; with isKey, also its
// decoded text (keys are matched decoded, as encoding/json matches them),
// never nil.
func (s *jsonScan) str(i int, isKey bool) (int, []byte, error) {
	start := i + 1
	var buf []byte // the decoded key, once it has an escape
	j := start
	for j < len(s.data) {
		c := s.data[j]
		switch {
		case c == '"':
			if !isKey {
				return j + 1, nil, nil
			}
			if buf == nil {
				return j + 1, s.data[start:j:j], nil
			}
			return j + 1, buf, nil
		case c < 0x20:
			return 0, nil, malformed()
		case c != '\\':
			if buf != nil {
				buf = append(buf, c)
			}
			j++
			continue
		}
		if isKey && buf == nil {
			buf = append([]byte{}, s.data[start:j]...)
		}
		if j+1 >= len(s.data) {
			return 0, nil, malformed()
		}
		switch e := s.data[j+1]; e {
		case '"', '\\', '/':
			buf = appendIf(buf, isKey, e)
			j += 2
		case 'b', 'f', 'n', 'r', 't':
			buf = appendIf(buf, isKey, unescape(e))
			j += 2
		case 'u':
			r, ok := hex4(s.data, j+2)
			if !ok {
				return 0, nil, malformed()
			}
			j += 6
			if utf16.IsSurrogate(r) {
				// Only a high surrogate followed by a low one is a character.
				r2, ok := rune(0), false
				if j+1 < len(s.data) && s.data[j] == '\\' && s.data[j+1] == 'u' {
					r2, ok = hex4(s.data, j+2)
				}
				if d := utf16.DecodeRune(r, r2); !ok || d == utf8.RuneError {
					return 0, nil, s.badText(isKey, "a lone UTF-16 surrogate")
				} else {
					r = d
				}
				j += 6
			}
			if r == 0 {
				return 0, nil, s.badText(isKey, `a NUL character (\u0000)`)
			}
			if isKey {
				buf = utf8.AppendRune(buf, r)
			}
		default:
			return 0, nil, malformed()
		}
	}
	return 0, nil, malformed()
}

// unescape is the character of a one-letter escape (\n and the like).
func unescape(e byte) byte {
	switch e {
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	}
	return '\t'
}

func appendIf(buf []byte, ok bool, c byte) []byte {
	if ok {
		return append(buf, c)
	}
	return buf
}

// badText refuses a string no vendor's store can keep (a key is checked
// before it joins the path: the path is then its object's).
func (s *jsonScan) badText(isKey bool, what string) error {
	at := s.where()
	switch {
	case isKey:
		return &BodyError{Kind: BodyBadText, Field: at, Msg: "a member name must not contain " + what}
	case at == "":
		return &BodyError{Kind: BodyBadText, Msg: "request body must not contain " + what}
	}
	return &BodyError{Kind: BodyBadText, Field: at, Msg: at + " must not contain " + what}
}

func hex4(data []byte, i int) (rune, bool) {
	if i+4 > len(data) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(data[i:i+4]), 16, 32)
	return rune(n), err == nil
}

func (s *jsonScan) literal(i int, lit string) (int, error) {
	if !bytes.HasPrefix(s.data[i:], []byte(lit)) {
		return 0, malformed()
	}
	return i + len(lit), nil
}

// number checks -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (s *jsonScan) number(i int) (int, error) {
	d := s.data
	digits := func(i int) int {
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		return i
	}
	if d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		i = digits(i)
	default:
		return 0, malformed()
	}
	if i < len(d) && d[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return 0, malformed()
		}
		i = j
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return 0, malformed()
		}
		i = j
	}
	return i, nil
}

// target is the type whose keys a value decoding into t is checked against:
// t without its pointers, what a Wrapper wraps, or nil when t decodes itself
// (json.RawMessage, a custom Unmarshaler) or is unknown.
func target(t reflect.Type) reflect.Type {
	for t != nil {
		switch {
		case t.Kind() == reflect.Pointer:
			t = t.Elem()
		case reflect.PointerTo(t).Implements(wrapperType):
			t = reflect.TypeOf(reflect.New(t).Interface().(Wrapper).JSONTarget())
		case reflect.PointerTo(t).Implements(unmarshalerType):
			return nil
		default:
			return t
		}
	}
	return nil
}

func kindOf(t reflect.Type) reflect.Kind {
	if t == nil {
		return reflect.Invalid
	}
	return t.Kind()
}

// fieldsOf maps the JSON names of struct t to their types, by encoding/json's
// rules: exported fields, the tag's name or else the field's, "-" skipped,
// the fields of an untagged embedded struct promoted (an outer name wins).
// The maps are kept for the life of the process, per type, as encoding/json
// keeps its own: they depend only on the type, and were built again for every
// body read.
func fieldsOf(t reflect.Type) map[string]reflect.Type {
	if f, ok := structFields.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	f := map[string]reflect.Type{}
	addFields(f, t, 0)
	structFields.Store(t, f)
	return f
}

// structFields holds fieldsOf's maps (reflect.Type -> map[string]reflect.Type),
// never changed once stored.
var structFields sync.Map

func addFields(out map[string]reflect.Type, t reflect.Type, depth int) {
	var embedded []reflect.Type
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if sf.Anonymous && name == "" {
			et := sf.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				embedded = append(embedded, et)
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if _, taken := out[name]; !taken {
			out[name] = sf.Type
		}
	}
	if depth < 8 {
		for _, et := range embedded {
			addFields(out, et, depth+1)
		}
	}
}

// foldsToField reports whether key names one of fields but for case, which
// encoding/json would accept (it folds keys with Unicode simple folding, as
// strings.EqualFold does).
func foldsToField(key string, fields map[string]reflect.Type) bool {
	for name := range fields {
		if strings.EqualFold(key, name) {
			return true
		}
	}
	return false
}

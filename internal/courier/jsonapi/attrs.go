package jsonapi

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

// Every record read decodes its stored attributes, so this is on the path of
// every request: encoding/json's reflection into a map took about a quarter
// of a GET (profiled). decodeAttrsText splits the stored object into its
// members in one pass instead, validating each value as it goes: the keys
// are cut from the text (no allocation each), the values from one copy of
// it. The stored text is what encodeAttrs wrote (compact, valid JSON);
// anything else takes encoding/json's path, so the result is always what
// json.Unmarshal would give.
func decodeAttrsText(text string) (map[string]json.RawMessage, error) {
	if out, ok := splitObject(text); ok {
		return out, nil
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		return nil, err
	}
	return out, nil
}

// DecodeAttrs decodes stored attributes as a record read gets them (never
// nil), for a hook whose own statement reads them beside other columns.
func DecodeAttrs(data string) (map[string]json.RawMessage, error) {
	out, err := decodeAttrsText(data)
	if err == nil && out == nil {
		out = map[string]json.RawMessage{}
	}
	return out, err
}

// SomeAttrs decodes the named members of stored attributes and no others,
// as DecodeAttrs would decode them: for a hook that reads a few members of a
// long object (a channel shows three of its last message's twenty-odd).
func SomeAttrs(data string, names ...string) (map[string]json.RawMessage, error) {
	var buf [32]member
	members, ok := indexObject(data, buf[:0])
	if !ok {
		return DecodeAttrs(data)
	}
	out := make(map[string]json.RawMessage, len(names))
	for _, m := range members { // in order: a repeated name's last value, as decoding keeps
		if slices.Contains(names, m.key) {
			out[m.key] = json.RawMessage(data[m.start:m.end])
		}
	}
	return out, nil
}

// encodeAttrs is the stored text of attributes, less the members omit names:
// exactly what json.Marshal writes (keys in order, each value compacted with
// <, >, & and U+2028/U+2029 in its strings escaped), which is what the
// engine has always stored. Marshal's reflection and scanner were a twentieth
// of a courier post's turn at the writer (profiled), and almost every value
// is one it copies as it is (compact, nothing to escape): those are copied
// here, the whole text validated once after (indexObject), and any other
// text is Marshal's.
func encodeAttrs(attrs map[string]json.RawMessage, omit ...string) string {
	var keysBuf [32]string
	keys := keysBuf[:0]
	for k := range attrs {
		if !slices.Contains(omit, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	buf := httpx.Buffer()
	defer httpx.ReleaseBuffer(buf)
	b := append((*buf)[:0], '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(httpx.AppendJSONString(b, k, true), ':')
		switch v := attrs[k]; {
		case v == nil:
			b = append(b, "null"...) // as RawMessage marshals nil
		case compactAsIs(v, true):
			b = append(b, v...)
		default:
			*buf = b
			return marshalAttrs(attrs, omit)
		}
	}
	b = append(b, '}')
	*buf = b
	text := string(b)
	var members [32]member
	if _, ok := indexObject(text, members[:0]); !ok {
		return marshalAttrs(attrs, omit) // a key indexObject leaves, or a value that is not JSON
	}
	return text
}

// marshalAttrs is encodeAttrs through json.Marshal.
func marshalAttrs(attrs map[string]json.RawMessage, omit []string) string {
	if len(omit) > 0 {
		attrs = maps.Clone(attrs)
		for _, k := range omit {
			delete(attrs, k)
		}
	}
	raw, err := json.Marshal(attrs)
	if err != nil {
		panic(fmt.Sprintf("jsonapi: encode attributes: %v", err)) // RawMessages we validated
	}
	return string(raw)
}

// member is where one member of an object lies in its text.
type member struct {
	key        string
	start, end int
}

// splitObject handles a compact JSON object whose keys are plain ASCII; ok
// is false for anything else (whitespace around its members, escaped keys,
// malformed text), which json.Unmarshal then reads or refuses.
func splitObject(text string) (out map[string]json.RawMessage, ok bool) {
	// The members are found first so that the map is made at its size: a
	// person's 8 fit in one group of slots, where a guess of 16 made four.
	var buf [32]member
	members, ok := indexObject(text, buf[:0])
	if !ok {
		return nil, false
	}
	data := []byte(text)
	out = make(map[string]json.RawMessage, len(members))
	for _, m := range members {
		out[m.key] = json.RawMessage(data[m.start:m.end:m.end])
	}
	return out, true
}

// indexObject appends to members where each member of text lies, when text
// is a compact JSON object whose keys are plain ASCII, each value valid
// (scanValue); ok is false for anything else.
func indexObject(text string, members []member) ([]member, bool) {
	n := len(text)
	if n < 2 || text[0] != '{' || text[n-1] != '}' {
		return nil, false
	}
	if text[1] == '}' {
		return members, n == 2
	}
	for i := 1; ; {
		// "key":value
		if text[i] != '"' {
			return nil, false
		}
		j := i + 1
		for j < n && text[j] != '"' {
			if c := text[j]; c == '\\' || c < 0x20 || c >= 0x80 {
				return nil, false
			}
			j++
		}
		if j+1 >= n || text[j+1] != ':' {
			return nil, false
		}
		start := j + 2
		end := scanValue(text, start)
		if end < 0 || end >= n {
			return nil, false
		}
		members = append(members, member{text[i+1 : j], start, end})
		if text[end] == '}' {
			return members, end == n-1
		}
		if text[end] != ',' {
			return nil, false
		}
		i = end + 1
	}
}

// maxScanDepth is how deep scanValue follows nested objects and arrays (one
// bit each of a uint64); deeper values go to json.Unmarshal, whose own limit
// is far higher.
const maxScanDepth = 64

// scanValue returns the index just past the JSON value that starts at
// text[i], or -1 when encoding/json's scanner would not read one there:
// objects and arrays (whitespace allowed inside them as JSON allows it),
// strings (see scanString), numbers by JSON's grammar, true, false and null.
// What follows the value is the caller's to check, as it is for the
// containers here: "01" is 0 followed by a 1 that nothing accepts.
func scanValue(text string, i int) int {
	n := len(text)
	var objects uint64 // bit d set: the container at depth d is an object
	depth := 0
	for {
		// A value starts at text[i].
		if i >= n {
			return -1
		}
		switch c := text[i]; {
		case c == '{' || c == '[':
			if depth == maxScanDepth {
				return -1
			}
			if c == '{' {
				objects |= 1 << depth
			} else {
				objects &^= 1 << depth
			}
			depth++
			i = skipSpace(text, i+1)
			if i < n && text[i] == c+2 { // empty: '}' and ']' are 2 past '{' and '['
				i++
				depth--
				break
			}
			if c == '{' {
				i = scanKey(text, i)
			}
			if i < 0 {
				return -1
			}
			continue // to its first value
		case c == '"':
			i = scanString(text, i)
		case c == '-' || c >= '0' && c <= '9':
			i = scanNumber(text, i)
		case c == 't':
			i = scanLiteral(text, i, "true")
		case c == 'f':
			i = scanLiteral(text, i, "false")
		case c == 'n':
			i = scanLiteral(text, i, "null")
		default:
			return -1
		}
		// A value ended just before text[i]: close the containers it ends,
		// up to the next value of one.
		for {
			if i < 0 {
				return -1
			}
			if depth == 0 {
				return i
			}
			if i = skipSpace(text, i); i >= n {
				return -1
			}
			object := objects&(1<<(depth-1)) != 0
			c := text[i]
			if c == ',' {
				i = skipSpace(text, i+1)
				if object {
					i = scanKey(text, i)
				}
				if i < 0 {
					return -1
				}
				break // to the next value
			}
			if object && c != '}' || !object && c != ']' {
				return -1
			}
			i++
			depth--
		}
	}
}

// scanKey reads `"key":` and the spaces after it from text[i], returning
// where the member's value starts, or -1.
func scanKey(text string, i int) int {
	if i >= len(text) || text[i] != '"' {
		return -1
	}
	if i = skipSpace(text, scanString(text, i)); i < 0 || i >= len(text) || text[i] != ':' {
		return -1
	}
	return skipSpace(text, i+1)
}

// scanString returns the index just past the string that starts at
// text[i] (a '"'), or -1. As encoding/json does, it refuses control
// characters and unknown escapes, and takes any other byte, valid UTF-8 or
// not.
func scanString(text string, i int) int {
	n := len(text)
	for i++; i < n; {
		switch c := text[i]; {
		case c == '"':
			return i + 1
		case c == '\\':
			if i+1 >= n {
				return -1
			}
			switch text[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > n || !isHex(text[i+2]) || !isHex(text[i+3]) || !isHex(text[i+4]) || !isHex(text[i+5]) {
					return -1
				}
				i += 6
			default:
				return -1
			}
		case c < 0x20:
			return -1
		default:
			i++
		}
	}
	return -1
}

// scanNumber returns the index just past the number that starts at text[i]
// (a '-' or a digit), or -1: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func scanNumber(text string, i int) int {
	n := len(text)
	if text[i] == '-' {
		i++
	}
	switch {
	case i < n && text[i] == '0':
		i++
	case i < n && text[i] >= '1' && text[i] <= '9':
		i = skipDigits(text, i+1)
	default:
		return -1
	}
	if i < n && text[i] == '.' {
		if i+1 >= n || !isDigit(text[i+1]) {
			return -1
		}
		i = skipDigits(text, i+1)
	}
	if i < n && (text[i] == 'e' || text[i] == 'E') {
		i++
		if i < n && (text[i] == '+' || text[i] == '-') {
			i++
		}
		if i >= n || !isDigit(text[i]) {
			return -1
		}
		i = skipDigits(text, i)
	}
	return i
}

// scanLiteral returns the index just past lit at text[i], or -1.
func scanLiteral(text string, i int, lit string) int {
	if !strings.HasPrefix(text[i:], lit) {
		return -1
	}
	return i + len(lit)
}

func skipDigits(text string, i int) int {
	for i < len(text) && isDigit(text[i]) {
		i++
	}
	return i
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON whitespace (i itself when it is -1 or the end).
func skipSpace(text string, i int) int {
	for i >= 0 && i < len(text) && isSpace(text[i]) {
		i++
	}
	return i
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

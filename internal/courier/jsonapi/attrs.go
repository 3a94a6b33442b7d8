package jsonapi

import (
	"encoding/json"
	"errors"
)

// Every record read decodes its stored attributes, so this is on the path of
// every request: encoding/json's reflection into a map took about a quarter
// of a GET (profiled). decodeAttrs splits the stored object into its members
// in one pass instead. The stored text is what encodeAttrs wrote (compact,
// valid JSON); anything else takes encoding/json's path, so the result is
// always what json.Unmarshal would give.
func decodeAttrs(data []byte) (map[string]json.RawMessage, error) {
	return decodeAttrsText(string(data))
}

// decodeAttrsText is decodeAttrs of stored text: the keys are cut from the
// text (no allocation each), the values from one copy of it.
func decodeAttrsText(text string) (map[string]json.RawMessage, error) {
	data := []byte(text)
	if out, ok := splitObject(data, text); ok {
		return out, nil
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal(data, &out); err != nil {
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

var errNotSimple = errors.New("not a simple object")

// splitObject handles a compact JSON object whose keys are plain ASCII; ok
// is false for anything else (whitespace, escaped keys, malformed text).
// text is data as a string: the keys are its substrings.
func splitObject(data []byte, text string) (out map[string]json.RawMessage, ok bool) {
	n := len(data)
	if n < 2 || data[0] != '{' || data[n-1] != '}' {
		return nil, false
	}
	out = make(map[string]json.RawMessage, 16)
	i := 1
	if data[i] == '}' {
		return out, i == n-1
	}
	for {
		// "key"
		if data[i] != '"' {
			return nil, false
		}
		j := i + 1
		for j < n && data[j] != '"' {
			if data[j] == '\\' || data[j] < 0x20 || data[j] >= 0x80 {
				return nil, false
			}
			j++
		}
		if j+1 >= n || data[j+1] != ':' {
			return nil, false
		}
		key := text[i+1 : j]
		start := j + 2
		end, err := skipValue(data, start)
		if err != nil || end >= n || end <= start {
			return nil, false
		}
		if isSpace(data[start]) || isSpace(data[end-1]) || !json.Valid(data[start:end]) {
			return nil, false // json.Unmarshal would trim the spaces
		}
		out[key] = json.RawMessage(data[start:end:end])
		switch data[end] {
		case ',':
			i = end + 1
			if i >= n {
				return nil, false
			}
		case '}':
			return out, end == n-1
		default:
			return nil, false
		}
	}
}

// skipValue returns the index just past the JSON value starting at i:
// strings with their escapes, nested objects and arrays by depth, and
// literals and numbers up to the next delimiter. json.Valid checks the
// value afterwards.
func skipValue(data []byte, i int) (int, error) {
	n := len(data)
	if i >= n {
		return 0, errNotSimple
	}
	depth := 0
	for i < n {
		switch c := data[i]; c {
		case '"':
			i++
			for i < n && data[i] != '"' {
				if data[i] == '\\' {
					i++
				}
				i++
			}
			if i >= n {
				return 0, errNotSimple
			}
			i++
		case '{', '[':
			depth++
			i++
		case '}', ']':
			if depth == 0 {
				return i, nil
			}
			depth--
			i++
		case ',':
			if depth == 0 {
				return i, nil
			}
			i++
		default:
			i++
		}
		if depth == 0 && i < n && (data[i] == ',' || data[i] == '}') {
			return i, nil
		}
	}
	return 0, errNotSimple
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

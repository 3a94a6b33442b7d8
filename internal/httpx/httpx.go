// Package httpx holds the HTTP helpers every vendor shares: handlers that
// return errors, JSON encoding and strict decoding, and the request-body limit.
// It writes no vendor's error envelope: each vendor has its own adapter.
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"sync"
)

// MaxBodyBytes is the largest request body any vendor accepts (1 MiB).
const MaxBodyBytes = 1 << 20

// HandlerFunc is a handler that hands its error to the vendor's error adapter.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// ErrorWriter is a vendor's one error adapter: it writes err as the vendor's
// envelope with the vendor's status.
type ErrorWriter func(w http.ResponseWriter, r *http.Request, err error)

// Adapt turns an error-returning handler into an http.HandlerFunc.
func Adapt(onErr ErrorWriter, fn HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			onErr(w, r, err)
		}
	}
}

// WriteJSON writes v as JSON with the given status and content type
// ("application/json" when empty). "&", "<" and ">" stay as they are, as most
// vendors' servers write them (and links with query strings stay readable).
func WriteJSON(w http.ResponseWriter, status int, contentType string, v any) {
	writeJSON(w, status, contentType, v, false)
}

// WriteJSONHTMLEscaped is WriteJSON with "&", "<" and ">" written as \u0026,
// \u003c and \u003e, as Rails' JSON encoder writes them (GreenArrow).
func WriteJSONHTMLEscaped(w http.ResponseWriter, status int, contentType string, v any) {
	writeJSON(w, status, contentType, v, true)
}

// MarshalJSON is v as WriteJSON writes it ("&", "<" and ">" as they are, no
// trailing newline): for the bodies the vendors send (webhooks).
func MarshalJSON(v any) ([]byte, error) { return marshal(v, false) }

func marshal(v any, escapeHTML bool) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// answerBuffers keeps the buffers answers are built in: a page of a list is
// tens of kilobytes, which a fresh buffer would reach by growing (and
// copying) about ten times per request.
var answerBuffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledAnswer is the largest buffer kept for the next answer, so that one
// huge answer does not stay in memory.
const maxPooledAnswer = 1 << 20

// Buffer is an empty buffer to build an answer in; ReleaseBuffer it once
// written (a ResponseWriter keeps nothing it is given).
func Buffer() *[]byte { return answerBuffers.Get().(*[]byte) }

// ReleaseBuffer hands a Buffer back for another answer.
func ReleaseBuffer(b *[]byte) {
	if cap(*b) <= maxPooledAnswer {
		*b = (*b)[:0]
		answerBuffers.Put(b)
	}
}

// appender is an io.Writer appending to a Buffer.
type appender struct{ b *[]byte }

func (a appender) Write(p []byte) (int, error) {
	*a.b = append(*a.b, p...)
	return len(p), nil
}

func writeJSON(w http.ResponseWriter, status int, contentType string, v any, escapeHTML bool) {
	buf := Buffer()
	defer ReleaseBuffer(buf)
	enc := json.NewEncoder(appender{buf})
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(v); err != nil {
		// Only our own response types are encoded here: a failure is a programming error.
		panic(fmt.Sprintf("httpx: encode response: %v", err))
	}
	WriteJSONBody(w, status, contentType, (*buf)[:len(*buf)-1]) // without the Encoder's newline
}

// BodyError says why a request body could not be decoded. Vendors map it to
// their own envelope; TooLarge maps to 413.
type BodyError struct {
	Kind  BodyErrorKind
	Field string // the JSON field at fault, when known
	Msg   string
}

// BodyErrorKind classifies a BodyError.
type BodyErrorKind int

// The kinds of body errors.
const (
	BodyEmpty     BodyErrorKind = iota + 1 // no body at all
	BodyMalformed                          // not JSON, or trailing data
	BodyWrongType                          // a field of the wrong JSON type
	BodyUnknown                            // a field the type does not have (strict decoding only)
	BodyTooLarge                           // over MaxBodyBytes
	BodyBadText                            // a string with a NUL character or a lone surrogate
)

func (e *BodyError) Error() string { return e.Msg }

// IsTooLarge reports whether err is a body over the size limit.
func IsTooLarge(err error) bool {
	var be *BodyError
	if errors.As(err, &be) && be.Kind == BodyTooLarge {
		return true
	}
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// ReadBody reads the whole request body (at most MaxBodyBytes).
func ReadBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &BodyError{Kind: BodyTooLarge, Msg: fmt.Sprintf("request body larger than %d bytes", MaxBodyBytes)}
		}
		return nil, &BodyError{Kind: BodyMalformed, Msg: "request body could not be read"}
	}
	return body, nil
}

// DecodeJSON decodes the request body into v, as Unmarshal does.
func DecodeJSON(r *http.Request, v any, strict bool) error {
	body, err := ReadBody(r)
	if err != nil {
		return err
	}
	return Unmarshal(body, v, strict)
}

// Unmarshal is the one strict JSON reader of every vendor and the control
// plane: it decodes exactly one JSON value from body into v (whitespace may
// follow it, nothing else), classifying failures as BodyErrors. Keys match
// struct fields exactly, nested structs included: with strict, any other key
// is an error (BodyUnknown); otherwise it is ignored, also when it differs
// from a field only by case. null is not an object (where v is a struct or a
// map), and invalid UTF-8 or a string with a NUL character is refused. See
// checkJSON. Since checkJSON has refused every unknown key, json.Unmarshal
// decodes both kinds (a Decoder with DisallowUnknownFields would check them
// again, at a third more time per body).
func Unmarshal(body []byte, v any, strict bool) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return &BodyError{Kind: BodyEmpty, Msg: "request body is empty"}
	}
	body, err := checkJSON(body, reflect.TypeOf(v), strict)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return classify(err)
	}
	return nil
}

func classify(err error) error {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		// checkJSON has passed the text: what is left is a syntax error
		// (which it would have caught first) or a decoder's own refusal.
		return &BodyError{Kind: BodyMalformed, Msg: "request body is not valid JSON"}
	}
	if te.Field == "" {
		return &BodyError{Kind: BodyWrongType, Msg: fmt.Sprintf("request body must be %s", jsonKind(te.Type.Kind().String()))}
	}
	return &BodyError{Kind: BodyWrongType, Field: te.Field,
		Msg: fmt.Sprintf("%s must be %s, not %s", te.Field, jsonKind(te.Type.Kind().String()), te.Value)}
}

// jsonKind names a Go kind the way a JSON user would.
func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	default:
		return "a valid value"
	}
}

// LogInternal logs an error no vendor rule explains (the answer is a 500).
// A request whose client went away ends with its context's error: that is
// no fault of the emulator, so it is logged at debug level only.
func LogInternal(log *slog.Logger, what string, r *http.Request, err error) {
	if log == nil {
		return
	}
	level := slog.LevelError
	if r.Context().Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		level = slog.LevelDebug
		what += ": client went away"
	}
	log.Log(r.Context(), level, what, "method", r.Method, "path", r.URL.Path, "err", err)
}

// StatusError is an answer the emulator gives in a vendor's name without the
// vendor's handler (a request to a world that does not exist, a fault
// rule's error): each vendor's
// error adapter writes it in its own envelope, with the code it uses for that
// status.
type StatusError struct {
	Status  int
	Message string
}

func (e *StatusError) Error() string { return e.Text() }

// Text is the error's message or, when it has none (a fault rule that
// gives none), the status's own words: "Service Unavailable".
func (e *StatusError) Text() string {
	if e.Message != "" {
		return e.Message
	}
	return http.StatusText(e.Status)
}

// Origin is the scheme and host the client reached the emulator by
// ("http://localhost:8080"): https on a TLS connection or when the proxy in
// front of the emulator says so (X-Forwarded-Proto), so that the URLs an
// answer gives work from where the client stands.
func Origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
		scheme = p
	}
	return scheme + "://" + r.Host
}

type pathBaseKey struct{}

// WithPathBase is r for a handler whose path lost its start, base (a
// world's "/w/{id}", which the root cuts before the world's handler sees
// the path): BaseURL gives it back.
func WithPathBase(r *http.Request, base string) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), pathBaseKey{}, base))
}

// BaseURL is the start of a URL an answer gives for a path of its own
// handler: Origin and the path base a client sent ("http://host/w/ci-42"),
// so that following the URL stays in the same world.
func BaseURL(r *http.Request) string {
	base, _ := r.Context().Value(pathBaseKey{}).(string)
	return Origin(r) + base
}

package jsonapi

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

// Error codes. The vendor's backend is Django REST framework, whose exception
// names are the codes the notes decide (NotAuthenticated, PermissionDenied);
// the rest follow the same family.
const (
	CodeValidation       = "ValidationError"
	CodeParse            = "ParseError"
	CodeNotAuthenticated = "NotAuthenticated"
	CodePermission       = "PermissionDenied"
	CodeNotFound         = "NotFound"
	CodeMethod           = "MethodNotAllowed"
	CodeConflict         = "Conflict"
	CodeTooLarge         = "RequestEntityTooLarge"
	CodeMediaType        = "UnsupportedMediaType"
	CodeInternal         = "InternalServerError"
)

// statusCode is the code of an error the engine did not raise itself, by its
// status, in the same Django REST framework family.
func statusCode(status int) string {
	switch status {
	case http.StatusBadRequest:
		return CodeValidation
	case http.StatusUnauthorized:
		return CodeNotAuthenticated
	case http.StatusForbidden:
		return CodePermission
	case http.StatusNotFound:
		return CodeNotFound
	case http.StatusMethodNotAllowed:
		return CodeMethod
	case http.StatusConflict:
		return CodeConflict
	case http.StatusRequestEntityTooLarge:
		return CodeTooLarge
	case http.StatusTooManyRequests:
		return "Throttled"
	case http.StatusBadGateway:
		return "BadGateway"
	case http.StatusServiceUnavailable:
		return "ServiceUnavailable"
	case http.StatusGatewayTimeout:
		return "GatewayTimeout"
	}
	if status >= 500 {
		return CodeInternal
	}
	return CodeValidation
}

// statusDetail is the detail of an error the engine did not raise itself:
// its message or, when it has none, Django REST framework's words for the
// status ("Request was throttled. Expected available in 3 seconds.", with
// the Retry-After the answer carries).
func statusDetail(w http.ResponseWriter, se *httpx.StatusError) string {
	if se.Message != "" {
		return se.Message
	}
	switch se.Status {
	case http.StatusTooManyRequests:
		if n, err := strconv.Atoi(w.Header().Get("Retry-After")); err == nil && n >= 0 {
			unit := "seconds"
			if n == 1 {
				unit = "second"
			}
			return fmt.Sprintf("Request was throttled. Expected available in %d %s.", n, unit)
		}
		return "Request was throttled."
	case http.StatusInternalServerError:
		return "A server error occurred."
	case http.StatusServiceUnavailable:
		return "Service temporarily unavailable, try again later."
	}
	return se.Text()
}

// Error is one JSON:API error object. A handler returns one *Error, or an
// Errors when it found several problems (one object per problem).
type Error struct {
	Status    int
	Code      string
	Detail    string
	Parameter string // source.parameter: the query parameter at fault
	Pointer   string // source.pointer: the body member at fault, "/data/attributes/name"
	MetaID    string // meta.id: the existing resource of a conflict
}

func (e *Error) Error() string { return e.Detail }

// Errors is several problems found in one request.
type Errors []*Error

func (es Errors) Error() string {
	if len(es) == 0 {
		return "no errors"
	}
	return es[0].Detail
}

// OrNil returns es as an error, or nil when it holds no problem.
func (es Errors) OrNil() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

func ErrParam(name, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeValidation, Detail: fmt.Sprintf(format, args...), Parameter: name}
}

func ErrPointer(pointer, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeValidation, Detail: fmt.Sprintf(format, args...), Pointer: pointer}
}

func ErrNotFound(what string) *Error {
	return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Detail: what + " not found."}
}

func ErrConflict(pointer, format string, args ...any) *Error {
	return &Error{Status: http.StatusConflict, Code: CodeConflict, Detail: fmt.Sprintf(format, args...), Pointer: pointer}
}

// The wire shapes of the errors document.
type errorDoc struct {
	Errors []errorObject `json:"errors"`
}

type errorObject struct {
	Status int          `json:"status"` // numeric, as in the vendor's sample
	Code   string       `json:"code"`
	Detail string       `json:"detail"`
	Source *errorSource `json:"source,omitempty"`
	Meta   errorMeta    `json:"meta"`
}

type errorSource struct {
	Parameter string `json:"parameter,omitempty"`
	Pointer   string `json:"pointer,omitempty"`
}

type errorMeta struct {
	ID string `json:"id,omitempty"`
}

// WriteError answers every failure as an errors document with the status of
// its first problem.
func (e *Engine) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	var list Errors
	var one *Error
	var be *httpx.BodyError
	var me *httpx.MethodError
	var se *httpx.StatusError
	switch {
	case errors.As(err, &list) && len(list) > 0:
	case errors.As(err, &one):
		list = Errors{one}
	case errors.As(err, &se):
		list = Errors{{Status: se.Status, Code: statusCode(se.Status), Detail: statusDetail(w, se)}}
	case errors.As(err, &me): // Django REST framework's words
		list = Errors{{Status: http.StatusMethodNotAllowed, Code: CodeMethod, Detail: `Method "` + me.Method + `" not allowed. Allowed: ` + me.AllowedList() + `.`}}
	case httpx.IsTooLarge(err):
		list = Errors{{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge,
			Detail: fmt.Sprintf("Request body is larger than %d bytes.", httpx.MaxBodyBytes)}}
	case errors.As(err, &be):
		e := &Error{Status: http.StatusBadRequest, Code: CodeParse, Detail: "JSON parse error - " + be.Msg}
		if be.Field != "" {
			e.Pointer = "/" + be.Field
		}
		list = Errors{e}
	default:
		httpx.LogInternal(e.Log, "jsonapi: internal error", r, err)
		list = Errors{{Status: http.StatusInternalServerError, Code: CodeInternal, Detail: "A server error occurred."}}
	}
	doc := errorDoc{Errors: make([]errorObject, len(list))}
	for i, e := range list {
		o := errorObject{Status: e.Status, Code: e.Code, Detail: e.Detail, Meta: errorMeta{ID: e.MetaID}}
		if e.Parameter != "" || e.Pointer != "" {
			o.Source = &errorSource{Parameter: e.Parameter, Pointer: e.Pointer}
		}
		doc.Errors[i] = o
	}
	if list[0].Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
	}
	httpx.WriteJSON(w, list[0].Status, ContentTypeAPI, doc)
}

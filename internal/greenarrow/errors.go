package greenarrow

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

// The API v2 error codes, plus not_authorized (the code GreenArrow's v1 API
// documents for bad credentials).
const (
	codeValidationFailed = "validation_failed"
	codeInvalidRequest   = "invalid_request"
	codeRequestedTooMany = "requested_too_many"
	codeNotFound         = "not_found"
	codeInternalError    = "internal_error"
	codeNotAuthorized    = "not_authorized"
)

// contentType is what GreenArrow (a Rails application) answers JSON with.
const contentType = "application/json; charset=utf-8"

// Error is a GreenArrow error: the HTTP status the notes decide, the v2 error
// code and one human sentence.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func invalidRequest(format string, args ...any) *Error {
	return &Error{http.StatusBadRequest, codeInvalidRequest, fmt.Sprintf(format, args...)}
}

// statusCode is the error_code GreenArrow answers with an HTTP status.
func statusCode(status int) string {
	switch {
	case status == http.StatusNotFound:
		return codeNotFound
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return codeNotAuthorized
	case status == http.StatusUnprocessableEntity:
		return codeValidationFailed
	case status >= 500:
		return codeInternalError
	}
	return codeInvalidRequest
}

func notFound(format string, args ...any) *Error {
	return &Error{http.StatusNotFound, codeNotFound, fmt.Sprintf(format, args...)}
}

func validationFailed(format string, args ...any) *Error {
	return &Error{http.StatusUnprocessableEntity, codeValidationFailed, fmt.Sprintf(format, args...)}
}

// systemAdminOnly is the 403 a non-system-admin key gets for an operation
// reserved to system administrators.
func systemAdminOnly(what string) *Error {
	return &Error{http.StatusForbidden, codeInvalidRequest, "only a system administrator can " + what}
}

// problems collects validation messages; several are joined into the one
// error_message GreenArrow sends.
type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return validationFailed("%s", strings.Join(p, "; "))
}

// envelope is every response under the prefix: success, data and the two
// error members, which are null on success.
type envelope struct {
	Success      bool    `json:"success"`
	Data         any     `json:"data"`
	ErrorCode    *string `json:"error_code"`
	ErrorMessage *string `json:"error_message"`
}

func writeData(w http.ResponseWriter, data any) {
	httpx.WriteJSONHTMLEscaped(w, http.StatusOK, contentType, envelope{Success: true, Data: data})
}

// WriteError is GreenArrow's one error adapter (server.Vendor).
func (a *API) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	var be *httpx.BodyError
	var me *httpx.MethodError
	var se *httpx.StatusError
	switch {
	case errors.As(err, &e):
	case errors.As(err, &se):
		e = &Error{se.Status, statusCode(se.Status), se.Text()}
	case errors.As(err, &me):
		e = &Error{http.StatusMethodNotAllowed, codeInvalidRequest, fmt.Sprintf("method %s is not allowed on %s (allowed: %s)",
			me.Method, me.Path, me.AllowedList())}
	case httpx.IsTooLarge(err):
		e = &Error{http.StatusRequestEntityTooLarge, codeInvalidRequest,
			fmt.Sprintf("request body is larger than %d bytes", httpx.MaxBodyBytes)}
	case errors.As(err, &be):
		e = invalidRequest("%s", be.Msg)
	default:
		httpx.LogInternal(a.Log, "greenarrow: internal error", r, err)
		e = &Error{http.StatusInternalServerError, codeInternalError, "an internal error occurred"}
	}
	httpx.WriteJSONHTMLEscaped(w, e.Status, contentType, envelope{Success: false, ErrorCode: &e.Code, ErrorMessage: &e.Message})
}

package loop

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

// LoopMessage's error codes (docs: "Error codes") that this API uses.
const (
	codeBadRequest     = 100 // generic: scope and rule refusals, unknown ids
	codeMissingKey     = 110 // "Missing credentials in request"
	codeMissingParam   = 120 // required parameter(s) missing
	codeInvalidParam   = 125 // parameter(s) invalid
	codeInvalidKey     = 130 // API key invalid or doesn't exist
	codeInternalError  = 100 // the docs have no generic internal code (1000 is a send error)
	statusDashboardErr = http.StatusBadRequest
)

// Error is a LoopMessage error: an HTTP status, a code of the docs' table and a message.
type Error struct {
	Status  int
	Code    int
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("loopmessage %d: %s", e.Code, e.Message) }

// fail is the usual error: HTTP 400 (every dashboard error is, per the notes) with code.
func fail(code int, format string, args ...any) *Error {
	return &Error{Status: statusDashboardErr, Code: code, Message: fmt.Sprintf(format, args...)}
}

// The refusals that several handlers share. "Not found" is also the answer for
// an id outside the key's scope, so a key cannot probe which ids exist.
func errNotDefault() error {
	return fail(codeBadRequest,
		"This request requires an API key of the Default organization (the first organization in your account)")
}

func errOrgNotFound() error    { return fail(codeBadRequest, "Organization not found") }
func errSenderNotFound() error { return fail(codeBadRequest, "Sender name not found") }
func errPoolNotFound() error   { return fail(codeBadRequest, "Sender pool not found") }

// missing is a 120 naming the missing fields.
func missing(fields ...string) error {
	return fail(codeMissingParam, "Required parameter(s) missing: %s", strings.Join(fields, ", "))
}

// invalid is a 125 naming the invalid fields and why.
func invalid(problems ...string) error {
	return fail(codeInvalidParam, "Parameter(s) invalid: %s", strings.Join(problems, "; "))
}

// errorBody is the docs' failed-response body; key order as in their example.
type errorBody struct {
	Success bool   `json:"success"`
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// WriteError is LoopMessage's one error adapter (server.Vendor).
func (a *API) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	var be *httpx.BodyError
	var me *httpx.MethodError
	var se *httpx.StatusError
	switch {
	case errors.As(err, &e):
	case errors.As(err, &se):
		e = &Error{Status: se.Status, Code: codeBadRequest, Message: se.Text()}
	case errors.As(err, &me):
		e = &Error{Status: http.StatusMethodNotAllowed, Code: codeBadRequest,
			Message: "Method " + me.Method + " is not allowed on " + me.Path + " (allowed: " + me.AllowedList() + ")"}
	case httpx.IsTooLarge(err):
		e = &Error{Status: http.StatusRequestEntityTooLarge, Code: codeInvalidParam,
			Message: fmt.Sprintf("Request body is larger than %d bytes", httpx.MaxBodyBytes)}
	case errors.As(err, &be):
		// Malformed JSON is an invalid parameter (125), per the notes.
		e = fail(codeInvalidParam, "Invalid request body: %s", be.Msg)
	default:
		httpx.LogInternal(a.Log, "loopmessage: internal error", r, err)
		e = &Error{Status: http.StatusInternalServerError, Code: codeInternalError, Message: "Internal server error"}
	}
	httpx.WriteJSON(w, e.Status, "", errorBody{Success: false, Code: e.Code, Message: e.Message})
}

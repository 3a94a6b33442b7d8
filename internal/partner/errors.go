package partner

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/emulator/vendor-emulator/internal/httpx"
)

// Error is a 360dialog error: an HTTP status, the developer message and the
// field problems, written as the "meta" envelope.
type Error struct {
	Status  int
	Message string
	Details []Detail
}

// Detail is one field problem of a 400.
type Detail struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Message }

func errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Message: fmt.Sprintf(format, args...)}
}

type errorBody struct {
	Meta errorMeta `json:"meta"`
}

type errorMeta struct {
	Success          bool     `json:"success"`
	HTTPCode         int      `json:"http_code"`
	DeveloperMessage string   `json:"developer_message"`
	Details          []Detail `json:"details"`
}

// WriteError is 360dialog's one error adapter (server.Vendor).
func (a *API) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	var be *httpx.BodyError
	var me *httpx.MethodError
	var se *httpx.StatusError
	switch {
	case errors.As(err, &e):
	case errors.As(err, &se):
		e = &Error{Status: se.Status, Message: se.Text()}
	case errors.As(err, &me):
		e = errorf(http.StatusMethodNotAllowed, "The method %s is not allowed for the requested URL. Allowed: %s.", me.Method, me.AllowedList())
	case httpx.IsTooLarge(err):
		e = errorf(http.StatusRequestEntityTooLarge, "Request body is larger than %d bytes.", httpx.MaxBodyBytes)
	case errors.As(err, &be):
		e = &Error{Status: http.StatusBadRequest, Message: "Invalid request body: " + be.Msg}
		if be.Field != "" {
			e.Details = []Detail{{Field: be.Field, Message: be.Msg}}
		}
	default:
		httpx.LogInternal(a.Log, "360dialog: internal error", r, err)
		e = errorf(http.StatusInternalServerError, "Internal server error.")
	}
	details := e.Details
	if details == nil {
		details = []Detail{}
	}
	httpx.WriteJSON(w, e.Status, "", errorBody{errorMeta{false, e.Status, e.Message, details}})
}

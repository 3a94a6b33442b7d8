package control

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/emulator/vendor-emulator/internal/fault"
	"github.com/emulator/vendor-emulator/internal/httpx"
)

type faultsBody struct {
	Faults []fault.Rule `json:"faults"`
}

// addFault handles POST /_emulator/faults: a rule, tried after those
// already there.
func (h *Handler) addFault(w http.ResponseWriter, r *http.Request) error {
	var spec fault.Spec
	if err := httpx.DecodeJSON(r, &spec, true); err != nil {
		return err
	}
	rule, err := h.Faults.Add(spec)
	if err != nil {
		return faultError(err)
	}
	httpx.WriteJSON(w, http.StatusCreated, "", rule)
	return nil
}

// listFaults handles GET /_emulator/faults.
func (h *Handler) listFaults(w http.ResponseWriter, r *http.Request) error {
	httpx.WriteJSON(w, http.StatusOK, "", faultsBody{h.Faults.List()})
	return nil
}

// clearFaults handles DELETE /_emulator/faults: every rule.
func (h *Handler) clearFaults(w http.ResponseWriter, r *http.Request) error {
	h.Faults.Clear("")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteFault handles DELETE /_emulator/faults/{id}.
func (h *Handler) deleteFault(w http.ResponseWriter, r *http.Request) error {
	id := httpx.PathParam(r, "id")
	if !h.Faults.Delete(id) {
		return &Error{http.StatusNotFound, "no fault rule " + strconv.Quote(id) + " in this world; GET /_emulator/faults lists them"}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func faultError(err error) error {
	var fe *fault.Error
	if errors.As(err, &fe) {
		return &Error{http.StatusBadRequest, fe.Msg}
	}
	return err
}

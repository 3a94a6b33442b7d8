package control

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/webhook"
)

// maxDeliveries bounds one page of GET /_emulator/webhooks.
const maxDeliveries = 1000

type deliveriesBody struct {
	Deliveries []webhook.Delivery `json:"deliveries"`
}

// listWebhooks handles GET /_emulator/webhooks[?vendor=&status=&limit=]:
// every delivery attempt of the world, newest first (100 unless limit says).
func (h *Handler) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := webhook.Filter{Vendor: q.Get("vendor"), Status: q.Get("status"), Limit: 100}
	if f.Vendor != "" && !slices.Contains(h.Served, f.Vendor) {
		return unknownVendor(f.Vendor, h.Served)
	}
	if f.Status != "" && !slices.Contains(webhook.Statuses(), f.Status) {
		return &Error{http.StatusBadRequest, "status must be one of " + strings.Join(webhook.Statuses(), ", ")}
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxDeliveries {
			return &Error{http.StatusBadRequest, "limit must be an integer from 1 to " + strconv.Itoa(maxDeliveries)}
		}
		f.Limit = n
	}
	out, err := h.Webhooks.Deliveries(r.Context(), f)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, "", deliveriesBody{out})
	return nil
}

// redeliverWebhook handles POST /_emulator/webhooks/{event_id}/redeliver:
// the event is sent again now, as a new attempt with the same event id.
func (h *Handler) redeliverWebhook(w http.ResponseWriter, r *http.Request) error {
	id := httpx.PathParam(r, "event_id")
	if err := h.Webhooks.Redeliver(r.Context(), id); err != nil {
		if webhook.IsUnknownEvent(err) {
			return &Error{http.StatusNotFound, "no webhook event " + strconv.Quote(id) + " in this world; GET /_emulator/webhooks lists them"}
		}
		return err
	}
	httpx.WriteJSON(w, http.StatusAccepted, "", statusBody{Status: "queued"})
	return nil
}

// clearWebhooks handles DELETE /_emulator/webhooks: the log, and every
// pending attempt with it.
func (h *Handler) clearWebhooks(w http.ResponseWriter, r *http.Request) error {
	if err := h.Webhooks.Clear(r.Context(), ""); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

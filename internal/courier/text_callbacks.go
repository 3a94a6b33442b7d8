package courier

import (
	"encoding/json"
	"strings"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/webhook"
)

// Text callbacks: the calls courier makes to a text's callback-status-url
// (its status moved) and callback-url (the target answered one of the
// expected-responses). Carium documents the attributes but not the calls;
// the payloads and rules are the emulator's, in the spirit of the Twilio
// status callbacks Carium relays (docs/webhooks.md, courier section).

// Event types of the text callbacks, as the control plane lists them.
const (
	textStatusEvent   = "text_status"
	textResponseEvent = "text_response"
)

// textRepliedAttr is the hidden mark of a callback-one-off text whose
// expected response has been posted: later replies are not.
const textRepliedAttr = "_callback-replied"

// textStatusPayload is what callback-status-url receives, in this order.
type textStatusPayload struct {
	TextID       string          `json:"text-id"`
	Status       string          `json:"status"`
	TwilioSID    string          `json:"twilio-sid"`
	Error        json.RawMessage `json:"error"`
	CallbackJSON json.RawMessage `json:"callback-json"`
}

// textResponsePayload is what callback-url receives, in this order.
type textResponsePayload struct {
	TextID       string          `json:"text-id"`
	Response     string          `json:"response"`
	Message      string          `json:"message"`
	From         string          `json:"from"`
	CallbackJSON json.RawMessage `json:"callback-json"`
}

// rawOrNull is an attribute as stored, null when absent.
func rawOrNull(rec *jsonapi.Record, name string) json.RawMessage {
	if raw, ok := rec.Attrs[name]; ok && len(raw) > 0 {
		return raw
	}
	return json.RawMessage("null")
}

// textStatusMoved records the status callback of a text whose status has
// just changed, when it has a callback-status-url.
func textStatusMoved(c *jsonapi.Call, rec *jsonapi.Record) error {
	return textNotify(c, rec, "callback-status-url", textStatusEvent, textStatusPayload{
		TextID: rec.ID, Status: rec.Str("status"), TwilioSID: rec.Str("twilio-sid"),
		Error: rawOrNull(rec, "error"), CallbackJSON: rawOrNull(rec, "callback-json"),
	})
}

// textReplied records the expected-response callback of an inbound reply:
// from the text's target, matching one of its expected-responses (trimmed,
// without regard to case), to a text with a callback-url; once only for a
// callback-one-off text, which then keeps a hidden mark.
func textReplied(c *jsonapi.Call, rec *jsonapi.Record, from, message string) error {
	if rec.Str("callback-url") == "" || from != rec.Str("target") {
		return nil
	}
	oneOff := rec.Bool("callback-one-off")
	if oneOff && rec.Bool(textRepliedAttr) {
		return nil
	}
	response, ok := textExpected(rec, message)
	if !ok {
		return nil
	}
	if err := textNotify(c, rec, "callback-url", textResponseEvent, textResponsePayload{
		TextID: rec.ID, Response: response, Message: message, From: from, CallbackJSON: rawOrNull(rec, "callback-json"),
	}); err != nil {
		return err
	}
	if !oneOff {
		return nil
	}
	rec.Set(textRepliedAttr, true)
	return c.Save(rec)
}

// textExpected is the first of the text's expected-responses the message
// matches, as written there. A blank expected response matches nothing: an
// empty reply answers no question.
func textExpected(rec *jsonapi.Record, message string) (string, bool) {
	expected := rec.Strs("expected-responses")
	got := strings.TrimSpace(message)
	for _, e := range expected {
		if want := strings.TrimSpace(e); want != "" && strings.EqualFold(want, got) {
			return e, true
		}
	}
	return "", false
}

// textNotify records one callback to the URL in the text's attribute
// urlAttr (none when it has none), in the request's transaction.
func textNotify(c *jsonapi.Call, rec *jsonapi.Record, urlAttr, typ string, payload any) error {
	url := rec.Str(urlAttr)
	if url == "" {
		return nil
	}
	// A reply's "<", ">" and "&" are sent as they are, not \u-escaped.
	body, err := httpx.MarshalJSON(payload)
	if err != nil {
		return err
	}
	return c.Engine.Webhooks.Record(c.Ctx, c.Tx, webhook.Event{ID: c.Engine.IDs.UUID(), Vendor: Name, Type: typ,
		URL: url, Body: body, Scope: rec.OrgID,
		// Any 2xx is delivered and a failure is not retried: Twilio's default
		// for its own status callbacks.
		Rules: webhook.Rules{Only200: false, Retries: nil}})
}

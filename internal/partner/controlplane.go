package partner

import (
	"database/sql"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/emulator/vendor-emulator/internal/control"
	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// ControlRoutes implements server.ControlVendor (mounted at /_emulator/360dialog).
// They do what a partner's clients and Meta do on the real service: a client
// signs up (360dialog's Embedded Signup) and its channel goes live, or Meta
// flags a violation. No vendor credentials; errors in the control plane's
// {"error": ...} format.
func (a *API) ControlRoutes() http.Handler {
	onErr := control.WriteError(a.Log)
	h := func(fn httpx.HandlerFunc) http.HandlerFunc { return httpx.Adapt(onErr, fn) }
	r := chi.NewRouter()
	r.Post("/partners/{partner_id}/clients", h(a.signUp))
	r.Post("/channels/{channel_id}/violation", h(a.violation))
	httpx.Unrouted(r, "", onErr, control.NotFound)
	return r
}

var _ server.ControlVendor = (*API)(nil)

// The steps of a signed-up channel, after its sign-up, on the emulated clock.
var channelSteps = []struct {
	status, event string
	after         time.Duration
}{
	{"submitted", eventChannelSubmitted, time.Minute},
	{"ready", eventChannelReady, 5 * time.Minute},
	{"running", eventChannelRunning, 10 * time.Minute},
}

// maxText bounds the free texts the control routes take, in characters.
const maxText = 255

// e164 is a WhatsApp number in E.164: "+", then 8 to 15 digits, the first
// not 0 (the rule LoopMessage's orders apply too).
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)

func badRequest(msg string) error { return &control.Error{Status: http.StatusBadRequest, Msg: msg} }

type signUpRequest struct {
	Name        string `json:"name"`
	PhoneNumber string `json:"phone_number"`
}

type signUpResponse struct {
	Client  Client  `json:"client"`
	Channel Channel `json:"channel"`
}

// signUp handles POST /_emulator/360dialog/partners/{partner_id}/clients with
// {"name", "phone_number"}: a new client of the partner with one channel,
// both in the partner's lists at once. client_created and channel_created
// are sent now; channel_submitted, channel_ready and channel_running are
// recorded too, due when the channel reaches each step, addressed (URL,
// secret, data) now. A number already on a channel is refused (409), as
// WhatsApp registers a number once.
func (a *API) signUp(w http.ResponseWriter, r *http.Request) error {
	var req signUpRequest
	if err := httpx.DecodeJSON(r, &req, true); err != nil {
		return err
	}
	if err := checkText("name", req.Name); err != nil {
		return err
	}
	if !e164.MatchString(req.PhoneNumber) {
		return badRequest("phone_number must be a phone number in E.164 format, like +15551234567")
	}
	ctx := r.Context()
	partnerID := httpx.PathParam(r, "partner_id")
	// Whole seconds: the lists' times are, and a step is due exactly when they show it.
	created := a.Clock.Now().UTC().Truncate(time.Second)
	stamp := created.Format(timeLayout)
	res := signUpResponse{
		Client: Client{ID: a.IDs.Hex(6) + "CL", Name: req.Name, Status: "active", PartnerID: partnerID,
			CreatedAt: stamp, ModifiedAt: stamp, MaxChannels: 1},
		Channel: Channel{ID: a.IDs.Hex(6) + "CH", PartnerID: partnerID, Status: "created", AccountMode: "live",
			SetupInfo:   SetupInfo{PhoneNumber: req.PhoneNumber, PhoneName: req.Name},
			WabaAccount: WabaAccount{ID: "waba" + a.IDs.Hex(6), Name: req.Name}, CreatedAt: stamp, ModifiedAt: stamp},
	}
	res.Channel.ClientID = res.Client.ID
	steps := make([]time.Time, len(channelSteps))
	for i, s := range channelSteps {
		steps[i] = created.Add(s.after)
	}
	err := a.DB.Tx(ctx, func(tx *store.Tx) error {
		to, err := loadTarget(ctx, tx, partnerID)
		if errors.Is(err, sql.ErrNoRows) {
			return &control.Error{Status: http.StatusNotFound, Msg: "no 360dialog partner with id " + strconv.Quote(partnerID)}
		}
		if err != nil {
			return err
		}
		var taken string
		err = tx.QueryRowContext(ctx, `SELECT id FROM dlg_channels WHERE phone_number = ? LIMIT 1`, req.PhoneNumber).Scan(&taken)
		if err == nil {
			return &control.Error{Status: http.StatusConflict, Msg: "phone_number " + req.PhoneNumber + " is already the number of channel " + taken}
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		c, ch := res.Client, res.Channel
		if err := insertClient(ctx, tx, c); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO dlg_channels (id, partner_id, client_id, status, account_mode,
			phone_number, phone_name, waba_id, waba_name, created_at, modified_at, submitted_at, ready_at, running_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			ch.ID, ch.PartnerID, ch.ClientID, ch.Status, ch.AccountMode, ch.SetupInfo.PhoneNumber, ch.SetupInfo.PhoneName,
			ch.WabaAccount.ID, ch.WabaAccount.Name, ch.CreatedAt, ch.ModifiedAt, steps[0].Format(timeLayout),
			steps[1].Format(timeLayout), steps[2].Format(timeLayout)); err != nil {
			return err
		}
		if _, err := a.emit(ctx, tx, to, eventClientCreated, c, time.Time{}); err != nil {
			return err
		}
		if _, err := a.emit(ctx, tx, to, eventChannelCreated, ch, time.Time{}); err != nil {
			return err
		}
		for i, s := range channelSteps {
			// The channel as the lists will show it then.
			then := ch
			then.Status, then.ModifiedAt = s.status, steps[i].Format(timeLayout)
			if _, err := a.emit(ctx, tx, to, s.event, then, steps[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, "", res)
	return nil
}

type violationRequest struct {
	ViolationType string `json:"violation_type"`
}

// violationData is account_violation's data: the channel as it is, and
// Meta's violation_info, as Meta's own account_update event carries it.
type violationData struct {
	Channel
	ViolationInfo violationInfo `json:"violation_info"`
}

type violationInfo struct {
	ViolationType string `json:"violation_type"`
}

// violation handles POST /_emulator/360dialog/channels/{channel_id}/violation
// with {"violation_type"}: Meta flags the channel's account, and its partner
// gets account_violation now. The channel itself does not change (Meta
// decides on restrictions apart). It answers 200 with the event as sent
// (also when the partner has no webhook_url, and so nothing is sent).
func (a *API) violation(w http.ResponseWriter, r *http.Request) error {
	var req violationRequest
	if err := httpx.DecodeJSON(r, &req, true); err != nil {
		return err
	}
	if err := checkText("violation_type", req.ViolationType); err != nil {
		return err
	}
	ctx := r.Context()
	id := httpx.PathParam(r, "channel_id")
	var ev eventBody
	err := a.DB.Tx(ctx, func(tx *store.Tx) error {
		channels, args := channelsAt(a.stamp())
		ch, err := scanChannel(tx.QueryRowContext(ctx, `SELECT `+channelColumns+` FROM `+channels+` WHERE id = ?`,
			append(args, id)...))
		if errors.Is(err, sql.ErrNoRows) {
			return &control.Error{Status: http.StatusNotFound, Msg: "no 360dialog channel with id " + strconv.Quote(id)}
		}
		if err != nil {
			return err
		}
		to, err := loadTarget(ctx, tx, ch.PartnerID)
		if err != nil {
			return err
		}
		ev, err = a.emit(ctx, tx, to, eventAccountViolation, violationData{ch, violationInfo{req.ViolationType}}, time.Time{})
		return err
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, "", ev)
	return nil
}

// checkText refuses an empty, blank or overlong free text.
func checkText(field, s string) error {
	switch {
	case strings.TrimSpace(s) == "":
		return badRequest(field + " is required: a non-empty string")
	case utf8.RuneCountInString(s) > maxText:
		return badRequest(field + " must be at most " + strconv.Itoa(maxText) + " characters")
	}
	return nil
}

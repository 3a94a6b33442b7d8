package loop

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/store"
)

// money is an amount in cents, written as the docs write fees: 100.00.
type money int64

// MarshalJSON implements json.Marshaler: a JSON number with two decimals.
func (m money) MarshalJSON() ([]byte, error) {
	return fmt.Appendf(nil, "%d.%02d", int64(m)/100, int64(m)%100), nil
}

// parseCents reads "100.00" (or "100", "99.5") as cents.
func parseCents(s string) (int64, error) {
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 {
		return 0, fmt.Errorf("fee %q has more than two decimals", s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 {
		return 0, fmt.Errorf("fee %q is not an amount", s)
	}
	var f int64
	if frac != "" {
		if f, err = strconv.ParseInt(frac+strings.Repeat("0", 2-len(frac)), 10, 64); err != nil || f < 0 {
			return 0, fmt.Errorf("fee %q is not an amount", s)
		}
	}
	return w*100 + f, nil
}

// plan is one payment plan: the docs' keys, in their order.
type plan struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	DailyContacts   int    `json:"daily_contacts"`
	MonthlyContacts int    `json:"monthly_contacts"`
	MonthlyFee      money  `json:"monthly_fee"`
	Currency        string `json:"currency"`
}

// plansBody is GET sender/plans/: not paginated.
type plansBody struct {
	Count int    `json:"count"`
	Items []plan `json:"items"`
}

// listPlans handles GET /api/v1/sender/plans/ (any key: plans are the same for everyone).
func (a *API) listPlans(w http.ResponseWriter, r *http.Request) error {
	rows, err := a.DB.Reader().QueryContext(r.Context(), `SELECT id, name, daily_contacts, monthly_contacts,
		monthly_fee_cents, currency FROM lm_plans ORDER BY seq`)
	if err != nil {
		return err
	}
	defer rows.Close()
	items := []plan{}
	for rows.Next() {
		var p plan
		if err := rows.Scan(&p.ID, &p.Name, &p.DailyContacts, &p.MonthlyContacts, &p.MonthlyFee, &p.Currency); err != nil {
			return err
		}
		items = append(items, p)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, "", plansBody{Count: len(items), Items: items})
	return nil
}

// contactRequest is an order's optional "contact" (the sender's vCard).
type contactRequest struct {
	FirstName field[string] `json:"first_name"`
	LastName  field[string] `json:"last_name"`
	PhotoURL  field[string] `json:"photo_url"`
}

// portRequest is an order's optional "port": an existing number to port in.
type portRequest struct {
	PhoneNumber   field[string] `json:"phone_number"`
	AccountNumber field[string] `json:"account_number"`
	PIN           field[string] `json:"pin"`
	Carrier       field[string] `json:"carrier"`
}

// orderItem is one sender of an order: a phone sender, or an email sender
// when it has name or domain.
type orderItem struct {
	PlanID                  field[string]         `json:"plan_id"`
	PhoneRegion             field[string]         `json:"phone_region"`
	ZipCode                 field[string]         `json:"zip_code"`
	SMSAndCall              field[bool]           `json:"sms_and_call"`
	RCS                     field[bool]           `json:"rcs"`
	WhatsApp                field[bool]           `json:"whatsapp"`
	InitConversations       field[bool]           `json:"init_conversations"`
	ForwardingToPhoneNumber field[string]         `json:"forwarding_to_phone_number"`
	Contact                 field[contactRequest] `json:"contact"`
	Port                    field[portRequest]    `json:"port"`
	Name                    field[string]         `json:"name"`
	Domain                  field[string]         `json:"domain"`
	Test                    field[bool]           `json:"test"`
}

// orderRequest is the body of POST sender/new/: one sender, or several in "senders".
type orderRequest struct {
	orderItem
	Senders field[[]json.RawMessage] `json:"senders"`
}

// maxBulk bounds a bulk order; the docs give no limit.
const maxBulk = 100

// phoneOrdered is a phone sender in the order response: the docs' keys, in their order.
type phoneOrdered struct {
	ID                      string  `json:"id"`
	PhoneRegion             string  `json:"phone_region"`
	ZipCode                 *string `json:"zip_code"`
	SMSAndCall              bool    `json:"sms_and_call"`
	ForwardingToPhoneNumber *string `json:"forwarding_to_phone_number"`
	RCS                     bool    `json:"rcs"`
}

// emailOrdered is an email sender in the order response.
type emailOrdered struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// orderBody is the order response. Items are phoneOrdered or emailOrdered values.
type orderBody struct {
	Count int   `json:"count"`
	Items []any `json:"items"`
}

// ordered is one validated sender of an order.
type ordered struct {
	name   string
	planID string
	test   bool
	item   any // phoneOrdered or emailOrdered, id still empty
}

// validate checks one sender of an order against the plans (planIDs).
func (it *orderItem) validate(planIDs map[string]bool, test bool) (ordered, problems) {
	var p problems
	o := ordered{test: test}
	if it.Test.Bad {
		p.bad("test", "must be a boolean")
	} else if it.Test.present() {
		o.test = o.test || it.Test.V
	}
	if planID, ok := p.requiredString("plan_id", it.PlanID); ok {
		if !planIDs[planID] {
			p.bad("plan_id", "is not one of the plans of sender/plans/")
		}
		o.planID = planID
	}
	if it.Name.Set || it.Domain.Set {
		local, okName := p.requiredString("name", it.Name)
		domain, okDomain := p.requiredString("domain", it.Domain)
		if okName && !localRe.MatchString(local) {
			p.bad("name", "must be the part of an email address before the @")
		}
		if okDomain && !domainRe.MatchString(domain) {
			p.bad("domain", "must be a domain name")
		}
		addr := strings.ToLower(local + "@" + domain)
		o.name, o.item = addr, emailOrdered{Name: addr}
		return o, p
	}
	ph := phoneOrdered{PhoneRegion: "US"}
	if f := it.PhoneRegion; f.Set {
		switch {
		case f.Bad || f.Null:
			p.bad("phone_region", "must be US or GB")
		case f.V == "US" || f.V == "GB":
			ph.PhoneRegion = f.V
		default:
			p.bad("phone_region", "must be US or GB")
		}
	}
	if f := it.ZipCode; f.Set && !f.Null {
		switch {
		case f.Bad || !zipRe.MatchString(f.V):
			p.bad("zip_code", "must be 5 digits")
		case ph.PhoneRegion != "US":
			p.bad("zip_code", "is only for phone_region US")
		default:
			zip := f.V
			ph.ZipCode = &zip
		}
	}
	for _, b := range []struct {
		name string
		f    field[bool]
		dst  *bool
	}{{"sms_and_call", it.SMSAndCall, &ph.SMSAndCall}, {"rcs", it.RCS, &ph.RCS},
		{"whatsapp", it.WhatsApp, nil}, {"init_conversations", it.InitConversations, nil}} {
		if b.f.Bad {
			p.bad(b.name, "must be a boolean")
		} else if b.f.present() && b.dst != nil {
			*b.dst = b.f.V
		}
	}
	if f := it.ForwardingToPhoneNumber; f.Set && !f.Null {
		switch {
		case f.Bad || !e164Re.MatchString(f.V):
			p.bad("forwarding_to_phone_number", "must be a phone number in E.164 format, like +15551234567")
		case !ph.SMSAndCall:
			p.bad("forwarding_to_phone_number", "needs sms_and_call: true")
		default:
			fwd := f.V
			ph.ForwardingToPhoneNumber = &fwd
		}
	}
	if f := it.Contact; f.Set && !f.Null {
		if f.Bad {
			p.bad("contact", "must be an object")
		} else {
			var q problems
			q.requiredString("first_name", f.V.FirstName)
			if f.V.LastName.Bad {
				q.bad("last_name", "must be a string")
			}
			if u := f.V.PhotoURL; u.Bad || (u.present() && !validURL(u.V)) {
				q.bad("photo_url", "must be an absolute http or https URL")
			}
			p.merge(q.prefixed("contact."))
		}
	}
	if f := it.Port; f.Set && !f.Null {
		if f.Bad {
			p.bad("port", "must be an object")
		} else {
			var q problems
			if num, ok := q.requiredString("phone_number", f.V.PhoneNumber); ok {
				if !e164Re.MatchString(num) {
					q.bad("phone_number", "must be a phone number in E.164 format, like +15551234567")
				}
				o.name = num // a ported sender keeps its number
			}
			q.requiredString("account_number", f.V.AccountNumber)
			q.requiredString("pin", f.V.PIN)
			q.requiredString("carrier", f.V.Carrier)
			p.merge(q.prefixed("port."))
		}
	}
	o.item = ph
	return o, p
}

// orderSenders handles POST /api/v1/sender/new/: one sender, or a bulk order
// in "senders". The senders are assigned to the caller's organization and
// start pending; with "test": true they become active TestActivationDelay
// later (emulated). One order per account per 30 seconds (emulated).
func (a *API) orderSenders(w http.ResponseWriter, r *http.Request) error {
	c := callerOf(r)
	var req orderRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	planIDs := map[string]bool{}
	rows, err := a.DB.Reader().QueryContext(ctx, `SELECT id FROM lm_plans`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		planIDs[id] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	var orders []ordered
	var p problems
	test := req.Test.present() && req.Test.V
	switch f := req.Senders; {
	case !f.Set || f.Null:
		o, q := req.orderItem.validate(planIDs, test)
		p.merge(q)
		orders = append(orders, o)
	case f.Bad:
		p.bad("senders", "must be an array of objects")
	case len(f.V) == 0:
		p.miss("senders")
	case len(f.V) > maxBulk:
		p.bad("senders", fmt.Sprintf("may hold at most %d senders", maxBulk))
	default:
		for i, raw := range f.V {
			var it orderItem
			pre := fmt.Sprintf("senders[%d].", i)
			// Each item is read like the body: its keys exactly.
			if len(raw) == 0 || raw[0] != '{' || httpx.Unmarshal(raw, &it, false) != nil {
				p.bad(fmt.Sprintf("senders[%d]", i), "must be an object")
				continue
			}
			o, q := it.validate(planIDs, test)
			p.merge(q.prefixed(pre))
			orders = append(orders, o)
		}
	}
	if err := p.err(); err != nil {
		return err
	}

	now := a.now()
	body := orderBody{Count: len(orders)}
	err = a.DB.Tx(ctx, func(tx *store.Tx) error {
		// The 30-second rule is one conditional UPDATE, so two concurrent
		// orders cannot both pass it.
		res, err := tx.ExecContext(ctx, `UPDATE lm_accounts SET last_order_at = ?
			WHERE id = ? AND (last_order_at IS NULL OR last_order_at <= ?)`,
			formatTime(now), c.AccountID, formatTime(now.Add(-orderInterval)))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fail(codeBadRequest, "Only one order request per 30 seconds is allowed")
		}
		for _, o := range orders {
			id := a.IDs.UUID()
			var activateAt any
			if o.test {
				activateAt = formatTime(now.Add(a.TestActivationDelay))
			}
			var item any
			switch it := o.item.(type) {
			case phoneOrdered:
				it.ID = id
				if o.name == "" {
					o.name = a.phoneNumber(it.PhoneRegion)
				}
				item = it
			case emailOrdered:
				it.ID = id
				item = it
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO lm_senders (id, account_id, organization_id, name,
				status, create_date, plan_id, activate_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)`,
				id, c.AccountID, c.OrgID, o.name, formatTime(now), o.planID, activateAt); err != nil {
				return err
			}
			body.Items = append(body.Items, item)
		}
		return nil
	})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, "", body)
	return nil
}

// phoneNumber makes up the number of a new phone sender, in ranges reserved
// for fiction so it never reaches a real person: 555-01XX in a US area code,
// and Ofcom's drama range +44 7700 900XXX.
func (a *API) phoneNumber(region string) string {
	b, _ := hex.DecodeString(a.IDs.Hex(4)) // our own generator's hex: cannot fail
	n := binary.BigEndian.Uint32(b)
	if region == "GB" {
		return fmt.Sprintf("+447700900%03d", n%1000)
	}
	return fmt.Sprintf("+1%03d55501%02d", 201+n%799, (n/1000)%100)
}

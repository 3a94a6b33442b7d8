package partner

import (
	"context"
	"fmt"

	"github.com/emulator/vendor-emulator/internal/store"
)

// State is the vendor's current state in its fixture format: a store seeded
// from it (marshalled as JSON) answers as this one does.
//
// Every table is written whole, in rowid order: the order it was seeded,
// then the clients and channels signed up through the control plane. A
// channel's status and modified_at are written as they are now, with the
// steps it has still to reach (and those it reached). Bearer tokens are not
// state: they are signed, not stored, and only the API that signed them
// accepts them; the hub users that take them are exported. Webhook events
// are the outbox's, not the vendor's state: a copy sends none of them.
func (a *API) State(ctx context.Context) (any, error) {
	data := &fixtureData{Partners: []fixturePartner{}, HubUsers: []fixtureHubUser{}, Clients: []fixtureClient{},
		Channels: []fixtureChannel{}}
	err := a.DB.ReadCopy(ctx, func(tx *store.Tx) error {
		if err := store.EachRow(ctx, tx, `SELECT `+partnerColumns+`, api_key, webhook_secret FROM dlg_partners
			ORDER BY rowid`, nil,
			func(rows *store.Rows) error {
				var key, secret string
				p, err := scanPartner(rows, &key, &secret)
				if err != nil {
					return err
				}
				data.Partners = append(data.Partners, fixturePartner{Partner: *p, APIKey: key, WebhookSecret: secret})
				return nil
			}); err != nil {
			return err
		}
		if err := store.EachRow(ctx, tx, `SELECT email, password, partner_id FROM dlg_hub_users ORDER BY rowid`, nil,
			func(rows *store.Rows) error {
				var u fixtureHubUser
				if err := rows.Scan(&u.Email, &u.Password, &u.PartnerID); err != nil {
					return err
				}
				data.HubUsers = append(data.HubUsers, u)
				return nil
			}); err != nil {
			return err
		}
		if err := store.EachRow(ctx, tx, `SELECT id, partner_id, name, status, created_at, modified_at, contact_email,
			contact_name, max_channels, partner_payload FROM dlg_clients ORDER BY rowid`, nil,
			func(rows *store.Rows) error {
				var c fixtureClient
				if err := rows.Scan(&c.ID, &c.PartnerID, &c.Name, &c.Status, &c.CreatedAt, &c.ModifiedAt,
					&c.ContactEmail, &c.ContactName, &c.MaxChannels, &c.PartnerPayload); err != nil {
					return err
				}
				data.Clients = append(data.Clients, c)
				return nil
			}); err != nil {
			return err
		}
		channels, args := channelsAt(a.stamp())
		return store.EachRow(ctx, tx, `SELECT id, partner_id, client_id, status, account_mode, phone_number, phone_name,
			waba_id, waba_name, created_at, modified_at, coalesce(submitted_at, ''), coalesce(ready_at, ''),
			coalesce(running_at, '') FROM `+channels+` ORDER BY seq`, args,
			func(rows *store.Rows) error {
				var c fixtureChannel
				if err := rows.Scan(&c.ID, &c.PartnerID, &c.ClientID, &c.Status, &c.AccountMode, &c.PhoneNumber,
					&c.PhoneName, &c.WabaID, &c.WabaName, &c.CreatedAt, &c.ModifiedAt, &c.SubmittedAt, &c.ReadyAt,
					&c.RunningAt); err != nil {
					return err
				}
				data.Channels = append(data.Channels, c)
				return nil
			})
	})
	if err != nil {
		return nil, fmt.Errorf("360dialog: state: %w", err)
	}
	return data, nil
}

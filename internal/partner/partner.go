// Package partner emulates the 360dialog Partner API (hub.360dialog.io/api/v2):
// partner retrieval and update, the partner's webhook URL, its clients and
// channels, the two ways to authenticate (X-API-Key and bearer tokens from
// POST /api/v2/token), and the partner webhooks a client's sign-up and a
// channel's violation send (control routes, /_emulator/360dialog).
package partner

import (
	"bytes"
	"cmp"
	"context"
	"embed"
	"fmt"
	"io/fs"
	"net/http"

	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Vendor name, URL prefix and fixture file of 360dialog.
const (
	Name        = "360dialog"
	Prefix      = "/360dialog"
	fixtureFile = "360dialog.json"
)

// Schema registers the 360dialog tables and fixtures with the store.
func Schema() store.Schema {
	return store.Schema{Vendor: Name, TablePrefix: "dlg_", Migrations: store.Sub(migrations, "migrations"), Seed: seed}
}

// API is the 360dialog Partner API. It implements server.Vendor.
type API struct {
	server.Deps
	tokens tokenSigner
}

// New builds the API over deps. Tokens are signed with a secret made at start,
// so they stay valid for the life of the process.
func New(deps server.Deps) *API {
	return &API{Deps: deps, tokens: tokenSigner{secret: []byte(deps.IDs.Hex(32))}}
}

// Name implements server.Vendor.
func (a *API) Name() string { return Name }

// Prefix implements server.Vendor.
func (a *API) Prefix() string { return Prefix }

// About implements server.Vendor.
func (a *API) About() server.About {
	return server.About{
		Title:    "360dialog Partner API (WhatsApp)",
		Replaces: "https://hub.360dialog.io",
		Credentials: []server.Credential{
			{Send: "X-API-Key: examplePA-api-key", Means: "partner examplePA"},
			{Send: "X-API-Key: otherPA-api-key", Means: "partner otherPA"},
			{Send: `POST /api/v2/token {"username":"partner@example.com","password":"partner-password"}`, Means: "a bearer token of examplePA"},
		},
		Example: server.Example{Method: "GET", Path: "/api/v2/partners/examplePA", Header: "X-API-Key: examplePA-api-key"},
	}
}

var _ server.Vendor = (*API)(nil)

// fixtureFile's shape (docs/fixtures.md documents it; store.ReadFixture
// enforces the fixture tags).
type fixtureData struct {
	Partners []fixturePartner `json:"partners"`
	HubUsers []fixtureHubUser `json:"hub_users"`
	Clients  []fixtureClient  `json:"clients"`
	Channels []fixtureChannel `json:"channels"`
}

type fixtureHubUser struct {
	Email     string `json:"email" fixture:"required"`
	Password  string `json:"password" fixture:"required"`
	PartnerID string `json:"partner_id" fixture:"required"`
}

// created_at and modified_at are written in one layout: lists sort them as text.
type fixtureClient struct {
	ID             string  `json:"id" fixture:"required"`
	PartnerID      string  `json:"partner_id" fixture:"required"`
	Name           string  `json:"name" fixture:"required"`
	Status         string  `json:"status" fixture:"required"`
	CreatedAt      string  `json:"created_at" fixture:"required,time=2006-01-02T15:04:05Z"`
	ModifiedAt     string  `json:"modified_at" fixture:"time=2006-01-02T15:04:05Z"`
	ContactEmail   string  `json:"contact_email"`
	ContactName    string  `json:"contact_name"`
	MaxChannels    int     `json:"max_channels" fixture:"min=0"`
	PartnerPayload *string `json:"partner_payload"`
}

// SubmittedAt, ReadyAt and RunningAt are when a channel signed up through the
// control plane reaches each status (left out when there is no such step
// ahead): Status and ModifiedAt are what they are until then.
type fixtureChannel struct {
	ID          string `json:"id" fixture:"required"`
	PartnerID   string `json:"partner_id" fixture:"required"`
	ClientID    string `json:"client_id" fixture:"required"`
	Status      string `json:"status" fixture:"required"`
	AccountMode string `json:"account_mode" fixture:"required"`
	PhoneNumber string `json:"phone_number" fixture:"required"`
	PhoneName   string `json:"phone_name"`
	WabaID      string `json:"waba_id"`
	WabaName    string `json:"waba_name"`
	CreatedAt   string `json:"created_at" fixture:"required,time=2006-01-02T15:04:05Z"`
	ModifiedAt  string `json:"modified_at" fixture:"time=2006-01-02T15:04:05Z"`
	SubmittedAt string `json:"submitted_at,omitempty" fixture:"time=2006-01-02T15:04:05Z"`
	ReadyAt     string `json:"ready_at,omitempty" fixture:"time=2006-01-02T15:04:05Z"`
	RunningAt   string `json:"running_at,omitempty" fixture:"time=2006-01-02T15:04:05Z"`
}

// fixturePartner is a partner with what the Partner API never shows: its
// API key and the key of its webhooks' x-360dialog-signature.
type fixturePartner struct {
	Partner
	APIKey        string `json:"api_key" fixture:"required"`
	WebhookSecret string `json:"webhook_secret"`
}

func seed(ctx context.Context, tx *store.Tx, fixtures fs.FS) error {
	var data fixtureData
	if err := store.ReadFixture(fixtures, fixtureFile, &data); err != nil {
		return err
	}
	if err := checkFixture(&data); err != nil {
		return err
	}
	for _, p := range data.Partners {
		var settings any
		if len(p.Settings) > 0 && string(p.Settings) != "null" {
			settings = string(p.Settings)
		} else {
			p.Settings = nil // as it reads back
		}
		j, err := partnerJSONParts(&p.Partner)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO dlg_partners (id, api_key, brand_name, payment_required,
			logo_url, onboarding_deeplink_add_params, webhook_url, partner_redirect_url, country,
			blocked_new_submission, allow_client_to_add_phone_no, settings, billing_system, publishable_key,
			webhook_secret, json_head, json_webhook_url, json_partner_redirect_url, json_mid, json_tail)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ID, p.APIKey, p.BrandName, p.PaymentRequired, p.LogoURL, p.OnboardingDeeplinkAddParams,
			p.WebhookURL, p.PartnerRedirectURL, p.Country, p.BlockedNewSubmission, p.AllowClientToAddPhoneNo,
			settings, p.BillingSystem, p.PublishableKey, p.WebhookSecret,
			j.head, j.webhookURL, j.redirectURL, j.mid, j.tail); err != nil {
			return fmt.Errorf("%s: partner %s: %w", fixtureFile, p.ID, err)
		}
	}
	for _, u := range data.HubUsers {
		if _, err := tx.ExecContext(ctx, `INSERT INTO dlg_hub_users (email, password, partner_id) VALUES (?, ?, ?)`,
			u.Email, u.Password, u.PartnerID); err != nil {
			return fmt.Errorf("%s: hub user %s: %w", fixtureFile, u.Email, err)
		}
	}
	for _, c := range data.Clients {
		if err := insertClient(ctx, tx, Client{ID: c.ID, Name: c.Name, Status: c.Status, PartnerID: c.PartnerID,
			CreatedAt: c.CreatedAt, ModifiedAt: cmp.Or(c.ModifiedAt, c.CreatedAt),
			ContactInfo: ContactInfo{Email: c.ContactEmail, FullName: c.ContactName}, MaxChannels: c.MaxChannels,
			PartnerPayload: c.PartnerPayload}); err != nil {
			return fmt.Errorf("%s: client %s: %w", fixtureFile, c.ID, err)
		}
	}
	for _, c := range data.Channels {
		if _, err := tx.ExecContext(ctx, `INSERT INTO dlg_channels (id, partner_id, client_id, status, account_mode,
			phone_number, phone_name, waba_id, waba_name, created_at, modified_at, submitted_at, ready_at, running_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, ''), NULLIF(?, ''), NULLIF(?, ''))`,
			c.ID, c.PartnerID, c.ClientID, c.Status, c.AccountMode, c.PhoneNumber, c.PhoneName, c.WabaID, c.WabaName,
			c.CreatedAt, cmp.Or(c.ModifiedAt, c.CreatedAt), c.SubmittedAt, c.ReadyAt, c.RunningAt); err != nil {
			return fmt.Errorf("%s: channel %s: %w", fixtureFile, c.ID, err)
		}
	}
	return nil
}

// checkFixture finds what the types alone cannot: repeated ids and keys,
// references to records that do not exist, settings that are no object.
func checkFixture(data *fixtureData) error {
	file := store.FixtureFile(fixtureFile)
	partnerIDs, apiKeys := store.NewFixtureUnique(false), store.NewFixtureUnique(false)
	partners := map[string]bool{}
	for i, p := range data.Partners {
		rec := file.At("partners", i, p.ID)
		if err := partnerIDs.Add(rec, "id", p.ID); err != nil {
			return err
		}
		if err := apiKeys.Add(rec, "api_key", p.APIKey); err != nil {
			return err
		}
		if s := bytes.TrimSpace(p.Settings); len(s) > 0 && s[0] != '{' && string(s) != "null" {
			return rec.Errorf("settings", "must be an object or null")
		}
		partners[p.ID] = true
	}
	emails := store.NewFixtureUnique(true) // hub user e-mails are unique case-insensitively
	for i, u := range data.HubUsers {
		rec := file.At("hub_users", i, nil)
		if err := emails.Add(rec, "email", u.Email); err != nil {
			return err
		}
		if !partners[u.PartnerID] {
			return rec.Errorf("partner_id", "unknown partner %q", u.PartnerID)
		}
	}
	clientIDs := store.NewFixtureUnique(false)
	clientPartner := map[string]string{}
	for i, c := range data.Clients {
		rec := file.At("clients", i, c.ID)
		if err := clientIDs.Add(rec, "id", c.ID); err != nil {
			return err
		}
		if !partners[c.PartnerID] {
			return rec.Errorf("partner_id", "unknown partner %q", c.PartnerID)
		}
		clientPartner[c.ID] = c.PartnerID
	}
	channelIDs := store.NewFixtureUnique(false)
	for i, c := range data.Channels {
		rec := file.At("channels", i, c.ID)
		if err := channelIDs.Add(rec, "id", c.ID); err != nil {
			return err
		}
		if !partners[c.PartnerID] {
			return rec.Errorf("partner_id", "unknown partner %q", c.PartnerID)
		}
		owner, ok := clientPartner[c.ClientID]
		if !ok {
			return rec.Errorf("client_id", "unknown client %q", c.ClientID)
		}
		if owner != c.PartnerID {
			return rec.Errorf("client_id", "client %q belongs to partner %q, not %q", c.ClientID, owner, c.PartnerID)
		}
		// The steps come in their order (the layout sorts as text).
		prev, prevField := c.CreatedAt, "created_at"
		for _, step := range []struct{ field, at string }{{"submitted_at", c.SubmittedAt}, {"ready_at", c.ReadyAt},
			{"running_at", c.RunningAt}} {
			if step.at == "" {
				continue
			}
			if step.at < prev {
				return rec.Errorf(step.field, "%s is before %s %s", step.at, prevField, prev)
			}
			prev, prevField = step.at, step.field
		}
	}
	return nil
}

// Routes implements server.Vendor.
func (a *API) Routes() http.Handler { return a.routes() }

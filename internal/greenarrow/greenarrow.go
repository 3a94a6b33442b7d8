// Package greenarrow emulates the GreenArrow Studio Organizations API (API v2):
// organizations with their permissions and quotas, the objects they refer to,
// the messages-sent reports, the two-step delete and sending credits, plus a
// control-plane send simulation that makes quota enforcement observable.
package greenarrow

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"time"
	_ "time/tzdata" // organization time zones must resolve even without a system zoneinfo

	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Vendor name, URL prefix and fixture file of GreenArrow.
const (
	Name        = "greenarrow"
	Prefix      = "/greenarrow"
	fixtureFile = "greenarrow.json"
)

// Schema registers the GreenArrow tables and fixtures with the store.
func Schema() store.Schema {
	return store.Schema{Vendor: Name, TablePrefix: "ga_", Migrations: store.Sub(migrations, "migrations"), Seed: seed}
}

// API is the GreenArrow Studio API. It implements server.Vendor and server.ControlVendor.
type API struct {
	server.Deps
}

// New builds the API over deps.
func New(deps server.Deps) *API { return &API{Deps: deps} }

// Name implements server.Vendor.
func (a *API) Name() string { return Name }

// Prefix implements server.Vendor.
func (a *API) Prefix() string { return Prefix }

// About implements server.Vendor.
func (a *API) About() server.About {
	return server.About{
		Title:    "GreenArrow Studio API v2 (email)",
		Replaces: "https://<your GreenArrow host>",
		Credentials: []server.Credential{
			{Send: "HTTP Basic 1:ga-system-admin-secret", Means: "system administrator (System Organization, id 1)"},
			{Send: "HTTP Basic 2:ga-org2-admin-secret", Means: "organization administrator of organization 2"},
		},
		// base64("1:ga-system-admin-secret")
		Example: server.Example{Method: "GET", Path: "/ga/api/v2/organizations", Header: "Authorization: Basic MTpnYS1zeXN0ZW0tYWRtaW4tc2VjcmV0"},
	}
}

// Routes implements server.Vendor.
func (a *API) Routes() http.Handler { return a.routes() }

// ControlRoutes implements server.ControlVendor (mounted at /_emulator/greenarrow).
func (a *API) ControlRoutes() http.Handler { return a.controlRoutes() }

var _ server.ControlVendor = (*API)(nil)

// fixtureFile's shape. Organizations are written exactly as the API shows them
// to a system administrator, plus the sends that feed their reports.
type fixtureData struct {
	Organizations []fixtureOrganization `json:"organizations"`
	APIKeys       []struct {
		ID             int64  `json:"id"`
		Name           string `json:"name"`
		Secret         string `json:"secret"`
		Role           string `json:"role"`
		OrganizationID int64  `json:"organization_id"`
		Active         bool   `json:"active"`
	} `json:"api_keys"`
	VirtualMTAs      []VirtualMTA      `json:"virtual_mtas"`
	URLDomains       []URLDomain       `json:"url_domains"`
	BounceEmails     []BounceEmail     `json:"bounce_emails"`
	SuppressionLists []SuppressionList `json:"suppression_lists"`
}

type fixtureOrganization struct {
	Organization
	CreditsAvailable     int64         `json:"credits_available"`
	LifetimeMessagesSent int64         `json:"lifetime_messages_sent"`
	Sends                []fixtureSend `json:"sends"`
}

type fixtureSend struct {
	SentAt            time.Time `json:"sent_at"`
	CampaignID        *int64    `json:"campaign_id"`
	CampaignName      *string   `json:"campaign_name"`
	AutoresponderID   *int64    `json:"autoresponder_id"`
	AutoresponderName *string   `json:"autoresponder_name"`
	Messages          int64     `json:"messages"`
}

func seed(ctx context.Context, tx *sql.Tx, fixtures fs.FS) error {
	var data fixtureData
	if err := store.ReadFixture(fixtures, fixtureFile, &data); err != nil {
		return err
	}
	for _, v := range data.VirtualMTAs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ga_virtual_mtas (id, name, type) VALUES (?, ?, ?)`,
			v.ID, v.Name, v.Type); err != nil {
			return fmt.Errorf("%s: virtual MTA %d: %w", fixtureFile, v.ID, err)
		}
	}
	for _, d := range data.URLDomains {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ga_url_domains (id, domain) VALUES (?, ?)`, d.ID, d.Domain); err != nil {
			return fmt.Errorf("%s: URL domain %d: %w", fixtureFile, d.ID, err)
		}
	}
	for _, b := range data.BounceEmails {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ga_bounce_emails (id, email) VALUES (?, ?)`, b.ID, b.Email); err != nil {
			return fmt.Errorf("%s: bounce email %s: %w", fixtureFile, b.ID, err)
		}
	}
	for _, s := range data.SuppressionLists {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ga_suppression_lists (id, name) VALUES (?, ?)`, s.ID, s.Name); err != nil {
			return fmt.Errorf("%s: suppression list %d: %w", fixtureFile, s.ID, err)
		}
	}
	for _, fo := range data.Organizations {
		o, err := fromFixture(fo.Organization)
		if err != nil {
			return fmt.Errorf("%s: organization %d: %w", fixtureFile, fo.ID, err)
		}
		o.CreditsAvailable, o.LifetimeMessagesSent = fo.CreditsAvailable, fo.LifetimeMessagesSent
		if err := insertOrganization(ctx, tx, o); err != nil {
			return fmt.Errorf("%s: organization %d: %w", fixtureFile, fo.ID, err)
		}
		for _, s := range fo.Sends {
			if _, err := tx.ExecContext(ctx, `INSERT INTO ga_sends (organization_id, sent_at, campaign_id, campaign_name,
				autoresponder_id, autoresponder_name, messages) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				o.ID, s.SentAt.Unix(), s.CampaignID, s.CampaignName, s.AutoresponderID, s.AutoresponderName, s.Messages); err != nil {
				return fmt.Errorf("%s: organization %d send: %w", fixtureFile, fo.ID, err)
			}
		}
	}
	for _, k := range data.APIKeys {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ga_api_keys (id, name, secret, role, organization_id, active)
			VALUES (?, ?, ?, ?, ?, ?)`, k.ID, k.Name, k.Secret, k.Role, k.OrganizationID, k.Active); err != nil {
			return fmt.Errorf("%s: API key %d: %w", fixtureFile, k.ID, err)
		}
	}
	return nil
}

// Package loop emulates LoopMessage's account-management API
// (a.loopmessage.com/api/v1): organizations with their Default-organization
// scoping, sender names (list, details, move, cancel, plans, orders) and
// sender pools, keyed by each organization's raw API key.
package loop

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"time"

	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Vendor name, URL prefix and fixture file of LoopMessage.
const (
	Name        = "loopmessage"
	Prefix      = "/loopmessage"
	fixtureFile = "loopmessage.json"
)

// DefaultTestActivationDelay is how long (emulated) a sender ordered with
// "test": true stays pending. The docs say the simulated activation arrives
// "within minutes"; two minutes keeps tests short and is still "minutes".
const DefaultTestActivationDelay = 2 * time.Minute

// orderInterval is the docs' "only one order request per 30 seconds".
const orderInterval = 30 * time.Second

// Schema registers the LoopMessage tables and fixtures with the store.
func Schema() store.Schema {
	return store.Schema{Vendor: Name, TablePrefix: "lm_", Migrations: store.Sub(migrations, "migrations"), Seed: seed}
}

// API is the LoopMessage API. It implements server.Vendor.
type API struct {
	server.Deps
	// TestActivationDelay is how long a test-ordered sender stays pending.
	TestActivationDelay time.Duration
}

// New builds the API over deps.
func New(deps server.Deps) *API {
	return &API{Deps: deps, TestActivationDelay: DefaultTestActivationDelay}
}

// Name implements server.Vendor.
func (a *API) Name() string { return Name }

// Prefix implements server.Vendor.
func (a *API) Prefix() string { return Prefix }

// About implements server.Vendor.
func (a *API) About() server.About {
	return server.About{
		Title:    "LoopMessage (iMessage API)",
		Replaces: "https://a.loopmessage.com",
		Credentials: []server.Credential{
			{Send: "Authorization: lm-acme-default", Means: "Acme's Default organization (account admin)"},
			{Send: "Authorization: lm-acme-support", Means: "Acme Support"},
			{Send: "Authorization: lm-acme-labs", Means: "Acme Labs"},
			{Send: "Authorization: lm-globex-default", Means: "Globex's Default organization"},
		},
		Example: server.Example{Method: "GET", Path: "/api/v1/organizations/list/", Header: "Authorization: lm-acme-default"},
	}
}

// Routes implements server.Vendor.
func (a *API) Routes() http.Handler { return a.routes() }

var _ server.Vendor = (*API)(nil)

// now is the emulated time, to the second, as LoopMessage's dates are.
func (a *API) now() time.Time { return a.Clock.Now().Truncate(time.Second) }

// timeLayout is LoopMessage's create_date format; stored the same way, it sorts as text.
const timeLayout = "2006-01-02T15:04:05Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// fixtureFile's shape (docs/fixtures.md documents it; store.ReadFixture
// enforces the fixture tags). Dates are written in timeLayout.
type fixtureData struct {
	Plans []struct {
		ID              string      `json:"id" fixture:"required"`
		Name            string      `json:"name" fixture:"required"`
		DailyContacts   int         `json:"daily_contacts" fixture:"required,min=0"`
		MonthlyContacts int         `json:"monthly_contacts" fixture:"required,min=0"`
		MonthlyFee      json.Number `json:"monthly_fee" fixture:"required"`
		Currency        string      `json:"currency" fixture:"required"`
	} `json:"plans"`
	Accounts []struct {
		ID            string `json:"id" fixture:"required"`
		Name          string `json:"name" fixture:"required"`
		Organizations []struct {
			ID            string  `json:"id" fixture:"required"`
			Name          string  `json:"name" fixture:"required"`
			APIKey        string  `json:"api_key" fixture:"required"`
			Website       string  `json:"website"`
			SupportURL    string  `json:"support_url"`
			Country       string  `json:"country"`
			WebhookURL    *string `json:"webhook_url"`
			WebhookHeader *string `json:"webhook_header"`
			CreateDate    string  `json:"create_date" fixture:"required,time=2006-01-02T15:04:05Z"`
			Senders       []struct {
				ID         string `json:"id" fixture:"required"`
				Name       string `json:"name" fixture:"required"`
				Status     string `json:"status" fixture:"required,enum=active|pending|canceled|suspended"`
				CreateDate string `json:"create_date" fixture:"required,time=2006-01-02T15:04:05Z"`
			} `json:"senders"`
		} `json:"organizations" fixture:"required"`
	} `json:"accounts"`
}

// checkFixture finds what the types alone cannot: repeated ids and keys, an
// account without its Default organization, a fee that is no amount. It
// returns the plans' fees in cents.
func checkFixture(data *fixtureData) ([]int64, error) {
	file := store.FixtureFile(fixtureFile)
	planIDs := store.NewFixtureUnique(false)
	fees := make([]int64, len(data.Plans))
	for i, p := range data.Plans {
		rec := file.At("plans", i, p.ID)
		if err := planIDs.Add(rec, "id", p.ID); err != nil {
			return nil, err
		}
		cents, err := parseCents(string(p.MonthlyFee))
		if err != nil {
			return nil, rec.Errorf("monthly_fee", "must be an amount with at most two decimals, like \"100.00\", not %q", p.MonthlyFee)
		}
		fees[i] = cents
	}
	accountIDs, orgIDs, apiKeys, senderIDs := store.NewFixtureUnique(false), store.NewFixtureUnique(false),
		store.NewFixtureUnique(false), store.NewFixtureUnique(false)
	for i, acc := range data.Accounts {
		rec := file.At("accounts", i, acc.ID)
		if err := accountIDs.Add(rec, "id", acc.ID); err != nil {
			return nil, err
		}
		if len(acc.Organizations) == 0 {
			return nil, rec.Errorf("organizations", "must hold at least one organization, the account's Default")
		}
		for j, o := range acc.Organizations {
			orec := rec.At("organizations", j, o.ID)
			if err := orgIDs.Add(orec, "id", o.ID); err != nil {
				return nil, err
			}
			if err := apiKeys.Add(orec, "api_key", o.APIKey); err != nil {
				return nil, err
			}
			for k, s := range o.Senders {
				if err := senderIDs.Add(orec.At("senders", k, s.ID), "id", s.ID); err != nil {
					return nil, err
				}
			}
		}
	}
	return fees, nil
}

func seed(ctx context.Context, tx *sql.Tx, fixtures fs.FS) error {
	var data fixtureData
	if err := store.ReadFixture(fixtures, fixtureFile, &data); err != nil {
		return err
	}
	fees, err := checkFixture(&data)
	if err != nil {
		return err
	}
	for i, p := range data.Plans {
		if _, err := tx.ExecContext(ctx, `INSERT INTO lm_plans (id, name, daily_contacts, monthly_contacts,
			monthly_fee_cents, currency) VALUES (?, ?, ?, ?, ?, ?)`,
			p.ID, p.Name, p.DailyContacts, p.MonthlyContacts, fees[i], p.Currency); err != nil {
			return fmt.Errorf("%s: plan %s: %w", fixtureFile, p.ID, err)
		}
	}
	for _, acc := range data.Accounts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO lm_accounts (id, name) VALUES (?, ?)`, acc.ID, acc.Name); err != nil {
			return fmt.Errorf("%s: account %s: %w", fixtureFile, acc.ID, err)
		}
		for i, o := range acc.Organizations {
			// The first organization of an account is its Default organization.
			if _, err := tx.ExecContext(ctx, `INSERT INTO lm_organizations (id, account_id, is_default, name,
				website, support_url, country, webhook_url, webhook_header, api_key, create_date)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				o.ID, acc.ID, i == 0, o.Name, o.Website, o.SupportURL, o.Country, o.WebhookURL, o.WebhookHeader,
				o.APIKey, o.CreateDate); err != nil {
				return fmt.Errorf("%s: organization %s: %w", fixtureFile, o.ID, err)
			}
			for _, s := range o.Senders {
				if _, err := tx.ExecContext(ctx, `INSERT INTO lm_senders (id, account_id, organization_id, name,
					status, create_date) VALUES (?, ?, ?, ?, ?, ?)`,
					s.ID, acc.ID, o.ID, s.Name, s.Status, s.CreateDate); err != nil {
					return fmt.Errorf("%s: sender %s: %w", fixtureFile, s.ID, err)
				}
			}
		}
	}
	return nil
}

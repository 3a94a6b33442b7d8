// Package loop emulates LoopMessage's account-management API
// (a.loopmessage.com/api/v1): organizations with their Default-organization
// scoping, sender names (list, details, move, cancel, plans, orders),
// sender pools, and the sender_name_updated webhook with its history, keyed
// by each organization's raw API key.
package loop

import (
	"cmp"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"slices"
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

// New builds the API over deps. Its timer makes test activations (and
// their webhooks) happen when the emulated clock reaches them.
func New(deps server.Deps) *API {
	a := &API{Deps: deps, TestActivationDelay: DefaultTestActivationDelay}
	deps.Webhooks.AddTimer(a.activationTimer)
	return a
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
// enforces the fixture tags). Dates are written in timeLayout. State writes
// the same shape, so the optional fields omit their empty value.
type fixtureData struct {
	Plans    []fixturePlan    `json:"plans"`
	Accounts []fixtureAccount `json:"accounts"`
}

type fixturePlan struct {
	ID              string      `json:"id" fixture:"required"`
	Name            string      `json:"name" fixture:"required"`
	DailyContacts   int         `json:"daily_contacts" fixture:"required,min=0"`
	MonthlyContacts int         `json:"monthly_contacts" fixture:"required,min=0"`
	MonthlyFee      json.Number `json:"monthly_fee" fixture:"required"`
	Currency        string      `json:"currency" fixture:"required"`
}

// MarshalJSON writes the fee as the fixture files do, a string ("100.00"):
// json.Number alone would write a number. Reading keeps json.Number, which
// takes either.
func (p fixturePlan) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID              string `json:"id"`
		Name            string `json:"name"`
		DailyContacts   int    `json:"daily_contacts"`
		MonthlyContacts int    `json:"monthly_contacts"`
		MonthlyFee      string `json:"monthly_fee"`
		Currency        string `json:"currency"`
	}{p.ID, p.Name, p.DailyContacts, p.MonthlyContacts, string(p.MonthlyFee), p.Currency})
}

type fixtureAccount struct {
	ID            string       `json:"id" fixture:"required"`
	Name          string       `json:"name" fixture:"required"`
	Organizations []fixtureOrg `json:"organizations" fixture:"required"`
	// LastOrderAt is the account's last accepted sender order: the 30-second rule counts from it.
	LastOrderAt string `json:"last_order_at,omitempty" fixture:"time=2006-01-02T15:04:05Z"`
	// Pools are the account's, in creation order (lists break same-second ties by it).
	Pools []fixturePool `json:"pools,omitempty"`
}

type fixtureOrg struct {
	ID            string          `json:"id" fixture:"required"`
	Name          string          `json:"name" fixture:"required"`
	APIKey        string          `json:"api_key" fixture:"required"`
	Website       string          `json:"website"`
	SupportURL    string          `json:"support_url"`
	Country       string          `json:"country"`
	WebhookURL    *string         `json:"webhook_url"`
	WebhookHeader *string         `json:"webhook_header"`
	CreateDate    string          `json:"create_date" fixture:"required,time=2006-01-02T15:04:05Z"`
	Senders       []fixtureSender `json:"senders"`
}

type fixtureSender struct {
	ID         string `json:"id" fixture:"required"`
	Name       string `json:"name" fixture:"required"`
	Status     string `json:"status" fixture:"required,enum=active|pending|canceled|suspended"`
	CreateDate string `json:"create_date" fixture:"required,time=2006-01-02T15:04:05Z"`
	// PlanID is the plan the sender was ordered on.
	PlanID string `json:"plan_id,omitempty"`
	// ActivateAt makes a pending sender (ordered with "test": true) active at that time.
	ActivateAt string `json:"activate_at,omitempty" fixture:"time=2006-01-02T15:04:05Z"`
	// Seq is the sender's place in its account's creation order; senders are
	// created in Seq order (those without one first, in file order). Lists
	// break ties between senders created in the same second by that order,
	// which file order alone cannot give once a sender has moved between
	// organizations.
	Seq int `json:"seq,omitempty" fixture:"min=1"`
}

type fixturePool struct {
	ID             string   `json:"id" fixture:"required"`
	OrganizationID string   `json:"organization_id" fixture:"required"`
	Name           string   `json:"name"`
	CreateDate     string   `json:"create_date" fixture:"required,time=2006-01-02T15:04:05Z"`
	Senders        []string `json:"senders,omitempty"`
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
	accountIDs, orgIDs, apiKeys, senderIDs, poolIDs := store.NewFixtureUnique(false), store.NewFixtureUnique(false),
		store.NewFixtureUnique(false), store.NewFixtureUnique(false), store.NewFixtureUnique(false)
	planSet := map[string]bool{}
	for _, p := range data.Plans {
		planSet[p.ID] = true
	}
	senderAccount := map[string]string{} // sender id → its account
	for i, acc := range data.Accounts {
		rec := file.At("accounts", i, acc.ID)
		if err := accountIDs.Add(rec, "id", acc.ID); err != nil {
			return nil, err
		}
		if len(acc.Organizations) == 0 {
			return nil, rec.Errorf("organizations", "must hold at least one organization, the account's Default")
		}
		accountOrgs := map[string]bool{}
		for j, o := range acc.Organizations {
			orec := rec.At("organizations", j, o.ID)
			if err := orgIDs.Add(orec, "id", o.ID); err != nil {
				return nil, err
			}
			accountOrgs[o.ID] = true
			if err := apiKeys.Add(orec, "api_key", o.APIKey); err != nil {
				return nil, err
			}
			for k, s := range o.Senders {
				srec := orec.At("senders", k, s.ID)
				if err := senderIDs.Add(srec, "id", s.ID); err != nil {
					return nil, err
				}
				if s.PlanID != "" && !planSet[s.PlanID] {
					return nil, srec.Errorf("plan_id", "unknown plan %q", s.PlanID)
				}
				if s.ActivateAt != "" && s.Status != "pending" {
					return nil, srec.Errorf("activate_at", "is only for a pending sender; this one is %s", s.Status)
				}
				senderAccount[s.ID] = acc.ID
			}
		}
		for j, p := range acc.Pools {
			prec := rec.At("pools", j, p.ID)
			if err := poolIDs.Add(prec, "id", p.ID); err != nil {
				return nil, err
			}
			if !accountOrgs[p.OrganizationID] {
				return nil, prec.Errorf("organization_id", "%q is no organization of account %q", p.OrganizationID, acc.ID)
			}
			members := store.NewFixtureUnique(false)
			for k, id := range p.Senders {
				mrec := prec.At("senders", k, nil)
				if senderAccount[id] != acc.ID {
					return nil, mrec.Errorf("", "%q is no sender of account %q", id, acc.ID)
				}
				if err := members.Add(mrec, "", id); err != nil {
					return nil, err
				}
			}
		}
	}
	return fees, nil
}

func seed(ctx context.Context, tx *store.Tx, fixtures fs.FS) error {
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
		if _, err := tx.ExecContext(ctx, `INSERT INTO lm_accounts (id, name, last_order_at) VALUES (?, ?, ?)`,
			acc.ID, acc.Name, nullIfEmpty(acc.LastOrderAt)); err != nil {
			return fmt.Errorf("%s: account %s: %w", fixtureFile, acc.ID, err)
		}
		type placed struct {
			orgID string
			s     fixtureSender
		}
		var senders []placed
		for i, o := range acc.Organizations {
			// The first organization of an account is its Default organization.
			j := newOrgParts(&org{ID: o.ID, Name: o.Name, APIKey: o.APIKey, Status: "active", CreateDate: o.CreateDate})
			if _, err := tx.ExecContext(ctx, `INSERT INTO lm_organizations (id, account_id, is_default, name,
				website, support_url, country, webhook_url, webhook_header, api_key, status, create_date,
				json_head, json_item, json_tail, json_api_key)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?)`,
				o.ID, acc.ID, i == 0, o.Name, o.Website, o.SupportURL, o.Country, o.WebhookURL, o.WebhookHeader,
				o.APIKey, o.CreateDate, j.head, j.item, j.tail, j.apiKey); err != nil {
				return fmt.Errorf("%s: organization %s: %w", fixtureFile, o.ID, err)
			}
			for _, s := range o.Senders {
				senders = append(senders, placed{o.ID, s})
			}
		}
		// Created in seq order (file order without one): lists break same-second ties by it.
		slices.SortStableFunc(senders, func(x, y placed) int { return cmp.Compare(x.s.Seq, y.s.Seq) })
		for _, p := range senders {
			s := p.s
			if _, err := tx.ExecContext(ctx, `INSERT INTO lm_senders (id, account_id, organization_id, name,
				status, create_date, plan_id, activate_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				s.ID, acc.ID, p.orgID, s.Name, s.Status, s.CreateDate, nullIfEmpty(s.PlanID),
				nullIfEmpty(s.ActivateAt)); err != nil {
				return fmt.Errorf("%s: sender %s: %w", fixtureFile, s.ID, err)
			}
		}
		for _, p := range acc.Pools {
			if _, err := tx.ExecContext(ctx, `INSERT INTO lm_pools (id, account_id, organization_id, name, create_date)
				VALUES (?, ?, ?, ?, ?)`, p.ID, acc.ID, p.OrganizationID, p.Name, p.CreateDate); err != nil {
				return fmt.Errorf("%s: pool %s: %w", fixtureFile, p.ID, err)
			}
			for _, id := range p.Senders {
				if _, err := tx.ExecContext(ctx, `INSERT INTO lm_pool_senders (pool_id, sender_id) VALUES (?, ?)`,
					p.ID, id); err != nil {
					return fmt.Errorf("%s: pool %s: %w", fixtureFile, p.ID, err)
				}
			}
		}
	}
	return nil
}

// nullIfEmpty stores an absent optional fixture value ("") as NULL.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

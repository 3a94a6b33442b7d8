// Package greenarrow emulates the GreenArrow Studio Organizations API (API v2):
// organizations with their permissions and quotas, the objects they refer to,
// the messages-sent reports, the two-step delete and sending credits, plus a
// control-plane send simulation that makes quota enforcement observable.
package greenarrow

import (
	"cmp"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
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

// fixtureFile's shape (docs/fixtures.md documents it; store.ReadFixture
// enforces the fixture tags, also those of Organization and the types it
// holds). Organizations are written as the API shows them to a system
// administrator, plus the sends that feed their reports; what one leaves out
// is what a create fills in.
//
// The fields are in the order of the embedded file, which State writes too;
// omitempty leaves out what the file leaves out.
type fixtureData struct {
	APIKeys          []fixtureAPIKey       `json:"api_keys"`
	VirtualMTAs      []VirtualMTA          `json:"virtual_mtas"`
	URLDomains       []URLDomain           `json:"url_domains"`
	BounceEmails     []BounceEmail         `json:"bounce_emails"`
	SuppressionLists []SuppressionList     `json:"suppression_lists"`
	Organizations    []fixtureOrganization `json:"organizations"`
	// NextOrganizationID is the id the next created organization takes;
	// 0 (absent): one more than the largest listed. Ids are never reused,
	// so after a delete of the newest organization it is larger.
	NextOrganizationID int64 `json:"next_organization_id,omitempty" fixture:"min=1"`
}

type fixtureAPIKey struct {
	ID             int64  `json:"id" fixture:"required,min=1"`
	Name           string `json:"name,omitempty"`
	Secret         string `json:"secret" fixture:"required"`
	Role           string `json:"role" fixture:"required,enum=system_admin|organization_admin"`
	OrganizationID int64  `json:"organization_id" fixture:"required"`
	Active         bool   `json:"active" fixture:"required"`
}

type fixtureOrganization struct {
	Organization
	CreditsAvailable int64 `json:"credits_available,omitempty" fixture:"min=0"`
	// LifetimeMessagesSent is counted from Sends, as the reports count them;
	// files written before that held it, so it is still read, and must agree
	// with them. An export leaves it out.
	LifetimeMessagesSent *int64        `json:"lifetime_messages_sent,omitempty"`
	Sends                []fixtureSend `json:"sends"`
}

type fixtureSend struct {
	SentAt            time.Time `json:"sent_at" fixture:"required"`
	CampaignID        *int64    `json:"campaign_id,omitempty"`
	CampaignName      *string   `json:"campaign_name,omitempty"`
	AutoresponderID   *int64    `json:"autoresponder_id,omitempty"`
	AutoresponderName *string   `json:"autoresponder_name,omitempty"`
	Messages          int64     `json:"messages" fixture:"required,min=1,max=1000000000"` // as a simulated send's count
}

// checkFixture finds what the types alone cannot: repeated ids and names,
// references to objects the file does not list (or lists otherwise), an
// unknown time zone, and what the API's own rules refuse in an organization.
func checkFixture(data *fixtureData) error {
	file := store.FixtureFile(fixtureFile)
	mtas := map[int64]VirtualMTA{}
	ids, names := store.NewFixtureUnique(false), store.NewFixtureUnique(false)
	for i, v := range data.VirtualMTAs {
		rec := file.At("virtual_mtas", i, v.ID)
		if err := cmp.Or(ids.Add(rec, "id", strconv.FormatInt(v.ID, 10)), names.Add(rec, "name", v.Name)); err != nil {
			return err
		}
		mtas[v.ID] = v
	}
	domains := map[int64]URLDomain{}
	ids, names = store.NewFixtureUnique(false), store.NewFixtureUnique(false)
	for i, d := range data.URLDomains {
		rec := file.At("url_domains", i, d.ID)
		if err := cmp.Or(ids.Add(rec, "id", strconv.FormatInt(d.ID, 10)), names.Add(rec, "domain", d.Domain)); err != nil {
			return err
		}
		domains[d.ID] = d
	}
	bounces := map[string]BounceEmail{}
	ids, names = store.NewFixtureUnique(false), store.NewFixtureUnique(false)
	for i, b := range data.BounceEmails {
		rec := file.At("bounce_emails", i, b.ID)
		if err := cmp.Or(ids.Add(rec, "id", b.ID), names.Add(rec, "email", b.Email)); err != nil {
			return err
		}
		bounces[b.ID] = b
	}
	lists := map[int64]SuppressionList{}
	ids, names = store.NewFixtureUnique(false), store.NewFixtureUnique(false)
	for i, l := range data.SuppressionLists {
		rec := file.At("suppression_lists", i, l.ID)
		if err := cmp.Or(ids.Add(rec, "id", strconv.FormatInt(l.ID, 10)), names.Add(rec, "name", l.Name)); err != nil {
			return err
		}
		lists[l.ID] = l
	}
	orgs := map[int64]bool{}
	ids, names = store.NewFixtureUnique(false), store.NewFixtureUnique(true) // names are unique case-insensitively
	for i, fo := range data.Organizations {
		rec := file.At("organizations", i, fo.ID)
		if err := cmp.Or(ids.Add(rec, "id", strconv.FormatInt(fo.ID, 10)), names.Add(rec, "name", strings.TrimSpace(fo.Name))); err != nil {
			return err
		}
		orgs[fo.ID] = true
		if fo.TimeZoneName != "" {
			if _, ok := lookupZone(fo.TimeZoneName); !ok {
				return rec.Errorf("time_zone_name", "unknown time zone %q (write it as the API shows it, \"(GMT-06:00) Central Time (US & Canada)\", or bare)", fo.TimeZoneName)
			}
		}
		// The API's own checks of a name, custom headers and quotas; their
		// messages start with the attribute they are about. A quota is kept
		// as the API's check leaves it (no_limit: the mode alone).
		var p problems
		validateName(fo.Name, &p)
		if fo.CustomHeaders != nil {
			validateCustomHeaders(*fo.CustomHeaders, &p)
		}
		if fo.SendingQuota != nil {
			*fo.SendingQuota = validateSendingQuota(*fo.SendingQuota, &p)
		}
		if fo.SubscriberQuota != nil {
			*fo.SubscriberQuota = validateSubscriberQuota(*fo.SubscriberQuota, &p)
		}
		if len(p) > 0 {
			field, msg, _ := strings.Cut(p[0], " ")
			return rec.Errorf(field, "%s", msg)
		}
		if perm := fo.Permissions; perm != nil {
			if err := cmp.Or(
				checkRefs(rec, "permissions.virtual_mta", perm.VirtualMTA.Mode, perm.VirtualMTA.VirtualMTA, perm.VirtualMTA.VirtualMTAs,
					"virtual_mta", "virtual MTA", func(v VirtualMTA) (VirtualMTA, bool) { w, ok := mtas[v.ID]; return w, ok }),
				checkRefs(rec, "permissions.bounce_email", perm.BounceEmail.Mode, perm.BounceEmail.BounceEmail, perm.BounceEmail.BounceEmails,
					"bounce_email", "bounce email", func(v BounceEmail) (BounceEmail, bool) { w, ok := bounces[v.ID]; return w, ok }),
				checkRefs(rec, "permissions.url_domain", perm.URLDomain.Mode, perm.URLDomain.URLDomain, perm.URLDomain.URLDomains,
					"url_domain", "URL domain", func(v URLDomain) (URLDomain, bool) { w, ok := domains[v.ID]; return w, ok }),
			); err != nil {
				return err
			}
		}
		asm := fo.AutoSubscriberManagement
		for _, l := range []struct {
			field string
			list  *SuppressionList
		}{{"unsub_suppression_list", asm.UnsubSuppressionList}, {"bounce_suppression_list", asm.BounceSuppressionList},
			{"scomp_suppression_list", asm.ScompSuppressionList}} {
			if err := checkRef(rec, "auto_subscriber_management."+l.field, l.list, "suppression list",
				func(v SuppressionList) (SuppressionList, bool) { w, ok := lists[v.ID]; return w, ok }); err != nil {
				return err
			}
		}
		var sent int64 // cannot overflow: a file holds far fewer than 9e9 sends of at most 1e9
		for j, s := range fo.Sends {
			if (s.CampaignID == nil) == (s.AutoresponderID == nil) {
				return rec.At("sends", j, nil).Errorf("campaign_id", "a send has a campaign_id or an autoresponder_id: one of them")
			}
			sent += s.Messages
		}
		if l := fo.LifetimeMessagesSent; l != nil && *l != sent {
			return rec.Errorf("lifetime_messages_sent", "must be the sum of the organization's sends' messages, %d, not %d "+
				"(it is counted from them: leave it out)", sent, *l)
		}
	}
	if n := data.NextOrganizationID; n != 0 {
		var largest int64
		for _, fo := range data.Organizations {
			largest = max(largest, fo.ID)
		}
		if n <= largest {
			return file.Errorf("next_organization_id", "must be greater than every organization's id, so at least %d, not %d", largest+1, n)
		}
	}
	ids = store.NewFixtureUnique(false)
	for i, k := range data.APIKeys {
		rec := file.At("api_keys", i, k.ID)
		if err := ids.Add(rec, "id", strconv.FormatInt(k.ID, 10)); err != nil {
			return err
		}
		if !orgs[k.OrganizationID] {
			return rec.Errorf("organization_id", "unknown organization %d", k.OrganizationID)
		}
	}
	return nil
}

// checkRefs checks the objects a permission names: the one of hide_one, the
// list of select_some (no others), each one listed in the file as written.
func checkRefs[T comparable](rec store.FixtureRecord, field, mode string, one *T, many []T, name, label string, find func(T) (T, bool)) error {
	switch {
	case mode == "hide_one" && one == nil:
		return rec.Errorf(field+"."+name, "is required when mode is hide_one")
	case mode != "hide_one" && one != nil:
		return rec.Errorf(field+"."+name, "is only for mode hide_one")
	case mode == "select_some" && len(many) == 0:
		return rec.Errorf(field+"."+name+"s", "must name at least one %s when mode is select_some", label)
	case mode != "select_some" && len(many) > 0:
		return rec.Errorf(field+"."+name+"s", "is only for mode select_some")
	}
	if err := checkRef(rec, field+"."+name, one, label, find); err != nil {
		return err
	}
	for i := range many {
		if err := checkRef(rec, fmt.Sprintf("%s.%ss[%d]", field, name, i), &many[i], label, find); err != nil {
			return err
		}
	}
	return nil
}

// checkRef checks that the object at field (nil: none) is listed in the
// file, with the same attributes.
func checkRef[T comparable](rec store.FixtureRecord, field string, v *T, label string, find func(T) (T, bool)) error {
	if v == nil {
		return nil
	}
	listed, ok := find(*v)
	if !ok {
		return rec.Errorf(field, "unknown %s %s", label, asJSON(*v))
	}
	if listed != *v {
		return rec.Errorf(field, "%s differs from the listed %s %s", asJSON(*v), label, asJSON(listed))
	}
	return nil
}

// asJSON shows a referenced object as the file writes it.
func asJSON(v any) string {
	b, _ := json.Marshal(v) // our own plain structs
	return string(b)
}

func seed(ctx context.Context, tx *store.Tx, fixtures fs.FS) error {
	var data fixtureData
	if err := store.ReadFixture(fixtures, fixtureFile, &data); err != nil {
		return err
	}
	if err := checkFixture(&data); err != nil {
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
		o.CreditsAvailable = fo.CreditsAvailable
		if _, err := insertOrganization(ctx, tx, o, o.documents()); err != nil {
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
	if data.NextOrganizationID != 0 {
		if err := setNextOrganizationID(ctx, tx, data.NextOrganizationID); err != nil {
			return fmt.Errorf("%s: next_organization_id: %w", fixtureFile, err)
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

// setNextOrganizationID makes next the id of the next created organization:
// AUTOINCREMENT hands out one more than sqlite_sequence's seq, which the
// seed's inserts set to the largest id (and which a reset emptied).
func setNextOrganizationID(ctx context.Context, tx *store.Tx, next int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE sqlite_sequence SET seq = ? WHERE name = 'ga_organizations'`, next-1)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO sqlite_sequence (name, seq) VALUES ('ga_organizations', ?)`, next-1)
	return err
}

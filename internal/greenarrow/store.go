package greenarrow

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/emulator/vendor-emulator/internal/store"
)

const orgColumns = `id, name, active, anniversary_day, time_zone, html_header, html_footer, text_header, text_footer,
	custom_headers, permissions, auto_subscriber_management, sending_quota, subscriber_quota,
	credits_available`

// nameKey folds a name for the case-insensitive uniqueness and the name filters.
func nameKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// orgScan reads the orgColumns of organizations into one orgRow, row after
// row, with one list of destinations (a list scans many rows).
type orgScan struct {
	row  orgRow
	tz   string
	dest []any
}

func newOrgScan() *orgScan {
	s := &orgScan{}
	o := &s.row
	s.dest = []any{&o.ID, &o.Name, &o.Active, &o.AnniversaryDay, &s.tz, &o.HTMLHeader, &o.HTMLFooter, &o.TextHeader,
		&o.TextFooter, &o.CustomHeaders, &o.Permissions, &o.AutoSubscriberManagement, &o.SendingQuota,
		&o.SubscriberQuota, &o.CreditsAvailable}
	return s
}

func (s *orgScan) scan(sc scanner) error {
	if err := sc.Scan(s.dest...); err != nil {
		return err
	}
	var ok bool
	if s.row.Zone, ok = lookupZone(s.tz); !ok {
		return fmt.Errorf("organization %d: stored time zone %q is unknown", s.row.ID, s.tz)
	}
	return nil
}

// scanOrg reads the orgColumns of one organization, its documents decoded.
func scanOrg(s scanner) (*org, error) {
	sc := newOrgScan()
	if err := sc.scan(s); err != nil {
		return nil, err
	}
	r := &sc.row
	o := &org{ID: r.ID, Name: r.Name, Active: r.Active, AnniversaryDay: int(r.AnniversaryDay), Zone: r.Zone,
		HTMLHeader: r.HTMLHeader, HTMLFooter: r.HTMLFooter, TextHeader: r.TextHeader, TextFooter: r.TextFooter,
		CustomHeaders: r.CustomHeaders, CreditsAvailable: r.CreditsAvailable}
	for _, f := range []struct {
		raw string
		dst any
	}{{r.Permissions, &o.Permissions}, {r.AutoSubscriberManagement, &o.AutoSubscriberManagement},
		{r.SendingQuota, &o.SendingQuota}, {r.SubscriberQuota, &o.SubscriberQuota}} {
		if err := json.Unmarshal([]byte(f.raw), f.dst); err != nil {
			return nil, fmt.Errorf("organization %d: stored JSON: %w", o.ID, err)
		}
	}
	return o, nil
}

const selectOrg = `SELECT ` + orgColumns + ` FROM ga_organizations WHERE id = ?`

// loadOrg reads one organization; a missing one is the API's not_found.
func loadOrg(ctx context.Context, q querier, id int64) (*org, error) {
	o, err := scanOrg(q.QueryRowContext(ctx, selectOrg, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, orgNotFound(id)
	}
	return o, err
}

// loadOrgRow reads one organization as stored, to answer with it.
func loadOrgRow(ctx context.Context, q querier, id int64) (*orgRow, error) {
	sc := newOrgScan()
	err := sc.scan(q.QueryRowContext(ctx, selectOrg, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, orgNotFound(id)
	}
	return &sc.row, err
}

func orgNotFound(id any) *Error { return notFound("organization %v not found", id) }

// insertOrganization stores a new organization; ID 0 takes the next id,
// which it sets. Its lifetime_messages_sent starts at 0: its sends count
// there as they are recorded (trigger ga_sends_counted).
func insertOrganization(ctx context.Context, tx *sql.Tx, o *orgRow) error {
	var id any
	if o.ID != 0 {
		id = o.ID
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO ga_organizations (id, name, name_key, active, anniversary_day, time_zone,
		html_header, html_footer, text_header, text_footer, custom_headers, permissions, auto_subscriber_management,
		sending_quota, subscriber_quota, credits_available)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, o.Name, nameKey(o.Name), o.Active, o.AnniversaryDay, o.Zone.Name, o.HTMLHeader, o.HTMLFooter, o.TextHeader,
		o.TextFooter, o.CustomHeaders, o.Permissions, o.AutoSubscriberManagement, o.SendingQuota, o.SubscriberQuota,
		o.CreditsAvailable)
	if err != nil {
		return err
	}
	o.ID, err = res.LastInsertId()
	return err
}

// saveOrganization stores o's attributes. The counters are not written
// here: credits only ever change through single conditional UPDATEs, the
// lifetime count only through recorded sends.
func saveOrganization(ctx context.Context, tx *sql.Tx, o *orgRow) error {
	_, err := tx.ExecContext(ctx, `UPDATE ga_organizations SET name = ?, name_key = ?, active = ?, anniversary_day = ?,
		time_zone = ?, html_header = ?, html_footer = ?, text_header = ?, text_footer = ?, custom_headers = ?,
		permissions = ?, auto_subscriber_management = ?, sending_quota = ?, subscriber_quota = ? WHERE id = ?`,
		o.Name, nameKey(o.Name), o.Active, o.AnniversaryDay, o.Zone.Name, o.HTMLHeader, o.HTMLFooter, o.TextHeader,
		o.TextFooter, o.CustomHeaders, o.Permissions, o.AutoSubscriberManagement, o.SendingQuota, o.SubscriberQuota, o.ID)
	return err
}

// nameTaken reports whether another organization already has this name, case-insensitively.
func nameTaken(ctx context.Context, q querier, name string, except int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM ga_organizations WHERE name_key = ? AND id <> ?`,
		nameKey(name), except).Scan(&n)
	return n > 0, err
}

// reads is the store for reads outside a transaction: the read pool, with
// cached statements. Never use it inside a.DB.Tx: it does not see what the
// transaction has not committed.
func (a *API) reads() store.Reader { return a.DB.Reader() }

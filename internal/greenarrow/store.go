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

// scanOrg reads the orgColumns of one organization, its documents decoded,
// and then the columns of more.
func scanOrg(s scanner, more ...any) (*org, error) { return scanOrgKeeping(s, keepDocs{}, more...) }

// keepDocs are the documents a read may leave as they are stored (org.kept),
// for an update that does not change nor look at them.
type keepDocs struct{ permissions, autoSubscriberManagement bool }

func scanOrgKeeping(s scanner, keep keepDocs, more ...any) (*org, error) {
	var o org
	var tz, perms, asm, sq, subq string
	if err := s.Scan(append([]any{&o.ID, &o.Name, &o.Active, &o.AnniversaryDay, &tz, &o.HTMLHeader, &o.HTMLFooter,
		&o.TextHeader, &o.TextFooter, &o.CustomHeaders, &perms, &asm, &sq, &subq, &o.CreditsAvailable}, more...)...); err != nil {
		return nil, err
	}
	var ok bool
	if o.Zone, ok = lookupZone(tz); !ok {
		return nil, fmt.Errorf("organization %d: stored time zone %q is unknown", o.ID, tz)
	}
	if keep.permissions {
		o.kept.Permissions, perms = perms, ""
	}
	if keep.autoSubscriberManagement {
		o.kept.AutoSubscriberManagement, asm = asm, ""
	}
	for _, f := range []struct {
		raw string
		dst any
	}{{perms, &o.Permissions}, {asm, &o.AutoSubscriberManagement}, {sq, &o.SendingQuota}, {subq, &o.SubscriberQuota}} {
		if f.raw == "" {
			continue // kept
		}
		if err := json.Unmarshal([]byte(f.raw), f.dst); err != nil {
			return nil, fmt.Errorf("organization %d: stored JSON: %w", o.ID, err)
		}
	}
	return &o, nil
}

// loadOrg reads one organization; a missing one is the API's not_found.
func loadOrg(ctx context.Context, q querier, id int64) (*org, error) {
	o, err := scanOrg(q.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM ga_organizations WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, orgNotFound(id)
	}
	return o, err
}

// checkedName is a name key and whether an organization other than the one
// read has it.
type checkedName struct {
	key   string
	taken bool
}

// loadRenamedSQL reads an organization (by id, the first argument) and
// whether another one has the name key of the second.
const loadRenamedSQL = `SELECT ` + orgColumns + `,
	EXISTS (SELECT 1 FROM ga_organizations WHERE name_key = ?2 AND id <> ?1) FROM ga_organizations WHERE id = ?1`

// loadOrgRenamed is loadOrg for an update that gives the organization name
// (nil: it keeps its own), with whether another organization has that name
// already: one query, not two. An organization's own name key is never
// another's (it is UNIQUE).
// The documents in keep are left as stored.
func loadOrgRenamed(ctx context.Context, q querier, id int64, name *string, keep keepDocs) (*org, checkedName, error) {
	var key any // NULL: no name matches
	if name != nil {
		key = nameKey(*name)
	}
	var taken bool
	o, err := scanOrgKeeping(q.QueryRowContext(ctx, loadRenamedSQL, id, key), keep, &taken)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, checkedName{}, orgNotFound(id)
	}
	if err != nil {
		return nil, checkedName{}, err
	}
	if name == nil {
		return o, checkedName{key: nameKey(o.Name)}, nil
	}
	return o, checkedName{key: nameKey(*name), taken: taken}, nil
}

func orgNotFound(id any) *Error { return notFound("organization %v not found", id) }

// documents are the JSON columns of an organization, as json.Marshal writes
// them: as they are stored and as an answer shows them.
type documents struct {
	Permissions, AutoSubscriberManagement, SendingQuota, SubscriberQuota string
}

// documents are o's documents: those kept as they were read, the others encoded.
func (o *org) documents() documents {
	d := o.kept
	if d.Permissions == "" {
		d.Permissions = marshal(o.Permissions)
	}
	if d.AutoSubscriberManagement == "" {
		d.AutoSubscriberManagement = marshal(o.AutoSubscriberManagement)
	}
	d.SendingQuota, d.SubscriberQuota = marshal(o.SendingQuota), marshal(o.SubscriberQuota)
	return d
}

func marshal(v any) string {
	b, _ := json.Marshal(v) // our own types cannot fail
	return string(b)
}

// insertOrganization stores a new organization with its documents d; o.ID 0
// takes the next id. Its lifetime_messages_sent starts at 0: its sends
// count there as they are recorded (trigger ga_sends_counted).
func insertOrganization(ctx context.Context, tx *sql.Tx, o *org, d documents) error {
	var id any
	if o.ID != 0 {
		id = o.ID
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO ga_organizations (id, name, name_key, active, anniversary_day, time_zone,
		html_header, html_footer, text_header, text_footer, custom_headers, permissions, auto_subscriber_management,
		sending_quota, subscriber_quota, credits_available)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, o.Name, nameKey(o.Name), o.Active, o.AnniversaryDay, o.Zone.Name, o.HTMLHeader, o.HTMLFooter, o.TextHeader,
		o.TextFooter, o.CustomHeaders, d.Permissions, d.AutoSubscriberManagement, d.SendingQuota, d.SubscriberQuota,
		o.CreditsAvailable)
	if err != nil {
		return err
	}
	o.ID, err = res.LastInsertId()
	return err
}

// saveOrganization stores o's attributes, with its documents d. The
// counters are not written here: credits only ever change through single
// conditional UPDATEs, the lifetime count only through recorded sends.
func saveOrganization(ctx context.Context, tx *sql.Tx, o *org, d documents) error {
	_, err := tx.ExecContext(ctx, `UPDATE ga_organizations SET name = ?, name_key = ?, active = ?, anniversary_day = ?,
		time_zone = ?, html_header = ?, html_footer = ?, text_header = ?, text_footer = ?, custom_headers = ?,
		permissions = ?, auto_subscriber_management = ?, sending_quota = ?, subscriber_quota = ? WHERE id = ?`,
		o.Name, nameKey(o.Name), o.Active, o.AnniversaryDay, o.Zone.Name, o.HTMLHeader, o.HTMLFooter, o.TextHeader,
		o.TextFooter, o.CustomHeaders, d.Permissions, d.AutoSubscriberManagement, d.SendingQuota, d.SubscriberQuota, o.ID)
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

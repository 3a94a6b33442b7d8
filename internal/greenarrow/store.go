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

// targetOrgColumns are the orgColumns of an organization t that may be
// missing (LEFT JOIN: id 0).
const targetOrgColumns = `ifnull(t.id, 0), ifnull(t.name, ''), ifnull(t.active, 0), ifnull(t.anniversary_day, 0),
	ifnull(t.time_zone, ''), ifnull(t.html_header, ''), ifnull(t.html_footer, ''), ifnull(t.text_header, ''),
	ifnull(t.text_footer, ''), ifnull(t.custom_headers, ''), ifnull(t.permissions, ''),
	ifnull(t.auto_subscriber_management, ''), ifnull(t.sending_quota, ''), ifnull(t.subscriber_quota, ''),
	ifnull(t.credits_available, 0)`

// nameKey folds a name for the case-insensitive uniqueness and the name filters.
func nameKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// storedOrg receives the orgColumns of one organization, its time zone and
// its documents as stored.
type storedOrg struct {
	o    org
	tz   string
	docs documents
}

func (s *storedOrg) dest() []any {
	o, d := &s.o, &s.docs
	return []any{&o.ID, &o.Name, &o.Active, &o.AnniversaryDay, &s.tz, &o.HTMLHeader, &o.HTMLFooter, &o.TextHeader,
		&o.TextFooter, &o.CustomHeaders, &d.Permissions, &d.AutoSubscriberManagement, &d.SendingQuota,
		&d.SubscriberQuota, &o.CreditsAvailable}
}

// docSet names some of an organization's documents.
type docSet struct{ permissions, autoSubscriberManagement, sendingQuota, subscriberQuota bool }

// decode is the organization read, with the documents in need decoded (the
// others' members are zero); those in keep are written back as stored
// (org.kept), not encoded again.
func (s *storedOrg) decode(need, keep docSet) (*org, error) {
	o := s.o
	var ok bool
	if o.Zone, ok = lookupZone(s.tz); !ok {
		return nil, fmt.Errorf("organization %d: stored time zone %q is unknown", o.ID, s.tz)
	}
	for _, f := range []struct {
		need, keep bool
		raw        string
		dst        any
		kept       *string
	}{{need.permissions, keep.permissions, s.docs.Permissions, &o.Permissions, &o.kept.Permissions},
		{need.autoSubscriberManagement, keep.autoSubscriberManagement, s.docs.AutoSubscriberManagement,
			&o.AutoSubscriberManagement, &o.kept.AutoSubscriberManagement},
		{need.sendingQuota, keep.sendingQuota, s.docs.SendingQuota, &o.SendingQuota, &o.kept.SendingQuota},
		{need.subscriberQuota, keep.subscriberQuota, s.docs.SubscriberQuota, &o.SubscriberQuota, &o.kept.SubscriberQuota}} {
		if f.keep {
			*f.kept = f.raw
		}
		if !f.need {
			continue
		}
		if err := json.Unmarshal([]byte(f.raw), f.dst); err != nil {
			return nil, fmt.Errorf("organization %d: stored JSON: %w", o.ID, err)
		}
	}
	return &o, nil
}

// scanOrg reads the orgColumns of one organization, its documents decoded.
func scanOrg(sc scanner) (*org, error) {
	var s storedOrg
	if err := sc.Scan(s.dest()...); err != nil {
		return nil, err
	}
	return s.decode(docSet{true, true, true, true}, docSet{})
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
	if d.SendingQuota == "" {
		d.SendingQuota = marshal(o.SendingQuota)
	}
	if d.SubscriberQuota == "" {
		d.SubscriberQuota = marshal(o.SubscriberQuota)
	}
	return d
}

func marshal(v any) string {
	b, _ := json.Marshal(v) // our own types cannot fail
	return string(b)
}

// insertOrganization stores a new organization, o.ID (its answers show it:
// a create finds the id first, createOrgSQL), with its documents d and its
// kept answers, which it returns (a create answers with them). Its
// lifetime_messages_sent starts at 0: its sends count there as they are
// recorded (trigger ga_sends_counted).
func insertOrganization(ctx context.Context, tx *store.Tx, o *org, d documents) (keptAnswers, error) {
	k := o.keptAnswers(d)
	_, err := tx.ExecContext(ctx, `INSERT INTO ga_organizations (id, name, name_key, active, anniversary_day, time_zone,
		html_header, html_footer, text_header, text_footer, custom_headers, permissions, auto_subscriber_management,
		sending_quota, subscriber_quota, credits_available, json_system, json_org)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.ID, o.Name, nameKey(o.Name), o.Active, o.AnniversaryDay, o.Zone.Name, o.HTMLHeader, o.HTMLFooter, o.TextHeader,
		o.TextFooter, o.CustomHeaders, d.Permissions, d.AutoSubscriberManagement, d.SendingQuota, d.SubscriberQuota,
		o.CreditsAvailable, k.system, k.org)
	return k, err
}

// saveOrganization stores what of o's attributes, with its documents d,
// differs from was, the organization as the same transaction read it, and
// then its kept answers k, which show them (a row without kept answers gets
// them with its first change). The rest is left alone: SQLite binds and
// writes every column an UPDATE sets, and rewrites name_key's index entry
// even when its value stays (measured: changing a footer alone takes half
// the time of writing every column). So the statement has one text per set
// of changed columns; the store keeps the prepared ones by text
// (internal/store/conn.go). The counters are not written here: credits only
// ever change through single conditional UPDATEs, the lifetime count only
// through recorded sends.
func saveOrganization(ctx context.Context, tx *store.Tx, o *org, d documents, k keptAnswers, was *storedOrg) error {
	var u columnUpdate
	setChanged(&u, "name", was.o.Name, o.Name)
	setChanged(&u, "name_key", nameKey(was.o.Name), nameKey(o.Name))
	setChanged(&u, "active", was.o.Active, o.Active)
	setChanged(&u, "anniversary_day", was.o.AnniversaryDay, o.AnniversaryDay)
	setChanged(&u, "time_zone", was.tz, o.Zone.Name)
	setChanged(&u, "html_header", was.o.HTMLHeader, o.HTMLHeader)
	setChanged(&u, "html_footer", was.o.HTMLFooter, o.HTMLFooter)
	setChanged(&u, "text_header", was.o.TextHeader, o.TextHeader)
	setChanged(&u, "text_footer", was.o.TextFooter, o.TextFooter)
	setChanged(&u, "custom_headers", was.o.CustomHeaders, o.CustomHeaders)
	setChanged(&u, "permissions", was.docs.Permissions, d.Permissions)
	setChanged(&u, "auto_subscriber_management", was.docs.AutoSubscriberManagement, d.AutoSubscriberManagement)
	setChanged(&u, "sending_quota", was.docs.SendingQuota, d.SendingQuota)
	setChanged(&u, "subscriber_quota", was.docs.SubscriberQuota, d.SubscriberQuota)
	if len(u.args) == 0 {
		return nil
	}
	// Not read to compare: most changes change both, and reading them
	// cost a PUT more than writing them.
	u.set.WriteString(", json_system = ?, json_org = ?")
	u.args = append(u.args, k.system, k.org)
	_, err := tx.ExecContext(ctx, `UPDATE ga_organizations SET `+u.set.String()+` WHERE id = ?`, append(u.args, o.ID)...)
	return err
}

// columnUpdate is the SET list of an UPDATE and its arguments.
type columnUpdate struct {
	set  strings.Builder
	args []any
}

// setChanged adds column = now to u when now differs from was.
func setChanged[T comparable](u *columnUpdate, column string, was, now T) {
	if was == now {
		return
	}
	if len(u.args) > 0 {
		u.set.WriteString(", ")
	}
	u.set.WriteString(column)
	u.set.WriteString(" = ?")
	u.args = append(u.args, now)
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

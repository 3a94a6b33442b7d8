package greenarrow

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/emulator/vendor-emulator/internal/store"
)

// State is the vendor's current state in its fixture format: a store seeded
// from it (marshalled as JSON) answers as this one does.
//
// Every table is written but two. ga_counts is derived: the seed's inserts
// rebuild it through its triggers (as they count each organization's
// lifetime_messages_sent from its sends, which is not written either).
// ga_delete_codes is left out on purpose: a delete confirmation code lives
// two minutes and confirms one deletion, a step in flight rather than state
// a seed file should carry (the file has no place for it either); a copy
// answers a code issued before as it answers any unknown code. The sends'
// own ids are not written: no answer shows them, and their order, which the
// reports follow, is kept.
func (a *API) State(ctx context.Context) (any, error) {
	var data *fixtureData
	err := a.DB.ReadCopy(ctx, func(tx *store.Tx) error {
		var err error
		data, err = readState(ctx, tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("greenarrow: state: %w", err)
	}
	return data, nil
}

// readState reads every record in the order the fixture file lists them:
// the objects and organizations by id, each organization with its sends in
// the order they were sent (which its reports follow).
func readState(ctx context.Context, tx *store.Tx) (*fixtureData, error) {
	data := &fixtureData{}
	var err error
	if data.VirtualMTAs, err = readAll(ctx, tx, `SELECT id, name, type FROM ga_virtual_mtas ORDER BY id`,
		func(s scanner, v *VirtualMTA) error { return s.Scan(&v.ID, &v.Name, &v.Type) }); err != nil {
		return nil, err
	}
	if data.URLDomains, err = readAll(ctx, tx, `SELECT id, domain FROM ga_url_domains ORDER BY id`,
		func(s scanner, v *URLDomain) error { return s.Scan(&v.ID, &v.Domain) }); err != nil {
		return nil, err
	}
	if data.BounceEmails, err = readAll(ctx, tx, `SELECT id, email FROM ga_bounce_emails ORDER BY id`,
		func(s scanner, v *BounceEmail) error { return s.Scan(&v.ID, &v.Email) }); err != nil {
		return nil, err
	}
	if data.SuppressionLists, err = readAll(ctx, tx, `SELECT id, name FROM ga_suppression_lists ORDER BY id`,
		func(s scanner, v *SuppressionList) error { return s.Scan(&v.ID, &v.Name) }); err != nil {
		return nil, err
	}
	if data.APIKeys, err = readAll(ctx, tx, `SELECT id, name, secret, role, organization_id, active FROM ga_api_keys ORDER BY id`,
		func(s scanner, k *fixtureAPIKey) error {
			return s.Scan(&k.ID, &k.Name, &k.Secret, &k.Role, &k.OrganizationID, &k.Active)
		}); err != nil {
		return nil, err
	}
	orgs, err := readAll(ctx, tx, `SELECT `+orgColumns+` FROM ga_organizations ORDER BY id`,
		func(s scanner, o **org) (err error) { *o, err = scanOrg(s); return err })
	if err != nil {
		return nil, err
	}
	data.Organizations = make([]fixtureOrganization, len(orgs))
	at := make(map[int64]int, len(orgs))
	for i, o := range orgs {
		data.Organizations[i] = fixtureOrganization{Organization: o.view(true), CreditsAvailable: o.CreditsAvailable,
			Sends: []fixtureSend{}}
		at[o.ID] = i
	}
	if err := readSends(ctx, tx, orgs, at, data.Organizations); err != nil {
		return nil, err
	}
	if data.NextOrganizationID, err = nextOrganizationID(ctx, tx, orgs); err != nil {
		return nil, err
	}
	return data, nil
}

// readSends adds each organization's sends, written in its own time zone as
// the embedded file writes them (the instant is what counts).
func readSends(ctx context.Context, tx *store.Tx, orgs []*org, at map[int64]int, out []fixtureOrganization) error {
	type row struct {
		orgID  int64
		sentAt int64
		send   fixtureSend
	}
	rows, err := readAll(ctx, tx, `SELECT organization_id, sent_at, campaign_id, campaign_name, autoresponder_id,
		autoresponder_name, messages FROM ga_sends ORDER BY id`, func(s scanner, r *row) error {
		return s.Scan(&r.orgID, &r.sentAt, &r.send.CampaignID, &r.send.CampaignName, &r.send.AutoresponderID,
			&r.send.AutoresponderName, &r.send.Messages)
	})
	if err != nil {
		return err
	}
	for _, r := range rows {
		i, ok := at[r.orgID]
		if !ok { // the foreign key forbids it
			return fmt.Errorf("a send of organization %d, which does not exist", r.orgID)
		}
		r.send.SentAt = time.Unix(r.sentAt, 0).In(orgs[i].Zone.Loc)
		out[i].Sends = append(out[i].Sends, r.send)
	}
	return nil
}

// nextOrganizationID is the id the next created organization takes, when it
// is not the default one more than the largest.
func nextOrganizationID(ctx context.Context, tx *store.Tx, orgs []*org) (int64, error) {
	var seq int64
	err := tx.QueryRowContext(ctx, `SELECT seq FROM sqlite_sequence WHERE name = 'ga_organizations'`).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var largest int64
	for _, o := range orgs {
		largest = max(largest, o.ID)
	}
	if seq <= largest {
		return 0, nil
	}
	return seq + 1, nil
}

// readAll scans every row of query into a list, never nil: the file writes
// an empty list as [].
func readAll[T any](ctx context.Context, tx *store.Tx, query string, scan func(scanner, *T) error) ([]T, error) {
	out := []T{}
	err := store.EachRow(ctx, tx, query, nil, func(rows *store.Rows) error {
		var v T
		if err := scan(rows, &v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

package loop

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/emulator/vendor-emulator/internal/store"
)

// State is the vendor's current state in its fixture format: a store seeded
// from it (marshalled as JSON) answers as this one does.
//
// Everything the API changes is there: organizations, senders (with the plan
// they were ordered on and a test order's pending activation), pools and
// their senders, each account's last order (the 30-second rule). The row
// counts of lm_counts are left out: the triggers rebuild them as the seed
// inserts the rows. Nothing of LoopMessage is transient: its keys are the
// organizations' own.
func (a *API) State(ctx context.Context) (any, error) {
	data := &fixtureData{Plans: []fixturePlan{}, Accounts: []fixtureAccount{}}
	err := a.DB.ReadCopy(ctx, func(tx *store.Tx) error {
		if err := statePlans(ctx, tx, data); err != nil {
			return err
		}
		return stateAccounts(ctx, tx, data)
	})
	if err != nil {
		return nil, fmt.Errorf("loopmessage: state: %w", err)
	}
	return data, nil
}

// statePlans reads the plans in their order (sender/plans/ lists them so).
func statePlans(ctx context.Context, tx *store.Tx, data *fixtureData) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, name, daily_contacts, monthly_contacts, monthly_fee_cents, currency
		FROM lm_plans ORDER BY seq`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p fixturePlan
		var cents int64
		if err := rows.Scan(&p.ID, &p.Name, &p.DailyContacts, &p.MonthlyContacts, &cents, &p.Currency); err != nil {
			return err
		}
		p.MonthlyFee = json.Number(fmt.Sprintf("%d.%02d", cents/100, cents%100)) // as the fixture writes fees
		data.Plans = append(data.Plans, p)
	}
	return rows.Err()
}

// stateSender is a sender with what places it: its organization and its
// account-wide creation order (seq).
type stateSender struct {
	fixtureSender
	account, org string
	seq          int64
}

// stateAccounts reads the accounts (in the order they were seeded: the API
// creates none), their organizations Default first then in creation order,
// each organization's senders in list order, and the account's pools in
// creation order.
func stateAccounts(ctx context.Context, tx *store.Tx, data *fixtureData) error {
	at := map[string]int{} // account id → index in data.Accounts
	if err := store.EachRow(ctx, tx, `SELECT id, name, COALESCE(last_order_at, '') FROM lm_accounts ORDER BY rowid`,
		nil, func(rows *store.Rows) error {
			var acc fixtureAccount
			if err := rows.Scan(&acc.ID, &acc.Name, &acc.LastOrderAt); err != nil {
				return err
			}
			at[acc.ID] = len(data.Accounts)
			acc.Organizations = []fixtureOrg{}
			data.Accounts = append(data.Accounts, acc)
			return nil
		}); err != nil {
		return err
	}
	type orgAt struct{ account, index int }
	orgs := map[string]orgAt{}
	// Organizations never change account, and status is always "active" (no route sets another).
	if err := store.EachRow(ctx, tx, `SELECT account_id, id, name, api_key, website, support_url, country, webhook_url,
		webhook_header, create_date FROM lm_organizations ORDER BY account_id, is_default DESC, seq`,
		nil, func(rows *store.Rows) error {
			var o fixtureOrg
			var account string
			var hookURL, hookHeader sql.NullString
			if err := rows.Scan(&account, &o.ID, &o.Name, &o.APIKey, &o.Website, &o.SupportURL, &o.Country,
				&hookURL, &hookHeader, &o.CreateDate); err != nil {
				return err
			}
			if hookURL.Valid {
				o.WebhookURL = &hookURL.String
			}
			if hookHeader.Valid {
				o.WebhookHeader = &hookHeader.String
			}
			o.Senders = []fixtureSender{}
			i := at[account]
			orgs[o.ID] = orgAt{i, len(data.Accounts[i].Organizations)}
			data.Accounts[i].Organizations = append(data.Accounts[i].Organizations, o)
			return nil
		}); err != nil {
		return err
	}
	// Senders in list order (create_date, then creation order), as each organization lists them.
	var senders []stateSender
	if err := store.EachRow(ctx, tx, `SELECT account_id, organization_id, seq, id, name, status, create_date,
		COALESCE(plan_id, ''), COALESCE(activate_at, '') FROM lm_senders ORDER BY create_date, seq`,
		nil, func(rows *store.Rows) error {
			var s stateSender
			if err := rows.Scan(&s.account, &s.org, &s.seq, &s.ID, &s.Name, &s.Status, &s.CreateDate, &s.PlanID,
				&s.ActivateAt); err != nil {
				return err
			}
			senders = append(senders, s)
			return nil
		}); err != nil {
		return err
	}
	for i := range data.Accounts {
		placeSenders(&data.Accounts[i], senders, func(id string) int { return orgs[id].index })
	}
	poolAt := map[string][2]int{} // pool id → account index, pool index
	if err := store.EachRow(ctx, tx, `SELECT account_id, id, organization_id, name, create_date FROM lm_pools
		ORDER BY account_id, seq`, nil, func(rows *store.Rows) error {
		var p fixturePool
		var account string
		if err := rows.Scan(&account, &p.ID, &p.OrganizationID, &p.Name, &p.CreateDate); err != nil {
			return err
		}
		i := at[account]
		poolAt[p.ID] = [2]int{i, len(data.Accounts[i].Pools)}
		data.Accounts[i].Pools = append(data.Accounts[i].Pools, p)
		return nil
	}); err != nil {
		return err
	}
	// A pool's senders in the order they were set (nothing lists them; the order only keeps exports stable).
	return store.EachRow(ctx, tx, `SELECT pool_id, sender_id FROM lm_pool_senders ORDER BY rowid`, nil,
		func(rows *store.Rows) error {
			var poolID, senderID string
			if err := rows.Scan(&poolID, &senderID); err != nil {
				return err
			}
			p := &data.Accounts[poolAt[poolID][0]].Pools[poolAt[poolID][1]]
			p.Senders = append(p.Senders, senderID)
			return nil
		})
}

// placeSenders puts the account's senders (all is every sender, in list
// order) in its organizations (orgIndex: an organization's place in it). A
// seed creates senders in file order, organization by organization; when
// that would list two senders of the same second in another order than this
// store does (a sender moved to another organization after a bulk order),
// every sender of the account gets its seq, its place in the account's
// creation order, which the seed follows instead.
func placeSenders(acc *fixtureAccount, all []stateSender, orgIndex func(orgID string) int) {
	var mine []stateSender
	for _, s := range all {
		if s.account == acc.ID {
			mine = append(mine, s)
		}
	}
	type filePos struct{ org, index int }
	pos := make([]filePos, len(mine))
	for i, s := range mine {
		o := &acc.Organizations[orgIndex(s.org)]
		pos[i] = filePos{orgIndex(s.org), len(o.Senders)}
		o.Senders = append(o.Senders, s.fixtureSender)
	}
	fileOrderHolds := true
	for i := 1; i < len(mine); i++ {
		if mine[i].CreateDate == mine[i-1].CreateDate &&
			(pos[i].org < pos[i-1].org || (pos[i].org == pos[i-1].org && pos[i].index < pos[i-1].index)) {
			fileOrderHolds = false
			break
		}
	}
	if fileOrderHolds {
		return
	}
	bySeq := slices.Clone(mine)
	slices.SortFunc(bySeq, func(x, y stateSender) int { return cmp.Compare(x.seq, y.seq) })
	rank := make(map[string]int, len(bySeq))
	for i, s := range bySeq {
		rank[s.ID] = i + 1
	}
	for i, s := range mine {
		acc.Organizations[pos[i].org].Senders[pos[i].index].Seq = rank[s.ID]
	}
}

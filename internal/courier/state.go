package courier

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/store"
)

// State is the vendor's current state in its fixture format: a store seeded
// from it (marshalled as JSON) answers as this one does.
//
// Every table courier writes is either exported or rebuilt by seeding:
// the tables of resources (cr_resources, cr_messaging_messages,
// cr_messaging_channels: with every attribute as stored, the type's empty
// values included, hidden "_" state included; a channel's counts and a
// message's count of attachments are columns the triggers keep, left out),
// cr_links (memberships, and the subscriber and read links), cr_tokens
// (tokens); cr_counts, cr_channel_authors, cr_read_marks, cr_group_members,
// cr_notification_counts, cr_notification_days, cr_notification_minutes and
// cr_individual_org_notifications are counts and indexes the triggers keep
// from those, cr_channel_catchup is empty outside a write transaction
// (migration 114), and the text column of the resources is computed by
// Insert. Tokens are all exported: courier issues none at run time, so every
// token is one a fixture file gave.
//
// The order is the default file's: resources by type (fileTypeOrder), then
// by id; tokens by token; memberships by user, then organization; links
// subscribers first, then read marks, each by channel, then individual. Each
// table is read in one statement, so an export of tens of thousands of
// records is one pass over each (BenchmarkState).
func (a *API) State(ctx context.Context) (any, error) {
	data := &fixtureData{
		Tokens:      []fixtureToken{},
		Memberships: []fixtureMembership{},
		Links:       []fixtureLink{},
		Resources:   []fixtureResource{},
	}
	err := a.DB.ReadCopy(ctx, func(tx *store.Tx) error {
		if err := stateTokens(ctx, tx, data); err != nil {
			return err
		}
		if err := stateLinks(ctx, tx, data); err != nil {
			return err
		}
		return stateResources(ctx, tx, a.engine, data)
	})
	if err != nil {
		return nil, fmt.Errorf("courier: state: %w", err)
	}
	return data, nil
}

func stateTokens(ctx context.Context, tx *store.Tx, data *fixtureData) error {
	return store.EachRow(ctx, tx, `SELECT token, user_id FROM cr_tokens ORDER BY token`, nil, func(rows *store.Rows) error {
		var tk fixtureToken
		if err := rows.Scan(&tk.Token, &tk.UserID); err != nil {
			return err
		}
		data.Tokens = append(data.Tokens, tk)
		return nil
	})
}

// stateLinks reads cr_links in its key order (rel, from, to) and deals the
// rows out by rel. A membership has no time nor attributes (seeding gives it
// none), so only its ends are kept. A rel the format cannot hold is an
// error, not a silent loss.
func stateLinks(ctx context.Context, tx *store.Tx, data *fixtureData) error {
	byRel := map[string][]fixtureLink{}
	err := store.EachRow(ctx, tx, `SELECT rel, from_id, to_id, created_at, attrs FROM cr_links ORDER BY rel, from_id, to_id`, nil, func(rows *store.Rows) error {
		var l fixtureLink
		var attrs string
		if err := rows.Scan(&l.Rel, &l.From, &l.To, &l.CreatedAt, &attrs); err != nil {
			return err
		}
		switch l.Rel {
		case relMember:
			data.Memberships = append(data.Memberships, fixtureMembership{UserID: l.From, OrgID: l.To})
		case relSubscriber, relRead:
			l.Attributes = json.RawMessage(attrs)
			byRel[l.Rel] = append(byRel[l.Rel], l)
		default:
			return fmt.Errorf("link %s %s→%s: the fixture format has no rel %q", l.Rel, l.From, l.To, l.Rel)
		}
		return nil
	})
	if err != nil {
		return err
	}
	data.Links = append(append(data.Links, byRel[relSubscriber]...), byRel[relRead]...)
	return nil
}

// fileTypeOrder is the order of the types in the default courier.json,
// which State writes too, so that the default state exports as that file.
func fileTypeOrder() []string {
	return []string{"organizations", "users", "individuals", "individual-groups",
		"messaging-channels", "messaging-messages", "messaging-attachments", "messaging-bookmarks",
		"messaging-bulk-messages", "messaging-bulk-attachments", "messaging-operations", "messaging-plugins",
		"messaging-responders", "multicasts", "org-preferences", "announcers", "app-credentials", "badge-counts",
		"user-notifications", "text-accounts", "text-account-numbers", "text-number-info", "text-number-logs",
		"text-receive-logs", "text-user-number-maps", "texts", "voice-settings", "voice-queue-agents",
		"voice-queue-entries", "voice-recordings", "voice-conferences", "voice-dial-logs", "voice-surveys",
		"voice-tasks", "video-channels", "video-participants", "video-compositions", "ask-subscriptions",
		"ask-reminders", "user-consents", "user-devices", "user-device-logs", "user-emails",
		"user-email-attachments", "user-multicasts", "replicators", "sniffers", "sniffer-logs"}
}

// stateResources reads every table of resources in key order (type, id) and orders
// the types as the default file does; the types it lacks follow in the
// order of the resource table, and any other by name.
func stateResources(ctx context.Context, tx *store.Tx, e *jsonapi.Engine, data *fixtureData) error {
	rank := map[string]int{}
	for _, typ := range fileTypeOrder() {
		rank[typ] = len(rank)
	}
	for _, r := range resources() {
		if _, ok := rank[r.Type]; !ok {
			rank[r.Type] = len(rank)
		}
	}
	var types []string
	byType := map[string][]fixtureResource{}
	all, _ := e.AcrossTables(func(t string) string { return `SELECT ` + e.StoredColumns(t) + ` FROM ` + t })
	err := store.EachRow(ctx, tx, all+` ORDER BY type, id`, nil, func(rows *store.Rows) error {
		var r fixtureResource
		var attrs string
		if err := rows.Scan(&r.Type, &r.ID, &r.OrgID, &r.ParentID, &r.CreatedAt, &attrs); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(attrs), &r.Attributes); err != nil {
			return fmt.Errorf("%s %s: stored attributes: %w", r.Type, r.ID, err)
		}
		if r.Attributes == nil {
			r.Attributes = map[string]json.RawMessage{}
		}
		if byType[r.Type] == nil {
			types = append(types, r.Type)
		}
		byType[r.Type] = append(byType[r.Type], r)
		return nil
	})
	if err != nil {
		return err
	}
	// types is sorted by name (the key order): a stable sort by rank keeps
	// that order among the types the table does not name.
	sort.SliceStable(types, func(i, j int) bool {
		ri, oki := rank[types[i]]
		rj, okj := rank[types[j]]
		if oki != okj {
			return oki
		}
		return oki && ri < rj
	})
	for _, typ := range types {
		data.Resources = append(data.Resources, byType[typ]...)
	}
	return nil
}

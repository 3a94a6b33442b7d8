package courier

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/courier/catalog"
	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// The query plans of courier's reads: every statement must seek. A plan
// fails when it
//   - scans a table (SCAN cr_resources, SCAN cr_links, ... even through an
//     index: that reads all of it);
//   - reads a whole type (a SEARCH whose only constraint is type=?);
//   - sorts what it read (USE TEMP B-TREE FOR ORDER BY, GROUP BY, DISTINCT):
//     the first page would cost every matching row;
//   - for a list parameter that filters, reads through the same ranges as
//     the list without it: the filter only skips rows of a range that grows.
// Set PLAN_DUMP=1 to print every statement and its plan.

// Fixture ids the plan checks send as parameter values.
const (
	planAdmin      = "20000000-0000-4000-8000-000000000001"
	planOrg1User   = "20000000-0000-4000-8000-000000000002"
	planOrg1       = "10000000-0000-4000-8000-000000000001"
	planOrg2       = "10000000-0000-4000-8000-000000000002"
	planAlice      = "30000000-0000-4000-8000-000000000001"
	planOlivia     = "30000000-0000-4000-8000-000000000002"
	planChanDirect = "50000000-0000-4000-8000-000000000002"
	planMsg4       = "60000000-0000-4000-8000-000000000004"
	planGroup1     = "40000000-0000-4000-8000-000000000001"
)

// planAllowance lets a list parameter break a rule, for a reason.
type planAllowance struct {
	unindexed bool // its condition reaches no index
	sorted    bool // the plan sorts what it read
	wholeType bool // the plan reads a whole type (in order)
	why       string
}

// and is what either allowance allows.
func (a planAllowance) and(b planAllowance) planAllowance {
	return planAllowance{unindexed: a.unindexed || b.unindexed, sorted: a.sorted || b.sorted,
		wholeType: a.wholeType || b.wholeType, why: a.why + b.why}
}

// planAllowed are the list parameters that need no index of their own, or
// whose condition no index can serve, and why the list does not grow with
// the data for it; keyed "op param", "* param" for every list, or "op" for
// every query of a list. A parameter that changes nothing in the SQL (a
// rendering flag, paging, the acting individual) needs no entry.
func planAllowed() map[string]planAllowance {
	notFilter := planAllowance{unindexed: true,
		why: "not a filter: it widens the list (drops a default condition) or narrows its scope, read through the same index"}
	ownDevices := planAllowance{unindexed: true,
		why: "within the caller's own devices (the scope), which do not grow with the data"}
	// A range on an attribute the list is not ordered by cannot be both
	// sought and read in order: the planner either reads the scope in order
	// keeping what is in range, or reads the range and sorts it. Its total
	// counts the range through the attribute's index where there is one.
	// Not flat: reported as such.
	notOrdered := planAllowance{unindexed: true, sorted: true,
		why: "a time range on an attribute the list is not ordered by"}
	participant := planAllowance{sorted: true,
		why: "the channels an individual participates in are found by id (subscriptions, group memberships) and sorted: " +
			"that costs what the individual's channels are, not what the organization's are"}
	return map[string]planAllowance{
		"* organization-id":         notFilter,
		"* include[archived]":       notFilter,
		"* include[inactive]":       notFilter,
		"* include-posted":          notFilter,
		"* filter[include-pending]": notFilter,
		"user-devices.list all-users": {unindexed: true, sorted: true, wholeType: true,
			why: "the devices of the caller's organizations, a scope the resource writes itself (org_id IN ...): " +
				"read in time order, keeping those of the caller's organizations"},
		"* filter[text]": {unindexed: true, why: "a substring search (LIKE '%x%'): no B-tree index seeks it; it is read " +
			"within the list's organization or parent range, in order, until the page is full"},
		"user-devices.list filter[app-name]":        ownDevices,
		"user-devices.list filter[app-version]":     ownDevices,
		"user-devices.list filter[individual-id]":   ownDevices,
		"user-devices.list filter[model]":           ownDevices,
		"user-devices.list filter[type]":            ownDevices,
		"* filter[cmp-last-modified-time]":          notOrdered,
		"* filter[cmp-posted-time]":                 notOrdered,
		"* filter[cmp-start-at]":                    notOrdered,
		"* filter[cmp-end-at]":                      notOrdered,
		"messaging-channels.list individual-id":     participant,
		"messaging-channels.list participant-id":    participant,
		"communication-messages.list individual-id": participant,
		"video-channels.list": {sorted: true, why: "the video channels an individual (a required parameter) takes part " +
			"in are found by id from the individual's participations and sorted"},
		"messaging-messages.list acknowledged": {sorted: true,
			why: "a small set (its size is counted) is read by id and sorted; a large one is read walking the channel in order"},
	}
}

// planFixed are the lists of types no operation creates: the fixtures'
// records only, which do not grow.
func planFixed() map[string]bool {
	return map[string]bool{"organizations.list": true, "users.list": true, "replicators.list": true}
}

// planValue is a valid value of a documented list parameter.
func planValue(p jsonapi.Param) string {
	byName := map[string]string{
		"channel-id": planChanDirect, "filter[channel-id]": planChanDirect, "message-id": planMsg4,
		"account-id": "80000000-0000-4000-8000-000000000001", "number-id": "81000000-0000-4000-8000-000000000001",
		"filter[number-id]": "81000000-0000-4000-8000-000000000001", "setting-id": "86000000-0000-4000-8000-000000000001",
		"filter[setting-id]": "86000000-0000-4000-8000-000000000001", "video-channel-id": "94000000-0000-4000-8000-000000000001",
		"email-id": "a2000000-0000-4000-8000-000000000001", "bulk-message-id": "63000000-0000-4000-8000-000000000001",
		"organization-id": planOrg1, "filter[organization-id]": planOrg1, "user-id": planAdmin, "filter[user-id]": planAdmin,
		"filter[created-by]": planAdmin, "filter[conference-id]": "90000000-0000-4000-8000-000000000001",
		"filter[individual-group-id]": "40000000-0000-4000-8000-000000000001", "individual-group-id": "40000000-0000-4000-8000-000000000001",
		"filter[skill-id]": "98000000-0000-4000-8000-000000000001", "number": "+14155550100",
		"phone-number": "+14155551000", "filter[phone-number]": "+14155551000", "filter[target]": "+14155550123",
		"filter[email]": "admin@example.com", "page[limit]": "10", "page[offset]": "0",
	}
	if v, ok := byName[p.Name]; ok {
		return v
	}
	switch {
	case strings.HasPrefix(p.Name, "filter[cmp-"):
		return ">2026-01-01T00:00:00Z"
	case len(p.Enum) > 0:
		return p.Enum[0]
	case len(p.ItemEnum) > 0:
		return p.ItemEnum[0]
	case p.Kind == "boolean":
		return "true"
	case p.Kind == "integer":
		return "1"
	case p.Format == "uuid":
		return planAlice
	}
	return strings.Repeat("x", max(p.MinLength, 1))
}

// planVariants are the queries a list is checked with: its required
// parameters alone, then with each other documented parameter (booleans
// both ways, every sort key).
func planVariants(op jsonapi.Operation) (base string, variants [][2]string) {
	var required []string
	for _, p := range op.Query {
		if p.Required {
			required = append(required, p.Name+"="+url.QueryEscape(planValue(p)))
		}
	}
	for _, p := range op.Query {
		if p.Required {
			continue
		}
		values := []string{planValue(p)}
		switch {
		case p.Name == "sort":
			values = p.ItemEnum
		case p.Kind == "boolean":
			values = []string{"true", "false"}
		}
		for _, v := range values {
			variants = append(variants, [2]string{p.Name, strings.Join(append(slices.Clone(required), p.Name+"="+url.QueryEscape(v)), "&")})
		}
	}
	return strings.Join(required, "&"), variants
}

// TestListQueryPlans checks the query plans of every stored list of the
// catalog, alone and with each documented parameter, for a caller of one
// organization and one of two.
func TestListQueryPlans(t *testing.T) {
	t.Parallel()
	env := emutest.New(t, []store.Schema{Schema()}, func(d server.Deps) []server.Vendor { return []server.Vendor{New(d)} })
	e := newEngine(env.Deps)
	allowed, fixed := planAllowed(), planFixed()
	callers := []struct {
		name, user, individual string
		orgs                   []string
	}{
		{"admin", planAdmin, planAlice, []string{planOrg1, planOrg2}},
		{"org1", planOrg1User, planOlivia, []string{planOrg1}},
	}
	lists := 0
	for _, op := range catalog.Operations() {
		if op.Response != "jsonapi list" || op.Method != "GET" {
			continue
		}
		if fixed[op.ID] {
			continue
		}
		base, variants := planVariants(op)
		for _, cl := range callers {
			plan := func(query string) (page, total planned, err error) {
				r := httptest.NewRequest("GET", op.Path+"?"+query, nil)
				ctx := jsonapi.WithCaller(r.Context(), &jsonapi.Caller{UserID: cl.user, Orgs: cl.orgs})
				r = r.WithContext(context.WithValue(ctx, sessionKey{}, &session{individual: cl.individual}))
				err = env.Deps.DB.Tx(context.Background(), func(tx *store.Tx) error {
					p, tot, err := e.ListSQL(r.Context(), tx, r, op.ID)
					if err != nil {
						return err
					}
					if page, err = explain(tx, p); err != nil {
						return err
					}
					total, err = explain(tx, tot)
					return err
				})
				return page, total, err
			}
			basePage, baseTotal, err := plan(base)
			if err != nil && strings.Contains(err.Error(), "is not a stored list") {
				break // a computed list (Lister) or an action: checked by TestComputedQueryPlans
			}
			require.NoError(t, err, "%s %s?%s", cl.name, op.ID, base)
			lists++
			name := cl.name + " " + op.ID + "?" + base
			checkPlan(t, name+" (page)", basePage, allowed[op.ID])
			checkPlan(t, name+" (total)", baseTotal, allowed[op.ID])
			for _, v := range variants {
				page, total, err := plan(v[1])
				require.NoError(t, err, "%s %s?%s", cl.name, op.ID, v[1])
				allow := allowed["* "+v[0]]
				if a, ok := allowed[op.ID+" "+v[0]]; ok {
					allow = a
				}
				allow = allow.and(allowed[op.ID])
				name := cl.name + " " + op.ID + "?" + v[1]
				checkPlan(t, name+" (page)", page, allow)
				checkPlan(t, name+" (total)", total, allow)
				if page.sql == basePage.sql && total.sql == baseTotal.sql || allow.unindexed || v[0] == "sort" {
					continue // not a filter (a rendering flag, paging, the acting individual), or allowed
				}
				if r := page.reads(); slices.ContainsFunc(basePage.reads(), func(b string) bool { return slices.Contains(r, b) }) {
					t.Errorf("%s (page): the filter reaches no index, it reads %q as the list without it reads %q",
						name, r, basePage.reads())
				}
				if slices.Equal(total.reads(), baseTotal.reads()) && len(total.reads()) > 0 {
					t.Errorf("%s (total): the filter reaches no index, it counts %q as the list without it", name, total.reads())
				}
			}
		}
	}
	require.Greater(t, lists, 40, "stored lists checked")
}

// planned is a statement and its plan.
type planned struct {
	sql   string
	steps []string
}

// reads are the steps that read a table of resources, the growing tables
// lists read.
func (p planned) reads() []string {
	var out []string
	for _, s := range p.steps {
		for _, t := range resourceTables {
			if strings.HasPrefix(s, "SEARCH "+t+" ") || strings.HasPrefix(s, "SCAN "+t) {
				out = append(out, s)
			}
		}
	}
	return out
}

// resourceTables are the tables holding resources.
var resourceTables = newEngine(server.Deps{}).Tables()

// checkPlan fails a plan that scans a table, reads a whole type or sorts,
// unless allowed to.
func checkPlan(t *testing.T, name string, p planned, allow planAllowance) {
	t.Helper()
	if os.Getenv("PLAN_DUMP") != "" {
		fmt.Printf("== %s\n%s\n  %s\n", name, p.sql, strings.Join(p.steps, "\n  "))
	}
	// A subquery's rows (a page, the merge of organizations, a one-row
	// aggregate) are read by scanning what it returned, joined or left
	// joined: bounded.
	derived := map[string]bool{}
	for _, s := range p.steps {
		for _, prefix := range []string{"CO-ROUTINE ", "MATERIALIZE "} {
			if what, ok := strings.CutPrefix(s, prefix); ok {
				derived[what] = true
			}
		}
	}
	for _, s := range p.steps {
		switch {
		case planScans(s) && !derived[strings.TrimSuffix(strings.TrimPrefix(s, "SCAN "), " LEFT-JOIN")]:
			t.Errorf("%s: scans a table: %s\n%s", name, s, p.sql)
		case planReadsType(s) && !allow.wholeType:
			t.Errorf("%s: reads a whole type: %s\n%s", name, s, p.sql)
		case strings.HasPrefix(s, "USE TEMP B-TREE FOR ") && !allow.sorted:
			t.Errorf("%s: sorts what it read: %s\n%s", name, s, p.sql)
		}
	}
}

// planScans reports a step that reads a whole table (through an index or
// not); a constant row, a JSON array of one record or a VALUES list of the
// statement's arguments (jsonapi.ValuesList) is bounded.
func planScans(step string) bool {
	what, ok := strings.CutPrefix(step, "SCAN ")
	return ok && !strings.HasPrefix(what, "(subquery-") && what != "CONSTANT ROW" && !strings.Contains(what, " VIRTUAL TABLE ") &&
		!strings.HasSuffix(what, "-ROW VALUES CLAUSE")
}

// planReadsType reports a SEARCH whose only constraint is the type: every
// row of a type (cr_resources, cr_counts).
func planReadsType(step string) bool {
	return strings.HasPrefix(step, "SEARCH ") && strings.HasSuffix(step, " (type=?)")
}

// explain is the EXPLAIN QUERY PLAN of a statement, one line per step.
func explain(tx *store.Tx, st jsonapi.Statement) (planned, error) {
	steps, err := store.QueryPlan(context.Background(), tx, st.SQL, st.Args...)
	return planned{sql: st.SQL, steps: steps}, err
}

// TestComputedQueryPlans checks the plans of what renders compute and what
// counts read: the attributes of channels and messages, the acknowledged
// counts, the summary, the notification counts and the per-request sniffer
// look-up, with the rules of TestListQueryPlans.
func TestComputedQueryPlans(t *testing.T) {
	t.Parallel()
	env := emutest.New(t, []store.Schema{Schema()}, func(d server.Deps) []server.Vendor { return []server.Vendor{New(d)} })
	caller := &jsonapi.Call{Caller: &jsonapi.Caller{UserID: planAdmin, Orgs: []string{planOrg1, planOrg2}}}
	ch, who := planChanDirect, planAlice
	summary := summarySQL(caller, who)
	ack := true
	page := make([]any, 100)
	for i := range page {
		page[i] = fmt.Sprintf("60000000-0000-4000-8000-%012d", i)
	}
	dayLo, dayHi := "2026-01-09T12:00:00.000000+00:00", "2026-01-11T12:00:00.000000+00:00"
	daysPage, daysTotal := notificationDaysSQL(planAdmin, dayLo, dayHi, 500, 0)
	allDays, allDaysTotal := notificationDaysSQL(planAdmin, "", "", 500, 0)
	daysInPage, daysInTotal := notificationDaysInSQL(planAdmin, []string{planOrg1}, dayLo, dayHi, 500, 0)
	daysIn := planAllowance{sorted: true, unindexed: true,
		why: "only for a user with notifications in an organization they left: that user's notifications, grouped by day"}
	snifferLogsPage, snifferLogsTotal := snifferLogsSQL("a6000000-0000-4000-8000-000000000001", []string{planOrg1}, 100, 0)
	snifferLogsFilter := planAllowance{unindexed: true, why: "a sniffer's logs (it lives an hour), each kept if its organizations are allowed"}
	deviceLogsPage, deviceLogsTotal := userDeviceLogsSQL("a0000000-0000-4000-8000-000000000001", []string{planOrg1, planOrg2}, 100, 0)
	var named []any
	for _, typ := range jsonapi.SortedKeys(catalog.Types()) {
		named = append(named, typ)
	}
	e := newEngine(env.Deps)
	var namedOrgs jsonapi.Statement
	namedOrgs.SQL, namedOrgs.Args = e.AcrossTables(namedOrgsSQL(len(named), 2), append(named, planOrg1, planAlice)...)
	// A UNION sorts each side to merge them: the individual's subscriptions
	// and the channels of their groups.
	participates := planAllowance{sorted: true, why: "the channels an individual participates in"}
	cases := []struct {
		name  string
		st    jsonapi.Statement
		allow planAllowance
	}{
		{name: "channel: new messages", st: jsonapi.Statement{SQL: newMessagesOf("?", "?"), Args: []any{ch, who, ch, ch, who}}},
		{name: "channel: new messages, last message and bookmark", st: jsonapi.Statement{SQL: channelStatesSQL(e, 1, true), Args: channelStatesArgs([]string{ch}, who)}},
		{name: "channels: new messages, last message and bookmark of a page", st: jsonapi.Statement{SQL: channelStatesSQL(e, 3, true),
			Args: channelStatesArgs([]string{ch, planChanDirect, "50000000-0000-4000-8000-000000000003"}, who)}},
		{name: "channel in a write: new messages, last message and bookmark", st: jsonapi.Statement{SQL: channelStatesSQL(e, 1, false), Args: channelStatesArgs([]string{ch}, who)}},
		{name: "channels in a write: new messages, last message and bookmark of a page", st: jsonapi.Statement{SQL: channelStatesSQL(e, 3, false),
			Args: channelStatesArgs([]string{ch, planChanDirect, "50000000-0000-4000-8000-000000000003"}, who)}},
		{name: "channel: subscribers and their users", st: jsonapi.Statement{SQL: channelSubscribersSQL(e, 1), Args: []any{ch}}},
		{name: "channels: subscribers and their users of a page", st: jsonapi.Statement{SQL: channelSubscribersSQL(e, 3),
			Args: []any{ch, planChanDirect, "50000000-0000-4000-8000-000000000003"}}},
		{name: "a render's preloaded people", st: jsonapi.Statement{SQL: e.PreloadSQL("individuals", 3), Args: []any{planAlice, planOlivia, "30000000-0000-4000-8000-000000000003"}}},
		{name: "a page's preloaded messages", st: jsonapi.Statement{SQL: e.PreloadSQL("messaging-messages", 2), Args: page[:2]}},
		{name: "channel: a participant", st: jsonapi.Statement{SQL: participantSQL, Args: []any{ch, who, planGroup1, planGroup1, who}}},
		{name: "an individual's user", st: jsonapi.Statement{SQL: userOfSQL, Args: []any{who}}},
		{name: "messages: acknowledged counts", st: jsonapi.Statement{SQL: acknowledgedCountsSQL, Args: []any{who, who, ch, ch, who}}},
		{name: "messages: attachments of a page", st: jsonapi.Statement{SQL: attachmentsSQL(len(page)), Args: page},
			allow: planAllowance{sorted: true, why: "the uploaded attachments of one page of messages"}},
		// What the triggers of migration 109 count, and probe at every post.
		{name: "messages: the uploaded attachments a message counts", st: jsonapi.Statement{SQL: `SELECT count(*) FROM cr_resources a
			WHERE a.type = 'messaging-attachments' AND a.parent_id = ? AND json_extract(a.attrs, '$."_uploaded"') = 1`, Args: page[:1]}},
		{name: "messages: whether a new message has uploaded attachments", st: jsonapi.Statement{SQL: `SELECT EXISTS (SELECT 1 FROM cr_resources a
			WHERE a.type = 'messaging-attachments' AND a.parent_id = ? AND json_extract(a.attrs, '$."_uploaded"') = 1)`, Args: page[:1]}},
		{name: "summary: messages", st: jsonapi.Statement{SQL: summaryCountsSQL + summary.SQL, Args: summary.Args}, allow: participates},
		{name: "summary: senders", st: jsonapi.Statement{SQL: summarySendersSQL + summary.SQL + summarySendersGroup, Args: summary.Args},
			allow: planAllowance{sorted: true, why: "grouped by author: the authors of the individual's channels"}},
		{name: "summary: notifications", st: summaryNotificationsSQL(who, caller.Caller.Orgs)},
		// Still not flat: a video channel names the individual anywhere in its
		// attributes (instr), which no index finds: each organization's are read.
		{name: "summary: video channels", st: summaryVideoChannelsSQL(who, caller.Caller.Orgs)},
		{name: "notifications: count", st: notificationCountSQL(planAdmin, []string{planOrg1, planOrg2}, true, &ack)},
		{name: "notification counts: page", st: daysPage, allow: planAllowance{sorted: true,
			why: "the days of the bounds are one row each, merged with the whole days read in order"}},
		{name: "notification counts: days", st: daysTotal},
		{name: "notification counts: page, no bounds", st: allDays},
		{name: "notification counts: days, no bounds", st: allDaysTotal},
		{name: "the caller and their sniffers (every request)", st: jsonapi.Statement{SQL: callerSQL, Args: []any{dayLo, "courier-admin-token"}}},
		{name: "sniffer logs: page", st: snifferLogsPage, allow: snifferLogsFilter},
		{name: "sniffer logs: total", st: snifferLogsTotal, allow: snifferLogsFilter},
		{name: "sniffer logs: their organizations", st: snifferLogOrgsSQL("a6000000-0000-4000-8000-000000000001", []string{planOrg1}),
			allow: snifferLogsFilter},
		{name: "a sniffed request's named records", st: namedOrgs},
		{name: "device logs: page", st: deviceLogsPage},
		{name: "device logs: total", st: deviceLogsTotal},
		{name: "notifications outside the caller's organizations", st: notificationsOutsideSQL(planAdmin, []string{planOrg1})},
		{name: "notification counts in the caller's organizations: page", st: daysInPage, allow: daysIn},
		{name: "notification counts in the caller's organizations: days", st: daysInTotal, allow: daysIn},
	}
	require.NoError(t, env.Deps.DB.Tx(context.Background(), func(tx *store.Tx) error {
		for _, tc := range cases {
			p, err := explain(tx, tc.st)
			if err != nil {
				return err
			}
			checkPlan(t, tc.name, p, tc.allow)
		}
		return nil
	}))
}

// TestCallerReadsItsTokenRow checks that the statement every request makes
// reads its caller from the token's row (migration 113), not from the
// member links and the user's attributes.
func TestCallerReadsItsTokenRow(t *testing.T) {
	t.Parallel()
	env := emutest.New(t, []store.Schema{Schema()}, func(d server.Deps) []server.Vendor { return []server.Vendor{New(d)} })
	var steps []string
	require.NoError(t, env.Deps.DB.ReadTx(context.Background(), func(tx *store.Tx) error {
		var err error
		steps, err = store.QueryPlan(context.Background(), tx, callerSQL, "2026-01-15T12:00:00.000000+00:00", "courier-admin-token")
		return err
	}))
	plan := strings.Join(steps, "\n")
	require.Contains(t, plan, "SEARCH t USING PRIMARY KEY (token=?)")
	require.NotContains(t, plan, "cr_links")
	require.NotContains(t, plan, "cr_users_primary_individual")
}

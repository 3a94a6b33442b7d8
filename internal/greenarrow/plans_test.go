package greenarrow

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// TestOrganizationListPlans checks the query plans of the organization list,
// for both roles, every filter and order, full and minimal: the page must
// read in order (an unfiltered walk stops at the page; no sort) and the total
// must not count every organization. name_contains is a substring search: no
// index seeks it, so it is the one filter allowed to read every organization.
func TestOrganizationListPlans(t *testing.T) {
	t.Parallel()
	env := emutest.New(t, []store.Schema{Schema()}, func(d server.Deps) []server.Vendor { return []server.Vendor{New(d)} })
	callers := map[string]caller{
		"system": {KeyID: 1, Role: roleSystemAdmin, OrganizationID: 1},
		"org":    {KeyID: 2, Role: roleOrganizationAdmin, OrganizationID: 2},
	}
	for who, c := range callers {
		for _, filter := range [][2]string{{"", ""}, {"Third Org", ""}, {"", "third"}} {
			for _, order := range []string{"id", "name_key, id"} {
				for _, columns := range []string{answerColumns(c.system()), "id, name"} {
					pageSQL, totalSQL := orgListSQL(c, filter[0], filter[1], order, columns, page{PerPage: 100})
					name := who + " name=" + filter[0] + " name_contains=" + filter[1] + " order " + order
					for _, st := range []statement{pageSQL, totalSQL} {
						steps := explain(t, env, st)
						for _, s := range steps {
							unfiltered := !strings.Contains(st.sql, " WHERE ")
							switch {
							case strings.HasPrefix(s, "USE TEMP B-TREE"):
								t.Errorf("%s: sorts what it read: %s\n%s", name, s, st.sql)
							case strings.HasPrefix(s, "SCAN ga_") && filter[1] == "" &&
								!(unfiltered && strings.Contains(st.sql, " LIMIT ")):
								t.Errorf("%s: reads every organization: %s\n%s", name, s, st.sql)
							}
						}
					}
				}
			}
		}
	}
}

// TestOrganizationPointPlans: a get finds the API key and the organization
// each by its primary key, whether or not the organization exists; so does
// an update's read, which finds the name it is given by the name index.
func TestOrganizationPointPlans(t *testing.T) {
	t.Parallel()
	env := emutest.New(t, []store.Schema{Schema()}, func(d server.Deps) []server.Vendor { return []server.Vendor{New(d)} })
	for _, id := range []int64{2, 99} {
		steps := explain(t, env, statement{getOrgSQL, []any{id, 1}})
		require.Len(t, steps, 3, steps)
		for _, s := range steps {
			require.Regexp(t, `^SEARCH (k|o|t) USING INTEGER PRIMARY KEY \(rowid=\?\)( LEFT-JOIN)?$`, s)
		}
		steps = explain(t, env, statement{putOrgSQL, []any{id, "third org", 1}})
		require.Len(t, steps, 5, steps)
		for _, s := range steps[:3] {
			require.Regexp(t, `^SEARCH (k|o|t) USING INTEGER PRIMARY KEY \(rowid=\?\)( LEFT-JOIN)?$`, s)
		}
		require.Regexp(t, `^SCALAR SUBQUERY`, steps[3])
		require.Regexp(t, `^SEARCH ga_organizations USING COVERING INDEX \S+ \(name_key=\?\)$`, steps[4])
	}
}

// explain is the EXPLAIN QUERY PLAN of a statement, one line per step.
func explain(t *testing.T, env *emutest.Env, st statement) []string {
	t.Helper()
	steps, err := store.QueryPlan(context.Background(), env.Deps.DB.Read(), st.sql, st.args...)
	require.NoError(t, err)
	return steps
}

// TestOrganizationCountAgrees: the kept count of organizations equals
// counting them after creates, deletes and a reset.
func TestOrganizationCountAgrees(t *testing.T) {
	t.Parallel()
	env := emutest.New(t, []store.Schema{Schema()}, func(d server.Deps) []server.Vendor { return []server.Vendor{New(d)} })
	check := func(step string) {
		t.Helper()
		var kept, counted int
		require.NoError(t, env.Deps.DB.Tx(context.Background(), func(tx *store.Tx) error {
			if err := tx.QueryRowContext(context.Background(), `SELECT COALESCE((SELECT n FROM ga_counts WHERE what = 'organizations'), 0)`).Scan(&kept); err != nil {
				return err
			}
			return tx.QueryRowContext(context.Background(), `SELECT count(*) FROM ga_organizations`).Scan(&counted)
		}))
		require.Equal(t, counted, kept, step)
	}
	check("fixtures")
	res := env.Do(t, "POST", "/greenarrow/ga/api/v2/organizations", `{"organization": {"name": "Counted"}}`,
		"Authorization: Basic MTpnYS1zeXN0ZW0tYWRtaW4tc2VjcmV0")
	require.Equal(t, 200, res.Status, res.Body)
	check("create")
	require.NoError(t, env.Deps.DB.Tx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.ExecContext(context.Background(), `DELETE FROM ga_organizations WHERE name = 'Counted'`)
		return err
	}))
	check("delete")
	require.NoError(t, env.Deps.DB.Reset(context.Background(), Name))
	check("reset")
}

// TestReferencePlans: a direct page of referenced objects finds the key by
// its primary key and reads the table in its id order (no sort); a direct
// get finds each row by its primary key. (The tables are the fixtures'
// reference lists, which no request adds to: the total counts them.)
func TestReferencePlans(t *testing.T) {
	t.Parallel()
	env := emutest.New(t, []store.Schema{Schema()}, func(d server.Deps) []server.Vendor { return []server.Vendor{New(d)} })
	for _, st := range []struct {
		list, get string
		id        any
	}{
		{virtualMTAs.listDirectSQL(), virtualMTAs.getDirectSQL(), 41},
		{urlDomains.listDirectSQL(), urlDomains.getDirectSQL(), 31},
		{bounceEmails.listDirectSQL(), bounceEmails.getDirectSQL(), "1@1"},
		{suppressionLists.listDirectSQL(), suppressionLists.getDirectSQL(), 2},
	} {
		for _, s := range explain(t, env, statement{st.list, []any{1, 100, 0}}) {
			require.NotContains(t, s, "TEMP B-TREE", st.list)
		}
		for _, s := range explain(t, env, statement{st.get, []any{st.id, 1}}) {
			require.Regexp(t, `^SEARCH (k|o|ga_\w+) USING (INTEGER PRIMARY KEY|INDEX sqlite_autoindex_\w+) \((rowid|id)=\?\)$`, s, st.get)
		}
	}
}

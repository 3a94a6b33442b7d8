package greenarrow_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/emulator/vendor-emulator/internal/store"
)

// The hot paths, through the real router and store: list, get and the report
// a dashboard would poll.
func BenchmarkListOrganizations(b *testing.B) {
	env := newEnv(b)
	for b.Loop() {
		if res := env.Do(b, "GET", base+"/organizations", "", sysAdmin); res.Status != 200 {
			b.Fatal(res.Body)
		}
	}
}

func BenchmarkGetOrganization(b *testing.B) {
	env := newEnv(b)
	for b.Loop() {
		if res := env.Do(b, "GET", base+"/organizations/2", "", orgAdmin); res.Status != 200 {
			b.Fatal(res.Body)
		}
	}
}

func BenchmarkDailyReport(b *testing.B) {
	env := newEnv(b)
	for b.Loop() {
		res := env.Do(b, "GET", base+"/organizations/1/messages_sent/daily?start_date=2015-09-01&end_date=2015-11-30", "", sysAdmin)
		if res.Status != 200 {
			b.Fatal(res.Body)
		}
	}
}

// BenchmarkPutOrganization measures a representative write: a system
// administrator renames an organization.
func BenchmarkPutOrganization(b *testing.B) {
	env := newEnv(b)
	names := []string{`{"organization": {"name": "Bench A"}}`, `{"organization": {"name": "Bench B"}}`}
	i := 0
	for b.Loop() {
		i++
		if res := env.Do(b, "PUT", base+"/organizations/2", names[i%2], sysAdmin); res.Status != 200 {
			b.Fatal(res.Body)
		}
	}
}

// BenchmarkListOrganizationsAtScale measures the first page of the
// organization list at 100 and at 100,000 organizations: it must not grow
// with them (the rowid and name indexes order it; the total is kept counted).
func BenchmarkListOrganizationsAtScale(b *testing.B) {
	for _, tc := range []struct{ name, query string }{
		{"all", ""}, {"by-name", "?order_by=name"}, {"minimal", "?minimal=true"}, {"named", "?name=bench+50"},
	} {
		for _, rows := range []int{100, 100_000} {
			b.Run(fmt.Sprintf("%s/rows=%d", tc.name, rows), func(b *testing.B) {
				env := newEnv(b)
				// Copies of organization 1, each with its own name (and none of its
				// sends), then their kept answers: organization 1's with their id
				// and name, the first two members, which need no escaping here.
				err := env.Deps.DB.Tx(context.Background(), func(tx *store.Tx) error {
					_, err := tx.ExecContext(context.Background(), `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
						INSERT INTO ga_organizations (name, name_key, active, anniversary_day, time_zone, html_header, html_footer,
							text_header, text_footer, custom_headers, permissions, auto_subscriber_management, sending_quota,
							subscriber_quota, credits_available)
						SELECT 'Bench ' || i, 'bench ' || i, active, anniversary_day, time_zone, html_header, html_footer,
							text_header, text_footer, custom_headers, permissions, auto_subscriber_management, sending_quota,
							subscriber_quota, credits_available
						FROM ga_organizations, n WHERE id = 1`, rows)
					if err != nil {
						return err
					}
					_, err = tx.ExecContext(context.Background(), `UPDATE ga_organizations AS c
						SET json_system = '{"id":' || c.id || ',"name":"' || c.name || '"' ||
								substr(o.json_system, instr(o.json_system, ',"anniversary_day":')),
							json_org = '{"id":' || c.id || ',"name":"' || c.name || '"' ||
								substr(o.json_org, instr(o.json_org, ',"anniversary_day":'))
						FROM ga_organizations AS o WHERE o.id = 1 AND c.json_system IS NULL`)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				for b.Loop() {
					if res := env.Do(b, "GET", base+"/organizations"+tc.query, "", sysAdmin); res.Status != 200 {
						b.Fatal(res.Body)
					}
				}
			})
		}
	}
}

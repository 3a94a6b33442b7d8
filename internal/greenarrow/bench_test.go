package greenarrow_test

import (
	"testing"
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

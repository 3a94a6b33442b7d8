package loop_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/emulator/vendor-emulator/internal/store"
)

// BenchmarkOrganizationDetails measures the hot path of a client that checks
// its organization: key lookup, scoped read, encoding, through the real router.
func BenchmarkOrganizationDetails(b *testing.B) {
	e := newLM(b)
	b.ReportAllocs()
	for b.Loop() {
		if res := e.Do(b, "GET", "/loopmessage/api/v1/organizations/details/"+orgAcmeSupport+"/", "",
			"Authorization: "+keyAcmeDefault); res.Status != http.StatusOK {
			b.Fatalf("status %d: %s", res.Status, res.Body)
		}
	}
}

// BenchmarkOrganizationList measures the Default key's organization list
// (the account's three organizations, the first page).
func BenchmarkOrganizationList(b *testing.B) {
	e := newLM(b)
	b.ReportAllocs()
	for b.Loop() {
		if res := e.Do(b, "GET", "/loopmessage/api/v1/organizations/list/", "", "Authorization: "+keyAcmeDefault); res.Status != http.StatusOK {
			b.Fatalf("status %d: %s", res.Status, res.Body)
		}
	}
}

// BenchmarkSenderList measures the Default key's whole-account sender list.
func BenchmarkSenderList(b *testing.B) {
	e := newLM(b)
	b.ReportAllocs()
	for b.Loop() {
		if res := e.Do(b, "GET", "/loopmessage/api/v1/sender/list/", "", "Authorization: "+keyAcmeDefault); res.Status != http.StatusOK {
			b.Fatalf("status %d: %s", res.Status, res.Body)
		}
	}
}

// BenchmarkPatchOrganization measures a representative write: the Default
// key renames an organization (one write transaction on the writer).
func BenchmarkPatchOrganization(b *testing.B) {
	e := newLM(b)
	b.ReportAllocs()
	names := []string{`{"name": "Acme Labs A"}`, `{"name": "Acme Labs B"}`}
	i := 0
	for b.Loop() {
		i++
		if res := e.Do(b, "PATCH", "/loopmessage/api/v1/organizations/details/"+orgAcmeLabs+"/", names[i%2],
			"Authorization: "+keyAcmeDefault); res.Status != http.StatusOK {
			b.Fatalf("status %d: %s", res.Status, res.Body)
		}
	}
}

// BenchmarkListsAtScale measures the first page of the organization, sender
// and pool lists at 100 and at 100,000 rows, for the Default key (the whole
// account) and an organization's key: it must not grow with the rows.
func BenchmarkListsAtScale(b *testing.B) {
	const support = "1c8f4a63-7e2b-4d9f-a031-4b6c8d0e2f02"
	seeds := map[string]string{
		// With their kept JSON parts, as the API's writes store them (plain ASCII: SQL's quotes are JSON's).
		"organizations": `INSERT INTO lm_organizations (id, account_id, name, website, support_url, country, api_key, create_date,
				json_head, json_item, json_tail, json_api_key)
			SELECT 'o-' || i, 'acme', 'Org ' || i, 'https://x', 'https://x', 'US', 'k-' || i, '2025-06-01T00:00:00Z',
				'{"id":"o-' || i || '"', '{"id":"o-' || i || '","name":"Org ' || i || '","status":"active","create_date":"2025-06-01T00:00:00Z"',
				',"status":"active","create_date":"2025-06-01T00:00:00Z"', ',"api_key":"k-' || i || '"' FROM n`,
		"senders": `INSERT INTO lm_senders (id, account_id, organization_id, name, status, create_date)
			SELECT 's-' || i, 'acme', '` + support + `', 's' || i || '@x', 'active', '2025-06-01T00:00:00Z' FROM n`,
		"pools": `INSERT INTO lm_pools (id, account_id, organization_id, name, create_date)
			SELECT 'p-' || i, 'acme', '` + support + `', 'p' || i, '2025-06-01T00:00:00Z' FROM n`,
	}
	for _, tc := range []struct{ name, seed, path, key string }{
		{"organizations", "organizations", "organizations/list/", keyAcmeDefault},
		{"senders/account", "senders", "sender/list/", keyAcmeDefault},
		{"senders/organization", "senders", "sender/list/", keyAcmeSupport},
		{"pools/account", "pools", "pool/list/", keyAcmeDefault},
		{"pools/organization", "pools", "pool/list/", keyAcmeSupport},
	} {
		for _, rows := range []int{100, 100_000} {
			b.Run(fmt.Sprintf("%s/rows=%d", tc.name, rows), func(b *testing.B) {
				e := newLM(b)
				err := e.Deps.DB.Tx(context.Background(), func(tx *store.Tx) error {
					_, err := tx.ExecContext(context.Background(), `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) `+seeds[tc.seed], rows)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				for b.Loop() {
					if res := e.call(b, "GET", tc.path, "", tc.key); res.Status != http.StatusOK {
						b.Fatalf("status %d: %s", res.Status, res.Body)
					}
				}
			})
		}
	}
}

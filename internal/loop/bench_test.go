package loop_test

import (
	"net/http"
	"testing"
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

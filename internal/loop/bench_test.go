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

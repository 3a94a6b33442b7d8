package loop_test

import (
	"io"
	"net/http"
	"testing"
)

// BenchmarkOrganizationDetails measures the hot path of a client that checks
// its organization: key lookup, scoped read, encoding, through the real router.
func BenchmarkOrganizationDetails(b *testing.B) {
	e := newLM(b)
	client := e.Server.Client()
	req, err := http.NewRequest("GET", e.URL+"/loopmessage/api/v1/organizations/details/"+orgAcmeSupport+"/", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", keyAcmeDefault)
	b.ReportAllocs()
	for b.Loop() {
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
}

// BenchmarkSenderList measures the Default key's whole-account sender list.
func BenchmarkSenderList(b *testing.B) {
	e := newLM(b)
	client := e.Server.Client()
	req, err := http.NewRequest("GET", e.URL+"/loopmessage/api/v1/sender/list/", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", keyAcmeDefault)
	b.ReportAllocs()
	for b.Loop() {
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
}

package app_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/emulator/vendor-emulator/internal/app"
	"github.com/emulator/vendor-emulator/internal/store"
)

// BenchmarkServe is one hot GET of each vendor through the whole root
// handler (worlds, request id, journal, routing, the vendor, the store), in
// process: what the emulator adds to a request besides the network. The
// httptest request and recorder are part of each op.
func BenchmarkServe(b *testing.B) {
	a, err := app.New(context.Background(), app.Options{DB: store.Memory})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	ga := "Basic " + base64.StdEncoding.EncodeToString([]byte("1:ga-system-admin-secret"))
	for _, tc := range []struct{ name, path, header, value string }{
		{"360dialog-partner", "/360dialog/api/v2/partners/examplePA", "X-API-Key", "examplePA-api-key"},
		{"360dialog-clients", "/360dialog/api/v2/partners/examplePA/clients", "X-API-Key", "examplePA-api-key"},
		{"loopmessage-list", "/loopmessage/api/v1/organizations/list/", "Authorization", "lm-acme-default"},
		{"greenarrow-organization", "/greenarrow/ga/api/v2/organizations/1", "Authorization", ga},
		{"greenarrow-list", "/greenarrow/ga/api/v2/organizations", "Authorization", ga},
		{"courier-channel", "/courier/v1/messaging-channels/50000000-0000-4000-8000-000000000001/", "Authorization", "Bearer courier-admin-token"},
		{"health", "/_emulator/health", "", ""},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest(http.MethodGet, tc.path, nil)
				if tc.header != "" {
					r.Header.Set(tc.header, tc.value)
				}
				w := httptest.NewRecorder()
				a.Handler.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
		})
	}
}

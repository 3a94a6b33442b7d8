package app_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
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
	// Full first pages, as scripts/loadtest fills them: courier channel 1 to
	// 100 messages, GreenArrow to 100 organizations, LoopMessage to 20.
	courier := "Bearer courier-admin-token"
	channel := "50000000-0000-4000-8000-000000000001"
	for _, fill := range []struct {
		n                                int
		path, header, value, contentType string
		body                             string
	}{
		{97, "/courier/v1/messaging-messages/", "Authorization", courier, "application/vnd.api+json",
			`{"data":{"type":"messaging-messages","attributes":{"channel-id":"` + channel +
				`","individual-id":"30000000-0000-4000-8000-000000000001","message":"Seed message %d"}},"meta":{}}`},
		{96, "/greenarrow/ga/api/v2/organizations", "Authorization", ga, "application/json",
			`{"organization":{"name":"Load org %d"}}`},
		{17, "/loopmessage/api/v1/organizations/new/", "Authorization", "lm-acme-default", "application/json",
			`{"name":"Load org %d","website":"https://example.com","support_url":"https://example.com/help","country":"US"}`},
	} {
		for i := range fill.n {
			r := httptest.NewRequest(http.MethodPost, fill.path, strings.NewReader(fmt.Sprintf(fill.body, i)))
			r.Header.Set(fill.header, fill.value)
			r.Header.Set("Content-Type", fill.contentType)
			w := httptest.NewRecorder()
			a.Handler.ServeHTTP(w, r)
			if w.Code/100 != 2 {
				b.Fatalf("fill %s: %d %s", fill.path, w.Code, w.Body)
			}
		}
	}
	for _, tc := range []struct{ name, path, header, value string }{
		{"360dialog-partner", "/360dialog/api/v2/partners/examplePA", "X-API-Key", "examplePA-api-key"},
		{"360dialog-clients", "/360dialog/api/v2/partners/examplePA/clients", "X-API-Key", "examplePA-api-key"},
		{"loopmessage-organization", "/loopmessage/api/v1/organizations/details/0b7e3f52-6d1a-4c8e-9f20-3a5b7c9d1e01/", "Authorization", "lm-acme-default"},
		{"greenarrow-organization", "/greenarrow/ga/api/v2/organizations/1", "Authorization", ga},
		{"greenarrow-list-100", "/greenarrow/ga/api/v2/organizations", "Authorization", ga},
		{"loopmessage-list-20", "/loopmessage/api/v1/organizations/list/", "Authorization", "lm-acme-default"},
		{"courier-channel", "/courier/v1/messaging-channels/" + channel + "/", "Authorization", courier},
		{"courier-channels", "/courier/v1/messaging-channels/", "Authorization", courier},
		{"courier-messages-100", "/courier/v1/messaging-messages/?channel-id=" + channel, "Authorization", courier},
		// The general path (no hand-written answer): a user, a plugin, a short list.
		{"courier-user", "/courier/v1/users/20000000-0000-4000-8000-000000000001/", "Authorization", courier},
		{"courier-plugin", "/courier/v1/messaging-plugins/66000000-0000-4000-8000-000000000001/", "Authorization", courier},
		{"courier-plugins", "/courier/v1/messaging-plugins/?organization-id=10000000-0000-4000-8000-000000000001", "Authorization", courier},
		// Routes besides each vendor's hottest ones.
		{"greenarrow-virtual-mtas", "/greenarrow/ga/api/v2/virtual_mtas", "Authorization", ga},
		{"greenarrow-virtual-mta", "/greenarrow/ga/api/v2/virtual_mtas/41", "Authorization", ga},
		{"loopmessage-senders", "/loopmessage/api/v1/sender/list/", "Authorization", "lm-acme-default"},
		{"loopmessage-sender", "/loopmessage/api/v1/sender/7c2e3041-9d5f-4071-acbd-2e3f4a5b6c03/", "Authorization", "lm-acme-default"},
		{"360dialog-channels", "/360dialog/api/v2/partners/examplePA/channels", "X-API-Key", "examplePA-api-key"},
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

// BenchmarkServeWrites is the load test's representative write of each
// vendor through the whole root handler, from several goroutines at once
// (grouped writes, batch.go, need writers waiting), in memory and on a file.
// Each op is one write; two bodies alternate so that every write changes
// the row.
func BenchmarkServeWrites(b *testing.B) {
	courierDoc := `{"data":{"type":"messaging-messages","attributes":{"channel-id":"50000000-0000-4000-8000-000000000001",` +
		`"individual-id":"30000000-0000-4000-8000-000000000001","message":"Load test message %s"}},"meta":{}}`
	writes := []struct {
		name, method, path, header, value, contentType string
		bodies                                         [2]string
	}{
		{"360dialog-patch-partner", http.MethodPatch, "/360dialog/api/v2/partners/examplePA", "X-API-Key", "examplePA-api-key",
			"application/json", [2]string{`{"webhook_url":"https://company.com/webhook-a"}`, `{"webhook_url":"https://company.com/webhook-b"}`}},
		{"loopmessage-patch-organization", http.MethodPatch, "/loopmessage/api/v1/organizations/details/2d9a5b74-8f3c-4ea0-b142-5c7d9e1f3a03/",
			"Authorization", "lm-acme-default", "application/json",
			[2]string{`{"website":"https://labs-a.acme.example.com"}`, `{"website":"https://labs-b.acme.example.com"}`}},
		{"greenarrow-put-organization", http.MethodPut, "/greenarrow/ga/api/v2/organizations/2", "Authorization",
			"Basic " + base64.StdEncoding.EncodeToString([]byte("1:ga-system-admin-secret")), "application/json",
			[2]string{`{"organization":{"text_footer":"footer a"}}`, `{"organization":{"text_footer":"footer b"}}`}},
		{"courier-post-message", http.MethodPost, "/courier/v1/messaging-messages/", "Authorization", "Bearer courier-admin-token",
			"application/vnd.api+json", [2]string{fmt.Sprintf(courierDoc, "a"), fmt.Sprintf(courierDoc, "b")}},
	}
	for _, mode := range []string{"memory", "file"} {
		b.Run(mode, func(b *testing.B) {
			path := store.Memory
			if mode == "file" {
				path = filepath.Join(b.TempDir(), "bench.db")
			}
			a, err := app.New(context.Background(), app.Options{DB: path})
			if err != nil {
				b.Fatal(err)
			}
			defer a.Close()
			for _, tc := range writes {
				b.Run(tc.name, func(b *testing.B) {
					b.ReportAllocs()
					b.SetParallelism(16) // 32 writers on 2 cores, as the load test's connections
					var n atomic.Uint64
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							r := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.bodies[n.Add(1)%2]))
							r.Header.Set(tc.header, tc.value)
							r.Header.Set("Content-Type", tc.contentType)
							w := httptest.NewRecorder()
							a.Handler.ServeHTTP(w, r)
							if w.Code/100 != 2 {
								b.Errorf("%d %s", w.Code, w.Body)
								return
							}
						}
					})
				})
			}
		})
	}
}

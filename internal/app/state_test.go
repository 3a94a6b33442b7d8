package app_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/fixtures"
	"github.com/emulator/vendor-emulator/internal/app"
)

// changes makes one write per vendor in world, so that an export holds more
// than the fixtures.
func changes(t *testing.T, e *emu, world string) {
	t.Helper()
	for _, c := range []struct{ method, path, body, auth, ctype string }{
		{http.MethodPatch, "/360dialog/api/v2/partners/examplePA", `{"webhook_url": "https://exported.example/hook"}`, partnerKey, "application/json"},
		{http.MethodPut, "/greenarrow/ga/api/v2/organizations/2", `{"organization": {"text_footer": "exported footer"}}`, gaAdmin, "application/json"},
		{http.MethodPatch, "/loopmessage/api/v1/organizations/details/2d9a5b74-8f3c-4ea0-b142-5c7d9e1f3a03/", `{"website": "https://exported.example.com"}`, loopKey, "application/json"},
		{http.MethodPost, "/courier/v1/messaging-messages/", `{"data": {"type": "messaging-messages", "attributes": {"channel-id": "50000000-0000-4000-8000-000000000001", "individual-id": "30000000-0000-4000-8000-000000000001", "message": "exported message"}}}`, courierTok, "application/vnd.api+json"},
	} {
		res := e.do(c.method, "/w/"+world+c.path, c.body, c.auth, "Content-Type: "+c.ctype)
		require.Less(t, res.status, 300, c.path+": "+res.body)
	}
}

func TestStateRoundTripsThroughANewWorld(t *testing.T) {
	t.Parallel()
	e := start(t, app.Options{})
	src := e.create(`{"id": "src"}`)
	changes(t, e, src)
	for _, vendor := range []string{"loopmessage", "greenarrow", "360dialog", "courier"} {
		t.Run(vendor, func(t *testing.T) {
			exported := e.do(http.MethodGet, "/w/src/_emulator/state?vendor="+vendor, "")
			require.Equal(t, http.StatusOK, exported.status, exported.body)
			assert.Contains(t, exported.body, "exported", "the export holds the write")
			copyID := e.create(`{"fixtures": {"` + vendor + `": ` + exported.body + `}}`)
			again := e.do(http.MethodGet, "/w/"+copyID+"/_emulator/state?vendor="+vendor, "")
			require.Equal(t, http.StatusOK, again.status)
			assert.Equal(t, exported.body, again.body, "export → new world → export is the same document")
		})
	}

	// All vendors at once: the answer without ?vendor= is what "fixtures" takes.
	all := e.do(http.MethodGet, "/_emulator/state", "", "X-Emulator-World: src")
	require.Equal(t, http.StatusOK, all.status)
	var byVendor map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(all.body), &byVendor))
	assert.Len(t, byVendor, 4)
	copyID := e.create(`{"fixtures": ` + all.body + `}`)
	assert.Equal(t, all.body, e.do(http.MethodGet, "/w/"+copyID+"/_emulator/state", "").body)

	res := e.do(http.MethodGet, "/_emulator/state?vendor=nope", "")
	assert.Equal(t, http.StatusBadRequest, res.status)
	assert.Contains(t, res.body, `unknown vendor \"nope\"`)
}

func TestStateRoundTripsThroughAFixturesDirectory(t *testing.T) {
	t.Parallel()
	e := start(t, app.Options{})
	src := e.create(`{"id": "src"}`)
	changes(t, e, src)
	dir := t.TempDir()
	exports := map[string]string{}
	for _, vendor := range []string{"loopmessage", "greenarrow", "360dialog", "courier"} {
		res := e.do(http.MethodGet, "/w/src/_emulator/state?vendor="+vendor, "")
		require.Equal(t, http.StatusOK, res.status)
		exports[vendor] = res.body
		require.NoError(t, os.WriteFile(filepath.Join(dir, vendor+".json"), []byte(res.body), 0o644))
	}
	fsys, err := fixtures.Overlay(os.DirFS(dir))
	require.NoError(t, err)
	seeded := start(t, app.Options{Fixtures: fsys})
	for vendor, want := range exports {
		assert.Equal(t, want, seeded.do(http.MethodGet, "/_emulator/state?vendor="+vendor, "").body,
			"%s: an emulator started with -fixtures holding the export has the same state", vendor)
	}
}

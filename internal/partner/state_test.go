package partner_test

import (
	"io/fs"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/fixtures"
	"github.com/emulator/vendor-emulator/internal/clock"
	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/ids"
	"github.com/emulator/vendor-emulator/internal/partner"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// newEnvAPI is newEnv, with its API.
func newEnvAPI(t *testing.T) (*emutest.Env, *partner.API) {
	t.Helper()
	var api *partner.API
	env := emutest.New(t, []store.Schema{partner.Schema()}, func(d server.Deps) []server.Vendor {
		api = partner.New(d)
		return []server.Vendor{api}
	})
	return env, api
}

// seededCopy starts a second emulator on a store seeded from doc (as
// 360dialog.json, through the strict fixture reader), sharing env's clock.
func seededCopy(t *testing.T, env *emutest.Env, doc []byte) (*emutest.Env, *partner.API) {
	t.Helper()
	var api *partner.API
	cp := emutest.Seeded(t, partner.Schema(), "360dialog.json", doc, env.Deps.Clock, func(d server.Deps) []server.Vendor {
		api = partner.New(d)
		return []server.Vendor{api}
	})
	return cp, api
}

func TestStateOfTheDefaultsIsTheFixtureFile(t *testing.T) {
	t.Parallel()
	_, api := newEnvAPI(t)
	want, err := fs.ReadFile(fixtures.FS, "360dialog.json")
	require.NoError(t, err)
	doc := emutest.State(t, api)
	assert.JSONEq(t, string(want), string(doc))
	assert.Equal(t, doc, emutest.State(t, api), "two exports of one state are the same bytes")
}

func TestStateRoundTripAfterWrites(t *testing.T) {
	t.Parallel()
	env, api := newEnvAPI(t)
	tok := token(t, env, "partner@example.com", "partner-password")
	// Every field the API writes, by key and by token, on both partners.
	for _, w := range []struct{ method, path, body, auth string }{
		{"PATCH", "/partners/examplePA", `{"webhook_url": "https://a.example.com/hook", "allow_client_to_add_phone_no": false}`, exampleK},
		{"PATCH", "/partners/examplePA", `{"partner_redirect_url": "https://a.example.com/back"}`, "Authorization: Bearer " + tok},
		{"POST", "/partners/otherPA/webhook_url", `{"webhook_url": "https://b.example.com/hook"}`, otherK},
		{"PATCH", "/partners/otherPA", `{"allow_client_to_add_phone_no": true}`, otherK},
	} {
		res := env.Do(t, w.method, base+w.path, w.body, w.auth)
		require.Equal(t, 200, res.Status, res.Body)
	}

	doc := emutest.State(t, api)
	copyEnv, copyAPI := seededCopy(t, env, doc)
	assert.Equal(t, string(doc), string(emutest.State(t, copyAPI)), "export, seed, export: the same bytes")

	for _, r := range []struct{ path, auth string }{
		{"/partners/examplePA", exampleK},
		{"/partners/otherPA", otherK},
		{"/partners/otherPA/webhook_url", otherK},
		{"/partners/examplePA/clients?sort=-created_at&limit=2", exampleK},
		{"/partners/examplePA/channels?filters=%7B%22client_id%22%3A%22cl00000001%22%7D", exampleK},
		{"/partners/otherPA/channels", otherK},
		{"/partners/otherPA", exampleK}, // another partner's: 403 on both
	} {
		want := env.Do(t, "GET", base+r.path, "", r.auth)
		got := copyEnv.Do(t, "GET", base+r.path, "", r.auth)
		assert.Equal(t, want.Status, got.Status, r.path)
		assert.Equal(t, want.Body, got.Body, r.path)
	}

	// Tokens are not exported: the copy refuses the original's, and its hub users take new ones.
	res := copyEnv.Do(t, "GET", base+"/partners/examplePA", "", "Authorization: Bearer "+tok)
	assert.Equal(t, 401, res.Status, res.Body)
	assert.NotContains(t, string(doc), tok)
	copyTok := token(t, copyEnv, "partner@example.com", "partner-password")
	res = copyEnv.Do(t, "GET", base+"/partners/examplePA", "", "Authorization: Bearer "+copyTok)
	require.Equal(t, 200, res.Status, res.Body)
	assert.Equal(t, env.Do(t, "GET", base+"/partners/examplePA", "", exampleK).Body, res.Body)
}

func TestStateWritesDefaultsOut(t *testing.T) {
	t.Parallel()
	// A minimal file: what it leaves out is exported as the seed filled it in,
	// and that document seeds the same state again.
	db, err := openFixture(t, `{"partners": [{"id": "p1", "api_key": "k1", "settings": {"a": [1, 2]}}],
		"clients": [{"id": "c1", "partner_id": "p1", "name": "C", "status": "active", "created_at": "2025-01-02T03:04:05Z"}]}`)
	require.NoError(t, err)
	api := partner.New(server.Deps{DB: db, Clock: clock.New(nil), Log: slog.New(slog.DiscardHandler), IDs: ids.Random{}})
	doc := emutest.State(t, api)
	assert.JSONEq(t, `{
		"partners": [{"id": "p1", "api_key": "k1", "webhook_secret": "", "brand_name": "", "payment_required": false, "logo_url": null,
			"onboarding_deeplink_add_params": false, "webhook_url": "", "partner_redirect_url": "", "country": "",
			"blocked_new_submission": false, "allow_client_to_add_phone_no": false, "settings": {"a": [1, 2]},
			"billing_system": "", "publishable_key": null}],
		"hub_users": [],
		"clients": [{"id": "c1", "partner_id": "p1", "name": "C", "status": "active", "created_at": "2025-01-02T03:04:05Z",
			"modified_at": "2025-01-02T03:04:05Z", "contact_email": "", "contact_name": "", "max_channels": 0,
			"partner_payload": null}],
		"channels": []
	}`, string(doc))
	again, err := openFixture(t, string(doc))
	require.NoError(t, err)
	assert.Equal(t, string(doc), string(emutest.State(t, partner.New(server.Deps{DB: again, Clock: clock.New(nil), IDs: ids.Random{}}))))
}

package partner_test

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/partner"
	"github.com/emulator/vendor-emulator/internal/store"
)

// openFixture seeds a store from doc as 360dialog.json.
func openFixture(t *testing.T, doc string) (*store.DB, error) {
	t.Helper()
	db, err := store.Open(context.Background(), store.Memory, fstest.MapFS{"360dialog.json": {Data: []byte(doc)}}, partner.Schema())
	if err == nil {
		t.Cleanup(func() { db.Close() })
	}
	return db, err
}

func TestFixtureMinimalFileTakesDefaults(t *testing.T) {
	t.Parallel()
	db, err := openFixture(t, `{
		"partners": [{"id": "p1", "api_key": "k1"}],
		"clients": [{"id": "c1", "partner_id": "p1", "name": "C", "status": "active", "created_at": "2025-01-02T03:04:05Z"}]
	}`)
	require.NoError(t, err)
	var brand, modified string
	var logo, settings *string
	require.NoError(t, db.Read().QueryRow(`SELECT brand_name, logo_url, settings FROM dlg_partners WHERE id = 'p1'`).Scan(&brand, &logo, &settings))
	assert.Equal(t, "", brand)
	assert.Nil(t, logo)
	assert.Nil(t, settings)
	require.NoError(t, db.Read().QueryRow(`SELECT modified_at FROM dlg_clients WHERE id = 'c1'`).Scan(&modified))
	assert.Equal(t, "2025-01-02T03:04:05Z", modified, "modified_at defaults to created_at")
}

func TestFixtureErrors(t *testing.T) {
	t.Parallel()
	const p1 = `{"id": "p1", "api_key": "k1"}`
	const c1 = `{"id": "c1", "partner_id": "p1", "name": "C", "status": "active", "created_at": "2025-01-02T03:04:05Z"}`
	const ch = `"id": "h1", "partner_id": "p1", "status": "ready", "account_mode": "live", "phone_number": "+1", "created_at": "2025-01-02T03:04:05Z"`
	tests := []struct{ name, doc, want string }{
		{"not JSON", `{"partners": [}`,
			`fixtures: 360dialog.json: not JSON: line 1, column 15: invalid character '}' looking for beginning of value`},
		{"trailing data", `{"partners": []} []`, `fixtures: 360dialog.json: line 1, column 18: more data after the top-level object`},
		{"unknown top-level field", `{"partner": []}`, `fixtures: 360dialog.json: unknown field "partner"`},
		{"wrong type", `{"partners": [` + p1 + `, {"id": "p2", "api_key": 2}]}`,
			`fixtures: 360dialog.json: partners[1] (id p2): field "api_key": must be a string, not number`},
		{"unknown field", `{"partners": [{"id": "p1", "api_key": "k1", "brnad_name": "B"}]}`,
			`fixtures: 360dialog.json: partners[0] (id p1): unknown field "brnad_name"`},
		{"missing required field", `{"partners": [{"id": "p1"}]}`,
			`fixtures: 360dialog.json: partners[0] (id p1): field "api_key": is required`},
		{"settings not an object", `{"partners": [{"id": "p1", "api_key": "k1", "settings": [1]}]}`,
			`fixtures: 360dialog.json: partners[0] (id p1): field "settings": must be an object or null`},
		{"duplicate id", `{"partners": [` + p1 + `, {"id": "p1", "api_key": "k2"}]}`,
			`fixtures: 360dialog.json: partners[1] (id p1): field "id": "p1" is already used by partners[0]`},
		{"duplicate API key", `{"partners": [` + p1 + `, {"id": "p2", "api_key": "k1"}]}`,
			`fixtures: 360dialog.json: partners[1] (id p2): field "api_key": "k1" is already used by partners[0]`},
		{"hub user of an unknown partner", `{"partners": [` + p1 + `], "hub_users": [{"email": "a@b.c", "password": "x", "partner_id": "p9"}]}`,
			`fixtures: 360dialog.json: hub_users[0]: field "partner_id": unknown partner "p9"`},
		{"hub user e-mails differ in case only", `{"partners": [` + p1 + `], "hub_users": [{"email": "a@b.c", "password": "x", "partner_id": "p1"}, {"email": "A@B.C", "password": "y", "partner_id": "p1"}]}`,
			`fixtures: 360dialog.json: hub_users[1]: field "email": "A@B.C" is already used by hub_users[0]`},
		{"client time layout", `{"partners": [` + p1 + `], "clients": [{"id": "c1", "partner_id": "p1", "name": "C", "status": "active", "created_at": "2025-01-02"}]}`,
			`fixtures: 360dialog.json: clients[0] (id c1): field "created_at": must be a time like "2025-01-06T09:00:00Z", not "2025-01-02"`},
		{"client of an unknown partner", `{"partners": [` + p1 + `], "clients": [{"id": "c1", "partner_id": "p2", "name": "C", "status": "active", "created_at": "2025-01-02T03:04:05Z"}]}`,
			`fixtures: 360dialog.json: clients[0] (id c1): field "partner_id": unknown partner "p2"`},
		{"duplicate client id", `{"partners": [` + p1 + `], "clients": [` + c1 + `, ` + c1 + `]}`,
			`fixtures: 360dialog.json: clients[1] (id c1): field "id": "c1" is already used by clients[0]`},
		{"channel of an unknown client", `{"partners": [` + p1 + `], "channels": [{` + ch + `, "client_id": "c9"}]}`,
			`fixtures: 360dialog.json: channels[0] (id h1): field "client_id": unknown client "c9"`},
		{"channel of another partner's client", `{"partners": [` + p1 + `, {"id": "p2", "api_key": "k2"}], "clients": [` + c1 + `], "channels": [{"client_id": "c1", "id": "h1", "partner_id": "p2", "status": "ready", "account_mode": "live", "phone_number": "+1", "created_at": "2025-01-02T03:04:05Z"}]}`,
			`fixtures: 360dialog.json: channels[0] (id h1): field "client_id": client "c1" belongs to partner "p1", not "p2"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := openFixture(t, tt.doc)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

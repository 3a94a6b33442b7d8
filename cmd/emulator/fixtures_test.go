package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/fixtures"
)

// fixtureDir is a directory holding files, name → content.
func fixtureDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, doc := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(doc), 0o600))
	}
	return dir
}

// embedded is the embedded fixture file name, with old replaced by new once.
func embedded(t *testing.T, name, old, new string) string {
	t.Helper()
	b, err := fixtures.FS.ReadFile(name)
	require.NoError(t, err)
	require.Contains(t, string(b), old)
	return strings.Replace(string(b), old, new, 1)
}

// defaultsOf asks each vendor but skip for a record of its default fixtures.
func defaultsOf(t *testing.T, base string, skip string) {
	t.Helper()
	checks := []struct {
		vendor, path, header, contains string
	}{
		{"360dialog", "/360dialog/api/v2/partners/examplePA", "X-API-Key: examplePA-api-key", `"brand_name":"360dialog"`},
		{"greenarrow", "/greenarrow/ga/api/v2/organizations/2", "Authorization: Basic MTpnYS1zeXN0ZW0tYWRtaW4tc2VjcmV0", `"name":"An Organization"`},
		{"loopmessage", "/loopmessage/api/v1/organizations/list/", "Authorization: lm-acme-default", `"name":"Acme Support"`},
		{"courier", "/courier/v1/organizations/", "Authorization: Bearer courier-admin-token", `"display-name":"Northwind Clinic"`},
	}
	for _, c := range checks {
		if c.vendor == skip {
			continue
		}
		status, body := get(t, base+c.path, c.header)
		assert.Equal(t, 200, status, c.vendor)
		assert.Contains(t, body, c.contains, "%s keeps its embedded fixtures", c.vendor)
	}
}

// A directory with one vendor's file replaces that vendor's fixtures only.
func TestFixturesDirectoryReplacesOnlyItsVendors(t *testing.T) {
	t.Run("greenarrow", func(t *testing.T) {
		dir := fixtureDir(t, map[string]string{
			"greenarrow.json": embedded(t, "greenarrow.json", `"name": "An Organization"`, `"name": "A Renamed Organization"`),
			"README.md":       "not a fixture: ignored",
		})
		base, _ := start(t, "-fixtures", dir)
		status, body := get(t, base+"/greenarrow/ga/api/v2/organizations/2", "Authorization: Basic MTpnYS1zeXN0ZW0tYWRtaW4tc2VjcmV0")
		assert.Equal(t, 200, status)
		assert.Contains(t, body, `"name":"A Renamed Organization"`)
		defaultsOf(t, base, "greenarrow")

		// A reset seeds from the same files.
		res, err := http.Post(base+"/_emulator/reset", "application/json", nil)
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, 200, res.StatusCode)
		_, body = get(t, base+"/greenarrow/ga/api/v2/organizations/2", "Authorization: Basic MTpnYS1zeXN0ZW0tYWRtaW4tc2VjcmV0")
		assert.Contains(t, body, `"name":"A Renamed Organization"`)
	})
	t.Run("courier from a file of another name", func(t *testing.T) {
		// courier-mine.json replaces the embedded courier.json, so the
		// embedded tokens are gone with it.
		dir := fixtureDir(t, map[string]string{
			"courier-mine.json": embedded(t, "courier.json", `"display-name": "Northwind Clinic"`, `"display-name": "Mine Clinic"`),
		})
		base, _ := start(t, "-fixtures", dir)
		status, body := get(t, base+"/courier/v1/organizations/", "Authorization: Bearer courier-admin-token")
		assert.Equal(t, 200, status)
		assert.Contains(t, body, `"display-name":"Mine Clinic"`)
		assert.NotContains(t, body, `Northwind Clinic`)
		defaultsOf(t, base, "courier")
	})
	t.Run("empty directory: every vendor's defaults", func(t *testing.T) {
		base, _ := start(t, "-fixtures", t.TempDir())
		defaultsOf(t, base, "")
	})
	t.Run("environment variable", func(t *testing.T) {
		dir := fixtureDir(t, map[string]string{
			"360dialog.json": embedded(t, "360dialog.json", `"brand_name": "360dialog"`, `"brand_name": "Env Brand"`),
		})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ready, errc := make(chan string, 1), make(chan error, 1)
		env := func(k string) string {
			if k == "EMULATOR_FIXTURES" {
				return dir
			}
			return ""
		}
		go func() { errc <- run(ctx, []string{"-addr", "127.0.0.1:0"}, env, ready, io.Discard, io.Discard) }()
		var addr string
		select {
		case addr = <-ready:
		case err := <-errc:
			t.Fatalf("run failed: %v", err)
		}
		_, body := get(t, "http://"+addr+"/360dialog/api/v2/partners/examplePA", "X-API-Key: examplePA-api-key")
		assert.Contains(t, body, `"brand_name":"Env Brand"`)
		defaultsOf(t, "http://"+addr, "360dialog")
		cancel()
		require.NoError(t, <-errc)
	})
}

// A bad fixture file stops the start with one line naming file, record and field.
func TestFixturesDirectoryErrorsStopTheStart(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"wrong type", map[string]string{"greenarrow.json": embedded(t, "greenarrow.json", `"name": "Second Org"`, `"name": 3`)},
			`fixtures: greenarrow.json: organizations[2] (id 3): field "name": must be a string, not number`},
		{"unknown field", map[string]string{"loopmessage.json": embedded(t, "loopmessage.json", `"name": "Acme Labs"`, `"nmae": "Acme Labs"`)},
			`fixtures: loopmessage.json: accounts[0] (id acme): organizations[2] (id 2d9a5b74-8f3c-4ea0-b142-5c7d9e1f3a03): unknown field "nmae"`},
		{"duplicate id", map[string]string{"360dialog.json": embedded(t, "360dialog.json", `"id": "cl00000002"`, `"id": "cl00000001"`)},
			`fixtures: 360dialog.json: clients[1] (id cl00000001): field "id": "cl00000001" is already used by clients[0]`},
		{"unknown courier type", map[string]string{"courier.json": embedded(t, "courier.json", `"type": "announcers"`, `"type": "announcer"`)},
			`fixtures: courier.json: resources[31] (id 70000000-0000-4000-8000-000000000001): field "type": unknown type "announcer"`},
		{"not JSON", map[string]string{"loopmessage.json": `{"plans": [`},
			`fixtures: loopmessage.json: not JSON: line 1, column 12: unexpected end of file`},
		{"a JSON file of no vendor", map[string]string{"loop.json": `{}`},
			`fixtures: loop.json: not a fixture file name (360dialog.json, courier*.json, greenarrow.json, loopmessage.json)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-fixtures", fixtureDir(t, tt.files)},
				func(string) string { return "" }, nil, io.Discard, io.Discard)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			assert.NotContains(t, err.Error(), "\n", "one line")
		})
	}
}

// A file edited into something invalid after the start fails the reset with
// its one line, and the state stays as it was.
func TestFixturesResetWithAFileGoneBad(t *testing.T) {
	dir := fixtureDir(t, map[string]string{
		"greenarrow.json": embedded(t, "greenarrow.json", `"name": "An Organization"`, `"name": "A Renamed Organization"`),
	})
	base, _ := start(t, "-fixtures", dir)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "greenarrow.json"),
		[]byte(embedded(t, "greenarrow.json", `"name": "An Organization"`, `"name": null`)), 0o600))
	res, err := http.Post(base+"/_emulator/reset", "application/json", nil)
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, http.StatusConflict, res.StatusCode)
	assert.JSONEq(t, `{"error": "fixtures: greenarrow.json: organizations[1] (id 2): field \"name\": must be a string, not null"}`, string(body))
	_, got := get(t, base+"/greenarrow/ga/api/v2/organizations/2", "Authorization: Basic MTpnYS1zeXN0ZW0tYWRtaW4tc2VjcmV0")
	assert.Contains(t, got, `"name":"A Renamed Organization"`)
}

// The examples of docs/fixtures.md (its ```json <file> blocks) load, all at once.
func TestFixturesDocsExamplesLoad(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "fixtures.md"))
	require.NoError(t, err)
	files := map[string]string{}
	for _, block := range strings.Split(string(doc), "```json ")[1:] {
		name, rest, _ := strings.Cut(block, "\n")
		body, _, found := strings.Cut(rest, "```")
		require.True(t, found, name)
		files[name] = body
	}
	require.Len(t, files, 4, "one example per vendor")
	base, _ := start(t, "-fixtures", fixtureDir(t, files))
	checks := []struct{ path, header, contains string }{
		{"/360dialog/api/v2/partners/myPA", "X-API-Key: myPA-api-key", `"brand_name":"Mine"`},
		{"/greenarrow/ga/api/v2/organizations/2", "Authorization: Basic MjphY21lLXNlY3JldA==", `"name":"Acme"`},
		{"/loopmessage/api/v1/organizations/list/", "Authorization: lm-my-key", `"name":"Acme Default"`},
		{"/courier/v1/organizations/", "Authorization: Bearer my-token", `"display-name":"My Clinic"`},
	}
	for _, c := range checks {
		status, body := get(t, base+c.path, c.header)
		assert.Equal(t, 200, status, c.path)
		assert.Contains(t, body, c.contains, c.path)
	}
}

package greenarrow_test

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/emutest"
	"github.com/emulator/vendor-emulator/internal/greenarrow"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

const base = "/greenarrow/ga/api/v2"

func basic(id, secret string) string {
	return "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

// The default credentials of the contract.
var (
	sysAdmin = basic("1", "ga-system-admin-secret")
	orgAdmin = basic("2", "ga-org2-admin-secret")
)

func newEnv(tb testing.TB) *emutest.Env {
	tb.Helper()
	return emutest.New(tb, []store.Schema{greenarrow.Schema()}, func(d server.Deps) []server.Vendor {
		return []server.Vendor{greenarrow.New(d)}
	})
}

// doc reads one of the docs' examples, kept verbatim in testdata.
func doc(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(tb, err)
	return string(b)
}

// envelope is the decoded GreenArrow envelope of a response.
type envelope struct {
	Success      bool            `json:"success"`
	Data         json.RawMessage `json:"data"`
	ErrorCode    *string         `json:"error_code"`
	ErrorMessage *string         `json:"error_message"`
}

func decode(tb testing.TB, body string) envelope {
	tb.Helper()
	var e envelope
	require.NoError(tb, json.Unmarshal([]byte(body), &e), body)
	return e
}

// requireError checks an error response: status, envelope and code.
func requireError(tb testing.TB, res emutest.Response, status int, code string) envelope {
	tb.Helper()
	require.Equal(tb, status, res.Status, res.Body)
	e := decode(tb, res.Body)
	require.False(tb, e.Success, res.Body)
	require.Equal(tb, "null", string(e.Data), res.Body)
	require.NotNil(tb, e.ErrorCode, res.Body)
	require.Equal(tb, code, *e.ErrorCode, res.Body)
	require.NotNil(tb, e.ErrorMessage, res.Body)
	require.NotEmpty(tb, *e.ErrorMessage)
	return e
}

func requireOK(tb testing.TB, res emutest.Response) envelope {
	tb.Helper()
	require.Equal(tb, 200, res.Status, res.Body)
	e := decode(tb, res.Body)
	require.True(tb, e.Success, res.Body)
	require.Nil(tb, e.ErrorCode)
	require.Nil(tb, e.ErrorMessage)
	return e
}

// field reads one member of a JSON object.
func field[T any](tb testing.TB, raw json.RawMessage, name string) T {
	tb.Helper()
	var m map[string]json.RawMessage
	require.NoError(tb, json.Unmarshal(raw, &m), string(raw))
	var v T
	require.Contains(tb, m, name, string(raw))
	require.NoError(tb, json.Unmarshal(m[name], &v))
	return v
}

// snapshot is every GreenArrow row, to show that a refused request changed nothing.
func snapshot(tb testing.TB, env *emutest.Env) string {
	tb.Helper()
	return env.Tables(tb, "ga_")
}

// exec runs a statement on the test's store, for states no API call makes.
func exec(tb testing.TB, env *emutest.Env, query string, args ...any) {
	tb.Helper()
	_, err := env.Deps.DB.Write().Exec(query, args...)
	require.NoError(tb, err)
}

// create makes an organization as the system administrator and returns its id.
func create(tb testing.TB, env *emutest.Env, body string) int64 {
	tb.Helper()
	res := env.Do(tb, "POST", base+"/organizations", body, sysAdmin)
	return field[int64](tb, requireOK(tb, res).Data, "id")
}

package catalog_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/courier/catalog"
)

// TestGeneratedIsCurrent runs the generator as `go generate` does, from the
// repository alone, and requires catalog_gen.go to be what it writes.
func TestGeneratedIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator with the go command")
	}
	out := filepath.Join(t.TempDir(), "catalog_gen.go")
	cmd := exec.Command("go", "run", "./gen", "-in", "courier-operations.json", "-out", out)
	msg, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", msg)
	want, err := os.ReadFile(out)
	require.NoError(t, err)
	got, err := os.ReadFile("catalog_gen.go")
	require.NoError(t, err)
	assert.True(t, string(want) == string(got), "catalog_gen.go is stale: run go generate ./internal/courier/catalog/")
}

func TestCatalogSize(t *testing.T) {
	ops := catalog.Operations()
	assert.Len(t, ops, 177)
	types := catalog.Types()
	for _, op := range ops {
		if op.Type != "" && op.Response != "plain object" {
			assert.Contains(t, types, op.Type, "%s answers a type the catalog lists", op.ID)
		}
	}
}

package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emulator/vendor-emulator/internal/store"
)

func TestIntScansWhatAnIntScans(t *testing.T) {
	t.Parallel()
	db := open(t, store.Memory)
	for query, want := range map[string]int{
		`SELECT 42`:                         42,
		`SELECT -7`:                         -7,
		`SELECT '12'`:                       12,
		`SELECT 3.0`:                        3,
		`SELECT count(*) FROM one_counters`: 1,
	} {
		var n int
		require.NoError(t, db.QueryRow(context.Background(), query).Scan((*store.Int)(&n)), query)
		assert.Equal(t, want, n, query)
	}
	var n int
	assert.Error(t, db.QueryRow(context.Background(), `SELECT 'x'`).Scan((*store.Int)(&n)))
	assert.Error(t, db.QueryRow(context.Background(), `SELECT NULL`).Scan((*store.Int)(&n)))
}

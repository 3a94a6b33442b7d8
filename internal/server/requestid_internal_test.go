package server

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSequentialID: the ids are what fmt.Sprintf("%s%012x") writes, the
// counter's last 12 hex digits included.
func TestSequentialID(t *testing.T) {
	t.Parallel()
	base := "5a77a72f-3e2a-4d53-8d03-"
	for _, n := range []uint64{0, 1, 0xabc, 0xffffffffffff, 0x1000000000000 + 7} {
		assert.Equal(t, fmt.Sprintf("%s%012x", base, n&0xffffffffffff), sequentialID(base, n), n)
	}
}

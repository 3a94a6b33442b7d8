package main

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The emulator asks the kernel for small pages only, whatever the process
// had before it started.
func TestHugePagesDisabledAtStart(t *testing.T) {
	_, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetTHPDisable, 0, 0)
	require.Zero(t, errno)
	require.False(t, hugePagesDisabled())
	start(t)
	assert.True(t, hugePagesDisabled())
}

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

// prGetTHPDisable is prctl's PR_GET_THP_DISABLE (linux/prctl.h).
const prGetTHPDisable = 42

// hugePagesDisabled reports whether the process's PR_SET_THP_DISABLE is set.
func hugePagesDisabled() bool {
	r, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prGetTHPDisable, 0, 0)
	return errno == 0 && r == 1
}

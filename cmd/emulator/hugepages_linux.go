//go:build linux

package main

import "syscall"

// prSetTHPDisable is prctl's PR_SET_THP_DISABLE (linux/prctl.h; the syscall
// package does not name it).
const prSetTHPDisable = 41

// noHugePages keeps the process's memory in pages of 4 KiB. A kernel that
// backs every anonymous mapping with transparent huge pages
// (/sys/kernel/mm/transparent_hugepage/enabled set to "always", the default
// of several distributions) makes a whole 2 MiB resident where the emulator
// touched a little of it: its Go heap, and each in-memory database in the
// buffer reserved for it (internal/store/memdb.go). Measured right after
// start with "always": 31.1 to 33.5 MiB resident before, 28.5 to 29.6 after
// (27.8 with "madvise"). PR_SET_THP_DISABLE applies to the mappings made
// before it too, but a huge page already made stays (the Go heap takes one
// before main runs), and it is kept across fork and exec.
func noHugePages() {
	// A kernel older than 3.15 refuses it: the pages stay as they were.
	syscall.RawSyscall(syscall.SYS_PRCTL, prSetTHPDisable, 1, 0)
}

//go:build !linux

package main

// noHugePages does nothing where transparent huge pages are Linux's alone.
func noHugePages() {}

// hugePagesDisabled is true: there are none to disable.
func hugePagesDisabled() bool { return true }

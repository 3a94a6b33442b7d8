//go:build !linux

package main

// noHugePages does nothing where transparent huge pages are Linux's alone.
func noHugePages() {}

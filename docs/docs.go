// Package docs holds the emulator's documentation pages (Markdown). They are
// embedded in the binary and served at /_emulator/docs/, so that the index
// page links to docs that match the running version, with no network.
package docs

import "embed"

// FS holds the pages at its root.
//
//go:embed *.md
var FS embed.FS

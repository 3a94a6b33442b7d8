// Package ids generates the identifiers and secrets vendors hand out.
// Handlers take a Generator so tests can make them deterministic.
package ids

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/google/uuid"
)

// Generator makes new ids. Implementations must be safe for concurrent use.
type Generator interface {
	UUID() string     // a lowercase RFC 4122 UUID
	Hex(n int) string // n random bytes as lowercase hex
}

// Random is the production generator, backed by crypto/rand.
type Random struct{}

// UUID implements Generator.
func (Random) UUID() string { return uuid.NewString() }

// Hex implements Generator.
func (Random) Hex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

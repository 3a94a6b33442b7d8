package fault

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// matchByRecursion is the plain definition of a path pattern: "**" tries
// every number of segments. Exponential, so only for checking match.
func matchByRecursion(pat []string, path string) bool {
	for i, p := range pat {
		if p == "**" {
			for {
				if matchByRecursion(pat[i+1:], path) {
					return true
				}
				if path == "" {
					return false
				}
				_, path = segment(path)
			}
		}
		if path == "" {
			return false
		}
		var seg string
		seg, path = segment(path)
		if p != "*" && p != seg {
			return false
		}
	}
	return path == ""
}

// TestMatchAgreesWithDefinition compares the greedy match with the
// definition on every pattern of up to four segments and every path of up
// to five, empty segments ("a//b") included.
func TestMatchAgreesWithDefinition(t *testing.T) {
	t.Parallel()
	pats := joins([]string{"a", "b", "*", "**", ""}, 4)
	paths := joins([]string{"a", "b", ""}, 5)
	for _, p := range pats {
		var segs []string
		if p != "" {
			segs = strings.Split(p, "/")
		}
		for _, path := range paths {
			if matchByRecursion(segs, path) != match(segs, path) {
				assert.Failf(t, "match disagrees", "pattern %q, path %q: want %v", "/"+p, path, matchByRecursion(segs, path))
			}
		}
	}
}

// joins returns every path of up to n segments drawn from segs, trimmed of
// its outer slashes as Set.Match and Set.checkPath trim them, without
// duplicates.
func joins(segs []string, n int) []string {
	seen := map[string]bool{"": true}
	level := []string{""}
	for range n {
		var next []string
		for _, prefix := range level {
			for _, s := range segs {
				p := s
				if prefix != "" {
					p = prefix + "/" + s
				}
				next = append(next, p)
				seen[strings.Trim(p, "/")] = true
			}
		}
		level = next
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	return out
}

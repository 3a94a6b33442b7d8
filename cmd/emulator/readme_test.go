package main

import (
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README is the front door: these tests keep it true.

const repoRoot = "../.."

func readRepoFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, name))
	require.NoError(t, err)
	return string(b)
}

// quickStart returns the code blocks of the README's "Quick start" section.
func quickStart(t *testing.T) []string {
	t.Helper()
	readme := readRepoFile(t, "README.md")
	_, section, ok := strings.Cut(readme, "\n## Quick start\n")
	require.True(t, ok, "the README has a Quick start section")
	section, _, _ = strings.Cut(section, "\n## ")
	blocks := regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(section, -1)
	require.Len(t, blocks, 2, "run and test, then one call per vendor")
	return []string{blocks[0][1], blocks[1][1]}
}

// TestReadmeCommandsAreTheOnesRun: the quick start's two commands come first,
// and the test command is the one CI and `make test` run.
func TestReadmeCommandsAreTheOnesRun(t *testing.T) {
	lines := strings.Split(strings.TrimSpace(quickStart(t)[0]), "\n")
	require.Len(t, lines, 2)
	assert.True(t, strings.HasPrefix(lines[0], "go run ./cmd/emulator "), lines[0])
	const testCmd = "go test -race -count=1 ./..."
	assert.True(t, strings.HasPrefix(lines[1], testCmd+" "), lines[1])
	assert.Contains(t, readRepoFile(t, ".ci/run"), "\n"+testCmd+"\n", "CI runs the README's test command")
	assert.Contains(t, readRepoFile(t, "Makefile"), "\t"+testCmd+"\n", "make test runs it too")
}

var curlRE = regexp.MustCompile(`^curl -s localhost:8080(\S+)(?: -H '([^']+)'| -u (\S+))$`)

// TestReadmeFirstCallsAnswer runs the quick start's call per vendor as written
// (only the port differs) and expects each to answer 200.
func TestReadmeFirstCallsAnswer(t *testing.T) {
	base, _ := start(t)
	calls := strings.Split(strings.TrimSpace(quickStart(t)[1]), "\n")
	prefixes := map[string]bool{}
	for _, line := range calls {
		m := curlRE.FindStringSubmatch(line)
		require.NotNil(t, m, "a plain curl call: %s", line)
		prefixes[strings.Split(m[1], "/")[1]] = true
		header := m[2]
		if m[3] != "" { // curl -u user:password
			header = "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(m[3]))
		}
		res, body := fetch(t, "GET", base+m[1], header)
		assert.Equal(t, 200, res.StatusCode, "%s: %s", line, body)
	}
	assert.Equal(t, map[string]bool{"loopmessage": true, "greenarrow": true, "360dialog": true, "courier": true}, prefixes)
}

var mdLinkRE = regexp.MustCompile(`\]\(([^)#\s]+)(#[^)]*)?\)`)

// TestReadmeStaysShortAndLinksResolve: about 300 lines at most (250 and the
// measured performance table the README must show), a table of
// contents whose anchors exist, and every relative link of the README and
// docs/ names a file of the repository.
func TestReadmeStaysShortAndLinksResolve(t *testing.T) {
	readme := readRepoFile(t, "README.md")
	assert.LessOrEqual(t, strings.Count(readme, "\n"), 300)
	for _, m := range regexp.MustCompile(`\]\(#([a-z0-9-]+)\)`).FindAllStringSubmatch(readme, -1) {
		heading := regexp.MustCompile(`(?m)^## (.+)$`).FindAllStringSubmatch(readme, -1)
		found := false
		for _, h := range heading {
			anchor := strings.ReplaceAll(strings.ToLower(h[1]), " ", "-")
			if anchor == m[1] {
				found = true
			}
		}
		assert.True(t, found, "table of contents entry #%s has a heading", m[1])
	}
	pages, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	require.NoError(t, err)
	for _, page := range append(pages, filepath.Join(repoRoot, "README.md")) {
		b, err := os.ReadFile(page)
		require.NoError(t, err)
		for _, m := range mdLinkRE.FindAllStringSubmatch(string(b), -1) {
			link := m[1]
			if strings.Contains(link, "://") || strings.HasPrefix(link, "mailto:") {
				continue
			}
			_, err := os.Stat(filepath.Join(filepath.Dir(page), link))
			assert.NoError(t, err, "%s links to %s", page, link)
		}
	}
}

// TestRepositoryStandsAlone: nothing in the repository refers to a folder
// outside it (the specification the team works from is not shipped).
func TestRepositoryStandsAlone(t *testing.T) {
	// The pattern is written so that it does not match this file itself.
	out, err := exec.Command("git", "-C", repoRoot, "grep", "-l", "-I", "-e", "[.][.]/shared").Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
			return // no match
		}
		t.Skipf("git grep unavailable: %v", err)
	}
	t.Errorf("files refer to the team's shared folder, outside the repository:\n%s", out)
}

package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type indexJSON struct {
	Vendors []struct {
		Name    string `json:"name"`
		BaseURL string `json:"base_url"`
		Docs    string `json:"docs"`
		Example struct {
			Method, Path, Header string
		} `json:"example"`
	} `json:"vendors"`
	ControlPlane []struct{ Name, URL string } `json:"control_plane"`
	Docs         []struct{ Name, URL string } `json:"docs"`
}

// TestIndexJSON: the facts of / as JSON, and every one of them works: each
// vendor's example call answers 200 at its base URL, and every link resolves.
func TestIndexJSON(t *testing.T) {
	base, _ := start(t)
	status, body := get(t, base+"/", "Accept: application/json")
	require.Equal(t, 200, status)
	var ix indexJSON
	require.NoError(t, json.Unmarshal([]byte(body), &ix), body)

	var names []string
	for _, v := range ix.Vendors {
		names = append(names, v.Name)
		assert.True(t, strings.HasPrefix(v.BaseURL, base+"/"), v.BaseURL)
		res, body := fetch(t, v.Example.Method, v.BaseURL+v.Example.Path, v.Example.Header)
		status := res.StatusCode
		assert.Equal(t, 200, status, "%s example: %s", v.Name, body)
		assert.NotEmpty(t, v.Docs, "%s has a docs page", v.Name)
	}
	assert.ElementsMatch(t, []string{"loopmessage", "greenarrow", "360dialog", "courier"}, names)
	require.NotEmpty(t, ix.ControlPlane)
	require.NotEmpty(t, ix.Docs)
	links := []string{}
	for _, l := range append(ix.ControlPlane, ix.Docs...) {
		links = append(links, l.URL)
	}
	for _, v := range ix.Vendors {
		links = append(links, v.Docs)
	}
	for _, l := range links {
		status, _ := get(t, l)
		assert.Equal(t, 200, status, l)
	}
}

var hrefRE = regexp.MustCompile(`href="([^"]+)"`)

// TestIndexHTML: a browser (and curl, which accepts anything) gets the page;
// every link on it resolves.
func TestIndexHTML(t *testing.T) {
	base, _ := start(t)
	for _, accept := range []string{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "*/*", ""} {
		res, body := fetch(t, "GET", base+"/", "Accept: "+accept)
		require.Equal(t, 200, res.StatusCode)
		assert.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
		for _, want := range []string{"LoopMessage", "GreenArrow", "360dialog", "courier", base + "/loopmessage", base + "/courier",
			"lm-acme-default", "ga-system-admin-secret", "examplePA-api-key", "courier-admin-token"} {
			assert.Contains(t, body, want)
		}
		checkLinks(t, base, body)
	}
	res, body := fetch(t, "HEAD", base+"/")
	assert.Equal(t, 200, res.StatusCode)
	assert.Empty(t, body)
}

// TestIndexInABrowser renders / in headless Chromium (Debian's chromium
// package; .ci/run installs it) and follows every link of the rendered DOM.
func TestIndexInABrowser(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (apt-get install chromium); .ci/run installs it")
	}
	base, _ := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--dump-dom", base+"/").Output()
	require.NoError(t, err)
	dom := string(out)
	for _, id := range []string{"loopmessage", "greenarrow", "360dialog", "courier", "control-plane", "docs"} {
		assert.Contains(t, dom, `<section id="`+id+`"`)
	}
	assert.Contains(t, dom, `<code class="base-url">`+base+`/360dialog</code>`)
	checkLinks(t, base, dom)
}

func checkLinks(t *testing.T, base, page string) {
	t.Helper()
	links := hrefRE.FindAllStringSubmatch(page, -1)
	require.NotEmpty(t, links)
	for _, m := range links {
		status, _ := get(t, m[1])
		assert.Equal(t, 200, status, m[1])
		assert.True(t, strings.HasPrefix(m[1], base+"/"), "links stay on the emulator: %s", m[1])
	}
}

// fetch is one request with headers ("Name: value"; an empty value sends
// none): the response and its body.
func fetch(t *testing.T, method, url string, headers ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(b)
}

// TestDocsPages: the embedded pages are listed and served as plain text (a
// browser shows Markdown so); anything else is the control plane's 404.
func TestDocsPages(t *testing.T) {
	base, _ := start(t)
	status, body := get(t, base+"/_emulator/docs/")
	require.Equal(t, 200, status)
	assert.Contains(t, body, `{"name":"courier.md","url":"/_emulator/docs/courier.md"}`)
	res, page := fetch(t, "GET", base+"/_emulator/docs/courier.md")
	assert.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "text/plain; charset=utf-8", res.Header.Get("Content-Type"))
	assert.True(t, strings.HasPrefix(page, "# courier"), page[:min(len(page), 80)])
	for _, name := range []string{"nope.md", "docs.go", "..%2Fgo.mod"} {
		status, body := get(t, base+"/_emulator/docs/"+name)
		assert.Equal(t, 404, status, name)
		assert.Contains(t, body, `"error":"no such documentation page`, name)
	}
}

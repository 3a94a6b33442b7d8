package server

import (
	"html/template"
	"io/fs"
	"net/http"
	"strings"

	"github.com/emulator/vendor-emulator/internal/control"
	"github.com/emulator/vendor-emulator/internal/httpx"
	"github.com/emulator/vendor-emulator/internal/world"
)

// index is what GET / tells a newcomer: every vendor, where it is served and
// with which credentials, and where the control plane and the docs are.
type index struct {
	Name         string        `json:"name"`
	Version      string        `json:"version"`
	Vendors      []indexVendor `json:"vendors"`
	ControlPlane []link        `json:"control_plane"`
	Docs         []link        `json:"docs"`
}

type indexVendor struct {
	Name        string       `json:"name"`
	Title       string       `json:"title"`
	Prefix      string       `json:"prefix"`
	BaseURL     string       `json:"base_url"` // what to configure in a client
	Replaces    string       `json:"replaces"`
	Credentials []Credential `json:"credentials"`
	Example     Example      `json:"example"`
	Curl        string       `json:"curl"`
	Docs        string       `json:"docs,omitempty"`
}

type link struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// indexHandler answers GET / with HTML for a browser and JSON for a client
// that asks for it (Accept: application/json without text/html). The root
// routes by path alone (mounts), so the method is checked here. In a
// world other than the default one, every URL it gives is the world's.
func indexHandler(version, worldID string, vendors []Vendor, docs fs.FS, onErr httpx.ErrorWriter) http.HandlerFunc {
	pages := control.DocPages(docs)
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			onErr(w, r, &control.Error{Status: http.StatusMethodNotAllowed, Msg: "method " + r.Method + " not allowed on /: GET it"})
			return
		}
		base := httpx.Origin(r)
		if worldID != "" && worldID != world.Default {
			base += "/w/" + worldID
		}
		ix := index{Name: "vendor-emulator", Version: version, Vendors: []indexVendor{}, Docs: []link{},
			ControlPlane: []link{
				{"health", base + "/_emulator/health"},
				{"request journal", base + "/_emulator/requests"},
				{"clock", base + "/_emulator/clock"},
				{"worlds", base + "/_emulator/worlds"},
				{"state", base + "/_emulator/state"},
				{"faults", base + "/_emulator/faults"},
				{"webhooks", base + "/_emulator/webhooks"},
				{"docs", base + "/_emulator/docs/"},
			}}
		for _, v := range vendors {
			a := v.About()
			iv := indexVendor{Name: v.Name(), Title: a.Title, Prefix: v.Prefix(), BaseURL: base + v.Prefix(),
				Replaces: a.Replaces, Credentials: a.Credentials, Example: a.Example,
				Curl: "curl -s " + shellQuote(base+v.Prefix()+a.Example.Path) + " -H " + shellQuote(a.Example.Header)}
			if a.Example.Method != http.MethodGet {
				iv.Curl = "curl -s -X " + a.Example.Method + strings.TrimPrefix(iv.Curl, "curl -s")
			}
			for _, p := range pages {
				if p == v.Name()+".md" {
					iv.Docs = base + "/_emulator/docs/" + p
				}
			}
			ix.Vendors = append(ix.Vendors, iv)
		}
		for _, p := range pages {
			ix.Docs = append(ix.Docs, link{strings.TrimSuffix(p, ".md"), base + "/_emulator/docs/" + p})
		}
		accept := r.Header.Get("Accept")
		if strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/html") {
			httpx.WriteJSON(w, http.StatusOK, "", ix)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = indexPage.Execute(w, ix)
	}
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

var indexPage = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>vendor-emulator</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
code, pre { font: 13px ui-monospace, monospace; background: #f4f4f4; }
pre { padding: .5rem; overflow-x: auto; }
table { border-collapse: collapse; } td, th { text-align: left; padding: .2rem .8rem .2rem 0; vertical-align: top; }
section { border-top: 1px solid #ddd; margin-top: 1.5rem; }
</style>
</head>
<body>
<h1>vendor-emulator <small>{{.Version}}</small></h1>
<p>Four vendors' HTTP APIs on one port. Point your client at the base URL below instead of the real one; every path
below it is the vendor's own.</p>
{{range .Vendors}}
<section id="{{.Name}}">
<h2>{{.Title}}</h2>
<table>
<tr><th>base URL</th><td><code class="base-url">{{.BaseURL}}</code></td></tr>
<tr><th>replaces</th><td><code>{{.Replaces}}</code></td></tr>
{{range .Credentials}}<tr><th>credential</th><td><code>{{.Send}}</code> — {{.Means}}</td></tr>
{{end}}</table>
<p>Try it:</p>
<pre>{{.Curl}}</pre>
{{if .Docs}}<p><a href="{{.Docs}}">{{.Title}}: endpoints and notes on fidelity</a></p>{{end}}
</section>
{{end}}
<section id="control-plane">
<h2>Control plane</h2>
<ul>{{range .ControlPlane}}<li><a href="{{.URL}}">{{.Name}}</a></li>{{end}}</ul>
</section>
<section id="docs">
<h2>Docs</h2>
<ul>{{range .Docs}}<li><a href="{{.URL}}">{{.Name}}</a></li>{{end}}</ul>
</section>
</body>
</html>
`))

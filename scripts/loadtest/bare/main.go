// Command bare is the load test's ceiling: a bare net/http server with no
// router, store or middleware. With -dir it serves, for GET /<name>, the bytes
// of file <name> of that directory (read once at start; 404 for other paths),
// so scripts/loadtest/run.sh can save each emulator answer to a file and
// measure the ceiling for exactly those bytes. Without -dir it writes the same
// bytes as GET /360dialog/api/v2/partners/examplePA at every path.
package main

import (
	"flag"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

const partner = `{"id":"examplePA","brand_name":"360dialog","payment_required":true,"logo_url":"https://storage.com/logo.png","onboarding_deeplink_add_params":false,"webhook_url":"https://yourwebsite.com/webhook","partner_redirect_url":"https://yourwebsite.com/redirect","country":"US","blocked_new_submission":false,"allow_client_to_add_phone_no":true,"settings":null,"billing_system":"stripe","publishable_key":null}`

func main() {
	addr := flag.String("addr", "127.0.0.1:18481", "listen address")
	dir := flag.String("dir", "", "serve /<name> from file <name> of this directory")
	flag.Parse()

	bodies := map[string][]byte{}
	if *dir != "" {
		entries, err := os.ReadDir(*dir)
		if err != nil {
			log.Fatal(err)
		}
		for _, e := range entries {
			if e.Type().IsRegular() {
				b, err := os.ReadFile(filepath.Join(*dir, e.Name()))
				if err != nil {
					log.Fatal(err)
				}
				bodies["/"+e.Name()] = b
			}
		}
	}
	log.Fatal(http.ListenAndServe(*addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := []byte(partner)
		if *dir != "" {
			b, ok := bodies[strings.TrimSuffix(r.URL.Path, "/")]
			if !ok {
				http.NotFound(w, r)
				return
			}
			body = b
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})))
}

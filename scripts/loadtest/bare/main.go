// Command bare is the load test's baseline: a bare net/http server that writes
// the same bytes as GET /360dialog/api/v2/partners/examplePA, with no router,
// store or middleware. scripts/loadtest/run.sh compares the emulator with it.
package main

import (
	"flag"
	"log"
	"net/http"
)

const body = `{"id":"examplePA","brand_name":"360dialog","payment_required":true,"logo_url":"https://storage.com/logo.png","onboarding_deeplink_add_params":false,"webhook_url":"https://yourwebsite.com/webhook","partner_redirect_url":"https://yourwebsite.com/redirect","country":"US","blocked_new_submission":false,"allow_client_to_add_phone_no":true,"settings":null,"billing_system":"stripe","publishable_key":null}`

func main() {
	addr := flag.String("addr", "127.0.0.1:18481", "listen address")
	flag.Parse()
	log.Fatal(http.ListenAndServe(*addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	})))
}

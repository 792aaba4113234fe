// Command starter is the dashboard's entry point. `starter serve` runs the
// HTTP JSON API that starts and signals the integration's workflows; every
// other command is a client of that API, for admins and scripts:
//
//	starter org create --name Acme           (needs OPERATOR_TOKEN)
//	starter location add --name "HQ Mailroom"
//	starter sso enable
//	starter directory enable --domain acme.okta.com --saml-app-id 0oa… \
//	    --client-id 0oa… --jwk-file key.json
//	starter sync --wait
//
// Client commands read MAILROOM_API_URL, MAILROOM_ORG_ID and
// MAILROOM_API_TOKEN (or the matching flags).
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := newRoot().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

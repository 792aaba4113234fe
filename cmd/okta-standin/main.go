// Command okta-standin serves an in-memory Okta org over HTTPS, for the
// demo and for trying the product by hand. It speaks Okta's token endpoint
// and the management API calls a directory sync makes (see package
// oktastandin), plus the stand-in's own admin API under /__standin/.
//
// At start it generates a directory (or loads a JSON fixture), registers
// one API Services app and one SAML app, writes a self-signed certificate
// for clients to trust and, unless told to reuse a key, the service app's
// private JWK: the key an admin would paste into the product's settings.
// It then prints one JSON line to stdout with the org URL, the domain, the
// client id and the SAML app id, and serves until SIGINT or SIGTERM.
//
//	okta-standin --addr 127.0.0.1:8443 --users 500 --groups 12 \
//	  --cert-out standin.pem --private-jwk-out standin-key.json
//
// A restart with --public-jwk standin-key.json keeps the same key.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/mailroom/oktasync/oktastandin"
)

// Stable defaults, so that a demo's settings survive restarts.
const (
	defaultClientID  = "0oastandinclient0001"
	defaultSAMLAppID = "0oastandinsamlapp001"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		slog.New(slog.NewJSONHandler(os.Stderr, nil)).Error("okta stand-in failed", "err", err)
		os.Exit(1)
	}
}

// config is the command line.
type config struct {
	addr          string
	hosts         hostList
	certOut       string
	fixture       string
	users         int
	groups        int
	largeGroup    int
	seed          uint64
	clientID      string
	samlAppID     string
	samlAppIDSet  bool
	scopes        string
	dpopRequired  bool
	noAdminRole   bool
	enforceLimits bool
	latency       time.Duration
	privateJWKOut string
	publicJWK     string
	verbose       bool
}

// hostList is a repeatable flag.
type hostList []string

// String lists the hosts for flag's usage text.
func (h *hostList) String() string { return strings.Join(*h, ",") }

// Set adds one host per use of the flag.
func (h *hostList) Set(v string) error {
	*h = append(*h, v)
	return nil
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("okta-standin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8443", "`host:port` to listen on")
	fs.Var(&c.hosts, "host", "extra certificate `name` or IP, repeatable (127.0.0.1 and "+
		"localhost are always included)")
	fs.StringVar(&c.certOut, "cert-out", "okta-standin.pem", "`path` to write the TLS "+
		"certificate's PEM to, for clients to trust")
	fs.StringVar(&c.fixture, "fixture", "", "JSON fixture `file` to load instead of generating")
	fs.IntVar(&c.users, "users", 200, "users to generate")
	fs.IntVar(&c.groups, "groups", 8, "groups to generate")
	fs.IntVar(&c.largeGroup, "large-group", 0, "make the first generated group this large")
	fs.Uint64Var(&c.seed, "seed", 1, "generator seed")
	fs.StringVar(&c.clientID, "client-id", defaultClientID, "the service app's client `id`")
	fs.StringVar(&c.samlAppID, "saml-app-id", defaultSAMLAppID, "the generated SAML app's `id`")
	fs.StringVar(&c.scopes, "scopes", strings.Join(oktastandin.AllReadScopes, ","),
		"scopes granted to the service app, comma- or space-separated")
	fs.BoolVar(&c.dpopRequired, "dpop-required", false, "require DPoP, as new Okta apps do")
	fs.BoolVar(&c.noAdminRole, "no-admin-role", false, "leave the service app without an "+
		"admin role")
	fs.BoolVar(&c.enforceLimits, "enforce-rate-limits", false, "answer 429 once a bucket is spent")
	fs.DurationVar(&c.latency, "latency", 0, "latency added to every response")
	fs.StringVar(&c.privateJWKOut, "private-jwk-out", "okta-standin-key.json", "`path` to "+
		"write a new private JWK to (mode 0600)")
	fs.StringVar(&c.publicJWK, "public-jwk", "", "register the key(s) in this JWK or JWK set "+
		"`file` instead of generating one; a private JWK's public half is used")
	fs.BoolVar(&c.verbose, "verbose", false, "log every request")

	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	fs.Visit(func(f *flag.Flag) { c.samlAppIDSet = c.samlAppIDSet || f.Name == "saml-app-id" })
	return c, nil
}

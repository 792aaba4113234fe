package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/mailroom/oktasync/oktastandin"
)

// ready is the line printed to stdout once the stand-in listens.
type ready struct {
	URL        string `json:"url"`
	Domain     string `json:"domain"`
	ClientID   string `json:"client_id"`
	SAMLAppID  string `json:"saml_app_id"`
	Cert       string `json:"cert,omitempty"`
	PrivateJWK string `json:"private_jwk,omitempty"`
	AdminURL   string `json:"admin_url"`
}

// run sets the stand-in up from the command line and serves until ctx is
// done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if cfg.verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))

	srv := oktastandin.New(oktastandin.Options{
		Latency: cfg.latency, EnforceRateLimits: cfg.enforceLimits, Logger: logger,
	})
	samlAppID, err := loadDirectory(srv, cfg)
	if err != nil {
		return err
	}
	keyOut, err := addServiceApp(srv, cfg)
	if err != nil {
		return err
	}
	return serve(ctx, srv, cfg, ready{ClientID: cfg.clientID, SAMLAppID: samlAppID,
		PrivateJWK: keyOut}, stdout, logger)
}

// loadDirectory fills the server from the fixture file or the generator and
// returns the SAML app's id.
func loadDirectory(srv *oktastandin.Server, cfg config) (string, error) {
	var f *oktastandin.Fixture
	if cfg.fixture == "" {
		f = oktastandin.Generate(oktastandin.GenOptions{
			Seed: cfg.seed, Users: cfg.users, Groups: cfg.groups,
			LargeGroupSize: cfg.largeGroup, Everyone: true, SAMLAppID: cfg.samlAppID,
		})
	} else {
		var err error
		if f, err = readFixture(cfg.fixture); err != nil {
			return "", err
		}
	}
	if err := srv.Load(f); err != nil {
		return "", err
	}

	id := f.SAMLAppID()
	if cfg.samlAppIDSet && cfg.samlAppID != id {
		return "", fmt.Errorf("load fixture: its SAML app is %q, not %q", id, cfg.samlAppID)
	}
	return id, nil
}

func readFixture(path string) (*oktastandin.Fixture, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open fixture: %w", err)
	}
	defer file.Close()
	return oktastandin.LoadFixture(file)
}

// addServiceApp registers the service app with the given public key, or
// with a new key whose private half it writes; it returns the path written.
func addServiceApp(srv *oktastandin.Server, cfg config) (string, error) {
	keys, written, err := serviceAppKeys(cfg)
	if err != nil {
		return "", err
	}
	err = srv.AddServiceApp(oktastandin.ServiceApp{
		ClientID:      cfg.clientID,
		Label:         "Mailroom directory sync",
		Keys:          keys,
		GrantedScopes: strings.FieldsFunc(cfg.scopes, isScopeSeparator),
		DPoPRequired:  cfg.dpopRequired,
		AdminRole:     !cfg.noAdminRole,
	})
	return written, err
}

func isScopeSeparator(r rune) bool { return r == ',' || r == ' ' }

func serviceAppKeys(cfg config) (jwk.Set, string, error) {
	if cfg.publicJWK != "" {
		keys, err := readPublicKeys(cfg.publicJWK)
		return keys, "", err
	}
	key, err := oktastandin.NewRSAKey("")
	if err != nil {
		return nil, "", err
	}
	if err := writePrivateJWK(cfg.privateJWKOut, key); err != nil {
		return nil, "", err
	}
	keys, err := oktastandin.PublicKeys(key)
	return keys, cfg.privateJWKOut, err
}

// readPublicKeys reads a JWK or a JWK set; private keys give their public
// halves, so the file written by --private-jwk-out serves on a restart.
func readPublicKeys(path string) (jwk.Set, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read public jwk: %w", err)
	}
	set, err := jwk.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("parse public jwk %s: %w", path, err)
	}
	var keys []jwk.Key
	for i := range set.Len() {
		k, _ := set.Key(i)
		if k.KeyID() == "" {
			return nil, fmt.Errorf("parse public jwk %s: key %d has no kid", path, i)
		}
		keys = append(keys, k)
	}
	return oktastandin.PublicKeys(keys...)
}

func writePrivateJWK(path string, key jwk.Key) error {
	if path == "" {
		return fmt.Errorf("write private jwk: pass --private-jwk-out or --public-jwk")
	}
	b, err := json.MarshalIndent(key, "", "  ")
	if err != nil {
		return fmt.Errorf("encode private jwk: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write private jwk: %w", err)
	}
	// WriteFile keeps the mode of an existing file; a key must not stay
	// readable by others.
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Errorf("write private jwk: %w", err)
	}
	return nil
}

// serve listens, writes the certificate, prints the ready line and serves
// until ctx is done.
func serve(ctx context.Context, srv *oktastandin.Server, cfg config, r ready,
	stdout io.Writer, logger *slog.Logger) error {
	cert, certPEM, err := oktastandin.SelfSignedCert(cfg.hosts)
	if err != nil {
		return err
	}
	if cfg.certOut != "" {
		if err := os.WriteFile(cfg.certOut, certPEM, 0o644); err != nil {
			return fmt.Errorf("write certificate: %w", err)
		}
		r.Cert = cfg.certOut
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}

	r.Domain = domainOf(ln.Addr())
	r.URL = "https://" + r.Domain
	r.AdminURL = r.URL + "/__standin/"
	if err := json.NewEncoder(stdout).Encode(r); err != nil {
		_ = ln.Close()
		return fmt.Errorf("print ready line: %w", err)
	}
	logger.Info("okta stand-in ready", "url", r.URL, "client_id", r.ClientID,
		"saml_app_id", r.SAMLAppID, "hosts", cfg.hosts.String())

	err = srv.ServeTLS(ctx, ln, cert)
	logger.Info("okta stand-in stopped")
	return err
}

// domainOf is what an admin would paste: the listening port on 127.0.0.1
// when listening on every interface.
func domainOf(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String()
	}
	if tcp.IP.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", fmt.Sprint(tcp.Port))
	}
	return tcp.String()
}

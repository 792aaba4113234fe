package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/mailroom/oktasync/oktastandin"
)

// standin is a running command.
type standin struct {
	ready  ready
	client *http.Client
	done   chan error
	stop   context.CancelFunc
}

// start runs the command with args and waits for its ready line.
func start(t *testing.T, args ...string) *standin {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, outW := io.Pipe()
	s := &standin{done: make(chan error, 1), stop: cancel}
	go func() {
		s.done <- run(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), outW, io.Discard)
		outW.Close()
	}()
	t.Cleanup(func() { s.shutdown(t) })

	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("read ready line: %v (run: %v)", err, <-s.done)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	if err := json.Unmarshal([]byte(line), &s.ready); err != nil {
		t.Fatalf("ready line %q: %v", line, err)
	}
	s.client = trusting(t, s.ready.Cert)
	return s
}

func (s *standin) shutdown(t *testing.T) {
	s.stop()
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("run returned %v after cancel, want nil", err)
		}
		s.done <- nil
	case <-time.After(10 * time.Second):
		t.Errorf("run did not return after cancel")
	}
}

// trusting returns a client that trusts the certificate in pemPath.
func trusting(t *testing.T, pemPath string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(pemPath)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("no certificate in %s", pemPath)
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool},
	}}
}

// token mints a token with the private JWK in keyPath.
func (s *standin) token(t *testing.T, keyPath string) (int, string) {
	t.Helper()
	b, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	key, err := jwk.ParseKey(b)
	if err != nil {
		t.Fatal(err)
	}
	tokenURL := s.ready.URL + "/oauth2/v1/token"
	assertion, err := oktastandin.ClientAssertion(key, s.ready.ClientID, tokenURL, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.client.PostForm(tokenURL, url.Values{
		"grant_type": {"client_credentials"}, "scope": {"okta.users.read okta.apps.read"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.AccessToken
}

func (s *standin) get(t *testing.T, token, path string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.ready.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestServesGeneratedOrgWithNewKey(t *testing.T) {
	dir := t.TempDir()
	keyPath, certPath := filepath.Join(dir, "key.json"), filepath.Join(dir, "ca.pem")
	s := start(t, "--users", "30", "--groups", "2", "--cert-out", certPath,
		"--private-jwk-out", keyPath, "--host", "okta-standin")

	if s.ready.ClientID != defaultClientID || s.ready.SAMLAppID != defaultSAMLAppID ||
		!strings.HasPrefix(s.ready.Domain, "127.0.0.1:") || s.ready.PrivateJWK != keyPath {
		t.Errorf("ready line = %+v", s.ready)
	}
	if info, err := os.Stat(keyPath); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("private JWK file mode = %v (%v), want 0600", info.Mode(), err)
	}

	status, tok := s.token(t, keyPath)
	if status != http.StatusOK {
		t.Fatalf("token status = %d, want 200", status)
	}
	if status, body := s.get(t, tok, "/api/v1/apps/"+s.ready.SAMLAppID); status != 200 ||
		!strings.Contains(string(body), `"signOnMode":"SAML_2_0"`) {
		t.Errorf("GET SAML app = %d %s", status, body)
	}
	if status, body := s.get(t, "", "/__standin/"); status != 200 ||
		!strings.Contains(string(body), `"users":30`) {
		t.Errorf("admin summary = %d %s, want 30 users", status, body)
	}
}

func TestRestartKeepsKey(t *testing.T) {
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "key.json")
	first := start(t, "--users", "5", "--cert-out", filepath.Join(dir, "a.pem"),
		"--private-jwk-out", keyPath)
	first.shutdown(t)

	second := start(t, "--users", "5", "--cert-out", filepath.Join(dir, "b.pem"),
		"--public-jwk", keyPath, "--no-admin-role")
	status, tok := second.token(t, keyPath)
	if status != http.StatusOK {
		t.Fatalf("token with the kept key = %d, want 200", status)
	}
	if status, body := second.get(t, tok, "/api/v1/users"); status != 403 ||
		!strings.Contains(string(body), "E0000006") {
		t.Errorf("users without an admin role = %d %s, want 403 E0000006", status, body)
	}
}

func TestLoadsFixture(t *testing.T) {
	dir := t.TempDir()
	f := oktastandin.Generate(oktastandin.GenOptions{Seed: 3, Users: 12, Groups: 1})
	fixturePath := filepath.Join(dir, "org.json")
	file, err := os.Create(fixturePath)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.WriteJSON(file); err != nil {
		t.Fatal(err)
	}
	file.Close()

	s := start(t, "--fixture", fixturePath, "--cert-out", filepath.Join(dir, "ca.pem"),
		"--private-jwk-out", filepath.Join(dir, "key.json"))
	if s.ready.SAMLAppID != f.SAMLAppID() {
		t.Errorf("saml_app_id = %q, want the fixture's %q", s.ready.SAMLAppID, f.SAMLAppID())
	}

	err = run(context.Background(), []string{"--fixture", fixturePath, "--saml-app-id",
		"0oaother", "--private-jwk-out", filepath.Join(dir, "k2.json")}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "0oaother") {
		t.Errorf("run with a SAML app id the fixture lacks = %v, want an error naming it", err)
	}
}

func TestRejectsBadFlags(t *testing.T) {
	dir := t.TempDir()
	tests := [][]string{
		{"--users", "many"},
		{"stray"},
		{"--public-jwk", filepath.Join(dir, "missing.json")},
		{"--fixture", filepath.Join(dir, "missing.json")},
		{"--private-jwk-out", ""},
	}
	for _, args := range tests {
		if err := run(context.Background(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("run(%q) = nil, want an error", args)
		}
	}
}

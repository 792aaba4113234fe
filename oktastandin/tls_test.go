package oktastandin_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/mailroom/oktasync/oktastandin"
)

func TestSelfSignedCertNamesHosts(t *testing.T) {
	t.Parallel()
	_, certPEM, err := oktastandin.SelfSignedCert([]string{"okta-standin", "10.0.0.7"})
	if err != nil {
		t.Fatal(err)
	}
	cert := parseCert(t, certPEM)
	for _, name := range []string{"okta-standin", "localhost"} {
		if err := cert.VerifyHostname(name); err != nil {
			t.Errorf("VerifyHostname(%q) = %v, want nil", name, err)
		}
	}
	for _, ip := range []string{"127.0.0.1", "::1", "10.0.0.7"} {
		if !slices.ContainsFunc(cert.IPAddresses, net.ParseIP(ip).Equal) {
			t.Errorf("certificate IPs %v lack %s", cert.IPAddresses, ip)
		}
	}
}

func parseCert(t *testing.T, certPEM []byte) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode(certPEM)
	if block == nil {
		t.Fatal("no PEM block")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func TestListenAndServeTLS(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	certOut := filepath.Join(t.TempDir(), "ca.pem")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- oktastandin.New(oktastandin.Options{}).ListenAndServeTLS(ctx, addr, nil, certOut)
	}()
	client := waitForTLS(t, addr, certOut)
	resp, err := client.Get("https://" + addr + "/__standin/")
	if err != nil {
		t.Fatalf("GET admin summary: %v", err)
	}
	resp.Body.Close()

	cancel()
	if err := <-done; err != nil {
		t.Errorf("ListenAndServeTLS after cancel = %v, want nil", err)
	}
}

// waitForTLS waits for the certificate file and a listening port and
// returns a client trusting the certificate.
func waitForTLS(t *testing.T, addr, certOut string) *http.Client {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		// The certificate is written before the port listens.
		if conn, err := net.Dial("tcp", addr); err == nil {
			conn.Close()
			certPEM, err := os.ReadFile(certOut)
			if err != nil {
				t.Fatal(err)
			}
			return newTrustingClient(t, certPEM)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("stand-in did not start on %s", addr)
	return nil
}

func newTrustingClient(t *testing.T, certPEM []byte) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(certPEM) {
		t.Fatal("certificate not added to pool")
	}
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool},
	}}
}

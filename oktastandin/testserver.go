package oktastandin

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwk"
)

// TestServer is a Server listening on a loopback TLS port for a test's
// duration.
type TestServer struct {
	*Server
	// URL is the org URL, "https://127.0.0.1:port".
	URL string
	// Domain is what an admin would paste as the Okta domain,
	// "127.0.0.1:port".
	Domain string
	// HTTP is the underlying test server.
	HTTP *httptest.Server
}

// NewTestServer starts a stand-in on httptest's TLS server and closes it
// when the test ends.
func NewTestServer(t testing.TB, opts Options) *TestServer {
	t.Helper()
	s := New(opts)
	hs := httptest.NewTLSServer(s)
	t.Cleanup(hs.Close)
	return &TestServer{
		Server: s,
		URL:    hs.URL,
		Domain: strings.TrimPrefix(hs.URL, "https://"),
		HTTP:   hs,
	}
}

// Client returns an HTTP client that trusts the server's certificate.
func (ts *TestServer) Client() *http.Client { return ts.HTTP.Client() }

// TokenURL is the org authorization server's token endpoint, the audience
// of client assertions.
func (ts *TestServer) TokenURL() string { return ts.URL + "/oauth2/v1/token" }

// AllReadScopes are the scopes a directory sync needs.
var AllReadScopes = []string{ScopeUsersRead, ScopeGroupsRead, ScopeAppsRead}

// NewServiceApp registers a service app with a fresh RSA key, the read
// scopes and an admin role, and returns its client id and private key.
func (ts *TestServer) NewServiceApp(t testing.TB) (string, jwk.Key) {
	t.Helper()
	key, err := NewRSAKey("")
	if err != nil {
		t.Fatalf("NewRSAKey: %v", err)
	}
	keys, err := PublicKeys(key)
	if err != nil {
		t.Fatalf("PublicKeys: %v", err)
	}
	app := ServiceApp{
		ClientID:      NewAppID(),
		Keys:          keys,
		GrantedScopes: AllReadScopes,
		AdminRole:     true,
	}
	if err := ts.AddServiceApp(app); err != nil {
		t.Fatalf("AddServiceApp: %v", err)
	}
	return app.ClientID, key
}

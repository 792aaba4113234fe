package oktastandin_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/okta/okta-sdk-golang/v2/okta"

	"github.com/mailroom/oktasync/oktastandin"
)

// org is a running stand-in with one service app.
type org struct {
	*oktastandin.TestServer
	clientID string
	key      jwk.Key
}

func newOrg(t *testing.T, opts oktastandin.Options) *org {
	t.Helper()
	ts := oktastandin.NewTestServer(t, opts)
	clientID, key := ts.NewServiceApp(t)
	return &org{TestServer: ts, clientID: clientID, key: key}
}

// tokenResponse is the token endpoint's answer, success or failure.
type tokenResponse struct {
	status      int
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// postToken sends a token request with the given assertion and headers.
func (o *org) postToken(t *testing.T, assertion, scope string, header http.Header) tokenResponse {
	t.Helper()
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"scope":                 {scope},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion},
	}
	req, err := http.NewRequest(http.MethodPost, o.TokenURL(), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := o.Client().Do(req)
	if err != nil {
		t.Fatalf("token request: %v", err)
	}
	defer resp.Body.Close()
	var tr tokenResponse
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil {
		t.Fatalf("decode token response: %v", err)
	}
	tr.status = resp.StatusCode
	return tr
}

// token mints a token for the org's service app through the token endpoint.
func (o *org) token(t *testing.T, scopes ...string) string {
	t.Helper()
	if len(scopes) == 0 {
		scopes = oktastandin.AllReadScopes
	}
	assertion, err := oktastandin.ClientAssertion(o.key, o.clientID, o.TokenURL(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tr := o.postToken(t, assertion, strings.Join(scopes, " "), nil)
	if tr.status != http.StatusOK {
		t.Fatalf("token: %d %s: %s", tr.status, tr.Error, tr.Description)
	}
	return tr.AccessToken
}

// sdk returns the real Okta SDK client, configured as the product does:
// bearer token, no cache, the stand-in's TLS client.
func (o *org) sdk(t *testing.T, token string, extra ...okta.ConfigSetter) *okta.Client {
	t.Helper()
	opts := append([]okta.ConfigSetter{
		okta.WithOrgUrl(o.URL),
		okta.WithToken(token),
		okta.WithAuthorizationMode("Bearer"),
		okta.WithCache(false),
		okta.WithHttpClientPtr(o.Client()),
		okta.WithRateLimitMaxRetries(2),
	}, extra...)
	_, c, err := okta.NewClient(context.Background(), opts...)
	if err != nil {
		t.Fatalf("okta.NewClient: %v", err)
	}
	return c
}

// get fetches a path with a bearer token and returns the response and body.
func (o *org) get(t *testing.T, token, path string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, o.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := o.Client().Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return resp, body
}

// fakeClock is a settable clock near the wall clock, so that assertions
// signed with time.Now still verify.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Now().Truncate(time.Millisecond)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// putActiveUsers stores n ACTIVE users and returns their ids.
func putActiveUsers(s *oktastandin.Server, n int) []string {
	ids := make([]string, n)
	for i := range n {
		login := "user" + strings.Repeat("x", i%3) + itoa(i) + "@example.com"
		u := s.PutUser(oktastandin.User{Profile: map[string]any{
			"login": login, "email": login, "firstName": "User", "lastName": itoa(i),
		}})
		ids[i] = u.ID
	}
	return ids
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

package okta

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/mailroom/oktasync/directory"
)

var allScopes = []string{directory.ScopeUsersRead, directory.ScopeGroupsRead,
	directory.ScopeAppsRead}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Now().UTC().Truncate(time.Second)}
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestMintSignsAssertionLikeOktaExpects(t *testing.T) {
	k := testKeys(t)
	tests := []struct {
		key testKey
		alg jwa.SignatureAlgorithm
	}{
		{k.rsa, jwa.RS256}, {k.ec256, jwa.ES256}, {k.ec384, jwa.ES384}, {k.ec521, jwa.ES512},
	}
	for i, tt := range tests {
		f := newFakeOrg(t, tt.key)
		clock := newFakeClock()
		p := f.provider(clock.now)
		if _, err := p.Open(context.Background(), f.creds(tt.key), allScopes); err != nil {
			t.Fatalf("Open(%s) error = %v", tt.key.kid, err)
		}

		hdr, claims, form := f.headers[0], f.assertions[0], f.forms[0]
		if got := f.algOf(0); got != tt.alg || hdr.KeyID() != tt.key.kid {
			t.Errorf("assertion %d header = alg %q kid %q, want %q %q", i, got, hdr.KeyID(),
				tt.alg, tt.key.kid)
		}
		checkClaims(t, claims.Issuer(), claims.Subject(), claims.Audience(),
			"https://"+f.domain+"/oauth2/v1/token")
		if claims.IssuedAt() != clock.now() ||
			claims.Expiration().Sub(claims.IssuedAt()) != 5*time.Minute {
			t.Errorf("assertion iat, exp = %v, %v, want now and now+5m", claims.IssuedAt(),
				claims.Expiration())
		}
		checkForm(t, form)
	}
}

func checkClaims(t *testing.T, iss, sub string, aud []string, wantAud string) {
	t.Helper()
	if iss != testClientID || sub != testClientID || len(aud) != 1 || aud[0] != wantAud {
		t.Errorf("assertion iss, sub, aud = %q, %q, %q, want %q, %q, [%q]", iss, sub, aud,
			testClientID, testClientID, wantAud)
	}
}

func checkForm(t *testing.T, form map[string][]string) {
	t.Helper()
	want := map[string]string{
		"grant_type":            "client_credentials",
		"scope":                 "okta.apps.read okta.groups.read okta.users.read",
		"client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
	}
	for name, value := range want {
		if got := form[name]; len(got) != 1 || got[0] != value {
			t.Errorf("token form %s = %q, want %q", name, got, value)
		}
	}
	if _, ok := form["client_id"]; ok {
		t.Errorf("token form has client_id, want only the assertion to name the client")
	}
}

func TestMintUsesFreshJTI(t *testing.T) {
	k := testKeys(t).rsa
	f := newFakeOrg(t, k)
	p := f.provider(nil)
	for range 3 {
		if _, err := p.Open(context.Background(), f.creds(k), allScopes); err != nil {
			t.Fatal(err)
		}
		p.InvalidateTokens(f.creds(k))
	}
	seen := map[string]bool{}
	for _, a := range f.assertions {
		if a.JwtID() == "" || seen[a.JwtID()] {
			t.Errorf("assertion jti %q is empty or repeated", a.JwtID())
		}
		seen[a.JwtID()] = true
	}
}

func TestTokenCache(t *testing.T) {
	k := testKeys(t).rsa
	f := newFakeOrg(t, k)
	clock := newFakeClock()
	p := f.provider(clock.now)
	ctx := context.Background()
	steps := []struct {
		name      string
		before    func()
		scopes    []string
		wantMints int32
	}{
		{name: "first", scopes: allScopes, wantMints: 1},
		{name: "same scopes reordered", scopes: []string{directory.ScopeAppsRead,
			directory.ScopeUsersRead, directory.ScopeGroupsRead, directory.ScopeUsersRead},
			wantMints: 1},
		{name: "other scopes", scopes: []string{directory.ScopeUsersRead}, wantMints: 2},
		{name: "54 minutes on", before: func() { clock.advance(54 * time.Minute) },
			scopes: allScopes, wantMints: 2},
		{name: "56 minutes on", before: func() { clock.advance(2 * time.Minute) },
			scopes: allScopes, wantMints: 3},
		{name: "after invalidate", before: func() { p.InvalidateTokens(f.creds(k)) },
			scopes: allScopes, wantMints: 4},
	}
	for _, st := range steps {
		if st.before != nil {
			st.before()
		}
		if _, err := p.Open(ctx, f.creds(k), st.scopes); err != nil {
			t.Fatalf("%s: Open() error = %v", st.name, err)
		}
		if got := f.mints.Load(); got != st.wantMints {
			t.Errorf("%s: mints = %d, want %d", st.name, got, st.wantMints)
		}
	}
}

func TestConcurrentOpensMintOnce(t *testing.T) {
	k := testKeys(t).rsa
	f := newFakeOrg(t, k)
	f.tokenDelay = 50 * time.Millisecond
	p := f.provider(nil)

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := p.Open(context.Background(), f.creds(k), allScopes)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Open() error = %v", err)
		}
	}
	if got := f.mints.Load(); got != 1 {
		t.Errorf("mints = %d, want 1", got)
	}
}

func TestMintRejections(t *testing.T) {
	k := testKeys(t)
	f := newFakeOrg(t, k.rsa)
	impostor := makeKey(t, k.otherRSA.private, k.rsa.kid)
	tests := []struct {
		name string
		key  testKey
		want directory.Code
	}{
		{name: "unknown kid", key: k.otherRSA, want: directory.CodeKeyUnknown},
		{name: "other key under the right kid", key: impostor, want: directory.CodeKeyMismatch},
	}
	for _, tt := range tests {
		_, err := f.provider(nil).Open(context.Background(), f.creds(tt.key), allScopes)
		checkCode(t, tt.name, err, tt.want, false)
		checkNoSecret(t, tt.name, err, tt.key.jwk)
	}
}

func TestMintRejectsWrongAudience(t *testing.T) {
	k := testKeys(t).rsa
	f := newFakeOrg(t, k)
	p := f.provider(nil)
	cred, err := newCredential(f.creds(k))
	if err != nil {
		t.Fatal(err)
	}
	assertion, err := signAssertion(cred.key, testClientID,
		"https://acme.okta.com/oauth2/v1/token", time.Now(), randomJTI())
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.tokens.exchange(context.Background(), cred, assertion, allScopes)
	checkCode(t, "wrong aud", err, directory.CodeAssertionRejected, false)
}

func TestMintRejectsReusedJTI(t *testing.T) {
	k := testKeys(t).rsa
	f := newFakeOrg(t, k)
	p := f.provider(nil)
	p.tokens.newJTI = func() string { return "always-the-same" }
	if _, err := p.Open(context.Background(), f.creds(k), allScopes); err != nil {
		t.Fatal(err)
	}
	p.InvalidateTokens(f.creds(k))
	_, err := p.Open(context.Background(), f.creds(k), allScopes)
	checkCode(t, "reused jti", err, directory.CodeAssertionRejected, false)
}

// tokenAnswer is a canned token-endpoint answer.
type tokenAnswer struct {
	status      int
	contentType string
	body        string
	header      map[string]string
}

func TestMintClassifiesAnswers(t *testing.T) {
	reset := time.Now().Add(30 * time.Second).Unix()
	tests := []struct {
		name      string
		answer    tokenAnswer
		want      directory.Code
		retryable bool
		mention   string
	}{
		{"dpop", oauthAnswer("invalid_dpop_proof", "The DPoP proof JWT header is missing."),
			directory.CodeDPoPRequired, false, "DPoP"},
		{"scope named", oauthAnswer("invalid_scope",
			"The following scopes are not allowed: okta.apps.read"),
			directory.CodeScopeNotGranted, false, "okta.apps.read"},
		{"scope unnamed", oauthAnswer("invalid_scope", "The requested scope is invalid."),
			directory.CodeScopeNotGranted, false, "okta.groups.read"},
		{"unknown client", oauthAnswer("invalid_client",
			"Invalid value for 'client_id' parameter."), directory.CodeClientUnknown, false, ""},
		{"exp too far", oauthAnswer("invalid_client", "The client_assertion token has an "+
			"expiration too far into the future."), directory.CodeAssertionRejected, false, ""},
		{"not an api app", oauthAnswer("unauthorized_client", "The client is not "+
			"authorized to use the provided grant type."), directory.CodeClientUnknown, false,
			""},
		{"html 404", tokenAnswer{status: 404, contentType: "text/html", body: "<html>"},
			directory.CodeWrongDomain, false, ""},
		{"html 200", tokenAnswer{status: 200, contentType: "text/html", body: "<html>"},
			directory.CodeWrongDomain, false, ""},
		{"json 200 without token", tokenAnswer{status: 200, contentType: "application/json",
			body: `{"hello":"world"}`}, directory.CodeWrongDomain, false, ""},
		{"redirect", tokenAnswer{status: 302, header: map[string]string{
			"Location": "https://example.com/"}}, directory.CodeWrongDomain, false, ""},
		{"503", tokenAnswer{status: 503, contentType: "text/html"},
			directory.CodeServerError, true, ""},
		{"429", tokenAnswer{status: 429, contentType: "application/json", body: `{}`,
			header: map[string]string{"X-Rate-Limit-Reset": fmt.Sprint(reset)}},
			directory.CodeRateLimited, true, ""},
	}
	for _, tt := range tests {
		p, creds := cannedTokenEndpoint(t, tt.answer)
		_, err := p.Open(context.Background(), creds, allScopes)
		de := checkCode(t, tt.name, err, tt.want, tt.retryable)
		if de != nil && !strings.Contains(de.Message+de.Fix, tt.mention) {
			t.Errorf("%s: error = %q / %q, want it to mention %q", tt.name, de.Message, de.Fix,
				tt.mention)
		}
	}
}

func oauthAnswer(code, description string) tokenAnswer {
	return tokenAnswer{status: 400, contentType: "application/json",
		body: fmt.Sprintf(`{"error":%q,"error_description":%q}`, code, description)}
}

// cannedTokenEndpoint serves one answer at the token endpoint.
func cannedTokenEndpoint(t *testing.T, a tokenAnswer) (*Provider, directory.Credentials) {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter,
		r *http.Request) {
		for name, v := range a.header {
			w.Header().Set(name, v)
		}
		if a.contentType != "" {
			w.Header().Set("Content-Type", a.contentType)
		}
		w.WriteHeader(a.status)
		fmt.Fprint(w, a.body)
	}))
	t.Cleanup(srv.Close)
	creds := directory.Credentials{Domain: strings.TrimPrefix(srv.URL, "https://"),
		ClientID: testClientID, PrivateJWK: testKeys(t).rsa.jwk}
	return New(Config{HTTPClient: srv.Client(), Logger: quietLogger}), creds
}

func TestRateLimitedTokenWaitsForReset(t *testing.T) {
	clock := newFakeClock()
	reset := clock.now().Add(42 * time.Second).Unix()
	p, creds := cannedTokenEndpoint(t, tokenAnswer{status: 429,
		header: map[string]string{"X-Rate-Limit-Reset": fmt.Sprint(reset)}})
	p.now, p.tokens.now = clock.now, clock.now
	_, err := p.Open(context.Background(), creds, allScopes)
	de := checkCode(t, "429", err, directory.CodeRateLimited, true)
	if de != nil && de.RetryAfter != 43*time.Second {
		t.Errorf("RetryAfter = %v, want 43s (reset - now + 1s)", de.RetryAfter)
	}
}

func TestMintUnreachable(t *testing.T) {
	f := newFakeOrg(t, testKeys(t).rsa)
	untrusting := New(Config{Logger: quietLogger})
	_, err := untrusting.Open(context.Background(), f.creds(testKeys(t).rsa), allScopes)
	de := checkCode(t, "untrusted certificate", err, directory.CodeUnreachable, true)
	if de != nil && !strings.Contains(de.Message, "certificate") {
		t.Errorf("untrusted certificate: message = %q, want it to name the certificate",
			de.Message)
	}

	f.srv.Close()
	_, err = f.provider(nil).Open(context.Background(), f.creds(testKeys(t).rsa), allScopes)
	checkCode(t, "closed server", err, directory.CodeUnreachable, true)
}

func TestMintHonoursCancellation(t *testing.T) {
	k := testKeys(t).rsa
	f := newFakeOrg(t, k)
	f.tokenDelay = 200 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := f.provider(nil).Open(ctx, f.creds(k), allScopes)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Open(expired ctx) error = %v, want context.DeadlineExceeded", err)
	}
}

// checkCode asserts err carries a *directory.Error with code and
// retryability, and returns it.
func checkCode(t *testing.T, name string, err error, code directory.Code,
	retryable bool) *directory.Error {
	t.Helper()
	de := directory.AsError(err)
	if de == nil {
		t.Errorf("%s: error = %v, want code %q", name, err, code)
		return nil
	}
	if de.Code != code || de.Retryable != retryable || de.Message == "" || de.Fix == "" {
		t.Errorf("%s: error = %q retryable %v (%v), want code %q retryable %v with "+
			"message and fix", name, de.Code, de.Retryable, err, code, retryable)
	}
	return de
}

// checkNoSecret asserts an error names neither a token nor the key.
func checkNoSecret(t *testing.T, name string, err error, key []byte) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	if de := directory.AsError(err); de != nil {
		msg += de.Fix
	}
	if strings.Contains(msg, "tok-") || strings.Contains(msg, privateD(t, key)) {
		t.Errorf("%s: error %q reveals a secret", name, msg)
	}
}

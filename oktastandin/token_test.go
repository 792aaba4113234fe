package oktastandin_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/mailroom/oktasync/oktastandin"
)

// assertion describes a client assertion to sign; the zero values of its
// fields mean a well-formed one.
type assertion struct {
	key      jwk.Key
	alg      jwa.SignatureAlgorithm
	iss, sub string
	aud      string
	exp      time.Duration
	jti      string
	noJTI    bool
}

func (o *org) sign(t *testing.T, now time.Time, a assertion) string {
	t.Helper()
	if a.key == nil {
		a.key = o.key
	}
	if a.alg == "" {
		a.alg = jwa.RS256
	}
	if a.iss == "" {
		a.iss = o.clientID
	}
	if a.sub == "" {
		a.sub = a.iss
	}
	if a.aud == "" {
		a.aud = o.TokenURL()
	}
	if a.exp == 0 {
		a.exp = 5 * time.Minute
	}
	if a.jti == "" && !a.noJTI {
		a.jti = uuid.NewString()
	}
	b := jwt.NewBuilder().Issuer(a.iss).Subject(a.sub).Audience([]string{a.aud}).
		IssuedAt(now).Expiration(now.Add(a.exp))
	if a.jti != "" {
		b = b.JwtID(a.jti)
	}
	tok, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(a.alg, a.key))
	if err != nil {
		t.Fatalf("sign assertion: %v", err)
	}
	return string(signed)
}

// keyWithKID returns a fresh RSA key with the given kid ("" for none).
func keyWithKID(t *testing.T, kid string) jwk.Key {
	t.Helper()
	key, err := oktastandin.NewRSAKey("x")
	if err != nil {
		t.Fatal(err)
	}
	if kid == "" {
		if err := key.Remove(jwk.KeyIDKey); err != nil {
			t.Fatal(err)
		}
		return key
	}
	if err := key.Set(jwk.KeyIDKey, kid); err != nil {
		t.Fatal(err)
	}
	return key
}

func TestTokenAcceptsRSAAndECKeys(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	ec, err := oktastandin.NewECKey("ec-1")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := oktastandin.PublicKeys(o.key, ec)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.UpdateServiceApp(o.clientID, func(a *oktastandin.ServiceApp) {
		a.Keys = keys
	}); err != nil {
		t.Fatal(err)
	}

	for _, a := range []assertion{
		{key: o.key, alg: jwa.RS256},
		{key: o.key, alg: jwa.RS512},
		{key: ec, alg: jwa.ES256},
	} {
		tr := o.postToken(t, o.sign(t, time.Now(), a), "okta.users.read okta.apps.read", nil)
		if tr.status != http.StatusOK || tr.TokenType != "Bearer" || tr.ExpiresIn != 3600 ||
			tr.Scope != "okta.users.read okta.apps.read" || tr.AccessToken == "" {
			t.Errorf("%s token = %+v, want a Bearer token for an hour with both scopes", a.alg, tr)
		}
	}
}

func TestTokenRejections(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	other := keyWithKID(t, o.key.KeyID())
	reused := uuid.NewString()
	if tr := o.postToken(t, o.sign(t, time.Now(), assertion{jti: reused}),
		"okta.users.read", nil); tr.status != http.StatusOK {
		t.Fatalf("first use of jti: %+v", tr)
	}

	tests := []struct {
		name   string
		a      assertion
		scope  string
		status int
		code   string
		desc   string
	}{
		{"unknown kid", assertion{key: keyWithKID(t, "nope")}, "", 401, "invalid_client",
			"The client_assertion JWT kid is invalid."},
		{"missing kid", assertion{key: keyWithKID(t, "")}, "", 401, "invalid_client",
			"The client_assertion JWT kid is invalid."},
		{"bad signature", assertion{key: other}, "", 401, "invalid_client",
			"The client_assertion signature is invalid."},
		{"wrong audience", assertion{aud: "https://example.okta.com/oauth2/v1/token"}, "", 401,
			"invalid_client",
			"The audience claim for client_assertion must be the endpoint invoked for the request."},
		{"exp an hour ahead", assertion{exp: time.Hour}, "", 401, "invalid_client",
			"The client_assertion token has an expiration too far into the future."},
		{"expired", assertion{exp: -time.Second}, "", 401, "invalid_client",
			"The client_assertion token is expired."},
		{"reused jti", assertion{jti: reused}, "", 401, "invalid_client",
			"The client_assertion token has already been used."},
		{"no jti", assertion{noJTI: true}, "", 401, "invalid_client",
			"The client_assertion token must contain a 'jti' claim."},
		{"unknown client", assertion{iss: oktastandin.NewAppID()}, "", 401, "invalid_client",
			"Invalid value for 'client_id' parameter."},
		{"sub differs", assertion{sub: "someone"}, "", 401, "invalid_client",
			"The client_assertion token's 'sub' claim must match its 'iss' claim."},
		{"no scope", assertion{}, " ", 400, "invalid_scope", "The authorization server " +
			"resource does not have any configured default scopes, 'scope' must be provided."},
		{"scope not granted", assertion{}, "okta.users.read okta.logs.read", 400, "invalid_scope",
			"The following scopes are not allowed: okta.logs.read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scope := tt.scope
			if scope == "" {
				scope = "okta.users.read"
			}
			tr := o.postToken(t, o.sign(t, time.Now(), tt.a), strings.TrimSpace(scope), nil)
			if tr.status != tt.status || tr.Error != tt.code || tr.Description != tt.desc {
				t.Errorf("token = %d %q %q, want %d %q %q",
					tr.status, tr.Error, tr.Description, tt.status, tt.code, tt.desc)
			}
		})
	}
}

func TestTokenExpiryBoundary(t *testing.T) {
	t.Parallel()
	// JWT times are whole seconds: start the clock on one so that the
	// boundaries are exact.
	clock := &fakeClock{now: time.Now().Truncate(time.Second)}
	o := newOrg(t, oktastandin.Options{Now: clock.Now})
	tests := []struct {
		exp  time.Duration
		want int
	}{
		{time.Hour - 30*time.Second, http.StatusUnauthorized},
		{time.Hour - 31*time.Second, http.StatusOK},
		{time.Second, http.StatusOK},
		{-time.Second, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		tr := o.postToken(t, o.sign(t, clock.Now(), assertion{exp: tt.exp}), "okta.users.read", nil)
		if tr.status != tt.want {
			t.Errorf("exp now+%v: status %d (%s), want %d", tt.exp, tr.status, tr.Description, tt.want)
		}
	}
}

func TestTokenDPoPRequired(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	if err := o.UpdateServiceApp(o.clientID, func(a *oktastandin.ServiceApp) {
		a.DPoPRequired = true
	}); err != nil {
		t.Fatal(err)
	}
	tr := o.postToken(t, o.sign(t, time.Now(), assertion{}), "okta.users.read", nil)
	if tr.status != 400 || tr.Error != "invalid_dpop_proof" ||
		tr.Description != "The DPoP proof JWT header is missing." {
		t.Errorf("token = %d %q %q, want 400 invalid_dpop_proof", tr.status, tr.Error, tr.Description)
	}
}

func TestTokenRequestErrors(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	tests := []struct {
		name, body string
		status     int
		code       string
	}{
		{"no grant type", "scope=okta.users.read", 400, "invalid_request"},
		{"password grant", "grant_type=password", 400, "unsupported_grant_type"},
		{"no assertion", "grant_type=client_credentials&scope=okta.users.read", 401,
			"invalid_client"},
		{"garbage assertion", "grant_type=client_credentials&client_assertion_type=" +
			"urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer" +
			"&client_assertion=abc", 401, "invalid_client"},
	}
	for _, tt := range tests {
		resp, err := o.Client().Post(o.TokenURL(), "application/x-www-form-urlencoded",
			strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.status)
		}
	}
}

func TestTokensExpireAndKeepTheirScopes(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	o := newOrg(t, oktastandin.Options{Now: clock.Now})
	tok := o.token(t, oktastandin.ScopeUsersRead, oktastandin.ScopeGroupsRead)

	// Revoking a grant stops new tokens but not this one.
	if err := o.UpdateServiceApp(o.clientID, func(a *oktastandin.ServiceApp) {
		a.GrantedScopes = []string{oktastandin.ScopeUsersRead}
	}); err != nil {
		t.Fatal(err)
	}
	if resp, _ := o.get(t, tok, "/api/v1/groups"); resp.StatusCode != http.StatusOK {
		t.Errorf("groups with a live token after revocation: %d, want 200", resp.StatusCode)
	}
	tr := o.postToken(t, o.sign(t, clock.Now(), assertion{}), "okta.groups.read", nil)
	if tr.Error != "invalid_scope" {
		t.Errorf("new token after revocation: %q, want invalid_scope", tr.Error)
	}

	clock.Advance(time.Hour)
	resp, body := o.get(t, tok, "/api/v1/users")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "E0000011") {
		t.Errorf("users after an hour: %d %s, want 401 E0000011", resp.StatusCode, body)
	}
}

func TestIssueToken(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	if _, err := o.IssueToken(o.clientID, "okta.logs.read"); err == nil {
		t.Errorf("IssueToken(okta.logs.read) succeeded, want an error for an ungranted scope")
	}
	tok, err := o.IssueToken(o.clientID, oktastandin.ScopeUsersRead)
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := o.get(t, tok, "/api/v1/users"); resp.StatusCode != http.StatusOK {
		t.Errorf("users with an issued token: %d, want 200", resp.StatusCode)
	}
}

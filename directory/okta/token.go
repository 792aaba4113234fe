package okta

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
	"golang.org/x/sync/singleflight"

	"github.com/mailroom/oktasync/directory"
)

const (
	// assertionLifetime keeps exp well under Okta's one-hour ceiling, which
	// rejects an exp of exactly +1h once clocks drift.
	assertionLifetime = 5 * time.Minute
	// refreshMargin is how long before expiry a cached token is replaced,
	// so a page fetch never starts with a token about to lapse.
	refreshMargin = 5 * time.Minute
	// mintTimeout bounds one token request; it runs detached from the
	// caller that started it because other callers may wait on it too.
	mintTimeout = 30 * time.Second
	// maxBody bounds what is read of any response we parse ourselves.
	maxBody = 1 << 20

	jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
)

// credential is a directory.Credentials with its key parsed.
type credential struct {
	domain   string
	clientID string
	key      *privateKey
}

// newCredential checks creds before anything is sent: the domain must be a
// bare host[:port] and the key a usable private JWK.
func newCredential(creds directory.Credentials) (credential, error) {
	if !bareHost(creds.Domain) {
		return credential{}, &directory.Error{Code: directory.CodeDomainInvalid,
			Field: FieldDomain, Message: "the stored Okta domain is not a host name",
			Fix: fixDomain}
	}
	if !oktaAppID.MatchString(creds.ClientID) {
		return credential{}, &directory.Error{Code: directory.CodeClientIDInvalid,
			Field: FieldClientID, Message: "the stored client id is not an Okta client id",
			Fix: "In the API Services app's General tab, under Client Credentials, copy " +
				"the Client ID."}
	}
	key, problem := parsePrivateJWK(creds.PrivateJWK)
	if problem != nil {
		return credential{}, problem
	}
	return credential{domain: creds.Domain, clientID: creds.ClientID, key: key}, nil
}

// bareHost says whether s is a host or host:port and nothing else, so that
// "https://"+s can only ever name that host.
func bareHost(s string) bool {
	if s == "" || strings.ContainsAny(s, "/?#@\\ ") {
		return false
	}
	u, err := url.Parse("https://" + s)
	return err == nil && u.Host == s && u.Path == ""
}

// tokenURL is the org authorization server's token endpoint, which is also
// the exact audience Okta requires in client assertions.
func (c credential) tokenURL() string {
	return "https://" + c.domain + "/oauth2/v1/token"
}

// owner identifies the app whose tokens a cache entry holds, whatever the
// key or scopes, so that disabling an integration can drop them all.
func (c credential) owner() string {
	return digest(c.domain, c.clientID)
}

// cacheKey identifies a token by app, key and scopes; scopes are sorted.
func (c credential) cacheKey(scopes []string) string {
	return digest(c.domain, c.clientID, c.key.thumbprint, strings.Join(scopes, " "))
}

func digest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// normaliseScopes sorts and deduplicates scopes, so equal sets share tokens.
func normaliseScopes(scopes []string) []string {
	out := slices.Clone(scopes)
	slices.Sort(out)
	return slices.Compact(out)
}

// accessToken is a cached bearer token. The value never leaves the package
// except in the Authorization header the SDK client sends.
type accessToken struct {
	value   string
	expires time.Time
	owner   string
}

// String keeps the token out of any accidental formatting.
func (accessToken) String() string { return "[redacted]" }

// tokenSource mints client-credentials tokens with private_key_jwt and
// caches them. Concurrent callers asking for the same token share one mint.
type tokenSource struct {
	client *http.Client
	now    func() time.Time
	log    *slog.Logger
	// newJTI returns a fresh assertion id; tests replace it to force reuse.
	newJTI func() string

	flight singleflight.Group
	mu     sync.Mutex
	cache  map[string]accessToken
}

func newTokenSource(client *http.Client, now func() time.Time, log *slog.Logger) *tokenSource {
	return &tokenSource{client: client, now: now, log: log, newJTI: randomJTI,
		cache: map[string]accessToken{}}
}

// token returns a cached token for cred and scopes, minting one when none
// is fresh. scopes must be normalised.
func (ts *tokenSource) token(ctx context.Context, cred credential,
	scopes []string) (accessToken, error) {
	key := cred.cacheKey(scopes)
	if tok, ok := ts.cached(key); ok {
		return tok, nil
	}

	// The mint runs detached from ctx: other callers may be waiting on it,
	// and one caller giving up must not fail them all.
	ch := ts.flight.DoChan(key, func() (any, error) {
		mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), mintTimeout)
		defer cancel()
		return ts.mint(mctx, cred, scopes, key)
	})
	select {
	case <-ctx.Done():
		return accessToken{}, fmt.Errorf("okta: mint token: %w", ctx.Err())
	case r := <-ch:
		if r.Err != nil {
			return accessToken{}, r.Err
		}
		return r.Val.(accessToken), nil
	}
}

// cached returns the token under key if it is not about to expire.
func (ts *tokenSource) cached(key string) (accessToken, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	tok, ok := ts.cache[key]
	if !ok || !ts.now().Before(tok.expires.Add(-refreshMargin)) {
		return accessToken{}, false
	}
	return tok, true
}

// drop forgets the token under key if it is still tok, after Okta rejected
// it; a newer token minted meanwhile stays.
func (ts *tokenSource) drop(key string, tok accessToken) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if cur, ok := ts.cache[key]; ok && cur.value == tok.value {
		delete(ts.cache, key)
	}
}

// invalidate forgets every token of owner.
func (ts *tokenSource) invalidate(owner string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for key, tok := range ts.cache {
		if tok.owner == owner {
			delete(ts.cache, key)
		}
	}
}

// mint signs an assertion, exchanges it for a token and caches the token.
func (ts *tokenSource) mint(ctx context.Context, cred credential, scopes []string,
	key string) (accessToken, error) {
	now := ts.now()
	assertion, err := signAssertion(cred.key, cred.clientID, cred.tokenURL(), now, ts.newJTI())
	if err != nil {
		return accessToken{}, fmt.Errorf("okta: mint token: %w", err)
	}

	granted, err := ts.exchange(ctx, cred, assertion, scopes)
	if err != nil {
		return accessToken{}, err
	}

	tok := accessToken{value: granted.AccessToken, owner: cred.owner(),
		expires: now.Add(time.Duration(granted.ExpiresIn) * time.Second)}
	ts.store(key, tok, now)

	ts.log.Info("okta token minted", "domain", cred.domain, "client_id", cred.clientID,
		"scopes", strings.Join(scopes, " "), "expires_in_s", granted.ExpiresIn)
	return tok, nil
}

// store caches tok under key and forgets expired tokens, so the cache holds
// at most one token per app, key and scope set.
func (ts *tokenSource) store(key string, tok accessToken, now time.Time) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for k, old := range ts.cache {
		if !now.Before(old.expires) {
			delete(ts.cache, k)
		}
	}
	ts.cache[key] = tok
}

// signAssertion builds the private_key_jwt client assertion Okta expects:
// iss = sub = client id, aud = the token endpoint, a five-minute lifetime,
// a fresh jti, and the key's kid in the header.
func signAssertion(k *privateKey, clientID, audience string, now time.Time,
	jti string) (string, error) {
	tok, err := jwt.NewBuilder().
		Issuer(clientID).
		Subject(clientID).
		Audience([]string{audience}).
		IssuedAt(now).
		Expiration(now.Add(assertionLifetime)).
		JwtID(jti).
		Build()
	if err != nil {
		return "", fmt.Errorf("build client assertion: %w", err)
	}

	hdr := jws.NewHeaders()
	if err := hdr.Set(jws.KeyIDKey, k.kid); err != nil {
		return "", fmt.Errorf("set assertion kid: %w", err)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(k.alg, k.signer, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", fmt.Errorf("sign client assertion: %w", err)
	}
	return string(signed), nil
}

// randomJTI returns 128 random bits, base64url: Okta rejects an assertion
// whose jti it has seen before.
func randomJTI() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("okta: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// tokenGrant is the token endpoint's success body.
type tokenGrant struct {
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	AccessToken string `json:"access_token"`
	Scope       string `json:"scope"`
}

// tokenFailure is the token endpoint's OAuth error body.
type tokenFailure struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// exchange posts the assertion to the token endpoint and reads the answer.
// See https://developer.okta.com/docs/api/openapi/okta-oauth/oauth/tag/OrgAS/.
func (ts *tokenSource) exchange(ctx context.Context, cred credential, assertion string,
	scopes []string) (tokenGrant, error) {
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"scope":                 {strings.Join(scopes, " ")},
		"client_assertion_type": {jwtBearer},
		"client_assertion":      {assertion},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cred.tokenURL(),
		strings.NewReader(form.Encode()))
	if err != nil {
		return tokenGrant{}, fmt.Errorf("okta: mint token: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")

	resp, err := ts.client.Do(req)
	if err != nil {
		return tokenGrant{}, fmt.Errorf("okta: mint token: %w",
			transportError(ctx, cred.domain, err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return tokenGrant{}, fmt.Errorf("okta: mint token: %w",
			transportError(ctx, cred.domain, err))
	}
	return ts.readGrant(cred, resp, body, scopes)
}

// readGrant turns the token endpoint's answer into a grant or a classified
// error.
func (ts *tokenSource) readGrant(cred credential, resp *http.Response, body []byte,
	scopes []string) (tokenGrant, error) {
	isJSON := jsonContent(resp.Header)
	switch {
	case resp.StatusCode == http.StatusOK && isJSON:
		var g tokenGrant
		if json.Unmarshal(body, &g) == nil && g.AccessToken != "" &&
			strings.EqualFold(g.TokenType, "Bearer") {
			return g, nil
		}
	case resp.StatusCode == http.StatusTooManyRequests:
		return tokenGrant{}, fmt.Errorf("okta: mint token: %w",
			rateLimited(resp.Header, ts.now(), "/oauth2/v1/token"))
	case resp.StatusCode >= 500:
		return tokenGrant{}, fmt.Errorf("okta: mint token: %w",
			serverError(resp.StatusCode, ""))
	case isJSON:
		var f tokenFailure
		if json.Unmarshal(body, &f) == nil && f.Error != "" {
			return tokenGrant{}, fmt.Errorf("okta: mint token: %w",
				tokenError(f, cred, scopes))
		}
	}
	return tokenGrant{}, fmt.Errorf("okta: mint token: %w",
		wrongDomain(cred.domain, resp.StatusCode))
}

// jsonContent says whether a response declares a JSON body.
func jsonContent(h http.Header) bool {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

package okta

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/mailroom/oktasync/directory"
)

// Config configures a Provider. The zero value works.
type Config struct {
	// HTTPClient sends every request; it may carry a custom CA, as the
	// stand-in needs. The default bounds each phase with timeouts.
	HTTPClient *http.Client
	// Logger receives token and rate-limit logs; it defaults to slog's.
	Logger *slog.Logger
	// Now is the clock for assertions, token expiry and retry delays.
	Now func() time.Time
}

// Provider is the Okta directory.Provider. It mints and caches tokens and
// is safe for concurrent use; one per process is enough.
type Provider struct {
	http   *http.Client
	log    *slog.Logger
	now    func() time.Time
	tokens *tokenSource
}

var _ directory.Provider = (*Provider)(nil)

// New returns a Provider configured by cfg.
func New(cfg Config) *Provider {
	p := &Provider{http: providerHTTPClient(cfg.HTTPClient), log: cfg.Logger, now: cfg.Now}
	if p.log == nil {
		p.log = slog.Default()
	}
	if p.now == nil {
		p.now = time.Now
	}
	p.log = p.log.With("component", "okta")
	p.tokens = newTokenSource(p.http, p.now, p.log)
	return p
}

// Open mints or reuses a token for scopes and returns a session listing the
// org's data with it.
func (p *Provider) Open(ctx context.Context, creds directory.Credentials,
	scopes []string) (directory.Session, error) {
	cred, err := newCredential(creds)
	if err != nil {
		return nil, fmt.Errorf("okta: open session: %w", err)
	}
	s := p.newSession(cred, scopes)
	if _, _, err := s.client(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// InvalidateTokens drops every cached token of the app creds name,
// whatever the key or scopes. Disabling an integration calls it so no token
// outlives the settings.
func (p *Provider) InvalidateTokens(creds directory.Credentials) {
	p.tokens.invalidate(credential{domain: creds.Domain, clientID: creds.ClientID}.owner())
}

func (p *Provider) newSession(cred credential, scopes []string) *session {
	scopes = normaliseScopes(scopes)
	return &session{p: p, cred: cred, scopes: scopes, tokenKey: cred.cacheKey(scopes)}
}

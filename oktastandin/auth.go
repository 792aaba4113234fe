package oktastandin

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// accessToken is an issued bearer token. Its scopes are fixed when it is
// minted: revoking a grant stops new tokens, not live ones.
type accessToken struct {
	clientID string
	scopes   []string
	expires  time.Time
}

// tokenLifetime is fixed by Okta's org authorization server.
const tokenLifetime = time.Hour

// AddServiceApp registers an API Services app. A missing label gets a
// default; a missing created time is now.
func (s *Server) AddServiceApp(a ServiceApp) error {
	if a.ClientID == "" {
		return errors.New("oktastandin: add service app: client id is required")
	}
	a = a.clone()
	if a.Label == "" {
		a.Label = "Directory sync"
	}
	if a.Created.IsZero() {
		a.Created = msec(s.now())
	}
	a.Created = msec(a.Created)

	s.authMu.Lock()
	defer s.authMu.Unlock()
	s.serviceApps[a.ClientID] = &a
	return nil
}

// UpdateServiceApp changes a service app through fn, as an admin would in
// the console: changes to scopes, keys, DPoP and the admin role apply to
// the next request, while live tokens keep the scopes they were minted with.
func (s *Server) UpdateServiceApp(clientID string, fn func(*ServiceApp)) error {
	s.authMu.Lock()
	defer s.authMu.Unlock()
	old, ok := s.serviceApps[clientID]
	if !ok {
		return notFoundErr("update service app", "client", clientID)
	}
	a := old.clone()
	fn(&a)
	a.ClientID = clientID
	s.serviceApps[clientID] = &a
	return nil
}

// RemoveServiceApp deletes a service app; its tokens stop working.
func (s *Server) RemoveServiceApp(clientID string) error {
	s.authMu.Lock()
	defer s.authMu.Unlock()
	if _, ok := s.serviceApps[clientID]; !ok {
		return notFoundErr("remove service app", "client", clientID)
	}
	delete(s.serviceApps, clientID)
	return nil
}

// ServiceApp returns a copy of a registered service app.
func (s *Server) ServiceApp(clientID string) (ServiceApp, bool) {
	s.authMu.Lock()
	defer s.authMu.Unlock()
	a, ok := s.serviceApps[clientID]
	if !ok {
		return ServiceApp{}, false
	}
	return a.clone(), true
}

// IssueToken mints an access token for a service app without a client
// assertion, for tests that exercise the API rather than the token
// endpoint. The scopes must be granted to the app.
func (s *Server) IssueToken(clientID string, scopes ...string) (string, error) {
	s.authMu.Lock()
	defer s.authMu.Unlock()
	a, ok := s.serviceApps[clientID]
	if !ok {
		return "", notFoundErr("issue token", "client", clientID)
	}
	if missing := ungranted(a, scopes); len(missing) > 0 {
		return "", fmt.Errorf("oktastandin: issue token: scopes not granted: %s",
			strings.Join(missing, " "))
	}
	return s.mintLocked(clientID, scopes), nil
}

// AccessTokens returns every access token issued and not yet expired, so a
// test can check that none of them leaked into logs or workflow history.
func (s *Server) AccessTokens() []string {
	s.authMu.Lock()
	defer s.authMu.Unlock()
	out := make([]string, 0, len(s.tokens))
	for tok := range s.tokens {
		out = append(out, tok)
	}
	return out
}

// ExpireTokens makes every live token expired, as if an hour had passed.
func (s *Server) ExpireTokens() {
	s.authMu.Lock()
	defer s.authMu.Unlock()
	clear(s.tokens)
}

func ungranted(a *ServiceApp, scopes []string) []string {
	var missing []string
	for _, sc := range scopes {
		if !slices.Contains(a.GrantedScopes, sc) {
			missing = append(missing, sc)
		}
	}
	return missing
}

// mintLocked issues a token; the caller holds s.authMu.
func (s *Server) mintLocked(clientID string, scopes []string) string {
	tok := randomString(48)
	s.tokens[tok] = accessToken{
		clientID: clientID,
		scopes:   slices.Clone(scopes),
		expires:  s.now().Add(tokenLifetime),
	}
	return tok
}

// authorize checks the bearer token of an API request, then its scope,
// then the service app's admin role, in the order Okta reports them.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, scope string) bool {
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.authMu.Lock()
	tok, found := s.tokens[strings.TrimSpace(raw)]
	app := s.serviceApps[tok.clientID]
	s.authMu.Unlock()

	switch {
	case !ok || !found || app == nil || !s.now().Before(tok.expires):
		writeError(w, http.StatusUnauthorized, "E0000011", summaryBadToken)
		return false
	case !slices.Contains(tok.scopes, scope):
		writeInsufficientScope(w, r, scope)
		return false
	case !app.AdminRole:
		writeError(w, http.StatusForbidden, "E0000006", summaryForbidden)
		return false
	}
	note(w).ClientID = tok.clientID
	return true
}

// writeInsufficientScope answers as Okta does when a token lacks the
// endpoint's scope: 403, an empty body, and the reason in WWW-Authenticate.
func writeInsufficientScope(w http.ResponseWriter, r *http.Request, scope string) {
	host := "https://" + r.Host
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(
		`Bearer authorization_uri="%s/oauth2/v1/authorize", realm="IdpError", `+
			`scope="%s", error="insufficient_scope", error_description="The access `+
			`token provided does not contain the required scopes.", resource="%s"`,
		host, scope, r.URL.Path))
	w.WriteHeader(http.StatusForbidden)
}

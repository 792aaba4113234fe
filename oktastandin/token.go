package oktastandin

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

const (
	grantClientCredentials = "client_credentials"
	assertionTypeJWTBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	// maxAssertionLifetime is how far ahead Okta accepts a client
	// assertion's exp: under an hour, with 30 s of skew held back, so an
	// exp of exactly now+1h is "too far into the future".
	maxAssertionLifetime = time.Hour - 30*time.Second
)

// Signing algorithms Okta accepts for private_key_jwt client assertions.
var assertionAlgs = []jwa.SignatureAlgorithm{
	jwa.RS256, jwa.RS384, jwa.RS512, jwa.ES256, jwa.ES384, jwa.ES512,
}

// oauthFailure is a rejected token request.
type oauthFailure struct {
	status      int
	code        string
	description string
}

func invalidClient(description string) *oauthFailure {
	return &oauthFailure{http.StatusUnauthorized, "invalid_client", description}
}

func badRequest(code, description string) *oauthFailure {
	return &oauthFailure{http.StatusBadRequest, code, description}
}

// tokenWire is a successful token response.
type tokenWire struct {
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	AccessToken string `json:"access_token"`
	Scope       string `json:"scope"`
}

// handleToken serves POST /oauth2/v1/token for the client credentials
// grant with a private_key_jwt client assertion.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request, _ *call) {
	w.Header().Set("Cache-Control", "no-cache, no-store")
	w.Header().Set("Pragma", "no-cache")

	resp, fail := s.token(r)
	if fail != nil {
		writeOAuthError(w, fail.status, fail.code, fail.description)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) token(r *http.Request) (tokenWire, *oauthFailure) {
	if err := r.ParseForm(); err != nil {
		return tokenWire{}, badRequest("invalid_request", "The request body is malformed.")
	}
	if fail := checkGrant(r); fail != nil {
		return tokenWire{}, fail
	}

	s.authMu.Lock()
	defer s.authMu.Unlock()
	s.pruneLocked()

	app, fail := s.verifyAssertion(r, r.PostForm.Get("client_assertion"))
	if fail != nil {
		return tokenWire{}, fail
	}
	scopes, fail := checkProofAndScopes(r, app)
	if fail != nil {
		return tokenWire{}, fail
	}
	return tokenWire{
		TokenType:   "Bearer",
		ExpiresIn:   int(tokenLifetime / time.Second),
		AccessToken: s.mintLocked(app.ClientID, scopes),
		Scope:       strings.Join(scopes, " "),
	}, nil
}

func checkGrant(r *http.Request) *oauthFailure {
	form := r.PostForm
	switch {
	case form.Get("grant_type") == "":
		return badRequest("invalid_request",
			"The token request must specify a 'grant_type'. Valid values: [client_credentials]")
	case form.Get("grant_type") != grantClientCredentials:
		return badRequest("unsupported_grant_type",
			"The authorization grant type is not supported by the authorization server. "+
				"Configured grant types: [client_credentials].")
	case form.Get("client_assertion_type") != assertionTypeJWTBearer ||
		form.Get("client_assertion") == "":
		return invalidClient("Client authentication failed. " +
			"Either the client or the client credentials are invalid.")
	}
	return nil
}

// verifyAssertion checks a client assertion the way Okta does and returns
// the app it authenticates. The caller holds s.authMu.
func (s *Server) verifyAssertion(r *http.Request, assertion string) (*ServiceApp, *oauthFailure) {
	msg, err := jws.Parse([]byte(assertion))
	if err != nil || len(msg.Signatures()) != 1 {
		return nil, invalidClient("The client_assertion token is malformed.")
	}
	claims, err := jwt.Parse([]byte(assertion), jwt.WithVerify(false), jwt.WithValidate(false))
	if err != nil {
		return nil, invalidClient("The client_assertion token is malformed.")
	}

	app, fail := s.assertionClient(claims)
	if fail != nil {
		return nil, fail
	}
	if fail := checkSignature(app, msg.Signatures()[0].ProtectedHeaders(), assertion); fail != nil {
		return nil, fail
	}
	if fail := s.checkClaims(r, app, claims); fail != nil {
		return nil, fail
	}
	return app, nil
}

// assertionClient finds the app named by iss; sub must name it too.
func (s *Server) assertionClient(claims jwt.Token) (*ServiceApp, *oauthFailure) {
	app, ok := s.serviceApps[claims.Issuer()]
	if !ok {
		return nil, invalidClient("Invalid value for 'client_id' parameter.")
	}
	if claims.Subject() != claims.Issuer() {
		return nil, invalidClient(
			"The client_assertion token's 'sub' claim must match its 'iss' claim.")
	}
	return app, nil
}

// checkSignature finds the key by kid and verifies the signature with the
// header's algorithm.
func checkSignature(app *ServiceApp, hdr jws.Headers, assertion string) *oauthFailure {
	alg := hdr.Algorithm()
	if !slices.Contains(assertionAlgs, alg) {
		return invalidClient("The client_assertion token has an unsupported signing algorithm.")
	}
	kid := hdr.KeyID()
	if kid == "" || app.Keys == nil {
		return invalidClient("The client_assertion JWT kid is invalid.")
	}
	key, ok := app.Keys.LookupKeyID(kid)
	if !ok {
		return invalidClient("The client_assertion JWT kid is invalid.")
	}
	if _, err := jws.Verify([]byte(assertion), jws.WithKey(alg, key)); err != nil {
		return invalidClient("The client_assertion signature is invalid.")
	}
	return nil
}

// checkClaims checks aud, exp and jti, and remembers the jti. The caller
// holds s.authMu.
func (s *Server) checkClaims(r *http.Request, app *ServiceApp, claims jwt.Token) *oauthFailure {
	aud := claims.Audience()
	if len(aud) != 1 || aud[0] != "https://"+r.Host+"/oauth2/v1/token" {
		return invalidClient(
			"The audience claim for client_assertion must be the endpoint invoked for the request.")
	}

	now, exp := s.now(), claims.Expiration()
	switch {
	case exp.IsZero():
		return invalidClient("The client_assertion token must contain an 'exp' claim.")
	case !exp.After(now):
		return invalidClient("The client_assertion token is expired.")
	case !exp.Before(now.Add(maxAssertionLifetime)):
		return invalidClient("The client_assertion token has an expiration too far into the future.")
	}

	jti := claims.JwtID()
	if jti == "" {
		return invalidClient("The client_assertion token must contain a 'jti' claim.")
	}
	seen := app.ClientID + "\x00" + jti
	if _, used := s.usedJTIs[seen]; used {
		return invalidClient("The client_assertion token has already been used.")
	}
	s.usedJTIs[seen] = exp
	return nil
}

// checkProofAndScopes applies the app's DPoP setting and its granted
// scopes to the request.
func checkProofAndScopes(r *http.Request, app *ServiceApp) ([]string, *oauthFailure) {
	if app.DPoPRequired {
		if r.Header.Get("DPoP") == "" {
			return nil, badRequest("invalid_dpop_proof", "The DPoP proof JWT header is missing.")
		}
		// The stand-in does not verify proofs: an app that requires DPoP
		// rejects every request, which is what a client without DPoP
		// support must report.
		return nil, badRequest("invalid_dpop_proof", "The DPoP proof JWT is invalid.")
	}

	scopes := strings.Fields(r.PostForm.Get("scope"))
	if len(scopes) == 0 {
		return nil, badRequest("invalid_scope", "The authorization server resource does not "+
			"have any configured default scopes, 'scope' must be provided.")
	}
	if missing := ungranted(app, scopes); len(missing) > 0 {
		return nil, badRequest("invalid_scope",
			"The following scopes are not allowed: "+strings.Join(missing, " "))
	}
	return slices.Compact(scopes), nil
}

// pruneLocked forgets expired tokens and the jtis of expired assertions;
// the caller holds s.authMu.
func (s *Server) pruneLocked() {
	now := s.now()
	for k, t := range s.tokens {
		if !now.Before(t.expires) {
			delete(s.tokens, k)
		}
	}
	for k, exp := range s.usedJTIs {
		if !now.Before(exp) {
			delete(s.usedJTIs, k)
		}
	}
}

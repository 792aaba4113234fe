package okta

import (
	"context"
	"fmt"
	"slices"

	"github.com/mailroom/oktasync/directory"
)

// Validate checks creds against the org before an integration is enabled:
// it mints a token for scopes, then probes each listing the scopes allow
// and, with okta.apps.read, the SAML app. It returns nil, the first
// *directory.Error found, or the context's error. Retryable errors stay
// retryable: the caller retries them before reporting.
func (p *Provider) Validate(ctx context.Context, creds directory.Credentials, samlAppID string,
	scopes []string) error {
	cred, err := newCredential(creds)
	if err != nil {
		return firstError(err)
	}
	// Validation must ask Okta, not a cached token: a grant revoked or a
	// "Proof of possession" box ticked since the last mint must show.
	p.tokens.invalidate(cred.owner())
	s := p.newSession(cred, scopes)

	if _, _, err := s.client(ctx); err != nil {
		return firstError(p.explainMintFailure(ctx, creds, samlAppID, s.scopes, err))
	}
	for _, probe := range s.probes(samlAppID) {
		if err := probe(ctx); err != nil {
			return firstError(err)
		}
	}
	return nil
}

// explainMintFailure looks closer at an unknown client: if the SAML app id
// mints a token with the same key, the admin swapped the two ids.
func (p *Provider) explainMintFailure(ctx context.Context, creds directory.Credentials,
	samlAppID string, scopes []string, err error) error {
	de := directory.AsError(err)
	if de == nil || de.Code != directory.CodeClientUnknown || samlAppID == creds.ClientID {
		return err
	}

	swapped := creds
	swapped.ClientID = samlAppID
	cred, cerr := newCredential(swapped)
	if cerr != nil {
		return err
	}
	if _, merr := p.tokens.token(ctx, cred, scopes); merr != nil {
		return err
	}
	p.tokens.invalidate(cred.owner())
	return &directory.Error{Code: directory.CodeIDsSwapped, Field: FieldClientID,
		Message: "the SAML app id and the client id are swapped",
		Fix: "Paste the API Services app's Client ID (General tab, Client Credentials) as " +
			"the client id, and the SAML app's id (from its page address) as the SAML app id."}
}

// probes returns the read checks the session's scopes allow, cheapest
// first, each asking for a single item.
func (s *session) probes(samlAppID string) []func(context.Context) error {
	var out []func(context.Context) error
	if slices.Contains(s.scopes, directory.ScopeUsersRead) {
		out = append(out, func(ctx context.Context) error {
			_, err := s.Users(ctx, directory.UserFilter{}, 1, "")
			return err
		})
	}
	if slices.Contains(s.scopes, directory.ScopeGroupsRead) {
		out = append(out, func(ctx context.Context) error {
			_, err := s.Groups(ctx, 1, "")
			return err
		})
	}
	if slices.Contains(s.scopes, directory.ScopeAppsRead) {
		out = append(out, func(ctx context.Context) error {
			return s.probeSAMLApp(ctx, samlAppID)
		})
	}
	return out
}

// probeSAMLApp checks the SAML app exists, is a SAML 2.0 app, and that its
// assignments can be listed.
func (s *session) probeSAMLApp(ctx context.Context, appID string) error {
	app, err := s.app(ctx, appID)
	if err != nil {
		return err
	}
	if err := s.checkSAML(app.Id, app.SignOnMode, app.Label); err != nil {
		return err
	}
	_, err = s.AppUsers(ctx, appID, 1, "")
	return err
}

// checkSAML explains an app that is not a SAML 2.0 app. Okta uses an OAuth
// app's id as its client id, so an OpenID Connect app named here is a client
// id pasted into the SAML app id field: this integration's own API Services
// app, or another OAuth app's.
func (s *session) checkSAML(id, signOnMode, label string) error {
	if signOnMode == directory.SignOnModeSAML2 {
		return nil
	}
	if id == s.cred.clientID || signOnMode == signOnModeOIDC {
		return &directory.Error{Code: directory.CodeAppIsAPIClient, Field: FieldSAMLAppID,
			Message: fmt.Sprintf("the SAML app id is the client id of the OAuth app %q", label),
			Fix: "You pasted a client id as the SAML app id: copy the id of the SAML app " +
				"your staff sign in with from its URL (the part after /instance/)."}
	}
	return &directory.Error{Code: directory.CodeAppNotSAML, Field: FieldSAMLAppID,
		Message: fmt.Sprintf("app %q signs users in with %s, not SAML 2.0", label, signOnMode),
		Fix: "Choose the SAML 2.0 app your staff sign in to this service with: in " +
			"Applications → Applications, open it and copy the id from its page address."}
}

// signOnModeOIDC is the sign-on mode of OpenID Connect and API Services
// apps, whose ids are OAuth client ids.
const signOnModeOIDC = "OPENID_CONNECT"

// firstError returns the *directory.Error in err's chain itself, as
// Validate promises, or err when there is none (a cancelled context).
func firstError(err error) error {
	if de := directory.AsError(err); de != nil {
		return de
	}
	return err
}

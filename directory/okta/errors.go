package okta

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	sdk "github.com/okta/okta-sdk-golang/v2/okta"

	"github.com/mailroom/oktasync/directory"
)

// Okta API error codes the classification relies on; see
// https://developer.okta.com/docs/reference/error-codes/.
const (
	errNoPermission = "E0000006"
	errNotFound     = "E0000007"
)

// defaultRetryAfter is used when a 429 carries no usable reset time: Okta's
// rate-limit windows are one minute long.
const defaultRetryAfter = time.Minute

// Fixes shared by several classifications, in the admin console's words.
const (
	fixWrongKey = "The key does not belong to this client: in the API Services app, under " +
		"Client Credentials → Public Keys, add a new key (Generate new key), and paste its " +
		"private JWK here."
	fixClientID = "In the API Services app's General tab, under Client Credentials, copy the " +
		"Client ID and paste it here. Check that the Okta domain is the org the app is in."
	fixAdminRole = "In the API Services app, on the 'Admin roles' tab, assign the " +
		"Read-only Administrator role to the app."
	fixAppID = "In the Okta admin console, open Applications → Applications, select the SAML " +
		"app, and copy the id after /instance/ in the page's address. Check that the Okta " +
		"domain is the org the app is in."
	fixRetry = "Nothing to change: the sync tries again by itself. If this keeps happening, " +
		"check status.okta.com."
)

// newError builds a non-retryable classified error.
func newError(code directory.Code, message, fix string) *directory.Error {
	return &directory.Error{Code: code, Message: message, Fix: fix}
}

// fieldError builds a non-retryable error about one settings field.
func fieldError(field string, code directory.Code, message, fix string) *directory.Error {
	return &directory.Error{Code: code, Field: field, Message: message, Fix: fix}
}

// tokenError classifies an OAuth error from the token endpoint. Okta's
// descriptions hold no secrets, so unclear cases quote them.
func tokenError(f tokenFailure, cred credential, scopes []string) *directory.Error {
	desc := strings.ToLower(f.Description)
	switch f.Error {
	case "invalid_client":
		return invalidClient(f, desc, cred)
	case "invalid_dpop_proof", "use_dpop_nonce":
		return newError(directory.CodeDPoPRequired,
			"the API Services app requires DPoP proofs, which this integration does not send",
			"In the API Services app's General tab, under Client Credentials, uncheck "+
				"'Require Demonstrating Proof of Possession (DPoP) header in token requests'.")
	case "invalid_scope":
		missing := scopesNamed(f.Description, scopes)
		return newError(directory.CodeScopeNotGranted,
			"the API Services app has not been granted "+missing,
			"In the API Services app, on the 'Okta API Scopes' tab, grant "+missing+".")
	case "unauthorized_client":
		return fieldError(FieldClientID, directory.CodeClientUnknown,
			"client "+cred.clientID+" is not allowed to use client credentials: it is not "+
				"an API Services app", fixClientID)
	}
	return newError(directory.CodeUnexpected,
		fmt.Sprintf("okta refused the token request (%s): %s", f.Error, f.Description),
		"Check the settings against the API Services app, then validate again.")
}

// invalidClient tells apart the invalid_client cases by Okta's descriptions,
// which name the part of the assertion at fault.
func invalidClient(f tokenFailure, desc string, cred credential) *directory.Error {
	switch {
	case strings.Contains(desc, "kid"):
		return fieldError(FieldPrivateJWK, directory.CodeKeyUnknown,
			"okta does not know the key with kid "+cred.key.kid+" for this client", fixWrongKey)
	case strings.Contains(desc, "signature"):
		return fieldError(FieldPrivateJWK, directory.CodeKeyMismatch,
			"the key's signature does not match any public key of this client", fixWrongKey)
	case containsAny(desc, "audience", "expiration", "expired", "already been used", "jti",
		"issued", "not yet valid", "lifetime", "claim", "malformed", "algorithm"):
		return newError(directory.CodeAssertionRejected,
			"okta rejected the client assertion: "+f.Description,
			"Check that this server's clock is correct and that the Okta domain is the "+
				"org's own domain, then validate again.")
	}
	return fieldError(FieldClientID, directory.CodeClientUnknown,
		"okta does not know client "+cred.clientID+" in "+cred.domain, fixClientID)
}

// scopeName matches an Okta management scope such as okta.apps.read.
var scopeName = regexp.MustCompile(`okta\.[A-Za-z]+\.(read|manage)`)

// scopesNamed returns the scopes Okta's description names, or else all the
// requested ones, for the admin to grant.
func scopesNamed(desc string, requested []string) string {
	named := scopeName.FindAllString(desc, -1)
	if len(named) == 0 {
		named = requested
	}
	return strings.Join(named, ", ")
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// transportError classifies a failure to get any response. The caller
// giving up is returned as it is; everything else may heal and is retryable.
func transportError(ctx context.Context, domain string, err error) error {
	if errors.Is(err, context.Canceled) || ctx.Err() == context.Canceled {
		return err
	}
	return &directory.Error{
		Code:      directory.CodeUnreachable,
		Message:   "could not reach " + domain + ": " + transportReason(err),
		Fix:       "Check the Okta domain. If it is right, the sync tries again by itself.",
		Retryable: true,
		Err:       err,
	}
}

// transportReason names the kind of network failure in a few words.
func transportReason(err error) string {
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var netErr net.Error
	switch {
	case errors.As(err, &dnsErr):
		return "the name does not resolve"
	case errors.As(err, &certErr), errors.As(err, &unknownAuthority), errors.As(err, &hostErr):
		return "its TLS certificate is not trusted"
	case errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		return "the request timed out"
	}
	return "the connection failed"
}

// isTransportError says whether err came from the network rather than from
// an answer: such failures keep their own classification even when a status
// line already arrived.
func isTransportError(err error) bool {
	var urlErr *url.Error
	var netErr net.Error
	return errors.As(err, &urlErr) || errors.As(err, &netErr)
}

// rateLimited reports a 429, asking callers to wait until the window resets.
// X-Rate-Limit-Reset is the UTC epoch second the window resets; see
// https://developer.okta.com/docs/reference/rl-best-practices/.
func rateLimited(h http.Header, now time.Time, path string) *directory.Error {
	wait := defaultRetryAfter
	if reset, err := strconv.ParseInt(h.Get("X-Rate-Limit-Reset"), 10, 64); err == nil {
		wait = max(time.Unix(reset, 0).Sub(now)+time.Second, time.Second)
	}
	return &directory.Error{
		Code:    directory.CodeRateLimited,
		Message: "okta's rate limit for " + path + " is used up",
		Fix: "Nothing to change: the sync waits for the limit to reset and goes on. If it " +
			"happens often, sync less often.",
		Retryable:  true,
		RetryAfter: wait,
	}
}

// serverError reports a 5xx, which is Okta's own trouble and retryable.
func serverError(status int, errorID string) *directory.Error {
	msg := fmt.Sprintf("okta answered with HTTP %d", status)
	if errorID != "" {
		msg += " (error id " + errorID + ")"
	}
	return &directory.Error{Code: directory.CodeServerError, Message: msg, Fix: fixRetry,
		Retryable: true}
}

// wrongDomain reports a host that answers, but not as an Okta org does.
func wrongDomain(domain string, status int) *directory.Error {
	return fieldError(FieldDomain, directory.CodeWrongDomain,
		fmt.Sprintf("%s answered (HTTP %d), but not as an Okta org does", domain, status),
		fixDomain)
}

// notFound says what a 404 E0000007 means for one call.
type notFound struct {
	code directory.Code
	// what names the missing object, such as "app 0oa…".
	what string
	// field is the settings field holding the id, if any.
	field string
}

// apiError classifies a failed management API call from the response the
// transport recorded and the SDK's error.
func apiError(ctx context.Context, domain string, nf notFound, ex *exchange, err error,
	now time.Time) error {
	status, header := ex.result()
	if errors.Is(err, errBadLink) {
		return newError(directory.CodeUnexpected, "okta sent a page link that cannot be read",
			"Nothing to change: the next sync starts the listing again. If this keeps "+
				"happening, contact support.")
	}
	if status == 0 || isTransportError(err) {
		return transportError(ctx, domain, err)
	}
	var oe *sdk.Error
	code, errorID := "", ""
	if errors.As(err, &oe) {
		code, errorID = oe.ErrorCode, oe.ErrorId
	}

	switch {
	case status == http.StatusForbidden && header.Get("WWW-Authenticate") != "":
		return missingScope(header.Get("WWW-Authenticate"), err)
	case status == http.StatusForbidden && code == errNoPermission:
		return newError(directory.CodeNoAdminRole,
			"the API Services app has no admin role, so Okta refuses to list the directory",
			fixAdminRole)
	case status == http.StatusNotFound && code == errNotFound && nf.code != "":
		return notFoundError(nf)
	case status == http.StatusUnauthorized:
		return tokenRejected(code)
	case status == http.StatusTooManyRequests:
		return rateLimited(header, now, ex.path())
	case status >= 500:
		return serverError(status, errorID)
	case status < 300 && jsonContent(header):
		// A success whose body does not decode was most likely cut short
		// on the way; fetching the page again is harmless.
		return &directory.Error{Code: directory.CodeUnexpected,
			Message: "okta's answer could not be read", Fix: fixRetry, Retryable: true,
			Err: err}
	}
	return unexpectedAnswer(domain, status, header, code, errorID)
}

// unexpectedAnswer covers answers no rule above expects: a host that is not
// Okta, or an Okta error this integration has no advice for.
func unexpectedAnswer(domain string, status int, header http.Header, code,
	errorID string) *directory.Error {
	if status >= 300 && status < 400 || !jsonContent(header) {
		return wrongDomain(domain, status)
	}
	msg := fmt.Sprintf("okta answered with HTTP %d", status)
	if code != "" {
		msg += " " + code
	}
	if errorID != "" {
		msg += " (error id " + errorID + ")"
	}
	return newError(directory.CodeUnexpected, msg,
		"Check the integration's settings and validate again. If this keeps happening, "+
			"contact support with the error id.")
}

// wwwAuthParam matches one key="value" parameter of a WWW-Authenticate
// header.
var wwwAuthParam = regexp.MustCompile(`([A-Za-z_]+)="([^"]*)"`)

// missingScope reports a 403 whose WWW-Authenticate header says the token
// lacks a scope, naming the scope from the header's scope parameter.
func missingScope(challenge string, err error) *directory.Error {
	params := map[string]string{}
	for _, m := range wwwAuthParam.FindAllStringSubmatch(challenge, -1) {
		params[m[1]] = m[2]
	}
	if params["error"] != "insufficient_scope" {
		return tokenRejected("")
	}
	scope := params["scope"]
	if scope == "" {
		scope = "the scope this call needs"
	}
	return &directory.Error{Code: directory.CodeTokenMissingScope,
		Message: "the access token lacks " + scope,
		Fix:     "In the API Services app, on the 'Okta API Scopes' tab, grant " + scope + ".",
		Err:     err}
}

// tokenRejected reports a 401: the token expired or was revoked.
func tokenRejected(code string) *directory.Error {
	msg := "okta rejected the access token"
	if code != "" {
		msg += " (" + code + ")"
	}
	return newError(directory.CodeTokenRejected, msg,
		"Validate the integration again; if this keeps happening, check that the API "+
			"Services app is active.")
}

// notFoundError reports an id Okta does not know.
func notFoundError(nf notFound) *directory.Error {
	if nf.code == directory.CodeGroupNotFound {
		return newError(nf.code, "okta has no "+nf.what,
			"The group may have been deleted in Okta: map another group to the location.")
	}
	return fieldError(nf.field, nf.code, "okta has no "+nf.what, fixAppID)
}

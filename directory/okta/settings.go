package okta

import (
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strings"

	"github.com/mailroom/oktasync/directory"
)

// Settings-form fields, as directory.Error.Field names them.
const (
	FieldDomain     = "okta_domain"
	FieldSAMLAppID  = "saml_app_id"
	FieldClientID   = "client_id"
	FieldPrivateJWK = "private_jwk"
)

// SettingsInput is the settings form as the admin filled it in, before any
// trimming or checking.
type SettingsInput struct {
	Domain     string
	SAMLAppID  string
	ClientID   string
	PrivateJWK string
}

// DomainPolicy says which hosts, besides Okta's own domains, an org domain
// may name. The domain decides where the worker sends requests, so nothing
// else gets through.
type DomainPolicy struct {
	// ExtraHosts lists exact host or host:port values to accept, such as an
	// org's custom domain or the stand-in's "127.0.0.1:8443". They are
	// compared case-insensitively.
	ExtraHosts []string
}

// Settings are the admin's settings, checked and normalised, ready to store.
// PrivateJWK is a secret: Settings redact it whenever they are printed or
// logged.
type Settings struct {
	// Domain is the org host, such as "acme.okta.com", or a listed extra
	// host[:port].
	Domain    string
	SAMLAppID string
	ClientID  string
	// PrivateJWK is the single private key, re-serialised as JSON.
	PrivateJWK []byte
	// KeyID is the key's kid; it names the key without revealing it.
	KeyID string
}

// Credentials returns what a directory.Provider needs to authenticate.
func (s Settings) Credentials() directory.Credentials {
	return directory.Credentials{Domain: s.Domain, ClientID: s.ClientID, PrivateJWK: s.PrivateJWK}
}

// String redacts the private key.
func (s Settings) String() string {
	return "okta.Settings{Domain:" + s.Domain + " SAMLAppID:" + s.SAMLAppID +
		" ClientID:" + s.ClientID + " KeyID:" + s.KeyID + " PrivateJWK:[redacted]}"
}

// GoString redacts the private key from %#v.
func (s Settings) GoString() string { return s.String() }

// LogValue redacts the private key from structured logs.
func (s Settings) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("domain", s.Domain),
		slog.String("saml_app_id", s.SAMLAppID),
		slog.String("client_id", s.ClientID),
		slog.String("key_id", s.KeyID),
	)
}

// ParseSettings normalises and checks the settings form. On failure it
// returns a *directory.InputError listing every problem found, so the form
// can show them all at once.
func ParseSettings(in SettingsInput, policy DomainPolicy) (Settings, error) {
	var out Settings
	var problems []*directory.Error
	note := func(p *directory.Error) {
		if p != nil {
			problems = append(problems, p)
		}
	}

	var p *directory.Error
	out.Domain, p = parseDomain(in.Domain, policy)
	note(p)
	out.SAMLAppID, p = parseAppID(in.SAMLAppID)
	note(p)
	out.ClientID, p = parseClientID(in.ClientID)
	note(p)
	note(checkDistinctIDs(out.SAMLAppID, out.ClientID))

	key, p := parsePrivateJWK([]byte(in.PrivateJWK))
	note(p)
	if key != nil {
		out.PrivateJWK, out.KeyID = key.normalised, key.kid
	}

	if len(problems) > 0 {
		return Settings{}, &directory.InputError{Problems: problems}
	}
	return out, nil
}

// oktaSuffixes are the parent domains of Okta Workforce orgs: commercial,
// preview, EMEA, and the government clouds.
var oktaSuffixes = []string{"okta.com", "oktapreview.com", "okta-emea.com", "okta-gov.com",
	"okta.mil"}

// hostLabel is one DNS label of a host name, lower case.
var hostLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// parseDomain turns what the admin typed or pasted into the org host. The
// result decides where the worker sends requests and the private key's
// assertions, so only Okta org hosts and the policy's extra hosts pass.
func parseDomain(raw string, policy DomainPolicy) (string, *directory.Error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", domainProblem(directory.CodeDomainRequired, "the Okta domain is missing",
			fixDomain)
	}

	u, ok := parseDomainURL(s)
	if !ok {
		return "", invalidDomain()
	}
	host := strings.ToLower(u.Host)
	if policy.allows(host) {
		return host, nil
	}
	return oktaOrgHost(host)
}

// parseDomainURL parses a bare domain or a URL, accepting only https or http
// URLs without user info, and only the paths of the admin console or the
// end-user dashboard.
func parseDomainURL(s string) (*url.URL, bool) {
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.Opaque != "" {
		return nil, false
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, false
	}
	return u, consolePath(u.Path)
}

// consolePath says whether a pasted URL's path is one an admin plausibly
// copied from Okta: none, the admin console, or the end-user dashboard.
func consolePath(p string) bool {
	if p == "" || p == "/" || p == "/admin" {
		return true
	}
	for _, prefix := range []string{"/admin/", "/app/UserHome", "/enduser/"} {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// allows says whether host (lower case, with any port) is listed.
func (p DomainPolicy) allows(host string) bool {
	for _, h := range p.ExtraHosts {
		if strings.EqualFold(strings.TrimSpace(h), host) {
			return true
		}
	}
	return false
}

// oktaOrgHost accepts host only as {org}.{Okta suffix}, without a port, and
// explains the admin-console mistake.
func oktaOrgHost(host string) (string, *directory.Error) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		if isOktaHost(h) {
			return "", domainProblem(directory.CodeDomainInvalid,
				"the Okta domain must not include a port", "Enter "+h+" without the port.")
		}
		return "", notOkta()
	}
	host = strings.TrimSuffix(host, ".")
	if !isOktaHost(host) {
		return "", notOkta()
	}

	org, rest, _ := strings.Cut(host, ".")
	if base, ok := strings.CutSuffix(org, "-admin"); ok && base != "" {
		fixed := base + "." + rest
		return "", domainProblem(directory.CodeDomainAdmin,
			"this is the admin console's address, not the org domain",
			"Use your org domain, without -admin: "+fixed+".")
	}
	return host, nil
}

// isOktaHost says whether host is exactly one DNS label under an Okta
// suffix. IP literals and nested names never are.
func isOktaHost(host string) bool {
	org, rest, ok := strings.Cut(host, ".")
	if !ok || !hostLabel.MatchString(org) {
		return false
	}
	for _, suffix := range oktaSuffixes {
		if rest == suffix {
			return true
		}
	}
	return false
}

// fixDomain says what an org domain looks like.
const fixDomain = "Enter your Okta org domain, such as acme.okta.com: it is the address " +
	"you sign in to Okta with, without -admin."

func invalidDomain() *directory.Error {
	return domainProblem(directory.CodeDomainInvalid,
		"the Okta domain is not a domain name or an Okta address", fixDomain)
}

func notOkta() *directory.Error {
	return domainProblem(directory.CodeDomainNotOkta, "the domain is not an Okta org domain",
		"Enter your Okta org domain, ending in okta.com, oktapreview.com, okta-emea.com, "+
			"okta-gov.com or okta.mil, such as acme.okta.com.")
}

func domainProblem(code directory.Code, message, fix string) *directory.Error {
	return &directory.Error{Code: code, Field: FieldDomain, Message: message, Fix: fix}
}

// oktaAppID is the shape of Okta app ids, which are also the client ids of
// OAuth apps: "0oa" and 17 letters or digits.
var oktaAppID = regexp.MustCompile(`^0oa[A-Za-z0-9]{17}$`)

// consoleAppPath matches the admin console's page of an app instance,
// /admin/app/{app name}/instance/{app id}/, and captures the id.
var consoleAppPath = regexp.MustCompile(`^/admin/app/[^/]+/instance/([^/]+)/?$`)

// parseAppID accepts the SAML app's id or the console URL of its page.
func parseAppID(raw string) (string, *directory.Error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", appIDProblem(directory.CodeAppIDRequired, "the SAML app id is missing")
	}
	if strings.Contains(s, "/") {
		s = appIDFromURL(s)
	}
	if !oktaAppID.MatchString(s) {
		return "", appIDProblem(directory.CodeAppIDInvalid,
			"the SAML app id is not an Okta app id (0oa followed by 17 letters or digits)")
	}
	return s, nil
}

// appIDFromURL extracts the app id from a console URL, or returns "".
func appIDFromURL(s string) string {
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	m := consoleAppPath.FindStringSubmatch(u.Path)
	if m == nil {
		return ""
	}
	return m[1]
}

func appIDProblem(code directory.Code, message string) *directory.Error {
	return &directory.Error{Code: code, Field: FieldSAMLAppID, Message: message,
		Fix: "In the Okta admin console, open Applications → Applications, select the SAML " +
			"app, and paste the page's address or the id after /instance/ in it."}
}

// parseClientID checks the API Services app's client id.
func parseClientID(raw string) (string, *directory.Error) {
	s := strings.TrimSpace(raw)
	fix := "In the API Services app's General tab, under Client Credentials, copy the " +
		"Client ID."
	if s == "" {
		return "", &directory.Error{Code: directory.CodeClientIDRequired, Field: FieldClientID,
			Message: "the client id is missing", Fix: fix}
	}
	if !oktaAppID.MatchString(s) {
		return "", &directory.Error{Code: directory.CodeClientIDInvalid, Field: FieldClientID,
			Message: "the client id is not an Okta client id (0oa followed by 17 letters " +
				"or digits)", Fix: fix}
	}
	return s, nil
}

// checkDistinctIDs catches the same id pasted twice: the SAML app and the
// API Services app are two different apps.
func checkDistinctIDs(appID, clientID string) *directory.Error {
	if appID == "" || appID != clientID {
		return nil
	}
	return &directory.Error{Code: directory.CodeIDsIdentical, Field: FieldSAMLAppID,
		Message: "the SAML app id and the client id are the same",
		Fix: "The SAML app id comes from the SAML app's page address; the client id comes " +
			"from the API Services app's General tab. Paste each from its own app."}
}

package okta

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/mailroom/oktasync/directory"
)

const (
	testAppID    = "0oa1samlapp000000001"
	testClientID = "0oa1apiclient0000001"
)

// validInput returns a form that passes every check.
func validInput(t *testing.T) SettingsInput {
	return SettingsInput{
		Domain:     "acme.okta.com",
		SAMLAppID:  testAppID,
		ClientID:   testClientID,
		PrivateJWK: string(testKeys(t).rsa.jwk),
	}
}

func TestParseSettingsDomain(t *testing.T) {
	policy := DomainPolicy{ExtraHosts: []string{"127.0.0.1:8443", "Login.Acme.example"}}
	tests := []struct {
		in   string
		want string
		code directory.Code
	}{
		{in: "acme.okta.com", want: "acme.okta.com"},
		{in: "https://acme.okta.com/", want: "acme.okta.com"},
		{in: "  ACME.Okta.com  ", want: "acme.okta.com"},
		{in: "http://acme.okta.com", want: "acme.okta.com"},
		{in: "acme.okta.com.", want: "acme.okta.com"},
		{in: "acme.oktapreview.com", want: "acme.oktapreview.com"},
		{in: "acme.okta-emea.com", want: "acme.okta-emea.com"},
		{in: "acme.okta-gov.com", want: "acme.okta-gov.com"},
		{in: "acme.okta.mil", want: "acme.okta.mil"},
		{in: "https://acme.okta.com/app/UserHome", want: "acme.okta.com"},
		{in: "https://acme.okta.com/admin/dashboard", want: "acme.okta.com"},
		{in: "127.0.0.1:8443", want: "127.0.0.1:8443"},
		{in: "https://127.0.0.1:8443/", want: "127.0.0.1:8443"},
		{in: "login.acme.example", want: "login.acme.example"},
		{in: "", code: directory.CodeDomainRequired},
		{in: "https://acme-admin.okta.com/admin/dashboard", code: directory.CodeDomainAdmin},
		{in: "acme-admin.okta.com", code: directory.CodeDomainAdmin},
		{in: "acme-admin.oktapreview.com", code: directory.CodeDomainAdmin},
		{in: "evil.example.com", code: directory.CodeDomainNotOkta},
		{in: "acme.okta.com.evil.example", code: directory.CodeDomainNotOkta},
		{in: "okta.com", code: directory.CodeDomainNotOkta},
		{in: "a.b.okta.com", code: directory.CodeDomainNotOkta},
		{in: "localhost", code: directory.CodeDomainNotOkta},
		{in: "169.254.169.254", code: directory.CodeDomainNotOkta},
		{in: "127.0.0.1:9999", code: directory.CodeDomainNotOkta},
		{in: "[::1]", code: directory.CodeDomainNotOkta},
		{in: "acme.okta.com:8443", code: directory.CodeDomainInvalid},
		{in: "https://admin@acme.okta.com", code: directory.CodeDomainInvalid},
		{in: "https://acme.okta.com/oauth2/v1/token", code: directory.CodeDomainInvalid},
		{in: `https://evil.example\@acme.okta.com`, code: directory.CodeDomainInvalid},
		{in: "ftp://acme.okta.com", code: directory.CodeDomainInvalid},
		{in: "acme.okta.com/../../internal", code: directory.CodeDomainInvalid},
	}
	for _, tt := range tests {
		got, p := parseDomain(tt.in, policy)
		if codeOf(p) != tt.code || got != tt.want {
			t.Errorf("parseDomain(%q) = %q, %q, want %q, %q", tt.in, got, codeOf(p),
				tt.want, tt.code)
		}
		if p != nil && (p.Field != FieldDomain || p.Message == "" || p.Fix == "") {
			t.Errorf("parseDomain(%q) problem = %+v, want field, message and fix", tt.in, p)
		}
	}
}

func TestParseSettingsAdminDomainSuggestsOrgDomain(t *testing.T) {
	_, p := parseDomain("https://acme-admin.okta.com/admin/dashboard", DomainPolicy{})
	if p == nil || !strings.Contains(p.Fix, "acme.okta.com") {
		t.Errorf("parseDomain(admin URL) fix = %q, want it to suggest acme.okta.com", fixOf(p))
	}
}

func TestParseSettingsIDs(t *testing.T) {
	tests := []struct {
		app, client       string
		wantApp, wantClnt string
		codes             []directory.Code
	}{
		{app: testAppID, client: testClientID, wantApp: testAppID, wantClnt: testClientID},
		{app: " " + testAppID + "\n", client: testClientID, wantApp: testAppID,
			wantClnt: testClientID},
		{app: "https://acme-admin.okta.com/admin/app/acme_saml/instance/" + testAppID +
			"/#tab-general", client: testClientID, wantApp: testAppID, wantClnt: testClientID},
		{app: "acme-admin.okta.com/admin/app/acme_saml/instance/" + testAppID + "/",
			client: testClientID, wantApp: testAppID, wantClnt: testClientID},
		{app: "", client: testClientID, codes: []directory.Code{directory.CodeAppIDRequired}},
		{app: "0oa1short", client: testClientID,
			codes: []directory.Code{directory.CodeAppIDInvalid}},
		{app: "00u1samlapp000000001", client: testClientID,
			codes: []directory.Code{directory.CodeAppIDInvalid}},
		{app: "https://acme-admin.okta.com/admin/apps/active", client: testClientID,
			codes: []directory.Code{directory.CodeAppIDInvalid}},
		{app: testAppID, client: "", codes: []directory.Code{directory.CodeClientIDRequired}},
		{app: testAppID, client: "my-client", codes: []directory.Code{
			directory.CodeClientIDInvalid}},
		{app: testAppID, client: testAppID, codes: []directory.Code{directory.CodeIDsIdentical}},
	}
	for _, tt := range tests {
		in := validInput(t)
		in.SAMLAppID, in.ClientID = tt.app, tt.client
		got, err := ParseSettings(in, DomainPolicy{})
		if codes := problemCodes(err); !slices.Equal(codes, tt.codes) {
			t.Errorf("ParseSettings(app %q, client %q) codes = %q, want %q",
				tt.app, tt.client, codes, tt.codes)
		}
		if got.SAMLAppID != tt.wantApp || got.ClientID != tt.wantClnt {
			t.Errorf("ParseSettings(app %q, client %q) = %q, %q, want %q, %q", tt.app,
				tt.client, got.SAMLAppID, got.ClientID, tt.wantApp, tt.wantClnt)
		}
	}
}

func TestParseSettingsKey(t *testing.T) {
	k := testKeys(t)
	set := func(members ...[]byte) string {
		return `{"keys":[` + string(bytes.Join(members, []byte(","))) + `]}`
	}
	noKID := editJWK(t, k.rsa.jwk, func(m map[string]any) { delete(m, "kid") })
	broken := editJWK(t, k.rsa.jwk, func(m map[string]any) {
		m["d"] = editJWKMember(t, k.otherRSA.jwk, "d")
	})
	brokenEC := editJWK(t, k.ec256.jwk, func(m map[string]any) {
		m["d"] = editJWKMember(t, k.ec384.jwk, "d")
	})
	tests := []struct {
		name, in string
		kid      string
		code     directory.Code
	}{
		{name: "rsa", in: string(k.rsa.jwk), kid: "kid-rsa"},
		{name: "rsa padded", in: "\n  " + string(k.rsa.jwk) + "\n", kid: "kid-rsa"},
		{name: "ec p-256", in: string(k.ec256.jwk), kid: "kid-ec256"},
		{name: "ec p-384", in: string(k.ec384.jwk), kid: "kid-ec384"},
		{name: "ec p-521", in: string(k.ec521.jwk), kid: "kid-ec521"},
		{name: "set of one", in: set(k.rsa.jwk), kid: "kid-rsa"},
		{name: "empty", in: "  ", code: directory.CodeKeyRequired},
		{name: "not json", in: "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", code: directory.CodeKeyNotJSON},
		{name: "json array", in: `[1,2]`, code: directory.CodeKeyNotJSON},
		{name: "pem", in: "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----",
			code: directory.CodeKeyPEM},
		{name: "public only", in: string(k.rsa.publicJWK), code: directory.CodeKeyPublicOnly},
		{name: "public ec", in: string(k.ec256.publicJWK), code: directory.CodeKeyPublicOnly},
		{name: "set of public", in: set(k.rsa.publicJWK), code: directory.CodeKeyPublicOnly},
		{name: "no kid", in: string(noKID), code: directory.CodeKeyMissingKID},
		{name: "empty set", in: set(), code: directory.CodeKeySetSize},
		{name: "set of two", in: set(k.rsa.jwk, k.otherRSA.jwk), code: directory.CodeKeySetSize},
		{name: "oct", in: `{"kty":"oct","kid":"k","k":"c2VjcmV0"}`,
			code: directory.CodeKeyUnsupported},
		{name: "okp", in: string(k.ed25519), code: directory.CodeKeyUnsupported},
		{name: "no kty", in: `{"kid":"k","d":"AQAB"}`, code: directory.CodeKeyInvalid},
		{name: "mismatched d", in: string(broken), code: directory.CodeKeyInvalid},
		{name: "mismatched ec d", in: string(brokenEC), code: directory.CodeKeyInvalid},
		{name: "rsa 1024", in: string(k.rsa1024.jwk), code: directory.CodeKeyInvalid},
		{name: "truncated n", in: string(editJWK(t, k.rsa.jwk, func(m map[string]any) {
			m["n"] = "AQAB"
		})), code: directory.CodeKeyInvalid},
	}
	for _, tt := range tests {
		in := validInput(t)
		in.PrivateJWK = tt.in
		got, err := ParseSettings(in, DomainPolicy{})
		var want []directory.Code
		if tt.code != "" {
			want = []directory.Code{tt.code}
		}
		if codes := problemCodes(err); !slices.Equal(codes, want) || got.KeyID != tt.kid {
			t.Errorf("ParseSettings(key %s) = kid %q, codes %q, want kid %q, codes %q",
				tt.name, got.KeyID, codes, tt.kid, want)
		}
	}
}

// editJWKMember returns one member of a JWK.
func editJWKMember(t *testing.T, key []byte, name string) any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(key, &m); err != nil {
		t.Fatal(err)
	}
	return m[name]
}

func TestParseSettingsNormalisesKey(t *testing.T) {
	k := testKeys(t).ec256
	in := validInput(t)
	in.PrivateJWK = `{"keys":[` + string(k.jwk) + `]}`
	got, err := ParseSettings(in, DomainPolicy{})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(got.PrivateJWK, []byte(`"keys"`)) {
		t.Errorf("ParseSettings(set).PrivateJWK = %s, want the single key", got.PrivateJWK)
	}
	again, p := parsePrivateJWK(got.PrivateJWK)
	if p != nil || again.kid != k.kid {
		t.Errorf("parsePrivateJWK(normalised) = %v, %v, want kid %q", again, p, k.kid)
	}
	if creds := got.Credentials(); creds.Domain != "acme.okta.com" ||
		creds.ClientID != testClientID || !bytes.Equal(creds.PrivateJWK, got.PrivateJWK) {
		t.Errorf("Settings.Credentials() = %v, want the settings' domain, client and key", creds)
	}
}

func TestParseSettingsListsEveryProblem(t *testing.T) {
	in := SettingsInput{Domain: "acme-admin.okta.com", SAMLAppID: "x", ClientID: "y",
		PrivateJWK: string(testKeys(t).rsa.publicJWK)}
	_, err := ParseSettings(in, DomainPolicy{})
	want := []directory.Code{directory.CodeDomainAdmin, directory.CodeAppIDInvalid,
		directory.CodeClientIDInvalid, directory.CodeKeyPublicOnly}
	if got := problemCodes(err); !slices.Equal(got, want) {
		t.Errorf("ParseSettings(all wrong) codes = %q, want %q", got, want)
	}
}

func TestSettingsRedactKey(t *testing.T) {
	key := testKeys(t).rsa.jwk
	in := validInput(t)
	s, err := ParseSettings(in, DomainPolicy{})
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("saved", "settings", s)
	d := privateD(t, key)
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%+v", s), fmt.Sprintf("%#v", s),
		logged.String()} {
		if strings.Contains(out, d) || !strings.Contains(out, "kid-rsa") {
			t.Errorf("formatted settings = %s, want the kid and no key", out)
		}
	}
}

func TestParseSettingsNeverEchoesKey(t *testing.T) {
	k := testKeys(t)
	d := privateD(t, k.rsa.jwk)
	for _, key := range []string{
		string(editJWK(t, k.rsa.jwk, func(m map[string]any) { delete(m, "kid") })),
		string(editJWK(t, k.rsa.jwk, func(m map[string]any) { m["n"] = "AQAB" })),
		`{"keys":[` + string(k.rsa.jwk) + `,` + string(k.ec256.jwk) + `]}`,
		strings.TrimSuffix(string(k.rsa.jwk), "}"),
	} {
		in := validInput(t)
		in.PrivateJWK = key
		_, err := ParseSettings(in, DomainPolicy{})
		if err == nil || strings.Contains(err.Error(), d) {
			t.Errorf("ParseSettings(bad key) error = %v, want an error without the key", err)
		}
	}
}

func codeOf(p *directory.Error) directory.Code {
	if p == nil {
		return ""
	}
	return p.Code
}

func fixOf(p *directory.Error) string {
	if p == nil {
		return ""
	}
	return p.Fix
}

// problemCodes lists the codes of an *InputError, in order.
func problemCodes(err error) []directory.Code {
	var ie *directory.InputError
	if !errors.As(err, &ie) {
		return nil
	}
	var out []directory.Code
	for _, p := range ie.Problems {
		out = append(out, p.Code)
	}
	return out
}

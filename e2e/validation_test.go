package e2e

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/mailroom/oktasync/config"
	"github.com/mailroom/oktasync/dashboard"
	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/oktastandin"
	"github.com/mailroom/oktasync/store"
)

// badSettings is one admin mistake: how it changes the form or the Okta org,
// and the error code the admin must see.
type badSettings struct {
	name string
	// form edits the settings form.
	form func(h *harness, req *dashboard.EnableRequest)
	// okta misconfigures the Okta org (through the stand-in).
	okta func(h *harness)
	// prefs edits the preferences.
	prefs      func(p *models.Preferences)
	wantStatus int
	wantCode   string
}

func TestEveryAdminMistakeGetsItsOwnCode(t *testing.T) {
	notOkta := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("<html>not here</html>"))
	}))
	defer notOkta.Close()
	notOktaHost := strings.TrimPrefix(notOkta.URL, "https://")
	closedHost := "127.0.0.1:1"

	h := newHarness(t, harnessOptions{
		extraHosts: []string{notOktaHost, closedHost},
		okta:       oktastandin.Options{RateLimits: oktastandin.RateLimits{Window: 2 * time.Second}},
		worker:     func(c *config.Worker) {},
	})
	for _, tc := range mistakes(notOktaHost, closedHost) {
		t.Run(tc.name, func(t *testing.T) {
			h.t = t
			h.resetOkta()
			if tc.okta != nil {
				tc.okta(h)
			}
			prefs := models.Preferences{SSOUsersView: true}
			if tc.prefs != nil {
				tc.prefs(&prefs)
			}
			req := h.settings(prefs)
			if tc.form != nil {
				tc.form(h, &req)
			}

			_, err := h.api.EnableDirectory(h.ctx, req)

			var apiErr *dashboard.Error
			if !errors.As(err, &apiErr) {
				if err == nil {
					_, _ = h.api.DisableDirectory(h.ctx) // keep the next cases clean
				}
				t.Fatalf("enable = %v, want an API error %s", err, tc.wantCode)
			}
			if apiErr.Status != tc.wantStatus || apiErr.ErrorBody.Error.Code != tc.wantCode {
				t.Fatalf("enable = %d %s (%s), want %d %s", apiErr.Status,
					apiErr.ErrorBody.Error.Code, apiErr.ErrorBody.Error.Message,
					tc.wantStatus, tc.wantCode)
			}
			if apiErr.ErrorBody.Error.Message == "" || apiErr.ErrorBody.Error.Fix == "" {
				t.Errorf("error %+v lacks a message or a fix", apiErr.ErrorBody.Error)
			}
			h.assertNothingKept()
		})
	}
	if n := len(mistakes(notOktaHost, closedHost)); n < 30 {
		t.Errorf("only %d cases; the table should cover at least 30", n)
	}
}

// resetOkta undoes what a case did to the stand-in's service app and faults.
func (h *harness) resetOkta() {
	h.okta.ClearFaults()
	h.okta.ResetRateLimits()
	h.okta.SetEnforceRateLimits(false)
	err := h.okta.UpdateServiceApp(h.clientID, func(a *oktastandin.ServiceApp) {
		a.GrantedScopes = oktastandin.AllReadScopes
		a.DPoPRequired, a.AdminRole = false, true
	})
	if err != nil {
		h.t.Fatal(err)
	}
}

// assertNothingKept checks the integration is not on and keeps no key and
// no settings.
func (h *harness) assertNothingKept() {
	h.t.Helper()
	integ, err := h.store.Integration(h.ctx, h.api.OrgID)
	if errors.Is(err, store.ErrNotFound) {
		return
	}
	if err != nil {
		h.t.Fatal(err)
	}
	if integ.State == models.StateActive || integ.State == models.StateValidating {
		h.t.Errorf("integration state %q after a failed enable", integ.State)
	}
	if len(integ.PrivateJWKCiphertext) > 0 || integ.OktaDomain != "" || integ.ClientID != "" ||
		integ.SAMLAppID != "" || integ.KeyID != "" {
		h.t.Errorf("a failed enable kept settings: domain %q client %q app %q kid %q key %d bytes",
			integ.OktaDomain, integ.ClientID, integ.SAMLAppID, integ.KeyID,
			len(integ.PrivateJWKCiphertext))
	}
}

func mistakes(notOktaHost, closedHost string) []badSettings {
	return append(formMistakes(), oktaMistakes(notOktaHost, closedHost)...)
}

func setDomain(d string) func(*harness, *dashboard.EnableRequest) {
	return func(_ *harness, r *dashboard.EnableRequest) { r.OktaDomain = d }
}

func setAppID(id string) func(*harness, *dashboard.EnableRequest) {
	return func(_ *harness, r *dashboard.EnableRequest) { r.SAMLAppID = id }
}

func setClientID(id string) func(*harness, *dashboard.EnableRequest) {
	return func(_ *harness, r *dashboard.EnableRequest) { r.ClientID = id }
}

func setKey(k string) func(*harness, *dashboard.EnableRequest) {
	return func(_ *harness, r *dashboard.EnableRequest) { r.PrivateJWK = []byte(k) }
}

// editKey rewrites the pasted JWK's members.
func editKey(edit func(m map[string]any) any) func(*harness, *dashboard.EnableRequest) {
	return func(h *harness, r *dashboard.EnableRequest) {
		var m map[string]any
		if err := json.Unmarshal(h.jwk, &m); err != nil {
			h.t.Fatal(err)
		}
		raw, _ := json.Marshal(edit(m))
		r.PrivateJWK = raw
	}
}

func formMistakes() []badSettings {
	bad := http.StatusBadRequest
	return []badSettings{
		{name: "domain empty", form: setDomain(""), wantStatus: bad, wantCode: "domain_required"},
		{name: "domain garbage", form: setDomain("not a domain!"), wantStatus: bad,
			wantCode: "domain_invalid"},
		{name: "admin domain", form: setDomain("acme-admin.okta.com"), wantStatus: bad,
			wantCode: "domain_admin"},
		{name: "admin console URL", form: setDomain("https://acme-admin.okta.com/admin/dashboard"),
			wantStatus: bad, wantCode: "domain_admin"},
		{name: "not an Okta domain", form: setDomain("login.example.com"), wantStatus: bad,
			wantCode: "domain_not_okta"},
		{name: "cloud metadata address", form: setDomain("169.254.169.254"), wantStatus: bad,
			wantCode: "domain_not_okta"},
		{name: "localhost", form: setDomain("localhost:8443"), wantStatus: bad,
			wantCode: "domain_not_okta"},
		{name: "okta suffix trick", form: setDomain("acme.okta.com.evil.example"),
			wantStatus: bad, wantCode: "domain_not_okta"},
		{name: "app id empty", form: setAppID(""), wantStatus: bad, wantCode: "app_id_required"},
		{name: "app id garbage", form: setAppID("my saml app"), wantStatus: bad,
			wantCode: "app_id_invalid"},
		{name: "app URL without instance", form: setAppID("https://acme-admin.okta.com/admin/apps"),
			wantStatus: bad, wantCode: "app_id_invalid"},
		{name: "client id empty", form: setClientID(""), wantStatus: bad,
			wantCode: "client_id_required"},
		{name: "client id garbage", form: setClientID("client-123"), wantStatus: bad,
			wantCode: "client_id_invalid"},
		{name: "same id twice", form: func(h *harness, r *dashboard.EnableRequest) {
			r.SAMLAppID = h.clientID
		}, wantStatus: bad, wantCode: "ids_identical"},
		{name: "key empty", form: setKey(""), wantStatus: bad, wantCode: "key_required"},
		{name: "key broken JSON", form: setKey(`{"kty":"RSA",`), wantStatus: bad,
			wantCode: "key_not_json"},
		{name: "key as PEM", form: setKey("-----BEGIN PRIVATE KEY-----\nMIIE\n" +
			"-----END PRIVATE KEY-----\n"), wantStatus: bad, wantCode: "key_pem"},
		{name: "public key only", form: editKey(func(m map[string]any) any {
			for _, k := range []string{"d", "p", "q", "dp", "dq", "qi"} {
				delete(m, k)
			}
			return m
		}), wantStatus: bad, wantCode: "key_public_only"},
		{name: "key without kid", form: editKey(func(m map[string]any) any {
			delete(m, "kid")
			return m
		}), wantStatus: bad, wantCode: "key_missing_kid"},
		{name: "set of two keys", form: editKey(func(m map[string]any) any {
			return map[string]any{"keys": []any{m, m}}
		}), wantStatus: bad, wantCode: "key_set_size"},
		{name: "empty key set", form: setKey(`{"keys":[]}`), wantStatus: bad,
			wantCode: "key_set_size"},
		{name: "symmetric key", form: setKey(`{"kty":"oct","kid":"k1","k":"c2VjcmV0"}`),
			wantStatus: bad, wantCode: "key_unsupported"},
		{name: "broken key material", form: editKey(func(m map[string]any) any {
			m["d"] = "AAAA"
			return m
		}), wantStatus: bad, wantCode: "key_invalid"},
		{name: "unknown sync mode", prefs: func(p *models.Preferences) { p.Mode = "everyone" },
			wantStatus: bad, wantCode: "preference_invalid"},
		{name: "interval too short", prefs: func(p *models.Preferences) {
			p.SyncIntervalMinutes = 1
		}, wantStatus: bad, wantCode: "preference_invalid"},
	}
}

// otherKey returns a fresh RSA key as a JWK, with the given kid.
func otherKey(h *harness, kid string) []byte {
	k, err := oktastandin.NewRSAKey(kid)
	if err != nil {
		h.t.Fatal(err)
	}
	raw, _ := json.Marshal(k)
	return raw
}

func oktaMistakes(notOktaHost, closedHost string) []badSettings {
	fail := http.StatusUnprocessableEntity
	return []badSettings{
		{name: "key of another app (same kid)", form: func(h *harness, r *dashboard.EnableRequest) {
			r.PrivateJWK = otherKey(h, keyID(h.key))
		}, wantStatus: fail, wantCode: "key_mismatch"},
		{name: "key not registered", form: func(h *harness, r *dashboard.EnableRequest) {
			r.PrivateJWK = otherKey(h, "some-other-kid")
		}, wantStatus: fail, wantCode: "key_unknown"},
		{name: "unknown client id", form: setClientID(oktastandin.NewAppID()), wantStatus: fail,
			wantCode: "client_unknown"},
		{name: "ids swapped", form: func(h *harness, r *dashboard.EnableRequest) {
			r.ClientID, r.SAMLAppID = h.samlAppID, h.clientID
		}, wantStatus: fail, wantCode: "ids_swapped"},
		{name: "client id pasted as SAML app id", form: func(h *harness, r *dashboard.EnableRequest) {
			other, _ := h.okta.NewServiceApp(h.t)
			r.SAMLAppID = other
		}, wantStatus: fail, wantCode: "app_is_api_client"},
		{name: "proof of possession left on", okta: func(h *harness) {
			h.updateApp(func(a *oktastandin.ServiceApp) { a.DPoPRequired = true })
		}, wantStatus: fail, wantCode: "dpop_required"},
		{name: "apps scope not granted", okta: func(h *harness) {
			h.updateApp(func(a *oktastandin.ServiceApp) {
				a.GrantedScopes = []string{oktastandin.ScopeUsersRead, oktastandin.ScopeGroupsRead}
			})
		}, wantStatus: fail, wantCode: "scope_not_granted"},
		{name: "groups scope not granted", okta: func(h *harness) {
			h.updateApp(func(a *oktastandin.ServiceApp) {
				a.GrantedScopes = []string{oktastandin.ScopeUsersRead, oktastandin.ScopeAppsRead}
			})
		}, wantStatus: fail, wantCode: "scope_not_granted"},
		{name: "no admin role", okta: func(h *harness) {
			h.updateApp(func(a *oktastandin.ServiceApp) { a.AdminRole = false })
		}, wantStatus: fail, wantCode: "no_admin_role"},
		{name: "SAML app not found", form: setAppID(oktastandin.NewAppID()), wantStatus: fail,
			wantCode: "app_not_found"},
		{name: "app is not SAML", form: func(h *harness, r *dashboard.EnableRequest) {
			app := h.okta.AddApp(oktastandin.App{ID: oktastandin.NewAppID(), Label: "Wiki",
				Name: "bookmark", Status: "ACTIVE", SignOnMode: "BOOKMARK"})
			r.SAMLAppID = app.ID
		}, wantStatus: fail, wantCode: "app_not_saml"},
		{name: "host is not Okta", form: setDomain(notOktaHost), wantStatus: fail,
			wantCode: "okta_wrong_domain"},
		{name: "Okta unreachable", form: setDomain(closedHost), wantStatus: fail,
			wantCode: "okta_unreachable"},
		{name: "rate limited past retries", okta: func(h *harness) {
			h.okta.AddFault(oktastandin.Fault{PathPrefix: "/oauth2/v1/token",
				Kind: oktastandin.FaultStatus, Status: http.StatusTooManyRequests})
		}, wantStatus: fail, wantCode: "okta_rate_limited"},
		{name: "Okta server errors past retries", okta: func(h *harness) {
			h.okta.AddFault(oktastandin.Fault{PathPrefix: "/api/v1/users",
				Kind: oktastandin.FaultStatus, Status: http.StatusServiceUnavailable})
		}, wantStatus: fail, wantCode: "okta_server_error"},
	}
}

func (h *harness) updateApp(fn func(*oktastandin.ServiceApp)) {
	h.t.Helper()
	if err := h.okta.UpdateServiceApp(h.clientID, fn); err != nil {
		h.t.Fatal(err)
	}
}

func keyID(k jwk.Key) string { return k.KeyID() }

func TestSSOMustBeOnToEnable(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	if _, err := h.api.RemoveSSO(h.ctx); err != nil {
		t.Fatal(err)
	}

	_, err := h.api.EnableDirectory(h.ctx, h.settings(models.Preferences{}))

	var apiErr *dashboard.Error
	if !errors.As(err, &apiErr) || apiErr.ErrorBody.Error.Code != "sso_not_enabled" {
		t.Fatalf("enable without SSO = %v, want sso_not_enabled", err)
	}
	h.assertNothingKept()
}

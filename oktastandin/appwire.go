package oktastandin

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/lestrrat-go/jwx/v2/jwk"
)

// object is a JSON object built in place; the Application schema is deep
// and mostly constant, so maps read better here than a tree of structs.
type object = map[string]any

// appBase renders the fields every Application shares.
func appBase(id, name, label, status, mode string, created, updated jsonTime) object {
	return object{
		"id":            id,
		"name":          name,
		"label":         label,
		"status":        status,
		"created":       created,
		"lastUpdated":   updated,
		"signOnMode":    mode,
		"features":      []string{},
		"accessibility": object{"selfService": false},
		"visibility": object{
			"autoLaunch":        false,
			"autoSubmitToolbar": false,
			"hide":              object{"iOS": false, "web": false},
			"appLinks":          object{},
		},
		"credentials": object{
			"userNameTemplate": object{"template": "${source.login}", "type": "BUILT_IN"},
			"signing":          object{"kid": signingKID(id)},
		},
	}
}

// baseSettings are the settings every Application shares.
func baseSettings() object {
	return object{
		"app":                object{},
		"manualProvisioning": false,
		"implicitAssignment": false,
		"notes":              object{},
		"notifications": object{
			"vpn": object{"network": object{"connection": "DISABLED"}},
		},
	}
}

func appLinks(base, id string) object {
	app := base + "/api/v1/apps/" + id
	return object{
		"users":      hrefWire{Href: app + "/users"},
		"groups":     hrefWire{Href: app + "/groups"},
		"deactivate": hrefWire{Href: app + "/lifecycle/deactivate"},
		"appLinks":   []hrefWire{},
	}
}

// signingKID is a stable stand-in for the id of the app's SAML or token
// signing certificate.
func signingKID(appID string) string {
	sum := sha256.Sum256([]byte("signing:" + appID))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:43]
}

// apiWire renders an app as Okta's Application schema for its sign-on mode.
func (a *App) apiWire(base string) object {
	o := appBase(a.ID, a.Name, a.Label, a.Status, a.SignOnMode,
		jsonTime(a.Created), jsonTime(a.LastUpdated))
	o["settings"] = baseSettings()
	o["_links"] = appLinks(base, a.ID)

	switch a.SignOnMode {
	case SignOnModeSAML2:
		a.addSAML(o, base)
	case "BOOKMARK":
		o["settings"].(object)["app"] = object{
			"requestIntegration": false, "url": "https://intranet.example.com/",
		}
	}
	return o
}

// addSAML fills what a custom SAML 2.0 app carries; every field the
// SamlApplicationSettingsSignOn schema requires is present.
func (a *App) addSAML(o object, base string) {
	acs := "https://sp.example.com/saml/" + a.ID + "/acs"
	linkName := a.Name + "_link"
	o["visibility"].(object)["appLinks"] = object{linkName: true}
	o["settings"].(object)["signOn"] = object{
		"defaultRelayState":         "",
		"ssoAcsUrl":                 acs,
		"recipient":                 acs,
		"destination":               acs,
		"audience":                  "https://sp.example.com/saml/" + a.ID,
		"idpIssuer":                 "http://www.okta.com/${org.externalKey}",
		"subjectNameIdTemplate":     "${user.userName}",
		"subjectNameIdFormat":       "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
		"responseSigned":            true,
		"assertionSigned":           true,
		"signatureAlgorithm":        "RSA_SHA256",
		"digestAlgorithm":           "SHA256",
		"honorForceAuthn":           true,
		"authnContextClassRef":      samlPasswordProtected,
		"requestCompressed":         false,
		"allowMultipleAcsEndpoints": false,
		"acsEndpoints":              []any{},
		"attributeStatements":       []any{},
		"slo":                       object{"enabled": false},
		"participateSlo":            object{"enabled": false},
	}
	links := o["_links"].(object)
	links["appLinks"] = []hrefWire{{
		Name: linkName, Type: "text/html",
		Href: base + "/home/" + a.Name + "/" + a.ID + "/" + linkName,
	}}
	links["metadata"] = hrefWire{
		Href: base + "/api/v1/apps/" + a.ID + "/sso/saml/metadata", Type: "application/xml",
	}
}

const samlPasswordProtected = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"

// apiWire renders a service app as the OIDC Application Okta serves for an
// API Services app: its client id is its app id and it authenticates with
// private_key_jwt.
func (sa *ServiceApp) apiWire(base string) object {
	created := jsonTime(sa.Created)
	o := appBase(sa.ClientID, "oidc_client", sa.Label, "ACTIVE", SignOnModeOIDC,
		created, created)
	o["visibility"].(object)["hide"] = object{"iOS": true, "web": true}
	o["credentials"].(object)["oauthClient"] = object{
		"autoKeyRotation":            true,
		"client_id":                  sa.ClientID,
		"token_endpoint_auth_method": "private_key_jwt",
		"pkce_required":              false,
	}

	settings := baseSettings()
	settings["oauthClient"] = object{
		"application_type":         "service",
		"grant_types":              []string{"client_credentials"},
		"response_types":           []string{"token"},
		"redirect_uris":            []string{},
		"consent_method":           "REQUIRED",
		"issuer_mode":              "DYNAMIC",
		"dpop_bound_access_tokens": sa.DPoPRequired,
		"jwks":                     object{"keys": publicKeysWire(sa.Keys, created)},
	}
	o["settings"] = settings
	o["_links"] = appLinks(base, sa.ClientID)
	return o
}

// publicKeysWire lists the app's public keys the way Okta shows keys saved
// on the app: the JWK's public members plus an id, status and timestamps.
func publicKeysWire(keys jwk.Set, created jsonTime) []object {
	out := []object{}
	if keys == nil {
		return out
	}
	for it := keys.Keys(context.Background()); it.Next(context.Background()); {
		key := it.Pair().Value.(jwk.Key)
		o, ok := publicKeyWire(key)
		if !ok {
			continue
		}
		o["id"] = "pks" + strings.ToLower(signingKID(key.KeyID()))[:17]
		o["status"] = "ACTIVE"
		o["use"] = "sig"
		o["created"] = created
		o["lastUpdated"] = created
		out = append(out, o)
	}
	return out
}

func publicKeyWire(key jwk.Key) (object, bool) {
	pub, err := jwk.PublicKeyOf(key)
	if err != nil {
		return nil, false
	}
	b, err := json.Marshal(pub)
	if err != nil {
		return nil, false
	}
	var o object
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, false
	}
	return o, true
}

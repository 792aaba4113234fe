package okta

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/mailroom/oktasync/directory"
)

// healthyOrg serves every probe Validate makes: a SAML app, an OIDC app
// under the client id, and a bookmark app.
func healthyOrg(t *testing.T) *fakeOrg {
	f := newFakeOrg(t, testKeys(t).rsa)
	list := func(w http.ResponseWriter, r *http.Request) { writeJSON(w, users(1, "ACTIVE")) }
	f.api.HandleFunc("GET /api/v1/users", list)
	f.api.HandleFunc("GET /api/v1/groups", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, []any{map[string]any{"id": testGroupID, "type": "OKTA_GROUP",
			"profile": map[string]any{"name": "Everyone"}}})
	})
	f.api.HandleFunc("GET /api/v1/apps/{id}/users", list)
	f.api.HandleFunc("GET /api/v1/apps/{id}", func(w http.ResponseWriter, r *http.Request) {
		modes := map[string]string{testAppID: "SAML_2_0", testClientID: "OPENID_CONNECT",
			"0oa1bookmark00000001": "BOOKMARK"}
		mode, ok := modes[r.PathValue("id")]
		if !ok {
			writeAPIError(w, 404, "E0000007", "Not found: Resource not found")
			return
		}
		writeJSON(w, map[string]any{"id": r.PathValue("id"), "name": "app", "label": "App",
			"status": "ACTIVE", "signOnMode": mode})
	})
	return f
}

func TestValidateWithFakeOrg(t *testing.T) {
	tests := []struct {
		name   string
		client string
		app    string
		scopes []string
		want   directory.Code
	}{
		{name: "healthy", client: testClientID, app: testAppID, scopes: allScopes},
		{name: "no apps scope skips the app", client: testClientID, app: "0oa1missing000000001",
			scopes: allScopes[:2]},
		{name: "app missing", client: testClientID, app: "0oa1missing000000001",
			scopes: allScopes, want: directory.CodeAppNotFound},
		{name: "client id as app id", client: testClientID, app: testClientID,
			scopes: allScopes, want: directory.CodeAppIsAPIClient},
		{name: "not saml", client: testClientID, app: "0oa1bookmark00000001",
			scopes: allScopes, want: directory.CodeAppNotSAML},
		{name: "swapped", client: testAppID, app: testClientID, scopes: allScopes,
			want: directory.CodeIDsSwapped},
		{name: "unknown client", client: "0oa1unknown000000001", app: testAppID,
			scopes: allScopes, want: directory.CodeClientUnknown},
	}
	for _, tt := range tests {
		f := healthyOrg(t)
		creds := f.creds(testKeys(t).rsa)
		creds.ClientID = tt.client
		err := f.provider(nil).Validate(context.Background(), creds, tt.app, tt.scopes)
		if got := codeOfErr(err); got != tt.want {
			t.Errorf("%s: Validate() = %v, want code %q", tt.name, err, tt.want)
		}
		var de *directory.Error
		if err != nil && !errors.As(err, &de) {
			t.Errorf("%s: Validate() error is %T, want *directory.Error", tt.name, err)
		}
	}
}

func TestValidateReportsProbeFailures(t *testing.T) {
	tests := []struct {
		name  string
		route string
		code  string
		want  directory.Code
	}{
		{"users need admin role", "GET /api/v1/users", "E0000006", directory.CodeNoAdminRole},
		{"groups need admin role", "GET /api/v1/groups", "E0000006",
			directory.CodeNoAdminRole},
		{"app users", "GET /api/v1/apps/{id}/users", "E0000007", directory.CodeAppNotFound},
	}
	for _, tt := range tests {
		f := healthyOrg(t)
		status := map[string]int{"E0000006": 403, "E0000007": 404}[tt.code]
		f.overrideAPI(tt.route, errorHandler(status, tt.code))
		err := f.provider(nil).Validate(context.Background(), f.creds(testKeys(t).rsa),
			testAppID, allScopes)
		if got := codeOfErr(err); got != tt.want {
			t.Errorf("%s: Validate() = %v, want code %q", tt.name, err, tt.want)
		}
	}
}

func TestValidateDPoP(t *testing.T) {
	p, creds := cannedTokenEndpoint(t, oauthAnswer("invalid_dpop_proof",
		"The DPoP proof JWT header is missing."))
	err := p.Validate(context.Background(), creds, testAppID, allScopes)
	if got := codeOfErr(err); got != directory.CodeDPoPRequired {
		t.Errorf("Validate(DPoP on) = %v, want %q", err, directory.CodeDPoPRequired)
	}
}

func codeOfErr(err error) directory.Code {
	if de := directory.AsError(err); de != nil {
		return de.Code
	}
	return ""
}

package oktastandin_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mailroom/oktasync/oktastandin"
)

// specPath is the subset of Okta's management OpenAPI spec the stand-in's
// payloads are checked against; testdata/okta/README.md says how it was made.
const specPath = "../testdata/okta/openapi-subset.yaml"

// specSchemas loads the spec once: kin-openapi's format registry is a
// global map, and the parallel tests share the result.
var specSchemas = sync.OnceValues(func() (openapi3.Schemas, error) {
	// Okta's User profile declares format "email"; kin-openapi checks only
	// the formats it is told about.
	openapi3.DefineStringFormatValidator("email",
		openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail))
	doc, err := openapi3.NewLoader().LoadFromFile(specPath)
	if err != nil {
		return nil, err
	}
	return doc.Components.Schemas, nil
})

func loadSchemas(t *testing.T) openapi3.Schemas {
	t.Helper()
	schemas, err := specSchemas()
	if err != nil {
		t.Fatalf("load %s: %v", specPath, err)
	}
	return schemas
}

// validate checks one JSON value against a named schema.
func validate(schemas openapi3.Schemas, name string, v any) error {
	return schemas[name].Value.VisitJSON(v, openapi3.VisitAsResponse(), openapi3.MultiErrors())
}

// schemaOrg is an org with a user in every status, users without email,
// all group types, a SAML app, a bookmark app and the service app.
func schemaOrg(t *testing.T) (*org, *oktastandin.Fixture, string) {
	t.Helper()
	o := newOrg(t, oktastandin.Options{})
	f := oktastandin.Generate(oktastandin.GenOptions{Seed: 21, Users: 400, Groups: 8, Everyone: true})
	if err := o.Load(f); err != nil {
		t.Fatal(err)
	}
	for _, status := range []string{"ACTIVE", "STAGED", "PROVISIONED", "RECOVERY", "LOCKED_OUT",
		"PASSWORD_EXPIRED", "SUSPENDED", "DEPROVISIONED"} {
		o.PutUser(oktastandin.User{Status: status, Profile: map[string]any{
			"login": strings.ToLower(status) + "@example.com", "firstName": "Ünïcødé",
			"lastName": "O'Neil-Ørsted", "email": nil,
		}})
	}
	bookmark := o.AddApp(oktastandin.App{Label: "Intranet", SignOnMode: "BOOKMARK", Name: "bookmark"})
	return o, f, bookmark.ID
}

// decodeList fetches every page of a listing, following rel="next" links,
// and decodes the items into generic JSON values.
func decodeList(t *testing.T, o *org, token, path string) []any {
	t.Helper()
	var items []any
	for path != "" {
		resp, body := o.get(t, token, path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		var page []any
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatalf("decode %s: %v", path, err)
		}
		items = append(items, page...)
		path = strings.TrimPrefix(nextLink(resp.Header), o.URL)
	}
	return items
}

// nextLink returns the URL of the rel="next" Link header, or "".
func nextLink(h http.Header) string {
	for _, l := range h.Values("Link") {
		if target, ok := strings.CutSuffix(l, `>; rel="next"`); ok {
			return strings.TrimPrefix(target, "<")
		}
	}
	return ""
}

func TestUsersMatchSchema(t *testing.T) {
	t.Parallel()
	schemas := loadSchemas(t)
	o, _, _ := schemaOrg(t)
	tok := o.token(t)

	users := decodeList(t, o, tok, "/api/v1/users")
	users = append(users, decodeList(t, o, tok,
		"/api/v1/users?filter="+url.QueryEscape(`status eq "DEPROVISIONED"`))...)
	statuses, nullEmails := map[string]bool{}, 0
	for _, u := range users {
		statuses[u.(map[string]any)["status"].(string)] = true
		nullEmails += checkUser(t, schemas, u)
	}
	if len(statuses) != 8 {
		t.Errorf("statuses served = %v, want all eight", statuses)
	}
	if nullEmails == 0 {
		t.Errorf("no user with email null was checked")
	}
}

// checkUser validates a user and returns 1 if its email was null. Okta's
// spec declares profile.email a non-nullable string, yet real directories
// serve null there (see testdata/okta/README.md): such users must fail on
// email alone.
func checkUser(t *testing.T, schemas openapi3.Schemas, u any) int {
	t.Helper()
	err := validate(schemas, "User", u)
	profile := u.(map[string]any)["profile"].(map[string]any)
	email, present := profile["email"]
	if !present || email != nil {
		if err != nil {
			t.Errorf("user %v does not match User: %v", u.(map[string]any)["id"], err)
		}
		return 0
	}
	if err == nil || !strings.Contains(err.Error(), "email") {
		t.Errorf("user with email null: error %v, want one about email", err)
	}
	profile["email"] = "placeholder@example.com"
	if err := validate(schemas, "User", u); err != nil {
		t.Errorf("user %v with email set does not match User: %v", u.(map[string]any)["id"], err)
	}
	return 1
}

func TestGroupsMatchSchema(t *testing.T) {
	t.Parallel()
	schemas := loadSchemas(t)
	o, _, _ := schemaOrg(t)
	groups := decodeList(t, o, o.token(t), "/api/v1/groups")

	types := map[string]bool{}
	for _, g := range groups {
		types[g.(map[string]any)["type"].(string)] = true
		if err := validate(schemas, "Group", g); err != nil {
			t.Errorf("group does not match Group: %v", err)
		}
	}
	if len(types) != 3 {
		t.Errorf("group types served = %v, want OKTA_GROUP, APP_GROUP and BUILT_IN", types)
	}
}

func TestAppUsersMatchSchema(t *testing.T) {
	t.Parallel()
	schemas := loadSchemas(t)
	o, f, _ := schemaOrg(t)
	appUsers := decodeList(t, o, o.token(t),
		"/api/v1/apps/"+f.SAMLAppID()+"/users?expand=user&limit=500")

	if len(appUsers) == 0 {
		t.Fatal("no app users")
	}
	for _, au := range appUsers {
		if err := validate(schemas, "AppUser", au); err != nil {
			t.Errorf("app user does not match AppUser: %v", err)
		}
		embedded := au.(map[string]any)["_embedded"].(map[string]any)["user"]
		checkUser(t, schemas, embedded)
	}
}

func TestAppsMatchSchema(t *testing.T) {
	t.Parallel()
	schemas := loadSchemas(t)
	o, f, bookmarkID := schemaOrg(t)
	tok := o.token(t)

	// Application's discriminator maps signOnMode to a subtype; kin-openapi
	// applies discriminators only under oneOf/anyOf, so check the subtype
	// named by the mapping explicitly too.
	tests := []struct{ id, mode, subtype string }{
		{f.SAMLAppID(), "SAML_2_0", "SamlApplication"},
		{o.clientID, "OPENID_CONNECT", "OpenIdConnectApplication"},
		{bookmarkID, "BOOKMARK", "BookmarkApplication"},
	}
	for _, tt := range tests {
		resp, body := o.get(t, tok, "/api/v1/apps/"+tt.id)
		var app map[string]any
		if err := json.Unmarshal(body, &app); err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET app %s: %d %v", tt.id, resp.StatusCode, err)
		}
		mapping := schemas["Application"].Value.Discriminator.Mapping[tt.mode]
		if app["signOnMode"] != tt.mode || !strings.HasSuffix(mapping.Ref, "/"+tt.subtype) {
			t.Errorf("app %s signOnMode %v maps to %s, want %s", tt.id, app["signOnMode"],
				mapping.Ref, tt.subtype)
		}
		for _, schema := range []string{"Application", tt.subtype} {
			if err := validate(schemas, schema, app); err != nil {
				t.Errorf("%s app does not match %s: %v", tt.mode, schema, err)
			}
		}
	}
}

func TestErrorsMatchSchema(t *testing.T) {
	t.Parallel()
	schemas := loadSchemas(t)
	o, _, _ := schemaOrg(t)
	tok := o.token(t)
	o.AddFault(oktastandin.Fault{PathPrefix: "/api/v1/apps", Kind: oktastandin.FaultStatus})

	tests := []struct {
		token, path string
		status      int
	}{
		{tok, "/api/v1/groups/00gmissing0000000000/users", 404},
		{"bogus", "/api/v1/users", 401},
		{tok, "/api/v1/users?filter=" + url.QueryEscape("status eq"), 400},
		{tok, "/api/v1/apps/0oaanything000000000", 500},
		{tok, "/api/v1/nothing-here", 404},
	}
	for _, tt := range tests {
		resp, body := o.get(t, tt.token, tt.path)
		var e map[string]any
		if err := json.Unmarshal(body, &e); err != nil || resp.StatusCode != tt.status {
			t.Fatalf("GET %s: %d %s, want %d and JSON", tt.path, resp.StatusCode, body, tt.status)
		}
		if err := validate(schemas, "Error", e); err != nil {
			t.Errorf("GET %s: error body does not match Error: %v", tt.path, err)
		}
		if e["errorCode"] == "" || e["errorCode"] != e["errorLink"] {
			t.Errorf("GET %s: errorCode %v errorLink %v, want equal codes", tt.path,
				e["errorCode"], e["errorLink"])
		}
	}
}

func TestSchemaCheckRejectsWrongPayloads(t *testing.T) {
	t.Parallel()
	schemas := loadSchemas(t)
	tests := []struct {
		schema, payload string
	}{
		{"User", `{"id": "00u1", "status": 3}`},
		{"User", `{"id": "00u1", "created": "yesterday"}`},
		{"Group", `{"id": "00g1", "objectClass": "okta:user_group"}`},
		{"AppUser", `{"id": "00u1", "scope": "ORG"}`},
		{"SamlApplication", `{"id": "0oa1", "label": "x", "signOnMode": "SAML_2_0",
			"settings": {"signOn": {"ssoAcsUrl": "https://x"}}}`},
		{"OpenIdConnectApplication", `{"label": "x", "signOnMode": "OPENID_CONNECT"}`},
		{"Error", `{"errorCode": 7}`},
	}
	for _, tt := range tests {
		var v any
		if err := json.Unmarshal([]byte(tt.payload), &v); err != nil {
			t.Fatal(err)
		}
		if err := validate(schemas, tt.schema, v); err == nil {
			t.Errorf("validate(%s, %s) = nil, want an error", tt.schema, tt.payload)
		}
	}
}

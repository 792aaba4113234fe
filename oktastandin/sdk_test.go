package oktastandin_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/okta/okta-sdk-golang/v2/okta/query"

	"github.com/mailroom/oktasync/oktastandin"
)

// listAllUsers follows the SDK's paging, decoding every page into a fresh
// slice, and returns the page sizes and every user.
func listAllUsers(t *testing.T, first []*okta.User, resp *okta.Response,
	err error) ([]int, []*okta.User) {
	t.Helper()
	if err != nil {
		t.Fatalf("first page: %v", err)
	}
	sizes, all := []int{len(first)}, first
	for resp.HasNextPage() {
		var page []*okta.User
		resp, err = resp.Next(context.Background(), &page)
		if err != nil {
			t.Fatalf("page %d: %v", len(sizes)+1, err)
		}
		sizes = append(sizes, len(page))
		all = append(all, page...)
	}
	return sizes, all
}

func TestSDKPagesUsersUnevenly(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	want := putActiveUsers(o.Server, 450)
	c := o.sdk(t, o.token(t))

	users, resp, err := c.User.ListUsers(context.Background(),
		query.NewQueryParams(query.WithLimit(200)))
	sizes, all := listAllUsers(t, users, resp, err)

	if !slices.Equal(sizes, []int{200, 200, 50}) {
		t.Errorf("page sizes = %v, want [200 200 50]", sizes)
	}
	got := make([]string, len(all))
	for i, u := range all {
		got[i] = u.Id
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("listed %d users, want the %d stored, in id order", len(got), len(want))
	}
	if n := o.CountRequests(http.MethodGet, "/api/v1/users"); n != 3 {
		t.Errorf("CountRequests(GET, /api/v1/users) = %d, want 3", n)
	}
}

func TestSDKLimitAboveMaximumIsCapped(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	putActiveUsers(o.Server, 250)
	c := o.sdk(t, o.token(t))

	users, resp, err := c.User.ListUsers(context.Background(),
		query.NewQueryParams(query.WithLimit(1000)))
	sizes, _ := listAllUsers(t, users, resp, err)
	if !slices.Equal(sizes, []int{200, 50}) {
		t.Errorf("page sizes = %v, want [200 50]", sizes)
	}
}

func TestSDKListsLargeGroup(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	f := oktastandin.Generate(oktastandin.GenOptions{
		Seed: 3, Users: 1500, Groups: 3, LargeGroupSize: 1234,
	})
	if err := o.Load(f); err != nil {
		t.Fatal(err)
	}
	groupID, size := f.LargestGroup()
	c := o.sdk(t, o.token(t))

	users, resp, err := c.Group.ListGroupUsers(context.Background(), groupID, nil)
	if err != nil {
		t.Fatalf("ListGroupUsers: %v", err)
	}
	sizes, all := []int{len(users)}, users
	for resp.HasNextPage() {
		var page []*okta.User
		if resp, err = resp.Next(context.Background(), &page); err != nil {
			t.Fatalf("next page: %v", err)
		}
		sizes = append(sizes, len(page))
		all = append(all, page...)
	}

	if !slices.Equal(sizes, []int{1000, size - 1000}) {
		t.Errorf("page sizes = %v, want [1000 %d]", sizes, size-1000)
	}
	seen := map[string]bool{}
	for _, u := range all {
		seen[u.Id] = true
	}
	if len(seen) != size {
		t.Errorf("distinct members = %d, want %d", len(seen), size)
	}
}

func TestSDKFilterHoldsOnEveryPage(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	o := newOrg(t, oktastandin.Options{Now: clock.Now})
	ids := putActiveUsers(o.Server, 400)
	// Suspended before the cut-off: excluded by lastUpdated.
	for _, id := range ids[:20] {
		if err := o.SetStatus(id, oktastandin.StatusSuspended); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(time.Minute)
	cutoff := clock.Now()
	clock.Advance(time.Second)
	for _, id := range ids[100:350] {
		if err := o.SetStatus(id, oktastandin.StatusSuspended); err != nil {
			t.Fatal(err)
		}
	}

	filter := `status eq "SUSPENDED" and lastUpdated gt "` +
		cutoff.UTC().Format("2006-01-02T15:04:05.000Z") + `"`
	c := o.sdk(t, o.token(t))
	users, resp, err := c.User.ListUsers(context.Background(),
		query.NewQueryParams(query.WithFilter(filter), query.WithLimit(100)))
	sizes, all := listAllUsers(t, users, resp, err)

	if !slices.Equal(sizes, []int{100, 100, 50}) {
		t.Errorf("page sizes = %v, want [100 100 50]", sizes)
	}
	for _, u := range all {
		if u.Status != "SUSPENDED" || !u.LastUpdated.After(cutoff) {
			t.Errorf("user %s: status %s, lastUpdated %v; want SUSPENDED after %v",
				u.Id, u.Status, u.LastUpdated, cutoff)
		}
	}
	for _, r := range o.Requests() {
		if r.Path == "/api/v1/users" && !strings.Contains(r.Query, "filter=") {
			t.Errorf("request %s?%s lost the filter", r.Path, r.Query)
		}
	}
}

func TestSDKListsAppUsersWithEmbeddedUser(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	f := oktastandin.Generate(oktastandin.GenOptions{Seed: 5, Users: 300, Groups: 4})
	if err := o.Load(f); err != nil {
		t.Fatal(err)
	}
	c := o.sdk(t, o.token(t))

	appUsers, resp, err := c.Application.ListApplicationUsers(context.Background(),
		f.SAMLAppID(), query.NewQueryParams(query.WithExpand("user"), query.WithLimit(50)))
	if err != nil {
		t.Fatalf("ListApplicationUsers: %v", err)
	}
	for resp.HasNextPage() {
		var page []*okta.AppUser
		if resp, err = resp.Next(context.Background(), &page); err != nil {
			t.Fatalf("next page: %v", err)
		}
		appUsers = append(appUsers, page...)
	}

	direct := map[string]bool{}
	for _, a := range f.Assignments {
		if a.UserID != "" {
			direct[a.UserID] = true
		}
	}
	scopes := map[string]int{}
	for _, au := range appUsers {
		scopes[au.Scope]++
		checkAppUser(t, au, direct[au.Id])
	}
	if scopes["USER"] != len(direct) || scopes["GROUP"] == 0 {
		t.Errorf("scopes = %v, want USER %d and some GROUP", scopes, len(direct))
	}
}

func checkAppUser(t *testing.T, au *okta.AppUser, direct bool) {
	t.Helper()
	if wantScope := map[bool]string{true: "USER", false: "GROUP"}[direct]; au.Scope != wantScope {
		t.Errorf("app user %s scope = %q, want %q", au.Id, au.Scope, wantScope)
	}
	embedded, ok := au.Embedded.(map[string]any)
	if !ok {
		t.Fatalf("app user %s: _embedded = %T, want an object", au.Id, au.Embedded)
	}
	b, _ := json.Marshal(embedded["user"])
	var u okta.User
	if err := json.Unmarshal(b, &u); err != nil {
		t.Fatalf("decode embedded user: %v", err)
	}
	if u.Id != au.Id || u.Profile == nil || (*u.Profile)["login"] != au.Credentials.UserName {
		t.Errorf("embedded user %s login %v, want id %s and login %s",
			u.Id, (*u.Profile)["login"], au.Id, au.Credentials.UserName)
	}
}

func TestSDKGetsApps(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	f := oktastandin.Generate(oktastandin.GenOptions{Seed: 1, Users: 10, Groups: 1})
	if err := o.Load(f); err != nil {
		t.Fatal(err)
	}
	c := o.sdk(t, o.token(t))

	app, _, err := c.Application.GetApplication(context.Background(), f.SAMLAppID(),
		okta.NewSamlApplication(), nil)
	if err != nil {
		t.Fatalf("GetApplication(saml): %v", err)
	}
	saml := app.(*okta.SamlApplication)
	if saml.SignOnMode != "SAML_2_0" || saml.Label != "Mailroom" || saml.Id != f.SAMLAppID() {
		t.Errorf("saml app = %s %q %q, want SAML_2_0 Mailroom", saml.Id, saml.SignOnMode, saml.Label)
	}

	app, _, err = c.Application.GetApplication(context.Background(), o.clientID,
		okta.NewOpenIdConnectApplication(), nil)
	if err != nil {
		t.Fatalf("GetApplication(oidc): %v", err)
	}
	oidc := app.(*okta.OpenIdConnectApplication)
	oc := oidc.Credentials.OauthClient
	if oidc.SignOnMode != "OPENID_CONNECT" || oc.ClientId != o.clientID ||
		oc.TokenEndpointAuthMethod != "private_key_jwt" {
		t.Errorf("service app = %q client %q auth %q, want OPENID_CONNECT %s private_key_jwt",
			oidc.SignOnMode, oc.ClientId, oc.TokenEndpointAuthMethod, o.clientID)
	}
}

func TestSDKDecodesErrors(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	full := o.token(t)
	usersOnly := o.token(t, oktastandin.ScopeUsersRead)

	tests := []struct {
		name, token string
		call        func(*okta.Client) (*okta.Response, error)
		status      int
		code        string
		summary     string
	}{
		{"unknown group", full, func(c *okta.Client) (*okta.Response, error) {
			_, r, err := c.Group.ListGroupUsers(context.Background(), "00gunknown0000000000", nil)
			return r, err
		}, 404, "E0000007", "Not found: Resource not found: 00gunknown0000000000 (UserGroup)"},
		{"unknown app", full, func(c *okta.Client) (*okta.Response, error) {
			_, r, err := c.Application.GetApplication(context.Background(),
				"0oaunknown0000000000", okta.NewSamlApplication(), nil)
			return r, err
		}, 404, "E0000007", "Not found: Resource not found: 0oaunknown0000000000 (AppInstance)"},
		{"invalid token", "not-a-token", func(c *okta.Client) (*okta.Response, error) {
			_, r, err := c.User.ListUsers(context.Background(), nil)
			return r, err
		}, 401, "E0000011", "Invalid token provided"},
		{"missing scope", usersOnly, func(c *okta.Client) (*okta.Response, error) {
			_, r, err := c.Group.ListGroups(context.Background(), nil)
			return r, err
		}, 403, "", "The access token provided does not contain the required scopes."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := tt.call(o.sdk(t, tt.token))
			checkOktaError(t, resp, err, tt.status, tt.code, tt.summary)
		})
	}

	t.Run("no admin role", func(t *testing.T) {
		c := o.sdk(t, full)
		if err := o.UpdateServiceApp(o.clientID, func(a *oktastandin.ServiceApp) {
			a.AdminRole = false
		}); err != nil {
			t.Fatal(err)
		}
		_, resp, err := c.User.ListUsers(context.Background(), nil)
		checkOktaError(t, resp, err, 403, "E0000006",
			"You do not have permission to perform the requested action")
	})
}

func checkOktaError(t *testing.T, resp *okta.Response, err error, status int,
	code, summary string) {
	t.Helper()
	var oe *okta.Error
	if !errors.As(err, &oe) {
		t.Fatalf("error = %v (%T), want *okta.Error", err, err)
	}
	if resp == nil || resp.StatusCode != status {
		t.Fatalf("response = %v, want status %d", resp, status)
	}
	if oe.ErrorCode != code || oe.ErrorSummary != summary {
		t.Errorf("okta.Error = %q %q, want %q %q", oe.ErrorCode, oe.ErrorSummary, code, summary)
	}
	if status == http.StatusForbidden && code == "" {
		h := resp.Header.Get("WWW-Authenticate")
		if !strings.Contains(h, `scope="okta.groups.read"`) ||
			!strings.Contains(h, `error="insufficient_scope"`) ||
			!strings.Contains(h, `resource="/api/v1/groups"`) {
			t.Errorf("WWW-Authenticate = %q, want the missing scope and resource", h)
		}
	}
}

func TestSDKWaitsOutRateLimit(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{
		RateLimits:        oktastandin.RateLimits{Window: time.Second, Default: 3},
		EnforceRateLimits: true,
	})
	putActiveUsers(o.Server, 5)
	token := o.token(t)
	c := o.sdk(t, token, okta.WithRateLimitMaxRetries(3))

	start := time.Now()
	for i := range 5 {
		if _, _, err := c.User.ListUsers(context.Background(), nil); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	limited := 0
	for _, r := range o.Requests() {
		if r.Status == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited == 0 {
		t.Errorf("no request was answered 429")
	}
	if time.Since(start) < time.Second {
		t.Errorf("5 calls over a 3-per-second limit took %v, want a wait for the reset",
			time.Since(start))
	}
}

func TestSDKGivesUpWhenRetriesRunOut(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{
		RateLimits:        oktastandin.RateLimits{Window: time.Minute, Default: 2},
		EnforceRateLimits: true,
	})
	token := o.token(t)
	c := o.sdk(t, token, okta.WithRateLimitMaxRetries(0))

	var err error
	var resp *okta.Response
	for range 3 {
		_, resp, err = c.Group.ListGroups(context.Background(), nil)
	}
	if err == nil || resp != nil {
		t.Errorf("third call = %v, %v; want an error and no response", resp, err)
	}
}

func TestRepeatedPages(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	putActiveUsers(o.Server, 5)
	c := o.sdk(t, o.token(t))
	o.AddFault(oktastandin.Fault{PathPrefix: "/api/v1/users", Query: "after=",
		Kind: oktastandin.FaultRepeatCursor, Times: 1})

	_, resp, err := c.User.ListUsers(context.Background(), query.NewQueryParams(query.WithLimit(2)))
	for err == nil && resp.HasNextPage() && len(o.Requests()) < 10 {
		var page []*okta.User
		resp, err = resp.Next(context.Background(), &page)
	}
	if err != nil {
		t.Fatal(err)
	}
	if got := o.RepeatedPages("/api/v1/users"); len(got) != 1 ||
		!strings.Contains(got[0].Query, "after=") {
		t.Errorf("RepeatedPages = %+v, want the one page fetched twice", got)
	}
}

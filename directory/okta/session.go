package okta

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sync"

	sdk "github.com/okta/okta-sdk-golang/v2/okta"

	"github.com/mailroom/oktasync/directory"
)

// session is a directory.Session over one org. Its SDK client is rebuilt
// whenever the cached token changes.
type session struct {
	p        *Provider
	cred     credential
	scopes   []string
	tokenKey string

	mu    sync.Mutex
	token accessToken
	sdk   *sdk.Client
}

// client returns an SDK client carrying a fresh token.
func (s *session) client(ctx context.Context) (*sdk.Client, accessToken, error) {
	tok, err := s.p.tokens.token(ctx, s.cred, s.scopes)
	if err != nil {
		return nil, accessToken{}, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sdk != nil && s.token.value == tok.value {
		return s.sdk, tok, nil
	}
	c, err := newSDKClient(s.p.http, s.cred.domain, tok.value)
	if err != nil {
		return nil, accessToken{}, fmt.Errorf("okta: build client: %w", err)
	}
	s.sdk, s.token = c, tok
	return c, tok, nil
}

// newSDKClient builds an okta-sdk-golang client that only sends requests.
// Every option the SDK also reads from ~/.okta/okta.yaml or OKTA_CLIENT_*
// variables is set here, so neither can change its behaviour: the cache
// stays off (it would serve list pages up to 5 minutes old), rate limits
// are not retried in-process (Temporal retries them durably), and the
// token is a bearer token minted by this package.
func newSDKClient(hc *http.Client, domain, token string) (*sdk.Client, error) {
	_, c, err := sdk.NewClient(context.Background(),
		sdk.WithOrgUrl("https://"+domain),
		sdk.WithToken(token),
		sdk.WithAuthorizationMode("Bearer"),
		sdk.WithCache(false),
		sdk.WithHttpClientPtr(hc),
		sdk.WithRateLimitMaxRetries(0),
		sdk.WithRateLimitMaxBackOff(0),
		sdk.WithRequestTimeout(0),
		sdk.WithTestingDisableHttpsCheck(false),
		sdk.WithUserAgentExtra("oktasync"),
		sdk.WithClientId(""),
		sdk.WithScopes(nil),
		sdk.WithPrivateKeyId(""),
		sdk.WithClientAssertion(""),
	)
	if err != nil {
		return nil, err
	}
	// WithPrivateKey would stat its argument as a file path; the key is
	// unused in Bearer mode, so clear it directly.
	c.GetConfig().Okta.Client.PrivateKey = ""
	return c, nil
}

// call runs one SDK request with a recorded exchange and classifies its
// failure. A 401 drops the cached token and retries once with a new one:
// Okta may revoke a token before its expiry.
func (s *session) call(ctx context.Context, nf notFound,
	fn func(context.Context, *sdk.Client) (*sdk.Response, error)) (*sdk.Response, error) {
	resp, tok, err := s.try(ctx, nf, fn)
	if de := directory.AsError(err); de == nil || de.Code != directory.CodeTokenRejected {
		return resp, err
	}

	s.p.tokens.drop(s.tokenKey, tok)
	resp, _, err = s.try(ctx, nf, fn)
	return resp, err
}

// try runs fn once.
func (s *session) try(ctx context.Context, nf notFound,
	fn func(context.Context, *sdk.Client) (*sdk.Response, error)) (*sdk.Response,
	accessToken, error) {
	c, tok, err := s.client(ctx)
	if err != nil {
		return nil, tok, err
	}

	ex := &exchange{}
	resp, err := fn(withExchange(ctx, ex), c)
	s.logBudget(ex)
	if err != nil {
		return nil, tok, apiError(ctx, s.cred.domain, nf, ex, err, s.p.now())
	}
	return resp, tok, nil
}

// logBudget logs how much of the endpoint's rate limit is left, from the
// X-Rate-Limit-* headers Okta sends on every response.
func (s *session) logBudget(ex *exchange) {
	status, h := ex.result()
	if status == 0 || h.Get("X-Rate-Limit-Remaining") == "" {
		return
	}
	s.p.log.Debug("okta rate limit", "domain", s.cred.domain, "path", ex.path(),
		"status", status, "limit", h.Get("X-Rate-Limit-Limit"),
		"remaining", h.Get("X-Rate-Limit-Remaining"), "reset", h.Get("X-Rate-Limit-Reset"))
}

// userStatuses are the statuses a user filter may name; nothing else is
// ever put into a filter expression.
var userStatuses = []string{"ACTIVE", "STAGED", "PROVISIONED", "RECOVERY", "LOCKED_OUT",
	"PASSWORD_EXPIRED", "SUSPENDED", "DEPROVISIONED"}

// Users lists users. Okta leaves DEPROVISIONED users out unless a filter
// asks for them.
func (s *session) Users(ctx context.Context, filter directory.UserFilter, limit int,
	cursor string) (directory.Page[directory.User], error) {
	l := listing{op: "list users", path: "/api/v1/users", max: usersMax, def: defaultPage}
	if filter.Status != "" {
		if !slices.Contains(userStatuses, filter.Status) {
			return directory.Page[directory.User]{},
				fmt.Errorf("okta: list users: unknown status %q", filter.Status)
		}
		l.filter = `status eq "` + filter.Status + `"`
	}
	first := func(ctx context.Context, c *sdk.Client) ([]*sdk.User, *sdk.Response, error) {
		return c.User.ListUsers(ctx, l.params(limit))
	}
	return page(ctx, s, l, cursor, first, convertUser)
}

// Groups lists groups.
func (s *session) Groups(ctx context.Context, limit int,
	cursor string) (directory.Page[directory.Group], error) {
	l := listing{op: "list groups", path: "/api/v1/groups", max: groupsMax, def: defaultPage}
	first := func(ctx context.Context, c *sdk.Client) ([]*sdk.Group, *sdk.Response, error) {
		return c.Group.ListGroups(ctx, l.params(limit))
	}
	return page(ctx, s, l, cursor, first, convertGroup)
}

// GroupMembers lists a group's members. Okta allows 1000 per page and
// recommends 200; limit chooses.
func (s *session) GroupMembers(ctx context.Context, groupID string, limit int,
	cursor string) (directory.Page[directory.User], error) {
	nf := notFound{code: directory.CodeGroupNotFound, what: "group " + groupID}
	if !oktaID.MatchString(groupID) {
		return directory.Page[directory.User]{},
			fmt.Errorf("okta: list group users: %w", notFoundError(nf))
	}
	l := listing{op: "list group users", path: "/api/v1/groups/" + groupID + "/users",
		max: groupMembersMax, def: defaultPage, nf: nf}
	first := func(ctx context.Context, c *sdk.Client) ([]*sdk.User, *sdk.Response, error) {
		return c.Group.ListGroupUsers(ctx, groupID, l.params(limit))
	}
	return page(ctx, s, l, cursor, first, convertUser)
}

// AppUsers lists an app's assignments with each user embedded
// (expand=user), so no second call per user is needed.
func (s *session) AppUsers(ctx context.Context, appID string, limit int,
	cursor string) (directory.Page[directory.AppUser], error) {
	nf := notFound{code: directory.CodeAppNotFound, what: "app " + appID,
		field: FieldSAMLAppID}
	if !oktaID.MatchString(appID) {
		return directory.Page[directory.AppUser]{},
			fmt.Errorf("okta: list app users: %w", notFoundError(nf))
	}
	l := listing{op: "list app users", path: "/api/v1/apps/" + appID + "/users",
		max: appUsersMax, def: defaultPage, expand: "user", nf: nf}
	first := func(ctx context.Context, c *sdk.Client) ([]*sdk.AppUser, *sdk.Response, error) {
		return c.Application.ListApplicationUsers(ctx, appID, l.params(limit))
	}
	return page(ctx, s, l, cursor, first, convertAppUser)
}

// App fetches an app.
func (s *session) App(ctx context.Context, appID string) (directory.App, error) {
	app, err := s.app(ctx, appID)
	if err != nil {
		return directory.App{}, err
	}
	return directory.App{ID: app.Id, Name: app.Name, Label: app.Label, Status: app.Status,
		SignOnMode: app.SignOnMode}, nil
}

// app fetches an app as the SDK models it.
func (s *session) app(ctx context.Context, appID string) (*sdk.Application, error) {
	nf := notFound{code: directory.CodeAppNotFound, what: "app " + appID,
		field: FieldSAMLAppID}
	if !oktaID.MatchString(appID) {
		return nil, fmt.Errorf("okta: get app: %w", notFoundError(nf))
	}
	app := sdk.NewApplication()
	_, err := s.call(ctx, nf, func(ctx context.Context, c *sdk.Client) (*sdk.Response, error) {
		_, resp, err := c.Application.GetApplication(ctx, appID, app, nil)
		return resp, err
	})
	if err != nil {
		return nil, fmt.Errorf("okta: get app: %w", err)
	}
	return app, nil
}

// oktaID is the shape of Okta object ids: letters and digits only, so an
// id can never change the path it is put into.
var oktaID = regexp.MustCompile(`^[A-Za-z0-9]{1,64}$`)

func convertUser(u *sdk.User) directory.User {
	if u == nil {
		return directory.User{}
	}
	out := directory.User{ID: u.Id, Status: u.Status, Profile: map[string]any{}}
	if u.Profile != nil {
		for k, v := range *u.Profile {
			out.Profile[k] = v
		}
	}
	if u.LastUpdated != nil {
		out.LastUpdated = *u.LastUpdated
	}
	return out
}

func convertGroup(g *sdk.Group) directory.Group {
	if g == nil {
		return directory.Group{}
	}
	out := directory.Group{ID: g.Id, Type: g.Type}
	if g.Profile != nil {
		out.Name, out.Description = g.Profile.Name, g.Profile.Description
	}
	return out
}

// convertAppUser converts an assignment and the user Okta embedded in it.
// The SDK leaves _embedded untyped, so it is re-read as JSON.
func convertAppUser(a *sdk.AppUser) directory.AppUser {
	if a == nil {
		return directory.AppUser{}
	}
	out := directory.AppUser{UserID: a.Id, Scope: a.Scope, Status: a.Status,
		User: directory.User{ID: a.Id}}
	var embedded struct {
		User *sdk.User `json:"user"`
	}
	if raw, err := json.Marshal(a.Embedded); err == nil && json.Unmarshal(raw, &embedded) == nil &&
		embedded.User != nil {
		out.User = convertUser(embedded.User)
	}
	return out
}

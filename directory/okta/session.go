package okta

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sync"
	"time"

	sdk "github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/okta/okta-sdk-golang/v2/okta/query"

	"github.com/mailroom/oktasync/directory"
)

// Config configures a Provider. The zero value works.
type Config struct {
	// HTTPClient sends every request; it may carry a custom CA, as the
	// stand-in needs. The default bounds each phase with timeouts.
	HTTPClient *http.Client
	// Logger receives token and rate-limit logs; it defaults to slog's.
	Logger *slog.Logger
	// Now is the clock for assertions, token expiry and retry delays.
	Now func() time.Time
}

// Provider is the Okta directory.Provider. It mints and caches tokens and
// is safe for concurrent use; one per process is enough.
type Provider struct {
	http   *http.Client
	log    *slog.Logger
	now    func() time.Time
	tokens *tokenSource
}

var _ directory.Provider = (*Provider)(nil)

// New returns a Provider configured by cfg.
func New(cfg Config) *Provider {
	p := &Provider{http: providerHTTPClient(cfg.HTTPClient), log: cfg.Logger, now: cfg.Now}
	if p.log == nil {
		p.log = slog.Default()
	}
	if p.now == nil {
		p.now = time.Now
	}
	p.log = p.log.With("component", "okta")
	p.tokens = newTokenSource(p.http, p.now, p.log)
	return p
}

// Open mints or reuses a token for scopes and returns a session listing the
// org's data with it.
func (p *Provider) Open(ctx context.Context, creds directory.Credentials,
	scopes []string) (directory.Session, error) {
	cred, err := newCredential(creds)
	if err != nil {
		return nil, fmt.Errorf("okta: open session: %w", err)
	}
	s := p.newSession(cred, scopes)
	if _, _, err := s.client(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// InvalidateTokens drops every cached token of the app creds name,
// whatever the key or scopes. Disabling an integration calls it so no token
// outlives the settings.
func (p *Provider) InvalidateTokens(creds directory.Credentials) {
	p.tokens.invalidate(credential{domain: creds.Domain, clientID: creds.ClientID}.owner())
}

func (p *Provider) newSession(cred credential, scopes []string) *session {
	scopes = normaliseScopes(scopes)
	return &session{p: p, cred: cred, scopes: scopes, tokenKey: cred.cacheKey(scopes)}
}

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

// listing describes one paged endpoint.
type listing struct {
	// op names the call in errors, such as "list users".
	op   string
	path string
	// max is the largest limit the endpoint accepts; def is used for a
	// limit of zero or less.
	max, def int
	filter   string
	expand   string
	nf       notFound
}

// params returns the first page's query parameters.
func (l listing) params(limit int) *query.Params {
	if limit <= 0 {
		limit = l.def
	}
	opts := []query.ParamOptions{query.WithLimit(int64(min(limit, l.max)))}
	if l.filter != "" {
		opts = append(opts, query.WithFilter(l.filter))
	}
	if l.expand != "" {
		opts = append(opts, query.WithExpand(l.expand))
	}
	return query.NewQueryParams(opts...)
}

// checkCursor makes sure a cursor is a path and query of this very listing,
// with the same filter. The SDK prefixes it with the org URL, so it can
// never name another host; this keeps it on the right endpoint too.
func (l listing) checkCursor(cursor string) error {
	u, err := url.Parse(cursor)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil ||
		u.Path != l.path || u.Query().Get("filter") != l.filter {
		return fmt.Errorf("okta: %s: the cursor does not belong to this listing", l.op)
	}
	return nil
}

// page fetches one page of a listing: the first with first, a later one by
// following cursor. S is the SDK's item type and T the directory's.
func page[S, T any](ctx context.Context, s *session, l listing, cursor string,
	first func(context.Context, *sdk.Client) ([]S, *sdk.Response, error),
	convert func(S) T) (directory.Page[T], error) {
	if cursor != "" {
		if err := l.checkCursor(cursor); err != nil {
			return directory.Page[T]{}, err
		}
	}

	var items []S
	resp, err := s.call(ctx, l.nf, func(ctx context.Context, c *sdk.Client) (*sdk.Response,
		error) {
		var resp *sdk.Response
		var err error
		if cursor == "" {
			items, resp, err = first(ctx, c)
		} else {
			items, resp, err = follow[S](ctx, c, cursor)
		}
		return resp, err
	})
	if err != nil {
		return directory.Page[T]{}, fmt.Errorf("okta: %s: %w", l.op, err)
	}

	next, err := l.nextCursor(resp, cursor)
	if err != nil {
		return directory.Page[T]{}, err
	}
	return directory.Page[T]{Items: convertAll(items, convert), Next: next}, nil
}

// follow fetches a later page. Each page decodes into a fresh slice:
// reusing one across pages mixes items of different pages.
func follow[S any](ctx context.Context, c *sdk.Client, cursor string) ([]S, *sdk.Response,
	error) {
	re := c.CloneRequestExecutor()
	req, err := re.WithAccept("application/json").NewRequest(http.MethodGet, cursor, nil)
	if err != nil {
		return nil, nil, err
	}
	var items []S
	resp, err := re.Do(ctx, req, &items)
	if err != nil {
		return nil, resp, err
	}
	return items, resp, nil
}

// nextCursor returns the next page's cursor: the path and query the SDK
// took from the Link header's rel="next", without the host. A cursor that
// repeats the page just fetched would loop forever.
func (l listing) nextCursor(resp *sdk.Response, cursor string) (string, error) {
	next := resp.NextPage
	if next == "" {
		return "", nil
	}
	fetched := cursor
	if fetched == "" && resp.Request != nil {
		fetched = resp.Request.URL.RequestURI()
	}
	if sameCursor(next, fetched) {
		return "", fmt.Errorf("okta: %s: %w", l.op, newError(directory.CodeRepeatedCursor,
			"okta sent the same page link twice, so the listing would never end",
			"Nothing to change: the next sync starts the listing again. If this keeps "+
				"happening, contact support."))
	}
	if err := l.checkCursor(next); err != nil {
		return "", fmt.Errorf("okta: %s: the next page link leaves the listing", l.op)
	}
	return next, nil
}

// sameCursor compares two cursors by path and decoded query, since the SDK
// re-encodes the query it merges into the next link.
func sameCursor(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	if errA != nil || errB != nil {
		return a == b
	}
	return ua.Path == ub.Path && ua.Query().Encode() == ub.Query().Encode()
}

func convertAll[S, T any](items []S, convert func(S) T) []T {
	out := make([]T, 0, len(items))
	for _, it := range items {
		out = append(out, convert(it))
	}
	return out
}

// Page sizes per endpoint; see the limits in
// https://developer.okta.com/docs/api/openapi/okta-management/management/.
const (
	usersMax        = 200
	groupsMax       = 200
	groupMembersMax = 1000
	appUsersMax     = 500
	defaultPage     = 200
)

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

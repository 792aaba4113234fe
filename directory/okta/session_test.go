package okta

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailroom/oktasync/directory"
)

const testGroupID = "00g1group00000000001"

// userJSON is a user as Okta lists it.
func userJSON(i int, status string) map[string]any {
	return map[string]any{
		"id":          fmt.Sprintf("00u%017d", i),
		"status":      status,
		"lastUpdated": "2024-05-01T10:00:00.000Z",
		"profile": map[string]any{"login": fmt.Sprintf("user%d@example.com", i),
			"email": fmt.Sprintf("user%d@example.com", i), "firstName": "User",
			"employeeNumber": i, "manager": nil},
	}
}

func users(n int, status string) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = userJSON(i, status)
	}
	return out
}

// openSession opens a session on f with every scope.
func openSession(t *testing.T, f *fakeOrg, p *Provider) directory.Session {
	t.Helper()
	s, err := p.Open(context.Background(), f.creds(testKeys(t).rsa), allScopes)
	if err != nil {
		t.Fatalf("Open() error = %v", err)
	}
	return s
}

// collect walks a listing to its end and returns the items and page count.
func collect[T any](t *testing.T, fetch func(cursor string) (directory.Page[T], error)) ([]T,
	int) {
	t.Helper()
	var all []T
	cursor, pages := "", 0
	for {
		p, err := fetch(cursor)
		if err != nil {
			t.Fatalf("page %d: error = %v", pages+1, err)
		}
		all, pages = append(all, p.Items...), pages+1
		if p.Next == "" {
			return all, pages
		}
		cursor = p.Next
	}
}

func TestUsersPagesThroughUnevenPages(t *testing.T) {
	f := newFakeOrg(t, testKeys(t).rsa)
	f.api.Handle("GET /api/v1/users", f.pager(func(*http.Request) []any {
		return users(7, "ACTIVE")
	}))
	var logs bytes.Buffer
	p := New(Config{HTTPClient: f.srv.Client(),
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	s := openSession(t, f, p)

	got, pages := collect(t, func(c string) (directory.Page[directory.User], error) {
		return s.Users(context.Background(), directory.UserFilter{}, 3, c)
	})
	if len(got) != 7 || pages != 3 || got[6].ID != "00u00000000000000006" {
		t.Fatalf("Users() = %d users in %d pages, want 7 in 3", len(got), pages)
	}
	u := got[0]
	if u.Status != "ACTIVE" || u.Profile["firstName"] != "User" ||
		u.LastUpdated != time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC) {
		t.Errorf("Users()[0] = %+v, want status, profile and lastUpdated", u)
	}
	if _, ok := u.Profile["manager"]; !ok {
		t.Errorf("Users()[0].Profile = %v, want null attributes kept", u.Profile)
	}
	if strings.Contains(logs.String(), "tok-") || strings.Contains(logs.String(), "@example") {
		t.Errorf("logs = %s, want no token and no email", logs.String())
	}
}

func TestUsersLogsRateLimitBudget(t *testing.T) {
	f := newFakeOrg(t, testKeys(t).rsa)
	f.api.HandleFunc("GET /api/v1/users", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Rate-Limit-Limit", "600")
		w.Header().Set("X-Rate-Limit-Remaining", "598")
		w.Header().Set("X-Rate-Limit-Reset", "1714557660")
		writeJSON(w, []any{})
	})
	var logs bytes.Buffer
	p := New(Config{HTTPClient: f.srv.Client(),
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if _, err := openSession(t, f, p).Users(context.Background(), directory.UserFilter{}, 1,
		""); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"remaining":"598"`, `"limit":"600"`, `"path":"/api/v1/users"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs = %s, want %s", logs.String(), want)
		}
	}
}

func TestUsersFilterHoldsOnEveryPage(t *testing.T) {
	f := newFakeOrg(t, testKeys(t).rsa)
	f.api.Handle("GET /api/v1/users", f.pager(func(r *http.Request) []any {
		if r.URL.Query().Get("filter") == `status eq "DEPROVISIONED"` {
			return users(5, "DEPROVISIONED")
		}
		return users(9, "ACTIVE")
	}))
	s := openSession(t, f, f.provider(nil))

	got, pages := collect(t, func(c string) (directory.Page[directory.User], error) {
		return s.Users(context.Background(), directory.UserFilter{Status: "DEPROVISIONED"}, 2, c)
	})
	if len(got) != 5 || pages != 3 {
		t.Fatalf("Users(DEPROVISIONED) = %d users in %d pages, want 5 in 3", len(got), pages)
	}
	for _, u := range got {
		if u.Status != directory.StatusDeprovisioned {
			t.Errorf("Users(DEPROVISIONED) returned status %q", u.Status)
		}
	}
}

func TestListingsClampLimits(t *testing.T) {
	f := newFakeOrg(t, testKeys(t).rsa)
	empty := func(w http.ResponseWriter, r *http.Request) { writeJSON(w, []any{}) }
	for _, path := range []string{"/api/v1/users", "/api/v1/groups",
		"/api/v1/groups/" + testGroupID + "/users", "/api/v1/apps/" + testAppID + "/users"} {
		f.api.HandleFunc("GET "+path, empty)
	}
	s := openSession(t, f, f.provider(nil))
	ctx := context.Background()
	calls := []struct {
		call func() error
		want string
	}{
		{func() error { _, err := s.Users(ctx, directory.UserFilter{}, 5000, ""); return err },
			"limit=200"},
		{func() error { _, err := s.Groups(ctx, 0, ""); return err }, "limit=200"},
		{func() error { _, err := s.GroupMembers(ctx, testGroupID, 5000, ""); return err },
			"limit=1000"},
		{func() error { _, err := s.AppUsers(ctx, testAppID, 5000, ""); return err },
			"limit=500"},
	}
	for i, c := range calls {
		if err := c.call(); err != nil {
			t.Fatal(err)
		}
		if got := f.requestLog()[i]; !strings.Contains(got, c.want) {
			t.Errorf("request %d = %q, want %s", i, got, c.want)
		}
	}
}

func TestGroupMembersOverAThousand(t *testing.T) {
	f := newFakeOrg(t, testKeys(t).rsa)
	f.api.Handle("GET /api/v1/groups/{id}/users", f.pager(func(*http.Request) []any {
		return users(1001, "ACTIVE")
	}))
	s := openSession(t, f, f.provider(nil))
	for _, tt := range []struct{ limit, pages int }{{1000, 2}, {200, 6}} {
		got, pages := collect(t, func(c string) (directory.Page[directory.User], error) {
			return s.GroupMembers(context.Background(), testGroupID, tt.limit, c)
		})
		if len(got) != 1001 || pages != tt.pages {
			t.Errorf("GroupMembers(limit %d) = %d users in %d pages, want 1001 in %d",
				tt.limit, len(got), pages, tt.pages)
		}
	}
}

func TestAppUsersDecodeEmbeddedUser(t *testing.T) {
	f := newFakeOrg(t, testKeys(t).rsa)
	f.api.HandleFunc("GET /api/v1/apps/{id}/users", func(w http.ResponseWriter,
		r *http.Request) {
		if r.URL.Query().Get("expand") != "user" {
			http.Error(w, "want expand=user", http.StatusBadRequest)
			return
		}
		writeJSON(w, []any{map[string]any{"id": "00u00000000000000003", "scope": "GROUP",
			"status": "PROVISIONED", "externalId": "", "credentials": map[string]any{
				"userName": "user3@example.com"},
			"_embedded": map[string]any{"user": userJSON(3, "ACTIVE")}}})
	})
	s := openSession(t, f, f.provider(nil))
	page, err := s.AppUsers(context.Background(), testAppID, 50, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 {
		t.Fatalf("AppUsers() = %d items, want 1", len(page.Items))
	}
	a := page.Items[0]
	if a.UserID != "00u00000000000000003" || a.Scope != "GROUP" || a.Status != "PROVISIONED" ||
		a.User.ID != a.UserID || a.User.Status != "ACTIVE" ||
		a.User.Profile["email"] != "user3@example.com" {
		t.Errorf("AppUsers()[0] = %+v, want the assignment and its embedded user", a)
	}
}

func TestRepeatedCursor(t *testing.T) {
	f := newFakeOrg(t, testKeys(t).rsa)
	f.api.HandleFunc("GET /api/v1/groups", func(w http.ResponseWriter, r *http.Request) {
		self := "<https://" + f.domain + r.URL.RequestURI() + ">"
		writeJSON(w, []any{map[string]any{"id": testGroupID}}, self+`; rel="self"`,
			self+`; rel="next"`)
	})
	s := openSession(t, f, f.provider(nil))
	_, err := s.Groups(context.Background(), 10, "")
	checkCode(t, "repeated first page", err, directory.CodeRepeatedCursor, false)
	_, err = s.Groups(context.Background(), 10, "/api/v1/groups?after=x&limit=10")
	checkCode(t, "repeated later page", err, directory.CodeRepeatedCursor, false)
}

func TestCursorMustBelongToListing(t *testing.T) {
	f := newFakeOrg(t, testKeys(t).rsa)
	s := openSession(t, f, f.provider(nil))
	ctx := context.Background()
	for _, cursor := range []string{
		"/api/v1/groups?after=x",
		"https://evil.example/api/v1/users?after=x",
		"//evil.example/api/v1/users?after=x",
		"/api/v1/users/../groups?after=x",
		`/api/v1/users?after=x&filter=status+eq+"ACTIVE"`,
	} {
		if _, err := s.Users(ctx, directory.UserFilter{}, 10, cursor); err == nil {
			t.Errorf("Users(cursor %q) error = nil, want a foreign cursor refused", cursor)
		}
	}
	if got := f.requestLog(); len(got) != 0 {
		t.Errorf("requests = %q, want none for foreign cursors", got)
	}
}

func TestCommaJoinedLinkHeader(t *testing.T) {
	f := newFakeOrg(t, testKeys(t).rsa)
	f.api.HandleFunc("GET /api/v1/groups", func(w http.ResponseWriter, r *http.Request) {
		base := "https://" + f.domain + "/api/v1/groups"
		writeJSON(w, []any{}, "<"+base+`?limit=2>; rel="self", <`+base+
			`?after=g2&limit=2>; rel="next"`)
	})
	s := openSession(t, f, f.provider(nil))
	page, err := s.Groups(context.Background(), 2, "")
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := url.Parse(page.Next); u == nil || u.Query().Get("after") != "g2" {
		t.Errorf("Groups() next = %q, want the rel=next link", page.Next)
	}
}

func TestUnreadableLinkHeaderFailsWithoutPanic(t *testing.T) {
	f := newFakeOrg(t, testKeys(t).rsa)
	f.api.HandleFunc("GET /api/v1/groups", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, []any{}, `<https://%zz/api/v1/groups?after=1>; rel="next"`)
	})
	s := openSession(t, f, f.provider(nil))
	_, err := s.Groups(context.Background(), 2, "")
	checkCode(t, "unreadable link", err, directory.CodeUnexpected, false)
}

func TestListingsSeeFreshData(t *testing.T) {
	f := newFakeOrg(t, testKeys(t).rsa)
	var n atomic.Int32
	f.api.HandleFunc("GET /api/v1/groups", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, make([]any, n.Add(1)))
	})
	s := openSession(t, f, f.provider(nil))
	for want := 1; want <= 2; want++ {
		page, err := s.Groups(context.Background(), 10, "")
		if err != nil || len(page.Items) != want {
			t.Errorf("Groups() call %d = %d items, %v, want %d (no SDK cache)", want,
				len(page.Items), err, want)
		}
	}
}

func TestExpiredTokenIsReplacedOnce(t *testing.T) {
	f := newFakeOrg(t, testKeys(t).rsa)
	var always atomic.Bool
	f.api.HandleFunc("GET /api/v1/groups", func(w http.ResponseWriter, r *http.Request) {
		if always.Load() || r.Header.Get("Authorization") == "Bearer tok-1" {
			writeAPIError(w, http.StatusUnauthorized, "E0000011", "Invalid token provided")
			return
		}
		writeJSON(w, []any{})
	})
	s := openSession(t, f, f.provider(nil))
	if _, err := s.Groups(context.Background(), 10, ""); err != nil {
		t.Fatalf("Groups() after one rejected token: error = %v", err)
	}
	if got := f.mints.Load(); got != 2 {
		t.Errorf("mints = %d, want 2 (one replacement)", got)
	}

	always.Store(true)
	_, err := s.Groups(context.Background(), 10, "")
	checkCode(t, "always rejected", err, directory.CodeTokenRejected, false)
	if got := f.mints.Load(); got != 3 {
		t.Errorf("mints = %d, want 3 (one retry only)", got)
	}
}

func TestSessionClassifiesAPIErrors(t *testing.T) {
	reset := time.Now().Add(20 * time.Second).Unix()
	tests := []struct {
		name      string
		handler   http.HandlerFunc
		call      func(context.Context, directory.Session) error
		want      directory.Code
		retryable bool
	}{
		{"missing scope", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", `Bearer authorization_uri="http://x", `+
				`realm="IdpMyAccountAPI", scope="okta.groups.read", error="insufficient_scope", `+
				`error_description="The access token provided does not contain the required `+
				`scopes.", resource="/api/v1/groups"`)
			w.WriteHeader(http.StatusForbidden)
		}, listGroups, directory.CodeTokenMissingScope, false},
		{"no admin role", errorHandler(403, "E0000006"), listGroups,
			directory.CodeNoAdminRole, false},
		{"app not found", errorHandler(404, "E0000007"), getApp, directory.CodeAppNotFound, false},
		{"app users not found", errorHandler(404, "E0000007"), listAppUsers,
			directory.CodeAppNotFound, false},
		{"group not found", errorHandler(404, "E0000007"), listMembers,
			directory.CodeGroupNotFound, false},
		{"rate limited", func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Date"] = nil
			w.Header().Set("X-Rate-Limit-Reset", fmt.Sprint(reset))
			writeAPIError(w, 429, "E0000047", "API call exceeded rate limit")
		}, listGroups, directory.CodeRateLimited, true},
		{"server error", errorHandler(503, "E0000009"), listGroups,
			directory.CodeServerError, true},
		{"html", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html></html>")
		}, listGroups, directory.CodeWrongDomain, false},
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://example.com/login", http.StatusFound)
		}, listGroups, directory.CodeWrongDomain, false},
		{"other error", errorHandler(400, "E0000031"), listGroups,
			directory.CodeUnexpected, false},
	}
	for _, tt := range tests {
		f := newFakeOrg(t, testKeys(t).rsa)
		f.api.HandleFunc("/api/", tt.handler)
		err := tt.call(context.Background(), openSession(t, f, f.provider(nil)))
		de := checkCode(t, tt.name, err, tt.want, tt.retryable)
		checkNoSecret(t, tt.name, err, testKeys(t).rsa.jwk)
		if de != nil && tt.want == directory.CodeRateLimited &&
			(de.RetryAfter < 15*time.Second || de.RetryAfter > 22*time.Second) {
			t.Errorf("%s: RetryAfter = %v, want about 21s", tt.name, de.RetryAfter)
		}
		if de != nil && tt.want == directory.CodeTokenMissingScope &&
			!strings.Contains(de.Message, "okta.groups.read") {
			t.Errorf("%s: message = %q, want the scope named", tt.name, de.Message)
		}
	}
}

func errorHandler(status int, code string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		writeAPIError(w, status, code, "summary")
	}
}

func listGroups(ctx context.Context, s directory.Session) error {
	_, err := s.Groups(ctx, 10, "")
	return err
}

func listMembers(ctx context.Context, s directory.Session) error {
	_, err := s.GroupMembers(ctx, testGroupID, 10, "")
	return err
}

func listAppUsers(ctx context.Context, s directory.Session) error {
	_, err := s.AppUsers(ctx, testAppID, 10, "")
	return err
}

func getApp(ctx context.Context, s directory.Session) error {
	_, err := s.App(ctx, testAppID)
	return err
}

func TestSDKSettingsIgnoreEnvironment(t *testing.T) {
	for name, v := range map[string]string{
		"OKTA_CLIENT_CACHE_ENABLED":          "true",
		"OKTA_CLIENT_RATE_LIMIT_MAX_RETRIES": "5",
		"OKTA_CLIENT_ORGURL":                 "https://evil.example",
		"OKTA_CLIENT_AUTHORIZATIONMODE":      "SSWS",
		"OKTA_CLIENT_TOKEN":                  "from-env",
		"OKTA_CLIENT_REQUESTTIMEOUT":         "1",
	} {
		t.Setenv(name, v)
	}
	f := newFakeOrg(t, testKeys(t).rsa)
	var n atomic.Int32
	f.api.HandleFunc("GET /api/v1/groups", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("X-Rate-Limit-Reset", fmt.Sprint(time.Now().Unix()))
			writeAPIError(w, 429, "E0000047", "API call exceeded rate limit")
			return
		}
		writeJSON(w, make([]any, n.Load()))
	})
	s := openSession(t, f, f.provider(nil))

	_, err := s.Groups(context.Background(), 10, "")
	checkCode(t, "first call", err, directory.CodeRateLimited, true)
	for want := 2; want <= 3; want++ {
		page, err := s.Groups(context.Background(), 10, "")
		if err != nil || len(page.Items) != want {
			t.Errorf("Groups() call %d = %d items, %v, want %d", want, len(page.Items), err, want)
		}
	}
	if got := len(f.requestLog()); got != 3 {
		t.Errorf("requests = %d, want 3 (no in-process retry)", got)
	}
}

func TestIDsCannotChangeThePath(t *testing.T) {
	f := newFakeOrg(t, testKeys(t).rsa)
	s := openSession(t, f, f.provider(nil))
	ctx := context.Background()
	_, err := s.GroupMembers(ctx, "../users", 10, "")
	checkCode(t, "group id with a path", err, directory.CodeGroupNotFound, false)
	_, err = s.App(ctx, "0oa1/../../users")
	checkCode(t, "app id with a path", err, directory.CodeAppNotFound, false)
	if got := f.requestLog(); !slices.Equal(got, nil) {
		t.Errorf("requests = %q, want none", got)
	}
}

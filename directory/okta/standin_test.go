package okta

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/mailroom/oktasync/directory"
	"github.com/mailroom/oktasync/oktastandin"
)

// standin is the Okta stand-in with one API Services app whose keys are
// testKeys().rsa and .ec256, granted every scope and the Read-only
// Administrator role.
type standin struct {
	srv      *oktastandin.TestServer
	clientID string
	fixture  *oktastandin.Fixture
}

// newStandin serves a generated directory over TLS.
func newStandin(t *testing.T, opts oktastandin.Options, gen oktastandin.GenOptions) *standin {
	t.Helper()
	s := &standin{srv: oktastandin.NewTestServer(t, opts), clientID: oktastandin.NewAppID(),
		fixture: oktastandin.Generate(gen)}
	if err := s.srv.Load(s.fixture); err != nil {
		t.Fatal(err)
	}
	err := s.srv.AddServiceApp(oktastandin.ServiceApp{ClientID: s.clientID,
		Keys: publicSet(t, testKeys(t).rsa, testKeys(t).ec256), AdminRole: true,
		GrantedScopes: allScopes})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// publicSet returns the public halves of keys as a JWK set.
func publicSet(t *testing.T, keys ...testKey) jwk.Set {
	t.Helper()
	set := jwk.NewSet()
	for _, k := range keys {
		pub, err := jwk.ParseKey(k.publicJWK)
		if err != nil {
			t.Fatal(err)
		}
		if err := set.AddKey(pub); err != nil {
			t.Fatal(err)
		}
	}
	return set
}

func (s *standin) provider() *Provider {
	return New(Config{HTTPClient: s.srv.Client(), Logger: quietLogger})
}

func (s *standin) creds(key testKey) directory.Credentials {
	return directory.Credentials{Domain: s.srv.Domain, ClientID: s.clientID,
		PrivateJWK: key.jwk}
}

func (s *standin) open(t *testing.T, scopes []string) directory.Session {
	t.Helper()
	sess, err := s.provider().Open(context.Background(), s.creds(testKeys(t).rsa), scopes)
	if err != nil {
		t.Fatalf("Open() error = %v", err)
	}
	return sess
}

// smallOrg is a directory small enough to page through in milliseconds.
var smallOrg = oktastandin.GenOptions{Seed: 7, Users: 40, Groups: 3}

func TestStandinAcceptsTokens(t *testing.T) {
	s := newStandin(t, oktastandin.Options{}, smallOrg)
	for _, key := range []testKey{testKeys(t).rsa, testKeys(t).ec256} {
		sess, err := s.provider().Open(context.Background(), s.creds(key), allScopes)
		if err != nil {
			t.Fatalf("Open(%s) error = %v", key.kid, err)
		}
		if _, err := sess.Users(context.Background(), directory.UserFilter{}, 1, ""); err != nil {
			t.Errorf("Users() with a %s token: error = %v", key.kid, err)
		}
	}
}

func TestStandinRejectsAssertions(t *testing.T) {
	s := newStandin(t, oktastandin.Options{}, smallOrg)
	k := testKeys(t)
	ctx := context.Background()

	_, err := s.provider().Open(ctx, s.creds(k.otherRSA), allScopes)
	checkCode(t, "wrong kid", err, directory.CodeKeyUnknown, false)

	_, err = s.provider().Open(ctx, s.creds(makeKey(t, k.otherRSA.private, k.rsa.kid)),
		allScopes)
	checkCode(t, "wrong key under a known kid", err, directory.CodeKeyMismatch, false)

	unknown := s.creds(k.rsa)
	unknown.ClientID = oktastandin.NewAppID()
	_, err = s.provider().Open(ctx, unknown, allScopes)
	checkCode(t, "unknown client", err, directory.CodeClientUnknown, false)

	p := s.provider()
	cred, _ := newCredential(s.creds(k.rsa))
	assertion, err := signAssertion(cred.key, s.clientID, "https://acme.okta.com/oauth2/v1/token",
		time.Now(), randomJTI())
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.tokens.exchange(ctx, cred, assertion, allScopes)
	checkCode(t, "wrong aud", err, directory.CodeAssertionRejected, false)
}

func TestStandinRejectsReusedJTI(t *testing.T) {
	s := newStandin(t, oktastandin.Options{}, smallOrg)
	p := s.provider()
	p.tokens.newJTI = func() string { return "reused-jti" }
	creds := s.creds(testKeys(t).rsa)
	if _, err := p.Open(context.Background(), creds, allScopes); err != nil {
		t.Fatal(err)
	}
	p.InvalidateTokens(creds)
	_, err := p.Open(context.Background(), creds, allScopes)
	checkCode(t, "reused jti", err, directory.CodeAssertionRejected, false)
}

func TestStandinTokenFailures(t *testing.T) {
	tests := []struct {
		name string
		edit func(*oktastandin.ServiceApp)
		want directory.Code
	}{
		{"dpop", func(a *oktastandin.ServiceApp) { a.DPoPRequired = true },
			directory.CodeDPoPRequired},
		{"scope not granted", func(a *oktastandin.ServiceApp) {
			a.GrantedScopes = allScopes[:2]
		}, directory.CodeScopeNotGranted},
	}
	for _, tt := range tests {
		s := newStandin(t, oktastandin.Options{}, smallOrg)
		if err := s.srv.UpdateServiceApp(s.clientID, tt.edit); err != nil {
			t.Fatal(err)
		}
		_, err := s.provider().Open(context.Background(), s.creds(testKeys(t).rsa), allScopes)
		de := checkCode(t, tt.name, err, tt.want, false)
		if de != nil && tt.want == directory.CodeScopeNotGranted &&
			!strings.Contains(de.Fix, directory.ScopeAppsRead) {
			t.Errorf("%s: fix = %q, want it to name %s", tt.name, de.Fix, directory.ScopeAppsRead)
		}
	}
}

func TestStandinPagesUsers(t *testing.T) {
	s := newStandin(t, oktastandin.Options{}, oktastandin.GenOptions{Seed: 3, Users: 10})
	sess := s.open(t, allScopes)
	got, pages := collect(t, func(c string) (directory.Page[directory.User], error) {
		return sess.Users(context.Background(), directory.UserFilter{}, 3, c)
	})

	// An unfiltered listing leaves DEPROVISIONED users out, as Okta does.
	want := 10 - s.fixture.CountStatus(directory.StatusDeprovisioned)
	if len(got) != want || pages != (want+2)/3 {
		t.Fatalf("Users(limit 3) = %d users in %d pages, want %d in %d", len(got), pages, want,
			(want+2)/3)
	}
	seen := map[string]bool{}
	for _, u := range got {
		if seen[u.ID] || u.Status == directory.StatusDeprovisioned || u.Profile["login"] == nil {
			t.Errorf("Users() item %+v is repeated, deprovisioned or has no login", u.ID)
		}
		seen[u.ID] = true
	}
}

func TestStandinFiltersDeprovisioned(t *testing.T) {
	s := newStandin(t, oktastandin.Options{}, oktastandin.GenOptions{Seed: 5, Users: 300})
	sess := s.open(t, allScopes)
	got, _ := collect(t, func(c string) (directory.Page[directory.User], error) {
		return sess.Users(context.Background(),
			directory.UserFilter{Status: directory.StatusDeprovisioned}, 2, c)
	})
	if want := s.fixture.CountStatus(directory.StatusDeprovisioned); len(got) != want ||
		want < 3 {
		t.Fatalf("Users(DEPROVISIONED) = %d users, want %d (at least 3)", len(got), want)
	}
	for _, u := range got {
		if u.Status != directory.StatusDeprovisioned {
			t.Errorf("Users(DEPROVISIONED) returned %s in status %s", u.ID, u.Status)
		}
	}
}

func TestStandinGroupOverAThousandMembers(t *testing.T) {
	s := newStandin(t, oktastandin.Options{}, oktastandin.GenOptions{Seed: 9, Users: 1100,
		Groups: 1, LargeGroupSize: 1001})
	groupID, size := s.fixture.LargestGroup()
	sess := s.open(t, allScopes)
	for _, tt := range []struct{ limit, pages int }{{1000, 2}, {0, 6}} {
		got, pages := collect(t, func(c string) (directory.Page[directory.User], error) {
			return sess.GroupMembers(context.Background(), groupID, tt.limit, c)
		})
		if size != 1001 || len(got) != size || pages != tt.pages {
			t.Errorf("GroupMembers(limit %d) = %d users in %d pages, want %d in %d", tt.limit,
				len(got), pages, size, tt.pages)
		}
	}
}

func TestStandinAppUsersEmbedUsers(t *testing.T) {
	s := newStandin(t, oktastandin.Options{}, oktastandin.GenOptions{Seed: 11, Users: 200,
		Groups: 4})
	sess := s.open(t, allScopes)
	got, pages := collect(t, func(c string) (directory.Page[directory.AppUser], error) {
		return sess.AppUsers(context.Background(), s.fixture.SAMLAppID(), 20, c)
	})
	if pages < 2 {
		t.Fatalf("AppUsers() = %d assignments in %d pages, want several pages", len(got), pages)
	}
	scopes := map[string]int{}
	for _, a := range got {
		scopes[a.Scope]++
		if a.User.ID != a.UserID || a.User.Status == "" || a.User.Profile["login"] == nil {
			t.Errorf("AppUsers() item %s has embedded user %+v, want it decoded", a.UserID,
				a.User.ID)
		}
	}
	if scopes["USER"] == 0 || scopes["GROUP"] == 0 {
		t.Errorf("AppUsers() scopes = %v, want both USER and GROUP", scopes)
	}
}

func TestStandinFaults(t *testing.T) {
	tests := []struct {
		name      string
		fault     oktastandin.Fault
		want      directory.Code
		retryable bool
	}{
		{"repeated cursor", oktastandin.Fault{PathPrefix: "/api/v1/users",
			Kind: oktastandin.FaultRepeatCursor, After: 1}, directory.CodeRepeatedCursor, false},
		{"503", oktastandin.Fault{PathPrefix: "/api/v1/users", Kind: oktastandin.FaultStatus,
			Status: 503, After: 1}, directory.CodeServerError, true},
		{"429", oktastandin.Fault{PathPrefix: "/api/v1/users", Kind: oktastandin.FaultStatus,
			Status: 429, After: 1}, directory.CodeRateLimited, true},
		{"dropped connection", oktastandin.Fault{PathPrefix: "/api/v1/users",
			Kind: oktastandin.FaultDrop, After: 1}, directory.CodeUnreachable, true},
		{"malformed page", oktastandin.Fault{PathPrefix: "/api/v1/users",
			Kind: oktastandin.FaultMalformed, After: 1}, directory.CodeUnexpected, true},
	}
	for _, tt := range tests {
		s := newStandin(t, oktastandin.Options{}, smallOrg)
		sess := s.open(t, allScopes)
		s.srv.AddFault(tt.fault)
		first, err := sess.Users(context.Background(), directory.UserFilter{}, 5, "")
		if err != nil {
			t.Fatalf("%s: first page error = %v", tt.name, err)
		}
		_, err = sess.Users(context.Background(), directory.UserFilter{}, 5, first.Next)
		checkCode(t, tt.name, err, tt.want, tt.retryable)
	}
}

func TestStandinRateLimitSaysWhenToRetry(t *testing.T) {
	s := newStandin(t, oktastandin.Options{EnforceRateLimits: true,
		RateLimits: oktastandin.RateLimits{Ceilings: map[oktastandin.Bucket]int{
			oktastandin.BucketGroups: 2}}}, smallOrg)
	sess := s.open(t, allScopes)
	var err error
	for range 3 {
		_, err = sess.Groups(context.Background(), 10, "")
	}
	de := checkCode(t, "third call", err, directory.CodeRateLimited, true)
	if de != nil && (de.RetryAfter < time.Second || de.RetryAfter > 62*time.Second) {
		t.Errorf("RetryAfter = %v, want the time to the window's reset plus 1s", de.RetryAfter)
	}
	if got := s.srv.CountRequests(http.MethodGet, "/api/v1/groups"); got != 3 {
		t.Errorf("group requests = %d, want 3 (no in-process retry)", got)
	}
}

func TestStandinExpiredTokenIsReplaced(t *testing.T) {
	s := newStandin(t, oktastandin.Options{}, smallOrg)
	sess := s.open(t, allScopes)
	s.srv.ExpireTokens()
	if _, err := sess.Groups(context.Background(), 10, ""); err != nil {
		t.Fatalf("Groups() after the token expired: error = %v", err)
	}
	if got := s.srv.CountRequests(http.MethodPost, "/oauth2/v1/token"); got != 2 {
		t.Errorf("token requests = %d, want 2", got)
	}
}

func TestStandinClassifiesAPIErrors(t *testing.T) {
	s := newStandin(t, oktastandin.Options{}, smallOrg)
	ctx := context.Background()
	narrow := s.open(t, allScopes[:2])
	_, err := narrow.App(ctx, s.fixture.SAMLAppID())
	de := checkCode(t, "token without apps scope", err, directory.CodeTokenMissingScope, false)
	if de != nil && !strings.Contains(de.Message, directory.ScopeAppsRead) {
		t.Errorf("missing scope message = %q, want it to name %s", de.Message,
			directory.ScopeAppsRead)
	}

	sess := s.open(t, allScopes)
	_, err = sess.GroupMembers(ctx, oktastandin.NewGroupID(), 10, "")
	checkCode(t, "unknown group", err, directory.CodeGroupNotFound, false)
	_, err = sess.App(ctx, oktastandin.NewAppID())
	checkCode(t, "unknown app", err, directory.CodeAppNotFound, false)

	if err := s.srv.UpdateServiceApp(s.clientID, func(a *oktastandin.ServiceApp) {
		a.AdminRole = false
	}); err != nil {
		t.Fatal(err)
	}
	_, err = sess.Users(ctx, directory.UserFilter{}, 10, "")
	checkCode(t, "no admin role", err, directory.CodeNoAdminRole, false)
}

func TestStandinValidate(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(s *standin) (directory.Credentials, string)
		scopes []string
		want   directory.Code
	}{
		{"healthy", func(s *standin) (directory.Credentials, string) {
			return s.creds(testKeys(t).rsa), s.fixture.SAMLAppID()
		}, allScopes, ""},
		{"dpop on", func(s *standin) (directory.Credentials, string) {
			s.edit(t, func(a *oktastandin.ServiceApp) { a.DPoPRequired = true })
			return s.creds(testKeys(t).rsa), s.fixture.SAMLAppID()
		}, allScopes, directory.CodeDPoPRequired},
		{"scope missing", func(s *standin) (directory.Credentials, string) {
			s.edit(t, func(a *oktastandin.ServiceApp) { a.GrantedScopes = allScopes[:1] })
			return s.creds(testKeys(t).rsa), s.fixture.SAMLAppID()
		}, allScopes, directory.CodeScopeNotGranted},
		{"no admin role", func(s *standin) (directory.Credentials, string) {
			s.edit(t, func(a *oktastandin.ServiceApp) { a.AdminRole = false })
			return s.creds(testKeys(t).rsa), s.fixture.SAMLAppID()
		}, allScopes, directory.CodeNoAdminRole},
		{"app not found", func(s *standin) (directory.Credentials, string) {
			return s.creds(testKeys(t).rsa), oktastandin.NewAppID()
		}, allScopes, directory.CodeAppNotFound},
		{"client id as app id", func(s *standin) (directory.Credentials, string) {
			return s.creds(testKeys(t).rsa), s.clientID
		}, allScopes, directory.CodeAppIsAPIClient},
		{"ids swapped", func(s *standin) (directory.Credentials, string) {
			creds := s.creds(testKeys(t).rsa)
			creds.ClientID = s.fixture.SAMLAppID()
			return creds, s.clientID
		}, allScopes, directory.CodeIDsSwapped},
		{"app not saml", func(s *standin) (directory.Credentials, string) {
			app := s.srv.AddApp(oktastandin.App{Label: "Wiki", Status: "ACTIVE",
				SignOnMode: "BOOKMARK"})
			return s.creds(testKeys(t).rsa), app.ID
		}, allScopes, directory.CodeAppNotSAML},
		{"without apps scope the app is not probed", func(s *standin) (directory.Credentials,
			string) {
			return s.creds(testKeys(t).rsa), oktastandin.NewAppID()
		}, allScopes[:2], ""},
	}
	for _, tt := range tests {
		s := newStandin(t, oktastandin.Options{}, smallOrg)
		creds, appID := tt.setup(s)
		err := s.provider().Validate(context.Background(), creds, appID, tt.scopes)
		if got := codeOfErr(err); got != tt.want || (err != nil && got == "") {
			t.Errorf("%s: Validate() = %v, want code %q", tt.name, err, tt.want)
		}
	}
}

// edit changes the service app as an admin would in the console.
func (s *standin) edit(t *testing.T, fn func(*oktastandin.ServiceApp)) {
	t.Helper()
	if err := s.srv.UpdateServiceApp(s.clientID, fn); err != nil {
		t.Fatal(err)
	}
}

func TestStandinTimeoutIsUnreachable(t *testing.T) {
	s := newStandin(t, oktastandin.Options{}, smallOrg)
	client := s.srv.Client()
	client.Timeout = 50 * time.Millisecond
	p := New(Config{HTTPClient: client, Logger: quietLogger})
	sess, err := p.Open(context.Background(), s.creds(testKeys(t).rsa), allScopes)
	if err != nil {
		t.Fatal(err)
	}
	s.srv.AddFault(oktastandin.Fault{PathPrefix: "/api/v1/groups", Kind: oktastandin.FaultDelay,
		Delay: 300 * time.Millisecond})
	_, err = sess.Groups(context.Background(), 10, "")
	de := checkCode(t, "slow answer", err, directory.CodeUnreachable, true)
	if de != nil && !strings.Contains(de.Message, "timed out") {
		t.Errorf("slow answer: message = %q, want it to say the request timed out", de.Message)
	}
}

func TestStandinListsGroups(t *testing.T) {
	s := newStandin(t, oktastandin.Options{}, oktastandin.GenOptions{Seed: 1, Users: 20,
		Groups: 5, Everyone: true})
	sess := s.open(t, allScopes)
	got, pages := collect(t, func(c string) (directory.Page[directory.Group], error) {
		return sess.Groups(context.Background(), 2, c)
	})
	want := map[string]string{}
	for _, g := range s.fixture.Groups {
		want[g.ID] = g.Name
	}
	if len(got) != len(want) || pages != (len(want)+1)/2 {
		t.Fatalf("Groups(limit 2) = %d groups in %d pages, want %d", len(got), pages, len(want))
	}
	for _, g := range got {
		if g.Name == "" || g.Name != want[g.ID] || g.Type == "" {
			t.Errorf("Groups() item %+v, want name %q and a type", g, want[g.ID])
		}
	}
}

package oktastandin_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/mailroom/oktasync/oktastandin"
)

func BenchmarkGenerate10k(b *testing.B) {
	for b.Loop() {
		oktastandin.Generate(oktastandin.GenOptions{Seed: 1, Users: 10000, Groups: 50})
	}
}

// benchFixture has 10,000 users and a group of 5,000.
var benchFixture = oktastandin.GenOptions{Seed: 1, Users: 10000, Groups: 20, LargeGroupSize: 5000}

// benchServer is a stand-in loaded with benchFixture, called in process.
func benchServer(b *testing.B) (*oktastandin.Server, string) {
	b.Helper()
	s := oktastandin.New(oktastandin.Options{})
	if err := s.Load(oktastandin.Generate(benchFixture)); err != nil {
		b.Fatal(err)
	}
	if err := s.AddServiceApp(oktastandin.ServiceApp{ClientID: "0oabench000000000000",
		GrantedScopes: oktastandin.AllReadScopes, AdminRole: true}); err != nil {
		b.Fatal(err)
	}
	tok, err := s.IssueToken("0oabench000000000000", oktastandin.AllReadScopes...)
	if err != nil {
		b.Fatal(err)
	}
	return s, tok
}

// listAll walks every page of a listing in process and returns the count
// of pages.
func listAll(b *testing.B, s *oktastandin.Server, tok, path string) int {
	pages := 0
	for path != "" {
		req := httptest.NewRequest(http.MethodGet, "https://org.example.com"+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: %d", path, rec.Code)
		}
		pages++
		path = strings.TrimPrefix(nextLink(rec.Header()), "https://org.example.com")
	}
	return pages
}

func BenchmarkListUsers10k(b *testing.B) {
	s, tok := benchServer(b)
	for b.Loop() {
		listAll(b, s, tok, "/api/v1/users?limit=200")
	}
}

func BenchmarkListUsersFiltered10k(b *testing.B) {
	s, tok := benchServer(b)
	path := "/api/v1/users?limit=200&filter=" + url.QueryEscape(`status eq "SUSPENDED"`)
	for b.Loop() {
		listAll(b, s, tok, path)
	}
}

func BenchmarkListGroupMembers5k(b *testing.B) {
	s, tok := benchServer(b)
	groupID := oktastandin.Generate(benchFixture).Groups[0].ID
	for b.Loop() {
		listAll(b, s, tok, "/api/v1/groups/"+groupID+"/users?limit=1000")
	}
}

func BenchmarkListAppUsersExpanded(b *testing.B) {
	s, tok := benchServer(b)
	appID := oktastandin.Generate(benchFixture).SAMLAppID()
	for b.Loop() {
		listAll(b, s, tok, "/api/v1/apps/"+appID+"/users?limit=500&expand=user")
	}
}

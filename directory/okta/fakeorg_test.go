package okta

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/mailroom/oktasync/directory"
)

// fakeOrg is a small TLS Okta org for unit tests: a token endpoint that
// verifies client assertions like Okta does, and API routes each test
// adds. The integration tests use the oktastandin package instead.
type fakeOrg struct {
	srv *httptest.Server
	// api serves /api/; tests add routes or wrap it with overrideAPI.
	api    *http.ServeMux
	domain string
	// publicKeys maps kid to the registered public key of testClientID.
	publicKeys map[string]any

	// tokenDelay slows the token endpoint, to overlap concurrent mints.
	tokenDelay time.Duration

	mints atomic.Int32
	mu    sync.Mutex
	jtis  map[string]bool
	// assertions holds every verified assertion, in order.
	assertions []jwt.Token
	headers    []jws.Headers
	forms      []map[string][]string
	// requests lists every API request URI, in order.
	requests []string
}

func newFakeOrg(t *testing.T, registered ...testKey) *fakeOrg {
	t.Helper()
	f := &fakeOrg{api: http.NewServeMux(), publicKeys: map[string]any{},
		jtis: map[string]bool{}}
	for _, k := range registered {
		f.publicKeys[k.kid] = k.private.Public()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth2/v1/token", f.token)
	mux.Handle("/api/", f.requireToken(http.HandlerFunc(func(w http.ResponseWriter,
		r *http.Request) {
		f.mu.Lock()
		api := f.api
		f.mu.Unlock()
		api.ServeHTTP(w, r)
	})))
	f.srv = httptest.NewTLSServer(mux)
	t.Cleanup(f.srv.Close)
	f.domain = strings.TrimPrefix(f.srv.URL, "https://")
	return f
}

// quietLogger keeps provider logs out of test output.
var quietLogger = slog.New(slog.DiscardHandler)

// provider returns a Provider that trusts the fake's certificate.
func (f *fakeOrg) provider(now func() time.Time) *Provider {
	return New(Config{HTTPClient: f.srv.Client(), Now: now, Logger: quietLogger})
}

// creds returns credentials for testClientID with key.
func (f *fakeOrg) creds(key testKey) directory.Credentials {
	return directory.Credentials{Domain: f.domain, ClientID: testClientID, PrivateJWK: key.jwk}
}

// token answers like Okta's org authorization server token endpoint.
func (f *fakeOrg) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.Header.Get("Accept") != "application/json" {
		oauthError(w, "invalid_request", "bad form or Accept header")
		return
	}
	hdr, tok, failure := f.verify(r.PostForm.Get("client_assertion"))
	if failure != "" {
		oauthError(w, "invalid_client", failure)
		return
	}
	f.mu.Lock()
	f.assertions = append(f.assertions, tok)
	f.headers = append(f.headers, hdr)
	f.forms = append(f.forms, r.PostForm)
	f.mu.Unlock()

	time.Sleep(f.tokenDelay)
	n := f.mints.Add(1)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"token_type":"Bearer","expires_in":3600,"access_token":"tok-%d",`+
		`"scope":%q}`, n, r.PostForm.Get("scope"))
}

// verify checks an assertion's kid, signature, audience, lifetime and jti.
func (f *fakeOrg) verify(assertion string) (jws.Headers, jwt.Token, string) {
	msg, err := jws.Parse([]byte(assertion))
	if err != nil || len(msg.Signatures()) != 1 {
		return nil, nil, "The client_assertion is malformed."
	}
	hdr := msg.Signatures()[0].ProtectedHeaders()
	pub, ok := f.publicKeys[hdr.KeyID()]
	if !ok {
		return nil, nil, "The client_assertion JWT kid is invalid."
	}
	tok, err := jwt.Parse([]byte(assertion), jwt.WithKey(hdr.Algorithm(), pub),
		jwt.WithValidate(false))
	if err != nil {
		return nil, nil, "The client_assertion signature is invalid."
	}
	if len(tok.Audience()) != 1 || tok.Audience()[0] != "https://"+f.domain+"/oauth2/v1/token" {
		return nil, nil, "The audience claim for client_assertion must be the endpoint " +
			"invoked for the request."
	}
	if tok.Issuer() != testClientID {
		return nil, nil, "Invalid value for 'client_id' parameter."
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.jtis[tok.JwtID()] {
		return nil, nil, "The client_assertion token has already been used."
	}
	f.jtis[tok.JwtID()] = true
	return hdr, tok, ""
}

// requireToken answers 401 E0000011 unless a minted token is presented.
func (f *fakeOrg) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer tok-") {
			writeAPIError(w, http.StatusUnauthorized, "E0000011", "Invalid token provided")
			return
		}
		f.mu.Lock()
		f.requests = append(f.requests, r.URL.RequestURI())
		f.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func oauthError(w http.ResponseWriter, code, description string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}

// writeAPIError writes an Okta management API error body.
func writeAPIError(w http.ResponseWriter, status int, code, summary string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errorCode": code, "errorSummary": summary,
		"errorLink": code, "errorId": "oaeTEST", "errorCauses": []any{}})
}

// writeJSON answers 200 with v, adding any Link headers given.
func writeJSON(w http.ResponseWriter, v any, links ...string) {
	for _, l := range links {
		w.Header().Add("Link", l)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// algOf returns the alg header of the n-th verified assertion.
func (f *fakeOrg) algOf(n int) jwa.SignatureAlgorithm {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.headers[n].Algorithm()
}

// pager serves items in pages like Okta: limit and an opaque after cursor
// in the query, absolute Link headers. The next link leaves out every other
// parameter, as the SDK must carry them over from the request.
func (f *fakeOrg) pager(items func(r *http.Request) []any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		all := items(r)
		limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
		if err != nil || limit <= 0 {
			limit = 200
		}
		start, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Query().Get("after"), "c"))
		end := min(start+limit, len(all))
		base := "https://" + f.domain + r.URL.Path
		links := []string{"<" + base + "?" + r.URL.RawQuery + `>; rel="self"`}
		if end < len(all) {
			links = append(links, fmt.Sprintf(`<%s?after=c%d&limit=%d>; rel="next"`, base, end,
				limit))
		}
		writeJSON(w, all[start:end], links...)
	}
}

// requestLog returns the API requests so far.
func (f *fakeOrg) requestLog() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

// overrideAPI serves route with h, and everything else as before.
func (f *fakeOrg) overrideAPI(route string, h http.Handler) {
	f.mu.Lock()
	defer f.mu.Unlock()
	mux := http.NewServeMux()
	mux.Handle(route, h)
	mux.Handle("/", f.api)
	f.api = mux
}

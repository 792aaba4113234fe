package oktastandin

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a Server. The zero value serves Okta's default rate
// limits without enforcing them, with no added latency, on the wall clock.
type Options struct {
	// Now is the clock for directory timestamps, token lifetimes and
	// client-assertion expiry checks. Rate-limit windows always follow the
	// wall clock, because clients compare X-Rate-Limit-Reset with the Date
	// header that net/http writes from it.
	Now func() time.Time
	// Latency is added to every API and token response.
	Latency time.Duration
	// RateLimits overrides bucket ceilings and the window length.
	RateLimits RateLimits
	// EnforceRateLimits answers 429 E0000047 once a bucket is exhausted;
	// otherwise the headers only count down.
	EnforceRateLimits bool
	// RequestLogSize caps the request log; the oldest entries are dropped
	// first. Zero means 100,000.
	RequestLogSize int
	// Logger receives the stand-in's own diagnostics; nil discards them.
	Logger *slog.Logger
}

// Server is an in-memory Okta org serving the management API and the org
// authorization server's token endpoint. It is safe for concurrent use and
// may be changed while it serves.
type Server struct {
	now    func() time.Time
	logger *slog.Logger

	mu  sync.RWMutex
	dir directory

	authMu      sync.Mutex
	serviceApps map[string]*ServiceApp
	tokens      map[string]accessToken
	usedJTIs    map[string]time.Time

	limiter  *limiter
	faults   *faultSet
	requests *requestLog
	latency  atomic.Int64
	enforce  atomic.Bool

	api   *http.ServeMux
	admin *http.ServeMux
}

// New returns an empty org: no users, groups, apps or service apps.
func New(opts Options) *Server {
	s := &Server{
		now:         opts.Now,
		logger:      opts.Logger,
		dir:         newDirectory(),
		serviceApps: map[string]*ServiceApp{},
		tokens:      map[string]accessToken{},
		usedJTIs:    map[string]time.Time{},
		limiter:     newLimiter(opts.RateLimits),
		faults:      &faultSet{},
		requests:    newRequestLog(opts.RequestLogSize),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	s.latency.Store(int64(opts.Latency))
	s.enforce.Store(opts.EnforceRateLimits)
	s.api = s.apiRoutes()
	s.admin = s.adminRoutes()
	return s
}

// SetLatency changes the latency added to every API response.
func (s *Server) SetLatency(d time.Duration) { s.latency.Store(int64(d)) }

// SetEnforceRateLimits switches 429 answers for exhausted buckets on or off.
func (s *Server) SetEnforceRateLimits(on bool) { s.enforce.Store(on) }

// EnforcingRateLimits reports whether exhausted buckets answer 429.
func (s *Server) EnforcingRateLimits() bool { return s.enforce.Load() }

// ServeHTTP serves Okta's API, the token endpoint and, under /__standin/,
// the stand-in's own admin API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, adminPrefix) {
		s.admin.ServeHTTP(w, r)
		return
	}

	sw := &statusWriter{ResponseWriter: w, start: time.Now(), entry: Request{
		Time: s.now(), Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
	}}
	defer func() {
		s.requests.add(sw.finish())
		if sw.hijacked != nil {
			_ = sw.hijacked.Close()
		}
		s.logRequest(sw)
	}()

	if !sleep(r.Context(), time.Duration(s.latency.Load())) {
		return
	}
	s.api.ServeHTTP(sw, r)
}

// sleep waits for d or until ctx is done, and reports whether d elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// route is one Okta endpoint: the rate-limit bucket it counts against,
// the scope its token needs ("" for the token endpoint itself) and its
// handler.
type route struct {
	bucket Bucket
	scope  string
	handle func(http.ResponseWriter, *http.Request, *call)
}

// call carries what the pipeline learnt about a request to its handler.
type call struct {
	// base is "https://{host}" as the client called it; links use it.
	base string
	// repeatCursor makes a listing's next link repeat the current cursor.
	repeatCursor bool
}

func (s *Server) apiRoutes() *http.ServeMux {
	mux := http.NewServeMux()
	routes := map[string]route{
		"POST /oauth2/v1/token":         {BucketToken, "", s.handleToken},
		"GET /api/v1/users":             {BucketUsers, ScopeUsersRead, s.listUsers},
		"GET /api/v1/users/{id}":        {BucketOther, ScopeUsersRead, s.getUser},
		"GET /api/v1/groups":            {BucketGroups, ScopeGroupsRead, s.listGroups},
		"GET /api/v1/groups/{id}":       {BucketGroup, ScopeGroupsRead, s.getGroup},
		"GET /api/v1/groups/{id}/users": {BucketGroup, ScopeGroupsRead, s.listGroupUsers},
		"GET /api/v1/apps/{id}":         {BucketApps, ScopeAppsRead, s.getApp},
		"GET /api/v1/apps/{id}/users":   {BucketApps, ScopeAppsRead, s.listAppUsers},
	}
	for pattern, rt := range routes {
		mux.Handle(pattern, s.pipeline(rt))
		// The same path with any other method gets Okta's error rather
		// than net/http's plain-text 405.
		_, path, _ := strings.Cut(pattern, " ")
		mux.Handle(path, s.pipeline(route{rt.bucket, "", methodNotAllowed}))
	}
	mux.Handle("/", s.pipeline(route{BucketOther, "", notFound}))
	return mux
}

// pipeline applies what Okta does before an endpoint's own work: rate
// limiting, then (in the stand-in) injected faults, then authorization.
func (s *Server) pipeline(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{base: "https://" + r.Host}
		if sw, ok := w.(*statusWriter); ok {
			sw.pattern = r.Pattern
		}
		if !s.rateLimit(w, rt.bucket) {
			return
		}
		if !s.applyFaults(w, r, c) {
			return
		}
		if rt.scope != "" && !s.authorize(w, r, rt.scope) {
			return
		}
		rt.handle(w, r, c)
	})
}

func methodNotAllowed(w http.ResponseWriter, r *http.Request, _ *call) {
	writeError(w, http.StatusMethodNotAllowed, "E0000022",
		"The endpoint does not support the provided HTTP method")
}

func notFound(w http.ResponseWriter, r *http.Request, _ *call) {
	writeError(w, http.StatusNotFound, "E0000007",
		"Not found: Resource not found: "+r.URL.Path)
}

// statusWriter records the status a handler wrote, and notes the pipeline
// makes, for the request log.
type statusWriter struct {
	http.ResponseWriter
	entry Request
	// hijacked is a connection to close once the request is logged.
	hijacked net.Conn
	// pattern is the route that served the request.
	pattern string
	// start is when the request arrived, on the wall clock.
	start time.Time
}

// WriteHeader records the first status written.
func (w *statusWriter) WriteHeader(code int) {
	if w.entry.Status == 0 {
		w.entry.Status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200.
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.entry.Status == 0 {
		w.entry.Status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection, which the
// dropped-connection fault hijacks.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) finish() Request { return w.entry }

// logRequest logs a served request at debug level. It names the route
// pattern rather than the path, which may hold a login.
func (s *Server) logRequest(sw *statusWriter) {
	s.logger.Debug("request served", "route", sw.pattern, "status", sw.entry.Status,
		"client_id", sw.entry.ClientID, "fault_id", sw.entry.Fault,
		"duration_ms", time.Since(sw.start).Milliseconds())
}

// note returns the statusWriter behind w, if any, so the pipeline can
// annotate the request log entry.
func note(w http.ResponseWriter) *Request {
	if sw, ok := w.(*statusWriter); ok {
		return &sw.entry
	}
	return &Request{}
}

// Package dashboard is the dashboard's backend: an HTTP JSON API to set up
// an organization's locations and SSO, enable and configure the directory
// integration, start, pause and inspect syncs, import CSV files, and turn
// SSO users into login users. It starts and signals Temporal workflows and
// reads the store; it never talks to Okta except to list groups for the
// mapping form.
//
// Every route under /api/v1/orgs/{org} needs that organization's API token
// as a bearer token; a token of another organization gets 404, as if the
// organization did not exist.
package dashboard

import (
	"log/slog"
	"net/http"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/mailroom/oktasync/contract"
	"github.com/mailroom/oktasync/directory"
	"github.com/mailroom/oktasync/directory/okta"
	"github.com/mailroom/oktasync/secrets"
	"github.com/mailroom/oktasync/store"
)

// Config is the dashboard's configuration.
type Config struct {
	// OperatorToken authorises creating organizations; empty disables it.
	OperatorToken string
	// TaskQueue is where workflows start; the worker must poll it.
	TaskQueue string
	// DomainPolicy says which Okta domains the settings form accepts.
	DomainPolicy okta.DomainPolicy
	// EnableWait is how long an enable request waits for validation.
	EnableWait time.Duration
	// Codec, CodecOrigins and CodecToken configure the remote codec the
	// Temporal UI uses to show decrypted payloads; nil Codec disables it.
	Codec        *secrets.PayloadCodec
	CodecOrigins []string
	CodecToken   string
}

// Server serves the API.
type Server struct {
	store    *store.Store
	temporal client.Client
	provider directory.Provider
	box      *secrets.Box
	cfg      Config
	log      *slog.Logger
}

// New returns a Server. box seals private JWKs for the store; provider lists
// Okta groups for the mapping form.
func New(st *store.Store, tc client.Client, provider directory.Provider, box *secrets.Box,
	cfg Config, log *slog.Logger) *Server {
	if cfg.TaskQueue == "" {
		cfg.TaskQueue = contract.TaskQueue
	}
	if cfg.EnableWait == 0 {
		cfg.EnableWait = 90 * time.Second
	}
	return &Server{store: st, temporal: tc, provider: provider, box: box, cfg: cfg, log: log}
}

// Handler returns the API's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("POST /api/v1/orgs", s.operator(s.createOrg))
	s.orgRoutes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, APIError{Code: "not_found",
			Message: "no such route", Fix: "see the API table in README.md"})
	})
	return s.logRequests(mux)
}

// CodecHandler serves Temporal's remote codec (POST /encode, /decode) for
// the Temporal UI and CLI. It decrypts any payload it is given, so it is
// served on its own address, meant for operators only; nil when disabled.
func (s *Server) CodecHandler() http.Handler {
	if s.cfg.Codec == nil {
		return nil
	}
	return s.logRequests(secrets.CodecHandler(s.cfg.Codec, s.cfg.CodecOrigins,
		s.cfg.CodecToken))
}

// orgRoutes registers the routes of one organization.
func (s *Server) orgRoutes(mux *http.ServeMux) {
	for pattern, h := range s.routes() {
		mux.HandleFunc(pattern, s.tenant(h))
	}
}

// OrgRoutes lists the patterns of every organization route, so tests can
// check that each one enforces tenancy.
func OrgRoutes() []string {
	var out []string
	for pattern := range (&Server{}).routes() {
		out = append(out, pattern)
	}
	return out
}

// routes maps each organization route to its handler.
func (s *Server) routes() map[string]orgHandler {
	return map[string]orgHandler{
		"GET /api/v1/orgs/{org}":                               s.getOrg,
		"POST /api/v1/orgs/{org}/locations":                    s.createLocation,
		"GET /api/v1/orgs/{org}/locations":                     s.listLocations,
		"GET /api/v1/orgs/{org}/sso":                           s.getSSO,
		"PUT /api/v1/orgs/{org}/sso":                           s.enableSSO,
		"DELETE /api/v1/orgs/{org}/sso":                        s.removeSSO,
		"GET /api/v1/orgs/{org}/directory":                     s.getDirectory,
		"PUT /api/v1/orgs/{org}/directory":                     s.enableDirectory,
		"DELETE /api/v1/orgs/{org}/directory":                  s.disableDirectory,
		"PATCH /api/v1/orgs/{org}/directory/preferences":       s.updatePreferences,
		"GET /api/v1/orgs/{org}/directory/groups":              s.listGroups,
		"GET /api/v1/orgs/{org}/directory/group-mappings":      s.listMappings,
		"PUT /api/v1/orgs/{org}/directory/group-mappings":      s.replaceMappings,
		"POST /api/v1/orgs/{org}/directory/sync":               s.syncNow,
		"POST /api/v1/orgs/{org}/directory/pause":              s.pause,
		"POST /api/v1/orgs/{org}/directory/resume":             s.resume,
		"POST /api/v1/orgs/{org}/directory/cancel":             s.cancelRun,
		"GET /api/v1/orgs/{org}/directory/runs":                s.listRuns,
		"GET /api/v1/orgs/{org}/directory/runs/{run}":          s.getRun,
		"GET /api/v1/orgs/{org}/directory/runs/{run}/issues":   s.runIssues,
		"POST /api/v1/orgs/{org}/directory/runs/{run}/approve": s.approveRun,
		"POST /api/v1/orgs/{org}/directory/runs/{run}/reject":  s.rejectRun,
		"GET /api/v1/orgs/{org}/recipients":                    s.listRecipients,
		"GET /api/v1/orgs/{org}/recipients/summary":            s.recipientSummary,
		"POST /api/v1/orgs/{org}/recipients":                   s.createRecipient,
		"GET /api/v1/orgs/{org}/recipients/{recipient}":        s.getRecipient,
		"PATCH /api/v1/orgs/{org}/recipients/{recipient}":      s.patchRecipient,
		"POST /api/v1/orgs/{org}/locations/{location}/imports": s.importCSV,
		"GET /api/v1/orgs/{org}/imports/{import}/issues":       s.importIssues,
		"GET /api/v1/orgs/{org}/sso-users":                     s.listSSOUsers,
		"POST /api/v1/orgs/{org}/sso-users/{user}/login-user":  s.createLoginUser,
		"GET /api/v1/orgs/{org}/login-users":                   s.listLoginUsers,
	}
}

// logRequests logs each request's method, route and status, never its body
// or query (they may hold emails or keys).
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		s.log.Info("http request", "method", r.Method, "route", r.Pattern,
			"status", rec.status, "duration_ms", time.Since(start).Milliseconds())
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Flush lets streaming handlers flush through the recorder.
func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

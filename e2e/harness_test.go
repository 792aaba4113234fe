package e2e

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"encoding/pem"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/lestrrat-go/jwx/v2/jwk"
	"go.temporal.io/sdk/client"

	"github.com/mailroom/oktasync/app"
	"github.com/mailroom/oktasync/config"
	"github.com/mailroom/oktasync/dashboard"
	"github.com/mailroom/oktasync/internal/testenv"
	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/oktastandin"
	"github.com/mailroom/oktasync/secrets"
	"github.com/mailroom/oktasync/store"
)

// harness is one organization's whole service: stand-in, database, worker,
// API and clients.
type harness struct {
	t         testing.TB
	ctx       context.Context
	okta      *oktastandin.TestServer
	fixture   *oktastandin.Fixture
	clientID  string
	key       jwk.Key
	jwk       []byte
	samlAppID string
	cfg       config.Common
	store     *store.Store
	temporal  client.Client
	apiURL    string
	codecURL  string
	operator  *dashboard.Client
	api       *dashboard.Client
	logs      *lockedBuffer
	locations []dashboard.LocationView
}

// harnessOptions shape a harness.
type harnessOptions struct {
	gen       oktastandin.GenOptions
	okta      oktastandin.Options
	locations int
	// extraHosts are allowed as Okta domains besides the stand-in's.
	extraHosts []string
	// worker tunes the worker's configuration (retries, page size).
	worker func(*config.Worker)
	// secretKey replaces the random SECRET_KEY, to record histories that
	// tests can decode later.
	secretKey string
}

// newHarness starts everything and creates an organization with SSO on and
// the requested locations. It does not enable the directory integration.
func newHarness(t testing.TB, opts harnessOptions) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	h := &harness{t: t, ctx: ctx, logs: &lockedBuffer{}}

	h.startOkta(opts.okta, opts.gen)
	if opts.secretKey == "" {
		opts.secretKey = secrets.NewMasterKey()
	}
	h.cfg = config.Common{
		DatabaseURL: testenv.Postgres(t), TemporalAddress: temporalAddr,
		TemporalNamespace: "default", TaskQueue: "e2e-" + uuid.NewString(),
		SecretKey:        opts.secretKey,
		OktaAllowedHosts: append([]string{h.okta.Domain}, opts.extraHosts...),
		OktaCAFile:       h.writeCA(), LogLevel: "debug",
	}
	log := slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h.startWorker(log, opts.worker)
	h.startAPI(log)
	h.openClients(log)
	h.createOrg(opts.locations)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("service log:\n%s", h.logs.tail(60))
		}
		if dir := os.Getenv("E2E_LOG_DIR"); dir != "" {
			name := strings.ReplaceAll(t.Name(), "/", "_") + ".log"
			_ = os.WriteFile(filepath.Join(dir, name), []byte(h.logs.String()), 0o600)
		}
	})
	return h
}

func (h *harness) startOkta(opts oktastandin.Options, gen oktastandin.GenOptions) {
	h.okta = oktastandin.NewTestServer(h.t, opts)
	if gen.Users == 0 {
		gen.Users = 250
	}
	if gen.Seed == 0 {
		gen.Seed = 7
	}
	h.fixture = oktastandin.Generate(gen)
	if err := h.okta.Load(h.fixture); err != nil {
		h.t.Fatalf("load fixture: %v", err)
	}
	h.samlAppID = h.fixture.SAMLAppID()
	h.clientID, h.key = h.okta.NewServiceApp(h.t)
	raw, err := json.Marshal(h.key)
	if err != nil {
		h.t.Fatal(err)
	}
	h.jwk = raw
}

// writeCA writes the stand-in's certificate where OKTA_CA_FILE points.
func (h *harness) writeCA() string {
	path := filepath.Join(h.t.TempDir(), "okta-ca.pem")
	block := &pem.Block{Type: "CERTIFICATE", Bytes: h.okta.HTTP.Certificate().Raw}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		h.t.Fatal(err)
	}
	return path
}

func (h *harness) startWorker(log *slog.Logger, tune func(*config.Worker)) {
	cfg := config.Worker{Common: h.cfg, PageSize: 200, PageAttempts: 3,
		PageRetryInitial: 100 * time.Millisecond, PageTimeout: 30 * time.Second,
		HoldTimeout: time.Hour, MaxConcurrentActivities: 10}
	if tune != nil {
		tune(&cfg)
	}
	w, err := app.NewWorker(h.ctx, cfg, log)
	if err != nil {
		h.t.Fatalf("new worker: %v", err)
	}
	ctx, stop := context.WithCancel(h.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := w.Run(ctx); err != nil {
			h.t.Errorf("worker: %v", err)
		}
	}()
	h.t.Cleanup(func() {
		stop()
		<-done
		w.Close()
	})
}

func (h *harness) startAPI(log *slog.Logger) {
	api, err := app.NewAPI(h.ctx, config.Starter{Common: h.cfg, OperatorToken: "operator",
		EnableWait: 60 * time.Second}, log)
	if err != nil {
		h.t.Fatalf("new api: %v", err)
	}
	srv := httptest.NewServer(api.Handler())
	codec := httptest.NewServer(api.CodecHandler())
	h.t.Cleanup(func() {
		srv.Close()
		codec.Close()
		api.Close()
	})
	h.apiURL, h.codecURL = srv.URL, codec.URL
}

func (h *harness) openClients(log *slog.Logger) {
	st, err := store.Open(h.ctx, h.cfg.DatabaseURL, store.Options{Logger: log})
	if err != nil {
		h.t.Fatalf("open store: %v", err)
	}
	h.t.Cleanup(func() { _ = st.Close() })
	h.store = st
	tc, err := app.DialTemporal(h.ctx, h.cfg, log)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(tc.Close)
	h.temporal = tc
	h.operator = &dashboard.Client{BaseURL: h.apiURL, Token: "operator"}
}

// createOrg creates the organization, its locations and its SSO connection.
func (h *harness) createOrg(locations int) {
	created, err := h.operator.CreateOrg(h.ctx, "Acme "+uuid.NewString()[:8])
	if err != nil {
		h.t.Fatalf("create org: %v", err)
	}
	h.api = &dashboard.Client{BaseURL: h.apiURL, Token: created.APIToken,
		OrgID: created.Organization.ID}
	if locations == 0 {
		locations = 3
	}
	for i := range locations {
		loc, err := h.api.CreateLocation(h.ctx, "Mailroom "+string(rune('A'+i)))
		if err != nil {
			h.t.Fatalf("create location: %v", err)
		}
		h.locations = append(h.locations, loc)
	}
	sso := dashboard.SSOView{IdPEntityID: "http://www.okta.com/x"}
	if _, err := h.api.EnableSSO(h.ctx, sso); err != nil {
		h.t.Fatalf("enable sso: %v", err)
	}
}

// settings returns the settings form filled in correctly.
func (h *harness) settings(prefs models.Preferences) dashboard.EnableRequest {
	return dashboard.EnableRequest{OktaDomain: h.okta.Domain, SAMLAppID: h.samlAppID,
		ClientID: h.clientID, PrivateJWK: h.jwk, Preferences: &prefs}
}

// enable turns the integration on and waits for its first run to finish.
func (h *harness) enable(prefs models.Preferences) models.SyncRun {
	h.t.Helper()
	known := h.runIDs()
	v, err := h.api.EnableDirectory(h.ctx, h.settings(prefs))
	if err != nil {
		h.t.Fatalf("enable directory: %v", err)
	}
	if v.State != models.StateActive {
		h.t.Fatalf("state after enable = %q, want active", v.State)
	}
	return h.waitRun(known)
}

// syncNow asks for a run and waits for it to finish.
func (h *harness) syncNow(dryRun bool) models.SyncRun {
	h.t.Helper()
	known := h.runIDs()
	if err := h.api.SyncNow(h.ctx, dryRun); err != nil {
		h.t.Fatalf("sync now: %v", err)
	}
	return h.waitRun(known)
}

func (h *harness) runIDs() []string {
	runs, err := h.store.ListRuns(h.ctx, h.api.OrgID, 100)
	if err != nil {
		h.t.Fatal(err)
	}
	var ids []string
	for _, r := range runs {
		ids = append(ids, r.ID)
	}
	return ids
}

// waitRun waits for a run not in known to finish or be held.
func (h *harness) waitRun(known []string) models.SyncRun {
	h.t.Helper()
	return h.waitRunFor(known, 2*time.Minute, func(r models.SyncRun) bool {
		return r.FinishedAt != nil || r.Status == models.RunHeld
	})
}

func (h *harness) waitRunFor(known []string, within time.Duration,
	done func(models.SyncRun) bool) models.SyncRun {
	h.t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		runs, err := h.store.ListRuns(h.ctx, h.api.OrgID, 100)
		if err != nil {
			h.t.Fatal(err)
		}
		for _, r := range runs {
			if !slices.Contains(known, r.ID) && done(r) {
				return r
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	h.t.Fatalf("no run finished within %s", within)
	return models.SyncRun{}
}

// recipients lists every recipient of the organization.
func (h *harness) recipients() []models.Recipient {
	h.t.Helper()
	var all []models.Recipient
	for offset := 0; ; offset += 1000 {
		page, err := h.store.ListRecipients(h.ctx, h.api.OrgID,
			store.RecipientFilter{Limit: 1000, Offset: offset})
		if err != nil {
			h.t.Fatal(err)
		}
		all = append(all, page...)
		if len(page) < 1000 {
			return all
		}
	}
}

// byKey indexes recipients by location and Okta user id.
func byKey(rs []models.Recipient) map[[2]string]models.Recipient {
	m := map[[2]string]models.Recipient{}
	for _, r := range rs {
		if r.OktaUserID != nil {
			m[[2]string{r.LocationID, *r.OktaUserID}] = r
		}
	}
	return m
}

// sql opens a plain connection to the test database, for checks below the
// store's API (row versions, raw columns).
func (h *harness) sql() *sql.DB {
	h.t.Helper()
	db, err := sql.Open("pgx", h.cfg.DatabaseURL)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { _ = db.Close() })
	return db
}

// lockedBuffer collects log output from several goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// tail returns the last n lines.
func (b *lockedBuffer) tail(n int) string {
	lines := bytes.Split([]byte(b.String()), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

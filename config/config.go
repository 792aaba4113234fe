// Package config reads the worker's and the starter's configuration from
// environment variables; README.md lists every one. Secrets come only from
// the environment, never from flags, so they stay out of process listings.
package config

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/mailroom/oktasync/secrets"
)

// Common is the configuration both processes share.
type Common struct {
	// DatabaseURL is a PostgreSQL DSN; empty uses the embedded SQLite
	// database at SQLitePath.
	DatabaseURL string `env:"DATABASE_URL"`
	SQLitePath  string `env:"SQLITE_PATH" envDefault:"var/oktasync.db"`

	TemporalAddress   string `env:"TEMPORAL_ADDRESS" envDefault:"127.0.0.1:7233"`
	TemporalNamespace string `env:"TEMPORAL_NAMESPACE" envDefault:"default"`
	// TaskQueue is the task queue the worker polls and the starter starts
	// workflows on; both must agree.
	TaskQueue string `env:"TEMPORAL_TASK_QUEUE" envDefault:"directory-sync"`

	// SecretKey is the base64 master key sealing the private JWK at rest
	// and Temporal payloads. Both processes need the same one.
	SecretKey string `env:"SECRET_KEY"`

	// OktaAllowedHosts are hosts (host or host:port) accepted as the Okta
	// domain besides Okta's own: custom domains, or the stand-in.
	OktaAllowedHosts []string `env:"OKTA_ALLOWED_HOSTS" envSeparator:","`
	// OktaCAFile is a PEM bundle trusted for Okta's TLS besides the system
	// roots (a corporate proxy, or the stand-in's certificate).
	OktaCAFile string `env:"OKTA_CA_FILE"`

	LogLevel  string `env:"LOG_LEVEL" envDefault:"info"`
	LogFormat string `env:"LOG_FORMAT" envDefault:"json"`
}

// Worker is the worker's configuration.
type Worker struct {
	Common
	// PageSize is the page size asked of Okta (its maximum for users is 200).
	PageSize int `env:"SYNC_PAGE_SIZE" envDefault:"200"`
	// PageAttempts bounds the tries of one page before a run fails.
	PageAttempts     int32         `env:"SYNC_PAGE_ATTEMPTS" envDefault:"8"`
	PageRetryInitial time.Duration `env:"SYNC_PAGE_RETRY_INITIAL" envDefault:"2s"`
	PageTimeout      time.Duration `env:"SYNC_PAGE_TIMEOUT" envDefault:"2m"`
	// HoldTimeout is how long a held run waits for an admin.
	HoldTimeout time.Duration `env:"SYNC_HOLD_TIMEOUT" envDefault:"168h"`
	// MaxConcurrentActivities bounds parallel activities in this worker.
	MaxConcurrentActivities int `env:"WORKER_MAX_CONCURRENT_ACTIVITIES" envDefault:"20"`
}

// Starter is the dashboard API's configuration.
type Starter struct {
	Common
	HTTPAddr string `env:"HTTP_ADDR" envDefault:"127.0.0.1:8080"`
	// OperatorToken authorises creating organizations; empty disables it.
	OperatorToken string `env:"OPERATOR_TOKEN"`
	// CodecAddr is where the Temporal remote codec is served, apart from
	// the API so that it can stay on an operators-only address; empty
	// disables it.
	CodecAddr string `env:"CODEC_ADDR" envDefault:"127.0.0.1:8089"`
	// CodecOrigins are the Temporal UI origins allowed to call the codec.
	CodecOrigins []string `env:"CODEC_ALLOWED_ORIGINS" envSeparator:","`
	// CodecToken, when set, must be sent as a bearer token to the codec.
	CodecToken string `env:"CODEC_AUTH_TOKEN"`
	// EnableWait is how long an enable request waits for validation.
	EnableWait time.Duration `env:"ENABLE_WAIT" envDefault:"90s"`
}

// LoadWorker reads the worker's configuration.
func LoadWorker() (Worker, error) {
	var c Worker
	if err := env.Parse(&c); err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	return c, c.Common.check()
}

// defaultCodecOrigins are where the Temporal dev server's UI runs.
var defaultCodecOrigins = []string{"http://localhost:8233", "http://127.0.0.1:8233"}

// LoadStarter reads the starter's configuration.
func LoadStarter() (Starter, error) {
	var c Starter
	if err := env.Parse(&c); err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	if len(c.CodecOrigins) == 0 {
		c.CodecOrigins = defaultCodecOrigins
	}
	return c, c.Common.check()
}

func (c *Common) check() error {
	c.OktaAllowedHosts = slices.DeleteFunc(c.OktaAllowedHosts, func(h string) bool {
		return strings.TrimSpace(h) == ""
	})
	if _, err := secrets.ParseMasterKey(c.SecretKey); err != nil {
		return fmt.Errorf("config: SECRET_KEY: %w", err)
	}
	return nil
}

// MasterKey returns the decoded master key.
func (c Common) MasterKey() []byte {
	key, _ := secrets.ParseMasterKey(c.SecretKey) // checked by Load
	return key
}

// DSN returns the database to open: DatabaseURL, or the SQLite file.
func (c Common) DSN() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return "sqlite:" + c.SQLitePath
}

// Logger returns the process logger.
func (c Common) Logger() *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if strings.EqualFold(c.LogFormat, "text") {
		return slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, opts))
}

// OktaHTTPClient returns the HTTP client for Okta: TLS 1.2 or later,
// trusting OktaCAFile besides the system roots, with timeouts so a silent
// server cannot hold a page activity forever.
func (c Common) OktaHTTPClient() (*http.Client, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if c.OktaCAFile != "" {
		pem, err := os.ReadFile(c.OktaCAFile)
		if err != nil {
			return nil, fmt.Errorf("config: read OKTA_CA_FILE: %w", err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errors.New("config: OKTA_CA_FILE holds no PEM certificate")
		}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	tr.ResponseHeaderTimeout = 60 * time.Second
	// Proxies come from HTTPS_PROXY and friends, as for any Go program.
	return &http.Client{Transport: tr, Timeout: 90 * time.Second}, nil
}

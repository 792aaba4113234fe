package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailroom/oktasync/secrets"
)

func TestLoadStarterDefaults(t *testing.T) {
	t.Setenv("SECRET_KEY", secrets.NewMasterKey())
	t.Setenv("OKTA_ALLOWED_HOSTS", " ,127.0.0.1:8443,")

	c, err := LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:8080" || c.TaskQueue != "directory-sync" ||
		c.EnableWait != 90*time.Second || c.DSN() != "sqlite:var/oktasync.db" {
		t.Errorf("defaults = %+v", c)
	}
	if !slices.Equal(c.OktaAllowedHosts, []string{"127.0.0.1:8443"}) {
		t.Errorf("allowed hosts = %q, want the one non-empty entry", c.OktaAllowedHosts)
	}
	if len(c.CodecOrigins) != 2 {
		t.Errorf("codec origins = %q", c.CodecOrigins)
	}
}

func TestLoadWorkerNeedsASecretKey(t *testing.T) {
	tests := []struct{ key, want string }{
		{"", "SECRET_KEY"},
		{"c2hvcnQ=", "5 bytes"},
	}
	for _, tt := range tests {
		t.Setenv("SECRET_KEY", tt.key)
		_, err := LoadWorker()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("LoadWorker with SECRET_KEY %q = %v, want an error naming %q", tt.key, err,
				tt.want)
		}
	}
}

func TestDSNPrefersDatabaseURL(t *testing.T) {
	c := Common{DatabaseURL: "postgres://x", SQLitePath: "y.db"}
	if got := c.DSN(); got != "postgres://x" {
		t.Errorf("DSN() = %q, want the database URL", got)
	}
}

func TestOktaHTTPClientTrustsTheCAFile(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.pem")
	if err := os.WriteFile(bad, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := (Common{OktaCAFile: bad}).OktaHTTPClient(); err == nil {
		t.Error("a CA file without a certificate was accepted")
	}
	if _, err := (Common{OktaCAFile: filepath.Join(dir, "missing.pem")}).OktaHTTPClient(); err == nil {
		t.Error("a missing CA file was accepted")
	}
	if _, err := (Common{}).OktaHTTPClient(); err != nil {
		t.Errorf("no CA file: %v", err)
	}
}

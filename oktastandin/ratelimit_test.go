package oktastandin_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailroom/oktasync/oktastandin"
)

func TestRateLimitHeadersPerBucket(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	f := oktastandin.Generate(oktastandin.GenOptions{Seed: 2, Users: 10, Groups: 1})
	if err := o.Load(f); err != nil {
		t.Fatal(err)
	}
	tok := o.token(t)
	groupID, _ := f.LargestGroup()

	tests := []struct {
		path   string
		bucket oktastandin.Bucket
		limit  int
	}{
		{"/api/v1/users", oktastandin.BucketUsers, 600},
		{"/api/v1/users/" + f.Users[0].ID, oktastandin.BucketOther, 1200},
		{"/api/v1/groups", oktastandin.BucketGroups, 500},
		{"/api/v1/groups/" + groupID + "/users", oktastandin.BucketGroup, 1000},
		{"/api/v1/apps/" + f.SAMLAppID(), oktastandin.BucketApps, 100},
		{"/api/v1/apps/" + f.SAMLAppID() + "/users", oktastandin.BucketApps, 100},
		{"/api/v1/nothing", oktastandin.BucketOther, 1200},
	}
	used := map[oktastandin.Bucket]int{}
	for _, tt := range tests {
		for range 2 {
			resp, _ := o.get(t, tok, tt.path)
			used[tt.bucket]++
			checkRateHeaders(t, resp, tt.path, tt.limit, tt.limit-used[tt.bucket])
		}
	}
}

func checkRateHeaders(t *testing.T, resp *http.Response, path string, limit, remaining int) {
	t.Helper()
	h := resp.Header
	if got := h.Get("X-Rate-Limit-Limit"); got != strconv.Itoa(limit) {
		t.Errorf("%s: X-Rate-Limit-Limit = %q, want %d", path, got, limit)
	}
	if got := h.Get("X-Rate-Limit-Remaining"); got != strconv.Itoa(remaining) {
		t.Errorf("%s: X-Rate-Limit-Remaining = %q, want %d", path, got, remaining)
	}
	reset, err := strconv.ParseInt(h.Get("X-Rate-Limit-Reset"), 10, 64)
	now := time.Now().Unix()
	if err != nil || reset < now || reset > now+61 {
		t.Errorf("%s: X-Rate-Limit-Reset = %q, want epoch seconds within a minute", path,
			h.Get("X-Rate-Limit-Reset"))
	}
	if _, err := http.ParseTime(h.Get("Date")); err != nil {
		t.Errorf("%s: Date = %q, want an HTTP date", path, h.Get("Date"))
	}
}

func TestRateLimitEnforcement(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{RateLimits: oktastandin.RateLimits{
		Window: time.Minute, Ceilings: map[oktastandin.Bucket]int{oktastandin.BucketGroups: 2},
	}})
	tok := o.token(t)

	for i, want := range []int{200, 200, 200} {
		if resp, _ := o.get(t, tok, "/api/v1/groups"); resp.StatusCode != want {
			t.Errorf("request %d without enforcement = %d, want %d", i, resp.StatusCode, want)
		}
	}
	o.SetEnforceRateLimits(true)
	resp, body := o.get(t, tok, "/api/v1/groups")
	if resp.StatusCode != http.StatusTooManyRequests ||
		resp.Header.Get("X-Rate-Limit-Remaining") != "0" ||
		!strings.Contains(string(body), `"errorCode":"E0000047"`) {
		t.Errorf("exhausted bucket = %d %s, want 429 E0000047 with remaining 0",
			resp.StatusCode, body)
	}
	if resp, _ := o.get(t, tok, "/api/v1/users"); resp.StatusCode != http.StatusOK {
		t.Errorf("other bucket = %d, want 200", resp.StatusCode)
	}
	o.ResetRateLimits()
	if resp, _ := o.get(t, tok, "/api/v1/groups"); resp.StatusCode != http.StatusOK {
		t.Errorf("after reset = %d, want 200", resp.StatusCode)
	}
}

func TestRateLimitWindowResets(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{
		RateLimits:        oktastandin.RateLimits{Window: 500 * time.Millisecond, Default: 1},
		EnforceRateLimits: true,
	})
	tok := o.token(t)
	time.Sleep(500 * time.Millisecond) // a fresh window, whatever the token used

	o.get(t, tok, "/api/v1/users")
	resp, _ := o.get(t, tok, "/api/v1/users")
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("second request in the window = %d, want 429", resp.StatusCode)
	}
	time.Sleep(550 * time.Millisecond)
	if resp, _ := o.get(t, tok, "/api/v1/users"); resp.StatusCode != http.StatusOK {
		t.Errorf("request in the next window = %d, want 200", resp.StatusCode)
	}
}

package oktastandin_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/okta/okta-sdk-golang/v2/okta/query"

	"github.com/mailroom/oktasync/oktastandin"
)

func TestFaultStatus(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	tok := o.token(t)
	tests := []struct {
		status        int
		code, summary string
	}{
		{500, "E0000009", "Internal Server Error"},
		{502, "E0000009", "Bad Gateway"},
		{503, "E0000009", "Service Unavailable"},
		{429, "E0000047", "API call exceeded rate limit due to too many requests."},
	}
	for _, tt := range tests {
		id := o.AddFault(oktastandin.Fault{PathPrefix: "/api/v1/users",
			Kind: oktastandin.FaultStatus, Status: tt.status, Times: 1})
		resp, body := o.get(t, tok, "/api/v1/users")
		var e struct{ ErrorCode, ErrorSummary string }
		_ = json.Unmarshal(body, &e)
		if resp.StatusCode != tt.status || e.ErrorCode != tt.code || e.ErrorSummary != tt.summary {
			t.Errorf("fault %d: got %d %q %q, want %d %q %q", tt.status, resp.StatusCode,
				e.ErrorCode, e.ErrorSummary, tt.status, tt.code, tt.summary)
		}
		if resp, _ := o.get(t, tok, "/api/v1/users"); resp.StatusCode != http.StatusOK {
			t.Errorf("fault %d fired twice: second request got %d", tt.status, resp.StatusCode)
		}
		o.RemoveFault(id)
	}
}

func TestFaultCountsAndMatching(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	putActiveUsers(o.Server, 5)
	tok := o.token(t)
	id := o.AddFault(oktastandin.Fault{Method: "GET", PathPrefix: "/api/v1/users",
		Query: "after=", Kind: oktastandin.FaultStatus, After: 1, Times: 1})

	paths := []struct {
		path string
		want int
	}{
		{"/api/v1/users?limit=2", 200},           // no cursor: does not match
		{"/api/v1/users?after=00u&limit=2", 200}, // first match passes (After 1)
		{"/api/v1/users?after=00u&limit=2", 500}, // second match fires
		{"/api/v1/users?after=00u&limit=2", 200}, // Times 1: spent
		{"/api/v1/groups?after=00g", 200},        // other path
	}
	for _, p := range paths {
		if resp, _ := o.get(t, tok, p.path); resp.StatusCode != p.want {
			t.Errorf("GET %s = %d, want %d", p.path, resp.StatusCode, p.want)
		}
	}
	state := o.Faults()[0]
	if state.ID != id || state.Matched != 3 || state.Fired != 1 {
		t.Errorf("fault state = %+v, want %s matched 3 fired 1", state, id)
	}
	fired := 0
	for _, r := range o.Requests() {
		if r.Fault == id {
			fired++
		}
	}
	if fired != 1 {
		t.Errorf("requests logged with fault %s = %d, want 1", id, fired)
	}
}

func TestFaultDelayCausesClientTimeout(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	tok := o.token(t)
	o.AddFault(oktastandin.Fault{PathPrefix: "/api/v1/groups", Kind: oktastandin.FaultDelay,
		Delay: 2 * time.Second})

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, o.URL+"/api/v1/groups", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	start := time.Now()
	if resp, err := o.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("delayed request succeeded with %d, want a timeout", resp.StatusCode)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("client timed out after %v, want about 100ms", d)
	}
}

func TestFaultDelayThenServes(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	tok := o.token(t)
	o.AddFault(oktastandin.Fault{PathPrefix: "/api/v1/groups", Kind: oktastandin.FaultDelay,
		Delay: 150 * time.Millisecond})
	start := time.Now()
	resp, _ := o.get(t, tok, "/api/v1/groups")
	if resp.StatusCode != http.StatusOK || time.Since(start) < 150*time.Millisecond {
		t.Errorf("delayed request: %d after %v, want 200 after 150ms", resp.StatusCode,
			time.Since(start))
	}
}

func TestFaultDropClosesConnection(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	tok := o.token(t)
	id := o.AddFault(oktastandin.Fault{PathPrefix: "/api/v1/users", Kind: oktastandin.FaultDrop})

	req, _ := http.NewRequest(http.MethodGet, o.URL+"/api/v1/users", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	if resp, err := o.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("dropped request answered %d, want a connection error", resp.StatusCode)
	}
	o.RemoveFault(id)
	if resp, _ := o.get(t, tok, "/api/v1/users"); resp.StatusCode != http.StatusOK {
		t.Errorf("after removing the fault: %d, want 200", resp.StatusCode)
	}
}

// The Okta SDK retries a dropped connection (io.EOF) immediately and
// without limit; a fault that fires twice costs it two extra requests.
func TestFaultDropIsRetriedBySDK(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	putActiveUsers(o.Server, 3)
	c := o.sdk(t, o.token(t))
	o.AddFault(oktastandin.Fault{PathPrefix: "/api/v1/users", Kind: oktastandin.FaultDrop, Times: 2})

	users, _, err := c.User.ListUsers(context.Background(), nil)
	if err != nil || len(users) != 3 {
		t.Fatalf("ListUsers = %d users, %v; want 3 after the SDK's retries", len(users), err)
	}
	if n := o.CountRequests(http.MethodGet, "/api/v1/users"); n != 3 {
		t.Errorf("requests = %d, want 3", n)
	}
}

func TestFaultMalformedBody(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	putActiveUsers(o.Server, 3)
	tok := o.token(t)
	o.AddFault(oktastandin.Fault{PathPrefix: "/api/v1/users", Kind: oktastandin.FaultMalformed})

	resp, body := o.get(t, tok, "/api/v1/users")
	var v any
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &v) == nil {
		t.Errorf("malformed fault: %d %q, want 200 and invalid JSON", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
}

func TestFaultRepeatCursor(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	putActiveUsers(o.Server, 5)
	c := o.sdk(t, o.token(t))
	users, resp, err := c.User.ListUsers(context.Background(),
		query.NewQueryParams(query.WithLimit(2)))
	if err != nil {
		t.Fatal(err)
	}
	cursor := users[1].Id
	o.AddFault(oktastandin.Fault{PathPrefix: "/api/v1/users", Kind: oktastandin.FaultRepeatCursor})

	for range 2 {
		var page []*struct{ Id string }
		if resp, err = resp.Next(context.Background(), &page); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(resp.NextPage, "after="+cursor) {
			t.Errorf("next link %q, want it to repeat after=%s", resp.NextPage, cursor)
		}
		if len(page) != 2 || page[0].Id <= cursor {
			t.Errorf("page after %s = %v, want the two users after the cursor", cursor, page)
		}
	}
}

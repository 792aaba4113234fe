package oktastandin_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mailroom/oktasync/oktastandin"
)

// admin sends a request to the admin API and returns the status and body.
func (o *org) admin(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, o.URL+"/__standin"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := o.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAdminFaults(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	tok := o.token(t)

	status, body := o.admin(t, "POST", "/faults",
		`{"pathPrefix": "/api/v1/groups", "kind": "status", "status": 502, "times": 1}`)
	var created struct{ ID string }
	if err := json.Unmarshal([]byte(body), &created); err != nil || status != 201 {
		t.Fatalf("add fault: %d %s", status, body)
	}
	if resp, _ := o.get(t, tok, "/api/v1/groups"); resp.StatusCode != 502 {
		t.Errorf("GET groups with fault = %d, want 502", resp.StatusCode)
	}
	if _, body := o.admin(t, "GET", "/faults", ""); !strings.Contains(body, `"fired":1`) {
		t.Errorf("fault list = %s, want fired 1", body)
	}

	status, _ = o.admin(t, "POST", "/faults",
		`{"pathPrefix": "/api/v1/users", "kind": "delay", "delay": "40ms"}`)
	if faults := o.Faults(); status != 201 || faults[1].Delay != 40*time.Millisecond {
		t.Errorf("add delay fault: %d, delay %v; want 201 and 40ms", status, faults[1].Delay)
	}
	if _, body := o.admin(t, "GET", "/faults", ""); !strings.Contains(body, `"delay":"40ms"`) {
		t.Errorf("fault list = %s, want the delay as 40ms", body)
	}

	tests := []struct {
		method, path, body string
		want               int
	}{
		{"DELETE", "/faults/" + created.ID, "", 204},
		{"DELETE", "/faults/" + created.ID, "", 404},
		{"POST", "/faults", `{"pathPrefix": "/api", "kind": "explode"}`, 400},
		{"POST", "/faults", `{"pathPrefix": "api", "kind": "drop"}`, 400},
		{"POST", "/faults", `{"pathPrefix": "/api", "kind": "delay", "delay": "soon"}`, 400},
		{"POST", "/faults", `{"pathPrefix": "/api", "kind": "drop", "colour": 1}`, 400},
		{"DELETE", "/faults", "", 204},
	}
	for _, tt := range tests {
		if status, body := o.admin(t, tt.method, tt.path, tt.body); status != tt.want {
			t.Errorf("%s %s %s = %d %s, want %d", tt.method, tt.path, tt.body, status, body, tt.want)
		}
	}
	if n := len(o.Faults()); n != 0 {
		t.Errorf("faults after clearing = %d, want 0", n)
	}
}

func TestAdminChangesUsers(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	id := putActiveUsers(o.Server, 1)[0]

	if status, body := o.admin(t, "PATCH", "/users/"+id,
		`{"status": "SUSPENDED", "profile": {"email": null, "title": "Clerk"}}`); status != 200 {
		t.Fatalf("patch user: %d %s", status, body)
	}
	u, _ := o.User(id)
	email, present := u.Profile["email"]
	if u.Status != "SUSPENDED" || !present || email != nil || u.Profile["title"] != "Clerk" {
		t.Errorf("user after patch = %s %v, want SUSPENDED with email null", u.Status, u.Profile)
	}

	o.admin(t, "PATCH", "/users/"+id, `{"unset": ["email"]}`)
	if u, _ := o.User(id); u.Profile["email"] != nil || len(u.Profile) == 0 {
		t.Errorf("profile after unset = %v, want no email key", u.Profile)
	} else if _, present := u.Profile["email"]; present {
		t.Errorf("profile after unset still has email")
	}

	status, _ := o.admin(t, "PUT", "/users/00unew00000000000001",
		`{"status": "STAGED", "profile": {"login": "new@example.com"}}`)
	if u, ok := o.User("00unew00000000000001"); status != 200 || !ok || u.Status != "STAGED" {
		t.Errorf("put user: %d, stored %v %+v", status, ok, u)
	}
	if status, _ := o.admin(t, "PATCH", "/users/00unope", `{"status": "ACTIVE"}`); status != 404 {
		t.Errorf("patch unknown user = %d, want 404", status)
	}
	if status, _ := o.admin(t, "DELETE", "/users/"+id, ""); status != 204 {
		t.Errorf("delete user = %d, want 204", status)
	}
}

func TestAdminChangesMembershipAndAssignments(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	uid := putActiveUsers(o.Server, 1)[0]
	g := o.PutGroup(oktastandin.Group{Name: "Mailroom Staff"})
	app := o.AddApp(oktastandin.App{Label: "Mailroom"})

	steps := []struct {
		method, path string
		want         int
	}{
		{"PUT", "/groups/" + g.ID + "/members/" + uid, 204},
		{"PUT", "/apps/" + app.ID + "/groups/" + g.ID, 204},
		{"PUT", "/apps/" + app.ID + "/users/" + uid, 204},
		{"PUT", "/groups/00gmissing/members/" + uid, 404},
		{"PUT", "/apps/" + app.ID + "/users/00umissing", 404},
	}
	for _, s := range steps {
		if status, body := o.admin(t, s.method, s.path, ""); status != s.want {
			t.Errorf("%s %s = %d %s, want %d", s.method, s.path, status, body, s.want)
		}
	}
	if m := o.Members(g.ID); len(m) != 1 || m[0] != uid {
		t.Errorf("Members = %v, want [%s]", m, uid)
	}

	tok := o.token(t)
	_, body := o.get(t, tok, "/api/v1/apps/"+app.ID+"/users")
	if !strings.Contains(string(body), `"scope":"USER"`) {
		t.Errorf("app users = %s, want the direct assignment to win", body)
	}
	o.admin(t, "DELETE", "/apps/"+app.ID+"/users/"+uid, "")
	_, body = o.get(t, tok, "/api/v1/apps/"+app.ID+"/users")
	if !strings.Contains(string(body), `"scope":"GROUP"`) {
		t.Errorf("app users = %s, want the group assignment left", body)
	}
	o.admin(t, "DELETE", "/groups/"+g.ID+"/members/"+uid, "")
	if _, body = o.get(t, tok, "/api/v1/apps/"+app.ID+"/users"); string(body) != "[]" {
		t.Errorf("app users = %s, want none", body)
	}
}

func TestAdminRateLimitsLatencyAndServiceApps(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	tok := o.token(t)

	if status, body := o.admin(t, "PUT", "/rate-limits", `{"enforce": true}`); status != 200 ||
		!o.EnforcingRateLimits() || !strings.Contains(body, `"enforce":true`) {
		t.Errorf("enforce rate limits: %d %s", status, body)
	}
	if status, _ := o.admin(t, "PUT", "/latency", `{"latency": "30ms"}`); status != 204 {
		t.Errorf("set latency = %d, want 204", status)
	}
	start := time.Now()
	o.get(t, tok, "/api/v1/users")
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("request with 30ms latency took %v", d)
	}

	o.admin(t, "PATCH", "/service-apps/"+o.clientID, `{"adminRole": false}`)
	if resp, body := o.get(t, tok, "/api/v1/users"); resp.StatusCode != 403 ||
		!strings.Contains(string(body), "E0000006") {
		t.Errorf("after revoking the admin role: %d %s, want 403 E0000006", resp.StatusCode, body)
	}
	if status, _ := o.admin(t, "PATCH", "/service-apps/0oanope", `{}`); status != 404 {
		t.Errorf("patch unknown service app = %d, want 404", status)
	}
}

func TestAdminRequestLog(t *testing.T) {
	t.Parallel()
	o := newOrg(t, oktastandin.Options{})
	tok := o.token(t)
	o.get(t, tok, "/api/v1/users?limit=5")
	o.get(t, tok, "/api/v1/groups")

	_, body := o.admin(t, "GET", "/requests?method=GET&path_prefix=/api/v1/users", "")
	var got struct {
		Count    int
		Requests []oktastandin.Request
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got.Count != 1 || got.Requests[0].Query != "limit=5" || got.Requests[0].Status != 200 ||
		got.Requests[0].ClientID != o.clientID {
		t.Errorf("request log = %s, want one GET /api/v1/users?limit=5 answered 200", body)
	}
	if _, body := o.admin(t, "GET", "/", ""); !strings.Contains(body, `"users":0`) {
		t.Errorf("summary = %s", body)
	}
	o.admin(t, "DELETE", "/requests", "")
	if n := len(o.Requests()); n != 0 {
		t.Errorf("requests after clearing = %d, want 0", n)
	}
}

package e2e

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mailroom/oktasync/dashboard"
	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/oktastandin"
)

func TestOneOrganizationCannotReachAnother(t *testing.T) {
	h := newHarness(t, harnessOptions{gen: oktastandin.GenOptions{Users: 60}})
	run := h.enable(models.Preferences{SSOUsersView: true})
	victim := h.api
	rs := h.recipients()
	ssoUsers, err := victim.SSOUsers(h.ctx)
	if err != nil || len(ssoUsers) == 0 || len(rs) == 0 {
		t.Fatalf("victim has %d sso users, %d recipients: %v", len(ssoUsers), len(rs), err)
	}
	created, err := h.operator.CreateOrg(h.ctx, "Mallory Inc")
	if err != nil {
		t.Fatal(err)
	}
	attacker := created.APIToken
	ids := map[string]string{"{org}": victim.OrgID, "{run}": run.ID,
		"{recipient}": fmt.Sprint(rs[0].ID), "{location}": h.locations[0].ID,
		"{user}": ssoUsers[0].OktaUserID}

	// Every route of the victim's organization, with the victim's ids.
	for _, route := range dashboard.OrgRoutes() {
		method, path, _ := strings.Cut(route, " ")
		status := h.call(attacker, method, fill(path, ids))
		if status != http.StatusNotFound && status != http.StatusForbidden {
			t.Errorf("%s with another organization's token = %d, want 404 or 403", route, status)
		}
	}
	// The victim's ids under the attacker's own organization.
	ids["{org}"] = created.Organization.ID
	for _, route := range dashboard.OrgRoutes() {
		if !strings.Contains(route, "{run}") && !strings.Contains(route, "{recipient}") &&
			!strings.Contains(route, "{location}") && !strings.Contains(route, "{user}") {
			continue
		}
		method, path, _ := strings.Cut(route, " ")
		if status := h.call(attacker, method, fill(path, ids)); status < 400 {
			t.Errorf("%s on another organization's ids = %d, want an error", route, status)
		}
	}
	h.assertVictimUntouched(rs)
}

func fill(path string, ids map[string]string) string {
	for k, v := range ids {
		path = strings.ReplaceAll(path, k, v)
	}
	return path
}

// call sends an authenticated request with a harmless valid-looking body.
func (h *harness) call(token, method, path string) int {
	h.t.Helper()
	body := map[string]string{
		"PUT":   `{"mappings":[]}`,
		"PATCH": `{"active":false}`,
		"POST":  `{"name":"x","role":"admin","dry_run":true}`,
	}[method]
	contentType := "application/json"
	if strings.HasSuffix(path, "/imports") {
		body, contentType = "email\nmallory@example.com\n", "text/csv"
	}
	req, _ := http.NewRequestWithContext(h.ctx, method, h.apiURL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// assertVictimUntouched checks the attack changed nothing.
func (h *harness) assertVictimUntouched(before []models.Recipient) {
	h.t.Helper()
	after := h.recipients()
	if len(after) != len(before) {
		h.t.Errorf("victim recipients %d -> %d", len(before), len(after))
	}
	for i := range before {
		if before[i].Active != after[i].Active {
			h.t.Errorf("victim recipient %d changed activity", before[i].ID)
		}
	}
	integ, err := h.store.Integration(h.ctx, h.api.OrgID)
	if err != nil || integ.State != models.StateActive {
		h.t.Errorf("victim integration = %q, %v", integ.State, err)
	}
	if _, err := h.store.SSOConnection(h.ctx, h.api.OrgID); err != nil {
		h.t.Errorf("victim sso: %v", err)
	}
	lus, _ := h.store.ListLoginUsers(h.ctx, h.api.OrgID)
	if len(lus) != 0 {
		h.t.Errorf("login users created in the victim organization: %d", len(lus))
	}
}

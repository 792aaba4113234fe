package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mailroom/oktasync/store"
)

// Client calls the API; the starter's CLI and the end-to-end tests use it.
type Client struct {
	// BaseURL is the API's address, such as "http://127.0.0.1:8080".
	BaseURL string
	// Token is the organization's API token (or the operator token for
	// CreateOrg); OrgID the organization it belongs to.
	Token string
	OrgID string
	HTTP  *http.Client
}

// Error is an API error response.
type Error struct {
	Status int
	ErrorBody
}

// Error returns the code and message.
func (e *Error) Error() string {
	msg := fmt.Sprintf("%s (HTTP %d): %s", e.ErrorBody.Error.Code, e.Status,
		e.ErrorBody.Error.Message)
	if e.ErrorBody.Error.Fix != "" {
		msg += "\n  fix: " + e.ErrorBody.Error.Fix
	}
	for _, p := range e.Problems[min(1, len(e.Problems)):] {
		msg += fmt.Sprintf("\n%s: %s", p.Code, p.Message)
		if p.Fix != "" {
			msg += "\n  fix: " + p.Fix
		}
	}
	return msg
}

// do sends a JSON request and decodes a JSON answer into out.
func (c *Client) do(ctx context.Context, method, path string, in, out any) (int, error) {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return 0, fmt.Errorf("dashboard client: encode request: %w", err)
		}
		body = bytes.NewReader(raw)
	}
	return c.send(ctx, method, path, "application/json", body, out)
}

func (c *Client) send(ctx context.Context, method, path, contentType string, body io.Reader,
	out any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.BaseURL, "/")+path,
		body)
	if err != nil {
		return 0, fmt.Errorf("dashboard client: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Content-Type", contentType)
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Minute}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("dashboard client: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		apiErr := &Error{Status: resp.StatusCode}
		if json.NewDecoder(resp.Body).Decode(&apiErr.ErrorBody) != nil {
			apiErr.ErrorBody.Error = APIError{Code: "http_error", Message: resp.Status}
		}
		return resp.StatusCode, apiErr
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return resp.StatusCode, fmt.Errorf("dashboard client: decode answer: %w", err)
		}
	}
	return resp.StatusCode, nil
}

func (c *Client) org(path string) string { return "/api/v1/orgs/" + c.OrgID + path }

// CreatedOrg is the answer of CreateOrg.
type CreatedOrg struct {
	Organization OrgView `json:"organization"`
	APIToken     string  `json:"api_token"`
}

// CreateOrg creates an organization; the client's Token must be the
// operator token.
func (c *Client) CreateOrg(ctx context.Context, name string) (CreatedOrg, error) {
	var out CreatedOrg
	_, err := c.do(ctx, http.MethodPost, "/api/v1/orgs", map[string]string{"name": name}, &out)
	return out, err
}

// CreateLocation adds a location.
func (c *Client) CreateLocation(ctx context.Context, name string) (LocationView, error) {
	var out LocationView
	_, err := c.do(ctx, http.MethodPost, c.org("/locations"), map[string]string{"name": name},
		&out)
	return out, err
}

// Locations lists the locations.
func (c *Client) Locations(ctx context.Context) ([]LocationView, error) {
	var out struct {
		Locations []LocationView `json:"locations"`
	}
	_, err := c.do(ctx, http.MethodGet, c.org("/locations"), nil, &out)
	return out.Locations, err
}

// EnableSSO turns the SSO connection on.
func (c *Client) EnableSSO(ctx context.Context, sso SSOView) (SSOView, error) {
	var out SSOView
	_, err := c.do(ctx, http.MethodPut, c.org("/sso"), sso, &out)
	return out, err
}

// RemoveSSO runs the SSO removal cascade.
func (c *Client) RemoveSSO(ctx context.Context) (map[string]string, error) {
	var out map[string]string
	_, err := c.do(ctx, http.MethodDelete, c.org("/sso"), nil, &out)
	return out, err
}

// EnableDirectory submits the settings form and waits for validation. A
// validation failure is an *Error with status 422.
func (c *Client) EnableDirectory(ctx context.Context, req EnableRequest) (DirectoryView, error) {
	var out DirectoryView
	_, err := c.do(ctx, http.MethodPut, c.org("/directory"), req, &out)
	return out, err
}

// Directory returns the integration's status.
func (c *Client) Directory(ctx context.Context) (DirectoryView, error) {
	var out DirectoryView
	_, err := c.do(ctx, http.MethodGet, c.org("/directory"), nil, &out)
	return out, err
}

// DisableDirectory turns the integration off.
func (c *Client) DisableDirectory(ctx context.Context) (map[string]string, error) {
	var out map[string]string
	_, err := c.do(ctx, http.MethodDelete, c.org("/directory"), nil, &out)
	return out, err
}

// UpdatePreferences changes preferences: patch holds the fields to change.
func (c *Client) UpdatePreferences(ctx context.Context, patch map[string]any) (
	DirectoryView, error) {
	var out DirectoryView
	_, err := c.do(ctx, http.MethodPatch, c.org("/directory/preferences"), patch, &out)
	return out, err
}

// Groups lists one page of Okta groups.
func (c *Client) Groups(ctx context.Context, cursor string) ([]GroupView, string, error) {
	var out struct {
		Groups []GroupView `json:"groups"`
		Next   string      `json:"next_cursor"`
	}
	_, err := c.do(ctx, http.MethodGet,
		c.org("/directory/groups?cursor="+url.QueryEscape(cursor)), nil, &out)
	return out.Groups, out.Next, err
}

// ReplaceMappings replaces every group mapping.
func (c *Client) ReplaceMappings(ctx context.Context, ms []MappingView) ([]MappingView, error) {
	var out struct {
		Mappings []MappingView `json:"mappings"`
	}
	_, err := c.do(ctx, http.MethodPut, c.org("/directory/group-mappings"),
		map[string]any{"mappings": ms}, &out)
	return out.Mappings, err
}

// Mappings lists the group mappings.
func (c *Client) Mappings(ctx context.Context) ([]MappingView, error) {
	var out struct {
		Mappings []MappingView `json:"mappings"`
	}
	_, err := c.do(ctx, http.MethodGet, c.org("/directory/group-mappings"), nil, &out)
	return out.Mappings, err
}

// SyncNow asks for a run.
func (c *Client) SyncNow(ctx context.Context, dryRun bool) error {
	_, err := c.do(ctx, http.MethodPost, c.org("/directory/sync"),
		map[string]bool{"dry_run": dryRun}, nil)
	return err
}

// Control sends "pause", "resume" or "cancel".
func (c *Client) Control(ctx context.Context, action string) error {
	_, err := c.do(ctx, http.MethodPost, c.org("/directory/"+action), nil, nil)
	return err
}

// Runs lists recent runs, newest first.
func (c *Client) Runs(ctx context.Context, limit int) ([]RunView, error) {
	var out struct {
		Runs []RunView `json:"runs"`
	}
	_, err := c.do(ctx, http.MethodGet, c.org(fmt.Sprintf("/directory/runs?limit=%d", limit)),
		nil, &out)
	return out.Runs, err
}

// Run returns one run.
func (c *Client) Run(ctx context.Context, id string) (RunView, error) {
	var out RunView
	_, err := c.do(ctx, http.MethodGet, c.org("/directory/runs/"+url.PathEscape(id)), nil, &out)
	return out, err
}

// AnswerHeld approves (approve true) or rejects a held run and returns the
// answer taken: "approved" or "rejected".
func (c *Client) AnswerHeld(ctx context.Context, runID string, approve bool) (string, error) {
	action := "reject"
	if approve {
		action = "approve"
	}
	var out map[string]string
	_, err := c.do(ctx, http.MethodPost,
		c.org("/directory/runs/"+url.PathEscape(runID)+"/"+action), nil, &out)
	return out["status"], err
}

// Recipients lists recipients.
func (c *Client) Recipients(ctx context.Context, f store.RecipientFilter) ([]RecipientView, error) {
	q := url.Values{}
	if f.LocationID != "" {
		q.Set("location_id", f.LocationID)
	}
	if f.Active != nil {
		q.Set("active", fmt.Sprint(*f.Active))
	}
	if f.Provenance != "" {
		q.Set("provenance", f.Provenance)
	}
	if f.Limit > 0 {
		q.Set("limit", fmt.Sprint(f.Limit))
	}
	if f.Offset > 0 {
		q.Set("offset", fmt.Sprint(f.Offset))
	}
	var out struct {
		Recipients []RecipientView `json:"recipients"`
	}
	_, err := c.do(ctx, http.MethodGet, c.org("/recipients?"+q.Encode()), nil, &out)
	return out.Recipients, err
}

// Summary counts recipients per location.
func (c *Client) Summary(ctx context.Context) ([]SummaryRow, error) {
	var out struct {
		Locations []SummaryRow `json:"locations"`
	}
	_, err := c.do(ctx, http.MethodGet, c.org("/recipients/summary"), nil, &out)
	return out.Locations, err
}

// SetRecipientActive activates or deactivates a recipient.
func (c *Client) SetRecipientActive(ctx context.Context, id int64, active bool) error {
	_, err := c.do(ctx, http.MethodPatch, c.org(fmt.Sprintf("/recipients/%d", id)),
		map[string]bool{"active": active}, nil)
	return err
}

// CreateRecipient adds a recipient by hand.
func (c *Client) CreateRecipient(ctx context.Context, in RecipientInput) (RecipientView, error) {
	var out RecipientView
	_, err := c.do(ctx, http.MethodPost, c.org("/recipients"), in, &out)
	return out, err
}

// ImportCSV streams a CSV file into a location.
func (c *Client) ImportCSV(ctx context.Context, locationID, mode string, file io.Reader) (
	ImportView, error) {
	var out ImportView
	path := c.org("/locations/" + url.PathEscape(locationID) + "/imports?mode=" +
		url.QueryEscape(mode))
	_, err := c.send(ctx, http.MethodPost, path, "text/csv", file, &out)
	return out, err
}

// SSOUsers lists the SSO users view.
func (c *Client) SSOUsers(ctx context.Context) ([]SSOUserView, error) {
	var out struct {
		Users []SSOUserView `json:"sso_users"`
	}
	_, err := c.do(ctx, http.MethodGet, c.org("/sso-users"), nil, &out)
	return out.Users, err
}

// CreateLoginUser makes a login user from an SSO users view entry.
func (c *Client) CreateLoginUser(ctx context.Context, oktaUserID, role string) (
	LoginUserView, error) {
	var out LoginUserView
	_, err := c.do(ctx, http.MethodPost,
		c.org("/sso-users/"+url.PathEscape(oktaUserID)+"/login-user"),
		map[string]string{"role": role}, &out)
	return out, err
}

// LoginUsers lists login users.
func (c *Client) LoginUsers(ctx context.Context) ([]LoginUserView, error) {
	var out struct {
		Users []LoginUserView `json:"login_users"`
	}
	_, err := c.do(ctx, http.MethodGet, c.org("/login-users"), nil, &out)
	return out.Users, err
}

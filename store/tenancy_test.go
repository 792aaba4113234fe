package store_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mailroom/oktasync/store"
)

func testOrganizationToken(e *env) {
	org, token, err := e.st.CreateOrganization(e.ctx, "  Acme Mail  ")
	e.must(err)
	if !strings.HasPrefix(token, store.TokenPrefix) || len(token) != len(store.TokenPrefix)+43 {
		e.t.Errorf("token = %q, want %s and 43 base64url characters", token, store.TokenPrefix)
	}
	if org.Name != "Acme Mail" || strings.Contains(org.APITokenHash, token) ||
		len(org.APITokenHash) != 64 {
		e.t.Errorf("organization = %+v, want trimmed name and a hex hash", org)
	}

	got, err := e.st.OrganizationByToken(e.ctx, token)
	if err != nil || got.ID != org.ID {
		e.t.Errorf("OrganizationByToken(token) = %v, %v, want %s", got.ID, err, org.ID)
	}
	forged := store.TokenPrefix + strings.Repeat("A", 43)
	for _, bad := range []string{"", token + "x", forged, org.APITokenHash} {
		_, err := e.st.OrganizationByToken(e.ctx, bad)
		wantErr(e.t, fmt.Sprintf("OrganizationByToken(%q)", bad), err, store.ErrNotFound)
	}
	if _, _, err := e.st.CreateOrganization(e.ctx, " "); !errors.Is(err, store.ErrInvalid) {
		e.t.Errorf("CreateOrganization(blank) error = %v, want ErrInvalid", err)
	}
}

func testLocationsAreTenantScoped(e *env) {
	_, err := e.st.CreateLocation(e.ctx, e.org.ID, "Mailroom 1")
	wantErr(e.t, "CreateLocation(duplicate name)", err, store.ErrConflict)
	other := newEnv(e.t, e.st)
	loc, err := e.st.CreateLocation(e.ctx, other.org.ID, "Mailroom 9")
	e.must(err)

	if _, err := e.st.Location(e.ctx, e.org.ID, loc.ID); !errors.Is(err, store.ErrNotFound) {
		e.t.Errorf("Location(other org's) error = %v, want ErrNotFound", err)
	}
	locs, err := e.st.Locations(e.ctx, e.org.ID)
	e.must(err)
	if len(locs) != 3 {
		e.t.Errorf("Locations = %d, want 3", len(locs))
	}
	_, err = e.st.CreateLocation(e.ctx, "no-such-org", "X")
	wantErr(e.t, "CreateLocation(unknown org)", err, store.ErrNotFound)
}

func testSSOConnection(e *env) {
	e.must(e.st.SetSSOEnabled(e.ctx, e.org.ID, false))
	conn, err := e.st.SSOConnection(e.ctx, e.org.ID)
	e.must(err)
	if conn.Enabled || conn.SSOURL != "https://acme.okta.com/sso" {
		e.t.Errorf("after SetSSOEnabled(false): %+v", conn)
	}
	conn, err = e.st.EnableSSO(e.ctx, e.org.ID, "entity2", "https://acme.okta.com/sso2")
	e.must(err)
	if !conn.Enabled || conn.IdPEntityID != "entity2" {
		e.t.Errorf("after EnableSSO: %+v", conn)
	}

	e.must(e.st.DeleteSSOConnection(e.ctx, e.org.ID))
	if _, err := e.st.SSOConnection(e.ctx, e.org.ID); !errors.Is(err, store.ErrNotFound) {
		e.t.Errorf("SSOConnection after delete error = %v, want ErrNotFound", err)
	}
	if err := e.st.SetSSOEnabled(e.ctx, e.org.ID, true); !errors.Is(err, store.ErrNotFound) {
		e.t.Errorf("SetSSOEnabled without connection error = %v, want ErrNotFound", err)
	}
}

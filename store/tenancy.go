package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/mailroom/oktasync/models"
)

// TokenPrefix starts every organization API token, so a leaked one is easy
// to recognise in logs and by secret scanners.
const TokenPrefix = "mrk_"

// tokenBytes is the entropy of an API token.
const tokenBytes = 32

// CreateOrganization creates a tenant and its API token. The token is
// returned once and only its SHA-256 is stored.
func (s *Store) CreateOrganization(ctx context.Context, name string) (
	models.Organization, string, error) {
	name = CleanText(name)
	if err := checkOrgName(name); err != nil {
		return models.Organization{}, "", fmt.Errorf("store: create organization: %w", err)
	}

	raw := make([]byte, tokenBytes)
	if _, err := rand.Read(raw); err != nil {
		return models.Organization{}, "", fmt.Errorf("store: create organization: token: %w", err)
	}
	token := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw)

	org := models.Organization{ID: uuid.NewString(), Name: name, APITokenHash: hashToken(token)}
	if err := s.conn(ctx).Create(&org).Error; err != nil {
		return models.Organization{}, "", fmt.Errorf("store: create organization: %w",
			duplicate(err, "an organization has this API token already"))
	}
	return org, token, nil
}

func checkOrgName(name string) error {
	if name == "" {
		return fmt.Errorf("the organization name is empty: %w", ErrInvalid)
	}
	return checkText("the organization name", name, columnSize("organizations", "name"))
}

// hashToken is the hex SHA-256 of an API token. A plain hash suffices: the
// token carries 256 random bits, so there is nothing to brute-force.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// OrganizationByToken finds the organization an API token belongs to.
func (s *Store) OrganizationByToken(ctx context.Context, token string) (
	models.Organization, error) {
	var org models.Organization
	if !strings.HasPrefix(token, TokenPrefix) {
		return org, fmt.Errorf("store: organization by token: %w", errUnknownToken)
	}
	err := s.conn(ctx).Where("api_token_hash = ?", hashToken(token)).Take(&org).Error
	if err != nil {
		return org, fmt.Errorf("store: organization by token: %w",
			notFound(err, errUnknownToken))
	}
	return org, nil
}

// errUnknownToken is the error of an API token no organization has.
var errUnknownToken = fmt.Errorf("no organization has this API token: %w", ErrNotFound)

// Organization returns the organization with id.
func (s *Store) Organization(ctx context.Context, id string) (models.Organization, error) {
	org, err := takeOrg(s.conn(ctx), id)
	if err != nil {
		return org, fmt.Errorf("store: organization: %w", err)
	}
	return org, nil
}

// errNoOrg is the error of an organization that does not exist.
var errNoOrg = fmt.Errorf("the organization does not exist: %w", ErrNotFound)

// takeOrg loads the organization with id.
func takeOrg(q *gorm.DB, id string) (models.Organization, error) {
	var org models.Organization
	err := q.Where("id = ?", id).Take(&org).Error
	return org, notFound(err, errNoOrg)
}

// CreateLocation adds a mailroom to the organization. Names are unique
// within an organization: a second one with the same name is ErrConflict.
func (s *Store) CreateLocation(ctx context.Context, orgID, name string) (
	models.Location, error) {
	name = CleanText(name)
	if name == "" {
		return models.Location{}, fmt.Errorf("store: create location: the name is empty: %w",
			ErrInvalid)
	}
	if err := checkText("the name", name, columnSize("locations", "name")); err != nil {
		return models.Location{}, fmt.Errorf("store: create location: %w", err)
	}
	if _, err := takeOrg(s.conn(ctx), orgID); err != nil {
		return models.Location{}, fmt.Errorf("store: create location: %w", err)
	}

	loc := models.Location{ID: uuid.NewString(), OrgID: orgID, Name: name}
	if err := s.conn(ctx).Create(&loc).Error; err != nil {
		exists := fmt.Sprintf("a location named %q already exists", name)
		return models.Location{}, fmt.Errorf("store: create location: %w",
			duplicate(err, exists))
	}
	return loc, nil
}

// Locations lists the organization's locations by name.
func (s *Store) Locations(ctx context.Context, orgID string) ([]models.Location, error) {
	var locs []models.Location
	err := s.conn(ctx).Where("org_id = ?", orgID).Order("name, id").Find(&locs).Error
	if err != nil {
		return nil, fmt.Errorf("store: list locations: %w", err)
	}
	return locs, nil
}

// Location returns one of the organization's locations.
func (s *Store) Location(ctx context.Context, orgID, id string) (models.Location, error) {
	var loc models.Location
	err := s.conn(ctx).Where("org_id = ? AND id = ?", orgID, id).Take(&loc).Error
	if err != nil {
		return loc, fmt.Errorf("store: location: %w", notFound(err, errNoLocation))
	}
	return loc, nil
}

// errNoLocation is the error of a location that does not exist, or not in
// the organization.
var errNoLocation = fmt.Errorf("the location does not exist: %w", ErrNotFound)

// EnableSSO records the organization's SAML set-up and turns SSO on.
func (s *Store) EnableSSO(ctx context.Context, orgID, idpEntityID, ssoURL string) (
	models.SSOConnection, error) {
	conn := models.SSOConnection{OrgID: orgID, Enabled: true,
		IdPEntityID: strings.TrimSpace(idpEntityID), SSOURL: strings.TrimSpace(ssoURL)}
	err := checkText("the IdP entity id", conn.IdPEntityID,
		columnSize("sso_connections", "id_p_entity_id"))
	if err == nil {
		err = checkText("the SSO URL", conn.SSOURL, columnSize("sso_connections", "sso_url"))
	}
	if err != nil {
		return conn, fmt.Errorf("store: enable sso: %w", err)
	}
	if _, err := takeOrg(s.conn(ctx), orgID); err != nil {
		return conn, fmt.Errorf("store: enable sso: %w", err)
	}

	err = s.conn(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "org_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"enabled", "id_p_entity_id", "sso_url",
			"updated_at"}),
	}).Create(&conn).Error
	if err == nil {
		conn, err = takeSSO(s.conn(ctx), orgID)
	}
	if err != nil {
		return conn, fmt.Errorf("store: enable sso: %w", err)
	}
	return conn, nil
}

// SSOConnection returns the organization's SAML set-up.
func (s *Store) SSOConnection(ctx context.Context, orgID string) (models.SSOConnection, error) {
	conn, err := takeSSO(s.conn(ctx), orgID)
	if err != nil {
		return conn, fmt.Errorf("store: sso connection: %w", err)
	}
	return conn, nil
}

// errNoSSO is the error of an organization without an SSO connection.
var errNoSSO = fmt.Errorf("the organization has no SSO connection: %w", ErrNotFound)

// takeSSO loads the organization's SSO connection.
func takeSSO(q *gorm.DB, orgID string) (models.SSOConnection, error) {
	var conn models.SSOConnection
	err := q.Where("org_id = ?", orgID).Take(&conn).Error
	return conn, notFound(err, errNoSSO)
}

// SetSSOEnabled turns the organization's SSO on or off, keeping its
// set-up; ErrNotFound when there is none.
func (s *Store) SetSSOEnabled(ctx context.Context, orgID string, enabled bool) error {
	res := s.conn(ctx).Model(&models.SSOConnection{}).Where("org_id = ?", orgID).
		Updates(map[string]any{"enabled": enabled, "updated_at": time.Now().UTC()})
	if res.Error != nil {
		return fmt.Errorf("store: set sso enabled: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: set sso enabled: %w", errNoSSO)
	}
	return nil
}

// DeleteSSOConnection removes the organization's SAML set-up. Deleting one
// that does not exist is not an error.
func (s *Store) DeleteSSOConnection(ctx context.Context, orgID string) error {
	err := s.conn(ctx).Where("org_id = ?", orgID).Delete(&models.SSOConnection{}).Error
	if err != nil {
		return fmt.Errorf("store: delete sso connection: %w", err)
	}
	return nil
}

// ClearSSOUsers forgets the organization's SSO users view. Login users
// already created from it stay.
func (s *Store) ClearSSOUsers(ctx context.Context, orgID string) error {
	if err := s.conn(ctx).Where("org_id = ?", orgID).Delete(&models.SSOUser{}).Error; err != nil {
		return fmt.Errorf("store: clear sso users: %w", err)
	}
	return nil
}

// checkLocations returns ErrNotFound unless every id names a location of
// the organization.
func checkLocations(q *gorm.DB, orgID string, ids []string) error {
	uniq := uniqueStrings(ids)
	if len(uniq) == 0 {
		return nil
	}
	var n int64
	err := q.Model(&models.Location{}).
		Where("org_id = ? AND id IN ?", orgID, uniq).Count(&n).Error
	if err != nil {
		return fmt.Errorf("check locations: %w", err)
	}
	switch {
	case int(n) == len(uniq):
		return nil
	case len(uniq) == 1:
		return errNoLocation
	}
	return fmt.Errorf("some of the locations do not exist: %w", ErrNotFound)
}

// uniqueStrings returns ids without repeats, in first-seen order.
func uniqueStrings(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

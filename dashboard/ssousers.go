package dashboard

import (
	"net/http"
	"time"

	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/store"
)

// SSOUserView is one entry of the SSO users view.
type SSOUserView struct {
	OktaUserID      string    `json:"okta_user_id"`
	Email           string    `json:"email,omitempty"`
	Login           string    `json:"login,omitempty"`
	FirstName       string    `json:"first_name,omitempty"`
	LastName        string    `json:"last_name,omitempty"`
	UserStatus      string    `json:"user_status"`
	AssignmentScope string    `json:"assignment_scope"`
	HasLoginUser    bool      `json:"has_login_user"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// emailFilter is the SSO users view's filter from the integration's
// preferences.
func (s *Server) emailFilter(r *http.Request, orgID string) store.EmailFilter {
	integ, err := s.store.Integration(r.Context(), orgID)
	if err != nil {
		return store.EmailFilter{}
	}
	return store.EmailFilter{Domains: integ.Preferences.SSOEmailDomains,
		Addresses: integ.Preferences.SSOEmailAddresses}
}

// listSSOUsers lists the users assigned to the SAML app that pass the email
// filter, each with whether a login user exists for them.
func (s *Server) listSSOUsers(w http.ResponseWriter, r *http.Request, org models.Organization) {
	entries, err := s.store.ListSSOUsers(r.Context(), org.ID, s.emailFilter(r, org.ID))
	if err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	out := make([]SSOUserView, 0, len(entries))
	for _, e := range entries {
		out = append(out, SSOUserView{OktaUserID: e.OktaUserID, Email: e.Email,
			Login: e.Login, FirstName: e.FirstName, LastName: e.LastName,
			UserStatus: e.UserStatus, AssignmentScope: e.AssignmentScope,
			HasLoginUser: e.HasLoginUser, UpdatedAt: e.UpdatedAt})
	}
	writeJSON(w, http.StatusOK, map[string]any{"sso_users": out})
}

// LoginUserView is a login user as the API shows it.
type LoginUserView struct {
	ID         int64     `json:"id"`
	Email      string    `json:"email"`
	Name       string    `json:"name,omitempty"`
	Role       string    `json:"role"`
	OktaUserID string    `json:"okta_user_id,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

func toLoginUserView(u models.LoginUser) LoginUserView {
	return LoginUserView{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role,
		OktaUserID: u.OktaUserID, CreatedAt: u.CreatedAt}
}

// createLoginUser makes a login user from an SSO users view entry with the
// role the admin chose. Nothing else ever creates login users.
func (s *Server) createLoginUser(w http.ResponseWriter, r *http.Request, org models.Organization) {
	var req struct {
		Role string `json:"role"`
	}
	if !decodeJSON(w, r, &req) {
		return
	}
	u, err := s.store.CreateLoginUser(r.Context(), org.ID, r.PathValue("user"), req.Role,
		s.emailFilter(r, org.ID))
	if err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toLoginUserView(u))
}

func (s *Server) listLoginUsers(w http.ResponseWriter, r *http.Request, org models.Organization) {
	us, err := s.store.ListLoginUsers(r.Context(), org.ID)
	if err != nil {
		s.writeStoreError(w, r, err)
		return
	}
	out := make([]LoginUserView, 0, len(us))
	for _, u := range us {
		out = append(out, toLoginUserView(u))
	}
	writeJSON(w, http.StatusOK, map[string]any{"login_users": out})
}

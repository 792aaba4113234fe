package dashboard

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"

	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/store"
)

// orgHandler handles a request of one authenticated organization.
type orgHandler func(w http.ResponseWriter, r *http.Request, org models.Organization)

// tenant authenticates the bearer token and checks that it belongs to the
// organization in the path. Any mismatch answers 404, so a token cannot
// probe which organizations exist.
func (s *Server) tenant(h orgHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearer(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="mailroom"`)
			writeError(w, http.StatusUnauthorized, APIError{Code: "unauthorized",
				Message: "an organization API token is required",
				Fix:     "send it as 'Authorization: Bearer <token>'"})
			return
		}
		org, err := s.store.OrganizationByToken(r.Context(), token)
		if errors.Is(err, store.ErrNotFound) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="mailroom", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, APIError{Code: "unauthorized",
				Message: "the API token is not valid"})
			return
		}
		if err != nil {
			s.internalError(w, r, err)
			return
		}
		if org.ID != r.PathValue("org") {
			writeError(w, http.StatusNotFound, APIError{Code: "not_found",
				Message: "no such organization"})
			return
		}
		h(w, r, org)
	}
}

// operator guards operator-only routes with the configured operator token.
func (s *Server) operator(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearer(r)
		if s.cfg.OperatorToken == "" || !ok ||
			subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.OperatorToken)) != 1 {
			writeError(w, http.StatusForbidden, APIError{Code: "forbidden",
				Message: "this call needs the operator token",
				Fix:     "set OPERATOR_TOKEN on the starter and send it as a bearer token"})
			return
		}
		h(w, r)
	}
}

// bearer returns the request's bearer token; the scheme's name is
// case-insensitive (RFC 9110, section 11.1).
func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	return token, ok && strings.EqualFold(scheme, "Bearer") && token != ""
}

package oktastandin

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

const adminPrefix = "/__standin/"

func (s *Server) adminRoutes() *http.ServeMux {
	mux := http.NewServeMux()
	handlers := map[string]func(http.ResponseWriter, *http.Request) error{
		"GET /__standin/{$}":                          s.adminSummary,
		"GET /__standin/requests":                     s.adminRequests,
		"DELETE /__standin/requests":                  s.adminClearRequests,
		"GET /__standin/faults":                       s.adminFaults,
		"POST /__standin/faults":                      s.adminAddFault,
		"DELETE /__standin/faults":                    s.adminClearFaults,
		"DELETE /__standin/faults/{id}":               s.adminRemoveFault,
		"GET /__standin/rate-limits":                  s.adminRateLimits,
		"PUT /__standin/rate-limits":                  s.adminSetRateLimits,
		"PUT /__standin/latency":                      s.adminSetLatency,
		"PUT /__standin/users/{id}":                   s.adminPutUser,
		"PATCH /__standin/users/{id}":                 s.adminPatchUser,
		"DELETE /__standin/users/{id}":                s.adminDeleteUser,
		"PUT /__standin/groups/{id}/members/{uid}":    s.adminMember(true),
		"DELETE /__standin/groups/{id}/members/{uid}": s.adminMember(false),
		"PUT /__standin/apps/{id}/users/{uid}":        s.adminAssign(true, true),
		"DELETE /__standin/apps/{id}/users/{uid}":     s.adminAssign(true, false),
		"PUT /__standin/apps/{id}/groups/{uid}":       s.adminAssign(false, true),
		"DELETE /__standin/apps/{id}/groups/{uid}":    s.adminAssign(false, false),
		"PATCH /__standin/service-apps/{id}":          s.adminPatchServiceApp,
	}
	for pattern, h := range handlers {
		mux.Handle(pattern, adminHandler(h))
	}
	return mux
}

// adminHandler turns an error into a JSON answer: 404 for unknown ids,
// 400 for anything else.
func adminHandler(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		status := http.StatusBadRequest
		if errors.Is(err, ErrNotFound) {
			status = http.StatusNotFound
		}
		writeJSON(w, status, map[string]string{"error": err.Error()})
	})
}

func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("oktastandin: decode request body: %w", err)
	}
	return nil
}

func (s *Server) adminSummary(w http.ResponseWriter, _ *http.Request) error {
	s.mu.RLock()
	summary := map[string]any{
		"users":  len(s.dir.users),
		"groups": len(s.dir.groups),
		"apps":   len(s.dir.apps),
	}
	s.mu.RUnlock()
	summary["enforceRateLimits"] = s.EnforcingRateLimits()
	summary["faults"] = len(s.Faults())
	writeJSON(w, http.StatusOK, summary)
	return nil
}

func (s *Server) adminRequests(w http.ResponseWriter, r *http.Request) error {
	method, prefix := r.URL.Query().Get("method"), r.URL.Query().Get("path_prefix")
	out := []Request{}
	for _, req := range s.Requests() {
		if (method == "" || req.Method == method) && strings.HasPrefix(req.Path, prefix) {
			out = append(out, req)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": len(out), "requests": out})
	return nil
}

func (s *Server) adminClearRequests(w http.ResponseWriter, _ *http.Request) error {
	s.ResetRequests()
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// faultView shows a fault's delay as a Go duration, as POST takes it.
type faultView struct {
	FaultState
	Delay string `json:"delay,omitempty"`
}

func (s *Server) adminFaults(w http.ResponseWriter, _ *http.Request) error {
	views := []faultView{}
	for _, f := range s.Faults() {
		v := faultView{FaultState: f}
		if f.Delay > 0 {
			v.Delay = f.Delay.String()
		}
		views = append(views, v)
	}
	writeJSON(w, http.StatusOK, views)
	return nil
}

// faultRequest is a Fault whose delay is written as a Go duration ("2s").
type faultRequest struct {
	Fault
	Delay string `json:"delay,omitempty"`
}

func (s *Server) adminAddFault(w http.ResponseWriter, r *http.Request) error {
	var req faultRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	f := req.Fault
	if req.Delay != "" {
		d, err := time.ParseDuration(req.Delay)
		if err != nil {
			return fmt.Errorf("oktastandin: add fault: delay: %w", err)
		}
		f.Delay = d
	}
	if err := validateFault(f); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]string{"id": s.AddFault(f)})
	return nil
}

func validateFault(f Fault) error {
	switch f.Kind {
	case FaultStatus, FaultDelay, FaultDrop, FaultMalformed, FaultRepeatCursor:
	default:
		return fmt.Errorf("oktastandin: add fault: unknown kind %q", f.Kind)
	}
	if !strings.HasPrefix(f.PathPrefix, "/") {
		return errors.New("oktastandin: add fault: pathPrefix must start with /")
	}
	return nil
}

func (s *Server) adminClearFaults(w http.ResponseWriter, _ *http.Request) error {
	s.ClearFaults()
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) adminRemoveFault(w http.ResponseWriter, r *http.Request) error {
	if !s.RemoveFault(r.PathValue("id")) {
		return notFoundErr("remove fault", "fault", r.PathValue("id"))
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type rateLimitState struct {
	Enforce bool `json:"enforce"`
	// Reset refills every bucket.
	Reset bool `json:"reset,omitempty"`
}

func (s *Server) adminRateLimits(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, rateLimitState{Enforce: s.EnforcingRateLimits()})
	return nil
}

func (s *Server) adminSetRateLimits(w http.ResponseWriter, r *http.Request) error {
	var req rateLimitState
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	s.SetEnforceRateLimits(req.Enforce)
	if req.Reset {
		s.ResetRateLimits()
	}
	writeJSON(w, http.StatusOK, rateLimitState{Enforce: s.EnforcingRateLimits()})
	return nil
}

func (s *Server) adminSetLatency(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Latency string `json:"latency"`
	}
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	d, err := time.ParseDuration(req.Latency)
	if err != nil {
		return fmt.Errorf("oktastandin: set latency: %w", err)
	}
	s.SetLatency(d)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) adminPutUser(w http.ResponseWriter, r *http.Request) error {
	var u User
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20)).Decode(&u); err != nil {
		return fmt.Errorf("oktastandin: decode user: %w", err)
	}
	u.ID = r.PathValue("id")
	writeJSON(w, http.StatusOK, s.PutUser(u))
	return nil
}

// userPatch changes a user: a new status, profile attributes to set (null
// stores null) and attributes to remove.
type userPatch struct {
	Status  string         `json:"status,omitempty"`
	Profile map[string]any `json:"profile,omitempty"`
	Unset   []string       `json:"unset,omitempty"`
}

func (s *Server) adminPatchUser(w http.ResponseWriter, r *http.Request) error {
	var p userPatch
	if err := decodeBody(r, &p); err != nil {
		return err
	}
	if p.Status != "" && !validStatus(p.Status) {
		return fmt.Errorf("oktastandin: patch user: unknown status %q", p.Status)
	}
	id := r.PathValue("id")
	err := s.UpdateUser(id, func(u *User) {
		if p.Status != "" {
			u.Status = p.Status
		}
		for k, v := range p.Profile {
			u.Profile[k] = v
		}
		for _, k := range p.Unset {
			delete(u.Profile, k)
		}
	})
	if err != nil {
		return err
	}
	u, _ := s.User(id)
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) adminDeleteUser(w http.ResponseWriter, r *http.Request) error {
	if err := s.DeleteUser(r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) adminMember(add bool) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		change := s.RemoveMember
		if add {
			change = s.AddMember
		}
		if err := change(r.PathValue("id"), r.PathValue("uid")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

func (s *Server) adminAssign(user, on bool) func(http.ResponseWriter, *http.Request) error {
	op := map[[2]bool]func(string, string) error{
		{true, true}: s.AssignUser, {true, false}: s.UnassignUser,
		{false, true}: s.AssignGroup, {false, false}: s.UnassignGroup,
	}[[2]bool{user, on}]
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := op(r.PathValue("id"), r.PathValue("uid")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// serviceAppPatch changes what an admin changes on a service app's tabs.
type serviceAppPatch struct {
	GrantedScopes *[]string `json:"grantedScopes,omitempty"`
	AdminRole     *bool     `json:"adminRole,omitempty"`
	DPoPRequired  *bool     `json:"dpopRequired,omitempty"`
}

func (s *Server) adminPatchServiceApp(w http.ResponseWriter, r *http.Request) error {
	var p serviceAppPatch
	if err := decodeBody(r, &p); err != nil {
		return err
	}
	err := s.UpdateServiceApp(r.PathValue("id"), func(a *ServiceApp) {
		if p.GrantedScopes != nil {
			a.GrantedScopes = *p.GrantedScopes
		}
		if p.AdminRole != nil {
			a.AdminRole = *p.AdminRole
		}
		if p.DPoPRequired != nil {
			a.DPoPRequired = *p.DPoPRequired
		}
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

package oktastandin

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Page sizes per listing: the default when limit is absent and the most
// Okta returns (a larger limit is capped, not rejected).
const (
	usersDefaultLimit      = 200
	usersMaxLimit          = 200
	groupsDefaultLimit     = 200
	groupsMaxLimit         = 10000
	groupUsersDefaultLimit = 1000
	groupUsersMaxLimit     = 1000
	appUsersDefaultLimit   = 50
	appUsersMaxLimit       = 500
)

// pageLimit reads the limit parameter.
func pageLimit(q url.Values, def, max int) (int, bool) {
	v := q.Get("limit")
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, false
	}
	if n < 1 {
		return def, true
	}
	return min(n, max), true
}

// pageAfter walks list (sorted by key) from just after the cursor and
// returns up to limit items that keep accepts, and whether another
// accepted item follows. Cursors are ids, so a page boundary stays put
// when records are added or removed between pages.
func pageAfter[E, T any](
	list []E, key func(E) string, after string, limit int, keep func(E) (T, bool),
) ([]T, bool) {
	start, found := slices.BinarySearchFunc(list, after, func(e E, id string) int {
		return strings.Compare(key(e), id)
	})
	if found {
		start++
	}
	out := make([]T, 0, min(limit, len(list)-start))
	for _, e := range list[start:] {
		item, ok := keep(e)
		if !ok {
			continue
		}
		if len(out) == limit {
			return out, true
		}
		out = append(out, item)
	}
	return out, false
}

func identity(s string) string { return s }

// writePage answers with a page and its Link headers.
func writePage[T any](w http.ResponseWriter, r *http.Request, c *call,
	items []T, lastID string, limit int, more bool) {
	writeLinks(w, r, c, lastID, limit, more)
	writeJSON(w, http.StatusOK, items)
}

// writeLinks sets a page's Link headers: self always, next when more
// remain. The next link keeps every query parameter, the filter included,
// and sets after to the page's last id.
func writeLinks(w http.ResponseWriter, r *http.Request, c *call,
	lastID string, limit int, more bool) {
	q := r.URL.Query()
	q.Set("limit", strconv.Itoa(limit))
	self := c.base + r.URL.Path + "?" + q.Encode()
	w.Header().Add("Link", "<"+self+`>; rel="self"`)

	switch {
	case c.repeatCursor:
		// An injected fault: the next link keeps this page's own cursor,
		// as a faulty server might.
		more = true
	case more:
		q.Set("after", lastID)
	}
	if more {
		next := c.base + r.URL.Path + "?" + q.Encode()
		w.Header().Add("Link", "<"+next+`>; rel="next"`)
	}
}

// userAttrs exposes a user to filters.
type userAttrs struct{ u *User }

func (a userAttrs) attr(name string) (any, bool) {
	switch name {
	case "id":
		return a.u.ID, true
	case "status":
		return a.u.Status, true
	case "type.id":
		return orDefault(a.u.TypeID, DefaultUserTypeID), true
	case "created":
		return a.u.Created, true
	case "activated":
		return a.u.Activated, true
	case "statusChanged":
		return a.u.StatusChanged, true
	case "lastLogin":
		return a.u.LastLogin, true
	case "lastUpdated":
		return a.u.LastUpdated, true
	case "passwordChanged":
		return a.u.PasswordChanged, true
	}
	v, ok := a.u.Profile[strings.TrimPrefix(name, "profile.")]
	return v, ok
}

// orDefault returns a unless it is empty.
func orDefault(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// userMatcher builds the predicate of a user listing from its query.
// Without filter or search, Okta omits DEPROVISIONED users.
func userMatcher(q url.Values) (func(*User) bool, error) {
	var checks []expr
	for _, p := range []struct {
		param  string
		schema filterSchema
	}{{"filter", userFilterSchema}, {"search", userSearchSchema}} {
		if src := q.Get(p.param); src != "" {
			e, err := parseFilter(src, p.schema)
			if err != nil {
				return nil, err
			}
			checks = append(checks, e)
		}
	}
	omitDeprovisioned := len(checks) == 0
	prefix := strings.ToLower(q.Get("q"))

	return func(u *User) bool {
		if omitDeprovisioned && u.Status == StatusDeprovisioned {
			return false
		}
		if prefix != "" && !userHasPrefix(u, prefix) {
			return false
		}
		for _, e := range checks {
			if !e.eval(userAttrs{u}) {
				return false
			}
		}
		return true
	}, nil
}

// userHasPrefix is Okta's q parameter: a prefix of the first name, last
// name, login or email.
func userHasPrefix(u *User, prefix string) bool {
	for _, k := range []string{"firstName", "lastName", "login", "email"} {
		if s, ok := u.Profile[k].(string); ok && strings.HasPrefix(strings.ToLower(s), prefix) {
			return true
		}
	}
	return false
}

// listUsers serves GET /api/v1/users.
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, c *call) {
	q := r.URL.Query()
	limit, ok := pageLimit(q, usersDefaultLimit, usersMaxLimit)
	if !ok {
		writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: limit")
		return
	}
	match, err := userMatcher(q)
	if err != nil {
		writeError(w, http.StatusBadRequest, "E0000031", summaryBadSearch)
		return
	}

	s.mu.RLock()
	users, more := pageAfter(s.dir.userIDs, identity, q.Get("after"), limit,
		func(id string) (*userRec, bool) {
			u := s.dir.users[id]
			return u, match(&u.User)
		})
	s.mu.RUnlock()

	writeUsers(w, r, c, users, limit, more)
}

// writeUsers answers with a page of users from their cached JSON.
func writeUsers(w http.ResponseWriter, r *http.Request, c *call, users []*userRec,
	limit int, more bool) {
	parts := make([][]byte, len(users))
	size, last := 2+len(users), ""
	for i, u := range users {
		parts[i] = u.apiJSON(c.base)
		size += len(parts[i])
		last = u.ID
	}
	body := make([]byte, 0, size)
	body = append(body, '[')
	for i, p := range parts {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, p...)
	}
	body = append(body, ']')
	writeLinks(w, r, c, last, limit, more)
	writeRaw(w, http.StatusOK, body)
}

// getUser serves GET /api/v1/users/{id}, which also takes a login.
func (s *Server) getUser(w http.ResponseWriter, r *http.Request, c *call) {
	id := r.PathValue("id")
	s.mu.RLock()
	u, ok := s.dir.users[id]
	if !ok {
		u, ok = s.userByLogin(id)
	}
	s.mu.RUnlock()

	if !ok {
		writeError(w, http.StatusNotFound, "E0000007",
			"Not found: Resource not found: "+id+" (User)")
		return
	}
	writeRaw(w, http.StatusOK, u.apiJSON(c.base))
}

func (s *Server) userByLogin(login string) (*userRec, bool) {
	for _, u := range s.dir.users {
		if l, _ := u.Profile["login"].(string); strings.EqualFold(l, login) {
			return u, true
		}
	}
	return nil, false
}

// groupAttrs exposes a group to filters.
type groupAttrs struct{ g *Group }

func (a groupAttrs) attr(name string) (any, bool) {
	switch name {
	case "id":
		return a.g.ID, true
	case "type":
		return a.g.Type, true
	case "profile.name":
		return a.g.Name, true
	case "profile.description":
		return a.g.Description, a.g.Description != ""
	case "created":
		return a.g.Created, true
	case "lastUpdated":
		return a.g.LastUpdated, true
	case "lastMembershipUpdated":
		return a.g.LastMembershipUpdated, true
	}
	return nil, false
}

// groupMatcher builds the predicate of a group listing; q is a
// case-insensitive prefix of the group's name.
func groupMatcher(q url.Values) (func(*Group) bool, error) {
	var checks []expr
	for _, p := range []struct {
		param  string
		schema filterSchema
	}{{"filter", groupFilterSchema}, {"search", groupSearchSchema}} {
		if src := q.Get(p.param); src != "" {
			e, err := parseFilter(src, p.schema)
			if err != nil {
				return nil, err
			}
			checks = append(checks, e)
		}
	}
	prefix := strings.ToLower(q.Get("q"))
	return func(g *Group) bool {
		if prefix != "" && !strings.HasPrefix(strings.ToLower(g.Name), prefix) {
			return false
		}
		for _, e := range checks {
			if !e.eval(groupAttrs{g}) {
				return false
			}
		}
		return true
	}, nil
}

// listGroups serves GET /api/v1/groups.
func (s *Server) listGroups(w http.ResponseWriter, r *http.Request, c *call) {
	q := r.URL.Query()
	limit, ok := pageLimit(q, groupsDefaultLimit, groupsMaxLimit)
	if !ok {
		writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: limit")
		return
	}
	match, err := groupMatcher(q)
	if err != nil {
		writeError(w, http.StatusBadRequest, "E0000031", summaryBadSearch)
		return
	}

	s.mu.RLock()
	groups, more := pageAfter(s.dir.groupIDs, identity, q.Get("after"), limit,
		func(id string) (*Group, bool) {
			g := s.dir.groups[id].group
			return g, match(g)
		})
	s.mu.RUnlock()

	out := make([]groupWire, len(groups))
	last := ""
	for i, g := range groups {
		out[i] = g.apiWire(c.base)
		last = g.ID
	}
	writePage(w, r, c, out, last, limit, more)
}

// getGroup serves GET /api/v1/groups/{id}.
func (s *Server) getGroup(w http.ResponseWriter, r *http.Request, c *call) {
	id := r.PathValue("id")
	s.mu.RLock()
	g, ok := s.dir.groups[id]
	s.mu.RUnlock()
	if !ok {
		writeGroupNotFound(w, id)
		return
	}
	writeJSON(w, http.StatusOK, g.group.apiWire(c.base))
}

func writeGroupNotFound(w http.ResponseWriter, id string) {
	writeError(w, http.StatusNotFound, "E0000007",
		"Not found: Resource not found: "+id+" (UserGroup)")
}

// listGroupUsers serves GET /api/v1/groups/{id}/users: members in every
// status, DEPROVISIONED included.
func (s *Server) listGroupUsers(w http.ResponseWriter, r *http.Request, c *call) {
	q := r.URL.Query()
	limit, ok := pageLimit(q, groupUsersDefaultLimit, groupUsersMaxLimit)
	if !ok {
		writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: limit")
		return
	}

	id := r.PathValue("id")
	s.mu.RLock()
	g, found := s.dir.groups[id]
	var users []*userRec
	var more bool
	if found {
		users, more = pageAfter(g.memberIDs, identity, q.Get("after"), limit,
			func(uid string) (*userRec, bool) { return s.dir.users[uid], true })
	}
	s.mu.RUnlock()

	if !found {
		writeGroupNotFound(w, id)
		return
	}
	writeUsers(w, r, c, users, limit, more)
}

// getApp serves GET /api/v1/apps/{id}; a service app's client id is its
// app id.
func (s *Server) getApp(w http.ResponseWriter, r *http.Request, c *call) {
	id := r.PathValue("id")
	if sa, ok := s.ServiceApp(id); ok {
		writeJSON(w, http.StatusOK, sa.apiWire(c.base))
		return
	}
	a, ok := s.App(id)
	if !ok {
		writeAppNotFound(w, id)
		return
	}
	writeJSON(w, http.StatusOK, a.apiWire(c.base))
}

func writeAppNotFound(w http.ResponseWriter, id string) {
	writeError(w, http.StatusNotFound, "E0000007",
		"Not found: Resource not found: "+id+" (AppInstance)")
}

// appUserEntry is one page item of an app user listing.
type appUserEntry struct {
	ref       appUserRef
	user      *userRec
	groupName string
}

// listAppUsers serves GET /api/v1/apps/{id}/users; expand=user embeds
// each full User under _embedded.user.
func (s *Server) listAppUsers(w http.ResponseWriter, r *http.Request, c *call) {
	q := r.URL.Query()
	limit, ok := pageLimit(q, appUsersDefaultLimit, appUsersMaxLimit)
	if !ok {
		writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: limit")
		return
	}

	appID := r.PathValue("id")
	s.mu.RLock()
	a, found := s.dir.apps[appID]
	var entries []appUserEntry
	var more bool
	if found {
		entries, more = pageAfter(s.appUsers(a), func(e appUserRef) string { return e.userID },
			q.Get("after"), limit, s.appUserEntry)
	}
	s.mu.RUnlock()

	if !found {
		writeAppNotFound(w, appID)
		return
	}
	expand := slices.Contains(strings.Split(q.Get("expand"), ","), "user")
	out := make([]appUserWire, len(entries))
	last := ""
	for i, e := range entries {
		out[i] = e.wire(c.base, appID, expand)
		last = e.ref.userID
	}
	writePage(w, r, c, out, last, limit, more)
}

// appUserEntry resolves a reference; the caller holds s.mu for reading.
func (s *Server) appUserEntry(ref appUserRef) (appUserEntry, bool) {
	u, ok := s.dir.users[ref.userID]
	if !ok {
		return appUserEntry{}, false
	}
	e := appUserEntry{ref: ref, user: u}
	if g, ok := s.dir.groups[ref.groupID]; ok {
		e.groupName = g.group.Name
	}
	return e, true
}

type appUserCredentialsWire struct {
	UserName string `json:"userName"`
}

type appUserLinksWire struct {
	App   hrefWire  `json:"app"`
	User  hrefWire  `json:"user"`
	Group *hrefWire `json:"group,omitempty"`
}

type appUserEmbeddedWire struct {
	User json.RawMessage `json:"user"`
}

// appUserWire is Okta's AppUser schema.
type appUserWire struct {
	ID              string                 `json:"id"`
	ExternalID      string                 `json:"externalId"`
	Created         jsonTime               `json:"created"`
	LastUpdated     jsonTime               `json:"lastUpdated"`
	Scope           string                 `json:"scope"`
	Status          string                 `json:"status"`
	StatusChanged   jsonTime               `json:"statusChanged"`
	PasswordChanged jsonTime               `json:"passwordChanged"`
	SyncState       string                 `json:"syncState"`
	Credentials     appUserCredentialsWire `json:"credentials"`
	Profile         map[string]any         `json:"profile"`
	Links           appUserLinksWire       `json:"_links"`
	Embedded        *appUserEmbeddedWire   `json:"_embedded,omitempty"`
}

func (e appUserEntry) wire(base, appID string, expand bool) appUserWire {
	created := jsonTime(e.ref.created)
	w := appUserWire{
		ID:            e.user.ID,
		Created:       created,
		LastUpdated:   jsonTime(later(e.ref.created, e.user.StatusChanged)),
		Scope:         e.ref.scope,
		Status:        appUserStatus(e.user.Status),
		StatusChanged: jsonTime(later(e.ref.created, e.user.StatusChanged)),
		// SAML apps without provisioning report DISABLED.
		SyncState: "DISABLED",
		// The default username template is ${source.login}.
		Credentials: appUserCredentialsWire{UserName: appUserName(&e.user.User)},
		Profile:     map[string]any{},
		Links: appUserLinksWire{
			App:  hrefWire{Href: base + "/api/v1/apps/" + appID},
			User: hrefWire{Href: base + "/api/v1/users/" + e.user.ID},
		},
	}
	if e.ref.scope == "GROUP" {
		w.Links.Group = &hrefWire{Name: e.groupName, Href: base + "/api/v1/groups/" + e.ref.groupID}
	}
	if expand {
		w.Embedded = &appUserEmbeddedWire{User: e.user.apiJSON(base)}
	}
	return w
}

func appUserName(u *User) string {
	if login, ok := u.Profile["login"].(string); ok && login != "" {
		return login
	}
	return u.ID
}

// appUserStatus maps a user's status to its app assignment's. The
// stand-in keeps assignments of deactivated users, reported DEPROVISIONED,
// so that consumers see them and must handle them.
func appUserStatus(userStatus string) string {
	switch userStatus {
	case StatusSuspended, StatusDeprovisioned, StatusStaged, StatusProvisioned:
		return userStatus
	}
	return "ACTIVE"
}

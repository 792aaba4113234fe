package oktastandin

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// directory is the org's data. Records are immutable once stored: every
// change stores a new copy, so handlers may render records after releasing
// the lock. Each id list is kept sorted, because listings page by id.
type directory struct {
	users    map[string]*userRec
	userIDs  []string
	groups   map[string]*groupRec
	groupIDs []string
	apps     map[string]*appRec
	// gen counts changes to memberships and assignments; app listings
	// cache their user list per generation.
	gen uint64
}

// userRec is a stored user with its rendering cache: listings serve the
// same users page after page, and encoding JSON is most of their cost.
type userRec struct {
	User
	rendered atomic.Pointer[renderedUser]
}

type renderedUser struct {
	base string
	json []byte
}

// apiJSON returns the user as the API serves it to clients calling base.
func (r *userRec) apiJSON(base string) []byte {
	if c := r.rendered.Load(); c != nil && c.base == base {
		return c.json
	}
	b, err := json.Marshal(r.apiWire(base))
	if err != nil {
		// Profiles come from JSON or from Go callers; a value that cannot
		// be encoded is the caller's bug.
		panic("oktastandin: encode user " + r.ID + ": " + err.Error())
	}
	r.rendered.Store(&renderedUser{base: base, json: b})
	return b
}

type groupRec struct {
	group *Group
	// members maps user id to when the user joined.
	members   map[string]time.Time
	memberIDs []string
}

type appRec struct {
	app *App
	// users and groups map direct user and group assignments to when
	// they were made.
	users  map[string]time.Time
	groups map[string]time.Time

	cacheMu  sync.Mutex
	cacheGen uint64
	cache    []appUserRef
}

// appUserRef is one user's assignment to an app, direct or through a group.
type appUserRef struct {
	userID string
	scope  string
	// groupID names the group that grants a GROUP-scoped assignment.
	groupID string
	created time.Time
}

func newDirectory() directory {
	return directory{
		users:  map[string]*userRec{},
		groups: map[string]*groupRec{},
		apps:   map[string]*appRec{},
	}
}

func insertSorted(ids []string, id string) []string {
	i, found := slices.BinarySearch(ids, id)
	if found {
		return ids
	}
	return slices.Insert(ids, i, id)
}

func removeSorted(ids []string, id string) []string {
	i, found := slices.BinarySearch(ids, id)
	if !found {
		return ids
	}
	return slices.Delete(ids, i, i+1)
}

func notFoundErr(op, kind, id string) error {
	return fmt.Errorf("oktastandin: %s: %s %q: %w", op, kind, id, ErrNotFound)
}

// PutUser inserts or replaces a user and returns what was stored. A user
// without an id gets a new one; a missing status means ACTIVE; a missing
// created time is now, and activated and statusChanged follow it.
// LastUpdated is always set to now.
func (s *Server) PutUser(u User) User {
	now := msec(s.now())
	u = u.clone()
	u.fillDefaults(now)
	u.LastUpdated = now
	u.normalise()

	s.mu.Lock()
	defer s.mu.Unlock()
	s.storeUser(&u)
	return u.clone()
}

func (u *User) fillDefaults(now time.Time) {
	if u.ID == "" {
		u.ID = NewUserID()
	}
	if u.Status == "" {
		u.Status = StatusActive
	}
	if u.Created.IsZero() {
		u.Created = now
	}
	if u.StatusChanged.IsZero() && u.Status != StatusStaged {
		u.StatusChanged = u.Created
	}
	if u.Activated.IsZero() && u.Status != StatusStaged && u.Status != StatusProvisioned {
		u.Activated = u.Created
	}
}

func (s *Server) storeUser(u *User) {
	if _, ok := s.dir.users[u.ID]; !ok {
		s.dir.userIDs = insertSorted(s.dir.userIDs, u.ID)
	}
	s.dir.users[u.ID] = &userRec{User: *u}
}

// UpdateUser changes a stored user through fn. LastUpdated becomes now
// unless fn set it; a status change sets StatusChanged likewise.
func (s *Server) UpdateUser(id string, fn func(*User)) error {
	now := msec(s.now())
	s.mu.Lock()
	defer s.mu.Unlock()

	old, ok := s.dir.users[id]
	if !ok {
		return notFoundErr("update user", "user", id)
	}
	u := old.User.clone()
	fn(&u)
	u.ID = id
	if u.LastUpdated.Equal(old.LastUpdated) {
		u.LastUpdated = now
	}
	if u.Status != old.Status && u.StatusChanged.Equal(old.StatusChanged) {
		u.StatusChanged = now
	}
	if u.Status == StatusActive && u.Activated.IsZero() {
		u.Activated = now
	}
	u.normalise()
	s.dir.users[id] = &userRec{User: u}
	return nil
}

// SetStatus changes a user's status, as Okta's lifecycle operations do.
func (s *Server) SetStatus(id, status string) error {
	if !validStatus(status) {
		return fmt.Errorf("oktastandin: set status: unknown status %q", status)
	}
	return s.UpdateUser(id, func(u *User) { u.Status = status })
}

func validStatus(status string) bool {
	switch status {
	case StatusActive, StatusStaged, StatusProvisioned, StatusRecovery, StatusLockedOut,
		StatusPasswordExpired, StatusSuspended, StatusDeprovisioned:
		return true
	}
	return false
}

// DeleteUser removes a user with its group memberships and direct app
// assignments.
func (s *Server) DeleteUser(id string) error {
	now := msec(s.now())
	s.mu.Lock()
	defer s.mu.Unlock()

	if _, ok := s.dir.users[id]; !ok {
		return notFoundErr("delete user", "user", id)
	}
	delete(s.dir.users, id)
	s.dir.userIDs = removeSorted(s.dir.userIDs, id)
	for _, g := range s.dir.groups {
		if _, ok := g.members[id]; ok {
			s.removeMember(g, id, now)
		}
	}
	for _, a := range s.dir.apps {
		delete(a.users, id)
	}
	s.dir.gen++
	return nil
}

// User returns a copy of a stored user.
func (s *Server) User(id string) (User, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.dir.users[id]
	if !ok {
		return User{}, false
	}
	return u.clone(), true
}

// UserIDs returns every user id in listing order.
func (s *Server) UserIDs() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.dir.userIDs)
}

// PutGroup inserts or replaces a group, keeping its members, and returns
// what was stored. A group without an id gets a new one; LastUpdated is
// always set to now.
func (s *Server) PutGroup(g Group) Group {
	now := msec(s.now())
	g = g.clone()
	if g.ID == "" {
		g.ID = NewGroupID()
	}
	if g.Created.IsZero() {
		g.Created = now
	}
	if g.LastMembershipUpdated.IsZero() {
		g.LastMembershipUpdated = g.Created
	}
	g.LastUpdated = now
	g.normalise()

	s.mu.Lock()
	defer s.mu.Unlock()
	s.storeGroup(&g)
	return g.clone()
}

func (s *Server) storeGroup(g *Group) {
	if rec, ok := s.dir.groups[g.ID]; ok {
		rec.group = g
		return
	}
	s.dir.groups[g.ID] = &groupRec{group: g, members: map[string]time.Time{}}
	s.dir.groupIDs = insertSorted(s.dir.groupIDs, g.ID)
}

// Group returns a copy of a stored group.
func (s *Server) Group(id string) (Group, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	g, ok := s.dir.groups[id]
	if !ok {
		return Group{}, false
	}
	return g.group.clone(), true
}

// Members returns a group's member ids in listing order.
func (s *Server) Members(groupID string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if g, ok := s.dir.groups[groupID]; ok {
		return slices.Clone(g.memberIDs)
	}
	return nil
}

// DeleteGroup removes a group, its memberships and its app assignments.
func (s *Server) DeleteGroup(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.dir.groups[id]; !ok {
		return notFoundErr("delete group", "group", id)
	}
	delete(s.dir.groups, id)
	s.dir.groupIDs = removeSorted(s.dir.groupIDs, id)
	for _, a := range s.dir.apps {
		delete(a.groups, id)
	}
	s.dir.gen++
	return nil
}

// AddMember adds a user to a group; it is a no-op for a member. Like Okta
// it updates the group's lastMembershipUpdated, not the user's lastUpdated.
func (s *Server) AddMember(groupID, userID string) error {
	now := msec(s.now())
	s.mu.Lock()
	defer s.mu.Unlock()

	g, ok := s.dir.groups[groupID]
	if !ok {
		return notFoundErr("add member", "group", groupID)
	}
	if _, ok := s.dir.users[userID]; !ok {
		return notFoundErr("add member", "user", userID)
	}
	if _, ok := g.members[userID]; ok {
		return nil
	}
	g.members[userID] = now
	g.memberIDs = insertSorted(g.memberIDs, userID)
	s.touchMembership(g, now)
	return nil
}

// RemoveMember removes a user from a group.
func (s *Server) RemoveMember(groupID, userID string) error {
	now := msec(s.now())
	s.mu.Lock()
	defer s.mu.Unlock()

	g, ok := s.dir.groups[groupID]
	if !ok {
		return notFoundErr("remove member", "group", groupID)
	}
	if _, ok := g.members[userID]; !ok {
		return notFoundErr("remove member", "member", userID)
	}
	s.removeMember(g, userID, now)
	return nil
}

func (s *Server) removeMember(g *groupRec, userID string, now time.Time) {
	delete(g.members, userID)
	g.memberIDs = removeSorted(g.memberIDs, userID)
	s.touchMembership(g, now)
}

func (s *Server) touchMembership(g *groupRec, now time.Time) {
	updated := *g.group
	updated.LastMembershipUpdated = now
	g.group = &updated
	s.dir.gen++
}

// AddApp inserts or replaces an app (other than a service app), keeping its
// assignments, and returns what was stored. An app without an id gets a
// new one; an app without a name gets a custom app's "{org}_{label}_1".
func (s *Server) AddApp(a App) App {
	now := msec(s.now())
	if a.ID == "" {
		a.ID = NewAppID()
	}
	if a.Name == "" {
		a.Name = customAppName(a.Label)
	}
	if a.Created.IsZero() {
		a.Created = now
	}
	if a.LastUpdated.IsZero() {
		a.LastUpdated = a.Created
	}
	a.normalise()

	s.mu.Lock()
	defer s.mu.Unlock()
	s.storeApp(&a)
	return a
}

func (s *Server) storeApp(a *App) {
	if rec, ok := s.dir.apps[a.ID]; ok {
		rec.app = a
		return
	}
	s.dir.apps[a.ID] = &appRec{
		app: a, users: map[string]time.Time{}, groups: map[string]time.Time{},
	}
}

// App returns a stored app.
func (s *Server) App(id string) (App, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if a, ok := s.dir.apps[id]; ok {
		return *a.app, true
	}
	return App{}, false
}

// AssignUser assigns an app to a user directly (scope USER).
func (s *Server) AssignUser(appID, userID string) error {
	return s.assign("assign user", appID, userID, true, true)
}

// UnassignUser removes a user's direct assignment; an assignment through a
// group stays.
func (s *Server) UnassignUser(appID, userID string) error {
	return s.assign("unassign user", appID, userID, true, false)
}

// AssignGroup assigns an app to a group: its members appear with scope
// GROUP unless assigned directly too.
func (s *Server) AssignGroup(appID, groupID string) error {
	return s.assign("assign group", appID, groupID, false, true)
}

// UnassignGroup removes a group's assignment.
func (s *Server) UnassignGroup(appID, groupID string) error {
	return s.assign("unassign group", appID, groupID, false, false)
}

func (s *Server) assign(op, appID, id string, user, on bool) error {
	now := msec(s.now())
	s.mu.Lock()
	defer s.mu.Unlock()

	a, ok := s.dir.apps[appID]
	if !ok {
		return notFoundErr(op, "app", appID)
	}
	set, kind, exists := a.groups, "group", s.dir.groups[id] != nil
	if user {
		set, kind, exists = a.users, "user", s.dir.users[id] != nil
	}
	if !exists && on {
		return notFoundErr(op, kind, id)
	}
	if _, ok := set[id]; on == ok {
		return nil
	}
	if on {
		set[id] = now
	} else {
		delete(set, id)
	}
	s.dir.gen++
	return nil
}

// appUsers returns an app's assignments sorted by user id. The caller holds
// s.mu for reading. A direct assignment wins over group ones, as in Okta,
// which then reports scope USER.
func (s *Server) appUsers(a *appRec) []appUserRef {
	a.cacheMu.Lock()
	defer a.cacheMu.Unlock()
	if a.cache != nil && a.cacheGen == s.dir.gen {
		return a.cache
	}

	refs := map[string]appUserRef{}
	for _, gid := range slices.Sorted(maps.Keys(a.groups)) {
		s.addGroupAssignees(refs, gid, a.groups[gid])
	}
	for uid, at := range a.users {
		refs[uid] = appUserRef{userID: uid, scope: "USER", created: at}
	}

	a.cache = make([]appUserRef, 0, len(refs))
	for _, uid := range slices.Sorted(maps.Keys(refs)) {
		a.cache = append(a.cache, refs[uid])
	}
	a.cacheGen = s.dir.gen
	return a.cache
}

// addGroupAssignees adds the members of an assigned group; the first group
// (by id) to grant a user names the assignment.
func (s *Server) addGroupAssignees(refs map[string]appUserRef, gid string, at time.Time) {
	g, ok := s.dir.groups[gid]
	if !ok {
		return
	}
	for uid, joined := range g.members {
		if _, seen := refs[uid]; seen {
			continue
		}
		refs[uid] = appUserRef{userID: uid, scope: "GROUP", groupID: gid, created: later(at, joined)}
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

package oktastandin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
)

// Fixture is a directory to load into a Server: what Generate returns and
// what a JSON fixture file holds. Users and groups use Okta's own field
// names, so a fixture can be written by hand from real payloads.
type Fixture struct {
	Users       []User       `json:"users"`
	Groups      []Group      `json:"groups"`
	Memberships []Membership `json:"memberships"`
	Apps        []App        `json:"apps"`
	Assignments []Assignment `json:"assignments"`
}

// Membership puts a user in a group since a moment.
type Membership struct {
	GroupID string    `json:"groupId"`
	UserID  string    `json:"userId"`
	Since   time.Time `json:"since"`
}

// Assignment assigns an app to a user (scope USER) or to a group (its
// members get scope GROUP): exactly one of UserID and GroupID is set.
type Assignment struct {
	AppID   string    `json:"appId"`
	UserID  string    `json:"userId,omitempty"`
	GroupID string    `json:"groupId,omitempty"`
	Since   time.Time `json:"since"`
}

// LoadFixture reads a fixture written by WriteJSON.
func LoadFixture(r io.Reader) (*Fixture, error) {
	var f Fixture
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("oktastandin: read fixture: %w", err)
	}
	return &f, nil
}

// WriteJSON writes the fixture as indented JSON.
func (f *Fixture) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("oktastandin: write fixture: %w", err)
	}
	return nil
}

// SAMLAppID returns the id of the fixture's first SAML 2.0 app, or "".
func (f *Fixture) SAMLAppID() string {
	for _, a := range f.Apps {
		if a.SignOnMode == SignOnModeSAML2 {
			return a.ID
		}
	}
	return ""
}

// LargestGroup returns the id of the group with the most members and
// their count.
func (f *Fixture) LargestGroup() (string, int) {
	counts := map[string]int{}
	best, most := "", 0
	for _, m := range f.Memberships {
		counts[m.GroupID]++
		if n := counts[m.GroupID]; n > most || (n == most && m.GroupID < best) {
			best, most = m.GroupID, n
		}
	}
	return best, most
}

// CountStatus counts the fixture's users in a status.
func (f *Fixture) CountStatus(status string) int {
	n := 0
	for _, u := range f.Users {
		if u.Status == status {
			n++
		}
	}
	return n
}

// Load replaces the server's directory (users, groups, memberships, apps
// and assignments) with the fixture's, keeping its timestamps as given.
// Service apps, tokens, faults and the request log stay.
func (s *Server) Load(f *Fixture) error {
	dir, err := buildDirectory(f)
	if err != nil {
		return fmt.Errorf("oktastandin: load fixture: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	dir.gen = s.dir.gen + 1
	s.dir = dir
	return nil
}

func buildDirectory(f *Fixture) (directory, error) {
	dir := newDirectory()
	for _, u := range f.Users {
		if err := addFixtureUser(&dir, u); err != nil {
			return dir, err
		}
	}
	for _, g := range f.Groups {
		if err := addFixtureGroup(&dir, g); err != nil {
			return dir, err
		}
	}
	for _, a := range f.Apps {
		if err := addFixtureApp(&dir, a); err != nil {
			return dir, err
		}
	}
	slices.Sort(dir.userIDs)
	slices.Sort(dir.groupIDs)
	if err := addMemberships(&dir, f.Memberships); err != nil {
		return dir, err
	}
	return dir, addAssignments(&dir, f.Assignments)
}

func addFixtureUser(dir *directory, u User) error {
	if u.ID == "" {
		return errors.New("user without id")
	}
	if _, dup := dir.users[u.ID]; dup {
		return fmt.Errorf("duplicate user %s", u.ID)
	}
	u = u.clone()
	if u.Status == "" {
		u.Status = StatusActive
	}
	u.normalise()
	dir.users[u.ID] = &userRec{User: u}
	dir.userIDs = append(dir.userIDs, u.ID)
	return nil
}

func addFixtureGroup(dir *directory, g Group) error {
	if g.ID == "" {
		return errors.New("group without id")
	}
	if _, dup := dir.groups[g.ID]; dup {
		return fmt.Errorf("duplicate group %s", g.ID)
	}
	g = g.clone()
	g.normalise()
	dir.groups[g.ID] = &groupRec{group: &g, members: map[string]time.Time{}}
	dir.groupIDs = append(dir.groupIDs, g.ID)
	return nil
}

func addFixtureApp(dir *directory, a App) error {
	if a.ID == "" {
		return errors.New("app without id")
	}
	if a.Name == "" {
		a.Name = customAppName(a.Label)
	}
	a.normalise()
	dir.apps[a.ID] = &appRec{
		app: &a, users: map[string]time.Time{}, groups: map[string]time.Time{},
	}
	return nil
}

func addMemberships(dir *directory, ms []Membership) error {
	touched := map[*groupRec]bool{}
	for _, m := range ms {
		g, ok := dir.groups[m.GroupID]
		if !ok {
			return fmt.Errorf("membership in unknown group %s", m.GroupID)
		}
		if _, ok := dir.users[m.UserID]; !ok {
			return fmt.Errorf("membership of unknown user %s", m.UserID)
		}
		g.members[m.UserID] = msec(m.Since)
		touched[g] = true
	}
	for g := range touched {
		g.memberIDs = make([]string, 0, len(g.members))
		for id := range g.members {
			g.memberIDs = append(g.memberIDs, id)
		}
		slices.Sort(g.memberIDs)
	}
	return nil
}

func addAssignments(dir *directory, as []Assignment) error {
	for _, a := range as {
		app, ok := dir.apps[a.AppID]
		if !ok {
			return fmt.Errorf("assignment to unknown app %s", a.AppID)
		}
		switch {
		case a.UserID != "" && a.GroupID == "" && dir.users[a.UserID] != nil:
			app.users[a.UserID] = msec(a.Since)
		case a.GroupID != "" && a.UserID == "" && dir.groups[a.GroupID] != nil:
			app.groups[a.GroupID] = msec(a.Since)
		default:
			return fmt.Errorf("assignment to app %s needs one known user or group", a.AppID)
		}
	}
	return nil
}

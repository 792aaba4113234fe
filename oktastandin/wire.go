package oktastandin

import (
	"encoding/json"
	"fmt"
	"time"
)

// timeLayout is how Okta writes timestamps: UTC with milliseconds and Z,
// such as "2024-05-01T12:00:00.000Z".
const timeLayout = "2006-01-02T15:04:05.000Z"

// jsonTime is a timestamp in Okta's layout; the zero time is null.
type jsonTime time.Time

// MarshalJSON writes null for the zero time.
func (t jsonTime) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + time.Time(t).UTC().Format(timeLayout) + `"`), nil
}

// UnmarshalJSON reads null as the zero time and any RFC 3339 timestamp.
func (t *jsonTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*t = jsonTime{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	parsed, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	*t = jsonTime(msec(parsed))
	return nil
}

type hrefWire struct {
	Href string `json:"href"`
	Name string `json:"name,omitempty"`
	Type string `json:"type,omitempty"`
}

type typeWire struct {
	ID string `json:"id"`
}

type providerWire struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

type userCredentialsWire struct {
	Password *struct{}    `json:"password,omitempty"`
	Provider providerWire `json:"provider"`
}

type userLinksWire struct {
	Self hrefWire `json:"self"`
}

// userWire is the User schema of Okta's management API. Fixture files use
// it too, without credentials and links.
type userWire struct {
	ID              string               `json:"id"`
	Status          string               `json:"status"`
	Created         jsonTime             `json:"created"`
	Activated       jsonTime             `json:"activated"`
	StatusChanged   jsonTime             `json:"statusChanged"`
	LastLogin       jsonTime             `json:"lastLogin"`
	LastUpdated     jsonTime             `json:"lastUpdated"`
	PasswordChanged jsonTime             `json:"passwordChanged"`
	Type            *typeWire            `json:"type,omitempty"`
	Profile         map[string]any       `json:"profile"`
	Credentials     *userCredentialsWire `json:"credentials,omitempty"`
	Links           *userLinksWire       `json:"_links,omitempty"`
}

func (u *User) wire() userWire {
	typeID := u.TypeID
	if typeID == "" {
		typeID = DefaultUserTypeID
	}
	return userWire{
		ID:              u.ID,
		Status:          u.Status,
		Created:         jsonTime(u.Created),
		Activated:       jsonTime(u.Activated),
		StatusChanged:   jsonTime(u.StatusChanged),
		LastLogin:       jsonTime(u.LastLogin),
		LastUpdated:     jsonTime(u.LastUpdated),
		PasswordChanged: jsonTime(u.PasswordChanged),
		Type:            &typeWire{ID: typeID},
		Profile:         u.Profile,
	}
}

// apiWire adds what the API serves beyond the fixture form: credentials
// and links, which name the host the client called.
func (u *User) apiWire(base string) userWire {
	w := u.wire()
	w.Credentials = &userCredentialsWire{Provider: providerWire{Type: "OKTA", Name: "OKTA"}}
	if u.Status != StatusStaged {
		// Okta shows an empty password object once a password is set;
		// staged users have none yet.
		w.Credentials.Password = &struct{}{}
	}
	w.Links = &userLinksWire{Self: hrefWire{Href: base + "/api/v1/users/" + u.ID}}
	return w
}

// MarshalJSON writes the user as Okta's User schema, without links.
func (u User) MarshalJSON() ([]byte, error) {
	w := u.wire()
	if w.Profile == nil {
		w.Profile = map[string]any{}
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads a user in Okta's User schema; credentials and links
// are ignored.
func (u *User) UnmarshalJSON(b []byte) error {
	var w userWire
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("user: %w", err)
	}
	*u = User{
		ID:              w.ID,
		Status:          w.Status,
		Created:         time.Time(w.Created),
		Activated:       time.Time(w.Activated),
		StatusChanged:   time.Time(w.StatusChanged),
		LastLogin:       time.Time(w.LastLogin),
		LastUpdated:     time.Time(w.LastUpdated),
		PasswordChanged: time.Time(w.PasswordChanged),
		Profile:         w.Profile,
	}
	if w.Type != nil && w.Type.ID != DefaultUserTypeID {
		u.TypeID = w.Type.ID
	}
	return nil
}

type groupLinksWire struct {
	Logo  []hrefWire `json:"logo"`
	Users hrefWire   `json:"users"`
	Apps  hrefWire   `json:"apps"`
}

// groupWire is the Group schema of Okta's management API.
type groupWire struct {
	ID                    string          `json:"id"`
	Created               jsonTime        `json:"created"`
	LastUpdated           jsonTime        `json:"lastUpdated"`
	LastMembershipUpdated jsonTime        `json:"lastMembershipUpdated"`
	ObjectClass           []string        `json:"objectClass"`
	Type                  string          `json:"type"`
	Profile               map[string]any  `json:"profile"`
	Links                 *groupLinksWire `json:"_links,omitempty"`
}

func (g *Group) wire() groupWire {
	profile := make(map[string]any, len(g.Extra)+2)
	for k, v := range g.Extra {
		profile[k] = v
	}
	profile["name"] = g.Name
	if g.Description != "" {
		profile["description"] = g.Description
	}
	return groupWire{
		ID:                    g.ID,
		Created:               jsonTime(g.Created),
		LastUpdated:           jsonTime(g.LastUpdated),
		LastMembershipUpdated: jsonTime(g.LastMembershipUpdated),
		ObjectClass:           g.ObjectClass,
		Type:                  g.Type,
		Profile:               profile,
	}
}

func (g *Group) apiWire(base string) groupWire {
	w := g.wire()
	logo := base + "/assets/img/logos/groups/okta-medium.png"
	w.Links = &groupLinksWire{
		Logo: []hrefWire{
			{Name: "medium", Href: logo, Type: "image/png"},
			{Name: "large", Href: logo, Type: "image/png"},
		},
		Users: hrefWire{Href: base + "/api/v1/groups/" + g.ID + "/users"},
		Apps:  hrefWire{Href: base + "/api/v1/groups/" + g.ID + "/apps"},
	}
	return w
}

// MarshalJSON writes the group as Okta's Group schema, without links.
func (g Group) MarshalJSON() ([]byte, error) { return json.Marshal(g.wire()) }

// UnmarshalJSON reads a group in Okta's Group schema.
func (g *Group) UnmarshalJSON(b []byte) error {
	var w groupWire
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("group: %w", err)
	}
	*g = Group{
		ID:                    w.ID,
		Type:                  w.Type,
		ObjectClass:           w.ObjectClass,
		Created:               time.Time(w.Created),
		LastUpdated:           time.Time(w.LastUpdated),
		LastMembershipUpdated: time.Time(w.LastMembershipUpdated),
	}
	for k, v := range w.Profile {
		s, _ := v.(string)
		switch k {
		case "name":
			g.Name = s
		case "description":
			g.Description = s
		default:
			if g.Extra == nil {
				g.Extra = map[string]any{}
			}
			g.Extra[k] = v
		}
	}
	return nil
}

// appWire is the fixture form of an App.
type appWire struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Label       string   `json:"label"`
	Status      string   `json:"status"`
	SignOnMode  string   `json:"signOnMode"`
	Created     jsonTime `json:"created"`
	LastUpdated jsonTime `json:"lastUpdated"`
}

// MarshalJSON writes the app's identifying fields in Okta's names.
func (a App) MarshalJSON() ([]byte, error) {
	return json.Marshal(appWire{
		ID: a.ID, Name: a.Name, Label: a.Label, Status: a.Status,
		SignOnMode: a.SignOnMode, Created: jsonTime(a.Created),
		LastUpdated: jsonTime(a.LastUpdated),
	})
}

// UnmarshalJSON reads what MarshalJSON writes; other Application fields
// are ignored.
func (a *App) UnmarshalJSON(b []byte) error {
	var w appWire
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("app: %w", err)
	}
	*a = App{
		ID: w.ID, Name: w.Name, Label: w.Label, Status: w.Status,
		SignOnMode: w.SignOnMode, Created: time.Time(w.Created),
		LastUpdated: time.Time(w.LastUpdated),
	}
	return nil
}

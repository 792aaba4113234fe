package oktastandin

import (
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// GenOptions shape a generated directory. Generation is deterministic:
// the same options give the same fixture.
type GenOptions struct {
	Seed  uint64
	Users int
	// Groups is the number of groups, the BUILT_IN Everyone group aside.
	Groups int
	// GroupSizes sets the member count of the first groups; the rest get
	// a random size up to a quarter of the users.
	GroupSizes []int
	// LargeGroupSize, when positive, makes the first group this large
	// (capped at Users), such as 1,001 to exceed one page of members.
	LargeGroupSize int
	// Everyone adds Okta's BUILT_IN "Everyone" group with every user.
	Everyone bool
	// SAMLAppID and SAMLAppLabel name the SAML 2.0 app; defaults are a
	// seeded id and "Mailroom".
	SAMLAppID    string
	SAMLAppLabel string
	// AppDirectUsers is the number of users assigned to the SAML app
	// directly: zero means 5% of the users, negative means none.
	AppDirectUsers int
	// AppGroups is the number of groups assigned to the SAML app, taken
	// after the large group: zero means two, negative means none.
	AppGroups int
	// EmailDomain defaults to "example.com".
	EmailDomain string
	// Now is the moment the directory is generated at; every timestamp
	// is before it. The default is 2024-06-01T00:00:00Z.
	Now time.Time
}

// DefaultGenNow is the default GenOptions.Now.
var DefaultGenNow = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)

// Generate builds a realistic directory: users of every status, a few
// without email (key absent for some, null for others), names in several
// scripts, groups, and a SAML app assigned to users and to groups.
func Generate(opts GenOptions) *Fixture {
	g := newGenerator(opts)
	f := &Fixture{}
	f.Users = g.users()
	f.Groups, f.Memberships = g.groups(f.Users)
	app, assignments := g.samlApp(f.Users, f.Groups)
	f.Apps = []App{app}
	f.Assignments = assignments
	return f
}

type generator struct {
	opts   GenOptions
	rng    *mrand.Rand
	now    time.Time
	logins map[string]int
	weight int
}

func newGenerator(opts GenOptions) *generator {
	if opts.EmailDomain == "" {
		opts.EmailDomain = "example.com"
	}
	if opts.Now.IsZero() {
		opts.Now = DefaultGenNow
	}
	if opts.SAMLAppLabel == "" {
		opts.SAMLAppLabel = "Mailroom"
	}
	g := &generator{
		opts:   opts,
		rng:    mrand.New(mrand.NewPCG(opts.Seed, opts.Seed^0x5eed5eed5eed5eed)),
		now:    msec(opts.Now),
		logins: map[string]int{},
	}
	for _, c := range cultures {
		g.weight += c.weight
	}
	return g
}

// between returns a random time in [a, b], to the millisecond.
func (g *generator) between(a, b time.Time) time.Time {
	if !b.After(a) {
		return a
	}
	return msec(a.Add(time.Duration(g.rng.Int64N(int64(b.Sub(a)) + 1))))
}

func (g *generator) chance(p float64) bool { return g.rng.Float64() < p }

func pick[T any](g *generator, list []T) T { return list[g.rng.IntN(len(list))] }

func (g *generator) culture() culture {
	n := g.rng.IntN(g.weight)
	for _, c := range cultures {
		if n < c.weight {
			return c
		}
		n -= c.weight
	}
	return cultures[0]
}

func (g *generator) users() []User {
	users := make([]User, g.opts.Users)
	seen := make(map[string]bool, g.opts.Users)
	for i := range users {
		users[i] = g.user()
		for seen[users[i].ID] {
			users[i].ID = seededID(g.rng, userIDPrefix)
		}
		seen[users[i].ID] = true
	}
	return users
}

// statusFor draws a status: mostly ACTIVE, a few percent each of
// SUSPENDED, DEPROVISIONED and STAGED, and a sprinkling of the rest.
func (g *generator) statusFor() string {
	switch p := g.rng.Float64(); {
	case p < 0.04:
		return StatusSuspended
	case p < 0.08:
		return StatusDeprovisioned
	case p < 0.11:
		return StatusStaged
	case p < 0.12:
		return StatusProvisioned
	case p < 0.13:
		return StatusLockedOut
	case p < 0.135:
		return StatusPasswordExpired
	case p < 0.14:
		return StatusRecovery
	}
	return StatusActive
}

func (g *generator) user() User {
	u := User{ID: seededID(g.rng, userIDPrefix), Status: g.statusFor()}
	g.lifecycle(&u)
	u.Profile = g.profile()
	return u
}

// lifecycle sets timestamps consistent with the status: staged and
// provisioned users were never activated and never signed in.
func (g *generator) lifecycle(u *User) {
	u.Created = g.between(g.now.AddDate(-3, 0, 0), g.now.AddDate(0, 0, -1))
	u.LastUpdated = u.Created
	if u.Status == StatusStaged || u.Status == StatusProvisioned {
		if u.Status == StatusProvisioned {
			u.StatusChanged = g.between(u.Created, g.now)
			u.LastUpdated = u.StatusChanged
		}
		return
	}

	u.Activated = g.between(u.Created, earlier(u.Created.Add(48*time.Hour), g.now))
	u.StatusChanged = u.Activated
	if u.Status != StatusActive {
		u.StatusChanged = g.between(u.Activated, g.now)
	}
	if !g.chance(0.1) {
		u.LastLogin = g.between(u.Activated, u.StatusChanged.Add(30*24*time.Hour))
		u.LastLogin = earlier(u.LastLogin, g.now)
	}
	u.PasswordChanged = g.between(u.Activated, later(u.LastLogin, u.Activated))
	u.LastUpdated = g.between(later(u.StatusChanged, u.LastLogin), g.now)
}

func (g *generator) profile() map[string]any {
	c := g.culture()
	first, last := pick(g, c.firsts), pick(g, c.lasts)
	login := g.login(first.ascii + "." + last.ascii)
	display := first.shown + " " + last.shown
	if c.eastern {
		display = last.shown + first.shown
	}
	dept := pick(g, departments)
	place := pick(g, cities)

	p := map[string]any{
		"login":          login,
		"email":          login,
		"firstName":      first.shown,
		"lastName":       last.shown,
		"displayName":    display,
		"department":     dept.name,
		"title":          pick(g, dept.titles),
		"employeeNumber": strconv.Itoa(100000 + g.rng.IntN(900000)),
		"costCenter":     fmt.Sprintf("CC-%04d", g.rng.IntN(10000)),
		"userType":       pick(g, []string{"Employee", "Employee", "Employee", "Contractor"}),
		"city":           place.city,
		"timezone":       place.tz,
		"locale":         place.locale,
		"secondEmail":    nil,
		"mobilePhone":    g.phone(0.75),
		"primaryPhone":   g.phone(0.5),
		// Custom attributes from the org's profile editor.
		"mailStop":  fmt.Sprintf("%c%d-%03d", 'A'+rune(g.rng.IntN(4)), 1+g.rng.IntN(9), g.rng.IntN(1000)),
		"deskFloor": 1 + g.rng.IntN(12),
	}
	g.maybeDropEmail(p)
	return p
}

// login returns a unique login for base, numbering repeats.
func (g *generator) login(base string) string {
	g.logins[base]++
	if n := g.logins[base]; n > 1 {
		base += strconv.Itoa(n)
	}
	return base + "@" + g.opts.EmailDomain
}

// phone returns a phone number with probability p, otherwise null.
func (g *generator) phone(p float64) any {
	if !g.chance(p) {
		return nil
	}
	return fmt.Sprintf("+1 %03d-555-%04d", 200+g.rng.IntN(800), g.rng.IntN(10000))
}

// maybeDropEmail removes the email of about 3% of users: half have no
// email key at all, half have email null. About 5% more have an email
// other than their login.
func (g *generator) maybeDropEmail(p map[string]any) {
	switch r := g.rng.Float64(); {
	case r < 0.015:
		delete(p, "email")
	case r < 0.03:
		p["email"] = nil
	case r < 0.08:
		local, _, _ := strings.Cut(p["login"].(string), "@")
		p["email"] = local + "@mail." + g.opts.EmailDomain
	}
}

func (g *generator) groups(users []User) ([]Group, []Membership) {
	var groups []Group
	var members []Membership
	order := make([]int, len(users))
	add := func(grp Group, size int) {
		ms := g.members(&grp, users, size, order)
		groups = append(groups, grp)
		members = append(members, ms...)
	}
	for i := range g.opts.Groups {
		add(g.group(i), g.groupSize(i))
	}
	if g.opts.Everyone {
		add(g.everyone(), len(users))
	}
	return groups, members
}

func (g *generator) groupSize(i int) int {
	n := len(g.opts.GroupSizes)
	switch {
	case i == 0 && g.opts.LargeGroupSize > 0:
		return min(g.opts.LargeGroupSize, g.opts.Users)
	case i < n:
		return min(g.opts.GroupSizes[i], g.opts.Users)
	case g.opts.Users == 0:
		return 0
	}
	return 1 + g.rng.IntN(max(1, g.opts.Users/4))
}

// group draws group i; every seventh is an Active Directory import.
func (g *generator) group(i int) Group {
	name := groupNames[i%len(groupNames)]
	if i >= len(groupNames) {
		name += " " + strconv.Itoa(i/len(groupNames)+1)
	}
	grp := Group{
		ID:          seededID(g.rng, groupIDPrefix),
		Type:        GroupTypeOkta,
		Name:        name,
		Created:     g.between(g.now.AddDate(-4, 0, 0), g.now.AddDate(-3, 0, 0)),
		Description: "Members of " + name,
	}
	if i%7 == 6 {
		g.makeADGroup(&grp)
	}
	if g.chance(0.2) {
		grp.Description = ""
	}
	grp.LastUpdated = g.between(grp.Created, g.now)
	grp.normalise()
	return grp
}

func (g *generator) makeADGroup(grp *Group) {
	sam := strings.ReplaceAll(asciiLower(grp.Name), " ", "-")
	grp.Type = GroupTypeApp
	grp.Extra = map[string]any{
		"samAccountName":             sam,
		"dn":                         "CN=" + sam + ",OU=Groups,DC=corp,DC=example,DC=com",
		"windowsDomainQualifiedName": `CORP\` + sam,
		"externalId":                 fmt.Sprintf("%032x", g.rng.Uint64()),
	}
}

func (g *generator) everyone() Group {
	grp := Group{
		ID:          seededID(g.rng, groupIDPrefix),
		Type:        GroupTypeBuiltIn,
		Name:        "Everyone",
		Description: "All users in your organization",
		Created:     g.now.AddDate(-5, 0, 0),
	}
	grp.LastUpdated = grp.Created
	grp.normalise()
	return grp
}

// members draws n distinct users with a partial Fisher-Yates shuffle of
// order, and sets the group's lastMembershipUpdated to the last join.
func (g *generator) members(grp *Group, users []User, n int, order []int) []Membership {
	for i := range order {
		order[i] = i
	}
	out := make([]Membership, 0, n)
	last := grp.Created
	for i := range n {
		j := i + g.rng.IntN(len(order)-i)
		order[i], order[j] = order[j], order[i]
		u := users[order[i]]
		since := g.between(later(u.Created, grp.Created), g.now)
		last = later(last, since)
		out = append(out, Membership{GroupID: grp.ID, UserID: u.ID, Since: since})
	}
	grp.LastMembershipUpdated = last
	return out
}

// samlApp draws the SAML app and its direct and group assignments.
func (g *generator) samlApp(users []User, groups []Group) (App, []Assignment) {
	app := App{
		ID:         g.opts.SAMLAppID,
		Label:      g.opts.SAMLAppLabel,
		Status:     "ACTIVE",
		SignOnMode: SignOnModeSAML2,
		Created:    g.now.AddDate(0, -6, 0),
	}
	if app.ID == "" {
		app.ID = seededID(g.rng, appIDPrefix)
	}
	app.Name = customAppName(app.Label)
	app.LastUpdated = app.Created
	app.normalise()

	var out []Assignment
	for _, i := range g.directAssignees(len(users)) {
		since := g.between(later(app.Created, users[i].Created), g.now)
		out = append(out, Assignment{AppID: app.ID, UserID: users[i].ID, Since: since})
	}
	for _, grp := range g.assignedGroups(groups) {
		out = append(out, Assignment{AppID: app.ID, GroupID: grp.ID, Since: app.Created})
	}
	return app, out
}

func (g *generator) directAssignees(users int) []int {
	n := g.opts.AppDirectUsers
	if n == 0 {
		n = max(1, users/20)
	}
	n = min(max(n, 0), users)
	picked := g.rng.Perm(users)[:n]
	slices.Sort(picked)
	return picked
}

func (g *generator) assignedGroups(groups []Group) []Group {
	n := g.opts.AppGroups
	if n == 0 {
		n = 2
	}
	start := 0
	if g.opts.LargeGroupSize > 0 {
		start = 1
	}
	var out []Group
	for i := start; i < len(groups) && len(out) < n; i++ {
		if groups[i].Type != GroupTypeBuiltIn {
			out = append(out, groups[i])
		}
	}
	return out
}

// customAppName is the name Okta gives a custom app: the org's name, the
// label folded to lowercase letters and digits, and an instance number.
func customAppName(label string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(label) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
		}
	}
	if b.Len() == 0 {
		b.WriteString("app")
	}
	return "standinorg_" + b.String() + "_1"
}

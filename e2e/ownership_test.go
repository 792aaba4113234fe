package e2e

import (
	"strings"
	"testing"

	"github.com/mailroom/oktasync/dashboard"
	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/oktastandin"
)

// importCSV imports a CSV file into a location through the API.
func (h *harness) importCSV(locationID, mode, body string) dashboard.ImportView {
	h.t.Helper()
	rep, err := h.api.ImportCSV(h.ctx, locationID, mode, strings.NewReader(body))
	if err != nil {
		h.t.Fatalf("import: %v", err)
	}
	return rep
}

// recipientByEmail finds the location's recipient with an email.
func (h *harness) recipientByEmail(locationID, email string) (models.Recipient, bool) {
	for _, r := range h.recipients() {
		if r.LocationID == locationID && r.EmailNorm == strings.ToLower(email) {
			return r, true
		}
	}
	return models.Recipient{}, false
}

func TestCSVAndManualRecipientsSurviveDeactivation(t *testing.T) {
	h := newHarness(t, harnessOptions{gen: oktastandin.GenOptions{Users: 50}, locations: 2})
	loc := h.locations[0].ID
	h.importCSV(loc, models.ImportMerge, "\ufeffEmail,First Name,Last Name\r\n"+
		"visitor@example.org,Vera,Visitor\r\n\"temp@example.org\",\"Tom, Jr.\",Temp\r\n")
	manual, err := h.api.CreateRecipient(h.ctx, dashboard.RecipientInput{LocationID: loc,
		Email: "contractor@example.org", FirstName: "Cleo"})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []dashboard.RecipientInput{{LocationID: loc, Email: "a b@example.org"},
		{LocationID: "nowhere", Email: "ok@example.org"}} {
		if _, err := h.api.CreateRecipient(h.ctx, bad); !isStatus(err, 400) {
			t.Errorf("CreateRecipient(%+v) = %v, want 400", bad, err)
		}
	}

	h.enable(models.Preferences{DeactivateMissing: true})
	for range 3 {
		if err := h.okta.DeleteUser(activeUser(t, h)); err != nil {
			t.Fatal(err)
		}
	}
	run := h.syncNow(false)

	if run.Counts.Deactivated != 3*2 {
		t.Errorf("deactivated = %d, want the 3 deleted users at 2 locations", run.Counts.Deactivated)
	}
	for _, email := range []string{"visitor@example.org", "temp@example.org",
		"contractor@example.org"} {
		r, ok := h.recipientByEmail(loc, email)
		if !ok || !r.Active {
			t.Errorf("%s: present %v active %v, want kept active", email, ok, r.Active)
		}
	}
	if r, _ := h.recipientByEmail(loc, "temp@example.org"); r.FirstName != "Tom, Jr." {
		t.Errorf("quoted CSV field = %q", r.FirstName)
	}
	if r, _ := h.recipientByEmail(loc, manual.Email); r.ID != manual.ID ||
		r.Provenance != models.ProvenanceManual {
		t.Errorf("manual recipient = %+v", r)
	}
}

func TestDirectoryMayUpdateCSVRecipientsSwitch(t *testing.T) {
	for _, on := range []bool{false, true} {
		t.Run(map[bool]string{false: "off", true: "on"}[on], func(t *testing.T) {
			h := newHarness(t, harnessOptions{gen: oktastandin.GenOptions{Users: 30},
				locations: 1})
			loc := h.locations[0].ID
			oktaID := h.addUser("Priya", "Patel", "Priya.Patel@Example.com")
			h.importCSV(loc, models.ImportMerge, "email,first_name,last_name,title\n"+
				"  priya.patel@example.com ,Priya,P.,Visitor\n")
			csvRow, _ := h.recipientByEmail(loc, "priya.patel@example.com")

			run := h.enable(models.Preferences{DirectoryUpdatesCSV: on,
				DeactivateMissing: true})

			rows := 0
			for _, r := range h.recipients() {
				if r.EmailNorm == "priya.patel@example.com" {
					rows++
				}
			}
			got, _ := h.recipientByEmail(loc, "priya.patel@example.com")
			if rows != 1 || got.ID != csvRow.ID || got.Provenance != models.ProvenanceCSV {
				t.Fatalf("rows %d, id %d (csv row %d), provenance %s: want the one CSV row",
					rows, got.ID, csvRow.ID, got.Provenance)
			}
			if on && (got.OktaUserID == nil || *got.OktaUserID != oktaID || got.LastName != "Patel") {
				t.Errorf("switch on: the directory did not adopt the row: %+v", got)
			}
			if !on && (got.OktaUserID != nil || got.LastName != "P.") {
				t.Errorf("switch off: the directory changed the CSV row: %+v", got)
			}
			if !on && run.Counts.Skipped["csv_email_match"] != 1 {
				t.Errorf("switch off: skipped = %v, want one csv_email_match", run.Counts.Skipped)
			}
		})
	}
}

func TestCSVMayUpdateDirectoryRecipientsSwitch(t *testing.T) {
	for _, on := range []bool{false, true} {
		t.Run(map[bool]string{false: "off", true: "on"}[on], func(t *testing.T) {
			h := newHarness(t, harnessOptions{gen: oktastandin.GenOptions{Users: 30},
				locations: 1})
			loc := h.locations[0].ID
			h.addUser("Olu", "Ade", "olu.ade@example.com")
			h.enable(models.Preferences{CSVUpdatesDirectory: on})

			rep := h.importCSV(loc, models.ImportMerge, "email,title\nOLU.ADE@example.com,Chef\n")

			r, _ := h.recipientByEmail(loc, "olu.ade@example.com")
			if on && (r.Title != "Chef" || rep.Counts.Updated != 1) {
				t.Errorf("switch on: title %q, report %+v", r.Title, rep.Counts)
			}
			if !on && (r.Title == "Chef" || rep.Counts.Skipped["directory_owned"] != 1) {
				t.Errorf("switch off: title %q, report %+v", r.Title, rep.Counts)
			}
			if r.Provenance != models.ProvenanceDirectory {
				t.Errorf("provenance changed to %s", r.Provenance)
			}
		})
	}
}

func TestLocalDeactivationAndTheDirectoryReactivationRule(t *testing.T) {
	h := newHarness(t, harnessOptions{gen: oktastandin.GenOptions{Users: 40}, locations: 1})
	loc := h.locations[0].ID
	active := h.addUser("Ali", "Active", "ali@example.com")
	suspended := h.addUser("Sue", "Spended", "sue@example.com")
	h.importCSV(loc, models.ImportMerge, "email,first_name\ncsv.only@example.com,Cas\n")
	h.enable(models.Preferences{})
	h.setStatus(suspended, oktastandin.StatusSuspended)
	h.syncNow(false)

	// An admin deactivates three recipients in the mailroom app.
	for _, email := range []string{"ali@example.com", "sue@example.com", "csv.only@example.com"} {
		r, _ := h.recipientByEmail(loc, email)
		if err := h.api.SetRecipientActive(h.ctx, r.ID, false); err != nil {
			t.Fatal(err)
		}
	}
	run := h.syncNow(false)

	// Active in Okta and owned by the directory: reactivated on the same row.
	if r, _ := h.recipientByEmail(loc, "ali@example.com"); !r.Active ||
		r.OktaUserID == nil || *r.OktaUserID != active {
		t.Errorf("directory recipient of an active user: active %v", r.Active)
	}
	// Suspended in Okta: stays inactive.
	if r, _ := h.recipientByEmail(loc, "sue@example.com"); r.Active {
		t.Error("directory recipient of a suspended user was reactivated")
	}
	// Not the directory's: stays as the admin left it.
	if r, _ := h.recipientByEmail(loc, "csv.only@example.com"); r.Active ||
		r.InactiveReason != models.InactiveLocal {
		t.Errorf("CSV recipient: active %v reason %q", r.Active, r.InactiveReason)
	}
	if run.Counts.Reactivated != 1 {
		t.Errorf("reactivated = %d, want 1", run.Counts.Reactivated)
	}
}

func TestSSOUsersViewFiltersAndLoginUsersAreMadeByHand(t *testing.T) {
	h := newHarness(t, harnessOptions{gen: oktastandin.GenOptions{Users: 200,
		AppDirectUsers: 20}, locations: 1})
	keep := h.addUser("Kim", "Keep", "kim@partner.example")
	h.assign(keep)
	other := h.addUser("Otto", "Other", "otto@elsewhere.example")
	h.assign(other)
	suspended := h.addUser("Sia", "Sleep", "sia@example.com")
	h.assign(suspended)

	h.enable(models.Preferences{SSOUsersView: true,
		SSOEmailDomains: []string{"Example.com"}, SSOEmailAddresses: []string{"kim@partner.example"}})

	users, err := h.api.SSOUsers(h.ctx)
	if err != nil || len(users) == 0 {
		t.Fatalf("sso users: %d, %v", len(users), err)
	}
	for _, u := range users {
		email := strings.ToLower(u.Email)
		if !strings.HasSuffix(email, "@example.com") && email != "kim@partner.example" {
			t.Errorf("filter let %q through", u.Email)
		}
		if u.OktaUserID == other {
			t.Error("the filter let an unlisted domain through")
		}
	}
	if lus, _ := h.api.LoginUsers(h.ctx); len(lus) != 0 {
		t.Fatalf("%d login users exist before any admin action", len(lus))
	}

	lu, err := h.api.CreateLoginUser(h.ctx, keep, models.RoleStaff)
	if err != nil || lu.Role != models.RoleStaff || lu.Email != "kim@partner.example" {
		t.Fatalf("create login user: %+v, %v", lu, err)
	}
	if _, err := h.api.CreateLoginUser(h.ctx, keep, models.RoleAdmin); !isStatus(err, 409) {
		t.Errorf("second login user for the same person = %v, want 409", err)
	}
	if _, err := h.api.CreateLoginUser(h.ctx, other, models.RoleStaff); !isStatus(err, 404) {
		t.Errorf("login user outside the filter = %v, want 404", err)
	}
	h.setStatus(suspended, oktastandin.StatusSuspended)
	h.syncNow(false)
	if _, err := h.api.CreateLoginUser(h.ctx, suspended, models.RoleStaff); !isStatus(err, 400) {
		t.Errorf("login user for a suspended Okta user = %v, want 400", err)
	}
	if _, err := h.api.CreateLoginUser(h.ctx, users[0].OktaUserID, "superuser"); err == nil ||
		!isStatus(err, 400) {
		t.Errorf("unknown role = %v, want 400", err)
	}
	users, _ = h.api.SSOUsers(h.ctx)
	for _, u := range users {
		if (u.OktaUserID == keep) != u.HasLoginUser {
			t.Errorf("%s has_login_user = %v", u.OktaUserID, u.HasLoginUser)
		}
	}
}

func (h *harness) assign(userID string) {
	h.t.Helper()
	if err := h.okta.AssignUser(h.samlAppID, userID); err != nil {
		h.t.Fatal(err)
	}
}

func TestAttributeMappingOverridesAndCustomAttributes(t *testing.T) {
	h := newHarness(t, harnessOptions{gen: oktastandin.GenOptions{Users: 10}, locations: 1})
	id := oktastandin.NewUserID()
	h.okta.PutUser(oktastandin.User{ID: id, Status: oktastandin.StatusActive,
		Profile: map[string]any{"login": "li@example.com", "email": "li@example.com",
			"firstName": "李", "lastName": "小龙", "mobilePhone": "+1 555 0101",
			"primaryPhone": "+1 555 0199", "building": "B7", "costCenter": "CC-42"}})

	h.enable(models.Preferences{AttributeMapping: map[string]string{
		"phone": "primaryPhone", "building": "building", "cost_center": "profile.costCenter"}})

	r, ok := h.recipientByEmail(h.locations[0].ID, "li@example.com")
	if !ok {
		t.Fatal("recipient missing")
	}
	if r.FirstName != "李" || r.Phone != "+1 555 0199" {
		t.Errorf("name %q phone %q, want 李 and the primary phone", r.FirstName, r.Phone)
	}
	if r.Attributes["building"] != "B7" || r.Attributes["cost_center"] != "CC-42" {
		t.Errorf("custom attributes = %v", r.Attributes)
	}
}

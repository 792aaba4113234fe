package preferences

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/mailroom/oktasync/directory"
	"github.com/mailroom/oktasync/models"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name       string
		in         models.Preferences
		wantFields []string // fields with problems, in order
	}{
		{"zero value takes defaults", models.Preferences{}, nil},
		{"groups mode", models.Preferences{Mode: models.ModeGroups}, nil},
		{"unknown mode", models.Preferences{Mode: "everyone"}, []string{"mode"}},
		{"interval too short", models.Preferences{SyncIntervalMinutes: 1},
			[]string{"sync_interval_minutes"}},
		{"brake over 100%", models.Preferences{BrakePercent: 101}, []string{"brake_percent"}},
		{"negative brake minimum", models.Preferences{BrakeMinimum: -1},
			[]string{"brake_minimum"}},
		{"filters normalised", models.Preferences{
			SSOEmailDomains:   []string{" @Example.COM ", "example.com"},
			SSOEmailAddresses: []string{"Jane@Other.org"}}, nil},
		{"bad domain", models.Preferences{SSOEmailDomains: []string{"jane@example.com"}},
			[]string{"sso_email_domains"}},
		{"bad address", models.Preferences{SSOEmailAddresses: []string{"Jane <j@x.org>"}},
			[]string{"sso_email_addresses"}},
		{"custom attribute", models.Preferences{
			AttributeMapping: map[string]string{"building": "profile.building"}}, nil},
		{"bad attribute", models.Preferences{
			AttributeMapping: map[string]string{"phone": "work phone"}},
			[]string{"attribute_mapping"}},
		{"bad field", models.Preferences{
			AttributeMapping: map[string]string{"Phone!": "workPhone"}},
			[]string{"attribute_mapping"}},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.in)
		var fields []string
		var inErr *directory.InputError
		if errors.As(err, &inErr) {
			for _, p := range inErr.Problems {
				if p.Code != directory.CodePreferenceInvalid {
					t.Errorf("%s: code %q, want %q", tt.name, p.Code, directory.CodePreferenceInvalid)
				}
				fields = append(fields, p.Field)
			}
		} else if err != nil {
			t.Fatalf("%s: Normalize error %v is not an InputError", tt.name, err)
		}
		if !slices.Equal(fields, tt.wantFields) {
			t.Errorf("%s: Normalize problems in %v, want %v", tt.name, fields, tt.wantFields)
		}
		if err == nil && (got.Mode == "" || got.SyncIntervalMinutes == 0 || got.BrakePercent == 0) {
			t.Errorf("%s: Normalize left zero values: %+v", tt.name, got)
		}
	}
}

func TestNormalizeLowercasesFilters(t *testing.T) {
	got, err := Normalize(models.Preferences{
		SSOEmailDomains:   []string{" @Example.COM ", "example.com"},
		SSOEmailAddresses: []string{"Jane@Other.org"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"example.com"}; !slices.Equal(got.SSOEmailDomains, want) {
		t.Errorf("domains = %q, want %q", got.SSOEmailDomains, want)
	}
	if want := []string{"jane@other.org"}; !slices.Equal(got.SSOEmailAddresses, want) {
		t.Errorf("addresses = %q, want %q", got.SSOEmailAddresses, want)
	}
}

func TestScopesAndRevalidation(t *testing.T) {
	off, on := models.Preferences{}, models.Preferences{SSOUsersView: true}
	if got := Scopes(off); slices.Contains(got, directory.ScopeAppsRead) {
		t.Errorf("Scopes(view off) = %v, want no apps scope", got)
	}
	if got := Scopes(on); !slices.Contains(got, directory.ScopeAppsRead) {
		t.Errorf("Scopes(view on) = %v, want the apps scope", got)
	}
	if !NeedsRevalidation(off, on) {
		t.Error("turning the SSO users view on does not revalidate")
	}
	if NeedsRevalidation(on, off) {
		t.Error("turning the SSO users view off revalidates")
	}
	if NeedsRevalidation(off, models.Preferences{DeactivateMissing: true}) {
		t.Error("a switch that needs no scope revalidates")
	}
}

func TestApply(t *testing.T) {
	profile := map[string]any{
		"firstName":      "Jose\u0301", // "José" with a combining accent
		"lastName":       " Ørsted ",
		"email":          nil,
		"primaryPhone":   "+1 555 0100",
		"mobilePhone":    "",
		"employeeNumber": float64(4711),
		"building":       "B2",
		"costCenter":     []any{"R&D", "Ops"},
	}
	got := Apply(profile, map[string]string{
		"building": "building", "cost_center": "costCenter", "title": "missingAttr",
	})
	wantFields := map[string]string{
		FieldFirstName: "José", FieldLastName: "Ørsted", FieldEmail: "",
		FieldPhone: "+1 555 0100", FieldEmployeeNumber: "4711", FieldDepartment: "",
		FieldTitle: "",
	}
	if !reflect.DeepEqual(got.Fields, wantFields) {
		t.Errorf("Apply fields = %q, want %q", got.Fields, wantFields)
	}
	wantAttrs := map[string]string{"building": "B2", "cost_center": "R&D, Ops"}
	if !reflect.DeepEqual(got.Attributes, wantAttrs) {
		t.Errorf("Apply attributes = %q, want %q", got.Attributes, wantAttrs)
	}
	if got.Fields[FieldFirstName] != "Jos\u00e9" {
		t.Errorf("first name not NFC: %+q", got.Fields[FieldFirstName])
	}
}

func TestApplyPhonePrefersMobile(t *testing.T) {
	got := Apply(map[string]any{"mobilePhone": "m", "primaryPhone": "p"}, nil)
	if got.Fields[FieldPhone] != "m" {
		t.Errorf("phone = %q, want the mobile phone", got.Fields[FieldPhone])
	}
}

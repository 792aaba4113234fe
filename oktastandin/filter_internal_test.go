package oktastandin

import (
	"errors"
	"testing"
	"time"
)

func TestParseFilter(t *testing.T) {
	at := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	u := &User{
		ID: "00uabc", Status: StatusSuspended, LastUpdated: at,
		Profile: map[string]any{
			"login": "zoe@example.com", "email": nil, "firstName": "Zoë", "deskFloor": 3.0,
		},
	}
	tests := []struct {
		schema filterSchema
		src    string
		want   bool
	}{
		{userFilterSchema, `status eq "SUSPENDED"`, true},
		{userFilterSchema, `status eq "ACTIVE"`, false},
		{userFilterSchema, `status EQ "SUSPENDED" AND id eq "00uabc"`, true},
		{userFilterSchema, `lastUpdated gt "2024-05-01T00:00:00.000Z"`, true},
		{userFilterSchema, `lastUpdated gt "2024-05-01T12:00:00.000Z"`, false},
		{userFilterSchema, `lastUpdated ge "2024-05-01T12:00:00.000Z"`, true},
		{userFilterSchema, `lastUpdated lt "2024-05-01T12:00:00.001Z"`, true},
		{userFilterSchema, `lastUpdated le "2024-05-01T11:59:59.999Z"`, false},
		{userFilterSchema, `status eq "ACTIVE" or profile.login eq "zoe@example.com"`, true},
		{userFilterSchema, `profile.firstName eq "Zoë"`, true},
		{userFilterSchema, `profile.email eq "zoe@example.com"`, false},
		{userFilterSchema, `(status eq "ACTIVE" or status eq "SUSPENDED") and id eq "00uabc"`, true},
		{userFilterSchema, `status eq "ACTIVE" or status eq "SUSPENDED" and id eq "x"`, false},
		{userFilterSchema, `profile.login eq "say \"hi\""`, false},
		{userSearchSchema, `profile.login sw "ZOE"`, true},
		{userSearchSchema, `profile.email pr`, false},
		{userSearchSchema, `profile.firstName pr and status ne "ACTIVE"`, true},
		{userSearchSchema, `profile.deskFloor eq 3`, true},
	}
	for _, tt := range tests {
		e, err := parseFilter(tt.src, tt.schema)
		if err != nil {
			t.Errorf("parseFilter(%q) error %v, want none", tt.src, err)
			continue
		}
		if got := e.eval(userAttrs{u}); got != tt.want {
			t.Errorf("parseFilter(%q).eval = %v, want %v", tt.src, got, tt.want)
		}
	}
}

func TestParseFilterRejects(t *testing.T) {
	tests := []struct {
		schema filterSchema
		src    string
	}{
		{userFilterSchema, `status`},
		{userFilterSchema, `status eq`},
		{userFilterSchema, `status eq "ACTIVE`},
		{userFilterSchema, `status eq ACTIVE`},
		{userFilterSchema, `status gt "ACTIVE"`},
		{userFilterSchema, `lastUpdated gt "yesterday"`},
		{userFilterSchema, `profile.department eq "Sales"`},
		{userFilterSchema, `profile.login sw "zoe"`},
		{userFilterSchema, `(status eq "ACTIVE"`},
		{userFilterSchema, `status eq "ACTIVE")`},
		{userFilterSchema, `status eq "ACTIVE" and`},
		{userFilterSchema, `status eq "ACTIVE" nor id eq "x"`},
		{userFilterSchema, `"status" eq "ACTIVE"`},
		{userFilterSchema, `STATUS eq "ACTIVE"`},
		{groupFilterSchema, `profile.name eq "Sales"`},
		{groupFilterSchema, `type eq "OKTA_GROUP" or`},
	}
	for _, tt := range tests {
		if _, err := parseFilter(tt.src, tt.schema); !errors.Is(err, errBadFilter) {
			t.Errorf("parseFilter(%q) error = %v, want errBadFilter", tt.src, err)
		}
	}
}

func TestGroupFilter(t *testing.T) {
	g := &Group{ID: "00g1", Type: GroupTypeApp, Name: "Sales",
		LastMembershipUpdated: time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)}
	tests := []struct {
		src  string
		want bool
	}{
		{`type eq "APP_GROUP"`, true},
		{`type eq "OKTA_GROUP" or type eq "BUILT_IN"`, false},
		{`lastMembershipUpdated gt "2024-05-01T00:00:00.000Z"`, true},
		{`lastMembershipUpdated gt "2024-05-02T00:00:00.000Z"`, false},
	}
	for _, tt := range tests {
		e, err := parseFilter(tt.src, groupFilterSchema)
		if err != nil {
			t.Fatalf("parseFilter(%q): %v", tt.src, err)
		}
		if got := e.eval(groupAttrs{g}); got != tt.want {
			t.Errorf("parseFilter(%q).eval = %v, want %v", tt.src, got, tt.want)
		}
	}
}

package dashboard

import (
	"fmt"
	"testing"

	"github.com/mailroom/oktasync/csvimport"
	"github.com/mailroom/oktasync/store"
)

func TestAdminMessage(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("store: create location: a location named %q already exists: %w", "HQ",
			store.ErrConflict), `a location named "HQ" already exists`},
		{fmt.Errorf("store: create login user: role %q is not one of admin, staff, viewer: %w",
			"god", store.ErrInvalid), `role "god" is not one of admin, staff, viewer`},
		{fmt.Errorf("csvimport: invalid UTF-8 on row 5: save the file as CSV UTF-8: %w",
			csvimport.ErrBadFile), "invalid UTF-8 on row 5: save the file as CSV UTF-8"},
		{fmt.Errorf("csvimport: store: apply rows: the import has ended: %w", store.ErrConflict),
			"the import has ended"},
		{fmt.Errorf("plain message"), "plain message"},
	}
	for _, tt := range tests {
		if got := adminMessage(tt.err); got != tt.want {
			t.Errorf("adminMessage(%q) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

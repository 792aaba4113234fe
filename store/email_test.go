package store_test

import (
	"testing"

	"github.com/mailroom/oktasync/store"
)

func TestEmailProblem(t *testing.T) {
	cases := []struct {
		email string
		ok    bool
	}{
		{"ann@example.com", true},
		{"Ann.O'Neil+mail@sub.example.co.uk", true},
		{"josé@exämple.com", true},
		{"", false},
		{"ann", false},
		{"@example.com", false},
		{"ann@", false},
		{"ann@localhost", false},
		{"ann@example..com", false},
		{"ann@.example.com", false},
		{"Ann <ann@example.com>", false},
		{"ann@example.com, bob@example.com", false},
		{"ann smith@example.com", false},
	}
	for _, c := range cases {
		if got := store.EmailProblem(c.email) == ""; got != c.ok {
			t.Errorf("store.EmailProblem(%q) ok = %v, want %v", c.email, got, c.ok)
		}
	}
}

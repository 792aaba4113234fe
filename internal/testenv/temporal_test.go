package testenv

import "testing"

func TestStartTemporal(t *testing.T) {
	s, err := StartTemporal()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	t.Logf("temporal at %s", s.Address)
}

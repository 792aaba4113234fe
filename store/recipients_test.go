package store_test

import (
	"errors"

	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/store"
)

func testRecipientQueries(e *env) {
	e.page(e.run(false, allUsers(e.locs[:2]...)), 1, noAdopt, e.locs[:2], users(0, 3)...)
	e.manual(e.locs[0], "desk@example.com")
	e.csv(e.locs[1], "csv@example.com")
	e.must(e.st.SetRecipientActive(e.ctx, e.org.ID, e.recipient(e.locs[0], "00u0000").ID, false))

	inactive := false
	cases := []struct {
		f    store.RecipientFilter
		want int
	}{
		{store.RecipientFilter{}, 8},
		{store.RecipientFilter{LocationID: e.locs[0]}, 4},
		{store.RecipientFilter{Active: &inactive}, 1},
		{store.RecipientFilter{Provenance: models.ProvenanceCSV}, 1},
		{store.RecipientFilter{Limit: 3, Offset: 6}, 2},
	}
	for _, c := range cases {
		rs, err := e.st.ListRecipients(e.ctx, e.org.ID, c.f)
		e.must(err)
		if len(rs) != c.want {
			e.t.Errorf("ListRecipients(%+v) = %d rows, want %d", c.f, len(rs), c.want)
		}
	}

	counts, err := e.st.CountRecipients(e.ctx, e.org.ID)
	e.must(err)
	total := 0
	for _, c := range counts {
		total += c.N
		if c.LocationID == e.locs[0] && c.Provenance == models.ProvenanceDirectory &&
			!c.Active && c.N != 1 {
			e.t.Errorf("inactive directory recipients at location 1 = %d, want 1", c.N)
		}
	}
	if total != 8 || len(counts) != 5 {
		e.t.Errorf("CountRecipients = %+v, want 8 recipients in 5 groups", counts)
	}
}

func testRecipientChangesAreTenantScoped(e *env) {
	other := newEnv(e.t, e.st)
	id := other.manual(other.locs[0], "a@example.com")
	if r, err := other.st.Recipient(e.ctx, other.org.ID, id); err != nil ||
		r.EmailNorm != "a@example.com" || r.Provenance != models.ProvenanceManual {
		e.t.Errorf("Recipient(own) = %+v, %v, want the manual recipient", r, err)
	}
	_, err := e.st.Recipient(e.ctx, e.org.ID, id)
	assertNotFound(e.t, "Recipient(other org's)", err)
	_, err = e.st.Recipient(e.ctx, e.org.ID, -1)
	assertNotFound(e.t, "Recipient(unknown id)", err)
	if err := e.st.SetRecipientActive(e.ctx, e.org.ID, id, false); !isNotFound(err) {
		e.t.Errorf("SetRecipientActive(other org's) error = %v, want ErrNotFound", err)
	}
	_, err = e.st.CreateManualRecipient(e.ctx, e.org.ID, other.locs[0],
		store.ManualRecipient{Email: "b@example.com"})
	assertNotFound(e.t, "CreateManualRecipient(other org's location)", err)

	e.manual(e.locs[0], "a@example.com")
	_, err = e.st.CreateManualRecipient(e.ctx, e.org.ID, e.locs[0],
		store.ManualRecipient{Email: " A@EXAMPLE.COM"})
	if !errors.Is(err, store.ErrConflict) {
		e.t.Errorf("CreateManualRecipient(same email) error = %v, want ErrConflict", err)
	}
	_, err = e.st.CreateManualRecipient(e.ctx, e.org.ID, e.locs[0], store.ManualRecipient{})
	if !errors.Is(err, store.ErrInvalid) {
		e.t.Errorf("CreateManualRecipient(no email) error = %v, want ErrInvalid", err)
	}
}

package store_test

import (
	"bytes"
	"fmt"
	"slices"
	"sync"

	"github.com/mailroom/oktasync/store"
)

// testKeyCheck starts several processes' worth of EnsureKeyCheck at once:
// all must get the same canary, one of theirs, and so must a later one.
func testKeyCheck(e *env) {
	sealed := make([][]byte, 4)
	got := make([][]byte, len(sealed))
	errs := make([]error, len(sealed))
	var wg sync.WaitGroup
	for i := range sealed {
		sealed[i] = fmt.Appendf(nil, "sealed by process %d", i)
		wg.Go(func() { got[i], errs[i] = e.st.EnsureKeyCheck(e.ctx, sealed[i]) })
	}
	wg.Wait()

	for i := range got {
		e.must(errs[i])
		if !bytes.Equal(got[i], got[0]) {
			e.t.Errorf("EnsureKeyCheck %d = %q, want %q like the first", i, got[i], got[0])
		}
	}
	if !slices.ContainsFunc(sealed, func(s []byte) bool { return bytes.Equal(s, got[0]) }) {
		e.t.Errorf("EnsureKeyCheck = %q, want one of the sealed canaries", got[0])
	}
	later, err := e.st.EnsureKeyCheck(e.ctx, []byte("sealed with another key"))
	e.must(err)
	if !bytes.Equal(later, got[0]) {
		e.t.Errorf("later EnsureKeyCheck = %q, want the stored %q", later, got[0])
	}
	_, err = e.st.EnsureKeyCheck(e.ctx, nil)
	wantErr(e.t, "EnsureKeyCheck(nil)", err, store.ErrInvalid)
}

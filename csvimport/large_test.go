package csvimport_test

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailroom/oktasync/csvimport"
	"github.com/mailroom/oktasync/internal/testenv"
	"github.com/mailroom/oktasync/models"
)

// generated is a CSV file of n rows made on the fly, so a test streams a
// large file without holding it.
type generated struct {
	n, next int
	buf     []byte
}

func newGenerated(n int) *generated {
	return &generated{n: n, buf: []byte("email,first_name,last_name,department,title\n")}
}

func (g *generated) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && g.next < g.n {
		g.buf = fmt.Appendf(g.buf, "person%d@example.com,Fïrst%d,Last%d,Dept %d,Clerk\n",
			g.next, g.next, g.next, g.next%50)
		g.next++
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

// peakHeap samples the live heap until stop is closed and returns the
// largest sample.
func peakHeap(stop <-chan struct{}) func() uint64 {
	var peak uint64
	var wg sync.WaitGroup
	wg.Go(func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
	return func() uint64 { wg.Wait(); return peak }
}

// TestImport100kRows imports 100,000 generated rows and checks memory
// stays flat: the live heap must stay far below what holding the file's
// rows would take.
func TestImport100kRows(t *testing.T) {
	const rows = 100_000
	eachBackend(t, func(e *env) {
		runtime.GC()
		stop := make(chan struct{})
		peak := peakHeap(stop)
		start := time.Now()
		rep, err := csvimport.Import(e.ctx, e.st, e.org, e.locs[0], newGenerated(rows),
			csvimport.Options{})
		elapsed := time.Since(start)
		close(stop)
		e.must(err)

		if rep.Counts.Rows != rows || rep.Counts.Created != rows {
			e.t.Errorf("counts = %+v, want %d created", rep.Counts, rows)
		}
		const limit = 64 << 20
		if p := peak(); p > limit {
			e.t.Errorf("peak heap %d MiB, want under %d MiB", p>>20, limit>>20)
		} else {
			e.t.Logf("%d rows in %v (%.0f rows/s), peak heap %d MiB", rows, elapsed,
				rows/elapsed.Seconds(), p>>20)
		}
	})
}

// repeated is n bytes of b made on the fly; read counts what was taken.
type repeated struct {
	b       byte
	n, read int
}

func (r *repeated) Read(p []byte) (int, error) {
	if r.read == r.n {
		return 0, io.EOF
	}
	p = p[:min(len(p), r.n-r.read)]
	for i := range p {
		p[i] = r.b
	}
	r.read += len(p)
	return len(p), nil
}

// TestImportRefusesLongLine imports a file whose third row is a 10 MB
// field: the import must fail on that row without reading the line into
// memory, and write nothing. The backends run one after the other, so the
// allocation count is this import's alone.
func TestImportRefusesLongLine(t *testing.T) {
	const size = 10 << 20
	for _, b := range testenv.Backends {
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, testenv.Store(t, b.DSN(t)))
			field := &repeated{b: 'x', n: size}
			file := io.MultiReader(
				strings.NewReader("email,first_name\nok@example.com,Ok\nlong@example.com,"),
				field, strings.NewReader("\n"))

			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			rep, err := csvimport.Import(e.ctx, e.st, e.org, e.locs[0], file,
				csvimport.Options{BatchSize: 1})
			runtime.ReadMemStats(&after)

			want := "row 3 is longer than 64 KiB"
			if !errors.Is(err, csvimport.ErrBadFile) || !strings.Contains(err.Error(), want) {
				t.Fatalf("Import error = %v, want ErrBadFile saying %q", err, want)
			}
			const limit = 4 << 20
			if got := after.TotalAlloc - before.TotalAlloc; got > limit {
				t.Errorf("import allocated %d KiB, want under %d KiB", got>>10, limit>>10)
			}
			if field.read > 1<<20 {
				t.Errorf("import read %d KiB of the long field, want it to stop near 64 KiB",
					field.read>>10)
			}
			if n := len(e.recipients()); n != 0 {
				t.Errorf("recipients = %d, want none", n)
			}
			imp, err := e.st.CSVImport(e.ctx, e.org, rep.ImportID)
			e.must(err)
			if imp.Status != models.ImportFailed || !strings.Contains(imp.Error, want) {
				t.Errorf("import = %s %q, want failed saying %q", imp.Status, imp.Error, want)
			}
		})
	}
}

// BenchmarkImport imports 100,000 generated rows into a fresh location of
// a PostgreSQL database per iteration, then the same file again, which
// changes nothing.
func BenchmarkImport(b *testing.B) {
	const rows = 100_000
	for _, phase := range []string{"create", "unchanged"} {
		b.Run(phase, func(b *testing.B) {
			st := testenv.Store(b, testenv.Postgres(b))
			for b.Loop() {
				b.StopTimer()
				e := newEnv(b, st)
				if phase == "unchanged" {
					_, err := csvimport.Import(e.ctx, st, e.org, e.locs[0], newGenerated(rows),
						csvimport.Options{})
					e.must(err)
				}
				b.StartTimer()
				_, err := csvimport.Import(e.ctx, st, e.org, e.locs[0], newGenerated(rows),
					csvimport.Options{})
				e.must(err)
			}
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

package csvimport_test

import (
	"fmt"
	"io"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/mailroom/oktasync/csvimport"
	"github.com/mailroom/oktasync/internal/testenv"
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

// BenchmarkImport imports 100,000 generated rows into a fresh location of
// a PostgreSQL database per iteration, then the same file again, which
// changes nothing.
func BenchmarkImport(b *testing.B) {
	const rows = 100_000
	for _, phase := range []string{"create", "unchanged"} {
		b.Run(phase, func(b *testing.B) {
			st := openBench(b, testenv.Postgres(b))
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

package e2e

import (
	"testing"
	"time"

	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/oktastandin"
)

// BenchmarkSyncTenThousandUsersTenLocations measures the whole sync of a
// 10,000-user directory into 10 locations (100,000 recipients) on the real
// stack: Temporal dev server, the stand-in over TLS and PostgreSQL. Run it
// with `make bench` (-benchtime 1x: each iteration is a full sync).
func BenchmarkSyncTenThousandUsersTenLocations(b *testing.B) {
	for range b.N {
		b.StopTimer()
		h := newHarness(b, harnessOptions{gen: oktastandin.GenOptions{Users: 10000, Groups: 20},
			locations: 10})
		b.StartTimer()

		first := h.enable(models.Preferences{DeactivateMissing: true})

		b.StopTimer()
		again := h.syncNow(false)
		if first.Status != models.RunSucceeded || again.Status != models.RunSucceeded {
			b.Fatalf("runs %s, %s", first.Status, again.Status)
		}
		rows := first.Counts.Created
		if rows != 100000 {
			b.Fatalf("created %d recipients, want 100000", rows)
		}
		full := runTime(first)
		b.ReportMetric(full.Seconds(), "s/full-sync")
		b.ReportMetric(float64(rows)/full.Seconds(), "rows/s")
		b.ReportMetric(runTime(again).Seconds(), "s/unchanged-sync")
		b.Logf("first sync %s (%d pages, %d recipients), unchanged sync %s (%d unchanged)",
			full.Round(time.Millisecond), first.Counts.Pages, rows,
			runTime(again).Round(time.Millisecond), again.Counts.Unchanged)
	}
}

func runTime(r models.SyncRun) time.Duration {
	if r.FinishedAt == nil {
		return 0
	}
	return r.FinishedAt.Sub(r.StartedAt)
}

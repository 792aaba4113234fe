package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/mailroom/oktasync/internal/testenv"
	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/store"
)

// Dimensions of a large sync. Okta's users listing returns at most 200
// users a page: see "List all users", limit, in
// https://developer.okta.com/docs/api/openapi/okta-management/management/tag/User/.
const (
	benchPageUsers = 200
	benchLocations = 10
)

// benchEnv is an organization with benchLocations locations.
func benchEnv(b *testing.B) *env {
	b.Helper()
	st := openStore(b, testenv.Postgres(b))
	e := newEnv(b, st)
	for i := len(e.locs); i < benchLocations; i++ {
		loc, err := st.CreateLocation(e.ctx, e.org.ID, fmt.Sprintf("Mailroom %d", i+1))
		e.must(err)
		e.locs = append(e.locs, loc.ID)
	}
	return e
}

// BenchmarkApplyUserPage applies pages of 200 users to 10 locations on
// PostgreSQL: "insert" creates all 2,000 rows of each page, "unchanged"
// applies a page whose rows are all up to date.
func BenchmarkApplyUserPage(b *testing.B) {
	b.Run("insert", func(b *testing.B) {
		e := benchEnv(b)
		run := e.run(false, allUsers(e.locs...))
		rows := 0
		for i := 0; b.Loop(); i++ {
			c := e.page(run, i, noAdopt, e.locs, users(i*benchPageUsers, (i+1)*benchPageUsers)...)
			rows += c.Created
		}
		b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("unchanged", func(b *testing.B) {
		e := benchEnv(b)
		page := users(0, benchPageUsers)
		e.page(e.run(false, allUsers(e.locs...)), 1, noAdopt, e.locs, page...)
		run := e.run(false, allUsers(e.locs...))
		rows := 0
		for i := 0; b.Loop(); i++ {
			c := e.page(run, i, noAdopt, e.locs, page...)
			rows += c.Unchanged
		}
		b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	})
}

// BenchmarkFullSync runs a whole sync of 10,000 users to 10 locations (50
// pages, 100,000 recipients) on PostgreSQL, then the same sync again with
// nothing changed, planning the deactivations after each. It reports the
// store time of each phase in seconds.
func BenchmarkFullSync(b *testing.B) {
	const pages = 50
	for b.Loop() {
		b.StopTimer()
		e := benchEnv(b)
		b.StartTimer()

		for _, phase := range []string{"first", "repeat"} {
			start := time.Now()
			run := e.run(false, allUsers(e.locs...))
			var total models.RunCounts
			for p := range pages {
				c := e.page(run, p, noAdopt, e.locs,
					users(p*benchPageUsers, (p+1)*benchPageUsers)...)
				total.Created += c.Created
				total.Unchanged += c.Unchanged
			}
			b.ReportMetric(time.Since(start).Seconds(), phase+"-pages-s")
			if total.Created+total.Unchanged != pages*benchPageUsers*benchLocations {
				b.Fatalf("counts = %+v", total)
			}

			start = time.Now()
			plan, err := e.st.PlanDeactivation(e.ctx, run)
			if err != nil || plan.WouldDeactivate != 0 {
				b.Fatalf("PlanDeactivation = %+v, %v", plan, err)
			}
			b.ReportMetric(time.Since(start).Seconds(), phase+"-plan-s")
		}
	}
}

var _ = store.Policy{}

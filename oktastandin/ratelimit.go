package oktastandin

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Bucket names a rate-limit bucket, as Okta's rate-limit dashboard does.
type Bucket string

// Buckets the stand-in meters.
const (
	BucketUsers  Bucket = "/api/v1/users"
	BucketGroups Bucket = "/api/v1/groups"
	// BucketGroup covers /api/v1/groups/{id} and what lies under it.
	BucketGroup Bucket = "/api/v1/groups/{id}"
	// BucketApps covers /api/v1/apps and everything under it.
	BucketApps Bucket = "/api/v1/apps"
	// BucketOther is every other /api/v1 endpoint. Okta meters single-user
	// reads in a bucket of their own; the stand-in folds them in here.
	BucketOther Bucket = "/api/v1"
	// BucketToken is the org authorization server's token endpoint.
	BucketToken Bucket = "/oauth2/v1/token"
)

// defaultCeilings are Okta's default per-minute Workforce limits. The token
// endpoint's ceiling varies by org and edition; 2000 is a generous
// placeholder so that it never binds before the API buckets do.
var defaultCeilings = map[Bucket]int{
	BucketUsers:  600,
	BucketGroups: 500,
	BucketGroup:  1000,
	BucketApps:   100,
	BucketOther:  1200,
	BucketToken:  2000,
}

// RateLimits overrides the stand-in's rate limits. The zero value keeps
// Okta's defaults.
type RateLimits struct {
	// Window is the length of a rate-limit window; zero means a minute.
	// Windows are aligned to multiples of Window since the Unix epoch, so
	// a per-minute window resets on the minute, as Okta's do.
	Window time.Duration
	// Default, when positive, is the ceiling of every bucket that Ceilings
	// does not name.
	Default int
	// Ceilings sets the ceiling of individual buckets.
	Ceilings map[Bucket]int
}

// limiter counts requests per bucket in fixed windows of wall-clock time.
type limiter struct {
	window   time.Duration
	ceilings map[Bucket]int

	mu      sync.Mutex
	windows map[Bucket]*usage
}

type usage struct {
	start time.Time
	used  int
}

func newLimiter(rl RateLimits) *limiter {
	l := &limiter{window: rl.Window, ceilings: map[Bucket]int{}, windows: map[Bucket]*usage{}}
	if l.window <= 0 {
		l.window = time.Minute
	}
	for b, n := range defaultCeilings {
		l.ceilings[b] = n
		if rl.Default > 0 {
			l.ceilings[b] = rl.Default
		}
	}
	for b, n := range rl.Ceilings {
		l.ceilings[b] = n
	}
	return l
}

// quota is a bucket's state after a request was counted.
type quota struct {
	limit, remaining int
	reset            time.Time
	exhausted        bool
}

// take counts one request against bucket; a request refused for an
// exhausted bucket is not counted when enforce is on.
func (l *limiter) take(b Bucket, now time.Time, enforce bool) quota {
	l.mu.Lock()
	defer l.mu.Unlock()

	start := now.Truncate(l.window)
	u, ok := l.windows[b]
	if !ok || !u.start.Equal(start) {
		u = &usage{start: start}
		l.windows[b] = u
	}
	limit := l.ceilings[b]
	q := quota{limit: limit, reset: start.Add(l.window), exhausted: u.used >= limit}
	if !q.exhausted || !enforce {
		u.used++
	}
	q.remaining = max(limit-u.used, 0)
	return q
}

// reset forgets every window, refilling every bucket.
func (l *limiter) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	clear(l.windows)
}

// ResetRateLimits refills every bucket at once.
func (s *Server) ResetRateLimits() { s.limiter.reset() }

// rateLimit counts the request, writes Okta's rate-limit headers and, when
// enforcing, answers 429 for an exhausted bucket. It reports whether the
// request may go on.
func (s *Server) rateLimit(w http.ResponseWriter, b Bucket) bool {
	enforce := s.enforce.Load()
	q := s.limiter.take(b, time.Now(), enforce)

	h := w.Header()
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(q.limit))
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(q.remaining))
	// Reset is in whole UTC epoch seconds; round up so that a client
	// waiting until then never arrives early.
	h.Set("X-Rate-Limit-Reset", strconv.FormatInt(ceilUnix(q.reset), 10))
	h.Set("X-Okta-Request-Id", randomString(27))

	if q.exhausted && enforce {
		writeError(w, http.StatusTooManyRequests, "E0000047", summaryRateLimit)
		return false
	}
	return true
}

func ceilUnix(t time.Time) int64 {
	sec := t.Unix()
	if t.After(time.Unix(sec, 0)) {
		sec++
	}
	return sec
}

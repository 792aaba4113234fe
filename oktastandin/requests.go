package oktastandin

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// Request is one request the stand-in served (admin API calls excepted).
type Request struct {
	Time   time.Time `json:"time"`
	Method string    `json:"method"`
	Path   string    `json:"path"`
	// Query is the raw query string.
	Query string `json:"query,omitempty"`
	// Status is the HTTP status answered; 0 when the connection was
	// dropped or the client went away first.
	Status int `json:"status"`
	// ClientID is the service app whose token authorized the request.
	ClientID string `json:"clientId,omitempty"`
	// Fault is the id of the fault that fired on the request, if any.
	Fault string `json:"fault,omitempty"`
}

type requestLog struct {
	mu      sync.Mutex
	max     int
	entries []Request
}

func newRequestLog(max int) *requestLog {
	if max <= 0 {
		max = 100_000
	}
	return &requestLog{max: max}
}

func (l *requestLog) add(r Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.entries) == l.max {
		// Drop the older half at once so that adding stays cheap.
		l.entries = append(l.entries[:0], l.entries[l.max/2:]...)
	}
	l.entries = append(l.entries, r)
}

// Requests returns the request log, oldest first.
func (s *Server) Requests() []Request {
	s.requests.mu.Lock()
	defer s.requests.mu.Unlock()
	return append([]Request(nil), s.requests.entries...)
}

// CountRequests counts logged requests with the method (any, if empty)
// whose path starts with pathPrefix.
func (s *Server) CountRequests(method, pathPrefix string) int {
	s.requests.mu.Lock()
	defer s.requests.mu.Unlock()
	n := 0
	for _, r := range s.requests.entries {
		if (method == "" || r.Method == method) && strings.HasPrefix(r.Path, pathPrefix) {
			n++
		}
	}
	return n
}

// RepeatedPages returns the successful GETs under pathPrefix whose path
// and query repeat an earlier successful GET: pages a client fetched twice.
func (s *Server) RepeatedPages(pathPrefix string) []Request {
	s.requests.mu.Lock()
	defer s.requests.mu.Unlock()
	seen := map[string]bool{}
	var repeats []Request
	for _, r := range s.requests.entries {
		if r.Method != http.MethodGet || r.Status != http.StatusOK ||
			!strings.HasPrefix(r.Path, pathPrefix) {
			continue
		}
		key := r.Path + "?" + r.Query
		if seen[key] {
			repeats = append(repeats, r)
		}
		seen[key] = true
	}
	return repeats
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.requests.mu.Lock()
	defer s.requests.mu.Unlock()
	s.requests.entries = nil
}

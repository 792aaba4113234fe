package oktastandin

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FaultKind says what an injected fault does.
type FaultKind string

// Fault kinds.
const (
	// FaultStatus answers with Status and an Okta error body.
	FaultStatus FaultKind = "status"
	// FaultDelay holds the request for Delay, then serves it normally, so
	// that clients with shorter timeouts give up.
	FaultDelay FaultKind = "delay"
	// FaultDrop closes the connection without answering.
	FaultDrop FaultKind = "drop"
	// FaultMalformed answers 200 with a truncated JSON body.
	FaultMalformed FaultKind = "malformed"
	// FaultRepeatCursor serves the page but gives it a next link that
	// repeats the current cursor (or, on a first page, the first page).
	FaultRepeatCursor FaultKind = "repeat_cursor"
)

// Fault is a misbehaviour injected into matching requests. A request
// matches when its method (any, if empty) and path prefix match and, when
// Query is set, its query contains Query (raw or decoded).
type Fault struct {
	Method     string    `json:"method,omitempty"`
	PathPrefix string    `json:"pathPrefix"`
	Query      string    `json:"query,omitempty"`
	Kind       FaultKind `json:"kind"`
	// After lets this many matching requests through before the fault
	// starts firing.
	After int `json:"after,omitempty"`
	// Times is how often the fault fires; zero means until removed.
	Times int `json:"times,omitempty"`
	// Status is the HTTP status of a FaultStatus fault; zero means 500.
	Status int `json:"status,omitempty"`
	// ErrorCode and ErrorSummary override the error body's defaults:
	// E0000047 for 429, otherwise E0000009 with "Internal Server Error" for
	// 500 and the status text for other statuses.
	ErrorCode    string `json:"errorCode,omitempty"`
	ErrorSummary string `json:"errorSummary,omitempty"`
	// Delay is how long a FaultDelay fault holds the request.
	Delay time.Duration `json:"delay,omitempty"`
}

// FaultState is a registered fault with its counters.
type FaultState struct {
	ID string `json:"id"`
	Fault
	// Matched counts matching requests; Fired counts those it acted on.
	Matched int `json:"matched"`
	Fired   int `json:"fired"`
}

type faultSet struct {
	mu     sync.Mutex
	nextID int
	faults []*FaultState
}

// AddFault registers a fault and returns its id.
func (s *Server) AddFault(f Fault) string {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.nextID++
	id := "f" + strconv.Itoa(s.faults.nextID)
	s.faults.faults = append(s.faults.faults, &FaultState{ID: id, Fault: f})
	return id
}

// RemoveFault unregisters a fault and reports whether it existed.
func (s *Server) RemoveFault(id string) bool {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	n := len(s.faults.faults)
	s.faults.faults = slices.DeleteFunc(s.faults.faults,
		func(f *FaultState) bool { return f.ID == id })
	return len(s.faults.faults) < n
}

// ClearFaults unregisters every fault.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.faults = nil
}

// Faults returns the registered faults with their counters.
func (s *Server) Faults() []FaultState {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	out := make([]FaultState, len(s.faults.faults))
	for i, f := range s.faults.faults {
		out[i] = *f
	}
	return out
}

// match counts the request against every matching fault and returns the
// first one that fires.
func (fs *faultSet) match(r *http.Request) (FaultState, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var fired *FaultState
	for _, f := range fs.faults {
		if !f.matches(r) {
			continue
		}
		f.Matched++
		if fired == nil && f.Matched > f.After && (f.Times == 0 || f.Fired < f.Times) {
			f.Fired++
			fired = f
		}
	}
	if fired == nil {
		return FaultState{}, false
	}
	return *fired, true
}

func (f *Fault) matches(r *http.Request) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
		return false
	}
	if !strings.HasPrefix(r.URL.Path, f.PathPrefix) {
		return false
	}
	if f.Query == "" || strings.Contains(r.URL.RawQuery, f.Query) {
		return true
	}
	decoded, err := url.QueryUnescape(r.URL.RawQuery)
	return err == nil && strings.Contains(decoded, f.Query)
}

// applyFaults acts on the first firing fault and reports whether the
// request may go on to be served.
func (s *Server) applyFaults(w http.ResponseWriter, r *http.Request, c *call) bool {
	f, ok := s.faults.match(r)
	if !ok {
		return true
	}
	note(w).Fault = f.ID
	s.logger.Debug("fault fired", "fault_id", f.ID, "kind", string(f.Kind), "route", r.Pattern)

	switch f.Kind {
	case FaultDelay:
		return sleep(r.Context(), f.Delay)
	case FaultRepeatCursor:
		c.repeatCursor = true
		return true
	case FaultDrop:
		dropConnection(w)
	case FaultMalformed:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`[{"id":"00u`))
	default:
		writeFaultStatus(w, f.Fault)
	}
	return false
}

func writeFaultStatus(w http.ResponseWriter, f Fault) {
	status := f.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	code, summary := "E0000009", summaryServerFail
	switch status {
	case http.StatusInternalServerError:
	case http.StatusTooManyRequests:
		code, summary = "E0000047", summaryRateLimit
	default:
		summary = http.StatusText(status)
	}
	if f.ErrorCode != "" {
		code = f.ErrorCode
	}
	if f.ErrorSummary != "" {
		summary = f.ErrorSummary
	}
	writeError(w, status, code, summary)
}

// dropConnection closes the connection without a response. HTTP/1
// connections are hijacked and closed once the request is logged, so that
// a client retrying at once finds its first attempt in the log; on HTTP/2,
// aborting the handler resets the stream.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if sw, ok := w.(*statusWriter); ok {
		sw.hijacked = conn
		return
	}
	_ = conn.Close()
}

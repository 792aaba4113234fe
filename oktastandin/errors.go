package oktastandin

import (
	"encoding/json"
	"errors"
	"net/http"
)

// ErrNotFound is returned when a user, group or app id is unknown.
var ErrNotFound = errors.New("not found")

// errorWire is Okta's Error schema. Only errorCode is meant for program
// flow; errorLink repeats it, and errorId identifies the occurrence.
type errorWire struct {
	ErrorCode    string       `json:"errorCode"`
	ErrorSummary string       `json:"errorSummary"`
	ErrorLink    string       `json:"errorLink"`
	ErrorID      string       `json:"errorId"`
	ErrorCauses  []errorCause `json:"errorCauses"`
}

type errorCause struct {
	ErrorSummary string `json:"errorSummary"`
}

// writeError answers with an Okta error body.
func writeError(w http.ResponseWriter, status int, code, summary string) {
	writeJSON(w, status, errorWire{
		ErrorCode:    code,
		ErrorSummary: summary,
		ErrorLink:    code,
		ErrorID:      "oae" + randomString(22),
		ErrorCauses:  []errorCause{},
	})
}

// oauthErrorWire is the body of a failed token request (RFC 6749 §5.2).
type oauthErrorWire struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

func writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, oauthErrorWire{Error: code, Description: description})
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "E0000009", "Internal Server Error")
		return
	}
	writeRaw(w, status, b)
}

// writeRaw answers with an encoded JSON body.
func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Okta error codes and summaries the stand-in serves.
const (
	summaryForbidden  = "You do not have permission to perform the requested action"
	summaryBadToken   = "Invalid token provided"
	summaryBadSearch  = "Invalid search criteria."
	summaryRateLimit  = "API call exceeded rate limit due to too many requests."
	summaryServerFail = "Internal Server Error"
)

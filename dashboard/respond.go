package dashboard

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/mailroom/oktasync/csvimport"
	"github.com/mailroom/oktasync/directory"
	"github.com/mailroom/oktasync/store"
)

// APIError is the body of every error response: a stable code, what is
// wrong, and what to do about it.
type APIError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Fix     string `json:"fix,omitempty"`
	Field   string `json:"field,omitempty"`
}

// ErrorBody wraps an error, with every problem when the input had several.
type ErrorBody struct {
	Error    APIError   `json:"error"`
	Problems []APIError `json:"problems,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, e APIError) {
	writeJSON(w, status, ErrorBody{Error: e})
}

// writeInputError answers 400 with every problem of the admin's input.
func writeInputError(w http.ResponseWriter, err *directory.InputError) {
	body := ErrorBody{}
	for _, p := range err.Problems {
		body.Problems = append(body.Problems, fromDirectory(p))
	}
	if len(body.Problems) > 0 {
		body.Error = body.Problems[0]
	}
	writeJSON(w, http.StatusBadRequest, body)
}

func fromDirectory(e *directory.Error) APIError {
	return APIError{Code: string(e.Code), Message: e.Message, Fix: e.Fix, Field: e.Field}
}

// writeStoreError maps store sentinels to statuses; anything else is a 500
// whose detail stays in the log.
func (s *Server) writeStoreError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, APIError{Code: "not_found",
			Message: "no such resource in this organization"})
	case errors.Is(err, store.ErrConflict):
		writeError(w, http.StatusConflict, APIError{Code: "conflict", Message: adminMessage(err)})
	case errors.Is(err, store.ErrInvalid):
		writeError(w, http.StatusBadRequest, APIError{Code: "invalid", Message: adminMessage(err)})
	default:
		s.internalError(w, r, err)
	}
}

// adminMessage turns a wrapped error into the sentence an admin needs: the
// packages' "store: create location: " prefixes and the sentinel's text at
// the end describe the code path, not the problem, so they go.
func adminMessage(err error) string {
	msg := err.Error()
	for _, sentinel := range []error{store.ErrConflict, store.ErrInvalid, store.ErrNotFound,
		csvimport.ErrBadFile} {
		msg = strings.TrimSuffix(msg, ": "+sentinel.Error())
	}
	msg = strings.TrimPrefix(msg, "csvimport: ")
	if rest, ok := strings.CutPrefix(msg, "store: "); ok {
		// Drop the operation too: "create location: ".
		if _, after, found := strings.Cut(rest, ": "); found {
			rest = after
		}
		msg = rest
	}
	return msg
}

func (s *Server) internalError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("request failed", "route", r.Pattern, "err", err)
	writeError(w, http.StatusInternalServerError, APIError{Code: "internal",
		Message: "the request failed; see the service log"})
}

// paging reads the limit and offset query parameters: limit from 1 to
// max (default def), offset from 0. It answers 400 when they are not.
func paging(w http.ResponseWriter, r *http.Request, def, max int) (limit, offset int, ok bool) {
	q := r.URL.Query()
	limit, offset = def, 0
	var err error
	if s := q.Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 || limit > max {
			writeError(w, http.StatusBadRequest, APIError{Code: "invalid", Field: "limit",
				Message: fmt.Sprintf("limit must be a number from 1 to %d", max)})
			return 0, 0, false
		}
	}
	if s := q.Get("offset"); s != "" {
		if offset, err = strconv.Atoi(s); err != nil || offset < 0 {
			writeError(w, http.StatusBadRequest, APIError{Code: "invalid", Field: "offset",
				Message: "offset must be a number, 0 or more"})
			return 0, 0, false
		}
	}
	return limit, offset, true
}

// maxJSONBody bounds JSON request bodies; CSV imports stream separately.
const maxJSONBody = 1 << 20

// decodeJSON reads a JSON body into v, rejecting unknown fields so a typo
// in a setting's name is an error rather than silently ignored.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if errors.Is(err, io.EOF) {
		return true // no body: every field keeps its zero value
	}
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, APIError{Code: "too_large",
			Message: fmt.Sprintf("the request body is over %d bytes", tooBig.Limit)})
		return false
	case err != nil:
		writeError(w, http.StatusBadRequest, APIError{Code: "invalid_json",
			Message: fmt.Sprintf("the request body is not valid JSON for this call: %v",
				sanitizeJSONError(err)),
			Fix: "send one JSON object with the documented fields"})
		return false
	}
	return true
}

// sanitizeJSONError keeps a decoder error's position and type but not the
// offending value, which could be part of a pasted key.
func sanitizeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q has the wrong type", typ.Field)
	}
	msg := err.Error()
	if len(msg) > 120 {
		msg = msg[:120]
	}
	return msg
}

package http

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/ingest"
)

// statusByCode maps error codes to HTTP statuses; codes not listed are 400
// (validation) and internal errors are 500.
var statusByCode = map[string]int{
	kith.ECodeNotFound:           http.StatusNotFound,
	kith.ECodeUnauthorized:       http.StatusUnauthorized,
	kith.ECodeForbidden:          http.StatusForbidden,
	kith.ECodeOriginNotAllowed:   http.StatusForbidden,
	kith.ECodeIdentityConflict:   http.StatusConflict,
	kith.ECodeIdentifierMismatch: http.StatusConflict,
	kith.ECodeAmbiguous:          http.StatusConflict,
	kith.ECodeConflict:           http.StatusConflict,
	kith.ECodeAttrNotDeletable:   http.StatusConflict,
	kith.ECodeSuppressed:         http.StatusConflict,
	kith.ECodeIdentityModeLocked: http.StatusConflict,
	kith.ECodeKeyInUse:           http.StatusConflict,
	kith.ECodePayloadTooLarge:    http.StatusRequestEntityTooLarge,
	kith.ECodeUnsupportedMedia:   http.StatusUnsupportedMediaType,
	kith.ECodeMethodNotAllowed:   http.StatusMethodNotAllowed,
	kith.ECodeUnavailable:        http.StatusServiceUnavailable,
	kith.ECodeInternal:           http.StatusInternalServerError,
}

// Status returns the HTTP status for an error code.
func Status(code string) int {
	if s, ok := statusByCode[code]; ok {
		return s
	}
	return http.StatusBadRequest
}

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	// Errors lists the problems with single input fields; it is always
	// present (SPEC §3), empty when the problem concerns no field.
	Errors []ingest.FieldError `json:"errors"`
}

// writeError answers err as problem+json. Internal errors are logged and
// described generically, so users never see internals.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := kith.AsError(err)
	if (e == nil || e.Code == kith.ECodeInternal || e.Code == kith.ECodeUnavailable) && r.Context().Err() != nil {
		// The caller went away (or the server is shutting down) and the
		// store stopped on its cancelled context: nothing failed here, and
		// nobody reads this answer.
		s.Logger.Debug("request cancelled", slog.String("route", r.Pattern), slog.Any("err", err))
		e = kith.Errorf(kith.ECodeUnavailable, "the request was cancelled")
		w.Header().Set("Retry-After", "1")
		s.writeProblem(w, e)
		return
	}
	if e == nil || e.Code == kith.ECodeInternal {
		if errors.Is(err, kith.ErrRetry) {
			e = kith.Errorf(kith.ECodeUnavailable, "the store is too busy with conflicting writes; retry shortly")
		} else {
			s.Logger.Error("internal error", slog.String("route", r.Pattern), slog.Any("err", err))
			s.metrics.storeErrors.Inc()
			e = kith.Errorf(kith.ECodeInternal, "internal error; the server log has the details")
		}
	}
	if e.Code == kith.ECodeUnavailable {
		s.metrics.storeErrors.Inc()
		w.Header().Set("Retry-After", "1")
	}
	s.writeProblem(w, e)
}

// writeProblem writes e as problem+json.
func (s *Server) writeProblem(w http.ResponseWriter, e *kith.Error) {
	status := Status(e.Code)
	p := Problem{
		Type:   "/problems/" + e.Code,
		Title:  http.StatusText(status),
		Status: status,
		Detail: e.Error(),
		Code:   e.Code,
		Errors: []ingest.FieldError{},
	}
	if e.Field != "" || len(e.Details) > 0 {
		p.Errors = ingest.FieldErrors(e)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

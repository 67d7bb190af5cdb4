package http

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/ingest"
)

// readBody reads a JSON request body of at most limit bytes. Browsers'
// tracker requests come as text/plain (a CORS simple request).
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && mt != "text/plain") {
			return nil, kith.Errorf(kith.ECodeUnsupportedMedia, "send JSON with Content-Type: application/json, not %q", ct)
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, kith.Errorf(kith.ECodePayloadTooLarge, "the body is larger than %d bytes", limit)
	}
	if err != nil {
		return nil, kith.Errorf(kith.ECodeInvalidJSON, "reading the body: %v", err)
	}
	return body, nil
}

// batchBody reads {"<field>":[…]} with at most max items.
func (s *Server) batchBody(w http.ResponseWriter, r *http.Request, field string, max int) ([]json.RawMessage, error) {
	body, err := s.readBody(w, r, kith.MaxEventBodyBytes)
	if err != nil {
		return nil, err
	}
	var env map[string]json.RawMessage
	if e := ingest.DecodeStrict(body, &env, ""); e != nil {
		return nil, e
	}
	for k := range env {
		if k != field {
			return nil, kith.FieldErrorf(k, kith.ECodeUnknownField, "unknown field %q (the body is {\"%s\":[…]})", k, field)
		}
	}
	var items []json.RawMessage
	if e := ingest.DecodeStrict(env[field], &items, field); e != nil || len(env[field]) == 0 {
		return nil, kith.FieldErrorf(field, kith.ECodeRequired, "%s must be an array of objects", field)
	}
	switch {
	case len(items) == 0:
		return nil, kith.FieldErrorf(field, kith.ECodeRequired, "%s is empty", field)
	case len(items) > max:
		return nil, kith.FieldErrorf(field, kith.ECodeTooManyItems, "at most %d %s per request, got %d", max, field, len(items))
	}
	return items, nil
}

// postEvents is POST /api/v1/events.
func (s *Server) postEvents(w http.ResponseWriter, r *http.Request) {
	raw, err := s.batchBody(w, r, "events", kith.MaxEventsPerRequest)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	results, err := s.ingest.Events(r.Context(), s.request(r), raw)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, res := range results {
		if res.Status == "accepted" {
			s.metrics.eventsIngested.Inc()
		} else {
			s.metrics.eventsRejected.Inc()
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results})
}

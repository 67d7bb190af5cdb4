package http

import (
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
	"github.com/kithcdp/kith/ingest"
	"github.com/kithcdp/kith/segment"
)

// segmentPaths maps the paths of Segment's tracking API under /v1/ to the
// call type they receive ("" for a batch). The one-letter paths are those
// analytics.js (analytics-next) posts to.
var segmentPaths = map[string]string{
	"batch": "", "import": "", "b": "",
	"identify": segment.TypeIdentify, "i": segment.TypeIdentify,
	"track": segment.TypeTrack, "t": segment.TypeTrack,
	"page": segment.TypePage, "p": segment.TypePage,
	"screen": segment.TypeScreen, "s": segment.TypeScreen,
	"alias": segment.TypeAlias, "a": segment.TypeAlias,
	"group": segment.TypeGroup, "g": segment.TypeGroup,
}

// segmentRoutes mounts the Segment-compatible tracking API (SPEC §6,
// docs/SEGMENT.md), so that Segment and RudderStack SDKs send to Kith
// unchanged.
func (s *Server) segmentRoutes(mux *http.ServeMux) {
	for path, typ := range segmentPaths {
		mux.HandleFunc("POST /v1/"+path, s.cors(s.segmentCall(typ)))
		mux.HandleFunc("OPTIONS /v1/"+path, s.cors(nil))
	}
}

// segmentResult is the answer for one message: Kith's per-event result
// with the message's own id. SDKs read only the status code.
type segmentResult struct {
	Status       string              `json:"status"`
	MessageID    string              `json:"messageId,omitempty"`
	EventID      string              `json:"eventId,omitempty"`
	ClientID     int64               `json:"clientId,omitempty"`
	UUIDConflict bool                `json:"uuidConflict"`
	Duplicate    bool                `json:"duplicate,omitempty"`
	Warnings     []ingest.FieldError `json:"warnings,omitempty"`
	Errors       []ingest.FieldError `json:"errors,omitempty"`
}

// segmentCall answers one endpoint of the tracking API: 200
// {"success":true,"results":[…]} once every accepted message is stored. A
// bad message of a batch is rejected alone (in results), as Segment drops
// it with a 200; a bad single call answers 400.
func (s *Server) segmentCall(typ string) http.HandlerFunc {
	limit := int64(segment.MaxMessageBytes)
	if typ == "" {
		limit = segment.MaxBatchBytes
	}
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := s.segmentBody(w, r, limit)
		if err != nil {
			s.segmentError(w, r, err)
			return
		}
		b, e := segment.DecodeBatch(body, typ)
		key := segmentKey(r)
		if key == "" && b != nil {
			key = b.WriteKey
		}
		if key == "" && e != nil {
			s.segmentError(w, r, e)
			return
		}
		p, err := s.segmentAuth(r, key)
		if err != nil {
			s.segmentError(w, r, err)
			return
		}
		if e == nil {
			e = b.CheckSizes()
		}
		if e != nil {
			s.segmentError(w, r, e)
			return
		}
		results, err := s.segmentApply(r, p, b)
		if err != nil {
			s.segmentError(w, r, err)
			return
		}
		if typ != "" && results[0].Status == "rejected" {
			s.segmentProblem(w, firstError(results[0].Errors), results[0].Errors)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"success": true, "results": results})
	}
}

// segmentApply maps the messages and applies them in one transaction.
func (s *Server) segmentApply(r *http.Request, p principal, b *segment.Batch) ([]segmentResult, error) {
	mp := &segment.Mapper{Workspace: p.workspace, ReceivedAt: s.now()}
	if p.key.Kind == kith.KeyTracker {
		mp.IP, mp.UserAgent = s.clientIP(r), r.UserAgent()
	}
	mapped := mp.Map(b)
	writes := make([]*identity.Write, len(mapped))
	for i, m := range mapped {
		writes[i] = m.Write
	}
	outcomes, err := s.ingest.Apply(r.Context(), p.workspace, writes)
	if err != nil {
		return nil, err
	}
	results := make([]segmentResult, len(mapped))
	for i, m := range mapped {
		res := segmentResult{Status: "rejected", MessageID: m.MessageID}
		warns := m.Warnings
		switch o := outcomes[i]; {
		case m.Err != nil:
			res.Errors = ingest.FieldErrors(m.Err)
		case o.Err != nil:
			res.Errors = ingest.FieldErrors(o.Err)
		case o.Result != nil:
			res.Status, res.EventID, res.ClientID = "accepted", m.Write.Event.EventID, o.Result.ClientID
			res.UUIDConflict, res.Duplicate = o.Result.UUIDConflict, o.Result.Duplicate
			warns = append(warns, o.Result.Warnings...)
			s.countSegment(o.Result)
		}
		for _, w := range warns {
			res.Warnings = append(res.Warnings, ingest.FieldErrors(w)...)
		}
		if res.Status == "rejected" {
			s.metrics.eventsRejected.Inc()
		}
		results[i] = res
	}
	return results, nil
}

func (s *Server) countSegment(res *identity.Result) {
	s.metrics.eventsIngested.Inc()
	if res.Created {
		s.metrics.profilesCreated.Inc()
	}
	s.metrics.profilesMerged.Add(float64(len(res.Merged)))
}

// segmentKey returns the write key of a request's Authorization header:
// Basic auth with the key as user name (SDKs send an empty password), or
// Bearer as for the rest of the API.
func segmentKey(r *http.Request) string {
	if k := bearer(r); k != "" {
		return k
	}
	h := r.Header.Get("Authorization")
	if len(h) < 6 || !strings.EqualFold(h[:6], "basic ") {
		return ""
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h[6:]))
	if err != nil {
		return ""
	}
	user, pass, _ := strings.Cut(string(raw), ":")
	if user == "" {
		return pass
	}
	return user
}

// segmentAuth finds the workspace of a write key. Tracker and secret keys
// are both write keys; a tracker key's browser origin must be allowed.
func (s *Server) segmentAuth(r *http.Request, key string) (principal, error) {
	if key == "" {
		return principal{}, kith.Errorf(kith.ECodeUnauthorized,
			"no write key: send it as the Basic auth user name (empty password) or as writeKey in the body")
	}
	p, err := s.lookupKey(r.Context(), key)
	if err != nil {
		return p, err
	}
	if origin := r.Header.Get("Origin"); p.key.Kind == kith.KeyTracker && origin != "" && !originAllowed(p.workspace, origin) {
		return p, kith.Errorf(kith.ECodeOriginNotAllowed, "origin %s is not in the workspace's allowed origins", origin)
	}
	return p, nil
}

// segmentBody reads a request body of at most limit bytes, before and
// after gzip decompression (Content-Encoding: gzip, as RudderStack's SDKs
// send). JSON comes as application/json or, from analytics.js, text/plain.
func (s *Server) segmentBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && mt != "text/plain") {
			return nil, kith.Errorf(kith.ECodeUnsupportedMedia, "send JSON with Content-Type: application/json, not %q", ct)
		}
	}
	tooBig := kith.Errorf(kith.ECodePayloadTooLarge, "the body is larger than %d bytes (Segment's limit)", limit)
	var rd io.Reader = http.MaxBytesReader(w, r.Body, limit)
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(rd)
		if err != nil {
			return nil, bodyError(err, tooBig, "the body is not gzip data")
		}
		defer zr.Close()
		rd = zr
	default:
		return nil, kith.Errorf(kith.ECodeUnsupportedMedia, "Content-Encoding %q is not supported; send gzip or no encoding", enc)
	}
	body, err := io.ReadAll(io.LimitReader(rd, limit+1))
	if err != nil {
		return nil, bodyError(err, tooBig, "the body is not valid gzip data")
	}
	if int64(len(body)) > limit {
		return nil, kith.Errorf(kith.ECodePayloadTooLarge, "the decompressed body is larger than %d bytes (Segment's limit)", limit)
	}
	return body, nil
}

// bodyError describes an error reading a body: too large, or corrupt.
func bodyError(err error, tooBig *kith.Error, corrupt string) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return tooBig
	}
	return kith.Errorf(kith.ECodeInvalidJSON, "%s: %v", corrupt, err)
}

// segmentError answers a refused request. Refusals of its content are
// 400 (Segment answers 400, not 413, for sizes, and its SDKs do not retry
// a 400); keys answer 401/403; store failures go through writeError (5xx,
// which SDKs retry).
func (s *Server) segmentError(w http.ResponseWriter, r *http.Request, err error) {
	e := kith.AsError(err)
	if e == nil || e.Code == kith.ECodeInternal || e.Code == kith.ECodeUnavailable {
		s.writeError(w, r, err)
		return
	}
	var details []ingest.FieldError
	if e.Field != "" || len(e.Details) > 0 {
		details = ingest.FieldErrors(e)
	}
	s.segmentProblem(w, e, details)
}

// segmentProblem writes a problem document that is also Segment's error
// shape, {"success":false,"message":…}.
func (s *Server) segmentProblem(w http.ResponseWriter, e *kith.Error, details []ingest.FieldError) {
	if details == nil {
		details = []ingest.FieldError{} // always present, as in every problem
	}
	status := Status(e.Code)
	if status == http.StatusRequestEntityTooLarge {
		status = http.StatusBadRequest
	}
	body := struct {
		Problem
		Success bool   `json:"success"`
		Message string `json:"message"`
	}{
		Problem: Problem{Type: "/problems/" + e.Code, Title: http.StatusText(status), Status: status,
			Detail: e.Error(), Code: e.Code, Errors: details},
		Message: e.Error(),
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// firstError returns the first of a rejected message's errors.
func firstError(errs []ingest.FieldError) *kith.Error {
	if len(errs) == 0 {
		return kith.Errorf(kith.ECodeInvalid, "the message was rejected")
	}
	return &kith.Error{Code: errs[0].Code, Field: errs[0].Field, Message: errs[0].Message}
}

// Package http is Kith's HTTP API (SPEC §3): authentication, ingestion,
// profiles, and operations endpoints. It is imported as kithhttp.
package http

import (
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/importer"
	"github.com/kithcdp/kith/ingest"
	"github.com/kithcdp/kith/tracker"
)

// Server serves the API. Set the exported fields, then call Handler.
type Server struct {
	Store  kith.Store
	Logger *slog.Logger
	// TrustProxy takes the client address from X-Forwarded-For; enable it
	// only behind a proxy that sets that header.
	TrustProxy bool
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Imports keeps the import history; nil keeps it in memory, so that
	// it ends with the process.
	Imports importer.Repository

	ingest  *ingest.Service
	keys    authCache
	metrics *metrics
}

// Handler returns the HTTP handler serving every route.
func (s *Server) Handler() http.Handler {
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	s.ingest = &ingest.Service{Store: s.Store, Now: s.Now}
	s.metrics = newMetrics()
	s.metrics.countIngest(s.ingest)
	s.metrics.countWriter(s.Store)
	mux := http.NewServeMux()
	s.routes(mux)
	return s.instrument(mux)
}

// routes registers every endpoint.
func (s *Server) routes(mux *http.ServeMux) {
	secret := func(h http.HandlerFunc) http.HandlerFunc { return s.auth(false, false, h) }
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", s.metrics.handler())
	mux.Handle("GET "+tracker.Path, tracker.Handler())
	s.demoRoutes(mux)
	s.segmentRoutes(mux)

	mux.HandleFunc("POST /api/v1/events", s.cors(s.auth(true, true, s.postEvents)))
	mux.HandleFunc("OPTIONS /api/v1/events", s.cors(nil))

	mux.HandleFunc("POST /api/v1/profiles", secret(s.upsertProfile))
	mux.HandleFunc("POST /api/v1/profiles/batch", secret(s.upsertBatch))
	mux.HandleFunc("GET /api/v1/profiles/{clientId}", secret(s.getProfile))
	mux.HandleFunc("GET /api/v1/profiles/by-email/{email}", secret(s.getProfileByEmail))
	mux.HandleFunc("GET /api/v1/profiles/by-custom-id/{customId}", secret(s.getProfileByCustomID))
	mux.HandleFunc("GET /api/v1/profiles/by-uuid/{uuid}", secret(s.getProfileByUUID))
	s.importRoutes(mux)
	s.managementRoutes(mux)
	s.settingsRoutes(mux)
	s.uiRoutes(mux)

	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, kith.Errorf(kith.ECodeNotFound, "no such endpoint: %s %s", r.Method, r.URL.Path))
	})
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// clientIP returns the address of the client that sent r.
func (s *Server) clientIP(r *http.Request) string {
	if s.TrustProxy {
		if fwd := r.Header.Get("X-Forwarded-For"); fwd != "" {
			first, _, _ := strings.Cut(fwd, ",")
			return strings.TrimSpace(first)
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// request describes an authenticated caller's writes for ingest. Only
// browsers (tracker keys) are the customer's own device: a backend's
// address and user agent say nothing about the customer.
func (s *Server) request(r *http.Request) *ingest.Request {
	p := caller(r)
	req := &ingest.Request{Workspace: p.workspace, Source: sourceOf(p)}
	if p.key.Kind == kith.KeyTracker {
		req.IP, req.UserAgent = s.clientIP(r), r.UserAgent()
	}
	return req
}

// cors answers CORS for ingestion: browsers send events from the shop's
// own origin with a tracker key. Origins are checked against the
// workspace's allowed origins in auth, once the key is known.
func (s *Server) cors(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if origin := r.Header.Get("Origin"); origin != "" {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
			h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
			h.Set("Access-Control-Max-Age", "86400")
		}
		if r.Method == http.MethodOptions || next == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next(w, r)
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if err := s.Store.Ping(r.Context()); err != nil {
		s.writeError(w, r, kith.Errorf(kith.ECodeUnavailable, "the store is not reachable"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

package http

import (
	"net/http"

	"github.com/kithcdp/kith/importer"
	"github.com/kithcdp/kith/web"
)

// uiRoutes mounts the admin UI at / and the checklist's API.
func (s *Server) uiRoutes(mux *http.ServeMux) {
	ui := &web.Handler{Store: s.Store, Logger: s.Logger, Ingest: s.ingest, Now: s.Now, Imports: s.importRepository()}
	ui.Routes(mux)
	mux.HandleFunc("GET /api/v1/checklist", s.auth(false, false, s.checklist))
}

// importRepository is the import history the API keeps, when it outlives
// one handler: the store's own, or the configured one.
func (s *Server) importRepository() importer.Repository {
	if r, ok := s.Store.(importer.Repository); ok {
		return r
	}
	return s.Imports
}

// checklist is GET /api/v1/checklist: the integration checklist of SPEC
// §9, each item pass, warn or fail with what to do.
func (s *Server) checklist(w http.ResponseWriter, r *http.Request) {
	items, err := web.Checklist(r.Context(), s.Store, s.importRepository(), caller(r).workspace, s.now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

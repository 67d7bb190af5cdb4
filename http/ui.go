package http

import (
	"net/http"

	"github.com/kithcdp/kith/web"
)

// uiRoutes mounts the admin UI at /.
//
// The checklist handler below is ready for GET /api/v1/checklist with a
// secret key; it is mounted once http/openapi.json documents it
// (TestOpenAPIDocumentsEveryRoute).
func (s *Server) uiRoutes(mux *http.ServeMux) {
	ui := &web.Handler{Store: s.Store, Logger: s.Logger, Ingest: s.ingest, Now: s.Now}
	ui.Routes(mux)
}

// checklist is GET /api/v1/checklist: the integration checklist of SPEC
// §9, each item pass, warn or fail with what to do.
func (s *Server) checklist(w http.ResponseWriter, r *http.Request) {
	items, err := web.Checklist(r.Context(), s.Store, caller(r).workspace, s.now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

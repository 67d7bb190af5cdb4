package http

import (
	"net/http"

	"github.com/kithcdp/kith/demo"
)

// demoRoutes mounts the demo shop (package demo) at /demo/. It holds only
// static pages that load the tracker with a key from their own URL, so it
// exposes nothing of the workspace.
func (s *Server) demoRoutes(mux *http.ServeMux) {
	mux.Handle("GET /demo/", http.StripPrefix("/demo", demo.Handler()))
}

package http

import (
	_ "embed"
	"net/http"
)

// openAPIDocument is the OpenAPI 3.1 description of every endpoint
// (openapi.json, written by hand; openapi_test.go validates it, checks that
// it names every route of the server, and validates live requests and
// answers against it).
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPI returns the OpenAPI document served at /api/openapi.json.
func OpenAPI() []byte { return openAPIDocument }

// openAPI is GET /api/openapi.json. It needs no key: the document
// describes the API, not a workspace.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(openAPIDocument)
}

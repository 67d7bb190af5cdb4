package http

import (
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kithcdp/kith/ingest"
	"github.com/kithcdp/kith/sqlite"
	"github.com/kithcdp/kith/tracker"
)

// unDocumented are the route patterns the OpenAPI document leaves out, and
// why.
var unDocumented = map[string]string{
	"/api/":      "the fallback answering 404 for unknown API paths",
	"GET /demo/": "the demo shop's static pages (package demo), not an API",
}

// registeredRoutes returns every pattern that http/*.go registers on the
// mux, read from the source: mux.HandleFunc and mux.Handle calls with a
// constant pattern, "GET "+tracker.Path, and the Segment routes built from
// segmentPaths. A registration of another form fails the test, so that no
// route can escape the check.
func registeredRoutes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var routes []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "HandleFunc" && sel.Sel.Name != "Handle") {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "mux" {
				return true
			}
			got, ok := routePatterns(call.Args[0])
			if !ok {
				t.Errorf("%s: route pattern %s: teach registeredRoutes (openapi_routes_test.go) to read it",
					fset.Position(call.Pos()), types.ExprString(call.Args[0]))
			}
			routes = append(routes, got...)
			return true
		})
	}
	if len(routes) < 20 {
		t.Fatalf("found only %d routes in http/*.go: %q", len(routes), routes)
	}
	return routes
}

// routePatterns evaluates a route pattern expression of a known form.
func routePatterns(e ast.Expr) ([]string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		s, err := strconv.Unquote(e.Value)
		return []string{s}, err == nil
	case *ast.BinaryExpr:
		lit, ok := e.X.(*ast.BasicLit)
		if !ok || e.Op != token.ADD {
			return nil, false
		}
		prefix, err := strconv.Unquote(lit.Value)
		if err != nil {
			return nil, false
		}
		switch y := e.Y.(type) {
		case *ast.SelectorExpr: // "GET "+tracker.Path
			if x, ok := y.X.(*ast.Ident); ok && x.Name == "tracker" && y.Sel.Name == "Path" {
				return []string{prefix + tracker.Path}, true
			}
		case *ast.Ident: // "POST /v1/"+path, ranging over segmentPaths
			if y.Name == "path" && strings.HasSuffix(prefix, " /v1/") {
				var out []string
				for p := range segmentPaths {
					out = append(out, prefix+p)
				}
				return out, true
			}
		}
	}
	return nil, false
}

// documentedOperations returns "METHOD /path" for every operation of the
// OpenAPI document.
func documentedOperations(t *testing.T) []string {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	var ops []string
	for path, item := range doc.Paths {
		for method := range item {
			switch method {
			case "get", "put", "post", "delete", "options", "head", "patch", "trace":
				ops = append(ops, strings.ToUpper(method)+" "+path)
			}
		}
	}
	slices.Sort(ops)
	return ops
}

// patternCovers reports whether a mux pattern serves a documented
// operation: same method, and every segment equal or a wildcard of the
// pattern.
func patternCovers(pattern, op string) bool {
	pm, pp, _ := strings.Cut(pattern, " ")
	om, opath, _ := strings.Cut(op, " ")
	if pm != om {
		return false
	}
	ps, os := strings.Split(pp, "/"), strings.Split(opath, "/")
	if len(ps) != len(os) {
		return false
	}
	for i := range ps {
		if ps[i] != os[i] && !(strings.HasPrefix(ps[i], "{") && strings.HasSuffix(ps[i], "}")) {
			return false
		}
	}
	return true
}

// TestOpenAPIDocumentsEveryRoute checks both ways that the document and the
// server agree: every route the server registers is documented, and every
// documented operation reaches a route of its own rather than the 404
// fallback.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	ops := documentedOperations(t)
	for _, route := range registeredRoutes(t) {
		if _, ok := unDocumented[route]; ok {
			continue
		}
		if !strings.Contains(route, " ") {
			t.Errorf("route %q has no method; document it or list it in unDocumented", route)
			continue
		}
		if !slices.ContainsFunc(ops, func(op string) bool { return patternCovers(route, op) }) {
			t.Errorf("route %q is not in http/openapi.json", route)
		}
	}

	st, err := sqlite.Open(context.Background(), sqlite.Options{Dir: t.TempDir(), Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := &Server{Store: st, Logger: slog.Default()}
	s.ingest = &ingest.Service{Store: st}
	s.metrics = newMetrics()
	mux := http.NewServeMux()
	s.routes(mux)
	for _, op := range ops {
		method, path, _ := strings.Cut(op, " ")
		r := httptest.NewRequest(method, samplePath(path), nil)
		if _, pattern := mux.Handler(r); pattern == "" || pattern == "/api/" {
			t.Errorf("documented operation %s has no route (pattern %q)", op, pattern)
		}
	}
}

// samplePath fills a path template's parameters with sample values.
func samplePath(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, "{") {
			parts[i] = "1"
		}
	}
	return strings.Join(parts, "/")
}

package demo

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestServed checks that every page of the demo is served, mounted the way
// the API server mounts it, with what the tracker needs in it.
func TestServed(t *testing.T) {
	srv := httptest.NewServer(http.StripPrefix("/demo", Handler()))
	defer srv.Close()
	for _, tc := range []struct{ path, contentType, want string }{
		{"/demo/", "text/html", `id="offer"`},
		{"/demo/newsletter.html", "text/html", `data-kith-form="newsletter"`},
		{"/demo/login.html", "text/html", `type="password"`},
		{"/demo/demo.js", "text/javascript", "../sdk/kith.js"},
		{"/demo/style.css", "text/css", "body"},
	} {
		res, err := http.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: status %d", tc.path, res.StatusCode)
			continue
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.contentType) {
			t.Errorf("GET %s: Content-Type %q, want %s", tc.path, ct, tc.contentType)
		}
		if !strings.Contains(string(body), tc.want) {
			t.Errorf("GET %s: no %q in the body", tc.path, tc.want)
		}
	}
}

// TestNoExternalAssets keeps the demo self-contained: it must work offline
// and send visitors' addresses to no third party.
func TestNoExternalAssets(t *testing.T) {
	entries, err := files.ReadDir("static")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := files.ReadFile("static/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, ref := range []string{"http://", "https://", "//"} {
			for _, attr := range []string{`src="`, `href="`, "url("} {
				if strings.Contains(string(b), attr+ref) {
					t.Errorf("%s refers to an external asset (%s%s…)", e.Name(), attr, ref)
				}
			}
		}
	}
}

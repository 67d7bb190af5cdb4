package web_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestProgressOfAGoneImport: the progress fragment of an import the server
// no longer knows (lost in a restart) stops htmx's polling and leaves the
// page alone; a plain request gets the error page.
func TestProgressOfAGoneImport(t *testing.T) {
	st, _ := benchStore(t)
	mux, cookie := signedInUI(t, st)
	for _, htmx := range []bool{true, false} {
		req := httptest.NewRequest("GET", "/imports/gone/progress", nil)
		req.AddCookie(cookie)
		if htmx {
			req.Header.Set("HX-Request", "true")
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		switch {
		case htmx && (rec.Code != 286 || rec.Header().Get("HX-Reswap") != "none"):
			t.Errorf("htmx poll: %d, HX-Reswap %q; want 286 and none", rec.Code, rec.Header().Get("HX-Reswap"))
		case !htmx && rec.Code != http.StatusNotFound:
			t.Errorf("plain request: %d, want 404", rec.Code)
		}
	}
}

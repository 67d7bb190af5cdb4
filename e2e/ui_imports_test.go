package e2e

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kithcdp/kith"
	kithhttp "github.com/kithcdp/kith/http"
	"github.com/kithcdp/kith/importer"
	"github.com/kithcdp/kith/sqlite"
)

// TestUIImport uploads a CSV on the imports page, sees it in the history
// with its row errors, downloads them, and sees the checklist count them.
func TestUIImport(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv := &kithhttp.Server{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Imports: importer.NewMemoryRepository()}
	api := httptest.NewServer(srv.Handler())
	t.Cleanup(api.Close)
	if _, err := kith.CreateWorkspace(ctx, st, kith.NewWorkspace("shop", kith.ModeEmail), time.Now()); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, store: st, api: api}
	c := e.uiClient(e.uiUser("shop", "ann@shop.test"))
	_, page := get(t, c, api.URL+"/imports")

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", csrfOf(page))
	fw, _ := mw.CreateFormFile("file", "customers.csv")
	_, _ = io.WriteString(fw, "email,firstName,birthDate\nada@example.com,Ada,1990-05-01\nbob@example.com,Bob,2999-01-01\n")
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, api.URL+"/imports", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload answered %d", res.StatusCode)
	}
	var link string
	eventually(t, "the import to finish with one row error", func() error {
		_, page := get(t, c, api.URL+"/imports")
		if !strings.Contains(page, "customers.csv") || !strings.Contains(page, ">done<") {
			return errStatus(http.StatusAccepted)
		}
		_, rest, ok := strings.Cut(page, `<a href="/imports/`)
		if !ok {
			return errStatus(http.StatusNotFound)
		}
		id, _, _ := strings.Cut(rest, `"`)
		link = "/imports/" + id
		return nil
	})
	status, csv := get(t, c, api.URL+link)
	if status != http.StatusOK || !strings.HasPrefix(csv, "line,column,code,message\n") || !strings.Contains(csv, "birthDate") {
		t.Fatalf("errors download: %d %q", status, csv)
	}
	if _, dash := get(t, c, api.URL+"/checklist"); !strings.Contains(dash, "reported 1 row errors") {
		t.Fatal("the checklist does not count the row error")
	}
}

package e2e

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kithcdp/kith"
	kithhttp "github.com/kithcdp/kith/http"
	"github.com/kithcdp/kith/importer"
	"github.com/kithcdp/kith/sqlite"
)

// importsEnv starts a server with an import history over a fresh store
// (wrapped by wrap when it is not nil) holding the workspace "shop".
func importsEnv(t *testing.T, wrap func(kith.Store) kith.Store) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var served kith.Store = st
	if wrap != nil {
		served = wrap(st)
	}
	srv := &kithhttp.Server{Store: served, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Imports: importer.NewMemoryRepository()}
	api := httptest.NewServer(srv.Handler())
	t.Cleanup(api.Close)
	creds, err := kith.CreateWorkspace(ctx, st, kith.NewWorkspace("shop", kith.ModeEmail), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, store: st, api: api, ws: creds.Workspace, secret: creds.SecretKey}
}

// uploadFile uploads a file on the imports page with c and answers the
// status and the Location header.
func uploadFile(t *testing.T, c *http.Client, base, name, content string) (int, string) {
	t.Helper()
	_, page := get(t, c, base+"/imports")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", csrfOf(page))
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = io.WriteString(fw, content)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, base+"/imports", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Location")
}

// TestUIImport uploads a CSV on the imports page, starts it with the
// mapping page's choices, sees it in the history with its row errors,
// downloads them, and sees the checklist count them.
func TestUIImport(t *testing.T) {
	e := importsEnv(t, nil)
	api := e.api
	c := e.uiClient(e.uiUser("shop", "ann@shop.test"))
	status, mapping := uploadFile(t, c, api.URL, "customers.csv", "email,firstName,birthDate\nada@example.com,Ada,1990-05-01\nbob@example.com,Bob,2999-01-01\n")
	if status != http.StatusSeeOther || !strings.HasPrefix(mapping, "/imports/mapping?upload=") {
		t.Fatalf("upload answered %d %q", status, mapping)
	}
	upload := strings.TrimPrefix(mapping, "/imports/mapping?upload=")
	_, page := get(t, c, api.URL+mapping)
	for _, want := range []string{`value="email" selected`, `value="attributes.firstName" selected`, "bob@example.com"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the mapping page lacks %s", want)
		}
	}
	status, _ = post(t, c, api.URL, mapping, "/imports/mapping", url.Values{"upload": {upload},
		"col.0": {"email"}, "col.1": {"attributes.firstName"}, "col.2": {"attributes.birthDate"}})
	if status != http.StatusSeeOther {
		t.Fatalf("start answered %d", status)
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
		link = "/imports/" + id + "/errors"
		return nil
	})
	status, csv := get(t, c, api.URL+link)
	if status != http.StatusOK || !strings.HasPrefix(csv, "line,column,code,message\n") || !strings.Contains(csv, "birthDate") {
		t.Fatalf("errors download: %d %q", status, csv)
	}
	if _, dash := get(t, c, api.URL+"/checklist"); !strings.Contains(dash, "reported 1 row errors") {
		t.Fatal("the checklist does not count the row error")
	}
	// The upload was used up: starting it again finds nothing.
	if status, page := post(t, c, api.URL, "/imports", "/imports/mapping", url.Values{"upload": {upload}, "col.0": {"email"}}); status != http.StatusUnprocessableEntity || !strings.Contains(page, "upload is gone") {
		t.Fatalf("starting a used upload again: %d", status)
	}
}

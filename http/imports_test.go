package http

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/importer"
	"github.com/kithcdp/kith/sqlite"
)

// importEnv is a real server on the embedded store with one workspace.
type importEnv struct {
	t          *testing.T
	st         kith.Store
	srv        *httptest.Server
	ws         *kith.Workspace
	key, track string
}

func newImportEnv(t *testing.T, dir string) *importEnv {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Options{Dir: dir, Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	creds, err := kith.CreateWorkspace(ctx, st, kith.NewWorkspace(fmt.Sprintf("ws-%d", time.Now().UnixNano()), kith.ModeEmail), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return startImportEnv(t, st, creds, nil)
}

func startImportEnv(t *testing.T, st kith.Store, creds *kith.Credentials, repo importer.Repository) *importEnv {
	s := &Server{Store: st, Imports: repo}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &importEnv{t: t, st: st, srv: srv, ws: creds.Workspace, key: creds.SecretKey, track: creds.TrackerKey}
}

// form builds a multipart body from name → content; "file" is sent as a
// file called name.
func form(fileName string, parts map[string]string) (*bytes.Buffer, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for name, content := range parts {
		var w io.Writer
		if name == "file" {
			w, _ = mw.CreateFormFile("file", fileName)
		} else {
			w, _ = mw.CreateFormField(name)
		}
		_, _ = io.WriteString(w, content)
	}
	_ = mw.Close()
	return &b, mw.FormDataContentType()
}

func (e *importEnv) do(method, path, key, contentType string, body io.Reader) (*http.Response, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, data
}

// upload posts a file and returns the 202 answer.
func (e *importEnv) upload(fileName string, parts map[string]string) *importer.Import {
	e.t.Helper()
	body, ct := form(fileName, parts)
	resp, data := e.do("POST", "/api/v1/imports", e.key, ct, body)
	if resp.StatusCode != http.StatusAccepted {
		e.t.Fatalf("POST /api/v1/imports: %d %s", resp.StatusCode, data)
	}
	var imp importer.Import
	if err := json.Unmarshal(data, &imp); err != nil {
		e.t.Fatal(err)
	}
	if resp.Header.Get("Location") != "/api/v1/imports/"+imp.ID || imp.StartedAt.IsZero() {
		e.t.Errorf("answer %s, Location %q", data, resp.Header.Get("Location"))
	}
	return &imp
}

// wait polls an import until it ends.
func (e *importEnv) wait(id string) *importer.Import {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, data := e.do("GET", "/api/v1/imports/"+id, e.key, "", nil)
		if resp.StatusCode != http.StatusOK {
			e.t.Fatalf("GET import: %d %s", resp.StatusCode, data)
		}
		var imp importer.Import
		if err := json.Unmarshal(data, &imp); err != nil {
			e.t.Fatal(err)
		}
		if imp.Status != importer.StatusRunning {
			return &imp
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("import %s still running: %s", id, data)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (e *importEnv) profile(email string) *kith.Profile {
	e.t.Helper()
	ctx := context.Background()
	var p *kith.Profile
	err := e.st.View(ctx, func(tx kith.ReadTx) error {
		id, err := tx.FindClientID(ctx, e.ws.ID, kith.KindEmail, email)
		if err != nil || id == 0 {
			return err
		}
		p, err = tx.FindProfile(ctx, e.ws.ID, id)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

const importCSV = "E-mail;firstName;points;Notes\r\n" +
	"ada@example.com;Ada;1;x\r\n" +
	"grace@example.com;Grace;two;y\r\n" +
	"linus@example.com;Linus;3;z\r\n"

const importMapping = `{"columns":{"E-mail":"email","Notes":null},"tags":["import-2026-11"]}`

// TestImportAPI runs imports end to end through the real server: a dry
// run, a real run, the history, the errors CSV and a re-run.
func TestImportAPI(t *testing.T) {
	e := newImportEnv(t, t.TempDir())
	dry := e.upload("crm.csv", map[string]string{"file": importCSV, "mapping": importMapping, "dryRun": "true"})
	if !dry.DryRun || dry.FileName != "crm.csv" || dry.Status != importer.StatusRunning && dry.Status != importer.StatusDone {
		t.Errorf("dry run answer = %+v", dry)
	}
	dry = e.wait(dry.ID)
	if dry.Status != importer.StatusDone || dry.Rows != 3 || dry.Created != 2 || dry.Failed != 1 || dry.FinishedAt == nil {
		t.Errorf("dry run = %+v", dry)
	}
	if p := e.profile("ada@example.com"); p != nil {
		t.Fatalf("the dry run wrote %+v", p)
	}

	real := e.wait(e.upload("crm.csv", map[string]string{"file": importCSV, "mapping": importMapping}).ID)
	if real.Status != importer.StatusDone || real.DryRun || real.Rows != 3 || real.Created != 2 || real.Updated != 0 ||
		real.Merged != 0 || real.Failed != 1 || real.Errors != 1 || real.BytesRead != int64(len(importCSV)) {
		t.Errorf("import = %+v", real)
	}
	ada := e.profile("ada@example.com")
	if ada == nil || ada.Attributes["points"] != 1.0 || len(ada.Tags) != 1 || ada.Tags[0] != "import-2026-11" {
		t.Fatalf("ada = %+v", ada)
	}

	resp, data := e.do("GET", "/api/v1/imports/"+real.ID+"/errors", e.key, "", nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("errors: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if want := "line,column,code,message\n3,points,attribute_type_mismatch,"; !strings.HasPrefix(string(data), want) {
		t.Errorf("errors CSV = %q, want it to start with %q", data, want)
	}

	again := e.wait(e.upload("crm.csv", map[string]string{"file": importCSV, "mapping": importMapping}).ID)
	if again.Created != 0 || again.Updated != 2 || again.Failed != 1 {
		t.Errorf("re-run = %+v", again)
	}

	resp, data = e.do("GET", "/api/v1/imports", e.key, "", nil)
	var list struct{ Imports []importer.Import }
	if err := json.Unmarshal(data, &list); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("list: %d %s", resp.StatusCode, data)
	}
	if len(list.Imports) != 3 || list.Imports[0].ID != again.ID || list.Imports[2].ID != dry.ID {
		t.Errorf("history = %s", data)
	}
	for _, key := range []string{`"id"`, `"status"`, `"dryRun"`, `"rows"`, `"created"`, `"updated"`, `"merged"`, `"failed"`, `"startedAt"`, `"finishedAt"`, `"fileName"`, `"errors"`} {
		if !strings.Contains(string(data), key) {
			t.Errorf("IMPORT lacks %s: %s", key, data)
		}
	}
}

// TestImportAPIUnknownColumns checks that a file with unknown columns
// fails as a whole, naming them, with nothing written.
func TestImportAPIUnknownColumns(t *testing.T) {
	e := newImportEnv(t, t.TempDir())
	imp := e.wait(e.upload("crm.ndjson", map[string]string{"file": `{"email":"ada@example.com","status":"x","E-mail":"y"}` + "\n"}).ID)
	if imp.Status != importer.StatusFailed || imp.Failure == nil || !strings.Contains(imp.Failure.Message, `"status"`) || imp.Rows != 0 {
		t.Errorf("import = %+v %+v", imp, imp.Failure)
	}
	_, data := e.do("GET", "/api/v1/imports/"+imp.ID+"/errors", e.key, "", nil)
	if !strings.Contains(string(data), "0,E-mail,reserved_attribute,") || !strings.Contains(string(data), "0,status,reserved_attribute,") {
		t.Errorf("errors CSV = %s", data)
	}
	if p := e.profile("ada@example.com"); p != nil {
		t.Errorf("wrote %+v", p)
	}
}

// TestImportAPIRefusals checks the requests that are refused outright.
func TestImportAPIRefusals(t *testing.T) {
	e := newImportEnv(t, t.TempDir())
	body := func(parts map[string]string) (io.Reader, string) { return form("a.csv", parts) }
	for _, tc := range []struct {
		name   string
		key    string
		parts  map[string]string
		raw    string // a non-multipart body, when set
		path   string
		status int
		code   string
	}{
		{name: "no key", parts: map[string]string{"file": "email\n"}, status: 401, code: kith.ECodeUnauthorized},
		{name: "tracker key", key: e.track, parts: map[string]string{"file": "email\n"}, status: 403, code: kith.ECodeForbidden},
		{name: "not multipart", key: e.key, raw: "email\n", status: 415, code: kith.ECodeUnsupportedMedia},
		{name: "no file", key: e.key, parts: map[string]string{"dryRun": "true"}, status: 400, code: kith.ECodeRequired},
		{name: "bad mapping", key: e.key, parts: map[string]string{"file": "email\n", "mapping": `{"columns":{"a":""}}`}, status: 400, code: importer.CodeInvalidMapping},
		{name: "bad dryRun", key: e.key, parts: map[string]string{"file": "email\n", "dryRun": "perhaps"}, status: 400, code: kith.ECodeInvalid},
		{name: "unknown part", key: e.key, parts: map[string]string{"file": "email\n", "format": "csv"}, status: 400, code: kith.ECodeUnknownField},
		{name: "unknown import", key: e.key, path: "/api/v1/imports/imp_0000000000000000000000", status: 404, code: kith.ECodeNotFound},
		{name: "unknown import errors", key: e.key, path: "/api/v1/imports/../../x/errors", status: 404, code: kith.ECodeNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var resp *http.Response
			var data []byte
			switch {
			case tc.path != "":
				resp, data = e.do("GET", tc.path, tc.key, "", nil)
			case tc.raw != "":
				resp, data = e.do("POST", "/api/v1/imports", tc.key, "text/csv", strings.NewReader(tc.raw))
			default:
				b, ct := body(tc.parts)
				resp, data = e.do("POST", "/api/v1/imports", tc.key, ct, b)
			}
			var p Problem
			_ = json.Unmarshal(data, &p)
			if resp.StatusCode != tc.status || p.Code != tc.code {
				t.Errorf("%d %s, want %d %s", resp.StatusCode, data, tc.status, tc.code)
			}
		})
	}
}

// TestImportAPITooLarge checks that an upload over the limit is refused
// with 413 and leaves no temporary file behind.
func TestImportAPITooLarge(t *testing.T) {
	old := maxImportBytes
	maxImportBytes = 1 << 10
	t.Cleanup(func() { maxImportBytes = old })
	e := newImportEnv(t, t.TempDir())
	b, ct := form("big.csv", map[string]string{"file": "email\n" + strings.Repeat("a@example.com\n", 1<<20/14)})
	resp, data := e.do("POST", "/api/v1/imports", e.key, ct, b)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(data), kith.ECodePayloadTooLarge) {
		t.Errorf("%d %s", resp.StatusCode, data)
	}
}

// TestImportHistorySurvivesRestart checks that with a file repository the
// history and errors outlive the server, and that an import whose process
// stopped shows as failed.
func TestImportHistorySurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	repo, err := importer.NewFileRepository(dir + "/imports")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Options{Dir: dir, Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	creds, err := kith.CreateWorkspace(ctx, st, kith.NewWorkspace("restart", kith.ModeEmail), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	first := startImportEnv(t, st, creds, repo)
	imp := first.wait(first.upload("crm.csv", map[string]string{"file": importCSV, "mapping": importMapping}).ID)
	first.srv.Close()

	// A record left running by a process that stopped long ago.
	stale := &importer.Import{ID: "imp_000000000001aaaaaaaaaa", WorkspaceID: creds.Workspace.ID, Status: importer.StatusRunning,
		StartedAt: time.Now().Add(-time.Hour), UpdatedAt: time.Now().Add(-time.Hour)}
	if err := repo.CreateImport(ctx, stale); err != nil {
		t.Fatal(err)
	}

	second := startImportEnv(t, st, creds, repo)
	got := second.wait(imp.ID)
	if got.Rows != 3 || got.Created != 2 || got.Failed != 1 || got.Status != importer.StatusDone {
		t.Errorf("after restart: %+v", got)
	}
	_, data := second.do("GET", "/api/v1/imports/"+imp.ID+"/errors", second.key, "", nil)
	if strings.Count(string(data), "\n") != 2 {
		t.Errorf("errors after restart = %q", data)
	}
	if s := second.wait(stale.ID); s.Status != importer.StatusFailed || s.Failure == nil || s.Failure.Code != importer.CodeInterrupted {
		t.Errorf("stale import = %+v", s)
	}
}

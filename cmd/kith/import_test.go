package main

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"

	"github.com/kithcdp/kith"
	kithhttp "github.com/kithcdp/kith/http"
	"github.com/kithcdp/kith/importer"
	"github.com/kithcdp/kith/sqlite"
)

// runCLI runs the command line in-process.
func runCLI(t *testing.T, args ...string) error {
	t.Helper()
	var c cli
	parser, err := kong.New(&c, kong.Name("kith"), kong.Exit(func(int) { t.Fatalf("kong exited on %v", args) }))
	if err != nil {
		t.Fatal(err)
	}
	kctx, err := parser.Parse(args)
	if err != nil {
		return err
	}
	kctx.BindTo(context.Background(), (*context.Context)(nil))
	return kctx.Run()
}

const cliCSV = "E-mail;firstName;points\nada@example.com;Ada;1\ngrace@example.com;Grace;two\n"

func writeFiles(t *testing.T) (dir, file, mapping string) {
	dir = t.TempDir()
	file = filepath.Join(dir, "crm.csv")
	mapping = filepath.Join(dir, "mapping.json")
	if err := os.WriteFile(file, []byte(cliCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mapping, []byte(`{"columns":{"E-mail":"email"},"tags":["cli"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, file, mapping
}

// TestImportCommand imports into an embedded store directory: the default
// workspace is created, failed rows go to FILE.errors.csv, the history is
// kept in DATA/imports.
func TestImportCommand(t *testing.T) {
	dir, file, mapping := writeFiles(t)
	data := filepath.Join(dir, "data")
	if err := runCLI(t, "import", file, "--data", data, "--mapping", mapping, "--sync", "normal"); err != nil {
		t.Fatal(err)
	}
	errs, err := os.ReadFile(file + ".errors.csv")
	if err != nil || !strings.HasPrefix(string(errs), "line,column,code,message\n3,points,attribute_type_mismatch,") {
		t.Errorf("errors file = %q, %v", errs, err)
	}
	custom := filepath.Join(dir, "custom-errors.csv")
	if err := runCLI(t, "import", file, "--data", data, "--mapping", mapping, "--dry-run", "--errors", custom, "--json"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(custom); err != nil {
		t.Errorf("no custom errors file: %v", err)
	}
	repo, err := importer.NewFileRepository(filepath.Join(data, "imports"))
	if err != nil {
		t.Fatal(err)
	}
	imps, err := repo.ListImports(context.Background(), 1, 10)
	if err != nil || len(imps) != 2 {
		t.Fatalf("history = %v, %v", imps, err)
	}
	if !imps[0].DryRun || imps[0].Updated != 1 || imps[1].Created != 1 || imps[1].Failed != 1 {
		t.Errorf("history = %+v, %+v", imps[0], imps[1])
	}
	if err := runCLI(t, "import", file, "--data", data, "--workspace", "nope"); err == nil || !strings.Contains(err.Error(), "workspace create") {
		t.Errorf("unknown workspace: %v", err)
	}
	if err := runCLI(t, "import", file, "--data", data, "--delimiter", "ab"); kith.ErrorCode(err) != importer.CodeInvalidMapping {
		t.Errorf("bad delimiter: %v", err)
	}
}

// TestImportCommandServer uploads through the API of a real server.
func TestImportCommandServer(t *testing.T) {
	dir, file, mapping := writeFiles(t)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Options{Dir: filepath.Join(dir, "server"), Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	creds, err := kith.CreateWorkspace(ctx, st, kith.NewWorkspace("default", kith.ModeEmail), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer((&kithhttp.Server{Store: st}).Handler())
	defer srv.Close()
	errsPath := filepath.Join(dir, "remote-errors.csv")
	if err := runCLI(t, "import", file, "--server", srv.URL, "--key", creds.SecretKey, "--mapping", mapping, "--errors", errsPath); err != nil {
		t.Fatal(err)
	}
	errs, err := os.ReadFile(errsPath)
	if err != nil || strings.Count(string(errs), "\n") != 2 {
		t.Errorf("errors file = %q, %v", errs, err)
	}
	err = st.View(ctx, func(tx kith.ReadTx) error {
		id, err := tx.FindClientID(ctx, creds.Workspace.ID, kith.KindEmail, "ada@example.com")
		if err == nil && id == 0 {
			t.Error("ada was not imported")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := runCLI(t, "import", file, "--server", srv.URL, "--key", "sk_wrong"); kith.ErrorCode(err) != kith.ECodeUnauthorized {
		t.Errorf("wrong key: %v", err)
	}
}

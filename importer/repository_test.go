package importer_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/importer"
)

// repositories lists the Repository implementations; reopen returns the
// same history as another process would see it.
var repositories = []struct {
	name string
	open func(t *testing.T) (repo importer.Repository, reopen func() importer.Repository)
}{
	{"memory", func(t *testing.T) (importer.Repository, func() importer.Repository) {
		r := importer.NewMemoryRepository()
		return r, func() importer.Repository { return r }
	}},
	{"file", func(t *testing.T) (importer.Repository, func() importer.Repository) {
		dir := t.TempDir() + "/imports"
		open := func() importer.Repository {
			r, err := importer.NewFileRepository(dir)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		return open(), open
	}},
}

// record returns a new import record of workspace ws started at minute m.
func record(ws int64, m int) *importer.Import {
	at := testNow.Add(time.Duration(m) * time.Minute)
	return &importer.Import{ID: importer.NewID(at), WorkspaceID: ws, FileName: "x.csv", Status: importer.StatusRunning,
		StartedAt: at, UpdatedAt: at}
}

func TestRepositories(t *testing.T) {
	ctx := context.Background()
	for _, tc := range repositories {
		t.Run(tc.name, func(t *testing.T) {
			repo, reopen := tc.open(t)
			a1, a2, b1 := record(1, 1), record(1, 2), record(2, 3)
			for _, imp := range []*importer.Import{a1, a2, b1} {
				if err := repo.CreateImport(ctx, imp); err != nil {
					t.Fatal(err)
				}
			}
			if err := repo.CreateImport(ctx, a1); kith.ErrorCode(err) != kith.ECodeConflict {
				t.Errorf("second create: %v", err)
			}
			a1.Rows, a1.Created, a1.Status = 10, 9, importer.StatusDone
			done := testNow.Add(time.Hour)
			a1.FinishedAt = &done
			if err := repo.UpdateImport(ctx, a1); err != nil {
				t.Fatal(err)
			}
			errs := make([]importer.RowError, 25)
			for i := range errs {
				errs[i] = importer.RowError{Line: int64(i + 2), Column: "email", Code: kith.ECodeInvalidEmail, Message: fmt.Sprintf("bad, \"%d\"\nreally", i)}
			}
			if err := repo.AddImportErrors(ctx, 1, a1.ID, errs[:10]); err != nil {
				t.Fatal(err)
			}
			if err := repo.AddImportErrors(ctx, 1, a1.ID, errs[10:]); err != nil {
				t.Fatal(err)
			}
			repo = reopen()
			got, err := repo.FindImport(ctx, 1, a1.ID)
			if err != nil || got.Rows != 10 || got.Status != importer.StatusDone || got.FinishedAt == nil || !got.FinishedAt.Equal(done) || got.WorkspaceID != 1 {
				t.Errorf("FindImport = %+v, %v", got, err)
			}
			for _, bad := range []struct {
				ws int64
				id string
			}{{2, a1.ID}, {1, "imp_nope"}, {1, "../../etc/passwd"}} {
				if _, err := repo.FindImport(ctx, bad.ws, bad.id); kith.ErrorCode(err) != kith.ECodeNotFound {
					t.Errorf("FindImport(%d, %q) = %v", bad.ws, bad.id, err)
				}
				if _, err := repo.ImportErrors(ctx, bad.ws, bad.id, 0, 10); kith.ErrorCode(err) != kith.ECodeNotFound {
					t.Errorf("ImportErrors(%d, %q) = %v", bad.ws, bad.id, err)
				}
			}
			moved := *b1
			moved.WorkspaceID = 1
			if err := repo.UpdateImport(ctx, &moved); kith.ErrorCode(err) != kith.ECodeNotFound {
				t.Errorf("update in another workspace: %v", err)
			}
			list, err := repo.ListImports(ctx, 1, 10)
			if err != nil || len(list) != 2 || list[0].ID != a2.ID || list[1].ID != a1.ID {
				t.Errorf("ListImports = %v, %v", list, err)
			}
			if list, _ := repo.ListImports(ctx, 1, 1); len(list) != 1 || list[0].ID != a2.ID {
				t.Errorf("ListImports limit 1 = %v", list)
			}
			var read []importer.RowError
			for after := int64(0); ; {
				page, err := repo.ImportErrors(ctx, 1, a1.ID, after, 7)
				if err != nil {
					t.Fatal(err)
				}
				if len(page) == 0 {
					break
				}
				read = append(read, page...)
				after += int64(len(page))
			}
			if fmt.Sprint(read) != fmt.Sprint(errs) {
				t.Errorf("errors read back = %v", read)
			}
			if page, _ := repo.ImportErrors(ctx, 1, a1.ID, 3, 2); len(page) != 2 || page[0].Line != 5 {
				t.Errorf("page after 3 = %v", page)
			}
			if page, err := repo.ImportErrors(ctx, 1, a2.ID, 0, 10); err != nil || len(page) != 0 {
				t.Errorf("errors of a2 = %v, %v", page, err)
			}
		})
	}
}

// TestServiceRecords checks the records Service keeps: counts that add
// up, the errors, and the failure of a file refused for its columns.
func TestServiceRecords(t *testing.T) {
	st := openSQLite(t)
	ws := workspace(t, st, kith.ModeEmail)
	repo := importer.NewMemoryRepository()
	tick := testNow
	svc := &importer.Service{Store: st, Repo: repo, Now: func() time.Time { tick = tick.Add(time.Second); return tick }}
	ctx := context.Background()
	var progress []importer.Progress
	imp, err := svc.Run(ctx, ws, importer.Input{Name: "a.csv", R: strings.NewReader("email\na@example.com\nbad\nb@example.com\n"), Size: 37},
		importer.Options{BatchSize: 1, OnProgress: func(p importer.Progress) { progress = append(progress, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if imp.Status != importer.StatusDone || imp.Rows != 3 || imp.Created != 2 || imp.Failed != 1 || imp.Errors != 1 ||
		imp.BytesRead != 37 || imp.FinishedAt == nil || imp.FileName != "a.csv" {
		t.Errorf("import = %+v", imp)
	}
	if len(progress) != 3 || progress[2].Rows != 3 {
		t.Errorf("progress = %+v", progress)
	}
	got, err := svc.Find(ctx, ws.ID, imp.ID)
	if err != nil || got.Rows != 3 || got.Status != importer.StatusDone {
		t.Errorf("Find = %+v, %v", got, err)
	}
	var errs []importer.RowError
	if err := svc.Errors(ctx, ws.ID, imp.ID, func(e []importer.RowError) error { errs = append(errs, e...); return nil }); err != nil || len(errs) != 1 || errs[0].Line != 3 {
		t.Errorf("errors = %v, %v", errs, err)
	}

	bad, err := svc.Run(ctx, ws, importer.Input{Name: "b.csv", R: strings.NewReader("email,type\na@example.com,x\n")}, importer.Options{})
	if kith.ErrorCode(err) != kith.ECodeReservedAttribute || bad.Status != importer.StatusFailed || bad.Failure == nil ||
		!strings.Contains(bad.Failure.Message, `"type"`) || bad.Errors != 1 {
		t.Errorf("bad = %+v %+v, %v", bad, bad.Failure, err)
	}
	list, err := svc.List(ctx, ws.ID, 10)
	if err != nil || len(list) != 2 || list[0].ID != bad.ID {
		t.Errorf("List = %v, %v", list, err)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	stopped, err := svc.Run(cancelled, ws, importer.Input{Name: "c.csv", R: strings.NewReader("email\nc@example.com\n")}, importer.Options{})
	if err == nil || stopped.Status != importer.StatusFailed {
		t.Errorf("cancelled = %+v, %v", stopped, err)
	}
}

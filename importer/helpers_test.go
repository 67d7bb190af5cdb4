package importer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/importer"
	"github.com/kithcdp/kith/postgres"
	"github.com/kithcdp/kith/sqlite"
)

// testNow is the clock of every test: birth dates are checked against it.
var testNow = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

func clock() time.Time { return testNow }

// stores lists the stores every behaviour is tested on.
var stores = []struct {
	name string
	open func(t testing.TB) kith.Store
}{
	{"sqlite", openSQLite},
	{"postgres", func(t testing.TB) kith.Store { return postgres.OpenTestStore(t) }},
}

// eachStore runs fn against every store, as a subtest.
func eachStore(t *testing.T, fn func(t *testing.T, st kith.Store)) {
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) { fn(t, s.open(t)) })
	}
}

func openSQLite(t testing.TB) kith.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), sqlite.Options{Dir: t.TempDir(), Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

var wsCount int

// workspace creates a workspace in the given identity mode.
func workspace(t testing.TB, st kith.Store, mode string) *kith.Workspace {
	t.Helper()
	wsCount++
	c, err := kith.CreateWorkspace(context.Background(), st, kith.NewWorkspace(fmt.Sprintf("ws%d", wsCount), mode), testNow)
	if err != nil {
		t.Fatal(err)
	}
	return c.Workspace
}

// result is what one import reported.
type result struct {
	counts importer.Counts
	errs   []importer.RowError
	err    error
}

// run imports content as a file called name.
func run(t testing.TB, st kith.Store, ws *kith.Workspace, name, content string, opts importer.Options) result {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var res result
	opts.Now = clock
	opts.OnErrors = func(errs []importer.RowError) error {
		res.errs = append(res.errs, errs...)
		return nil
	}
	res.counts, res.err = importer.Run(context.Background(), st, ws, importer.Input{Name: name, R: f}, opts)
	return res
}

// mustRun imports content and fails the test when the import fails.
func mustRun(t testing.TB, st kith.Store, ws *kith.Workspace, name, content string, opts importer.Options) result {
	t.Helper()
	res := run(t, st, ws, name, content, opts)
	if res.err != nil {
		t.Fatalf("import %s: %v (row errors: %+v)", name, res.err, res.errs)
	}
	return res
}

// wantCounts checks an import's counts.
func wantCounts(t testing.TB, got importer.Counts, rows, created, updated, merged, failed int64) {
	t.Helper()
	want := importer.Counts{Rows: rows, Created: created, Updated: updated, Merged: merged, Failed: failed}
	got.Errors = 0
	if got != want {
		t.Errorf("counts = %+v, want %+v", got, want)
	}
}

// profile returns the profile holding an identifier, or nil.
func profile(t testing.TB, st kith.Store, ws *kith.Workspace, kind kith.IdentifierKind, v string) *kith.Profile {
	t.Helper()
	ctx := context.Background()
	var p *kith.Profile
	err := st.View(ctx, func(tx kith.ReadTx) error {
		id, err := tx.FindClientID(ctx, ws.ID, kind, v)
		if err != nil || id == 0 {
			return err
		}
		p, err = tx.FindProfile(ctx, ws.ID, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// mustProfile returns the profile holding an identifier.
func mustProfile(t testing.TB, st kith.Store, ws *kith.Workspace, kind kith.IdentifierKind, v string) *kith.Profile {
	t.Helper()
	p := profile(t, st, ws, kind, v)
	if p == nil {
		t.Fatalf("no profile has %s %q", kind, v)
	}
	return p
}

// events returns a profile's timeline, oldest first.
func events(t testing.TB, st kith.Store, ws *kith.Workspace, clientID int64) []*kith.Event {
	t.Helper()
	ctx := context.Background()
	var out []*kith.Event
	err := st.View(ctx, func(tx kith.ReadTx) error {
		var err error
		out, err = tx.ListEvents(ctx, ws.ID, kith.EventFilter{ClientID: clientID, Limit: 1000})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// catalogue returns the custom attribute definitions and the tags.
func catalogue(t testing.TB, st kith.Store, ws *kith.Workspace) (map[string]string, []string) {
	t.Helper()
	ctx := context.Background()
	defs := map[string]string{}
	var tags []string
	err := st.View(ctx, func(tx kith.ReadTx) error {
		ds, err := tx.ListAttributeDefs(ctx, ws.ID)
		if err != nil {
			return err
		}
		for _, d := range ds {
			defs[d.Name] = d.Type
		}
		ts, err := tx.ListTags(ctx, ws.ID)
		for _, tg := range ts {
			tags = append(tags, tg.Name)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return defs, tags
}

// wantErrors checks row errors, compared on line, column and code.
func wantErrors(t testing.TB, got []importer.RowError, want ...importer.RowError) {
	t.Helper()
	strip := func(es []importer.RowError) []importer.RowError {
		out := make([]importer.RowError, len(es))
		for i, e := range es {
			out[i] = importer.RowError{Line: e.Line, Column: e.Column, Code: e.Code}
		}
		return out
	}
	g := strip(got)
	if len(g) != len(want) {
		t.Fatalf("row errors = %+v\nwant %+v", got, want)
	}
	for i := range g {
		if g[i] != want[i] {
			t.Errorf("row error %d = %+v (%s), want %+v", i, got[i], got[i].Message, want[i])
		}
	}
	for _, e := range got {
		if e.Message == "" {
			t.Errorf("row error %+v has no message", e)
		}
	}
}

func rowErr(line int64, column, code string) importer.RowError {
	return importer.RowError{Line: line, Column: column, Code: code}
}

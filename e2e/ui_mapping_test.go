package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kithcdp/kith"
)

// gatedStore holds back every Update while it is shut: one goes through
// per pass, and all once it is opened. It lets a test see an import
// running, batch by batch.
type gatedStore struct {
	kith.Store
	mu     sync.Mutex
	shut   bool
	passes chan struct{}
	opened chan struct{}
}

func newGate(st kith.Store) *gatedStore {
	return &gatedStore{Store: st, passes: make(chan struct{}), opened: make(chan struct{})}
}

func (g *gatedStore) Update(ctx context.Context, fn func(kith.Tx) error) error {
	g.mu.Lock()
	shut := g.shut
	g.mu.Unlock()
	if shut {
		select {
		case <-g.passes:
		case <-g.opened:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return g.Store.Update(ctx, fn)
}

func (g *gatedStore) close() { g.mu.Lock(); g.shut = true; g.mu.Unlock() }
func (g *gatedStore) pass()  { g.passes <- struct{}{} }
func (g *gatedStore) open()  { close(g.opened) }

// TestUIImportMapping uploads a CSV in the browser, sees its first rows
// and the columns mapped by name, has a bad mapping refused at its
// fields, starts the import with extra tags, and watches its progress
// batch by batch until it is done.
func TestUIImportMapping(t *testing.T) {
	var gate *gatedStore
	e := importsEnv(t, func(st kith.Store) kith.Store { gate = newGate(st); return gate })
	email := e.uiUser("shop", "ann@shop.test")
	var csv strings.Builder
	csv.WriteString("E-mail;Card;First name;Club;Notes;tags\n")
	for i := range 450 {
		mail := fmt.Sprintf("c%03d@example.com", i)
		if i == 7 {
			mail = "not an email"
		}
		fmt.Fprintf(&csv, "%s;LOY-%d;Name %d;%t;note %d;newsletter\n", mail, i, i, i%2 == 0, i)
	}
	file := filepath.Join(t.TempDir(), "crm-export.csv")
	if err := os.WriteFile(file, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	b := browser(t)
	b.do(chromedp.EmulateViewport(1280, 800))
	b.signIn(e.api.URL, email)
	b.do(chromedp.Navigate(e.api.URL+"/imports"), chromedp.WaitVisible(chromedp.ID("import-file")),
		chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{file}), clickID("upload"),
		chromedp.WaitVisible(chromedp.ID("preview")))
	if n := run(b, chromedp.Evaluate[int](`document.querySelectorAll('#preview tbody tr').length`)); n != 5 {
		t.Fatalf("the preview shows %d rows, want 5", n)
	}
	b.waitText("#preview", "LOY-4")
	value := func(id string) string { return run(b, chromedp.Value(chromedp.ID(id))) }
	for id, want := range map[string]string{"col-0": "email", "col-1": "new", "new-1": "Card", "col-2": "attributes.firstName", "col-3": "new", "new-3": "Club", "col-4": "new", "col-5": "tags"} {
		if got := value(id); got != want {
			t.Errorf("%s preselects %q, want %q", id, got, want)
		}
	}
	b.waitText("#mapping-form", "Guessed from the name: check it.")
	b.screenshot("import-mapping")

	// Two columns feeding the email, one left without a choice: refused
	// at each field, and nothing starts. (E-mail and First name are
	// guessed: the import itself would refuse those names.)
	b.do(chromedp.SetValue(chromedp.ID("col-1"), "email"), chromedp.SetValue(chromedp.ID("col-2"), ""), clickID("start-import"))
	b.waitText("#error-1", `columns "E-mail" and "Card" both feed client.email`)
	b.waitText("#error-2", "Choose what this column holds")
	b.do(chromedp.ScrollIntoView(chromedp.ID("col-0")))
	b.screenshot("import-mapping-refused")
	c := e.uiClient(email)
	if _, page := get(t, c, e.api.URL+"/imports"); !strings.Contains(page, "No imports yet") {
		t.Fatal("a refused mapping started an import")
	}

	b.idle()
	b.do(chromedp.SetValue(chromedp.ID("col-1"), "customId"), chromedp.SetValue(chromedp.ID("col-2"), "attributes.firstName"),
		chromedp.SetValue(chromedp.ID("col-4"), "ignore"), chromedp.SendKeys(chromedp.ID("extra-tags"), "crm, vip/2026 spring"))
	gate.close()
	b.do(clickID("start-import"), chromedp.WaitVisible(chromedp.ID("import-progress")))
	b.waitText("#import-progress", "Importing")
	gate.pass()
	b.waitText("#count-rows", "200")
	if v := run(b, chromedp.Evaluate[int](`document.getElementById('import-bar').value`)); v <= 0 || v >= 100 {
		t.Errorf("the progress bar is at %d after one batch of three", v)
	}
	b.screenshot("import-progress")
	detail := run(b, chromedp.Evaluate[string](`location.pathname`))

	// The history's row of a running import refreshes itself too.
	b.do(chromedp.Navigate(e.api.URL+"/imports"), chromedp.WaitVisible(chromedp.CSS("#import-history progress")))
	b.waitText("#import-history", "199 / 0 / 0")
	gate.open()
	b.waitText("#import-history", "449 / 0 / 0")
	if run(b, chromedp.Evaluate[bool](`!!document.querySelector('#import-history progress, #import-history [hx-trigger]')`)) {
		t.Error("the finished import's row still polls")
	}
	if !strings.HasPrefix(detail, "/imports/imp_") {
		t.Fatalf("the import's page is at %q", detail)
	}
	b.do(chromedp.Navigate(e.api.URL+detail), chromedp.WaitVisible(chromedp.ID("import-progress")))
	b.waitText("#import-progress h2", "Import done")
	b.waitText("#count-created", "449")
	b.waitText("#count-failed", "1")
	b.waitText("#errors-link", "Download the 1 row errors")
	if run(b, chromedp.Evaluate[bool](`document.getElementById('import-progress').hasAttribute('hx-trigger')`)) {
		t.Error("the finished import still polls")
	}

	p, err := e.byEmail("c002@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if p.CustomID != "LOY-2" || p.Attributes["firstName"] != "Name 2" || p.Attributes["Club"] != true || p.Attributes["Notes"] != nil {
		t.Errorf("imported profile: %s %v", p.CustomID, p.Attributes)
	}
	if strings.Join(p.Tags, ",") != "crm,newsletter,vip/2026 spring" {
		t.Errorf("tags = %q", p.Tags)
	}
}

// TestUIImportRefusals checks the mapping page's refusals over HTTP: an
// unknown field, a new attribute without a name or with a reserved one, a
// bad tag, no identifier; each shown at its field with nothing started.
// An upload is its workspace's only, and every form needs the CSRF token.
func TestUIImportRefusals(t *testing.T) {
	e := importsEnv(t, nil)
	c := e.uiClient(e.uiUser("shop", "ann@shop.test"))
	_, loc := uploadFile(t, c, e.api.URL, "a.ndjson", `{"email":"a@example.com","points":3,"note":"x"}`+"\n")
	upload := strings.TrimPrefix(loc, "/imports/mapping?upload=")
	_, page := get(t, c, e.api.URL+loc)
	if !strings.Contains(page, `value="email" selected`) || !strings.Contains(page, "NDJSON") {
		t.Fatal("the NDJSON preview does not map email by name")
	}
	for _, tc := range []struct {
		name string
		form url.Values
		id   string
		want string
	}{
		{"unknown field", url.Values{"col.0": {"email"}, "col.1": {"attributes.nope"}, "col.2": {"ignore"}}, "error-1", `Unknown field`},
		{"new without a name", url.Values{"col.0": {"email"}, "col.1": {"new"}, "col.2": {"ignore"}}, "error-1", "Name the new attribute"},
		{"reserved name", url.Values{"col.0": {"email"}, "col.1": {"new"}, "new.1": {"status"}, "col.2": {"ignore"}}, "error-1", "reserved"},
		{"bad tag", url.Values{"col.0": {"email"}, "col.1": {"ignore"}, "col.2": {"ignore"}, "tags": {strings.Repeat("t", 70)}}, "tags-error", "64"},
		{"no identifier", url.Values{"col.0": {"ignore"}, "col.1": {"ignore"}, "col.2": {"ignore"}}, "mapping-error", "at least one column to an identifier"},
	} {
		tc.form.Set("upload", upload)
		status, body := post(t, c, e.api.URL, loc, "/imports/mapping", tc.form)
		_, at, _ := strings.Cut(body, `id="`+tc.id+`">`)
		if status != http.StatusUnprocessableEntity || !strings.Contains(at, tc.want) {
			t.Errorf("%s: %d, %s does not say %q", tc.name, status, tc.id, tc.want)
		}
	}
	if _, page := get(t, c, e.api.URL+"/imports"); !strings.Contains(page, "No imports yet") {
		t.Fatal("a refused mapping started an import")
	}

	// Another workspace's user cannot see or start the upload.
	e.otherWorkspace("other")
	other := e.uiClient(e.uiUser("other", "bob@other.test"))
	if _, page := get(t, other, e.api.URL+loc); !strings.Contains(page, "upload is gone") {
		t.Error("another workspace sees the upload")
	}
	res, err := c.PostForm(e.api.URL+"/imports/mapping", url.Values{"upload": {upload}, "col.0": {"email"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("a start without the CSRF token: %d", res.StatusCode)
	}
	if status, _ := post(t, c, e.api.URL, loc, "/imports/mapping/discard", url.Values{"upload": {upload}}); status != http.StatusSeeOther {
		t.Fatalf("discard: %d", status)
	}
	if _, page := get(t, c, e.api.URL+loc); !strings.Contains(page, "upload is gone") {
		t.Error("the discarded upload is still there")
	}
}

package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
	"github.com/kithcdp/kith/importer"
	"github.com/kithcdp/kith/ingest"
	"github.com/kithcdp/kith/sqlite"
	"github.com/kithcdp/kith/web"
)

// BenchmarkCard measures the server time of the profile card of a profile
// with 10,000 events (SPEC §9 target: under 50 ms).
func BenchmarkCard(b *testing.B) {
	ctx := context.Background()
	st, ws := benchStore(b)
	var id int64
	err := st.Update(ctx, func(tx kith.Tx) error {
		sess := identity.NewSession(tx, ws, time.Now())
		res, err := sess.Apply(ctx, &identity.Write{Client: kith.Identifiers{Email: "ada@example.com"},
			Attributes: map[string]any{"firstName": "Ada"}, Strict: true, Source: kith.SourceAPI})
		if err != nil {
			return err
		}
		id = res.ClientID
		return sess.Flush(ctx)
	})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now().Add(-10000 * time.Minute)
	for batch := 0; batch < 10; batch++ {
		events := make([]*kith.Event, 1000)
		for i := range events {
			n := batch*1000 + i
			action := []string{"page.visit", "product.view", "cart.add", "form.submit"}[n%4]
			events[i] = &kith.Event{EventID: identity.NewEventID(), WorkspaceID: ws.ID, ClientID: id, Action: action,
				Time: start.Add(time.Duration(n) * time.Minute).UTC(), ReceivedAt: time.Now().UTC(), Source: kith.SourceTracker,
				Params: json.RawMessage(fmt.Sprintf(`{"url":"https://shop.example/p/%d"}`, n))}
		}
		if err := st.Update(ctx, func(tx kith.Tx) error { return tx.InsertEvents(ctx, events) }); err != nil {
			b.Fatal(err)
		}
	}
	mux, cookie := signedInUI(b, st)
	path := fmt.Sprintf("/profiles/%d", id)
	b.ResetTimer()
	for b.Loop() {
		getPage(b, mux, cookie, path)
	}
}

// BenchmarkProfileSearch measures the server time of the profile list
// searched with one letter, which most of 5,000 profiles match, alone and
// with filters, and with a query nothing matches.
func BenchmarkProfileSearch(b *testing.B) {
	ctx := context.Background()
	st, ws := benchStore(b)
	var csv strings.Builder
	csv.WriteString("email,firstName,lastName,tags\n")
	names := []string{"Ada", "Alan", "Anna", "Bob", "Carl", "Dana", "Eve", "Abel"}
	for i := range 5000 {
		fmt.Fprintf(&csv, "%s%d@example.com,%s,Adams,%s\n", strings.ToLower(names[i%len(names)]), i, names[i%len(names)], []string{"vip", "new"}[i%2])
	}
	in := importer.Input{Name: "people.csv", R: strings.NewReader(csv.String())}
	if n, err := importer.Run(ctx, st, ws, in, importer.Options{}); err != nil || n.Created != 5000 {
		b.Fatalf("import: %+v %v", n, err)
	}
	mux, cookie := signedInUI(b, st)
	for _, q := range []string{"q=a", "q=a&tag=vip", "q=a&show=anonymous", "q=zzz", "q=b"} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				getPage(b, mux, cookie, "/profiles?"+q)
			}
		})
	}
}

// benchStore opens an embedded store with the workspace "bench".
func benchStore(b testing.TB) (kith.Store, *kith.Workspace) {
	st, err := sqlite.Open(context.Background(), sqlite.Options{Dir: b.TempDir(), Synchronous: "NORMAL"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	creds, err := kith.CreateWorkspace(context.Background(), st, kith.NewWorkspace("bench", kith.ModeEmail), time.Now())
	if err != nil {
		b.Fatal(err)
	}
	return st, creds.Workspace
}

// signedInUI serves the UI over st and signs in a new user.
func signedInUI(b testing.TB, st kith.Store) (*http.ServeMux, *http.Cookie) {
	if _, err := web.CreateUser(context.Background(), st, "bench", "ann@shop.test", "correct horse battery", time.Now()); err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	h := &web.Handler{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Ingest: &ingest.Service{Store: st}}
	h.Routes(mux)
	login := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"email": {"ann@shop.test"},
		"password": {"correct horse battery"}, "token": {"t"}}.Encode()))
	login.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	login.AddCookie(&http.Cookie{Name: "kith_login", Value: "t"})
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, login)
	for _, c := range rec.Result().Cookies() {
		if c.Name == "kith_session" {
			return mux, c
		}
	}
	b.Fatalf("sign in: %d", rec.Code)
	return nil, nil
}

// getPage gets a page and fails unless it answers 200.
func getPage(b *testing.B, mux *http.ServeMux, cookie *http.Cookie, path string) {
	req := httptest.NewRequest("GET", path, nil)
	req.AddCookie(cookie)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("%s: %d", path, rec.Code)
	}
}

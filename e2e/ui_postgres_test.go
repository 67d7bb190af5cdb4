package e2e

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kithcdp/kith"
	kithhttp "github.com/kithcdp/kith/http"
	"github.com/kithcdp/kith/postgres"
)

// TestUIPostgres signs in and edits a profile on the PostgreSQL store:
// users, sessions, the dashboard counts and the activity summary.
func TestUIPostgres(t *testing.T) {
	st := postgres.OpenTestStore(t) // skips without KITH_TEST_POSTGRES
	srv := &kithhttp.Server{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	api := httptest.NewServer(srv.Handler())
	t.Cleanup(api.Close)
	creds, err := kith.CreateWorkspace(t.Context(), st, kith.NewWorkspace("shop", kith.ModeEmail), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, store: st, api: api, ws: creds.Workspace, secret: creds.SecretKey}
	id := e.uiUpsert(e.secret, `{"client":{"email":"ada@example.com"},"attributes":{"city":"London"}}`)
	c := e.uiClient(e.uiUser("shop", "ann@shop.test"))
	if _, page := get(t, c, api.URL+"/"); !strings.Contains(page, `id="stat-total">1<`) {
		t.Fatal("the dashboard does not count the profile")
	}
	card := "/profiles/" + strconv.FormatInt(id, 10)
	if s, _ := post(t, c, api.URL, card, card+"/attributes", url.Values{"name": {"city"}, "value": {"Paris"}}); s != http.StatusSeeOther {
		t.Fatalf("set city: %d", s)
	}
	_, page := get(t, c, api.URL+card)
	if !strings.Contains(page, "city changed from London to Paris") || !strings.Contains(page, "profile.updated</a><span>2</span>") {
		t.Fatal("the card does not show the change and the activity")
	}
	if err := webSetPassword(t, st); err != nil {
		t.Fatal(err)
	}
	if s, _ := get(t, c, api.URL+card); s != http.StatusSeeOther {
		t.Fatalf("a password change did not end the session: %d", s)
	}
}

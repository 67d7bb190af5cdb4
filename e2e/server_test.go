package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/kithcdp/kith"
	kithhttp "github.com/kithcdp/kith/http"
	"github.com/kithcdp/kith/sqlite"
)

// env is one Kith installation: the API server over a fresh SQLite store
// with one workspace, the shop that embeds the tracker (another origin,
// allowed by the workspace) and a second copy of the shop on an origin the
// workspace does not allow.
type env struct {
	t       *testing.T
	store   kith.Store
	ws      *kith.Workspace
	tracker string // the tracker key, pk_…
	secret  string // the secret key, sk_…
	api     *httptest.Server
	shop    *httptest.Server
	evil    *httptest.Server
	rec     *recorder
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{t: t, store: st, rec: &recorder{}}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := &kithhttp.Server{Store: st, Logger: logger}
	e.api = httptest.NewServer(e.rec.wrap(srv.Handler()))
	t.Cleanup(e.api.Close)
	// The servers start before the workspace exists because its allowed
	// origins are their addresses; the pages read the key when served.
	e.shop = httptest.NewServer(shopHandler(e))
	t.Cleanup(e.shop.Close)
	e.evil = httptest.NewServer(shopHandler(e))
	t.Cleanup(e.evil.Close)

	ws := kith.NewWorkspace("shop", kith.ModeEmail)
	// The API's own origin serves the demo shop (demo_test.go).
	ws.AllowedOrigins = []string{e.shop.URL, e.api.URL}
	creds, err := kith.CreateWorkspace(ctx, st, ws, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.ws, e.tracker, e.secret = creds.Workspace, creds.TrackerKey, creds.SecretKey
	return e
}

// profile returns the profile at an API path under /api/v1/profiles/, or
// nil when the API answers 404.
func (e *env) profile(path string) (*kithhttp.ProfileView, error) {
	req, err := http.NewRequest(http.MethodGet, e.api.URL+"/api/v1/profiles/"+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+e.secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	switch res.StatusCode {
	case http.StatusNotFound:
		return nil, nil
	case http.StatusOK:
		var p kithhttp.ProfileView
		return &p, json.Unmarshal(body, &p)
	}
	return nil, fmt.Errorf("GET %s: %d %s", path, res.StatusCode, body)
}

func (e *env) byUUID(uuid string) (*kithhttp.ProfileView, error) {
	return e.profile("by-uuid/" + url.PathEscape(uuid))
}

func (e *env) byEmail(email string) (*kithhttp.ProfileView, error) {
	return e.profile("by-email/" + url.PathEscape(email))
}

// events returns a profile's timeline, oldest first. There is no timeline
// endpoint yet, so it reads the store.
func (e *env) events(clientID int64) []*kith.Event {
	e.t.Helper()
	var evs []*kith.Event
	err := e.store.View(context.Background(), func(tx kith.ReadTx) error {
		var err error
		evs, err = tx.ListEvents(context.Background(), e.ws.ID, kith.EventFilter{ClientID: clientID, Limit: 100})
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	slices.Reverse(evs)
	return evs
}

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
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

// request is one call to POST /api/v1/events as the server received it.
type request struct {
	Origin string
	Body   string // the raw request body
	Status int
	Answer string // the raw response body
}

// recorder keeps every ingestion request, to check what browsers really
// sent (not only what the server chose to store) and how it was answered.
// It can also hold answers back, as a slow network would.
type recorder struct {
	mu   sync.Mutex
	reqs []request
	hold *hold
}

// hold delays the answer to requests whose body matches, until the
// requests recorded so far satisfy until (or 10 s pass). The request is
// processed at once: only the browser learns the outcome late.
type hold struct {
	match func(body string) bool
	until func([]request) bool
}

func (rc *recorder) holdAnswers(match func(string) bool, until func([]request) bool) {
	rc.mu.Lock()
	rc.hold = &hold{match, until}
	rc.mu.Unlock()
}

func (rc *recorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/events" || r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rc.mu.Lock()
		h := rc.hold
		rc.mu.Unlock()
		cw := &captureWriter{ResponseWriter: w, status: http.StatusOK, held: h != nil && h.match(string(body))}
		next.ServeHTTP(cw, r)
		rc.mu.Lock()
		rc.reqs = append(rc.reqs, request{Origin: r.Header.Get("Origin"), Body: string(body), Status: cw.status, Answer: cw.buf.String()})
		rc.mu.Unlock()
		if cw.held {
			for deadline := time.Now().Add(10 * time.Second); !h.until(rc.all()) && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
			}
			w.WriteHeader(cw.status)
			w.Write(cw.buf.Bytes())
		}
	})
}

func (rc *recorder) all() []request {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.reqs)
}

// captureWriter copies an answer; a held one is only buffered.
type captureWriter struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
	held   bool
}

func (w *captureWriter) WriteHeader(code int) {
	w.status = code
	if !w.held {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *captureWriter) Write(b []byte) (int, error) {
	w.buf.Write(b)
	if w.held {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
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

// eventually calls check until it returns nil, failing t with the last
// error after a deadline. Browsers send asynchronously: tests wait on the
// outcome, never for a fixed time.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitProfile waits until lookup finds a profile that satisfies ok.
func waitProfile(t *testing.T, what string, lookup func() (*kithhttp.ProfileView, error), ok func(*kithhttp.ProfileView) error) *kithhttp.ProfileView {
	t.Helper()
	var p *kithhttp.ProfileView
	eventually(t, what, func() error {
		var err error
		if p, err = lookup(); err != nil {
			return err
		}
		if p == nil {
			return fmt.Errorf("no profile")
		}
		if ok != nil {
			return ok(p)
		}
		return nil
	})
	return p
}

// hasEvents is a waitProfile condition: the profile's timeline holds at
// least n events with each action.
func (e *env) hasEvents(want map[string]int) func(*kithhttp.ProfileView) error {
	return func(p *kithhttp.ProfileView) error {
		got := actions(e.events(p.ClientID))
		for a, n := range want {
			if got[a] < n {
				return fmt.Errorf("profile %d has %d %s events, want %d (timeline %v)", p.ClientID, got[a], a, n, got)
			}
		}
		return nil
	}
}

// actions counts events by action.
func actions(evs []*kith.Event) map[string]int {
	m := map[string]int{}
	for _, ev := range evs {
		m[ev.Action]++
	}
	return m
}

// filter returns the events with one action, oldest first.
func filter(evs []*kith.Event, action string) []*kith.Event {
	var out []*kith.Event
	for _, ev := range evs {
		if ev.Action == action {
			out = append(out, ev)
		}
	}
	return out
}

// params decodes an event's params.
func params(t *testing.T, ev *kith.Event) map[string]any {
	t.Helper()
	m := map[string]any{}
	if len(ev.Params) > 0 {
		if err := json.Unmarshal(ev.Params, &m); err != nil {
			t.Fatalf("event %s params %s: %v", ev.Action, ev.Params, err)
		}
	}
	return m
}

// visitedPaths lists the URL paths (with any fragment) of a timeline's
// page.visit events, oldest first.
func visitedPaths(t *testing.T, evs []*kith.Event) []string {
	t.Helper()
	var out []string
	for _, ev := range filter(evs, "page.visit") {
		u, err := url.Parse(fmt.Sprint(params(t, ev)["url"]))
		if err != nil {
			t.Fatal(err)
		}
		p := u.Path
		if u.Fragment != "" {
			p += "#" + u.Fragment
		}
		out = append(out, p)
	}
	return out
}

// assertNotSent checks that no secret reached the server: neither in any
// request body the browser sent, nor in any stored event of the profiles.
func (e *env) assertNotSent(t *testing.T, clientIDs []int64, secrets ...string) {
	t.Helper()
	for _, r := range e.rec.all() {
		for _, s := range secrets {
			if strings.Contains(r.Body, s) {
				t.Errorf("the browser sent %q: %s", s, r.Body)
			}
		}
	}
	for _, id := range clientIDs {
		for _, ev := range e.events(id) {
			stored, _ := json.Marshal(ev)
			for _, s := range secrets {
				if strings.Contains(string(stored), s) {
					t.Errorf("a stored %s event holds %q: %s", ev.Action, s, stored)
				}
			}
		}
	}
}

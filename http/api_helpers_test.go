package http_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kithcdp/kith"
	kithhttp "github.com/kithcdp/kith/http"
	"github.com/kithcdp/kith/sqlite"
)

// apiEnv is the real API server over a real embedded store, served on a
// loopback port.
type apiEnv struct {
	t      testing.TB
	dir    string
	store  *sqlite.Store
	srv    *httptest.Server
	client *http.Client
	// raw reads the database file directly, to check that refused
	// requests wrote nothing at all.
	raw *sql.DB
}

// startAPI opens a store in a temporary directory and serves the API on it.
// sync is the store's synchronous mode ("" for the default, FULL).
func startAPI(t testing.TB, sync string) *apiEnv {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), sqlite.Options{Dir: dir, Synchronous: sync})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	s := &kithhttp.Server{Store: st}
	srv := httptest.NewServer(s.Handler())
	raw, err := sql.Open("sqlite", filepath.Join(dir, "kith.db")+"?_pragma=query_only(1)&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatalf("open raw database: %v", err)
	}
	e := &apiEnv{t: t, dir: dir, store: st, srv: srv, raw: raw,
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: time.Minute}}
	t.Cleanup(func() {
		srv.Close()
		raw.Close()
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return e
}

// with returns e reporting to t, for use in a subtest.
func (e *apiEnv) with(t testing.TB) *apiEnv {
	c := *e
	c.t = t
	return &c
}

// warmUp runs one request of each kind serially, so that the store has
// prepared its statements before a test or benchmark goes concurrent and
// measures only what it means to. (First statements prepared under
// concurrency are TestConcurrentFirstReads' subject.)
func (e *apiEnv) warmUp(c *kith.Credentials) {
	e.t.Helper()
	u, email := newUUID(), newEmail()
	e.events(c.SecretKey, map[string]any{"action": "form.submit", "client": map[string]any{"uuid": u, "email": email, "customId": "warm-" + u},
		"profile": map[string]any{"attributes": map[string]any{"firstName": "Warm"}, "tags": []string{"warm"}}})
	e.events(c.TrackerKey, map[string]any{"action": "page.visit", "client": map[string]any{"uuid": u}})
	p := e.lookup(c.SecretKey, byEmail(email))
	e.lookup(c.SecretKey, byUUID(u))
	e.lookup(c.SecretKey, byCustomID("warm-"+u))
	e.lookup(c.SecretKey, byClientID(p.ClientID))
}

var wsSeq atomic.Int64

// workspace creates a workspace in identity mode mode with its two keys.
func (e *apiEnv) workspace(mode string) *kith.Credentials {
	e.t.Helper()
	ws := kith.NewWorkspace(fmt.Sprintf("ws-%d", wsSeq.Add(1)), mode)
	c, err := kith.CreateWorkspace(context.Background(), e.store, ws, time.Now())
	if err != nil {
		e.t.Fatalf("create workspace: %v", err)
	}
	return c
}

// apiResp is an answer read whole.
type apiResp struct {
	Status int
	Header http.Header
	Body   []byte
}

// do sends a request. body is sent as is when it is a string or []byte,
// else encoded as JSON. key, when set, is sent as a bearer token.
func (e *apiEnv) do(method, path, key string, body any) *apiResp {
	e.t.Helper()
	return e.doWith(method, path, body, func(r *http.Request) {
		if key != "" {
			r.Header.Set("Authorization", "Bearer "+key)
		}
	})
}

// doWith sends a request after edit has adjusted it.
func (e *apiEnv) doWith(method, path string, body any, edit func(*http.Request)) *apiResp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatalf("encode body: %v", err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatalf("new request: %v", err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if edit != nil {
		edit(req)
	}
	res, err := e.client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	if res.StatusCode >= 500 {
		e.t.Errorf("%s %s answered %d (never for bad input): %s", method, path, res.StatusCode, data)
	}
	return &apiResp{Status: res.StatusCode, Header: res.Header, Body: data}
}

// decode decodes the answer's JSON into v.
func (r *apiResp) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// problem is an RFC 9457 answer, decoded strictly.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	Errors []struct {
		Field   string `json:"field"`
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
}

// wantProblem checks that r is a problem+json answer with status and code,
// well formed, and returns it.
func wantProblem(t testing.TB, r *apiResp, status int, code string) *problem {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json", ct)
	}
	var p problem
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("problem %s: %v", r.Body, err)
	}
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(r.Body, &fields)
	for _, f := range []string{"type", "title", "status", "detail", "code", "errors"} {
		if _, ok := fields[f]; !ok {
			t.Errorf("problem lacks %q: %s", f, r.Body)
		}
	}
	if p.Status != status || p.Code != code {
		t.Errorf("problem status %d code %q, want %d %q: %s", p.Status, p.Code, status, code, r.Body)
	}
	if p.Type == "" || p.Title == "" || p.Detail == "" {
		t.Errorf("problem with empty type, title or detail: %s", r.Body)
	}
	for _, fe := range p.Errors {
		if fe.Code == "" || fe.Message == "" {
			t.Errorf("problem error item without code or message: %s", r.Body)
		}
	}
	return &p
}

// hasError reports whether p lists an error with code (and field, when
// field is not empty).
func (p *problem) hasError(field, code string) bool {
	for _, fe := range p.Errors {
		if fe.Code == code && (field == "" || fe.Field == field) {
			return true
		}
	}
	return false
}

// eventResult is one item of POST /api/v1/events' answer.
type eventResult struct {
	Status       string       `json:"status"`
	EventID      string       `json:"eventId"`
	ClientID     int64        `json:"clientId"`
	UUIDConflict bool         `json:"uuidConflict"`
	Warnings     []fieldError `json:"warnings"`
	Errors       []fieldError `json:"errors"`
}

type fieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func hasCode(list []fieldError, field, code string) bool {
	for _, fe := range list {
		if fe.Code == code && (field == "" || fe.Field == field) {
			return true
		}
	}
	return false
}

// events sends events with key and returns the per-event results, failing
// unless the answer is 200 with one result per event.
func (e *apiEnv) events(key string, events ...any) []eventResult {
	e.t.Helper()
	r := e.do("POST", "/api/v1/events", key, map[string]any{"events": events})
	if r.Status != http.StatusOK {
		e.t.Fatalf("POST /api/v1/events: %d %s", r.Status, r.Body)
	}
	var out struct {
		Results []eventResult `json:"results"`
	}
	r.decode(e.t, &out)
	if len(out.Results) != len(events) {
		e.t.Fatalf("%d results for %d events: %s", len(out.Results), len(events), r.Body)
	}
	return out.Results
}

// profileView is PROFILE as answered.
type profileView struct {
	ClientID          int64           `json:"clientId"`
	Anonymous         bool            `json:"anonymous"`
	Email             string          `json:"email"`
	CustomID          string          `json:"customId"`
	UUIDs             []string        `json:"uuids"`
	Attributes        map[string]any  `json:"attributes"`
	Tags              []string        `json:"tags"`
	Agreements        map[string]bool `json:"agreements"`
	Devices           []kith.Device   `json:"devices"`
	CreatedAt         time.Time       `json:"createdAt"`
	UpdatedAt         time.Time       `json:"updatedAt"`
	LastActivityAt    time.Time       `json:"lastActivityAt"`
	PreviousClientIDs []int64         `json:"previousClientIds"`
}

// lookup GETs a profile lookup path and returns the profile, failing
// unless the answer is 200.
func (e *apiEnv) lookup(key, path string) *profileView {
	e.t.Helper()
	r := e.do("GET", path, key, nil)
	if r.Status != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
	}
	var p profileView
	r.decode(e.t, &p)
	return &p
}

func byEmail(email string) string { return "/api/v1/profiles/by-email/" + url.PathEscape(email) }
func byUUID(u string) string      { return "/api/v1/profiles/by-uuid/" + url.PathEscape(u) }
func byCustomID(c string) string  { return "/api/v1/profiles/by-custom-id/" + url.PathEscape(c) }
func byClientID(id int64) string  { return fmt.Sprintf("/api/v1/profiles/%d", id) }

// counts is how many rows each table holds.
type counts map[string]int64

var countedTables = []string{"profiles", "profile_uuids", "profile_tags", "merged_ids", "events",
	"devices", "attribute_defs", "tags", "merges"}

// counts reads the row count of every table that a write can touch.
func (e *apiEnv) counts() counts {
	e.t.Helper()
	c := counts{}
	for _, table := range countedTables {
		var n int64
		if err := e.raw.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
			e.t.Fatalf("count %s: %v", table, err)
		}
		c[table] = n
	}
	return c
}

// wantUnchanged fails when any table's row count differs from before.
func (e *apiEnv) wantUnchanged(what string, before counts) {
	e.t.Helper()
	after := e.counts()
	for _, table := range countedTables {
		if before[table] != after[table] {
			e.t.Errorf("%s wrote to %s: %d rows before, %d after", what, table, before[table], after[table])
		}
	}
}

// eventStored returns how many times eventID is stored (in any workspace).
func (e *apiEnv) eventStored(eventID string) int {
	e.t.Helper()
	var n int
	if err := e.raw.QueryRow("SELECT count(*) FROM events WHERE event_id = ?", eventID).Scan(&n); err != nil {
		e.t.Fatalf("count event %s: %v", eventID, err)
	}
	return n
}

// findEvent reads a stored event through the store (not_found when absent).
func (e *apiEnv) findEvent(ws int64, eventID string) (*kith.Event, error) {
	var ev *kith.Event
	err := e.store.View(context.Background(), func(tx kith.ReadTx) error {
		var err error
		ev, err = tx.FindEvent(context.Background(), ws, eventID)
		return err
	})
	return ev, err
}

func newUUID() string { return uuid.NewString() }

var emailSeq atomic.Int64

// newEmail returns an email no other test uses.
func newEmail() string {
	return fmt.Sprintf("user%d-%s@example.com", emailSeq.Add(1), uuid.NewString()[:8])
}

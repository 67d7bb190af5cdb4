package http_test

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kithcdp/kith"
)

func TestHealthAndReadiness(t *testing.T) {
	e := startAPI(t, "NORMAL")
	for _, path := range []string{"/healthz", "/readyz"} {
		r := e.do("GET", path, "", nil)
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Errorf("GET %s: %d %s", path, r.Status, r.Body)
		}
	}
	// A closed store is not ready, and says so as a problem.
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	wantProblem(t, e.doRaw("GET", "/readyz"), http.StatusServiceUnavailable, kith.ECodeUnavailable)
	if r := e.doRaw("GET", "/healthz"); r.Status != http.StatusOK {
		t.Errorf("healthz with the store closed: %d", r.Status)
	}
}

// doRaw sends a request without failing on a 5xx answer.
func (e *apiEnv) doRaw(method, path string) *apiResp {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, nil)
	res, err := e.client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return &apiResp{Status: res.StatusCode, Header: res.Header, Body: data}
}

func TestMetrics(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	e.events(c.TrackerKey, pageVisit(), pageVisit(), map[string]any{"action": "client.add", "client": map[string]any{"uuid": newUUID()}})
	e.events(c.TrackerKey, pageVisit())
	e.do("GET", byUUID(newUUID()), c.SecretKey, nil)
	e.do("GET", "/api/v1/profiles/1", "", nil)

	r := e.do("GET", "/metrics", "", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("metrics: %d", r.Status)
	}
	body := string(r.Body)
	for name, want := range map[string]float64{
		`kith_events_ingested_total`:                                         3,
		`kith_events_rejected_total`:                                         1,
		`kith_ingest_transactions_total`:                                     2, // one per request here
		`kith_ingest_calls_total`:                                            2,
		`kith_http_requests_total{route="POST /api/v1/events",status="200"}`: 2,
		`kith_http_requests_total{route="GET /api/v1/profiles/by-uuid/{uuid}",status="404"}`:    1,
		`kith_http_requests_total{route="GET /api/v1/profiles/{clientId}",status="401"}`:        1,
		`kith_http_request_duration_seconds_count{route="POST /api/v1/events"}`:                 2,
		`kith_http_request_duration_seconds_count{route="GET /api/v1/profiles/{clientId}"}`:     1,
		`kith_http_request_duration_seconds_count{route="GET /api/v1/profiles/by-uuid/{uuid}"}`: 1,
	} {
		m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` (\S+)$`).FindStringSubmatch(body)
		if m == nil {
			t.Errorf("metrics lack %s", name)
			continue
		}
		if got, _ := strconv.ParseFloat(m[1], 64); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	// The embedded store's writer: every update it ran, in as many
	// transactions or fewer (the workspace and keys were written too).
	var writer [2]float64
	for i, name := range []string{"kith_store_writer_transactions_total", "kith_store_writer_updates_total"} {
		m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("metrics lack %s", name)
		}
		writer[i], _ = strconv.ParseFloat(m[1], 64)
	}
	if writer[0] < 2 || writer[1] < writer[0] {
		t.Errorf("writer: %v transactions for %v updates", writer[0], writer[1])
	}
}

func TestEventsCORS(t *testing.T) {
	e := startAPI(t, "NORMAL")
	c := e.workspace(kith.ModeEmail)
	r := e.doWith("OPTIONS", "/api/v1/events", nil, func(r *http.Request) {
		r.Header.Set("Origin", "https://shop.example")
		r.Header.Set("Access-Control-Request-Method", "POST")
		r.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
	})
	h := r.Header
	if r.Status != http.StatusNoContent && r.Status != http.StatusOK {
		t.Errorf("preflight status %d", r.Status)
	}
	if h.Get("Access-Control-Allow-Origin") != "https://shop.example" ||
		!strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") ||
		!strings.Contains(strings.ToLower(h.Get("Access-Control-Allow-Headers")), "authorization") ||
		!strings.Contains(strings.ToLower(h.Get("Access-Control-Allow-Headers")), "content-type") ||
		!strings.Contains(h.Get("Vary"), "Origin") {
		t.Errorf("preflight headers: %v", h)
	}
	// The actual request, and its refusals, carry the CORS headers too, so
	// that the browser lets the page read the answer.
	withOrigin := func(key string) func(*http.Request) {
		return func(r *http.Request) {
			r.Header.Set("Origin", "https://shop.example")
			r.Header.Set("Content-Type", "text/plain;charset=UTF-8")
			if key != "" {
				r.Header.Set("Authorization", "Bearer "+key)
			}
		}
	}
	body := `{"events":[{"action":"page.visit","client":{"uuid":"` + newUUID() + `"}}]}`
	for _, key := range []string{c.TrackerKey, ""} {
		r := e.doWith("POST", "/api/v1/events", body, withOrigin(key))
		if r.Header.Get("Access-Control-Allow-Origin") != "https://shop.example" {
			t.Errorf("POST with key %q: no CORS headers: %d %v", key, r.Status, r.Header)
		}
	}
	// Preflight is ingestion only.
	r = e.doWith("OPTIONS", "/api/v1/profiles", nil, func(r *http.Request) {
		r.Header.Set("Origin", "https://shop.example")
		r.Header.Set("Access-Control-Request-Method", "POST")
	})
	if r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("secret endpoint answers CORS preflight: %v", r.Header)
	}
}

// TestConcurrentFirstReads sends many concurrent requests to a server that
// has not run any query yet, so that the store prepares its statements
// while every read connection is busy. The client gives up after a while
// so that a deadlock fails the test instead of hanging it.
func TestConcurrentFirstReads(t *testing.T) {
	for round := range 5 {
		e := startAPI(t, "NORMAL")
		c := e.workspace(kith.ModeEmail)
		e.client.Timeout = 20 * time.Second
		u := newUUID()
		start := make(chan struct{})
		var wg sync.WaitGroup
		var mu sync.Mutex
		var failed []string
		for i := range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				paths := []string{byUUID(u), byEmail(newEmail()), byCustomID("X"), byClientID(7)}
				req, _ := http.NewRequest("GET", e.srv.URL+paths[i%len(paths)], nil)
				req.Header.Set("Authorization", "Bearer "+c.SecretKey)
				res, err := e.client.Do(req)
				if err == nil {
					res.Body.Close()
					if res.StatusCode == http.StatusNotFound {
						return
					}
					err = fmt.Errorf("status %d", res.StatusCode)
				}
				mu.Lock()
				failed = append(failed, err.Error())
				mu.Unlock()
			}()
		}
		close(start)
		wg.Wait()
		if len(failed) > 0 {
			t.Fatalf("round %d: %d of 32 concurrent first reads failed (a deadlock in the store's read statement cache?), e.g. %s",
				round, len(failed), failed[0])
		}
	}
}

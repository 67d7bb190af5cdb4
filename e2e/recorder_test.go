package e2e

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

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

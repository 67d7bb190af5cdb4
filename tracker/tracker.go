// Package tracker holds kith.js, the browser tracker of SPEC §4, embedded in
// the binary so that `kith serve` can serve it at /sdk/kith.js:
//
//	mux.Handle("GET /sdk/kith.js", tracker.Handler())
//
// The script is readable ES2017 served as-is (no build step). It derives the
// API address from its own src, so it must be served by the Kith server (or
// given data-api). Its unit tests run with node's built-in test runner:
//
//	node --test tracker/*_test.mjs
//
// Two server-side expectations follow from how the script sends events:
// POST /api/v1/events must accept a text/plain body (a CORS "simple
// request", sent by fetch with keepalive or by navigator.sendBeacon) and the
// key in ?key=, and must answer with Access-Control-Allow-Origin for the
// page's origin (or *; no credentials are sent) so the script can read
// uuidConflict. See README.md in this directory.
package tracker

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"

	_ "embed" // for kith.js
)

// Script is the source of kith.js, served verbatim.
//
//go:embed kith.js
var Script []byte

// Path is where the server serves the script; the script strips it from its
// own src to find the API base.
const Path = "/sdk/kith.js"

// ETag is a strong validator of Script.
var ETag = func() string {
	sum := sha256.Sum256(Script)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}()

// Handler serves Script with a JavaScript content type, an ETag (so
// browsers revalidate cheaply) and a short cache lifetime, so that a new
// release reaches every site within the hour.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/javascript; charset=utf-8")
		h.Set("Cache-Control", "public, max-age=3600")
		h.Set("X-Content-Type-Options", "nosniff")
		// The script tag needs no CORS, but crossorigin="anonymous" (for
		// Subresource Integrity or error reporting) does.
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("ETag", ETag)
		http.ServeContent(w, r, "kith.js", time.Time{}, bytes.NewReader(Script))
	})
}

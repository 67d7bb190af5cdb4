// Package e2e holds Kith's end-to-end tests: the real API server over a
// real SQLite store, the real tracker (tracker/kith.js) in headless
// Chromium, and shop pages served from another origin, so that cookies,
// CORS, keepalive requests and form submits behave as on a real site.
// Everything is checked through the API (and the store, for timelines).
//
// The browser tests need Chromium (docs/TESTING.md): they skip without it,
// and fail instead when KITH_REQUIRE_BROWSER is set.
//
//	go test ./e2e/
package e2e

// Package demo is a small shop site that shows the browser tracker at work
// (SPEC §4): a home page with a pop-up offer, a newsletter form and a login
// form. `kith serve` serves it at /demo/. The pages are static and load the
// tracker themselves with the tracker key from their own URL
// (/demo/?key=pk_…), so the demo needs no server-side state and works with
// any workspace. See README.md in this directory.
package demo

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed static
var files embed.FS

// Static is the demo site: HTML pages, one stylesheet and one script.
var Static = func() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // the directory is embedded above: cannot happen
	}
	return sub
}()

// Handler serves the demo site from its root: mount it with
// http.StripPrefix("/demo", Handler()). The pages refer to each other and
// to the tracker (../sdk/kith.js) by relative URLs, so the prefix is free.
func Handler() http.Handler {
	fileServer := http.FileServerFS(Static)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The pages are tiny and change with releases: always revalidate.
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		fileServer.ServeHTTP(w, r)
	})
}

package e2e

import (
	"html/template"
	"net/http"
	"strings"
)

// shopPages are the test shop's pages (testdata/shop): each loads the
// tracker from the API server with the script tag of tracker/README.md.
var shopPages = template.Must(template.ParseGlob("testdata/shop/*.html"))

// shopRoutes maps the shop's paths to pages. Every /spa/… path is the
// single-page app, as a server with client-side routing answers.
var shopRoutes = map[string]string{
	"/":           "home.html",
	"/about":      "about.html",
	"/newsletter": "newsletter.html",
	"/register":   "register.html",
	"/login":      "login.html",
	"/checkout":   "checkout.html",
	"/popup":      "popup.html",
	"/thanks":     "thanks.html",
	"/perf":       "perf.html",
	"/spa":        "spa.html",
}

type pageData struct {
	API, Key string
	Tracker  bool
	Items    []int
}

// shopHandler serves the shop pages of e. /perf?tracker=0 is the same page
// without the tracker, for the page-load measurement.
func shopHandler(e *env) http.Handler {
	items := make([]int, 200)
	for i := range items {
		items[i] = i + 1
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := shopRoutes[r.URL.Path]
		if strings.HasPrefix(r.URL.Path, "/spa/") {
			name, ok = "spa.html", true
		}
		// Forms post to /thanks; nothing else takes a POST.
		if !ok || (r.Method != http.MethodGet && !(r.Method == http.MethodPost && name == "thanks.html")) {
			http.NotFound(w, r)
			return
		}
		data := pageData{API: e.api.URL, Key: e.tracker, Tracker: r.URL.Query().Get("tracker") != "0"}
		if name == "perf.html" {
			data.Items = items
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := shopPages.ExecuteTemplate(w, name, data); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
}

// Package web is Kith's admin UI (SPEC §9): server-rendered html/template
// pages with htmx for in-place edits, behind a login. Every write goes
// through the identity package, as the API's do, with source "ui".
package web

import (
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/importer"
	"github.com/kithcdp/kith/ingest"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Handler serves the admin UI. Set the exported fields, then call Routes.
type Handler struct {
	Store  kith.Store
	Logger *slog.Logger
	// Ingest validates and stores manual events, as the API does.
	Ingest *ingest.Service
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// SessionTTL is how long a sign-in lasts; 0 means 12 hours.
	SessionTTL time.Duration
	// Imports is the import history shared with the API; nil hides the
	// imports page's history and upload.
	Imports importer.Repository

	pages       map[string]*template.Template
	importsOnce sync.Once
	importSvc   *importer.Service
}

// pageNames are the templates rendered inside the layout.
var pageNames = []string{"login", "dashboard", "profiles", "card", "attributes", "tags", "settings", "checklist",
	"imports", "mapping", "import", "users", "error"}

// Routes registers the UI's routes on mux.
func (h *Handler) Routes(mux *http.ServeMux) {
	if h.Logger == nil {
		h.Logger = slog.Default()
	}
	h.pages = map[string]*template.Template{}
	for _, name := range pageNames {
		h.pages[name] = template.Must(template.New("layout.html").Funcs(funcs).
			ParseFS(templateFiles, "templates/layout.html", "templates/parts.html", "templates/"+name+".html"))
	}
	static, _ := fs.Sub(staticFiles, "static")
	files := http.FileServerFS(static)
	mux.Handle("GET /static/", http.StripPrefix("/static", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})))
	mux.HandleFunc("GET /login", h.loginPage)
	mux.HandleFunc("POST /login", h.login)
	mux.HandleFunc("POST /logout", h.signedIn(h.logout))
	mux.HandleFunc("GET /{$}", h.signedIn(h.dashboard))
	mux.HandleFunc("GET /profiles", h.signedIn(h.profiles))
	mux.HandleFunc("GET /profiles/{id}", h.signedIn(h.card))
	mux.HandleFunc("POST /profiles/{id}/attributes", h.signedIn(h.cardForm(h.setAttribute)))
	mux.HandleFunc("POST /profiles/{id}/agreements", h.signedIn(h.cardForm(h.setAgreement)))
	mux.HandleFunc("POST /profiles/{id}/tags", h.signedIn(h.cardForm(h.addTag)))
	mux.HandleFunc("POST /profiles/{id}/tags/remove", h.signedIn(h.cardForm(h.removeTag)))
	mux.HandleFunc("POST /profiles/{id}/notes", h.signedIn(h.cardForm(h.addNote)))
	mux.HandleFunc("POST /profiles/{id}/notes/{note}", h.signedIn(h.cardForm(h.editNote)))
	mux.HandleFunc("POST /profiles/{id}/notes/{note}/delete", h.signedIn(h.cardForm(h.deleteNote)))
	mux.HandleFunc("POST /profiles/{id}/events", h.signedIn(h.cardForm(h.addEvent)))
	mux.HandleFunc("GET /attributes", h.signedIn(h.attributes))
	mux.HandleFunc("POST /attributes", h.signedIn(h.defineAttribute))
	mux.HandleFunc("POST /attributes/{name}", h.signedIn(h.describeAttribute))
	mux.HandleFunc("POST /attributes/{name}/delete", h.signedIn(h.deleteAttribute))
	mux.HandleFunc("GET /tags", h.signedIn(h.tags))
	mux.HandleFunc("POST /tags", h.signedIn(h.createTag))
	mux.HandleFunc("POST /tags/{name}", h.signedIn(h.updateTag))
	mux.HandleFunc("POST /tags/{name}/delete", h.signedIn(h.deleteTag))
	mux.HandleFunc("GET /settings", h.signedIn(h.settings))
	mux.HandleFunc("POST /settings/workspace", h.signedIn(h.updateWorkspace))
	mux.HandleFunc("POST /settings/keys", h.signedIn(h.createKey))
	mux.HandleFunc("POST /settings/keys/{key}/revoke", h.signedIn(h.revokeKey))
	mux.HandleFunc("GET /checklist", h.signedIn(h.checklistPage))
	mux.HandleFunc("GET /imports", h.signedIn(h.imports))
	mux.HandleFunc("POST /imports", limitUpload(h.signedIn(h.upload)))
	mux.HandleFunc("GET /imports/mapping", h.signedIn(h.mappingPage))
	mux.HandleFunc("POST /imports/mapping", h.signedIn(h.startImport))
	mux.HandleFunc("POST /imports/mapping/discard", h.signedIn(h.discardUpload))
	mux.HandleFunc("GET /imports/{import}", h.signedIn(h.importPage))
	mux.HandleFunc("GET /imports/{import}/progress", h.signedIn(h.importProgress))
	mux.HandleFunc("GET /imports/{import}/errors", h.signedIn(h.importErrors))
	mux.HandleFunc("GET /users", h.signedIn(h.users))
	mux.HandleFunc("POST /users", h.signedIn(h.createUser))
	mux.HandleFunc("POST /users/password", h.signedIn(h.changePassword))
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now().UTC()
	}
	return time.Now().UTC()
}

// page is what every page template gets.
type page struct {
	Title string
	Nav   string
	User  *kith.User
	WS    *kith.Workspace
	CSRF  string
	Data  any
}

// render writes a page inside the layout.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	if s := current(r); s != nil {
		p.User, p.WS, p.CSRF = s.user, s.ws, s.csrf
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Referrer-Policy", "same-origin")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := h.pages[name].Execute(w, p); err != nil {
		h.Logger.Error("render page", slog.String("page", name), slog.Any("err", err))
	}
}

// fail answers an error as a page: not found, refused, or internal.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	msg := "Something went wrong. The error was logged."
	switch kith.ErrorCode(err) {
	case kith.ECodeNotFound:
		status, msg = http.StatusNotFound, "Not found. It may have been erased, or it belongs to another workspace."
	case kith.ECodeForbidden:
		status, msg = http.StatusForbidden, kith.ErrorMessage(err)
	case kith.ECodeInternal, kith.ECodeUnavailable:
		h.Logger.Error("ui request", slog.String("path", r.URL.Path), slog.Any("err", err))
	default:
		status, msg = http.StatusUnprocessableEntity, kith.ErrorMessage(err)
	}
	h.render(w, r, status, "error", page{Title: http.StatusText(status), Data: msg})
}

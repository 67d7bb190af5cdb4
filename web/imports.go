package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/importer"
)

// importer returns the import service over Imports, or nil without a
// shared history.
func (h *Handler) importer() *importer.Service {
	if h.Imports == nil {
		return nil
	}
	h.importsOnce.Do(func() {
		h.importSvc = &importer.Service{Store: h.Store, Repo: h.Imports, Now: h.Now, Logger: h.Logger}
	})
	return h.importSvc
}

type importsData struct {
	Available bool
	Imports   []importView
	Error     string
}

// importView is an import as the pages show it.
type importView struct {
	*importer.Import
	// Percent is how far it is, by bytes read (100 when it ended).
	Percent int
	// ReadText and SizeText are the bytes read and the file's size,
	// readable.
	ReadText, SizeText string
}

func viewImport(imp *importer.Import) importView {
	v := importView{Import: imp, ReadText: byteSize(imp.BytesRead), SizeText: byteSize(imp.Size)}
	switch {
	case imp.Status != importer.StatusRunning:
		v.Percent = 100
	case imp.Size > 0:
		v.Percent = int(min(99, imp.BytesRead*100/imp.Size))
	}
	return v
}

// byteSize writes a number of bytes readably: 980 B, 12.4 kB, 3.1 MB.
func byteSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000_000:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	case n < 1000_000_000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.2f GB", float64(n)/1e9)
}

// imports shows the import history and the upload form.
func (h *Handler) imports(w http.ResponseWriter, r *http.Request) {
	h.renderImports(w, r, http.StatusOK, "")
}

func (h *Handler) renderImports(w http.ResponseWriter, r *http.Request, status int, msg string) {
	d := importsData{Error: msg}
	if svc := h.importer(); svc != nil {
		d.Available = true
		list, err := svc.List(r.Context(), current(r).ws.ID, 50)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, imp := range list {
			d.Imports = append(d.Imports, viewImport(imp))
		}
	}
	h.render(w, r, htmxStatus(r, status), "imports", page{Title: "Imports", Nav: "imports", Data: d})
}

// upload keeps an uploaded CSV or NDJSON file for its column mapping, and
// sends the browser to the mapping page. A file whose header cannot be
// read is refused at once.
func (h *Handler) upload(w http.ResponseWriter, r *http.Request) {
	if h.importer() == nil {
		h.fail(w, r, kith.Errorf(kith.ECodeUnavailable, "imports are not available here"))
		return
	}
	if err := r.ParseMultipartForm(maxUploadMemory); err != nil {
		h.renderImports(w, r, http.StatusBadRequest, "Choose a CSV or NDJSON file to upload.")
		return
	}
	file, header, err := r.FormFile("file")
	if err != nil {
		h.renderImports(w, r, http.StatusBadRequest, "Choose a CSV or NDJSON file to upload.")
		return
	}
	defer file.Close()
	u, err := saveUpload(current(r).ws.ID, header.Filename, file, h.now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if _, err := u.preview(""); err != nil {
		u.discard()
		h.renderImports(w, r, http.StatusUnprocessableEntity, u.Name+": "+kith.ErrorMessage(err))
		return
	}
	http.Redirect(w, r, "/imports/mapping?upload="+u.ID, http.StatusSeeOther)
}

// maxUploadMemory is how much of an upload is kept in memory; the rest
// goes to a temporary file.
const maxUploadMemory = 8 << 20

// limitUpload refuses a request body larger than an upload may be, before
// anything reads it.
func limitUpload(next http.HandlerFunc) http.HandlerFunc {
	const limit = importer.MaxFileBytes + 1<<20 // the form around the file
	return func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			http.Error(w, "The file is larger than the 2 GiB upload limit; import it with kith import instead.", http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next(w, r)
	}
}

// findImport returns the path's import of the session's workspace.
func (h *Handler) findImport(r *http.Request) (*importer.Import, error) {
	svc := h.importer()
	if svc == nil {
		return nil, kith.Errorf(kith.ECodeNotFound, "no such import")
	}
	return svc.Find(r.Context(), current(r).ws.ID, r.PathValue("import"))
}

// importPage shows one import, with its progress while it runs.
func (h *Handler) importPage(w http.ResponseWriter, r *http.Request) {
	imp, err := h.findImport(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "import", page{Title: "Import " + imp.FileName, Nav: "imports", Data: viewImport(imp)})
}

// htmxStopPolling is the status that makes htmx stop polling an element.
const htmxStopPolling = 286

// importProgress answers the fragment that shows an import's progress
// (as=row: its row in the history). While the import runs, the fragment
// asks for itself again every second; once it ended, it stops.
func (h *Handler) importProgress(w http.ResponseWriter, r *http.Request) {
	imp, err := h.findImport(r)
	if err != nil && r.Header.Get("HX-Request") == "true" {
		// The import is gone (a restart lost its progress) or cannot be
		// read: htmx would keep asking every second, since it swaps no
		// error page. 286 stops the polling and leaves the page as it is.
		h.Logger.Warn("import progress", "err", err)
		w.Header().Set("HX-Reswap", "none")
		w.WriteHeader(htmxStopPolling)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	set, name := "import", "progress"
	if r.URL.Query().Get("as") == "row" {
		set, name = "imports", "import-row"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := h.pages[set].ExecuteTemplate(w, name, viewImport(imp)); err != nil {
		h.Logger.Error("render import progress", "import", imp.ID, "err", err)
	}
}

// importErrors downloads an import's row errors as CSV.
func (h *Handler) importErrors(w http.ResponseWriter, r *http.Request) {
	imp, err := h.findImport(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="kith-import-`+imp.ID+`-errors.csv"`)
	out := csv.NewWriter(w)
	_ = out.Write([]string{"line", "column", "code", "message"})
	err = h.importer().Errors(r.Context(), current(r).ws.ID, imp.ID, func(errs []importer.RowError) error {
		for _, e := range errs {
			if err := out.Write([]string{strconv.FormatInt(e.Line, 10), e.Column, e.Code, e.Message}); err != nil {
				return err
			}
		}
		out.Flush()
		return out.Error()
	})
	if err != nil {
		h.Logger.Error("import errors download", "import", imp.ID, "err", err)
	}
	out.Flush()
}

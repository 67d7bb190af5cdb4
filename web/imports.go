package web

import (
	"encoding/csv"
	"io"
	"net/http"
	"os"
	"strconv"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/importer"
)

// maxUploadMemory is how much of an upload is kept in memory; the rest
// goes to a temporary file.
const maxUploadMemory = 8 << 20

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
	Imports   []*importer.Import
	Error     string
}

// imports shows the import history and the upload form.
func (h *Handler) imports(w http.ResponseWriter, r *http.Request) {
	h.renderImports(w, r, http.StatusOK, "")
}

func (h *Handler) renderImports(w http.ResponseWriter, r *http.Request, status int, msg string) {
	d := importsData{Error: msg}
	if svc := h.importer(); svc != nil {
		d.Available = true
		var err error
		if d.Imports, err = svc.List(r.Context(), current(r).ws.ID, 50); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if status != http.StatusOK && r.Header.Get("HX-Request") == "true" {
		status = http.StatusOK
	}
	h.render(w, r, status, "imports", page{Title: "Imports", Nav: "imports", Data: d})
}

// upload starts an import of the uploaded CSV or NDJSON file, with the
// columns mapped by their names (SPEC §5).
func (h *Handler) upload(w http.ResponseWriter, r *http.Request) {
	svc := h.importer()
	if svc == nil {
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
	tmp, err := os.CreateTemp("", "kith-upload-*")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	_, err = io.Copy(tmp, file)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		h.fail(w, r, err)
		return
	}
	opts := importer.Options{DryRun: r.PostFormValue("dryRun") == "true"}
	if _, err := svc.Start(current(r).ws, importer.File{Path: tmp.Name(), Name: header.Filename, Remove: true}, opts); err != nil {
		if e := kith.AsError(err); e != nil && e.Code != kith.ECodeInternal {
			h.renderImports(w, r, http.StatusUnprocessableEntity, e.Message)
			return
		}
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/imports", http.StatusSeeOther)
}

// importErrors downloads an import's row errors as CSV.
func (h *Handler) importErrors(w http.ResponseWriter, r *http.Request) {
	svc := h.importer()
	if svc == nil {
		h.fail(w, r, kith.Errorf(kith.ECodeNotFound, "no such import"))
		return
	}
	ws, id := current(r).ws.ID, r.PathValue("import")
	if _, err := svc.Find(r.Context(), ws, id); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="kith-import-`+id+`-errors.csv"`)
	out := csv.NewWriter(w)
	_ = out.Write([]string{"line", "column", "code", "message"})
	err := svc.Errors(r.Context(), ws, id, func(errs []importer.RowError) error {
		for _, e := range errs {
			if err := out.Write([]string{strconv.FormatInt(e.Line, 10), e.Column, e.Code, e.Message}); err != nil {
				return err
			}
		}
		out.Flush()
		return out.Error()
	})
	if err != nil {
		h.Logger.Error("import errors download", "import", id, "err", err)
	}
	out.Flush()
}

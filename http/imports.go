package http

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/importer"
	"github.com/kithcdp/kith/schema"
)

// maxImportBytes is the largest file POST /api/v1/imports takes,
// importer.MaxFileBytes, lowered by tests.
var maxImportBytes int64 = importer.MaxFileBytes

// imports serves the import endpoints (SPEC §5).
type imports struct {
	s   *Server
	svc *importer.Service
}

// importRoutes registers the import endpoints.
func (s *Server) importRoutes(mux *http.ServeMux) {
	var repo importer.Repository
	switch r, ok := s.Store.(importer.Repository); {
	case ok:
		repo = r
	case s.Imports != nil:
		repo = s.Imports
	default:
		repo = importer.NewMemoryRepository()
	}
	h := &imports{s: s, svc: &importer.Service{Store: s.Store, Repo: repo, Now: s.Now, Logger: s.Logger}}
	secret := func(f http.HandlerFunc) http.HandlerFunc { return s.auth(false, false, f) }
	mux.HandleFunc("POST /api/v1/imports", secret(h.post))
	mux.HandleFunc("GET /api/v1/imports", secret(h.list))
	mux.HandleFunc("GET /api/v1/imports/{id}", secret(h.get))
	mux.HandleFunc("GET /api/v1/imports/{id}/errors", secret(h.errors))
}

// post is POST /api/v1/imports: a multipart form with the file (part
// "file"), an optional mapping (part "mapping", JSON) and an optional
// dryRun ("true"). The file is stored in a temporary file, then imported
// in the background; the answer is 202 with the running IMPORT.
func (h *imports) post(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxImportBytes+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		h.s.writeError(w, r, kith.Errorf(kith.ECodeUnsupportedMedia,
			"send the file as multipart/form-data, in a part named \"file\""))
		return
	}
	up, err := h.readForm(mr)
	if err != nil {
		if up.path != "" {
			_ = os.Remove(up.path)
		}
		h.s.writeError(w, r, err)
		return
	}
	ws := caller(r).workspace
	imp, err := h.svc.Start(ws, importer.File{Path: up.path, Name: up.name, Remove: true}, up.opts)
	if err != nil {
		h.s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/imports/"+imp.ID)
	writeJSON(w, http.StatusAccepted, imp)
}

// upload is what the form of POST /api/v1/imports gave.
type upload struct {
	path, name string
	opts       importer.Options
}

// readForm reads the parts of the form, storing the file.
func (h *imports) readForm(mr *multipart.Reader) (upload, error) {
	var up upload
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return up, formError(err)
		}
		switch part.FormName() {
		case "file":
			if up.path != "" {
				return up, kith.FieldErrorf("file", kith.ECodeInvalid, "send one file")
			}
			up.name = part.FileName()
			if up.path, err = storeUpload(part); err != nil {
				return up, err
			}
		case "mapping":
			data, err := io.ReadAll(io.LimitReader(part, importer.MaxMappingBytes+1))
			if err != nil {
				return up, formError(err)
			}
			if len(data) > importer.MaxMappingBytes {
				return up, kith.FieldErrorf("mapping", kith.ECodePayloadTooLarge, "the mapping is larger than %d bytes", importer.MaxMappingBytes)
			}
			m, err := importer.ParseMapping(data)
			if err != nil {
				return up, kith.FieldErrorf("mapping", kith.ErrorCode(err), "%s", kith.ErrorMessage(err))
			}
			up.opts.Mapping = m
		case "dryRun":
			data, err := io.ReadAll(io.LimitReader(part, 16))
			if err != nil {
				return up, formError(err)
			}
			v, ok := schema.ParseBool(string(data))
			if !ok {
				return up, kith.FieldErrorf("dryRun", kith.ECodeInvalid, "dryRun is true or false, not %q", data)
			}
			up.opts.DryRun = v
		default:
			return up, kith.FieldErrorf(part.FormName(), kith.ECodeUnknownField,
				"unknown form field %q (expected file, mapping, dryRun)", part.FormName())
		}
	}
	if up.path == "" {
		return up, kith.FieldErrorf("file", kith.ECodeRequired, "the form has no part named \"file\"")
	}
	if up.name == "" {
		up.name = "upload"
	}
	return up, nil
}

// storeUpload copies an uploaded file to a temporary file.
func storeUpload(part io.Reader) (string, error) {
	f, err := os.CreateTemp("", "kith-import-*")
	if err != nil {
		return "", fmt.Errorf("store upload: %w", err)
	}
	n, err := io.Copy(f, io.LimitReader(part, maxImportBytes+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > maxImportBytes {
		err = &http.MaxBytesError{Limit: maxImportBytes}
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return "", formError(err)
	}
	return f.Name(), nil
}

// formError describes a failure to read the request body.
func formError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return kith.Errorf(kith.ECodePayloadTooLarge, "the upload is larger than %d bytes", maxImportBytes)
	}
	return kith.Errorf(kith.ECodeInvalid, "the multipart form cannot be read: %v", err)
}

// get is GET /api/v1/imports/{id}.
func (h *imports) get(w http.ResponseWriter, r *http.Request) {
	imp, err := h.svc.Find(r.Context(), caller(r).workspace.ID, r.PathValue("id"))
	if err != nil {
		h.s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, imp)
}

// list is GET /api/v1/imports?limit=N: the history, newest first.
func (h *imports) list(w http.ResponseWriter, r *http.Request) {
	limit := 50
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			h.s.writeError(w, r, kith.FieldErrorf("limit", kith.ECodeInvalid, "limit is 1–1000"))
			return
		}
		limit = n
	}
	imps, err := h.svc.List(r.Context(), caller(r).workspace.ID, limit)
	if err != nil {
		h.s.writeError(w, r, err)
		return
	}
	if imps == nil {
		imps = []*importer.Import{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"imports": imps})
}

// errors is GET /api/v1/imports/{id}/errors: the row errors as CSV.
func (h *imports) errors(w http.ResponseWriter, r *http.Request) {
	ws, id := caller(r).workspace.ID, r.PathValue("id")
	if _, err := h.svc.Find(r.Context(), ws, id); err != nil {
		h.s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", id+"-errors.csv"))
	ew, err := importer.NewErrorsWriter(w)
	if err != nil {
		return
	}
	err = h.svc.Errors(r.Context(), ws, id, ew.Write)
	if ferr := ew.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		// The status is sent; a truncated CSV is all that can be said.
		h.s.Logger.Error("write import errors", "import", id, "err", err)
	}
}

package importer

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/kithcdp/kith"
)

// FileRepository is a Repository in a directory, for the embedded store:
// it lives beside the database (DATA/imports), so the history survives
// restarts. Each import is two files: ID.json, its record, replaced whole
// on every update (write to a temporary file, then rename), and
// ID.errors.jsonl, its row errors as JSON lines, appended to. Several
// processes (a server and a CLI import) may share the directory: each
// import is written by the one process running it.
type FileRepository struct {
	dir string
	// mu guards cursor, which remembers where the last ImportErrors call
	// stopped so that reading errors page by page is linear.
	mu     sync.Mutex
	cursor map[string]errorCursor
}

type errorCursor struct {
	after  int64 // errors read
	offset int64 // byte offset of the next one
}

var _ Repository = (*FileRepository)(nil)

// fileRecord is the content of ID.json.
type fileRecord struct {
	WorkspaceID int64   `json:"workspaceId"`
	Import      *Import `json:"import"`
}

// NewFileRepository opens (creating it if needed) the directory dir.
func NewFileRepository(dir string) (*FileRepository, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("importer: create %s: %w", dir, err)
	}
	return &FileRepository{dir: dir, cursor: map[string]errorCursor{}}, nil
}

func (r *FileRepository) recordPath(id string) string { return filepath.Join(r.dir, id+".json") }
func (r *FileRepository) errorsPath(id string) string {
	return filepath.Join(r.dir, id+".errors.jsonl")
}

func (r *FileRepository) CreateImport(ctx context.Context, imp *Import) error {
	if !validID(imp.ID) {
		return kith.Errorf(kith.ECodeInvalid, "import id %q is malformed", imp.ID)
	}
	data, err := json.Marshal(fileRecord{WorkspaceID: imp.WorkspaceID, Import: imp})
	if err != nil {
		return err
	}
	f, err := os.OpenFile(r.recordPath(imp.ID), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if errors.Is(err, fs.ErrExist) {
		return kith.Errorf(kith.ECodeConflict, "import %s exists", imp.ID)
	}
	if err != nil {
		return fmt.Errorf("importer: create record: %w", err)
	}
	_, err = f.Write(data)
	return errors.Join(err, f.Close())
}

func (r *FileRepository) UpdateImport(ctx context.Context, imp *Import) error {
	if _, err := r.FindImport(ctx, imp.WorkspaceID, imp.ID); err != nil {
		return err
	}
	data, err := json.Marshal(fileRecord{WorkspaceID: imp.WorkspaceID, Import: imp})
	if err != nil {
		return err
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	tmp := r.recordPath(imp.ID) + ".tmp-" + hex.EncodeToString(suffix)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return fmt.Errorf("importer: update record: %w", err)
	}
	_, err = f.Write(data)
	if err == nil && imp.Status != StatusRunning {
		err = f.Sync() // the final state must survive a crash
	}
	if err = errors.Join(err, f.Close()); err == nil {
		err = os.Rename(tmp, r.recordPath(imp.ID))
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("importer: update record: %w", err)
	}
	return nil
}

func (r *FileRepository) AddImportErrors(ctx context.Context, ws int64, id string, errs []RowError) error {
	if _, err := r.FindImport(ctx, ws, id); err != nil {
		return err
	}
	f, err := os.OpenFile(r.errorsPath(id), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return fmt.Errorf("importer: add errors: %w", err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for i := range errs {
		if err = enc.Encode(&errs[i]); err != nil {
			break
		}
	}
	if err == nil {
		err = w.Flush()
	}
	if err = errors.Join(err, f.Close()); err != nil {
		return fmt.Errorf("importer: add errors: %w", err)
	}
	return nil
}

func (r *FileRepository) FindImport(ctx context.Context, ws int64, id string) (*Import, error) {
	if !validID(id) {
		return nil, notFound(id)
	}
	rec, err := r.read(r.recordPath(id))
	if errors.Is(err, fs.ErrNotExist) || err == nil && rec.WorkspaceID != ws {
		return nil, notFound(id)
	}
	if err != nil {
		return nil, err
	}
	return rec.Import, nil
}

func (r *FileRepository) read(path string) (*fileRecord, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rec fileRecord
	if err := json.Unmarshal(data, &rec); err != nil || rec.Import == nil {
		return nil, fmt.Errorf("importer: %s is damaged: %v", path, err)
	}
	rec.Import.WorkspaceID = rec.WorkspaceID
	return &rec, nil
}

func (r *FileRepository) ListImports(ctx context.Context, ws int64, limit int) ([]*Import, error) {
	entries, err := os.ReadDir(r.dir)
	if err != nil {
		return nil, fmt.Errorf("importer: list imports: %w", err)
	}
	var out []*Import
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || !validID(id) {
			continue
		}
		rec, err := r.read(filepath.Join(r.dir, e.Name()))
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed meanwhile
		}
		if err != nil {
			return nil, err
		}
		if rec.WorkspaceID == ws {
			out = append(out, rec.Import)
		}
	}
	return newestFirst(out, limit), nil
}

func (r *FileRepository) ImportErrors(ctx context.Context, ws int64, id string, after int64, limit int) ([]RowError, error) {
	if _, err := r.FindImport(ctx, ws, id); err != nil {
		return nil, err
	}
	f, err := os.Open(r.errorsPath(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("importer: read errors: %w", err)
	}
	defer f.Close()
	skip, offset := after, int64(0)
	r.mu.Lock()
	if c, ok := r.cursor[id]; ok && c.after <= after {
		skip, offset = after-c.after, c.offset
	}
	r.mu.Unlock()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, fmt.Errorf("importer: read errors: %w", err)
	}
	br := bufio.NewReaderSize(f, 1<<16)
	var out []RowError
	for len(out) < limit {
		line, err := br.ReadBytes('\n')
		if len(line) == 0 || line[len(line)-1] != '\n' {
			break // the end, or a line still being written
		}
		offset += int64(len(line))
		if skip > 0 {
			skip--
			continue
		}
		var e RowError
		if jerr := json.Unmarshal(line, &e); jerr != nil {
			return nil, fmt.Errorf("importer: %s is damaged: %v", r.errorsPath(id), jerr)
		}
		out = append(out, e)
		if err != nil {
			break
		}
	}
	if skip == 0 {
		r.mu.Lock()
		r.cursor[id] = errorCursor{after: after + int64(len(out)), offset: offset}
		r.mu.Unlock()
	}
	return out, nil
}

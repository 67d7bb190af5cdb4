package importer

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/kithcdp/kith"
)

// Repository keeps import records and their row errors, per workspace.
// It stands in for store methods until kith.Store has them (docs/IMPORT.md
// lists the methods and tables that would replace it).
type Repository interface {
	// CreateImport stores a new record (conflict when the id exists).
	CreateImport(ctx context.Context, imp *Import) error
	// UpdateImport replaces a record's status, counts and times
	// (not_found).
	UpdateImport(ctx context.Context, imp *Import) error
	// AddImportErrors appends row errors to an import's, in order.
	AddImportErrors(ctx context.Context, ws int64, id string, errs []RowError) error
	// FindImport returns a record (not_found).
	FindImport(ctx context.Context, ws int64, id string) (*Import, error)
	// ListImports returns a workspace's records, newest first, at most
	// limit of them.
	ListImports(ctx context.Context, ws int64, limit int) ([]*Import, error)
	// ImportErrors returns at most limit row errors of an import, in the
	// order they were added, skipping the first after ones (a cursor:
	// the number already read). It returns not_found for an unknown
	// import.
	ImportErrors(ctx context.Context, ws int64, id string, after int64, limit int) ([]RowError, error)
}

// MemoryRepository is a Repository in memory: its history ends with the
// process. Safe for concurrent use.
type MemoryRepository struct {
	mu      sync.Mutex
	imports map[string]*Import
	errors  map[string][]RowError
}

var _ Repository = (*MemoryRepository)(nil)

// NewMemoryRepository returns an empty MemoryRepository.
func NewMemoryRepository() *MemoryRepository {
	return &MemoryRepository{imports: map[string]*Import{}, errors: map[string][]RowError{}}
}

func (m *MemoryRepository) CreateImport(ctx context.Context, imp *Import) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.imports[imp.ID]; ok {
		return kith.Errorf(kith.ECodeConflict, "import %s exists", imp.ID)
	}
	m.imports[imp.ID] = imp.clone()
	return nil
}

func (m *MemoryRepository) UpdateImport(ctx context.Context, imp *Import) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.find(imp.WorkspaceID, imp.ID); err != nil {
		return err
	}
	m.imports[imp.ID] = imp.clone()
	return nil
}

func (m *MemoryRepository) AddImportErrors(ctx context.Context, ws int64, id string, errs []RowError) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.find(ws, id); err != nil {
		return err
	}
	m.errors[id] = append(m.errors[id], errs...)
	return nil
}

func (m *MemoryRepository) FindImport(ctx context.Context, ws int64, id string) (*Import, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	imp, err := m.find(ws, id)
	if err != nil {
		return nil, err
	}
	return imp.clone(), nil
}

func (m *MemoryRepository) ListImports(ctx context.Context, ws int64, limit int) ([]*Import, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*Import
	for _, imp := range m.imports {
		if imp.WorkspaceID == ws {
			out = append(out, imp.clone())
		}
	}
	return newestFirst(out, limit), nil
}

func (m *MemoryRepository) ImportErrors(ctx context.Context, ws int64, id string, after int64, limit int) ([]RowError, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.find(ws, id); err != nil {
		return nil, err
	}
	all := m.errors[id]
	if after >= int64(len(all)) {
		return nil, nil
	}
	page := all[after:]
	if len(page) > limit {
		page = page[:limit]
	}
	return slices.Clone(page), nil
}

func (m *MemoryRepository) find(ws int64, id string) (*Import, error) {
	imp, ok := m.imports[id]
	if !ok || imp.WorkspaceID != ws {
		return nil, notFound(id)
	}
	return imp, nil
}

func notFound(id string) error {
	return kith.Errorf(kith.ECodeNotFound, "no import has id %q", id)
}

// newestFirst sorts records by start time, newest first (ids break ties:
// they grow with time), and keeps at most limit.
func newestFirst(imps []*Import, limit int) []*Import {
	slices.SortFunc(imps, func(a, b *Import) int {
		if c := b.StartedAt.Compare(a.StartedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	if limit > 0 && len(imps) > limit {
		imps = imps[:limit]
	}
	return imps
}

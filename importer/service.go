package importer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/kithcdp/kith"
)

// StaleAfter is how long a running import's record may go unchanged before
// it is shown as failed: the process running it stopped (a restart, a
// crash), since a live one updates it after every batch.
const StaleAfter = 5 * time.Minute

// saveEvery is the most often a running import's record is saved.
const saveEvery = 200 * time.Millisecond

// Service runs imports and keeps their records in Repo.
type Service struct {
	Store kith.Store
	Repo  Repository
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Logger logs imports that fail in the background; nil means
	// slog.Default.
	Logger *slog.Logger

	wg     sync.WaitGroup
	mu     sync.Mutex
	active map[string]bool // ids of imports running in this process
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// File is an uploaded file to import in the background.
type File struct {
	Path string
	// Name is the name the uploader gave the file.
	Name string
	// Remove deletes the file once the import ends.
	Remove bool
}

// Start records a new import of f into workspace ws and runs it in the
// background; the record it returns says "running". Wait waits for every
// import started so.
func (s *Service) Start(ws *kith.Workspace, f File, opts Options) (*Import, error) {
	fh, err := os.Open(f.Path)
	if err != nil {
		s.cleanup(f)
		return nil, fmt.Errorf("importer: open upload: %w", err)
	}
	var size int64
	if st, err := fh.Stat(); err == nil {
		size = st.Size()
	}
	ctx := context.Background()
	imp, err := s.begin(ctx, ws, f.Name, size, opts)
	if err != nil {
		_ = fh.Close()
		s.cleanup(f)
		return nil, err
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer s.cleanup(f)
		defer fh.Close()
		_, err := s.finish(ctx, ws, imp.clone(), Input{Name: f.Name, R: fh, Size: size}, opts)
		if code := kith.ErrorCode(err); code == kith.ECodeInternal || code == kith.ECodeUnavailable {
			// Only failures of Kith are logged; the record tells users
			// about their files.
			s.logger().Error("import failed", slog.String("import", imp.ID), slog.Any("err", err))
		}
	}()
	return imp, nil
}

func (s *Service) cleanup(f File) {
	if f.Remove {
		_ = os.Remove(f.Path)
	}
}

// Wait waits until every import started by Start has ended.
func (s *Service) Wait() { s.wg.Wait() }

// Run records a new import of in into workspace ws, runs it to the end and
// returns its final record. The error is the one that failed the import
// (the record then says why, too), or the repository's.
func (s *Service) Run(ctx context.Context, ws *kith.Workspace, in Input, opts Options) (*Import, error) {
	imp, err := s.begin(ctx, ws, in.Name, in.Size, opts)
	if err != nil {
		return nil, err
	}
	return s.finish(ctx, ws, imp, in, opts)
}

// begin stores the record of a new import.
func (s *Service) begin(ctx context.Context, ws *kith.Workspace, name string, size int64, opts Options) (*Import, error) {
	now := s.now()
	imp := &Import{ID: newID(now), WorkspaceID: ws.ID, FileName: name, Status: StatusRunning,
		DryRun: opts.DryRun, Size: size, StartedAt: now, UpdatedAt: now}
	if err := s.Repo.CreateImport(ctx, imp); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.active == nil {
		s.active = map[string]bool{}
	}
	s.active[imp.ID] = true
	s.mu.Unlock()
	return imp, nil
}

// finish runs an import whose record is stored, keeping the record up to
// date, and stores its final state.
func (s *Service) finish(ctx context.Context, ws *kith.Workspace, imp *Import, in Input, opts Options) (*Import, error) {
	defer func() {
		s.mu.Lock()
		delete(s.active, imp.ID)
		s.mu.Unlock()
	}()
	var saved time.Time
	var repoErr error
	userErrors, userProgress := opts.OnErrors, opts.OnProgress
	opts.OnErrors = func(errs []RowError) error {
		if err := s.Repo.AddImportErrors(ctx, ws.ID, imp.ID, errs); err != nil {
			return err
		}
		imp.Errors += int64(len(errs))
		if userErrors != nil {
			return userErrors(errs)
		}
		return nil
	}
	opts.OnProgress = func(p Progress) {
		errs := imp.Errors
		imp.Counts, imp.BytesRead = p.Counts, p.BytesRead
		imp.Errors = errs
		if now := s.now(); now.Sub(saved) >= saveEvery {
			saved, imp.UpdatedAt = now, now
			if err := s.Repo.UpdateImport(ctx, imp); err != nil && repoErr == nil {
				repoErr = err
			}
		}
		if userProgress != nil {
			userProgress(p)
		}
	}
	if opts.Now == nil {
		opts.Now = s.Now
	}
	counts, err := Run(ctx, s.Store, ws, in, opts)
	if err == nil {
		err = repoErr
	}
	errs := imp.Errors
	imp.Counts = counts
	imp.Errors = errs
	now := s.now()
	imp.UpdatedAt, imp.FinishedAt = now, &now
	imp.Status = StatusDone
	if err != nil {
		imp.Status = StatusFailed
		imp.Failure = failure(err)
	}
	if in.Size > 0 && err == nil {
		imp.BytesRead = in.Size
	}
	// Record the end even when ctx was cancelled (an interrupted CLI).
	if uerr := s.Repo.UpdateImport(context.WithoutCancel(ctx), imp); uerr != nil && err == nil {
		err = uerr
	}
	return imp.clone(), err
}

// failure describes the error that failed an import; internal errors get
// a generic message (the log has the details).
func failure(err error) *Failure {
	switch {
	case errors.Is(err, context.Canceled):
		return &Failure{Code: CodeInterrupted, Message: "the import was cancelled; the rows before it stopped are written"}
	case errors.Is(err, kith.ErrRetry):
		return &Failure{Code: kith.ECodeUnavailable, Message: "the store was too busy with conflicting writes; run the import again (rows already written are updated, not duplicated)"}
	}
	code := kith.ErrorCode(err)
	return &Failure{Code: code, Message: kith.ErrorMessage(err)}
}

// Find returns an import's record (not_found).
func (s *Service) Find(ctx context.Context, ws int64, id string) (*Import, error) {
	imp, err := s.Repo.FindImport(ctx, ws, id)
	if err != nil {
		return nil, err
	}
	return s.settle(imp), nil
}

// List returns a workspace's imports, newest first.
func (s *Service) List(ctx context.Context, ws int64, limit int) ([]*Import, error) {
	imps, err := s.Repo.ListImports(ctx, ws, limit)
	for i, imp := range imps {
		imps[i] = s.settle(imp)
	}
	return imps, err
}

// settle shows a running import whose process stopped as failed.
func (s *Service) settle(imp *Import) *Import {
	if imp.Status != StatusRunning {
		return imp
	}
	s.mu.Lock()
	mine := s.active[imp.ID]
	s.mu.Unlock()
	if mine || s.now().Sub(imp.UpdatedAt) < StaleAfter {
		return imp
	}
	imp.Status = StatusFailed
	imp.Failure = &Failure{Code: CodeInterrupted,
		Message: "the process running the import stopped before it ended; the rows before that are written, and running it again is safe"}
	return imp
}

// Errors calls fn with every row error of an import, in order.
func (s *Service) Errors(ctx context.Context, ws int64, id string, fn func([]RowError) error) error {
	const page = 10000
	var after int64
	for {
		errs, err := s.Repo.ImportErrors(ctx, ws, id, after, page)
		if err != nil {
			return err
		}
		if len(errs) == 0 {
			return nil
		}
		if err := fn(errs); err != nil {
			return err
		}
		after += int64(len(errs))
	}
}

func (s *Service) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

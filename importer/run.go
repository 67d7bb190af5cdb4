package importer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
	"github.com/kithcdp/kith/ingest"
)

// decoder reads the data rows of a file.
type decoder interface {
	// next returns the next row, io.EOF after the last, or another error
	// when the file can no longer be read.
	next() (row, error)
}

// runner is one import in progress.
type runner struct {
	st     kith.Store
	ws     *kith.Workspace
	opts   Options
	p      *plan
	dec    decoder
	cr     *countingReader
	br     *bufio.Reader // buffers cr for the decoder
	counts Counts
	// start is where the file was when the import began, -1 when it
	// cannot seek back there.
	start int64
}

// batch is a run of consecutive rows applied in one transaction.
type batch struct {
	rows  []row
	defs  []kith.AttributeDef // new attributes the rows start to use
	bytes int64               // bytes read once the batch was read
}

// Run imports a file into workspace ws of st and returns its counts. It
// reads the header (or, for a seekable NDJSON file, every key) first and
// refuses a file with unknown columns before writing anything: the error
// then lists them, and so do the row errors passed to OnErrors. Bad rows
// are reported and skipped. Run fails only when the file can no longer be
// read, OnErrors fails, or the store does; the batches applied until then
// stay written (except in a dry run, which never writes).
func Run(ctx context.Context, st kith.Store, ws *kith.Workspace, in Input, opts Options) (Counts, error) {
	r, err := prepare(ctx, st, ws, in, opts)
	if err != nil {
		return Counts{}, err
	}
	return r.run(ctx)
}

// prepare reads the catalogue and the file's header and resolves the
// columns.
func prepare(ctx context.Context, st kith.Store, ws *kith.Workspace, in Input, opts Options) (*runner, error) {
	if in.R == nil {
		return nil, kith.Errorf(CodeInvalidFile, "no file to import")
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	var custom []kith.AttributeDef
	err := st.View(ctx, func(tx kith.ReadTx) error {
		var err error
		custom, err = tx.ListAttributeDefs(ctx, ws.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	r := &runner{st: st, ws: ws, opts: opts, p: newPlan(ws, opts.Mapping, custom, opts.now()), start: -1}
	if s, ok := in.R.(io.Seeker); ok {
		// A pipe is an *os.File too, but it cannot seek.
		if at, err := s.Seek(0, io.SeekCurrent); err == nil {
			r.start = at
		}
	}
	r.cr = &countingReader{r: in.R}
	br := bufio.NewReaderSize(r.cr, 1<<16)
	r.br = br
	skipBOM(br)
	format, err := detectFormat(opts.Format, in.Name, br)
	if err != nil {
		return nil, err
	}
	var colErrs []RowError
	if format == FormatCSV {
		colErrs, err = r.openCSV(br)
	} else {
		colErrs, err = r.openNDJSON(in.R, br)
	}
	if err != nil {
		return nil, err
	}
	if len(colErrs) > 0 {
		if opts.OnErrors != nil {
			if err := opts.OnErrors(colErrs); err != nil {
				return nil, err
			}
		}
		return nil, columnsError(colErrs)
	}
	return r, nil
}

func (r *runner) openCSV(br *bufio.Reader) ([]RowError, error) {
	comma, err := r.opts.delimiter()
	if err != nil {
		return nil, err
	}
	dec, errs, err := newCSVDecoder(br, comma, r.p)
	if err != nil {
		return nil, err
	}
	r.dec = dec
	line, _ := dec.r.FieldPos(0)
	return columnRowErrors(int64(line), errs), nil
}

func (r *runner) openNDJSON(src io.Reader, br *bufio.Reader) ([]RowError, error) {
	if s, ok := src.(io.Seeker); ok && r.start >= 0 {
		errs, err := prescanNDJSON(br, r.p)
		if err != nil {
			return nil, kith.Errorf(CodeInvalidFile, "the file cannot be read: %v", err)
		}
		if len(errs) > 0 {
			return columnRowErrors(0, errs), nil
		}
		if _, err := s.Seek(r.start, io.SeekStart); err != nil {
			return nil, kith.Errorf(CodeInvalidFile, "the file cannot be read again: %v", err)
		}
		r.cr.n = 0
		br.Reset(r.cr)
		skipBOM(br)
	}
	r.dec = newNDJSONDecoder(br, r.p)
	return nil, nil
}

// columnRowErrors reports column problems as row errors of the header line
// (0 for NDJSON keys, which have no one line).
func columnRowErrors(line int64, errs []*kith.Error) []RowError {
	out := make([]RowError, len(errs))
	for i, e := range errs {
		out[i] = RowError{Line: line, Column: e.Field, Code: e.Code, Message: e.Message}
	}
	return out
}

// columnsError is the error of a file refused for its columns.
func columnsError(errs []RowError) *kith.Error {
	msgs := make([]string, len(errs))
	details := make([]*kith.Error, len(errs))
	for i, e := range errs {
		msgs[i] = e.Message
		details[i] = &kith.Error{Code: e.Code, Field: e.Column, Message: e.Message}
	}
	return &kith.Error{Code: errs[0].Code, Details: details,
		Message: fmt.Sprintf("nothing was imported: %s", strings.Join(msgs, "; "))}
}

// run reads batches in one goroutine and applies them in this one, so that
// parsing the next batch overlaps writing the last.
func (r *runner) run(ctx context.Context) (Counts, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *batch, 2)
	readErr := make(chan error, 1)
	go func() { readErr <- r.produce(ctx, batches) }()
	var err error
	if r.opts.DryRun {
		err = r.dryRun(ctx, batches)
	} else {
		err = r.consume(ctx, &defStore{Store: r.st, ws: r.ws.ID}, batches)
	}
	cancel()
	for range batches {
		// Let the reader see the cancellation and end.
	}
	if rerr := <-readErr; err == nil && rerr != nil {
		err = rerr
	}
	return r.counts, err
}

// produce reads the file into batches.
func (r *runner) produce(ctx context.Context, out chan<- *batch) error {
	defer close(out)
	for {
		b := &batch{rows: make([]row, 0, r.opts.BatchSize)}
		var err error
		for len(b.rows) < r.opts.BatchSize {
			var rw row
			if rw, err = r.dec.next(); err != nil {
				break
			}
			b.rows = append(b.rows, rw)
		}
		b.defs = r.p.takePending()
		b.bytes = r.consumed()
		if len(b.rows) > 0 || len(b.defs) > 0 {
			select {
			case out <- b:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return kith.Errorf(CodeInvalidFile, "the file could not be read past byte %d: %v", r.cr.n, err)
		}
	}
}

// consumed returns how many bytes of the file the decoder has used: those
// read, less those still in the buffer.
func (r *runner) consumed() int64 {
	return r.cr.n - int64(r.br.Buffered())
}

// consume applies batches through st until there are no more.
func (r *runner) consume(ctx context.Context, st *defStore, batches <-chan *batch) error {
	svc := &ingest.Service{Store: st, Now: r.opts.Now}
	for b := range batches {
		writes := make([]*identity.Write, 0, len(b.rows))
		for _, rw := range b.rows {
			if rw.write != nil {
				writes = append(writes, rw.write)
			}
		}
		var outs []ingest.Outcome
		if len(writes) > 0 || len(b.defs) > 0 {
			st.defs = b.defs
			var err error
			if outs, err = svc.Apply(ctx, r.ws, writes); err != nil {
				return err
			}
		}
		if err := r.settle(b, outs); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// dryRun applies every batch in one transaction and rolls it back.
func (r *runner) dryRun(ctx context.Context, batches <-chan *batch) error {
	calls := 0
	err := r.st.Update(ctx, func(tx kith.Tx) error {
		if calls++; calls > 1 {
			// The file was consumed by the first call; it cannot be
			// read again here.
			return kith.Errorf(kith.ECodeUnavailable, "dry run: concurrent writes interrupted it; run it again")
		}
		err := r.consume(ctx, &defStore{Store: &txStore{Store: r.st, tx: tx}, ws: r.ws.ID}, batches)
		if errors.Is(err, kith.ErrRetry) {
			return kith.Errorf(kith.ECodeUnavailable, "dry run: concurrent writes changed profiles this file touches; run it again")
		}
		if err != nil {
			return err
		}
		return errRollback
	})
	if errors.Is(err, errRollback) {
		return nil
	}
	return err
}

// settle counts a batch's outcomes and reports its errors, in file order.
func (r *runner) settle(b *batch, outs []ingest.Outcome) error {
	var errs []RowError
	next := 0
	for _, rw := range b.rows {
		r.counts.Rows++
		if rw.write == nil {
			r.counts.Failed++
			errs = append(errs, rw.errs...)
			continue
		}
		o := outs[next]
		next++
		switch {
		case o.Err != nil:
			r.counts.Failed++
			errs = append(errs, r.p.rowErrors(rw.line, o.Err)...)
		case o.Result.Created:
			r.counts.Created++
		default:
			r.counts.Updated++
		}
		if o.Result != nil && len(o.Result.Merged) > 0 {
			r.counts.Merged++
		}
	}
	r.counts.Errors += int64(len(errs))
	if len(errs) > 0 && r.opts.OnErrors != nil {
		if err := r.opts.OnErrors(errs); err != nil {
			return err
		}
	}
	if r.opts.OnProgress != nil {
		r.opts.OnProgress(Progress{Counts: r.counts, BytesRead: b.bytes})
	}
	return nil
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/importer"
)

type importCmd struct {
	storeFlags
	File       string `arg:"" help:"CSV or NDJSON file to import (- for standard input)." placeholder:"FILE"`
	Mapping    string `help:"Mapping file (JSON): renamed and ignored columns, constant tags, delimiter." placeholder:"FILE"`
	DryRun     bool   `help:"Check the whole file against the store without writing anything."`
	Delimiter  string `help:"CSV delimiter: , ; | or tab (default: detected from the header line)."`
	Format     string `help:"File format: csv or ndjson (default: from the extension, else the content)." enum:",csv,ndjson" default:""`
	Workspace  string `help:"Workspace to import into (embedded store or PostgreSQL)." default:"default" env:"KITH_WORKSPACE"`
	Errors     string `help:"Where to write the failed rows as CSV (line,column,code,message); default FILE.errors.csv, written only when rows fail." placeholder:"FILE"`
	BatchSize  int    `help:"Rows per store transaction." default:"0" hidden:""`
	Server     string `help:"Upload to a running Kith server at this URL instead of opening the store." env:"KITH_SERVER" placeholder:"URL"`
	Key        string `help:"Secret key (sk_…) of the workspace, with --server." env:"KITH_KEY"`
	JSON       bool   `help:"Print the import record (IMPORT) as JSON instead of a summary."`
	NoProgress bool   `help:"Do not draw a progress bar (it is drawn only on a terminal anyway)."`
	CPUProfile string `help:"Write a CPU profile of the import to this file." hidden:"" placeholder:"FILE"`
}

func (c *importCmd) Run(ctx context.Context) error {
	if c.CPUProfile != "" {
		f, err := os.Create(c.CPUProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var mapping []byte
	opts := importer.Options{DryRun: c.DryRun, Delimiter: c.Delimiter, Format: c.Format, BatchSize: c.BatchSize}
	if c.Mapping != "" {
		m, err := importer.LoadMapping(c.Mapping)
		if err != nil {
			return err
		}
		opts.Mapping = m
		mapping, _ = os.ReadFile(c.Mapping)
	}
	if c.Delimiter != "" {
		if _, err := importer.ParseDelimiter(c.Delimiter); err != nil {
			return err
		}
	}
	start := time.Now()
	var imp *importer.Import
	var err error
	if c.Server != "" {
		imp, err = c.remote(ctx, mapping, opts)
	} else {
		imp, err = c.local(ctx, opts)
	}
	if imp != nil {
		c.summary(imp, time.Since(start))
	}
	return err
}

// local imports into the store the store flags choose.
func (c *importCmd) local(ctx context.Context, opts importer.Options) (*importer.Import, error) {
	in, closeIn, err := c.input()
	if err != nil {
		return nil, err
	}
	defer closeIn()
	st, _, err := c.open(ctx)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	ws, err := c.workspace(ctx, st)
	if err != nil {
		return nil, err
	}
	bar := c.bar(in.Size)
	errs := &errorsFile{path: c.errorsPath()}
	defer errs.close()
	opts.OnErrors = errs.write
	opts.OnProgress = func(p importer.Progress) { bar.update(p.Rows, p.BytesRead) }
	svc := &importer.Service{Store: st, Repo: importRepository(&c.storeFlags)}
	imp, err := svc.Run(ctx, ws, in, opts)
	bar.finish()
	if cerr := errs.close(); err == nil {
		err = cerr
	}
	return imp, err
}

// input opens the file to import.
func (c *importCmd) input() (importer.Input, func(), error) {
	if c.File == "-" {
		return importer.Input{Name: "stdin", R: os.Stdin}, func() {}, nil
	}
	f, err := os.Open(c.File)
	if err != nil {
		return importer.Input{}, nil, err
	}
	in := importer.Input{Name: filepath.Base(c.File), R: f}
	if st, err := f.Stat(); err == nil {
		in.Size = st.Size()
	}
	return in, func() { _ = f.Close() }, nil
}

// workspace finds the workspace to import into; "default" is created when
// missing, as kith serve does on its first start.
func (c *importCmd) workspace(ctx context.Context, st kith.Store) (*kith.Workspace, error) {
	var ws *kith.Workspace
	err := st.View(ctx, func(tx kith.ReadTx) error {
		var err error
		ws, err = tx.FindWorkspaceByName(ctx, c.Workspace)
		return err
	})
	if kith.ErrorCode(err) == kith.ECodeNotFound && c.Workspace == "default" {
		creds, err := kith.CreateWorkspace(ctx, st, kith.NewWorkspace("default", kith.ModeEmail), time.Now())
		if err != nil {
			return nil, fmt.Errorf("create the default workspace: %w", err)
		}
		fmt.Fprintf(os.Stderr, "Created the default workspace (id %d).\n  tracker key: %s\n  secret key:  %s   (shown once: store it now)\n",
			creds.Workspace.ID, creds.TrackerKey, creds.SecretKey)
		return creds.Workspace, nil
	}
	if kith.ErrorCode(err) == kith.ECodeNotFound {
		return nil, fmt.Errorf("no workspace is called %q; create it with kith workspace create --name %q", c.Workspace, c.Workspace)
	}
	return ws, err
}

// importRepository is where imports run against the store of f are
// recorded: beside the embedded store, so that kith serve shows them too;
// in memory for PostgreSQL until the stores keep imports.
func importRepository(f *storeFlags) importer.Repository {
	if f.Postgres != "" {
		return importer.NewMemoryRepository()
	}
	r, err := importer.NewFileRepository(filepath.Join(f.Data, "imports"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "kith: the import history is kept in memory only:", err)
		return importer.NewMemoryRepository()
	}
	return r
}

// remote uploads the file to a running server and follows the import.
func (c *importCmd) remote(ctx context.Context, mapping []byte, opts importer.Options) (*importer.Import, error) {
	if c.Key == "" {
		return nil, errors.New("--server needs --key (a secret key of the workspace, sk_…)")
	}
	if c.File == "-" || c.Delimiter != "" || c.Format != "" {
		return nil, errors.New("with --server, give a file name (not -), and the delimiter in the mapping file; the format is told from the file")
	}
	st, err := os.Stat(c.File)
	if err != nil {
		return nil, err
	}
	cl := &importer.Client{URL: c.Server, Key: c.Key}
	bar := c.bar(st.Size())
	bar.describe("uploading")
	imp, err := cl.Upload(ctx, c.File, mapping, opts.DryRun, func(n int64) { bar.setBytes(n) })
	if err != nil {
		bar.finish()
		return nil, err
	}
	bar.reset(imp.Size)
	for imp.Status == importer.StatusRunning {
		select {
		case <-ctx.Done():
			bar.finish()
			return imp, fmt.Errorf("stopped following import %s; it goes on on the server", imp.ID)
		case <-time.After(250 * time.Millisecond):
		}
		if imp, err = cl.Get(ctx, imp.ID); err != nil {
			bar.finish()
			return nil, err
		}
		bar.update(imp.Rows, imp.BytesRead)
	}
	bar.finish()
	if imp.Errors > 0 {
		errs := &errorsFile{path: c.errorsPath()}
		if err := errs.open(); err != nil {
			return imp, err
		}
		err := cl.Errors(ctx, imp.ID, errs.f)
		if cerr := errs.close(); err == nil {
			err = cerr
		}
		if err != nil {
			return imp, err
		}
	}
	if imp.Status == importer.StatusFailed {
		return imp, failureError(imp)
	}
	return imp, nil
}

// errorsPath is where failed rows are written.
func (c *importCmd) errorsPath() string {
	switch {
	case c.Errors != "":
		return c.Errors
	case c.File == "-":
		return "stdin.errors.csv"
	}
	return c.File + ".errors.csv"
}

// summary prints what the import did.
func (c *importCmd) summary(imp *importer.Import, elapsed time.Duration) {
	if c.JSON {
		_ = json.NewEncoder(os.Stdout).Encode(imp)
		return
	}
	what := "import"
	if imp.DryRun {
		what = "dry run (nothing was written)"
	}
	fmt.Printf("%s %s %s: %d rows — %d created, %d updated, %d merged, %d failed\n",
		what, imp.ID, imp.Status, imp.Rows, imp.Created, imp.Updated, imp.Merged, imp.Failed)
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(imp.Rows) / s
	}
	fmt.Printf("elapsed %s, %.0f rows/s\n", elapsed.Round(time.Millisecond), rate)
	if imp.Errors > 0 {
		fmt.Printf("%d errors written to %s\n", imp.Errors, c.errorsPath())
	}
}

func failureError(imp *importer.Import) error {
	if imp.Failure == nil {
		return fmt.Errorf("import %s failed", imp.ID)
	}
	return kith.Errorf(imp.Failure.Code, "%s", imp.Failure.Message)
}

// errorsFile writes row errors as CSV, creating the file on the first one.
type errorsFile struct {
	path string
	f    *os.File
	w    *importer.ErrorsWriter
}

func (e *errorsFile) open() error {
	f, err := os.Create(e.path)
	if err != nil {
		return fmt.Errorf("errors file: %w", err)
	}
	e.f = f
	return nil
}

func (e *errorsFile) write(errs []importer.RowError) error {
	if e.w == nil {
		if err := e.open(); err != nil {
			return err
		}
		w, err := importer.NewErrorsWriter(e.f)
		if err != nil {
			return err
		}
		e.w = w
	}
	return e.w.Write(errs)
}

func (e *errorsFile) close() error {
	if e.f == nil {
		return nil
	}
	var err error
	if e.w != nil {
		err = e.w.Flush()
	}
	err = errors.Join(err, e.f.Close())
	e.f, e.w = nil, nil
	return err
}

// bar is the progress bar on stderr: bytes read (for the ETA), with the
// rows and rows/s in its description.
type bar struct {
	pb    *progressbar.ProgressBar
	start time.Time
}

func (c *importCmd) bar(size int64) *bar {
	visible := !c.NoProgress && term.IsTerminal(int(os.Stderr.Fd()))
	max := size
	if max <= 0 {
		max = -1 // a spinner
	}
	pb := progressbar.NewOptions64(max,
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetVisibility(visible),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetDescription("importing"),
	)
	return &bar{pb: pb, start: time.Now()}
}

func (b *bar) update(rows, bytes int64) {
	rate := 0.0
	if s := time.Since(b.start).Seconds(); s > 0 {
		rate = float64(rows) / s
	}
	b.pb.Describe(fmt.Sprintf("%d rows, %.0f rows/s", rows, rate))
	_ = b.pb.Set64(bytes)
}

func (b *bar) describe(s string) { b.pb.Describe(s) }
func (b *bar) setBytes(n int64)  { _ = b.pb.Set64(n) }
func (b *bar) finish()           { _ = b.pb.Finish() }
func (b *bar) reset(size int64) {
	b.pb.Reset()
	b.pb.ChangeMax64(size)
	b.start = time.Now()
	b.describe("importing")
}

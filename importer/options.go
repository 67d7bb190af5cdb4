package importer

import (
	"bufio"
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/kithcdp/kith"
)

// Formats of import files.
const (
	FormatCSV    = "csv"
	FormatNDJSON = "ndjson"
)

// MaxFileBytes is the largest file a server takes for an import, from the
// API or the admin UI (the CLI reads files of any size).
const MaxFileBytes = 2 << 30

// DefaultBatchSize is how many rows one store transaction applies: large
// enough that a commit (one fsync on the embedded store) is shared by many
// rows, small enough that a batch never holds the single writer long.
const DefaultBatchSize = 200

// Input is the file to import.
type Input struct {
	// Name is the file's name; its extension (.csv, .tsv, .txt, .ndjson,
	// .jsonl) tells the format when Options.Format does not.
	Name string
	// R reads the file. When it is also an io.Seeker, an NDJSON file is
	// read twice: first to check every key before anything is written.
	R io.Reader
	// Size is the file's length in bytes, 0 when unknown.
	Size int64
}

// Options configure one import.
type Options struct {
	Mapping *Mapping
	// Format is FormatCSV, FormatNDJSON, or "" to tell it from the name or
	// the content (a file starting with '{' is NDJSON).
	Format string
	// Delimiter is the CSV delimiter (see ParseDelimiter); "" takes the
	// mapping's, else detects it from the header line.
	Delimiter string
	// DryRun checks the whole file against the store without writing.
	DryRun bool
	// BatchSize is the number of rows per transaction (DefaultBatchSize
	// when 0).
	BatchSize int
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// OnProgress, when set, is called after every batch.
	OnProgress func(Progress)
	// OnErrors, when set, receives row errors in file order, batch by
	// batch. An error it returns stops the import.
	OnErrors func([]RowError) error
}

// Progress is how far an import is.
type Progress struct {
	Counts
	BytesRead int64
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now().UTC()
	}
	return time.Now().UTC()
}

// delimiter returns the CSV delimiter given (Delimiter, else the
// mapping's), or 0 to detect it.
func (o *Options) delimiter() (rune, error) {
	delim := o.Delimiter
	if delim == "" && o.Mapping != nil {
		delim = o.Mapping.Delimiter
	}
	if delim == "" {
		return 0, nil
	}
	return ParseDelimiter(delim)
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// skipBOM drops a UTF-8 byte order mark at the start of the file.
func skipBOM(br *bufio.Reader) {
	if b, _ := br.Peek(3); bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(3)
	}
}

// detectFormat returns the format given, else the one of the file name's
// extension, else the content's.
func detectFormat(given, name string, br *bufio.Reader) (string, error) {
	switch strings.ToLower(given) {
	case FormatCSV, "tsv":
		return FormatCSV, nil
	case FormatNDJSON, "jsonl":
		return FormatNDJSON, nil
	case "":
	default:
		return "", kith.Errorf(CodeInvalidFile, "format %q is not csv or ndjson", given)
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".tsv", ".txt":
		return FormatCSV, nil
	case ".ndjson", ".jsonl":
		return FormatNDJSON, nil
	}
	head, _ := br.Peek(4096)
	if t := bytes.TrimLeft(head, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		return FormatNDJSON, nil
	}
	return FormatCSV, nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

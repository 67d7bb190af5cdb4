package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/kithcdp/kith"
)

// Preview is the start of a file, read as an import reads it: what a
// person mapping its columns needs to see.
type Preview struct {
	// Format is FormatCSV or FormatNDJSON.
	Format string
	// Delimiter is the CSV delimiter used (given or detected), "" for
	// NDJSON.
	Delimiter string
	// Columns are the header's names, trimmed ("" for a nameless column,
	// which an import ignores); for NDJSON, the keys of the rows read, in
	// the order they first appear (keys of nested "client", "attributes"
	// and "agreements" objects flattened as an import does).
	Columns []string
	// Rows are the first data rows, one cell per column ("" when absent).
	// CSV rows that cannot be read and NDJSON lines that are not objects
	// are left out.
	Rows [][]string
}

// MaxPreviewBytes is how much of a file a preview reads at most: an
// unclosed quote or a run of unreadable rows must not make it read a whole
// upload into memory.
const MaxPreviewBytes = 1 << 20

// ReadPreview reads the header and the first n data rows of a file, within
// its first MaxPreviewBytes, with the format and delimiter of opts (or
// detected, as an import does). It refuses a file whose header cannot be
// read with invalid_file.
func ReadPreview(in Input, opts Options, n int) (*Preview, error) {
	br := bufio.NewReaderSize(io.LimitReader(in.R, MaxPreviewBytes), 1<<16)
	skipBOM(br)
	format, err := detectFormat(opts.Format, in.Name, br)
	if err != nil {
		return nil, err
	}
	if format == FormatNDJSON {
		return previewNDJSON(br, n)
	}
	delim, err := opts.delimiter()
	if err != nil {
		return nil, err
	}
	if delim == 0 {
		delim = detectDelimiter(br)
	}
	r, header, err := readCSVHeader(br, delim)
	if err != nil {
		return nil, err
	}
	p := &Preview{Format: FormatCSV, Delimiter: string(delim), Columns: make([]string, len(header))}
	for i, h := range header {
		p.Columns[i] = strings.TrimSpace(h)
	}
	for len(p.Rows) < n {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if _, bad := errors.AsType[*csv.ParseError](err); bad {
			continue
		}
		if err != nil {
			return nil, kith.Errorf(CodeInvalidFile, "the file cannot be read: %v", err)
		}
		row := make([]string, len(header))
		copy(row, rec)
		p.Rows = append(p.Rows, row)
	}
	return p, nil
}

// previewNDJSON reads the first n objects of an NDJSON file.
func previewNDJSON(br *bufio.Reader, n int) (*Preview, error) {
	p := &Preview{Format: FormatNDJSON}
	index := map[string]int{}
	var objs []map[string]any
	lr := lineReader{br: br}
	for len(objs) < n {
		text, _, tooLong, err := lr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, kith.Errorf(CodeInvalidFile, "the file cannot be read: %v", err)
		}
		if tooLong || len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		obj, derr := decodeObject(text)
		if derr != nil {
			continue
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if _, ok := index[strings.TrimSpace(k)]; !ok {
				index[strings.TrimSpace(k)] = len(p.Columns)
				p.Columns = append(p.Columns, strings.TrimSpace(k))
			}
		}
		objs = append(objs, obj)
	}
	for _, obj := range objs {
		row := make([]string, len(p.Columns))
		for k, v := range obj {
			row[index[strings.TrimSpace(k)]] = cellText(v)
		}
		p.Rows = append(p.Rows, row)
	}
	return p, nil
}

// cellText shows a JSON value as a cell: strings and numbers as they are,
// null as "", lists and objects as JSON.
func cellText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// ColumnTarget is what one column of a file feeds in an import.
type ColumnTarget struct {
	// Column is the column's name.
	Column string
	// Target is the field, spelled as a mapping names it: clientId,
	// email, customId, uuid, tags, agreements.CHANNEL or attributes.NAME.
	// It is "" when the column is ignored (no name, or null in the
	// mapping) or refused.
	Target string
	// New says that Target is a custom attribute the import would define.
	New bool
	// Err is why an import would refuse the column; its Field is the
	// column's name.
	Err *kith.Error
}

// ResolveColumns says what each column would feed in an import under
// mapping m (nil maps every column by its name), decided as an import
// decides it before reading any row: against the default attributes and
// the workspace's custom ones (custom), the reserved names, and the
// columns before it (two columns feeding one field are refused). It
// returns one ColumnTarget per column, in order.
func ResolveColumns(columns []string, m *Mapping, custom []kith.AttributeDef) []ColumnTarget {
	p := newPlan(nil, m, custom, time.Time{})
	cols, errs := p.columns(columns)
	out := make([]ColumnTarget, len(columns))
	for i, name := range columns {
		out[i].Column = strings.TrimSpace(name)
		if c := cols[i]; c != nil {
			out[i].Target, out[i].New = c.target(), c.isNew
			continue
		}
		for j, e := range errs {
			if e != nil && e.Field == out[i].Column {
				out[i].Err, errs[j] = e, nil
				break
			}
		}
	}
	return out
}

// target is the column's field, spelled as a mapping names it.
func (c *column) target() string {
	if c.kind == targetIdentifier {
		return string(c.ident)
	}
	return c.field()
}

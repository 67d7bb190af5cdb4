package importer

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kithcdp/kith"
)

// csvDecoder reads the data rows of a CSV file.
type csvDecoder struct {
	r      *csv.Reader
	p      *plan
	cols   []*column
	header int // number of header cells
}

// newCSVDecoder reads the header of a CSV file and resolves its columns.
// delim 0 means detect it from the header line. Column problems are
// returned as errors naming their columns; err is for a file that cannot
// be read at all.
func newCSVDecoder(br *bufio.Reader, delim rune, p *plan) (d *csvDecoder, colErrs []*kith.Error, err error) {
	r, header, err := readCSVHeader(br, delim)
	if err != nil {
		return nil, nil, err
	}
	cols, colErrs := p.columns(header)
	return &csvDecoder{r: r, p: p, cols: cols, header: len(header)}, colErrs, nil
}

// readCSVHeader starts reading a CSV file: it detects the delimiter when
// delim is 0, and reads the header row. The reader reuses its records.
func readCSVHeader(br *bufio.Reader, delim rune) (*csv.Reader, []string, error) {
	if delim == 0 {
		delim = detectDelimiter(br)
	}
	r := csv.NewReader(br)
	r.Comma = delim
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, kith.Errorf(CodeInvalidFile, "the file is empty; a CSV file starts with a header row naming its columns")
	}
	if err != nil {
		return nil, nil, kith.Errorf(CodeInvalidFile, "the header row cannot be read: %v", err)
	}
	return r, append([]string(nil), header...), nil // ReuseRecord reuses the slice
}

// next returns the next data row, or io.EOF.
func (d *csvDecoder) next() (row, error) {
	rec, err := d.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return row{line: int64(pe.StartLine), errs: []RowError{{Line: int64(pe.StartLine),
				Code: CodeMalformedRow, Message: fmt.Sprintf("the row cannot be read: %v", pe.Err)}}}, nil
		}
		return row{}, err
	}
	line, _ := d.r.FieldPos(0)
	if len(rec) != d.header && !onlyEmptyExtra(rec, d.header) {
		return row{line: int64(line), errs: []RowError{{Line: int64(line), Code: CodeMalformedRow,
			Message: fmt.Sprintf("the row has %d fields but the header has %d", len(rec), d.header)}}}, nil
	}
	b := d.p.newRow(int64(line))
	for i, cell := range rec[:min(len(rec), d.header)] {
		c := d.cols[i]
		if c == nil || isBlank(cell) {
			continue // an empty cell gives no value
		}
		switch c.kind {
		case targetIdentifier:
			b.identifier(c, cell)
		case targetTags:
			b.tagList(c, cell)
		case targetAgreement:
			b.agreementText(c, cell)
		case targetAttribute:
			b.attributeCell(c, cell)
		}
	}
	return b.finish(), nil
}

// onlyEmptyExtra reports whether a row longer than the header has only
// empty fields past it (trailing delimiters).
func onlyEmptyExtra(rec []string, n int) bool {
	if len(rec) < n {
		return false
	}
	for _, f := range rec[n:] {
		if !isBlank(f) {
			return false
		}
	}
	return true
}

// isBlank reports whether a cell holds only white space.
func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n':
		default:
			return false
		}
	}
	return true
}

// detectDelimiter picks the delimiter of the header line: the most
// frequent of ',', ';', tab and '|' outside quotes; ',' when none appears.
func detectDelimiter(br *bufio.Reader) rune {
	head, _ := br.Peek(br.Size())
	counts := map[byte]int{}
	quoted := false
scan:
	for _, c := range head {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\n':
			break scan
		case strings.IndexByte(",;\t|", c) >= 0:
			counts[c]++
		}
	}
	best, n := byte(','), 0
	for _, c := range []byte(",;\t|") {
		if counts[c] > n {
			best, n = c, counts[c]
		}
	}
	return rune(best)
}

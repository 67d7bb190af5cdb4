package importer

import (
	"encoding/csv"
	"io"
	"strconv"
)

// ErrorsHeader is the header row of an errors CSV.
var ErrorsHeader = []string{"line", "column", "code", "message"}

// ErrorsWriter writes row errors as CSV: line,column,code,message.
type ErrorsWriter struct {
	w *csv.Writer
}

// NewErrorsWriter writes the header row to w and returns the writer of
// the rows.
func NewErrorsWriter(w io.Writer) (*ErrorsWriter, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(ErrorsHeader); err != nil {
		return nil, err
	}
	return &ErrorsWriter{w: cw}, nil
}

// Write writes errs.
func (e *ErrorsWriter) Write(errs []RowError) error {
	rec := make([]string, 4)
	for _, re := range errs {
		rec[0], rec[1], rec[2], rec[3] = strconv.FormatInt(re.Line, 10), re.Column, re.Code, re.Message
		if err := e.w.Write(rec); err != nil {
			return err
		}
	}
	return nil
}

// Flush writes what is buffered.
func (e *ErrorsWriter) Flush() error {
	e.w.Flush()
	return e.w.Error()
}

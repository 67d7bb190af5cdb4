package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/kithcdp/kith"
)

// MaxLineBytes is the longest NDJSON line.
const MaxLineBytes = 16 << 20

// lineReader reads physical lines, counting them.
type lineReader struct {
	br   *bufio.Reader
	line int64
	buf  []byte
}

// next returns the next line without its line ending, and its number. A
// line longer than MaxLineBytes is returned cut, with tooLong set.
func (lr *lineReader) next() (text []byte, n int64, tooLong bool, err error) {
	lr.buf = lr.buf[:0]
	for {
		chunk, err := lr.br.ReadSlice('\n')
		if len(lr.buf)+len(chunk) <= MaxLineBytes {
			lr.buf = append(lr.buf, chunk...)
		} else {
			tooLong = true
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && (err != io.EOF || len(lr.buf) == 0 && !tooLong) {
			return nil, 0, false, err
		}
		lr.line++
		return bytes.TrimRight(lr.buf, "\r\n"), lr.line, tooLong, nil
	}
}

// ndjsonDecoder reads the rows of an NDJSON file: one JSON object per line,
// keyed by the names CSV columns have. Blank lines are skipped.
type ndjsonDecoder struct {
	lines lineReader
	p     *plan
}

func newNDJSONDecoder(br *bufio.Reader, p *plan) *ndjsonDecoder {
	return &ndjsonDecoder{lines: lineReader{br: br}, p: p}
}

// next returns the next data row, or io.EOF.
func (d *ndjsonDecoder) next() (row, error) {
	for {
		text, line, tooLong, err := d.lines.next()
		if err != nil {
			return row{}, err
		}
		if tooLong {
			return row{line: line, errs: []RowError{{Line: line, Code: kith.ECodeInvalidJSON,
				Message: fmt.Sprintf("the line is longer than %d bytes", MaxLineBytes)}}}, nil
		}
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		obj, e := decodeObject(text)
		if e != nil {
			return row{line: line, errs: []RowError{{Line: line, Code: kith.ECodeInvalidJSON, Message: e.Error()}}}, nil
		}
		return d.convert(line, obj), nil
	}
}

// decodeObject decodes one line into a flat object: the keys of nested
// "client", "attributes" and "agreements" objects become email,
// attributes.NAME and agreements.CHANNEL.
func decodeObject(text []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, fmt.Errorf("the line is not a JSON object: %v", err)
	}
	if obj == nil {
		return nil, errors.New("the line is not a JSON object: null")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("the line holds more than one JSON value")
	}
	for _, group := range []string{"client", "attributes", "agreements"} {
		inner, ok := obj[group].(map[string]any)
		if !ok {
			continue
		}
		delete(obj, group)
		for k, v := range inner {
			if group != "client" {
				k = group + "." + k
			}
			obj[k] = v
		}
	}
	return obj, nil
}

// convert turns one object into a row.
func (d *ndjsonDecoder) convert(line int64, obj map[string]any) row {
	b := d.p.newRow(line)
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := obj[k]
		c, e := d.p.resolve(strings.TrimSpace(k))
		if e != nil {
			b.fail(k, e.Code, e.Message)
			continue
		}
		if c.kind == targetIgnore || isNoValue(v) {
			continue
		}
		switch c.kind {
		case targetIdentifier:
			b.jsonIdentifier(c, v)
		case targetTags:
			b.jsonTags(c, v)
		case targetAgreement:
			b.jsonAgreement(c, v)
		case targetAttribute:
			b.attribute(c, v)
		}
	}
	return b.finish()
}

// isNoValue reports whether a JSON value means "no value given": null or
// a blank string.
func isNoValue(v any) bool {
	if v == nil {
		return true
	}
	s, ok := v.(string)
	return ok && isBlank(s)
}

func (b *rowBuilder) jsonIdentifier(c *column, v any) {
	switch v := v.(type) {
	case string:
		b.identifier(c, v)
	case json.Number:
		b.identifier(c, v.String())
	default:
		code := kith.ECodeInvalidIdentifier
		if c.ident == kith.KindClientID {
			code = kith.ECodeInvalidClientID
		}
		b.fail(c.name, code, fmt.Sprintf("%s must be a string, not %s", c.ident, jsonType(v)))
	}
}

func (b *rowBuilder) jsonTags(c *column, v any) {
	switch v := v.(type) {
	case string:
		b.tagList(c, v)
	case []any:
		for _, item := range v {
			s, ok := item.(string)
			if !ok {
				b.fail(c.name, kith.ECodeInvalidTag, "tags must be strings, not "+jsonType(item))
				continue
			}
			b.tag(c, s)
		}
	default:
		b.fail(c.name, kith.ECodeInvalidTag, "tags are a list of strings or one string separated by ';' or '|', not "+jsonType(v))
	}
}

func (b *rowBuilder) jsonAgreement(c *column, v any) {
	switch v := v.(type) {
	case bool:
		b.agreement(c, v)
	case string:
		b.agreementText(c, v)
	case json.Number:
		b.agreementText(c, v.String())
	default:
		b.fail(c.name, kith.ECodeInvalidAgreement, "agreements."+c.attr+" must be true or false, not "+jsonType(v))
	}
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	case []any:
		return "a list"
	}
	return "an object"
}

// prescanNDJSON reads every line of an NDJSON file and resolves every key
// it uses, so that unknown keys refuse the file before anything is written.
// Lines that are not JSON objects are left for the import to report.
func prescanNDJSON(br *bufio.Reader, p *plan) ([]*kith.Error, error) {
	lr := lineReader{br: br}
	seen := map[string]bool{}
	var errs []*kith.Error
	for {
		text, _, tooLong, err := lr.next()
		if errors.Is(err, io.EOF) {
			return errs, nil
		}
		if err != nil {
			return nil, err
		}
		if tooLong || len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		obj, derr := decodeObject(text)
		if derr != nil {
			continue
		}
		for k := range obj {
			k = strings.TrimSpace(k)
			if seen[k] {
				continue
			}
			seen[k] = true
			if _, e := p.resolve(k); e != nil {
				errs = append(errs, e)
			}
		}
	}
}

package importer

import (
	"strconv"
	"strings"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
	"github.com/kithcdp/kith/ingest"
	"github.com/kithcdp/kith/schema"
)

// row is one data row of the file: its write, or the errors that refuse it.
type row struct {
	line  int64
	write *identity.Write
	errs  []RowError
}

// rowBuilder gathers the cells of one row into a write.
type rowBuilder struct {
	p          *plan
	line       int64
	ids        kith.Identifiers
	attrs      map[string]any
	tags       []string
	agreements map[string]bool
	errs       []RowError
}

func (p *plan) newRow(line int64) *rowBuilder {
	return &rowBuilder{p: p, line: line}
}

// fail records a problem of the row.
func (b *rowBuilder) fail(col, code, msg string) {
	b.errs = append(b.errs, RowError{Line: b.line, Column: col, Code: code, Message: msg})
}

// identifier records an identifier cell, normalized later as a whole.
func (b *rowBuilder) identifier(c *column, v string) {
	switch c.ident {
	case kith.KindClientID:
		id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || id <= 0 {
			b.fail(c.name, kith.ECodeInvalidClientID, "clientId "+quote(v)+" is not a positive integer")
			return
		}
		b.ids.ClientID = id
	case kith.KindEmail:
		b.ids.Email = v
	case kith.KindCustomID:
		b.ids.CustomID = v
	case kith.KindUUID:
		b.ids.UUID = v
	}
}

// tagList records the tags of one cell: items separated by ';' or '|'.
func (b *rowBuilder) tagList(c *column, cell string) {
	for _, t := range strings.FieldsFunc(cell, isListSep) {
		b.tag(c, t)
	}
}

func (b *rowBuilder) tag(c *column, t string) {
	if strings.TrimSpace(t) == "" {
		return
	}
	n, e := identity.NormalizeTag(t)
	if e != nil {
		b.fail(c.name, e.Code, e.Message)
		return
	}
	b.tags = append(b.tags, n)
}

func isListSep(r rune) bool { return r == ';' || r == '|' }

// agreementText records an agreement written as text: true, false, 1, 0,
// yes or no.
func (b *rowBuilder) agreementText(c *column, cell string) {
	v, ok := schema.ParseBool(cell)
	if !ok {
		b.fail(c.name, kith.ECodeInvalidAgreement, "agreements."+c.attr+" is "+quote(cell)+"; expected true, false, 1, 0, yes or no")
		return
	}
	b.agreement(c, v)
}

func (b *rowBuilder) agreement(c *column, v bool) {
	if b.agreements == nil {
		b.agreements = make(map[string]bool, 2)
	}
	b.agreements[c.attr] = v
}

// attribute records an attribute value, checked by identity.
func (b *rowBuilder) attribute(c *column, v any) {
	if b.attrs == nil {
		b.attrs = make(map[string]any, 8)
	}
	b.attrs[c.attr] = v
}

// attributeCell records a CSV cell of an attribute column: default
// attributes take the text (identity checks and normalizes it), custom ones
// the cell parsed to the attribute's type.
func (b *rowBuilder) attributeCell(c *column, cell string) {
	if !c.isCustom {
		b.attribute(c, cell)
		return
	}
	if c.def.Type == "" {
		b.p.infer(c, cell)
	}
	v, e := schema.ParseCell(c.def.Type, cell)
	if e != nil {
		b.fail(c.name, e.Code, c.attr+": "+e.Message)
		return
	}
	b.attribute(c, v)
}

// finish normalizes the identifiers and returns the row.
func (b *rowBuilder) finish() row {
	r := row{line: b.line}
	ids, err := kith.NormalizeIdentifiers(b.p.ws, b.ids, "client")
	if e := kith.AsError(err); e != nil {
		b.errs = append(b.errs, b.p.rowErrors(b.line, e)...)
	}
	if len(b.errs) == 0 && ids.ClientID == 0 && ids.UUID == "" && ids.CustomID == "" &&
		(ids.Email == "" || !b.p.ws.EmailIsIdentifier()) {
		what := "email, customId, uuid or clientId"
		if !b.p.ws.EmailIsIdentifier() {
			what = "customId, uuid or clientId (email does not identify profiles in customId mode)"
		}
		b.fail("", kith.ECodeRequired, "the row has no identifier; give "+what)
	}
	if len(b.errs) > 0 {
		r.errs = b.errs
		return r
	}
	tags := b.tags
	if len(b.p.constTags) > 0 {
		tags = append(tags, b.p.constTags...)
	}
	r.write = &identity.Write{
		Client:     ids,
		Attributes: b.attrs,
		Tags:       tags,
		Agreements: b.agreements,
		Strict:     true,
		Source:     kith.SourceImport,
	}
	return r
}

// rowErrors turns a refusal into row errors, one per field, each naming
// the column of its field.
func (p *plan) rowErrors(line int64, e *kith.Error) []RowError {
	fes := ingest.FieldErrors(e)
	out := make([]RowError, len(fes))
	for i, fe := range fes {
		out[i] = RowError{Line: line, Column: p.columnOf(fe.Field), Code: fe.Code, Message: fe.Message}
	}
	return out
}

// quote returns s quoted for a message, shortened when long.
func quote(s string) string {
	const max = 64
	if r := []rune(s); len(r) > max {
		return strconv.Quote(string(r[:max])) + "…"
	}
	return strconv.Quote(s)
}

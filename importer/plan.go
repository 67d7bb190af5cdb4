package importer

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/schema"
)

// targetKind says what a column feeds.
type targetKind int

const (
	targetIgnore targetKind = iota
	targetIdentifier
	targetTags
	targetAgreement
	targetAttribute
)

// column is one column of the file (or key of NDJSON objects) and what it
// feeds.
type column struct {
	name  string // as the file names it
	kind  targetKind
	ident kith.IdentifierKind // targetIdentifier
	attr  string              // attribute name (targetAttribute) or channel (targetAgreement)
	// def is the attribute's definition. For a CSV column defining a new
	// custom attribute, its Type is "" until the first non-empty cell.
	def      kith.AttributeDef
	isNew    bool // the column defines a new custom attribute
	isCustom bool // attr is a custom attribute (not a default one)
}

// plan maps a file's columns to profile fields and carries the state
// shared by its rows: the catalogue and the types inferred so far.
type plan struct {
	ws        *kith.Workspace
	mapping   *Mapping
	now       time.Time
	defs      map[string]kith.AttributeDef // defaults and the catalogue
	constTags []string
	// byField finds the column of an error's field (client.email,
	// attributes.NAME, agreements.CHANNEL, tags). The goroutine reading
	// the file adds to it while the one applying batches reads it.
	fieldMu sync.RWMutex
	byField map[string]string
	// byName caches resolved columns by name (NDJSON keys).
	byName map[string]*column
	// pending are new attribute definitions whose type became known and
	// that the store does not have yet.
	pending []kith.AttributeDef
}

// newPlan starts a plan against the workspace's catalogue (custom
// definitions, without the defaults).
func newPlan(ws *kith.Workspace, m *Mapping, custom []kith.AttributeDef, now time.Time) *plan {
	p := &plan{ws: ws, mapping: m, now: now, defs: map[string]kith.AttributeDef{},
		byField: map[string]string{}, byName: map[string]*column{}}
	for _, d := range append(schema.Defaults(), custom...) {
		p.defs[d.Name] = d
	}
	if m != nil {
		p.constTags = m.Tags
	}
	return p
}

// columns resolves a CSV header. It returns one column per header cell
// (nil for a nameless or ignored one) and every problem found, each
// naming its column.
func (p *plan) columns(header []string) ([]*column, []*kith.Error) {
	cols := make([]*column, len(header))
	var errs []*kith.Error
	seen := map[string]bool{}
	for i, h := range header {
		name := strings.TrimSpace(h)
		if name == "" {
			continue // a trailing delimiter, as spreadsheets write
		}
		if seen[name] {
			errs = append(errs, kith.FieldErrorf(name, CodeDuplicateColumn, "the header names column %q twice", name))
			continue
		}
		seen[name] = true
		c, e := p.resolve(name)
		if e != nil {
			errs = append(errs, e)
			continue
		}
		if c.kind != targetIgnore {
			cols[i] = c
		}
	}
	return cols, errs
}

// resolve maps one column name to its field, checking it against the
// catalogue, the reserved names and the columns resolved before.
func (p *plan) resolve(name string) (*column, *kith.Error) {
	if c, ok := p.byName[name]; ok {
		return c, nil
	}
	target := name
	if p.mapping != nil {
		if to, ok := p.mapping.Columns[name]; ok {
			if to == nil {
				c := &column{name: name, kind: targetIgnore}
				p.byName[name] = c
				return c, nil
			}
			target = strings.TrimSpace(*to)
		}
	}
	c, e := p.target(name, target)
	if e != nil {
		return nil, e
	}
	field := c.field()
	p.fieldMu.Lock()
	other, dup := p.byField[field]
	if !dup {
		p.byField[field] = name
	}
	p.fieldMu.Unlock()
	if dup && c.kind != targetTags {
		return nil, kith.FieldErrorf(name, CodeDuplicateColumn,
			"columns %q and %q both feed %s; ignore one of them in the mapping", other, name, field)
	}
	if c.isNew {
		p.defs[c.attr] = c.def // so that near-duplicates among new columns are refused
	}
	p.byName[name] = c
	return c, nil
}

// target parses a target name.
func (p *plan) target(name, target string) (*column, *kith.Error) {
	c := &column{name: name}
	switch target {
	case string(kith.KindClientID), string(kith.KindEmail), string(kith.KindCustomID), string(kith.KindUUID):
		c.kind, c.ident = targetIdentifier, kith.IdentifierKind(target)
		return c, nil
	case "tags":
		c.kind = targetTags
		return c, nil
	}
	if ch, ok := strings.CutPrefix(target, "agreements."); ok {
		if !kith.IsChannel(ch) {
			return nil, kith.FieldErrorf(name, kith.ECodeInvalidAgreement,
				"column %q: %q is not an agreement channel (expected agreements.CHANNEL with CHANNEL one of %s)",
				name, ch, strings.Join(kith.Channels, ", "))
		}
		c.kind, c.attr = targetAgreement, ch
		return c, nil
	}
	attr := strings.TrimPrefix(target, "attributes.")
	c.kind, c.attr = targetAttribute, attr
	if d, ok := p.defs[attr]; ok {
		c.def, c.isCustom = d, !schema.IsDefault(attr)
		return c, nil
	}
	if e := schema.CheckName(attr, p.defList()); e != nil {
		via := ""
		if target != name {
			via = fmt.Sprintf(" (mapped to %q)", target)
		}
		return nil, kith.FieldErrorf(name, e.Code,
			"column %q%s is neither an identifier (clientId, email, customId, uuid), tags, agreements.CHANNEL nor a usable attribute name: %s; rename it or ignore it in the mapping",
			name, via, e.Message)
	}
	c.def = kith.AttributeDef{Name: attr, CreatedAt: p.now}
	c.isNew, c.isCustom = true, true
	return c, nil
}

// field is the name identity gives the column's field in its errors.
func (c *column) field() string {
	switch c.kind {
	case targetIdentifier:
		return "client." + string(c.ident)
	case targetTags:
		return "tags"
	case targetAgreement:
		return "agreements." + c.attr
	}
	return "attributes." + c.attr
}

// infer fixes the type of a new CSV attribute column from its first
// non-empty cell (SPEC §5) and queues its definition.
func (p *plan) infer(c *column, cell string) {
	c.def.Type = schema.InferCellType(cell)
	p.defs[c.attr] = c.def
	p.pending = append(p.pending, c.def)
}

// takePending returns the definitions queued since the last call.
func (p *plan) takePending() []kith.AttributeDef {
	out := p.pending
	p.pending = nil
	return out
}

func (p *plan) defList() []kith.AttributeDef {
	out := make([]kith.AttributeDef, 0, len(p.defs))
	for _, d := range p.defs {
		out = append(out, d)
	}
	return out
}

// columnOf returns the column name of an error field, or "".
func (p *plan) columnOf(field string) string {
	p.fieldMu.RLock()
	defer p.fieldMu.RUnlock()
	if c, ok := p.byField[field]; ok {
		return c
	}
	if strings.HasPrefix(field, "tags[") {
		return p.byField["tags"]
	}
	return ""
}

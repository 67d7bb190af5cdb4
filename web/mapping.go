package web

import (
	"net/http"
	"os"
	"strconv"
	"strings"
	"unicode"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
	"github.com/kithcdp/kith/importer"
	"github.com/kithcdp/kith/schema"
)

// previewRows is how many data rows the mapping page shows.
const previewRows = 5

// Choices of a column's select besides the targets.
const (
	choiceNone   = ""       // not chosen yet: refused
	choiceIgnore = "ignore" // the column is not imported
	choiceNew    = "new"    // a new custom attribute, named in new.N
)

type mappingData struct {
	Upload    *upload
	Preview   *importer.Preview
	Columns   []mappingColumn
	Groups    []targetGroup
	Delimiter string
	Tags      string
	DryRun    bool
	// Errors are the refusals that are not a column's: "tags", "form".
	Errors map[string]string
}

// mappingColumn is one named column of the file and what it feeds.
type mappingColumn struct {
	Index   int
	Name    string
	Samples []string
	Choice  string
	NewName string
	// Error is why the column's choice is refused; Hint why the column
	// has no choice yet.
	Error, Hint string
}

// identifierTargets are the targets that find or create a row's customer.
var identifierTargets = map[string]bool{
	string(kith.KindEmail): true, string(kith.KindCustomID): true, string(kith.KindUUID): true, string(kith.KindClientID): true,
}

type targetGroup struct {
	Label   string
	Options []targetOption
}

type targetOption struct{ Value, Label string }

// targetGroups lists what a column can feed: identifiers, tags, default
// and custom attributes, agreements.
func targetGroups(custom []kith.AttributeDef) []targetGroup {
	ids := targetGroup{Label: "Identifiers", Options: []targetOption{{"email", "email"}, {"customId", "customId (your customer id)"},
		{"uuid", "uuid (browser or device)"}, {"clientId", "clientId (Kith's profile id)"}}}
	tags := targetGroup{Label: "Tags", Options: []targetOption{{"tags", "tags (separated by ; or |)"}}}
	defaults, own := targetGroup{Label: "Default attributes"}, targetGroup{Label: "Custom attributes"}
	for _, d := range schema.Defaults() {
		defaults.Options = append(defaults.Options, targetOption{"attributes." + d.Name, d.Name})
	}
	for _, d := range custom {
		own.Options = append(own.Options, targetOption{"attributes." + d.Name, d.Name + " (" + d.Type + ")"})
	}
	agreements := targetGroup{Label: "Consents"}
	for _, ch := range kith.Channels {
		agreements.Options = append(agreements.Options, targetOption{"agreements." + ch, ch + " consent"})
	}
	return []targetGroup{ids, tags, defaults, own, agreements}
}

// suggest returns the identifier, tags or attribute whose name is the
// column's but for case and what is not a letter or a digit (E-mail:
// email, First name: firstName), or "".
func suggest(column string, groups []targetGroup) string {
	squash := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return unicode.ToLower(r)
			}
			return -1
		}, s)
	}
	key := squash(column)
	for _, g := range groups {
		for _, o := range g.Options {
			if !strings.HasPrefix(o.Value, "agreements.") && squash(strings.TrimPrefix(o.Value, "attributes.")) == key {
				return o.Value
			}
		}
	}
	return choiceNone
}

// preview reads the start of the upload, with a delimiter given or
// detected.
func (u *upload) preview(delimiter string) (*importer.Preview, error) {
	f, err := os.Open(u.path())
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return importer.ReadPreview(importer.Input{Name: u.Name, R: f}, importer.Options{Delimiter: delimiter}, previewRows)
}

// mappingPage shows an upload's first rows and, for each column, what it
// feeds: at first what its name maps to.
func (h *Handler) mappingPage(w http.ResponseWriter, r *http.Request) {
	d, custom, err := h.loadMapping(r, r.URL.Query().Get("upload"), r.URL.Query().Get("delimiter"))
	if err != nil {
		h.mappingGone(w, r, err)
		return
	}
	byName := importer.ResolveColumns(d.Preview.Columns, nil, custom)
	for i := range d.Columns {
		c := &d.Columns[i]
		switch t := byName[c.Index]; {
		case t.Err != nil:
			c.Choice = suggest(c.Name, d.Groups)
			c.Hint = "Kith cannot import this name as it is: choose what it holds, or ignore it."
			if c.Choice != choiceNone {
				c.Hint = "Guessed from the name: check it."
			}
		case t.New:
			c.Choice, c.NewName = choiceNew, strings.TrimPrefix(t.Target, "attributes.")
		default:
			c.Choice = t.Target
		}
	}
	h.render(w, r, http.StatusOK, "mapping", page{Title: "Map columns", Nav: "imports", Data: d})
}

// loadMapping reads the upload, its preview and the catalogue.
func (h *Handler) loadMapping(r *http.Request, id, delimiter string) (*mappingData, []kith.AttributeDef, error) {
	ws := current(r).ws
	u, err := findUpload(ws.ID, id, h.now())
	if err != nil {
		return nil, nil, err
	}
	p, err := u.preview(delimiter)
	if err != nil {
		return nil, nil, err
	}
	var custom []kith.AttributeDef
	ctx := r.Context()
	err = h.Store.View(ctx, func(tx kith.ReadTx) error {
		custom, err = tx.ListAttributeDefs(ctx, ws.ID)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	d := &mappingData{Upload: u, Preview: p, Groups: targetGroups(custom), Delimiter: delimiterName(p.Delimiter), Errors: map[string]string{}}
	for i, name := range p.Columns {
		if name == "" {
			continue // an import ignores nameless columns
		}
		c := mappingColumn{Index: i, Name: name}
		for _, row := range p.Rows {
			if v := strings.TrimSpace(row[i]); v != "" && len(c.Samples) < 3 {
				c.Samples = append(c.Samples, v)
			}
		}
		d.Columns = append(d.Columns, c)
	}
	return d, custom, nil
}

// delimiterName names a delimiter as a form sends it back.
func delimiterName(d string) string {
	if d == "\t" {
		return "tab"
	}
	return d
}

// mappingGone answers a mapping request whose upload cannot be used.
func (h *Handler) mappingGone(w http.ResponseWriter, r *http.Request, err error) {
	if e := kith.AsError(err); e != nil && e.Code != kith.ECodeInternal && e.Code != kith.ECodeUnavailable {
		h.renderImports(w, r, http.StatusUnprocessableEntity, e.Message)
		return
	}
	h.fail(w, r, err)
}

// startImport builds the mapping chosen on the mapping page and starts the
// import with it. A refused mapping shows the page again with each problem
// at its field, and starts nothing.
func (h *Handler) startImport(w http.ResponseWriter, r *http.Request) {
	svc := h.importer()
	if svc == nil {
		h.fail(w, r, kith.Errorf(kith.ECodeUnavailable, "imports are not available here"))
		return
	}
	d, custom, err := h.loadMapping(r, r.PostFormValue("upload"), r.PostFormValue("delimiter"))
	if err != nil {
		h.mappingGone(w, r, err)
		return
	}
	d.Tags, d.DryRun = r.PostFormValue("tags"), r.PostFormValue("dryRun") == "true"
	m := d.build(r, custom)
	if len(d.Errors) > 0 || d.refused() {
		h.render(w, r, htmxStatus(r, http.StatusUnprocessableEntity), "mapping", page{Title: "Map columns", Nav: "imports", Data: d})
		return
	}
	if !d.Upload.claim() {
		h.mappingGone(w, r, kith.Errorf(kith.ECodeNotFound, "this file's import has started already"))
		return
	}
	opts := importer.Options{Mapping: m, Format: d.Preview.Format, DryRun: d.DryRun}
	imp, err := svc.Start(current(r).ws, importer.File{Path: d.Upload.path(), Name: d.Upload.Name, Remove: true}, opts)
	if err != nil {
		h.mappingGone(w, r, err)
		return
	}
	http.Redirect(w, r, "/imports/"+imp.ID, http.StatusSeeOther)
}

// build reads the columns' choices and the tags from the form into a
// mapping, and records every refusal in d.
func (d *mappingData) build(r *http.Request, custom []kith.AttributeDef) *importer.Mapping {
	known := map[string]bool{choiceIgnore: true, choiceNew: true}
	for _, g := range d.Groups {
		for _, o := range g.Options {
			known[o.Value] = true
		}
	}
	m := &importer.Mapping{Columns: map[string]*string{}, Delimiter: d.Preview.Delimiter}
	identifies := false
	for i := range d.Columns {
		c := &d.Columns[i]
		n := strconv.Itoa(c.Index)
		c.Choice, c.NewName = r.PostFormValue("col."+n), strings.TrimSpace(r.PostFormValue("new."+n))
		target := c.Choice
		switch {
		case c.Choice == choiceNone:
			c.Error = "Choose what this column holds, or ignore it."
		case !known[c.Choice]:
			c.Error = "Unknown field " + strconv.Quote(c.Choice) + ": choose one of the list."
		case c.Choice == choiceIgnore:
			m.Columns[c.Name] = nil
		case c.Choice == choiceNew && c.NewName == "":
			c.Error = "Name the new attribute."
		case c.Choice == choiceNew:
			target = "attributes." + c.NewName
		}
		if c.Error == "" && c.Choice != choiceIgnore {
			m.Columns[c.Name] = &target
			identifies = identifies || identifierTargets[target]
		}
	}
	d.buildTags(m)
	if !identifies && !d.refused() {
		d.Errors["form"] = "Map at least one column to an identifier (email, customId, uuid or clientId): without one, no row can find or create its customer."
	}
	// The other columns are checked as the import would, the refused
	// ones left out.
	check := &importer.Mapping{Columns: map[string]*string{}}
	for _, c := range d.Columns {
		if c.Error == "" {
			check.Columns[c.Name] = m.Columns[c.Name]
		} else {
			check.Columns[c.Name] = nil
		}
	}
	for i, t := range importer.ResolveColumns(d.Preview.Columns, check, custom) {
		if t.Err != nil {
			d.column(i).Error = t.Err.Message
		}
	}
	return m
}

// buildTags adds the tags typed for every row (separated by commas,
// semicolons or bars) to m.
func (d *mappingData) buildTags(m *importer.Mapping) {
	for _, t := range strings.FieldsFunc(d.Tags, func(r rune) bool { return r == ',' || r == ';' || r == '|' }) {
		if t = strings.TrimSpace(t); t == "" {
			continue
		}
		if _, e := identity.NormalizeTag(t); e != nil {
			d.Errors["tags"] = strconv.Quote(t) + ": " + e.Message
			return
		}
		m.Tags = append(m.Tags, t)
	}
	if err := m.Check(); err != nil {
		d.Errors["tags"] = kith.ErrorMessage(err)
	}
}

// refused reports whether a column's choice is refused.
func (d *mappingData) refused() bool {
	for _, c := range d.Columns {
		if c.Error != "" {
			return true
		}
	}
	return false
}

// column returns the column of the file's column i.
func (d *mappingData) column(i int) *mappingColumn {
	for j := range d.Columns {
		if d.Columns[j].Index == i {
			return &d.Columns[j]
		}
	}
	return &mappingColumn{}
}

// discardUpload deletes an upload whose import the user gave up.
func (h *Handler) discardUpload(w http.ResponseWriter, r *http.Request) {
	if u, err := findUpload(current(r).ws.ID, r.PostFormValue("upload"), h.now()); err == nil {
		u.discard()
	}
	http.Redirect(w, r, "/imports", http.StatusSeeOther)
}

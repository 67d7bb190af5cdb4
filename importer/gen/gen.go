// Package gen writes reproducible import files of made-up customers, for
// tests and for measuring imports: email, customId, five attributes of the
// defaults and custom ones (firstName, lastName, city, birthDate,
// ClubMember boolean, points number), tags and two agreements. It can
// spoil rows on purpose and repeat earlier customers, and it counts what an
// import of the file into an empty workspace must report.
package gen

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/kithcdp/kith"
)

// Options say what to write.
type Options struct {
	Rows int
	Seed uint64
	// Format is "csv" (the default) or "ndjson".
	Format string
	// DefectEvery, when ≥ 2, spoils every n-th row in one way, taking the
	// kinds of Defects in turn.
	DefectEvery int
	// RepeatEvery, when ≥ 2, makes every n-th row (not spoiled) a customer
	// written before, with other values: an update.
	RepeatEvery int
}

// Defects are the ways a row is spoiled: the row error code each gives.
var Defects = []string{
	kith.ECodeInvalidEmail,
	kith.ECodeInvalidBirthDate,
	kith.ECodeAttrTypeMismatch,
	kith.ECodeBlockedIdentifier,
	kith.ECodeIdentityConflict,
	kith.ECodeInvalidAgreement,
}

// Stats are what an import of the file into an empty workspace reports.
type Stats struct {
	Rows, Created, Updated, Failed int
	// ByCode counts failed rows by error code; each has one error.
	ByCode map[string]int
	// Lines lists, by code, the lines of the first rows spoiled so
	// (at most 10 each).
	Lines map[string][]int64
}

// Header is the CSV header: the columns of every row.
var Header = []string{"email", "customId", "firstName", "lastName", "city", "birthDate",
	"ClubMember", "points", "tags", "agreements.email", "agreements.sms"}

var (
	firstNames = []string{"Ada", "Alan", "Grace", "Linus", "Barbara", "Dennis", "Margaret", "Ken", "Frances", "Edsger", "Radia", "Niklaus"}
	lastNames  = []string{"Lovelace", "Turing", "Hopper", "Torvalds", "Liskov", "Ritchie", "Hamilton", "Thompson", "Allen", "Dijkstra", "Perlman", "Wirth"}
	cities     = []string{"Warsaw", "Kraków", "Gdańsk", "Berlin", "Paris", "Lisbon", "Oslo", "Dublin", "Vienna", "Prague"}
	tagNames   = []string{"vip", "newsletter", "b2b", "churn-risk", "loyal"}
	bools      = []string{"true", "false", "yes", "no", "1", "0"}
)

// customer is one good row's identifiers.
type customer struct{ email, customID string }

// generator writes one file.
type generator struct {
	opts  Options
	rnd   *rand.Rand
	out   writer
	stats Stats
	good  []customer
	next  int // number of the next new customer
}

type writer interface {
	row(r record) error
	flush() error
}

// record is one row's values as text, in Header order; JSON types are
// taken from the values by the NDJSON writer.
type record [11]string

// Write writes a file of opts.Rows rows to w and returns its stats.
func Write(w io.Writer, opts Options) (Stats, error) {
	g := &generator{opts: opts, rnd: rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		stats: Stats{ByCode: map[string]int{}, Lines: map[string][]int64{}}}
	bw := bufio.NewWriterSize(w, 1<<16)
	switch opts.Format {
	case "", "csv":
		cw := csv.NewWriter(bw)
		if err := cw.Write(Header); err != nil {
			return g.stats, err
		}
		g.out = &csvWriter{w: cw}
	case "ndjson":
		g.out = &ndjsonWriter{w: bw}
	default:
		return g.stats, fmt.Errorf("gen: format %q is not csv or ndjson", opts.Format)
	}
	defects := 0
	for i := 1; i <= opts.Rows; i++ {
		var r record
		switch {
		case opts.DefectEvery >= 2 && i%opts.DefectEvery == 0 && len(g.good) >= 2:
			code := Defects[defects%len(Defects)]
			defects++
			r = g.spoiled(code)
			g.stats.Failed++
			g.stats.ByCode[code]++
			if l := g.stats.Lines[code]; len(l) < 10 {
				g.stats.Lines[code] = append(l, g.line(i))
			}
		case opts.RepeatEvery >= 2 && i%opts.RepeatEvery == 0 && len(g.good) > 0:
			c := g.good[g.rnd.IntN(len(g.good))]
			r = g.values(c)
			g.stats.Updated++
		default:
			c := g.newCustomer()
			g.good = append(g.good, c)
			r = g.values(c)
			g.stats.Created++
		}
		g.stats.Rows++
		if err := g.out.row(r); err != nil {
			return g.stats, err
		}
	}
	if err := g.out.flush(); err != nil {
		return g.stats, err
	}
	return g.stats, bw.Flush()
}

// line is the physical line of row i: rows never span lines, and a CSV
// file has its header on line 1.
func (g *generator) line(i int) int64 {
	if g.opts.Format == "ndjson" {
		return int64(i)
	}
	return int64(i) + 1
}

func (g *generator) newCustomer() customer {
	g.next++
	first := firstNames[g.rnd.IntN(len(firstNames))]
	last := lastNames[g.rnd.IntN(len(lastNames))]
	return customer{
		email:    fmt.Sprintf("%s.%s.%d@example.com", strings.ToLower(first), strings.ToLower(last), g.next),
		customID: fmt.Sprintf("LOY-%08d", g.next),
	}
}

// values returns a good row for customer c.
func (g *generator) values(c customer) record {
	name := strings.SplitN(c.email, ".", 3)
	var tags []string
	for n := g.rnd.IntN(3); n > 0; n-- {
		tags = append(tags, tagNames[g.rnd.IntN(len(tagNames))])
	}
	return record{
		c.email, c.customID,
		capitalize(name[0]), capitalize(name[1]),
		cities[g.rnd.IntN(len(cities))],
		fmt.Sprintf("%04d-%02d-%02d", 1940+g.rnd.IntN(66), 1+g.rnd.IntN(12), 1+g.rnd.IntN(28)),
		strconv.FormatBool(g.rnd.IntN(2) == 0),
		strconv.Itoa(g.rnd.IntN(20000)),
		strings.Join(tags, ";"),
		bools[g.rnd.IntN(len(bools))], bools[g.rnd.IntN(len(bools))],
	}
}

// spoiled returns a row that an import refuses with code.
func (g *generator) spoiled(code string) record {
	c := g.newCustomer()
	r := g.values(c)
	switch code {
	case kith.ECodeInvalidEmail:
		r[0] = strings.Replace(c.email, "@", ".at.", 1)
	case kith.ECodeInvalidBirthDate:
		r[5] = "1990-02-30"
	case kith.ECodeAttrTypeMismatch:
		r[7] = "12abc"
	case kith.ECodeBlockedIdentifier:
		r[0] = "null"
	case kith.ECodeIdentityConflict:
		a := g.rnd.IntN(len(g.good))
		b := (a + 1 + g.rnd.IntN(len(g.good)-1)) % len(g.good)
		r[0], r[1] = g.good[a].email, g.good[b].customID
	case kith.ECodeInvalidAgreement:
		r[9] = "maybe"
	}
	return r
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

type csvWriter struct{ w *csv.Writer }

func (c *csvWriter) row(r record) error { return c.w.Write(r[:]) }
func (c *csvWriter) flush() error {
	c.w.Flush()
	return c.w.Error()
}

// ndjsonWriter writes rows as JSON objects with typed values: booleans,
// numbers and a list of tags, where the text of a value has that type.
type ndjsonWriter struct{ w *bufio.Writer }

func (n *ndjsonWriter) row(r record) error {
	obj := make(map[string]any, len(Header))
	for i, name := range Header {
		v := r[i]
		switch name {
		case "ClubMember", "agreements.email", "agreements.sms":
			if b, ok := parseBool(v); ok {
				obj[name] = b
				continue
			}
		case "points":
			if f, err := strconv.Atoi(v); err == nil {
				obj[name] = f
				continue
			}
		case "tags":
			obj[name] = strings.FieldsFunc(v, func(r rune) bool { return r == ';' })
			continue
		}
		obj[name] = v
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	_, err = n.w.Write(append(b, '\n'))
	return err
}

func (n *ndjsonWriter) flush() error { return nil }

func parseBool(s string) (bool, bool) {
	switch s {
	case "true", "yes", "1":
		return true, true
	case "false", "no", "0":
		return false, true
	}
	return false, false
}

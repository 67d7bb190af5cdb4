// Command gencsv writes a reproducible import file of made-up customers,
// to try and measure imports:
//
//	go run ./importer/cmd/gencsv -rows 1000000 -o /tmp/1m.csv
//	go run ./importer/cmd/gencsv -rows 20000 -format ndjson -defect-every 50 -o /tmp/20k.ndjson
//
// Each row has email, customId, firstName, lastName, city, birthDate,
// ClubMember (boolean), points (number), tags and agreements.email/sms.
// The same flags always write the same file. It prints on stderr what an
// import of the file into an empty workspace must report.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/kithcdp/kith/importer/gen"
)

func main() {
	var opts gen.Options
	out := flag.String("o", "-", "output file (- for standard output)")
	flag.IntVar(&opts.Rows, "rows", 1000, "number of data rows")
	flag.Uint64Var(&opts.Seed, "seed", 1, "random seed")
	flag.StringVar(&opts.Format, "format", "csv", "csv or ndjson")
	flag.IntVar(&opts.DefectEvery, "defect-every", 0, "spoil every n-th row (n ≥ 2; 0: none)")
	flag.IntVar(&opts.RepeatEvery, "repeat-every", 0, "repeat an earlier customer every n-th row (n ≥ 2; 0: never)")
	flag.Parse()
	if err := run(*out, opts); err != nil {
		fmt.Fprintln(os.Stderr, "gencsv:", err)
		os.Exit(1)
	}
}

func run(path string, opts gen.Options) error {
	var w io.Writer = os.Stdout
	if path != "-" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	st, err := gen.Write(w, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "rows %d: created %d, updated %d, failed %d\n", st.Rows, st.Created, st.Updated, st.Failed)
	codes := make([]string, 0, len(st.ByCode))
	for c := range st.ByCode {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, c := range codes {
		fmt.Fprintf(os.Stderr, "  %s: %d\n", c, st.ByCode[c])
	}
	if f, ok := w.(*os.File); ok && f != os.Stdout {
		return f.Close()
	}
	return nil
}

package importer_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/importer"
	"github.com/kithcdp/kith/importer/gen"
	"github.com/kithcdp/kith/internal/testenv"
)

// generated writes a generated file and returns its path and stats.
func generated(t testing.TB, opts gen.Options) (string, gen.Stats) {
	t.Helper()
	ext := ".csv"
	if opts.Format == "ndjson" {
		ext = ".ndjson"
	}
	path := filepath.Join(t.TempDir(), "gen"+ext)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	stats, err := gen.Write(f, opts)
	if err := errorsJoin(err, f.Close()); err != nil {
		t.Fatal(err)
	}
	return path, stats
}

func errorsJoin(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// importFile imports the file at path and returns its counts and errors.
func importFile(t testing.TB, st kith.Store, ws *kith.Workspace, path string, opts importer.Options) (importer.Counts, []importer.RowError) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var errs []importer.RowError
	opts.Now = clock
	opts.OnErrors = func(e []importer.RowError) error {
		errs = append(errs, e...)
		return nil
	}
	counts, err := importer.Run(context.Background(), st, ws, importer.Input{Name: path, R: f}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return counts, errs
}

// checkGenerated checks an import of a generated file into an empty
// workspace against the generator's stats, row for row.
func checkGenerated(t testing.TB, counts importer.Counts, errs []importer.RowError, want gen.Stats) {
	t.Helper()
	wantCounts(t, counts, int64(want.Rows), int64(want.Created), int64(want.Updated), 0, int64(want.Failed))
	byCode := map[string]int{}
	lines := map[string][]int64{}
	for _, e := range errs {
		byCode[e.Code]++
		if len(lines[e.Code]) < 10 {
			lines[e.Code] = append(lines[e.Code], e.Line)
		}
	}
	for code, n := range want.ByCode {
		if byCode[code] != n {
			t.Errorf("%s: %d errors, want %d", code, byCode[code], n)
		}
		for i, l := range want.Lines[code] {
			if i >= len(lines[code]) || lines[code][i] != l {
				t.Errorf("%s: lines %v, want %v", code, lines[code], want.Lines[code])
				break
			}
		}
	}
	if len(errs) != want.Failed {
		t.Errorf("%d errors, want %d", len(errs), want.Failed)
	}
}

// TestGeneratedFile imports a 20,000-row generated file (5,000 on
// PostgreSQL) with every kind of bad row and repeated customers, checks the
// exact counts and errors, then imports it again: nothing is created the
// second time.
func TestGeneratedFile(t *testing.T) {
	for _, format := range []string{"csv", "ndjson"} {
		t.Run(format, func(t *testing.T) {
			eachStore(t, func(t *testing.T, st kith.Store) {
				ws := workspace(t, st, kith.ModeEmail)
				rows := 20000
				if strings.HasSuffix(t.Name(), "/postgres") {
					rows = 5000 // every row is several round trips: keep the suite quick
				}
				path, want := generated(t, gen.Options{Rows: rows, Seed: 7, Format: format, DefectEvery: 97, RepeatEvery: 13})
				if len(want.ByCode) != len(gen.Defects) || want.Updated == 0 {
					t.Fatalf("the generator spoiled too little: %+v", want)
				}
				counts, errs := importFile(t, st, ws, path, importer.Options{})
				checkGenerated(t, counts, errs, want)
				counts, errs = importFile(t, st, ws, path, importer.Options{})
				wantCounts(t, counts, int64(want.Rows), 0, int64(want.Created+want.Updated), 0, int64(want.Failed))
				if len(errs) != want.Failed {
					t.Errorf("second run: %d errors, want %d", len(errs), want.Failed)
				}
				defs, tags := catalogue(t, st, ws)
				if defs["ClubMember"] != kith.TypeBoolean || defs["points"] != kith.TypeNumber || len(tags) != 5 {
					t.Errorf("catalogue %v, tags %v", defs, tags)
				}
			})
		})
	}
}

// TestImport1M imports a million generated rows into the embedded store
// and reports the rate. It is opt-in: KITH_IMPORT_1M=1.
func TestImport1M(t *testing.T) {
	if os.Getenv("KITH_IMPORT_1M") != "1" {
		t.Skip("set KITH_IMPORT_1M=1 to import a million rows (about a minute)")
	}
	path, want := generated(t, gen.Options{Rows: 1_000_000, Seed: 1, DefectEvery: 1000})
	st := openSQLite(t)
	ws := workspace(t, st, kith.ModeEmail)
	start := time.Now()
	counts, errs := importFile(t, st, ws, path, importer.Options{})
	elapsed := time.Since(start)
	checkGenerated(t, counts, errs, want)
	t.Logf("%d rows in %v: %.0f rows/s", counts.Rows, elapsed.Round(time.Millisecond), float64(counts.Rows)/elapsed.Seconds())
}

// BenchmarkImport measures imports of a 20,000-row generated file into
// an empty workspace of the embedded store; it reports rows/s.
func BenchmarkImport(b *testing.B) {
	path, want := generated(b, gen.Options{Rows: 20000, Seed: 3})
	for _, size := range []int{50, 100, 250, 500, 1000} {
		b.Run("batch="+itoa(size), func(b *testing.B) {
			var rows int64
			var elapsed, cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				st := openSQLite(b)
				ws := workspace(b, st, kith.ModeEmail)
				b.StartTimer()
				start, startCPU := time.Now(), testenv.CPUTime()
				counts, _ := importFile(b, st, ws, path, importer.Options{BatchSize: size})
				elapsed += time.Since(start)
				cpu += testenv.CPUTime() - startCPU
				rows += counts.Rows
				if counts.Created != int64(want.Created) {
					b.Fatalf("created %d, want %d", counts.Created, want.Created)
				}
			}
			b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
			// CPU time per row is steadier than rows/s on a busy machine.
			b.ReportMetric(float64(cpu.Microseconds())/float64(rows), "cpu-µs/row")
		})
	}
}

func itoa(n int) string {
	const digits = "0123456789"
	if n < 10 {
		return digits[n : n+1]
	}
	return itoa(n/10) + digits[n%10:n%10+1]
}

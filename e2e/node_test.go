package e2e

import (
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/kithcdp/kith/internal/testenv"
)

// TestTrackerUnitTests runs the tracker's node unit tests (node --test
// tracker/), so that `go test ./...` and CI run them with everything else.
// The files are listed rather than the directory: newer node versions
// read --test arguments as globs and no longer search a directory.
func TestTrackerUnitTests(t *testing.T) {
	node := testenv.Node(t)
	// The names node --test looks for in a directory.
	var files []string
	for _, pattern := range []string{"*_test", "*.test", "*-test", "test-*", "test"} {
		for _, ext := range []string{".js", ".mjs", ".cjs"} {
			m, err := filepath.Glob(filepath.Join("..", "tracker", pattern+ext))
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, m...)
		}
	}
	slices.Sort(files)
	files = slices.Compact(files)
	if len(files) == 0 {
		t.Fatal("no tracker tests found in ../tracker")
	}
	cmd := exec.Command(node, append([]string{"--test"}, files...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test %v: %v\n%s", files, err, out)
	}
	t.Logf("node --test: %d files passed", len(files))
}

// Package testenv finds the outside components that some tests need and
// decides whether their absence skips the test or fails it (docs/TESTING.md).
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// Require skips t with a message saying how to enable it, or fails it when
// the variable requireVar is set (CI), because a component is missing.
func Require(t testing.TB, requireVar, format string, args ...any) {
	t.Helper()
	if os.Getenv(requireVar) != "" {
		t.Fatalf("%s is set but: "+format, append([]any{requireVar}, args...)...)
	}
	t.Skipf(format, args...)
}

// Chromium returns the path of a Chromium binary, or skips/fails t.
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("KITH_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	Require(t, "KITH_REQUIRE_BROWSER", "no chromium on PATH: install it (apt-get install chromium) or set KITH_CHROMIUM")
	return ""
}

// Node returns the path of node, or skips/fails t.
func Node(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("node"); err == nil {
		return p
	}
	Require(t, "KITH_REQUIRE_NODE", "no node on PATH: install Node.js to run this test")
	return ""
}

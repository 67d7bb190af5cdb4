package segment_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/internal/testenv"
)

// TestNodeSDK runs test/node/segment.test.mjs, which sends calls with the
// real @segment/analytics-node package, against a real Kith server.
func TestNodeSDK(t *testing.T) {
	node := testenv.Node(t)
	dir, err := filepath.Abs(filepath.Join("..", "test", "node"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@segment", "analytics-node", "package.json")); err != nil {
		testenv.Require(t, "KITH_REQUIRE_NODE",
			"test/node/node_modules is missing: run npm ci --prefix test/node to install @segment/analytics-node")
	}
	k := startKith(t, kith.ModeEmail, kith.KindCustomID)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "segment.test.mjs")
	cmd.Dir = dir
	// The tracker key: any write key works, and the Go tests use the secret one.
	cmd.Env = append(os.Environ(), "KITH_URL="+k.url, "KITH_KEY="+k.creds.TrackerKey, "KITH_SECRET="+k.creds.SecretKey)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test segment.test.mjs: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}

// Command kith is Kith's one binary: the server, workspace administration,
// import and the load generator (SPEC §7).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/alecthomas/kong"
)

// cli is the command line. The server's flags, and the store and
// connection flags of every command, also read a KITH_* variable.
type cli struct {
	Serve     serveCmd     `cmd:"" help:"Run the Kith server (API, tracker, admin UI)."`
	Workspace workspaceCmd `cmd:"" help:"Manage workspaces."`
	User      userCmd      `cmd:"" help:"Manage admin UI users."`
	Bench     benchCmd     `cmd:"" help:"Send a realistic load to running nodes and report events/s and latencies."`
	Import    importCmd    `cmd:"" help:"Import customers from a CSV or NDJSON file (SPEC §5)."`
	Dataset   datasetCmd   `cmd:"" help:"Generate a large synthetic dataset and time the management API on it."`
}

// storeFlags choose the store: the embedded one in a directory, or
// PostgreSQL.
type storeFlags struct {
	Data     string `help:"Data directory of the embedded store." default:"./kith-data" env:"KITH_DATA" placeholder:"DIR"`
	Postgres string `help:"PostgreSQL connection string; when set, Kith uses PostgreSQL instead of the embedded store." env:"KITH_POSTGRES" placeholder:"DSN"`
	Sync     string `help:"Embedded store durability: full (a 200 survives power loss) or normal (survives a crash of Kith, not of the machine)." default:"full" enum:"full,normal" env:"KITH_SYNC"`
	PoolSize int32  `help:"PostgreSQL connection pool size per node (0: 4 per CPU)." default:"0" env:"KITH_POOL_SIZE"`
}

func main() {
	var c cli
	k := kong.Parse(&c,
		kong.Name("kith"),
		kong.Description("Kith keeps one profile per real customer: identity resolution, profiles, events."),
		kong.UsageOnError(),
	)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	k.BindTo(ctx, (*context.Context)(nil))
	if err := k.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "kith:", err)
		os.Exit(1)
	}
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kithcdp/kith/bench"
)

type benchCmd struct {
	URL         []string      `help:"Base URL of a running node; repeat for several nodes (used round-robin)." default:"http://127.0.0.1:8080" env:"KITH_BENCH_URL"`
	Key         string        `help:"A secret key of the workspace to load." required:"" env:"KITH_BENCH_KEY"`
	Concurrency int           `help:"Simultaneous requests." default:"16"`
	Batch       int           `help:"Events per events request (1 sends single-event requests)." default:"100"`
	Duration    time.Duration `help:"How long to send load." default:"30s"`
	Rate        float64       `help:"Requests per second over all workers (0: as fast as the server answers)." default:"0"`
	Browsers    int           `help:"Simulated browsers." default:"100000"`
	Seed        uint64        `help:"Random seed: the same seed sends the same traffic." default:"1"`
	Upserts     float64       `help:"Share of profile upserts in the mix." default:"0"`
	Lookups     float64       `help:"Share of profile lookups in the mix." default:"0"`
	IdentifyAll bool          `help:"Every event identifies a new customer (identify-heavy traffic)."`
	EventIDs    string        `name:"event-ids" help:"Event ids the browsers send: time (version-7 uuids, as the tracker does), random (version 4) or none (the server assigns them)." enum:"time,random,none" default:"time"`
	JSON        bool          `help:"Print the result as JSON."`
}

func (c *benchCmd) Run(ctx context.Context) error {
	cfg := bench.Config{
		Targets: c.URL, Key: c.Key, Concurrency: c.Concurrency, Batch: c.Batch,
		Duration: c.Duration, Rate: c.Rate, Browsers: c.Browsers, Seed: c.Seed,
		Mix:         bench.Mix{Events: max(0, 1-c.Upserts-c.Lookups), Upserts: c.Upserts, Lookups: c.Lookups},
		IdentifyAll: c.IdentifyAll, EventIDs: c.EventIDs,
	}
	progress := func(p bench.Progress) {
		secs := p.Elapsed.Seconds()
		fmt.Fprintf(os.Stderr, "\r%5.0fs  %9.0f events/s  %8.0f requests/s  %d errors   ",
			secs, float64(p.Events)/secs, float64(p.Requests)/secs, p.Errors)
	}
	res, err := bench.Run(ctx, cfg, progress)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return err
	}
	if c.JSON {
		return json.NewEncoder(os.Stdout).Encode(res)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "nodes\t%s\t\n", strings.Join(c.URL, " "))
	fmt.Fprintf(tw, "duration\t%.1fs\t\n", res.Elapsed.Seconds())
	fmt.Fprintf(tw, "events/s\t%.0f\t\n", res.EventsPerSec)
	fmt.Fprintf(tw, "requests/s\t%.0f\t\n", res.RequestsPerSec)
	fmt.Fprintf(tw, "latency p50\t%s\t\n", res.P50.Round(10*time.Microsecond))
	fmt.Fprintf(tw, "latency p95\t%s\t\n", res.P95.Round(10*time.Microsecond))
	fmt.Fprintf(tw, "latency p99\t%s\t\n", res.P99.Round(10*time.Microsecond))
	fmt.Fprintf(tw, "latency max\t%s\t\n", res.Max.Round(10*time.Microsecond))
	fmt.Fprintf(tw, "errors\t%d\t\n", res.Errors)
	if res.FirstError != "" {
		fmt.Fprintf(tw, "first error\t%s\t\n", res.FirstError)
	}
	return tw.Flush()
}

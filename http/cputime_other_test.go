//go:build !unix

package http_test

import "time"

// cpuTime is unknown here; benchmarks then skip their cpu-µs metrics.
func cpuTime() time.Duration { return 0 }

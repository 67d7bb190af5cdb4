//go:build !unix

package sqlite

import "time"

// cpuTime is unknown here; benchmarks then skip the cpu-µs/event metric.
func cpuTime() time.Duration { return 0 }

//go:build !unix

package testenv

import "time"

// CPUTime is unknown here; benchmarks then report zero CPU time.
func CPUTime() time.Duration { return 0 }

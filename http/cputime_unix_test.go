//go:build unix

package http_test

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user and system) this process has used:
// server and load generator together. Benchmarks report it per event, a
// cost that does not depend on how busy the shared machine is.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

//go:build linux

package main

import (
	"os"
	"syscall"
)

// maxRSS is the peak resident memory, in bytes, of a finished process.
// Linux reports ru_maxrss in KiB.
func maxRSS(ps *os.ProcessState) (int64, bool) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, false
	}
	return int64(ru.Maxrss) << 10, true
}

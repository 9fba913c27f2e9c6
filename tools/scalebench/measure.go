package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// measure runs a command with its output passed through and prints, on
// stderr, its wall time and peak resident memory as one JSON object.
func measure(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		return fmt.Errorf("measure: no command")
	}
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	runErr := cmd.Run()
	wall := time.Since(start)
	res := map[string]any{"command": args, "wall_s": wall.Seconds()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru != nil {
		res["max_rss_mib"] = float64(ru.Maxrss) / 1024 // kilobytes on Linux
		res["user_s"] = time.Duration(ru.Utime.Nano()).Seconds()
		res["sys_s"] = time.Duration(ru.Stime.Nano()).Seconds()
	}
	if cmd.ProcessState != nil {
		res["exit"] = cmd.ProcessState.ExitCode()
	}
	if err := json.NewEncoder(stderr).Encode(res); err != nil {
		return err
	}
	return runErr
}

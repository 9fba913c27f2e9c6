package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// addProfileFlags adds --cpuprofile and --memprofile, for finding where a
// long scan spends its time (go tool pprof FILE).
func addProfileFlags(fl *pflag.FlagSet) {
	fl.String("cpuprofile", "", "write a CPU profile of the command to this file")
	fl.String("memprofile", "", "write a heap profile, taken when the command ends, to this file")
}

// startProfiles starts what the profile flags ask for and returns the
// function that finishes them.
func startProfiles(cmd *cobra.Command) (func() error, error) {
	cpu, _ := cmd.Flags().GetString("cpuprofile")
	mem, _ := cmd.Flags().GetString("memprofile")
	var cpuFile *os.File
	if cpu != "" {
		f, err := os.Create(cpu)
		if err != nil {
			return nil, usageError("--cpuprofile: %v", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, usageError("--cpuprofile: %v", err)
		}
		cpuFile = f
	}
	return func() error {
		if cpuFile != nil {
			pprof.StopCPUProfile()
			if err := cpuFile.Close(); err != nil {
				return fmt.Errorf("cpu profile: %w", err)
			}
		}
		if mem == "" {
			return nil
		}
		f, err := os.Create(mem)
		if err != nil {
			return fmt.Errorf("heap profile: %w", err)
		}
		defer f.Close()
		runtime.GC()
		if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
			return fmt.Errorf("heap profile: %w", err)
		}
		return nil
	}, nil
}
